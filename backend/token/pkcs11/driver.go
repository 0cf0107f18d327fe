package pkcs11

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"
)

// Options tunes a Driver. The zero value is fine.
type Options struct {
	// Logger receives load, login and removal events (never a PIN). Default slog.Default().
	Logger *slog.Logger
	// PollInterval is how often Watch rescans the slots when the library cannot wait for slot
	// events. Default one second: quick enough for a person pulling a token out, and a
	// C_GetSlotList a second costs nothing measurable.
	PollInterval time.Duration
}

// Driver is one vendor PKCS#11 library (the office's token driver, e.g. a VNPT-CA DLL).
// It is safe for concurrent use; the Sessions it opens serialise their own calls.
type Driver struct {
	path string
	mod  *sharedModule
	log  *slog.Logger
	poll time.Duration

	mu       sync.Mutex
	closed   bool
	sessions map[uint]*Session // the open session of each slot
	done     chan struct{}     // closed by Close, ends Watch goroutines

	// use is held for reading around every library call and for writing while the library is
	// unloaded, so that no call lands in a finalised library.
	use      sync.RWMutex
	unloaded bool
}

var errDriverClosed = errors.New("pkcs11: driver closed")

// enter starts a library call; leave must follow unless it fails. Callers never nest them:
// a nested RLock deadlocks once Close waits for the write lock.
func (d *Driver) enter() error {
	d.use.RLock()
	if d.unloaded {
		d.use.RUnlock()
		return errDriverClosed
	}
	return nil
}

func (d *Driver) leave() { d.use.RUnlock() }

// Slot is a reader or token slot the library reports.
type Slot struct {
	ID           uint   `json:"id"`
	Description  string `json:"description"`
	Manufacturer string `json:"manufacturer"` // of the reader
	HasToken     bool   `json:"has_token"`
	Removable    bool   `json:"removable"`
	Token        Token  `json:"token"` // zero when HasToken is false
}

// Token describes the token in a slot.
type Token struct {
	Label        string `json:"label"`
	Serial       string `json:"serial"`
	Manufacturer string `json:"manufacturer"`
	Model        string `json:"model"`
	Initialized  bool   `json:"initialized"`
	// ProtectedAuthPath: the PIN is entered on the device's own keypad, not in the app.
	ProtectedAuthPath bool `json:"protected_auth_path"`
	PINCountLow       bool `json:"pin_count_low"`
	PINFinalTry       bool `json:"pin_final_try"`
	PINLocked         bool `json:"pin_locked"`
}

func tokenOf(ti tokenInfo) Token {
	return Token{
		Label: ti.Label, Serial: ti.Serial, Manufacturer: ti.Manufacturer, Model: ti.Model,
		Initialized:       ti.Flags&ckfTokenInitialized != 0,
		ProtectedAuthPath: ti.Flags&ckfProtectedAuthPath != 0,
		PINCountLow:       ti.Flags&ckfUserPINCountLow != 0,
		PINFinalTry:       ti.Flags&ckfUserPINFinalTry != 0,
		PINLocked:         ti.Flags&ckfUserPINLocked != 0,
	}
}

// New loads the PKCS#11 library at path and initialises it. Loading the same path twice in
// one process shares the library; each Driver must be closed.
func New(ctx context.Context, path string, opt Options) (*Driver, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("pkcs11: load %s: %w", path, err)
	}
	log := opt.Logger
	if log == nil {
		log = slog.Default()
	}
	log = log.With("component", "pkcs11", "library", path)
	poll := opt.PollInterval
	if poll <= 0 {
		poll = time.Second
	}
	mod, err := acquireModule(path)
	if err != nil {
		return nil, err
	}
	log.Info("pkcs11 library loaded")
	return &Driver{path: path, mod: mod, log: log, poll: poll, sessions: map[uint]*Session{}, done: make(chan struct{})}, nil
}

// Path is the library path the Driver was loaded from.
func (d *Driver) Path() string { return d.path }

// Close closes every open Session and unloads the library when no other Driver uses it.
func (d *Driver) Close() error {
	d.mu.Lock()
	if d.closed {
		d.mu.Unlock()
		return nil
	}
	d.closed = true
	open := make([]*Session, 0, len(d.sessions))
	for _, s := range d.sessions {
		open = append(open, s)
	}
	close(d.done)
	d.mu.Unlock()
	var errs []error
	for _, s := range open {
		errs = append(errs, s.Close())
	}
	d.use.Lock()
	d.unloaded = true
	d.use.Unlock()
	errs = append(errs, d.mod.release())
	return errors.Join(errs...)
}

func (d *Driver) check(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return errDriverClosed
	}
	return nil
}

// Slots lists every slot the library reports, with its token if one is present.
func (d *Driver) Slots(ctx context.Context) ([]Slot, error) {
	if err := d.check(ctx); err != nil {
		return nil, fmt.Errorf("pkcs11: list slots: %w", err)
	}
	if err := d.enter(); err != nil {
		return nil, fmt.Errorf("pkcs11: list slots: %w", err)
	}
	defer d.leave()
	ids, err := d.mod.GetSlotList(false)
	if err != nil {
		return nil, opError("C_GetSlotList", err)
	}
	slots := make([]Slot, 0, len(ids))
	for _, id := range ids {
		si, err := d.mod.GetSlotInfo(id)
		if err != nil {
			return nil, opError("C_GetSlotInfo", err)
		}
		s := Slot{ID: id, Description: si.Description, Manufacturer: si.Manufacturer,
			HasToken: si.Flags&ckfSlotTokenPresent != 0, Removable: si.Flags&ckfSlotRemovableDevice != 0}
		if s.HasToken {
			ti, err := d.mod.GetTokenInfo(id)
			if err == nil {
				s.Token = tokenOf(ti)
			} else {
				// Pulled out between the two calls, or a token that no longer answers:
				// either way there is nothing in the slot to sign with.
				s.HasToken = false
				if !isRemoval(err) {
					d.log.Warn("unreadable token", "slot", id, "err", err)
				}
			}
		}
		slots = append(slots, s)
	}
	return slots, nil
}

func isRemoval(err error) bool {
	var rv ReturnCode
	return errors.As(err, &rv) && isRemovalCode(rv)
}

// tokenPresent reports whether slot still holds a token; errors count as "no". The caller
// has entered.
func (d *Driver) tokenPresent(slot uint) bool {
	si, err := d.mod.GetSlotInfo(slot)
	return err == nil && si.Flags&ckfSlotTokenPresent != 0
}

// stillThere reports whether slot still holds the token tok and that token still answers. A
// token swapped for another, or one whose library can no longer read it, is as good as gone.
func (d *Driver) stillThere(slot uint, tok Token) bool {
	if !d.tokenPresent(slot) {
		return false
	}
	ti, err := d.mod.GetTokenInfo(slot)
	return err == nil && sameToken(tokenOf(ti), tok)
}

// Open opens a session on slot's token and logs in with pin. The PIN comes from the caller
// (the person at the keyboard) and is neither logged nor kept. A refused PIN gives a
// *PINError (errors.Is ErrPINIncorrect) with the tries left when the token says; a locked PIN
// gives ErrPINLocked. Only one Session per slot may be open at a time.
func (d *Driver) Open(ctx context.Context, slot uint, pin string) (*Session, error) {
	if err := d.check(ctx); err != nil {
		return nil, fmt.Errorf("pkcs11: open slot %d: %w", slot, err)
	}
	if err := d.enter(); err != nil {
		return nil, fmt.Errorf("pkcs11: open slot %d: %w", slot, err)
	}
	defer d.leave()
	si, err := d.mod.GetSlotInfo(slot)
	if err != nil {
		return nil, opError("C_GetSlotInfo", err)
	}
	if si.Flags&ckfSlotTokenPresent == 0 {
		return nil, fmt.Errorf("pkcs11: slot %d: %w", slot, ErrNoToken)
	}
	ti, err := d.mod.GetTokenInfo(slot)
	if err != nil {
		return nil, opError("C_GetTokenInfo", err)
	}
	tok := tokenOf(ti)
	log := d.log.With("slot", slot, "token", tok.Label, "serial", tok.Serial)
	if tok.PINLocked {
		// Trying would be refused anyway, and some tokens count the attempt.
		log.Warn("token PIN is locked")
		return nil, fmt.Errorf("pkcs11: slot %d: %w", slot, ErrPINLocked)
	}

	s := &Session{d: d, slot: slot, token: tok, log: log}
	d.mu.Lock()
	if d.closed {
		d.mu.Unlock()
		return nil, errDriverClosed
	}
	if d.sessions[slot] != nil {
		d.mu.Unlock()
		return nil, fmt.Errorf("pkcs11: slot %d: %w", slot, ErrSlotBusy)
	}
	d.sessions[slot] = s // reserve the slot while logging in
	d.mu.Unlock()
	release := func() {
		d.mu.Lock()
		if d.sessions[slot] == s {
			delete(d.sessions, slot)
		}
		d.mu.Unlock()
	}

	h, err := d.mod.OpenSession(slot)
	if err != nil {
		release()
		return nil, opError("C_OpenSession", err)
	}
	err = d.mod.Login(h, pin)
	if code, ok := asCode(err); ok && code == ckrUserAlreadyLoggedIn {
		// Login state belongs to the process, not the session: something else logged in.
		// Log out and log in again so that this PIN is really checked.
		_ = d.mod.Logout(h)
		err = d.mod.Login(h, pin)
	}
	if err != nil {
		flags := uint(0)
		if ti, terr := d.mod.GetTokenInfo(slot); terr == nil {
			flags = ti.Flags
		}
		_ = d.mod.CloseSession(h)
		release()
		lerr := loginError(err, flags)
		if !isPINError(lerr) && !d.tokenPresent(slot) {
			lerr = fmt.Errorf("pkcs11: C_Login: %w: %w", ErrTokenRemoved, err)
		}
		log.Warn("token login failed", "err", lerr)
		return nil, lerr
	}
	s.h = h
	log.Info("token session opened")
	return s, nil
}

func isPINError(err error) bool {
	return errors.Is(err, ErrPINIncorrect) || errors.Is(err, ErrPINLocked)
}

func asCode(err error) (ReturnCode, bool) {
	var rv ReturnCode
	if err != nil && errors.As(err, &rv) {
		return rv, true
	}
	return 0, false
}
