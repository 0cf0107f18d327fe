package province

import (
	"context"
	"time"

	"gorm.io/gorm"

	"giaydiduong/backend/syncwire"
)

// PublishHeld appends one record to its feed in a transaction that calls hold before it
// commits, so a test can make writers commit in any order.
func (s *Service) PublishHeld(ctx context.Context, r syncwire.Record, unit string, hold func()) (int64, error) {
	k, err := s.signer()
	if err != nil {
		return 0, err
	}
	var seq int64
	err = s.write(ctx, func(tx *gorm.DB, at time.Time) error {
		var err error
		if seq, err = s.publish(tx, k, r, unit, at); err != nil {
			return err
		}
		hold()
		return nil
	})
	return seq, err
}
