package app

import (
	"context"
	"sync"
	"time"
)

// Session is one signed-in seat: the desktop window has one, each browser of the HTTP
// bridge has its own. It enforces the idle screen lock in the service layer, so a locked
// window cannot be driven by calling its services directly.
type Session struct {
	app *App

	mu       sync.Mutex
	actor    *Actor
	locked   bool
	lastSeen time.Time
}

// NewSession starts a signed-out session.
func (a *App) NewSession() *Session { return &Session{app: a} }

// AuthStatus is what the window needs to choose its first screen.
type AuthStatus struct {
	Initialized     bool        `json:"initialized"`
	Office          *OfficeInfo `json:"office"`
	User            *Actor      `json:"user"`
	Locked          bool        `json:"locked"`
	IdleLockMinutes int         `json:"idle_lock_minutes"`
}

// Status reports the office and who is signed in.
func (s *Session) Status(ctx context.Context) (AuthStatus, error) {
	office, err := s.app.Office(ctx)
	if err != nil {
		return AuthStatus{}, err
	}
	settings, err := s.app.settings(ctx)
	if err != nil {
		return AuthStatus{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lockIfIdle(settings.IdleLockMinutes)
	st := AuthStatus{Initialized: office != nil, Office: office, Locked: s.locked, IdleLockMinutes: settings.IdleLockMinutes}
	if s.actor != nil {
		u := *s.actor
		st.User = &u
	}
	return st, nil
}

// Login signs a user in.
func (s *Session) Login(ctx context.Context, username, password string) (Actor, error) {
	actor, err := s.app.Login(ctx, username, password)
	if err != nil {
		return Actor{}, err
	}
	s.signIn(actor)
	return actor, nil
}

// Setup runs the first-run wizard and signs its administrator in.
func (s *Session) Setup(ctx context.Context, in SetupInput) (Actor, error) {
	actor, err := s.app.Setup(ctx, in)
	if err != nil {
		return Actor{}, err
	}
	s.signIn(actor)
	return actor, nil
}

func (s *Session) signIn(a Actor) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.actor, s.locked, s.lastSeen = &a, false, s.app.Now()
}

// Logout signs out.
func (s *Session) Logout(ctx context.Context) error {
	s.mu.Lock()
	actor := s.actor
	s.actor, s.locked = nil, false
	s.mu.Unlock()
	if actor == nil {
		return nil
	}
	return s.app.write(ctx, actor.Username, func(c *change) error {
		return c.record("auth.logout", "user", actor.UserID, nil, nil)
	})
}

// Lock locks the screen; only the signed-in user's password unlocks it.
func (s *Session) Lock() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.actor != nil {
		s.locked = true
	}
}

// Unlock checks the signed-in user's password (failures count toward the lockout).
func (s *Session) Unlock(ctx context.Context, password string) error {
	s.mu.Lock()
	actor := s.actor
	s.mu.Unlock()
	if actor == nil {
		return errSignedOut
	}
	if _, err := s.app.Login(ctx, actor.Username, password); err != nil {
		return err
	}
	s.signIn(*actor)
	return nil
}

var (
	errSignedOut = newError(CodeUnauthenticated, "Bạn cần đăng nhập", "Please sign in")
	errLocked    = newError(CodeScreenLocked, "Màn hình đang khoá: nhập mật khẩu để mở", "The screen is locked: enter your password")
)

// Actor returns who the session acts for, refusing while signed out or locked, and counts
// the call as activity.
func (s *Session) Actor(ctx context.Context) (Actor, error) {
	return s.current(ctx, true)
}

// Observer is Actor for calls a screen makes on its own timer (polling for tokens or a
// batch's progress): they are refused the same way but are not the user's activity, so they
// do not hold off the idle lock.
func (s *Session) Observer(ctx context.Context) (Actor, error) {
	return s.current(ctx, false)
}

func (s *Session) current(ctx context.Context, active bool) (Actor, error) {
	settings, err := s.app.settings(ctx)
	if err != nil {
		return Actor{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.actor == nil {
		return Actor{}, errSignedOut
	}
	s.lockIfIdle(settings.IdleLockMinutes)
	if s.locked {
		return Actor{}, errLocked
	}
	if active {
		s.lastSeen = s.app.Now()
	}
	return *s.actor, nil
}

func (s *Session) lockIfIdle(minutes int) {
	if s.actor != nil && minutes > 0 && s.app.Now().Sub(s.lastSeen) > time.Duration(minutes)*time.Minute {
		s.locked = true
	}
}
