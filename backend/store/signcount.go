package store

import "fmt"

// RaiseSignCount records a FIDO credential's newest signature counter; it never goes down.
// It is not a new version of the key.
func (q Q) RaiseSignCount(keyID string, counter int64) error {
	if err := q.db.Model(&SigningKey{}).Where("key_id = ? AND sign_count < ?", keyID, counter).UpdateColumn("sign_count", counter).Error; err != nil {
		return fmt.Errorf("record signature counter: %w", err)
	}
	return nil
}
