package store

import (
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// NewestListIssue is the latest issue time among the imported trust and revocation lists
// (zero when none was imported).
func (q Q) NewestListIssue() (time.Time, error) {
	var b TrustBundle
	err := q.db.Order("id DESC").First(&b).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("read trust bundle: %w", err)
	}
	if b.RevocationIssuedAt.After(b.TrustIssuedAt) {
		return b.RevocationIssuedAt, nil
	}
	return b.TrustIssuedAt, nil
}
