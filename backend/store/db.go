package store

import (
	"context"
	"errors"
	"fmt"

	"gorm.io/gorm"
)

// ErrNotFound is returned by a query that names one row when there is none.
var ErrNotFound = gorm.ErrRecordNotFound

// ErrStale says a versioned update found the row at another version: someone else saved it
// since it was read.
var ErrStale = errors.New("the record was changed by someone else")

// Store is the office database with its named queries; nothing outside this package builds
// a query.
type Store struct{ db *gorm.DB }

// New wraps an open database.
func New(db *gorm.DB) *Store { return &Store{db: db} }

// Gorm is the raw handle, for tests and the migration check only.
func (s *Store) Gorm() *gorm.DB { return s.db }

// Close releases the database.
func (s *Store) Close() error { return Close(s.db) }

// Q runs the named queries on the pool (reads) or inside one transaction (Write).
type Q struct{ db *gorm.DB }

// Read returns the queries for reads outside a transaction.
func (s *Store) Read(ctx context.Context) Q { return Q{db: s.db.WithContext(ctx)} }

// Write runs fn in one IMMEDIATE transaction (the DSN makes every transaction IMMEDIATE):
// it all commits, or nothing does.
func (s *Store) Write(ctx context.Context, fn func(q Q) error) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error { return fn(Q{db: tx}) })
}

// updateVersioned sets fields on the row of model whose id is id and whose version is still
// version, and moves it to version+1: the one optimistic guard every versioned record uses.
func (q Q) updateVersioned(model any, what, id string, version int64, fields map[string]any) error {
	upd := make(map[string]any, len(fields)+1)
	for k, v := range fields {
		upd[k] = v
	}
	upd["version"] = version + 1
	res := q.db.Model(model).Where("id = ? AND version = ?", id, version).Updates(upd)
	if res.Error != nil {
		return fmt.Errorf("update %s: %w", what, res.Error)
	}
	if res.RowsAffected != 1 {
		return ErrStale
	}
	return nil
}

// first reads one row of dest's table where cond holds, mapping "none" to ErrNotFound.
func (q Q) first(dest any, what string, cond string, args ...any) error {
	if err := q.db.Where(cond, args...).First(dest).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return ErrNotFound
		}
		return fmt.Errorf("read %s: %w", what, err)
	}
	return nil
}

// insert adds one row.
func (q Q) insert(row any, what string) error {
	if err := q.db.Create(row).Error; err != nil {
		return fmt.Errorf("save %s: %w", what, err)
	}
	return nil
}

// IntegrityCheck runs SQLite's own check of the file: ["ok"], or what it found.
func (q Q) IntegrityCheck() ([]string, error) {
	var res []string
	if err := q.db.Raw("PRAGMA integrity_check").Scan(&res).Error; err != nil {
		return nil, fmt.Errorf("integrity check: %w", err)
	}
	return res, nil
}
