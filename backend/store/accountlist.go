package store

import (
	"fmt"
	"time"
)

// AccountRegistration is one person of the office's account-registration list (the list it
// sends the province to get accounts).
type AccountRegistration struct {
	ID        string    `json:"id"`
	Version   int64     `json:"version"`
	FullName  string    `json:"full_name"`
	IDNumber  string    `json:"id_number"`
	Title     string    `json:"title"`
	Unit      string    `json:"unit"`
	Phone     string    `json:"phone"`
	Email     string    `json:"email"`
	Role      string    `json:"role"`
	ActsFor   string    `json:"acts_for"` // comma-separated unit codes
	HasToken  bool      `json:"has_token"`
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// AccountRegistrations lists the office's registration list in the order it was entered.
func (q Q) AccountRegistrations() ([]AccountRegistration, error) {
	var out []AccountRegistration
	if err := q.db.Order("created_at, id").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("read account registrations: %w", err)
	}
	return out, nil
}

// AccountRegistrationByIDNumber finds the person with this CCCD on the list.
func (q Q) AccountRegistrationByIDNumber(id string) (AccountRegistration, bool, error) {
	var out []AccountRegistration
	if err := q.db.Where("id_number = ?", id).Limit(1).Find(&out).Error; err != nil {
		return AccountRegistration{}, false, fmt.Errorf("look up account registration: %w", err)
	}
	if len(out) == 0 {
		return AccountRegistration{}, false, nil
	}
	return out[0], true, nil
}

// AccountRegistrationByID reads one person of the list.
func (q Q) AccountRegistrationByID(id string) (AccountRegistration, error) {
	var out AccountRegistration
	if err := q.db.First(&out, "id = ?", id).Error; err != nil {
		return out, fmt.Errorf("read account registration %s: %w", id, err)
	}
	return out, nil
}

// InsertAccountRegistration adds a person to the list.
func (q Q) InsertAccountRegistration(r *AccountRegistration) error {
	return q.insert(r, "account registration")
}

// UpdateAccountRegistration changes a person at the version read (else ErrStale).
func (q Q) UpdateAccountRegistration(id string, version int64, fields map[string]any) error {
	return q.updateVersioned(&AccountRegistration{}, "account registration", id, version, fields)
}

// DeleteAccountRegistration removes a person from the list at the version read.
func (q Q) DeleteAccountRegistration(id string, version int64) error {
	res := q.db.Where("id = ? AND version = ?", id, version).Delete(&AccountRegistration{})
	if res.Error != nil {
		return fmt.Errorf("delete account registration %s: %w", id, res.Error)
	}
	if res.RowsAffected == 0 {
		return ErrStale
	}
	return nil
}
