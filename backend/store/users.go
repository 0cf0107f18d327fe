package store

import (
	"fmt"
	"time"
)

// UserByID reads one account.
func (q Q) UserByID(id string) (User, error) {
	var u User
	return u, q.first(&u, "user", "id = ?", id)
}

// UserByUsername reads the account with this username.
func (q Q) UserByUsername(username string) (User, error) {
	var u User
	return u, q.first(&u, "user", "username = ?", username)
}

// UsernameTaken says whether an account already has this username.
func (q Q) UsernameTaken(username string) (bool, error) {
	var n int64
	if err := q.db.Model(&User{}).Where("username = ?", username).Count(&n).Error; err != nil {
		return false, fmt.Errorf("check username: %w", err)
	}
	return n > 0, nil
}

// InsertUser saves a new account.
func (q Q) InsertUser(u *User) error { return q.insert(u, "user "+u.Username) }

// Users lists every account by username.
func (q Q) Users() ([]User, error) {
	var out []User
	if err := q.db.Order("username").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	return out, nil
}

// UserNames maps account ids to full names and usernames, in one read.
func (q Q) UserNames(ids []string) (fullNames, usernames map[string]string, err error) {
	fullNames, usernames = make(map[string]string, len(ids)), make(map[string]string, len(ids))
	if len(ids) == 0 {
		return fullNames, usernames, nil
	}
	var users []User
	if err := q.db.Select("id", "full_name", "username").Where("id IN ?", ids).Find(&users).Error; err != nil {
		return nil, nil, fmt.Errorf("read user names: %w", err)
	}
	for _, u := range users {
		fullNames[u.ID], usernames[u.ID] = u.FullName, u.Username
	}
	return fullNames, usernames, nil
}

// SetLoginState records a sign-in outcome: the failure count and any lockout. It is not a
// new version of the account (the outbox does not carry it).
func (q Q) SetLoginState(id string, failedLogins int, lockedUntil *time.Time) error {
	var until any // a typed nil pointer would not clear the column on every driver
	if lockedUntil != nil {
		until = *lockedUntil
	}
	if err := q.db.Model(&User{}).Where("id = ?", id).Updates(map[string]any{"failed_logins": failedLogins, "locked_until": until}).Error; err != nil {
		return fmt.Errorf("record sign-in of %s: %w", id, err)
	}
	return nil
}

// UpdateUser sets fields on the account still at version (ErrStale otherwise).
func (q Q) UpdateUser(id string, version int64, fields map[string]any) error {
	return q.updateVersioned(&User{}, "user", id, version, fields)
}

// RecordFailedLogin counts one more wrong password, leaving any lockout as it is.
func (q Q) RecordFailedLogin(id string, failedLogins int) error {
	if err := q.db.Model(&User{}).Where("id = ?", id).Update("failed_logins", failedLogins).Error; err != nil {
		return fmt.Errorf("record failed sign-in of %s: %w", id, err)
	}
	return nil
}
