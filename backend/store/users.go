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

// HoldDecisions stops the account deciding anything before until (a new or reset approver).
// It is not a new version of the account.
func (q Q) HoldDecisions(id string, until time.Time) error {
	if err := q.db.Model(&User{}).Where("id = ?", id).UpdateColumn("decide_after", until).Error; err != nil {
		return fmt.Errorf("hold decisions of %s: %w", id, err)
	}
	return nil
}

// MarkNoticesSeen records that the user has read the account-change notices up to seq.
func (q Q) MarkNoticesSeen(id string, seq int64) error {
	if err := q.db.Model(&User{}).Where("id = ? AND notices_seen_seq < ?", id, seq).UpdateColumn("notices_seen_seq", seq).Error; err != nil {
		return fmt.Errorf("mark notices seen: %w", err)
	}
	return nil
}

// AccountEvent is one audited account change with the account it changed.
type AccountEvent struct {
	Seq      int64
	ID       string
	At       string
	Actor    string
	Action   string
	EntityID string
	Data     string
	Hash     string
	Username string
	FullName string
	Role     string
}

// AccountChangesAfter lists the audited account changes (user.* events) after seq, oldest
// first, leaving out those made by actor (a username) and those of the account self (an id);
// at most limit.
func (q Q) AccountChangesAfter(seq int64, actor, self string, limit int) ([]AccountEvent, error) {
	var out []AccountEvent
	err := q.db.Table("audit_events AS e").
		Select("e.seq, e.id, e.at, e.actor, e.action, e.entity_id, e.data, e.hash, u.username, u.full_name, u.role").
		Joins("LEFT JOIN users AS u ON u.id = e.entity_id").
		Where("e.seq > ? AND e.entity = 'user' AND e.action LIKE 'user.%' AND e.actor <> ? AND e.entity_id <> ?", seq, actor, self).
		Order("e.seq").Limit(limit).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("list account changes: %w", err)
	}
	return out, nil
}

// AuditHeadSeq is the sequence number of the newest audit event (0 when there is none).
func (q Q) AuditHeadSeq() (int64, error) {
	var seq int64
	if err := q.db.Raw("SELECT COALESCE((SELECT seq FROM audit_head WHERE id = 1), 0)").Scan(&seq).Error; err != nil {
		return 0, fmt.Errorf("read audit head: %w", err)
	}
	return seq, nil
}

// OfficeIsDemo reports whether this database is the demo office (no office yet: false).
func (q Q) OfficeIsDemo() (bool, error) {
	var demo []bool
	if err := q.db.Model(&Office{}).Limit(1).Pluck("demo", &demo).Error; err != nil {
		return false, fmt.Errorf("read office: %w", err)
	}
	return len(demo) == 1 && demo[0], nil
}
