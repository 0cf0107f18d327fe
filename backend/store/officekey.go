package store

import (
	"fmt"
	"time"
)

// Office key and list queries (issue 9).

// ActiveOfficeKey reads the office key with this id, unless it was retired.
func (q Q) ActiveOfficeKey(keyID string) (SigningKey, error) {
	var k SigningKey
	return k, q.first(&k, "office key", "key_id = ? AND kind = 'office' AND retired_at IS NULL", keyID)
}

// CurrentOfficeKey reads the newest office key that is not retired.
func (q Q) CurrentOfficeKey() (SigningKey, error) {
	var keys []SigningKey
	if err := q.db.Where("kind = 'office' AND retired_at IS NULL").Order("created_at DESC, key_id").Limit(1).Find(&keys).Error; err != nil {
		return SigningKey{}, fmt.Errorf("read office key: %w", err)
	}
	if len(keys) == 0 {
		return SigningKey{}, ErrNotFound
	}
	return keys[0], nil
}

// RetireOfficeKeys marks every current office key retired at at (a new version of each) and
// returns them.
func (q Q) RetireOfficeKeys(at time.Time) ([]SigningKey, error) {
	var keys []SigningKey
	if err := q.db.Where("kind = 'office' AND retired_at IS NULL").Find(&keys).Error; err != nil {
		return nil, fmt.Errorf("read office keys: %w", err)
	}
	for i := range keys {
		keys[i].Version++
		if err := q.db.Model(&SigningKey{}).Where("key_id = ?", keys[i].KeyID).
			Updates(map[string]any{"retired_at": at, "version": keys[i].Version}).Error; err != nil {
			return nil, fmt.Errorf("retire office key %s: %w", keys[i].KeyID, err)
		}
		keys[i].RetiredAt = &at
	}
	return keys, nil
}

// UserTitles maps user ids to their titles, for the trust entries of leaders' tokens.
func (q Q) UserTitles() (map[string]string, error) {
	var users []User
	if err := q.db.Select("id", "title").Find(&users).Error; err != nil {
		return nil, fmt.Errorf("read titles: %w", err)
	}
	out := make(map[string]string, len(users))
	for _, u := range users {
		out[u.ID] = u.Title
	}
	return out, nil
}
