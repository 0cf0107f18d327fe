package app

import (
	"context"
	"log/slog"
	"strconv"
	"time"

	"giaydiduong/backend/auth"
	"giaydiduong/backend/store"
	"giaydiduong/backend/syncwire"
)

// DefaultRetentionDays is how long after a permit's validity ends its personal data is kept.
const DefaultRetentionDays = 90

const keyRetention = "retention_days"

// purgeBatch: applications purged per transaction, so a large first purge does not hold
// the office's write lock for long.
const purgeBatch = 500

// PurgeResult is what one purge run removed.
type PurgeResult struct {
	RetentionDays int    `json:"retention_days"`
	ExpiredBefore string `json:"expired_before"` // valid_to before this day (YYYY-MM-DD)
	Applications  int    `json:"applications"`
	Permits       int    `json:"permits"`
	ScanPages     int    `json:"scan_pages"`
	Blobs         int    `json:"blobs"`
	Batches       int    `json:"batches"`
	MessageVI     string `json:"message_vi"`
	MessageEN     string `json:"message_en"`
}

// RetentionDays is the office's retention setting (days after a permit's validity ends).
func (a *App) RetentionDays(ctx context.Context, actor Actor) (int, error) {
	if err := a.require(actor, auth.ViewApplications); err != nil {
		return 0, err
	}
	return a.retentionDays(ctx)
}

func (a *App) retentionDays(ctx context.Context) (int, error) {
	row, err := a.read(ctx).Setting(keyRetention)
	if isNotFound(err) {
		return DefaultRetentionDays, nil
	}
	if err != nil {
		return 0, err
	}
	n, err := strconv.Atoi(row.Value)
	if err != nil || n < 1 {
		return DefaultRetentionDays, nil
	}
	return n, nil
}

// SetRetentionDays changes the retention setting (office admin), audited and synced.
func (a *App) SetRetentionDays(ctx context.Context, actor Actor, days int) (int, error) {
	if err := a.require(actor, auth.ManageSettings); err != nil {
		return 0, err
	}
	if days < 1 || days > 3650 {
		return 0, invalid("retention_days", "range", "Số ngày lưu dữ liệu cá nhân phải từ 1 đến 3650", "Retention must be 1 to 3650 days")
	}
	err := a.write(ctx, actor.Username, func(c *change) error {
		cur, err := c.q.Setting(keyRetention)
		if err != nil && !isNotFound(err) {
			return err
		}
		val := strconv.Itoa(days)
		if err == nil && cur.Value == val {
			return nil
		}
		row := store.Setting{Key: keyRetention, Value: val, Version: cur.Version + 1, UpdatedAt: c.at}
		if err := c.q.SaveSetting(&row); err != nil {
			return err
		}
		return c.record("settings.update", "setting", keyRetention, row.Wire(), map[string]string{keyRetention: val})
	})
	if err != nil {
		return 0, err
	}
	return days, nil
}

// RunPurge removes, now, the personal data (name, ID, phone, address, route, QR, signed PDF,
// scans) of every application whose validity ended more than the retention days ago (office
// admin; the schedule runs it as the system). Reports over the past give the same totals:
// the columns they count stay. Each batch is one transaction with its audit event and one
// purge record for the province, which purges its copies too.
func (a *App) RunPurge(ctx context.Context, actor Actor) (PurgeResult, error) {
	if err := a.require(actor, auth.ManageSettings); err != nil {
		return PurgeResult{}, err
	}
	return a.purge(ctx, actor.Username)
}

func (a *App) purge(ctx context.Context, who string) (PurgeResult, error) {
	days, err := a.retentionDays(ctx)
	if err != nil {
		return PurgeResult{}, err
	}
	unit, err := a.officeUnit(ctx)
	if err != nil {
		return PurgeResult{}, err
	}
	today, _ := time.Parse(time.DateOnly, a.today())
	before := today.AddDate(0, 0, -days).Format(time.DateOnly)
	res := PurgeResult{RetentionDays: days, ExpiredBefore: before}
	for {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		var set store.PurgeSet
		err := a.write(ctx, who, func(c *change) error {
			ids, err := c.q.PurgeDue(before, purgeBatch)
			if err != nil || len(ids) == 0 {
				return err
			}
			if set, err = c.q.PurgePersonalData(ids, c.at); err != nil {
				return err
			}
			rec := syncwire.Purge{ID: newID(), Version: 1, OfficeUnitCode: unit, ExpiredBefore: before, RetentionDays: days,
				ApplicationIDs: set.ApplicationIDs, PermitIDs: orEmpty(set.PermitIDs), ScanPageIDs: orEmpty(set.ScanPageIDs),
				PurgedAt: syncwire.Time(c.at), PurgedBy: who}
			return c.record("retention.purge", "purge", rec.ID, rec, map[string]any{
				"expired_before": before, "retention_days": days, "applications": len(set.ApplicationIDs),
				"permits": len(set.PermitIDs), "scan_pages": len(set.ScanPageIDs), "blobs": set.Blobs,
			})
		})
		if err != nil {
			return res, err
		}
		if len(set.ApplicationIDs) == 0 {
			break
		}
		res.Batches++
		res.Applications += len(set.ApplicationIDs)
		res.Permits += len(set.PermitIDs)
		res.ScanPages += len(set.ScanPageIDs)
		res.Blobs += set.Blobs
	}
	res.MessageVI = "Đã xóa dữ liệu cá nhân của " + strconv.Itoa(res.Applications) + " hồ sơ hết hiệu lực trước ngày " + viDay(before) + " (" + strconv.Itoa(res.ScanPages) + " bản quét); số liệu thống kê được giữ nguyên."
	res.MessageEN = "Personal data removed from " + strconv.Itoa(res.Applications) + " applications that expired before " + before + " (" + strconv.Itoa(res.ScanPages) + " scans); statistics kept."
	return res, nil
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// PurgeSchedule is how often the window runs the retention purge, and how long after start.
var (
	PurgeEvery      = 24 * time.Hour
	PurgeStartDelay = 3 * time.Minute
)

// StartRetentionSchedule runs the purge shortly after start and then daily until ctx ends,
// as the system (the audit names "system:retention").
func (a *App) StartRetentionSchedule(ctx context.Context) {
	go func() {
		wait := PurgeStartDelay
		for {
			t := time.NewTimer(wait)
			select {
			case <-ctx.Done():
				t.Stop()
				return
			case <-t.C:
			}
			if r, err := a.purge(ctx, "system:retention"); err != nil {
				slog.Warn("retention purge", "err", err)
			} else if r.Applications > 0 {
				slog.Info("retention purge", "applications", r.Applications, "expired_before", r.ExpiredBefore)
			}
			wait = PurgeEvery
		}
	}()
}
