package store

import (
	"fmt"
	"time"

	"gorm.io/gorm/clause"
)

// SigningKeyByID reads one enrolled key.
func (q Q) SigningKeyByID(keyID string) (SigningKey, error) {
	var k SigningKey
	return k, q.first(&k, "signing key", "key_id = ?", keyID)
}

// OfficeKey reads the office key with this id.
func (q Q) OfficeKey(keyID, kind string) (SigningKey, error) {
	var k SigningKey
	return k, q.first(&k, "office key", "key_id = ? AND kind = ?", keyID, kind)
}

// SigningKeys lists every enrolled key, oldest first.
func (q Q) SigningKeys() ([]SigningKey, error) {
	var out []SigningKey
	if err := q.db.Order("created_at, key_id").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("read signing keys: %w", err)
	}
	return out, nil
}

// CurrentSigningKey reads a user's newest key of a kind that is valid at now.
func (q Q) CurrentSigningKey(userID, kind string, now time.Time) (SigningKey, error) {
	var k SigningKey
	if err := q.db.Where("user_id = ? AND kind = ? AND (valid_to IS NULL OR valid_to > ?) AND (valid_from IS NULL OR valid_from <= ?)",
		userID, kind, now, now).Order("created_at DESC, key_id").Limit(1).Find(&k).Error; err != nil {
		return SigningKey{}, fmt.Errorf("read enrolled key: %w", err)
	}
	if k.KeyID == "" {
		return SigningKey{}, ErrNotFound
	}
	return k, nil
}

// InsertSigningKey records an enrolled key.
func (q Q) InsertSigningKey(k *SigningKey) error { return q.insert(k, "signing key") }

// PutBlob stores a content-addressed file; the same content twice is one row.
func (q Q) PutBlob(b *Blob) error {
	if err := q.db.Clauses(clause.OnConflict{DoNothing: true}).Create(b).Error; err != nil {
		return fmt.Errorf("store blob %s: %w", b.SHA256, err)
	}
	return nil
}

// Blob reads a file by its SHA-256.
func (q Q) Blob(sha256 string) (Blob, error) {
	var b Blob
	return b, q.first(&b, "blob", "sha256 = ?", sha256)
}

// LatestTrustBundle reads the newest imported trust bundle.
func (q Q) LatestTrustBundle() (TrustBundle, error) {
	var b TrustBundle
	if err := q.db.Order("id DESC").Limit(1).Find(&b).Error; err != nil {
		return TrustBundle{}, fmt.Errorf("read trust bundle: %w", err)
	}
	if b.ID == 0 {
		return TrustBundle{}, ErrNotFound
	}
	return b, nil
}

// InsertTrustBundle stores an imported bundle.
func (q Q) InsertTrustBundle(b *TrustBundle) error { return q.insert(b, "trust bundle") }
