package province

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
	"gorm.io/driver/postgres"
	"gorm.io/driver/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Migrations are the server's schema migrations, the same files for both engines.
func Migrations() fs.FS {
	sub, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		panic(err) // fixed at build time
	}
	return sub
}

// Dialect is the database engine.
type Dialect string

const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// DialectOf tells the engine from a --db value: a postgres:// or postgresql:// URL, or else a
// SQLite file path.
func DialectOf(dsn string) Dialect {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		return Postgres
	}
	return SQLite
}

// sqliteDSN: WAL, foreign keys, a busy timeout, synchronous FULL and IMMEDIATE transactions,
// as at the office.
func sqliteDSN(path string) string {
	q := url.Values{}
	q.Set("_journal_mode", "WAL")
	q.Set("_foreign_keys", "on")
	q.Set("_busy_timeout", "10000")
	q.Set("_synchronous", "FULL")
	q.Set("_txlock", "immediate")
	return "file:" + path + "?" + q.Encode()
}

// OpenDB opens the database named by dsn and migrates it to the newest schema.
func OpenDB(ctx context.Context, dsn string) (*gorm.DB, error) {
	db, err := OpenUnmigrated(dsn)
	if err != nil {
		return nil, err
	}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, err
	}
	if err := Migrate(ctx, sqlDB, DialectOf(dsn), 0); err != nil {
		sqlDB.Close()
		return nil, err
	}
	return db, nil
}

// OpenUnmigrated opens without touching the schema.
func OpenUnmigrated(dsn string) (*gorm.DB, error) {
	cfg := &gorm.Config{Logger: logger.Discard, SkipDefaultTransaction: true, NowFunc: func() time.Time { return time.Now().UTC() }}
	var dial gorm.Dialector
	d := DialectOf(dsn)
	if d == Postgres {
		dial = postgres.Open(dsn)
	} else {
		dial = sqlite.Open(sqliteDSN(dsn))
	}
	db, err := gorm.Open(dial, cfg)
	if err != nil {
		return nil, fmt.Errorf("open %s database: %w", d, err)
	}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, fmt.Errorf("open %s database: %w", d, err)
	}
	if d == Postgres {
		sqlDB.SetMaxOpenConns(20)
		sqlDB.SetConnMaxIdleTime(5 * time.Minute)
	}
	if err := sqlDB.Ping(); err != nil {
		sqlDB.Close()
		return nil, fmt.Errorf("open %s database: %w", d, err)
	}
	if d == SQLite {
		for _, f := range []string{dsn, dsn + "-wal", dsn + "-shm"} {
			if err := os.Chmod(f, 0o600); err != nil && !os.IsNotExist(err) {
				sqlDB.Close()
				return nil, fmt.Errorf("restrict %s to its owner: %w", f, err)
			}
		}
	}
	return db, nil
}

// Migrate applies migrations up to version (0 = all). On PostgreSQL goose takes an advisory
// lock, so instances starting together migrate once.
func Migrate(ctx context.Context, db *sql.DB, d Dialect, version int64) error {
	p, err := provider(db, d)
	if err != nil {
		return err
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

// MigrateDown undoes every migration (tests and a hand rollback).
func MigrateDown(ctx context.Context, db *sql.DB, d Dialect) error {
	p, err := provider(db, d)
	if err != nil {
		return err
	}
	if _, err := p.DownTo(ctx, 0); err != nil {
		return fmt.Errorf("migrate database down: %w", err)
	}
	return nil
}

func provider(db *sql.DB, d Dialect) (*goose.Provider, error) {
	dialect := goose.DialectSQLite3
	var opts []goose.ProviderOption
	if d == Postgres {
		dialect = goose.DialectPostgres
		locker, err := lockerForPostgres()
		if err != nil {
			return nil, err
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	p, err := goose.NewProvider(dialect, db, Migrations(), opts...)
	if err != nil {
		return nil, fmt.Errorf("prepare migrations: %w", err)
	}
	return p, nil
}

// CloseDB closes the pool.
func CloseDB(db *gorm.DB) error {
	sqlDB, err := db.DB()
	if err != nil {
		return err
	}
	return sqlDB.Close()
}

func lockerForPostgres() (lock.SessionLocker, error) {
	l, err := lock.NewPostgresSessionLocker()
	if err != nil {
		return nil, fmt.Errorf("migration lock: %w", err)
	}
	return l, nil
}
