// Package app holds the use cases of the office: what the window, gddctl and the HTTP
// bridge call. Every rule about who may do what, and every state change with its audit
// event and outbox record, lives here, not in an adapter. Queries are store's, pure rules
// are domain's, permit's and token's.
//
// The shared core is this file (App, Actor, require, write and record), errors.go and
// session.go; the use cases are grouped by area: applications.go, permits.go (issuing,
// steps, verifying), printing.go, signing.go and signjobs.go, enroll.go and tokens.go,
// users.go and accountnotices.go, rules.go and settings.go, trust.go, office.go and demo.go,
// units.go (administrative units: lookups by date, list import, the office's own unit),
// backfill.go (paper permits from Excel), reports.go (summary, daily register), maintenance.go.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"sync"
	"time"

	"github.com/google/uuid"

	"giaydiduong/backend/auth"
	"giaydiduong/backend/domain"
	"giaydiduong/backend/officekey"
	"giaydiduong/backend/printing"
	"giaydiduong/backend/store"
	"giaydiduong/backend/syncwire"
)

// DBFile is the database file name inside the data directory.
const DBFile = "office.db"

// App is one office's service layer over its database.
type App struct {
	st  *store.Store
	dir string
	log *slog.Logger
	// Now is the clock; tests move it.
	Now func() time.Time
	// Spooler is the OS print system.
	Spooler printing.Spooler
	// Tokens reaches the leaders' signing tokens; nil means the PC's own, made on first use.
	Tokens     *Tokens
	tokensOnce sync.Once
	jobs       signingJobs
	scanJobs   scanJobs

	unitsMu   sync.RWMutex
	unitState unitState
	// KeyOptions say where the TPM is for the office key (GDD_TPM; tests point it at swtpm).
	KeyOptions  officekey.Options
	officeKeyMu sync.Mutex
	officeKey   officekey.Key

	// SyncBatchSize overrides SyncBatch (tests).
	SyncBatchSize int
	syncMu        sync.Mutex // one push run at a time in this process

	// The sync panel: the running loop ("Đồng bộ ngay") and the progress of the current run.
	syncLoopMu sync.Mutex
	syncLoop   *SyncLoop
	syncProg   syncProgress

	// backfillJobs are the window's backfill file checks and imports (backfilljobs.go).
	backfillJobs backfillJobs
}

// Open opens the office database in dataDir, migrating it if needed.
func Open(ctx context.Context, dataDir string) (*App, error) {
	db, err := store.Open(ctx, filepath.Join(dataDir, DBFile))
	if err != nil {
		return nil, err
	}
	a := &App{st: store.New(db), dir: dataDir, log: slog.Default(), Now: time.Now, Spooler: printing.New(), KeyOptions: officekey.OptionsFromEnv()}
	if err := a.ensureUnits(ctx); err != nil {
		store.Close(db)
		return nil, fmt.Errorf("bring units up to date: %w", err)
	}
	if err := a.loadUnits(ctx); err != nil {
		store.Close(db)
		return nil, err
	}
	return a, nil
}

// Close releases the database.
func (a *App) Close() error {
	if err := a.closeOfficeKey(); err != nil {
		a.log.Warn("close office key", "err", err)
	}
	return a.st.Close()
}

// read is the named queries outside a transaction.
func (a *App) read(ctx context.Context) store.Q { return a.st.Read(ctx) }

// DataDir is where the office keeps its files.
func (a *App) DataDir() string { return a.dir }

// Actor is the user a call acts for.
type Actor struct {
	UserID   string      `json:"id"`
	Username string      `json:"username"`
	FullName string      `json:"full_name"`
	Role     domain.Role `json:"role"`
}

// change is one open write transaction; every state change goes through record, which
// appends the audit event and the outbox entry beside it.
type change struct {
	q     store.Q
	at    time.Time
	actor string
}

// write runs fn in one IMMEDIATE transaction: it all commits, or nothing does.
func (a *App) write(ctx context.Context, actor string, fn func(c *change) error) error {
	return a.st.Write(ctx, func(q store.Q) error {
		return fn(&change{q: q, at: a.Now().UTC(), actor: actor})
	})
}

// record audits action on the entity and, when rec is not nil, queues the record's new
// version (its wire form) for sync.
func (c *change) record(action, entity, id string, rec syncwire.Record, details any) error {
	if err := c.q.Audit(c.at, c.actor, action, entity, id, details); err != nil {
		return err
	}
	if rec == nil {
		return nil
	}
	return c.q.Queue(c.at, rec)
}

// require refuses an actor whose role lacks p.
func (a *App) require(actor Actor, p auth.Permission) error {
	if !auth.Allowed(actor.Role, p) {
		return forbidden()
	}
	return nil
}

func newID() string { return uuid.Must(uuid.NewV7()).String() }

func isNotFound(err error) bool { return errors.Is(err, store.ErrNotFound) }
