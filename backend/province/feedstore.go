package province

import (
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Queries of the province-owned feeds.

type feedEntryRow struct {
	Feed      string `gorm:"primaryKey"`
	Seq       int64  `gorm:"primaryKey"`
	Entity    string
	EntityID  string
	Version   int64
	UnitCode  string
	Deleted   bool
	Body      []byte
	Signature []byte
	CreatedAt time.Time
}

func (feedEntryRow) TableName() string { return "feed_entries" }

type feedHeadRow struct {
	Feed       string `gorm:"primaryKey"`
	Seq        int64
	HorizonSeq int64
	HorizonAt  *time.Time
}

func (feedHeadRow) TableName() string { return "feed_heads" }

type epochRow struct {
	ID        int `gorm:"primaryKey"`
	Epoch     string
	CreatedAt time.Time
}

func (epochRow) TableName() string { return "server_epoch" }

type accountRow struct {
	ID           string `gorm:"primaryKey"`
	Version      int64
	UnitCode     string
	Username     string
	FullName     string
	Title        string
	Role         string
	PasswordHash string
	Active       bool
	CreatedBy    string
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

func (accountRow) TableName() string { return "accounts" }

type provinceRulesRow struct {
	ID            string `gorm:"primaryKey"`
	UnitCode      string
	RuleVersion   int
	EffectiveFrom string
	Body          []byte
	CreatedAt     time.Time
}

func (provinceRulesRow) TableName() string { return "province_rules" }

type revocationRow struct {
	Number    string `gorm:"primaryKey"`
	UnitCode  string
	Reason    string
	RevokedBy string
	RevokedAt time.Time
}

func (revocationRow) TableName() string { return "province_revocations" }

// nextFeedSeq takes the next sequence number of a feed. The UPDATE locks the feed's head row
// until the transaction ends (PostgreSQL; SQLite's IMMEDIATE transactions serialise every
// writer anyway), so the next writer of this feed waits for this one to commit or roll back:
// numbers become visible in order and a reader never passes a row still to commit.
func nextFeedSeq(tx *gorm.DB, feed string) (int64, error) {
	var seq []int64
	if err := tx.Raw("UPDATE feed_heads SET seq = seq + 1 WHERE feed = ? RETURNING seq", feed).Scan(&seq).Error; err != nil {
		return 0, fmt.Errorf("take feed %s sequence: %w", feed, err)
	}
	if len(seq) != 1 {
		return 0, fmt.Errorf("take feed %s sequence: no such feed", feed)
	}
	return seq[0], nil
}

func insertFeedEntry(tx *gorm.DB, row *feedEntryRow) error {
	if err := tx.Create(row).Error; err != nil {
		return fmt.Errorf("append to feed %s: %w", row.Feed, err)
	}
	return nil
}

func readFeedHead(db *gorm.DB, feed string) (feedHeadRow, error) {
	var h feedHeadRow
	if err := db.First(&h, "feed = ?", feed).Error; err != nil {
		return h, fmt.Errorf("read feed %s head: %w", feed, err)
	}
	return h, nil
}

// readFeed is up to limit entries of feed after seq and at most head, for unit (or
// province-wide), leaving out versions a later entry of the same record supersedes: that
// later entry is above the cursor too, so the reader loses nothing and a snapshot is just a
// read from 0.
func readFeed(db *gorm.DB, feed string, after, head int64, unit string, limit int) ([]feedEntryRow, error) {
	var out []feedEntryRow
	err := db.Raw(`SELECT f.* FROM feed_entries f
		WHERE f.feed = ? AND f.seq > ? AND f.seq <= ? AND (f.unit_code = '' OR f.unit_code = ?)
		AND NOT EXISTS (SELECT 1 FROM feed_entries g WHERE g.feed = f.feed AND g.entity = f.entity AND g.entity_id = f.entity_id AND g.seq > f.seq AND g.seq <= ?)
		ORDER BY f.seq LIMIT ?`, feed, after, head, unit, head, limit).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("read feed %s: %w", feed, err)
	}
	return out, nil
}

// latestFeedVersion is the newest version of a record in its feed (0: none).
func latestFeedVersion(tx *gorm.DB, feed, entity, id string) (int64, error) {
	var v []int64
	if err := tx.Raw("SELECT COALESCE(MAX(version), 0) FROM feed_entries WHERE feed = ? AND entity = ? AND entity_id = ?", feed, entity, id).Scan(&v).Error; err != nil {
		return 0, fmt.Errorf("read feed %s: %w", feed, err)
	}
	if len(v) == 0 {
		return 0, nil
	}
	return v[0], nil
}

func readEpoch(db *gorm.DB) (string, bool, error) {
	var e []epochRow
	if err := db.Limit(1).Find(&e).Error; err != nil {
		return "", false, fmt.Errorf("read server epoch: %w", err)
	}
	if len(e) == 0 {
		return "", false, nil
	}
	return e[0].Epoch, true, nil
}

func createEpoch(db *gorm.DB, epoch string, at time.Time) error {
	if err := db.Clauses(clause.OnConflict{DoNothing: true}).Create(&epochRow{ID: 1, Epoch: epoch, CreatedAt: at}).Error; err != nil {
		return fmt.Errorf("create server epoch: %w", err)
	}
	return nil
}

func replaceEpoch(tx *gorm.DB, epoch string, at time.Time) error {
	if err := tx.Save(&epochRow{ID: 1, Epoch: epoch, CreatedAt: at}).Error; err != nil {
		return fmt.Errorf("replace server epoch: %w", err)
	}
	return nil
}

// pruneFeed drops, at or below seq, the versions a later one supersedes and the tombstones,
// and moves the feed's horizon there.
func pruneFeed(tx *gorm.DB, feed string, seq int64, at time.Time) (int64, error) {
	res := tx.Exec(`DELETE FROM feed_entries WHERE feed = ? AND seq <= ? AND (deleted OR EXISTS
		(SELECT 1 FROM feed_entries g WHERE g.feed = feed_entries.feed AND g.entity = feed_entries.entity AND g.entity_id = feed_entries.entity_id AND g.seq > feed_entries.seq))`, feed, seq)
	if res.Error != nil {
		return 0, fmt.Errorf("prune feed %s: %w", feed, res.Error)
	}
	if err := tx.Model(&feedHeadRow{}).Where("feed = ? AND horizon_seq < ?", feed, seq).Updates(map[string]any{"horizon_seq": seq, "horizon_at": at}).Error; err != nil {
		return 0, fmt.Errorf("move feed %s horizon: %w", feed, err)
	}
	return res.RowsAffected, nil
}

// lastSeqBefore is the newest seq of feed written before t (0: none).
func lastSeqBefore(db *gorm.DB, feed string, t time.Time) (int64, error) {
	var v []int64
	if err := db.Raw("SELECT COALESCE(MAX(seq), 0) FROM feed_entries WHERE feed = ? AND created_at < ?", feed, t).Scan(&v).Error; err != nil {
		return 0, fmt.Errorf("read feed %s: %w", feed, err)
	}
	if len(v) == 0 {
		return 0, nil
	}
	return v[0], nil
}

func findAccount(db *gorm.DB, unit, username string) (accountRow, bool, error) {
	var a []accountRow
	if err := db.Where("unit_code = ? AND username = ?", unit, username).Limit(1).Find(&a).Error; err != nil {
		return accountRow{}, false, fmt.Errorf("read account: %w", err)
	}
	if len(a) == 0 {
		return accountRow{}, false, nil
	}
	return a[0], true, nil
}

func insertAccount(tx *gorm.DB, a *accountRow) error {
	if err := tx.Create(a).Error; err != nil {
		return fmt.Errorf("create account: %w", err)
	}
	return nil
}

func nextRuleVersion(tx *gorm.DB, unit string) (int, error) {
	var v []int
	if err := tx.Raw("SELECT COALESCE(MAX(rule_version), 0) FROM province_rules WHERE unit_code = ?", unit).Scan(&v).Error; err != nil {
		return 0, fmt.Errorf("read rules: %w", err)
	}
	if len(v) == 0 {
		return 1, nil
	}
	return v[0] + 1, nil
}

func insertProvinceRules(tx *gorm.DB, r *provinceRulesRow) error {
	if err := tx.Create(r).Error; err != nil {
		return fmt.Errorf("save rules: %w", err)
	}
	return nil
}

func findRevocation(db *gorm.DB, number string) (revocationRow, bool, error) {
	var r []revocationRow
	if err := db.Where("number = ?", number).Limit(1).Find(&r).Error; err != nil {
		return revocationRow{}, false, fmt.Errorf("read revocation: %w", err)
	}
	if len(r) == 0 {
		return revocationRow{}, false, nil
	}
	return r[0], true, nil
}

func insertRevocations(tx *gorm.DB, rows []revocationRow) error {
	if err := tx.CreateInBatches(rows, chunk).Error; err != nil {
		return fmt.Errorf("save revocations: %w", err)
	}
	return nil
}
