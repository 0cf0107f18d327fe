// Package store opens the office's SQLite database with the settings that keep saved work
// safe, and migrates its schema.
package store

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"net/url"

	"github.com/pressly/goose/v3"
	"gorm.io/driver/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"giaydiduong/backend/owneronly"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Migrations returns the versioned schema migrations.
func Migrations() fs.FS {
	sub, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		panic(err) // the embedded directory is fixed at build time
	}
	return sub
}

// DSN is the connection string for path: WAL so readers never block the writer, foreign
// keys on, a busy timeout instead of "database is locked", synchronous FULL so that a
// committed write survives a power cut, and IMMEDIATE transactions so two writers never
// deadlock upgrading a read lock.
func DSN(path string) string {
	q := url.Values{}
	q.Set("_journal_mode", "WAL")
	q.Set("_foreign_keys", "on")
	q.Set("_busy_timeout", "10000")
	q.Set("_synchronous", "FULL")
	q.Set("_txlock", "immediate")
	return "file:" + path + "?" + q.Encode()
}

// Open opens (creating if needed) the database at path, readable by the owner only, and
// migrates it to the newest schema.
func Open(ctx context.Context, path string) (*gorm.DB, error) {
	db, err := OpenUnmigrated(path)
	if err != nil {
		return nil, err
	}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	if err := Migrate(ctx, sqlDB, 0); err != nil {
		sqlDB.Close()
		return nil, err
	}
	return db, nil
}

// OpenUnmigrated opens the database without touching its schema.
func OpenUnmigrated(path string) (*gorm.DB, error) {
	db, err := gorm.Open(sqlite.Open(DSN(path)), &gorm.Config{
		Logger:                 logger.Discard,
		SkipDefaultTransaction: true, // every write here is already an explicit transaction
	})
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	if err := sqlDB.Ping(); err != nil {
		sqlDB.Close()
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	for _, f := range []string{path, path + "-wal", path + "-shm"} {
		if err := owneronly.Restrict(f); err != nil {
			sqlDB.Close()
			return nil, err
		}
	}
	return db, nil
}

// Migrate applies migrations up to version (0 = all).
func Migrate(ctx context.Context, db *sql.DB, version int64) error {
	p, err := goose.NewProvider(goose.DialectSQLite3, db, Migrations())
	if err != nil {
		return fmt.Errorf("prepare migrations: %w", err)
	}
	if version == 0 {
		_, err = p.Up(ctx)
	} else {
		_, err = p.UpTo(ctx, version)
	}
	if err != nil {
		return fmt.Errorf("migrate database: %w", err)
	}
	return nil
}

// Close closes the underlying connection pool.
func Close(db *gorm.DB) error {
	sqlDB, err := db.DB()
	if err != nil {
		return err
	}
	return sqlDB.Close()
}
