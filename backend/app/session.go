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

	// bridge: a browser's session over the HTTP bridge, which may not run the set-up wizard.
	bridge bool

	mu       sync.Mutex
	actor    *Actor
	version  int64 // the account's version at sign-in: any change to it ends the session
	since    time.Time
	locked   bool
	lastSeen time.Time
}

// MaxSessionAge ends any session this long after sign-in, however active.
const MaxSessionAge = 12 * time.Hour

// NewSession starts a signed-out session for the window.
func (a *App) NewSession() *Session { return &Session{app: a} }

// NewBridgeSession starts a signed-out session for a browser on the HTTP bridge. It cannot
// run the set-up wizard: a fresh office is set up from the window or gddctl, never by
// whichever local process reaches the bridge first.
func (a *App) NewBridgeSession() *Session { return &Session{app: a, bridge: true} }

// AuthStatus is what the window needs to choose its first screen.
type AuthStatus struct {
	Initialized     bool         `json:"initialized"`
	Office          *OfficeInfo  `json:"office"`
	User            *SessionUser `json:"user"`
	Locked          bool         `json:"locked"`
	IdleLockMinutes int          `json:"idle_lock_minutes"`
	// AccountNotices: account changes the signed-in approver has not acknowledged yet.
	AccountNotices []AccountNotice `json:"account_notices"`
	// ClockBehindLists is the newest list's issue time when the PC's clock is behind it.
	ClockBehindLists *time.Time `json:"clock_behind_lists"`
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
	if s.actor != nil {
		if err := s.stillValid(ctx); err != nil && err != errSessionEnded {
			return AuthStatus{}, err
		}
	}
	s.lockIfIdle(settings.IdleLockMinutes)
	st := AuthStatus{Initialized: office != nil, Office: office, Locked: s.locked, IdleLockMinutes: settings.IdleLockMinutes}
	if s.actor != nil {
		st.User = sessionUser(*s.actor)
	}
	if st.ClockBehindLists, err = s.app.clockBehindLists(ctx); err != nil {
		return AuthStatus{}, err
	}
	if st.User != nil && !st.Locked {
		if st.AccountNotices, err = s.app.AccountNotices(ctx, st.User.Actor); err != nil {
			return AuthStatus{}, err
		}
	}
	return st, nil
}

// Login signs a user in.
func (s *Session) Login(ctx context.Context, username, password string) (Actor, error) {
	actor, err := s.app.Login(ctx, username, password)
	if err != nil {
		return Actor{}, err
	}
	if err := s.signIn(ctx, actor); err != nil {
		return Actor{}, err
	}
	return actor, nil
}

// Setup runs the first-run wizard and signs its administrator in.
func (s *Session) Setup(ctx context.Context, in SetupInput) (Actor, error) {
	if s.bridge {
		return Actor{}, newError(CodeForbidden, "Chỉ thiết lập văn phòng từ cửa sổ chương trình hoặc gddctl", "Set the office up from the program window or gddctl")
	}
	actor, err := s.app.Setup(ctx, in)
	if err != nil {
		return Actor{}, err
	}
	if err := s.signIn(ctx, actor); err != nil {
		return Actor{}, err
	}
	return actor, nil
}

func (s *Session) signIn(ctx context.Context, a Actor) error {
	u, err := s.app.read(ctx).UserByID(a.UserID)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.app.Now()
	s.actor, s.version, s.since, s.locked, s.lastSeen = &a, u.Version, now, false, now
	return nil
}

var errSessionEnded = newError(CodeUnauthenticated,
	"Phiên đăng nhập đã kết thúc (tài khoản vừa được thay đổi, hoặc đã quá thời hạn): hãy đăng nhập lại",
	"The session has ended (the account was changed, or the session is too old): please sign in again")

// stillValid ends the session when its account was disabled, reset or otherwise changed
// since sign-in (by any surface: the check reads the database), or when it is too old.
// Called with s.mu held.
func (s *Session) stillValid(ctx context.Context) error {
	if s.actor == nil {
		return errSignedOut
	}
	u, err := s.app.read(ctx).UserByID(s.actor.UserID)
	if err != nil && !isNotFound(err) {
		return err
	}
	if err != nil || !u.Active || u.Version != s.version || s.app.Now().Sub(s.since) > MaxSessionAge {
		s.actor, s.locked = nil, false
		return errSessionEnded
	}
	return nil
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
	err := s.stillValid(ctx)
	actor, version, since := s.actor, s.version, s.since
	s.mu.Unlock()
	if err != nil {
		return err
	}
	if _, err := s.app.Login(ctx, actor.Username, password); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.actor == nil || s.version != version {
		return errSessionEnded
	}
	s.locked, s.since, s.lastSeen = false, since, s.app.Now()
	return nil
}

var (
	errSignedOut = newError(CodeUnauthenticated, "Bạn cần đăng nhập", "Please sign in")
	errLocked    = newError(CodeScreenLocked, "Màn hình đang khóa: nhập mật khẩu để mở", "The screen is locked: enter your password")
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
	if err := s.stillValid(ctx); err != nil {
		return Actor{}, err
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
