// Package provincetest gives tests a real provincial server: a fresh database on each engine
// (a SQLite file, and a database of its own in the PostgreSQL cluster that
// scripts/start-postgres.sh started, named by $GDD_TEST_PG_DSN), initialised, unlocked, and
// served over mutual TLS on loopback.
package provincetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver, to create and drop test databases

	"giaydiduong/backend/pki"
	"giaydiduong/backend/province"
	"giaydiduong/backend/server"
)

// EnvPostgresDSN names the PostgreSQL cluster the tests make their databases in. The
// Makefile's go-test and server-test targets start one and set it; without it the
// PostgreSQL half of the suite fails rather than passing unseen.
const EnvPostgresDSN = "GDD_TEST_PG_DSN"

// Passphrases and the admin's password in test provinces.
const (
	RootPassphrase = "test-root-passphrase"
	CAPassphrase   = "test-ca-passphrase-1"
	AdminPassword  = "admin-password-1"
)

// Engine is one database to run a test on.
type Engine struct {
	Name string
	DSN  string
}

// Engines is a fresh SQLite database and a fresh PostgreSQL database, each dropped when t
// ends.
func Engines(t testing.TB) []Engine {
	t.Helper()
	return []Engine{
		{Name: "sqlite", DSN: filepath.Join(t.TempDir(), "server.db")},
		{Name: "postgres", DSN: NewPostgresDatabase(t)},
	}
}

// NewPostgresDatabase creates an empty database in the test cluster and returns its DSN.
func NewPostgresDatabase(t testing.TB) string {
	t.Helper()
	base := os.Getenv(EnvPostgresDSN)
	if base == "" {
		t.Fatalf("%s is not set: the server suite runs on PostgreSQL too. Run `make server-test`, or start a cluster with `scripts/start-postgres.sh start DIR` and export %s=<the DSN it prints>", EnvPostgresDSN, EnvPostgresDSN)
	}
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("open %s: %v", EnvPostgresDSN, err)
	}
	defer admin.Close()
	buf := make([]byte, 6)
	_, _ = rand.Read(buf)
	name := "gdd_t_" + hex.EncodeToString(buf)
	if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
		t.Fatalf("create test database: %v", err)
	}
	t.Cleanup(func() {
		db, err := sql.Open("pgx", base)
		if err != nil {
			return
		}
		defer db.Close()
		if _, err := db.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)"); err != nil {
			t.Logf("drop test database %s: %v", name, err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("parse %s: %v", EnvPostgresDSN, err)
	}
	u.Path = "/" + name
	return u.String()
}

var lowerCost sync.Once

// Province is an initialised, unlocked province over its own database.
type Province struct {
	Svc *province.Service
	Dir string
	DSN string
	Log *slog.Logger
	// Limits, when set before Serve, replace the server's defaults.
	Limits *server.Limits
	http   *server.Server
}

// Clock is a settable clock for the service (and the TLS handshakes that use it).
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// Now reads the clock.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock on.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// NewClock starts at the real time.
func NewClock() *Clock { return &Clock{t: time.Now().UTC()} }

// New sets up a province on dsn with the cheap test KDF cost.
func New(t testing.TB, dsn string) *Province {
	t.Helper()
	lowerCost.Do(func() { pki.Cost = pki.TestSealCost })
	ctx := context.Background()
	dir := t.TempDir()
	p := Open(t, dsn, dir)
	_, err := p.Svc.Init(ctx, province.InitInput{
		ProvinceName: "Đồng Tháp", AdminUsername: "quantri", AdminFullName: "Quản trị tỉnh", AdminPassword: AdminPassword,
		RootPassphrase: RootPassphrase, CAPassphrase: CAPassphrase, ServerHosts: []string{"localhost", "127.0.0.1"},
		RootKeyPath: filepath.Join(dir, province.RootKeyFile),
	})
	if err != nil {
		t.Fatalf("init province: %v", err)
	}
	if err := p.Svc.Unlock(ctx, CAPassphrase); err != nil {
		t.Fatalf("unlock: %v", err)
	}
	return p
}

// Open opens another instance over the same database (not initialised here).
func Open(t testing.TB, dsn, dir string) *Province {
	t.Helper()
	db, err := province.OpenDB(context.Background(), dsn)
	if err != nil {
		t.Fatalf("open %s: %v", dsn, err)
	}
	t.Cleanup(func() { province.CloseDB(db) })
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	svc := province.New(db, province.DialectOf(dsn))
	svc.Log = log
	// Another instance of an initialised province holds the root too, as serve does.
	if k, err := pki.OpenFileRoot(filepath.Join(dir, province.RootKeyFile), RootPassphrase); err == nil {
		if err := svc.UseRoot(context.Background(), k); err != nil {
			t.Fatalf("use root: %v", err)
		}
	}
	return &Province{Svc: svc, Dir: dir, DSN: dsn, Log: log}
}

// Serve runs the HTTP adapter over TLS on a loopback port until t ends; it returns the
// https URL.
func (p *Province) Serve(t testing.TB) string {
	t.Helper()
	p.http = server.New(p.Svc, p.Log)
	if p.Limits != nil {
		p.http.SetLimits(*p.Limits)
	}
	cfg, err := p.http.TLSConfig()
	if err != nil {
		t.Fatalf("TLS config: %v", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	srv := &http.Server{Handler: p.http.Handler(), TLSConfig: cfg, ReadHeaderTimeout: 5 * time.Second, ErrorLog: slog.NewLogLogger(p.Log.Handler(), slog.LevelWarn)}
	go srv.ServeTLS(ln, "", "")
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	})
	return "https://" + ln.Addr().String()
}

// HTTP is the adapter Serve started (for its metrics).
func (p *Province) HTTP() *server.Server { return p.http }
