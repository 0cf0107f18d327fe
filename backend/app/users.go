package app

import (
	"context"
	"errors"
	"fmt"
	"os/user"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"giaydiduong/backend/auth"
	"giaydiduong/backend/domain"
	"giaydiduong/backend/store"
)

var usernamePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{2,31}$`)

// checkNewUser validates a new account's fields; prefix names the form's fields ("admin_" in
// the set-up wizard).
func checkNewUser(v *domain.ValidationError, prefix, username, fullName, password string) {
	if !usernamePattern.MatchString(username) {
		v.Add(prefix+"username", "invalid", "Tên đăng nhập 3–32 ký tự: chữ thường không dấu, số, dấu chấm, gạch", "Username: 3–32 characters, lowercase letters, digits, dot, dash")
	}
	if n := utf8.RuneCountInString(fullName); n < 2 || n > 80 {
		v.Add(prefix+"full_name", "invalid", "Cần nhập họ tên (2–80 ký tự)", "Full name is required (2–80 characters)")
	} else if code, vi, en := domain.NameProblem(fullName); code != "" {
		v.Add(prefix+"full_name", code, vi, en)
	}
	if utf8.RuneCountInString(password) < auth.MinPasswordLen {
		v.Add(prefix+"password", "too_short", fmt.Sprintf("Mật khẩu cần ít nhất %d ký tự", auth.MinPasswordLen), fmt.Sprintf("Password needs at least %d characters", auth.MinPasswordLen))
	}
}

func (c *change) createUser(username, fullName, title string, role domain.Role, hash string) (store.User, error) {
	taken, err := c.q.UsernameTaken(username)
	if err != nil {
		return store.User{}, err
	}
	if taken {
		return store.User{}, invalid("username", "taken", "Tên đăng nhập đã có người dùng", "That username is taken")
	}
	// A new account has no account changes to read from before it existed.
	seen, err := c.q.AuditHeadSeq()
	if err != nil {
		return store.User{}, err
	}
	u := store.User{ID: newID(), Version: 1, Username: username, FullName: fullName, Title: title, Role: string(role), PasswordHash: hash, Active: true,
		NoticesSeenSeq: seen, CreatedAt: c.at, UpdatedAt: c.at}
	if err := c.q.InsertUser(&u); err != nil {
		return store.User{}, err
	}
	return u, c.record("user.create", "user", u.ID, u.Wire(), map[string]any{"username": username, "role": role})
}

var errBadLogin = newError(CodeUnauthenticated, "Sai tên đăng nhập hoặc mật khẩu", "Wrong username or password")

func errAccountLocked(mins int) error {
	return newError(CodeLocked,
		fmt.Sprintf("Tài khoản tạm khóa do nhập sai mật khẩu %d lần; thử lại sau %d phút", auth.MaxFailedLogins, mins),
		fmt.Sprintf("Account locked after %d wrong passwords; try again in %d minutes", auth.MaxFailedLogins, mins))
}

// Login checks a password. Five failures lock the account for five minutes; every attempt is
// audit-logged.
//
// The check runs inside one write transaction: SQLite serialises those across processes, so
// parallel guesses from the window, the bridge and gddctl (which share only the database)
// each see the count the previous one left, and at most MaxFailedLogins are ever checked
// before the lock. A crash mid-check rolls back and answers nothing. An unknown or disabled
// account costs the same hash and gets the same answer as a wrong password: neither which
// usernames exist nor a disabled account's password can be learnt.
func (a *App) Login(ctx context.Context, username, password string) (Actor, error) {
	username = strings.ToLower(strings.TrimSpace(username))
	var (
		u      store.User
		result error
	)
	err := a.write(ctx, username, func(c *change) error {
		var err error
		if u, err = c.q.UserByUsername(username); err != nil {
			if !isNotFound(err) {
				return err
			}
			if err := auth.CheckNoAccount(password); err != nil {
				return err
			}
			result = errBadLogin
			return c.record("auth.login_failed", "user", "", nil, map[string]any{"username": clip(username, 64), "reason": "unknown_user"})
		}
		if u.LockedUntil != nil && c.at.Before(*u.LockedUntil) {
			result = errAccountLocked(int(u.LockedUntil.Sub(c.at).Minutes()) + 1)
			return nil
		}
		ok, err := auth.CheckPassword(password, u.PasswordHash)
		if err != nil {
			return err
		}
		if ok && u.Active {
			if why, err := a.provinceVouches(c.q, u); err != nil {
				return err
			} else if why != nil {
				result = errNotVouched
				return c.record("auth.login_refused", "user", u.ID, nil, map[string]any{"reason": why.Error()})
			}
			if err := c.q.SetLoginState(u.ID, 0, nil); err != nil {
				return err
			}
			return c.record("auth.login", "user", u.ID, nil, nil)
		}
		fails := u.FailedLogins + 1
		details := map[string]any{"failed_logins": fails}
		if !u.Active {
			details["reason"] = "disabled"
		}
		result = errBadLogin
		if fails < auth.MaxFailedLogins {
			if err := c.q.RecordFailedLogin(u.ID, fails); err != nil {
				return err
			}
			return c.record("auth.login_failed", "user", u.ID, nil, details)
		}
		until := c.at.Add(auth.LockoutDuration)
		if err := c.q.SetLoginState(u.ID, 0, &until); err != nil {
			return err
		}
		result = newError(CodeLocked,
			fmt.Sprintf("Sai mật khẩu %d lần: tài khoản bị khóa %d phút", auth.MaxFailedLogins, int(auth.LockoutDuration.Minutes())),
			fmt.Sprintf("%d wrong passwords: the account is locked for %d minutes", auth.MaxFailedLogins, int(auth.LockoutDuration.Minutes())))
		return c.record("auth.locked", "user", u.ID, nil, details)
	})
	if err != nil {
		return Actor{}, err
	}
	if result != nil {
		return Actor{}, result
	}
	return Actor{UserID: u.ID, Username: u.Username, FullName: u.FullName, Role: domain.Role(u.Role)}, nil
}

// clip cuts s to at most n runes: a typed username goes into the audit log as given.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}

// UserInput creates an account.
type UserInput struct {
	Username string      `json:"username"`
	FullName string      `json:"full_name"`
	Title    string      `json:"title"` // shown under a leader's signature, e.g. "Phó Chủ tịch"
	Role     domain.Role `json:"role"`
	Password string      `json:"password"`
}

// Users lists the office's accounts (office admin).
func (a *App) Users(ctx context.Context, actor Actor) ([]User, error) {
	if err := a.require(actor, auth.ManageUsers); err != nil {
		return nil, err
	}
	rows, err := a.read(ctx).Users()
	if err != nil {
		return nil, err
	}
	out := make([]User, len(rows))
	for i, u := range rows {
		out[i] = User{User: u, Actions: auth.UserActions(actor.Role, domain.Role(u.Role), u.Active)}
	}
	return out, nil
}

// User is an account as the users screen shows it, with what the asking user may do with it.
type User struct {
	store.User
	Actions []domain.Action `json:"actions"`
}

// AddUser creates an account (office admin).
func (a *App) AddUser(ctx context.Context, actor Actor, in UserInput) (store.User, error) {
	if err := a.require(actor, auth.ManageUsers); err != nil {
		return store.User{}, err
	}
	if err := a.accountsFromProvince(); err != nil {
		return store.User{}, err
	}
	in.Username = strings.ToLower(strings.TrimSpace(in.Username))
	in.FullName = domain.NormalizeName(in.FullName)
	v := &domain.ValidationError{}
	checkNewUser(v, "", in.Username, in.FullName, in.Password)
	if !in.Role.Valid() {
		v.Add("role", "invalid", "Chọn vai trò", "Choose a role")
	}
	if err := v.Err(); err != nil {
		return store.User{}, err
	}
	hash, err := auth.HashPassword(in.Password)
	if err != nil {
		return store.User{}, err
	}
	var u store.User
	err = a.write(ctx, actor.Username, func(c *change) error {
		if u, err = c.createUser(in.Username, in.FullName, domain.NormalizeText(in.Title), in.Role, hash); err != nil {
			return err
		}
		if in.Role != domain.RoleApprover {
			return nil
		}
		if held, err := c.holdApprover(u.ID); err != nil || held.ID != "" {
			u = held
			return err
		}
		return nil
	})
	return u, err
}

// ApproverHold is how long a new or reset approver account decides nothing. Until accounts
// come signed from the province, one office admin could otherwise create (or reset) a
// leader's account and approve as it at once; the hold leaves the other approvers, who see
// every account change at their next login, a day to notice.
const ApproverHold = 24 * time.Hour

// holdApprover starts an approver's ApproverHold, audited. The demo office is its own
// province and nothing it signs verifies anywhere else: there the hold would only get in the
// way of learning the program, so it does not apply.
func (c *change) holdApprover(id string) (store.User, error) {
	if demo, err := c.q.OfficeIsDemo(); err != nil || demo {
		return store.User{}, err
	}
	until := c.at.Add(ApproverHold)
	if err := c.q.HoldDecisions(id, until); err != nil {
		return store.User{}, err
	}
	u, err := c.q.UserByID(id)
	if err != nil {
		return store.User{}, err
	}
	return u, c.record("user.decisions_held", "user", id, nil, map[string]any{"until": until})
}

// requireDecider is require(DecideApplication) plus the hold on a new or reset approver.
func (a *App) requireDecider(ctx context.Context, actor Actor) error {
	if err := a.require(actor, auth.DecideApplication); err != nil {
		return err
	}
	u, err := a.read(ctx).UserByID(actor.UserID)
	if err != nil {
		if isNotFound(err) {
			return forbidden()
		}
		return err
	}
	if u.DecideAfter != nil && a.Now().Before(*u.DecideAfter) {
		at := u.DecideAfter.In(vietnam)
		return newError(CodeForbidden,
			"Tài khoản lãnh đạo mới tạo hoặc vừa đặt lại mật khẩu: chưa được duyệt, ký hay thu hồi đến "+at.Format("15:04 02/01/2006"),
			"A new or reset approver account may not decide, sign or revoke until "+at.Format("2006-01-02 15:04"))
	}
	return nil
}

// SetUserActive enables or disables an account (office admin); nobody disables themselves.
func (a *App) SetUserActive(ctx context.Context, actor Actor, id string, active bool) (store.User, error) {
	if err := a.require(actor, auth.ManageUsers); err != nil {
		return store.User{}, err
	}
	if id == actor.UserID && !active {
		return store.User{}, newError(CodeConflict, "Không thể tự vô hiệu hóa tài khoản của mình", "You cannot disable your own account")
	}
	return a.updateUser(ctx, actor, id, "user.set_active", map[string]any{"active": active})
}

// ResetPassword sets a new password and lifts any lockout (office admin).
func (a *App) ResetPassword(ctx context.Context, actor Actor, id, password string) error {
	if err := a.require(actor, auth.ManageUsers); err != nil {
		return err
	}
	if err := a.accountsFromProvince(); err != nil {
		return err
	}
	if utf8.RuneCountInString(password) < auth.MinPasswordLen {
		return invalid("password", "too_short", fmt.Sprintf("Mật khẩu cần ít nhất %d ký tự", auth.MinPasswordLen), fmt.Sprintf("Password needs at least %d characters", auth.MinPasswordLen))
	}
	hash, err := auth.HashPassword(password)
	if err != nil {
		return err
	}
	return a.write(ctx, actor.Username, func(c *change) error {
		u, err := c.updateUser(id, "user.reset_password", map[string]any{"password_hash": hash, "failed_logins": 0, "locked_until": nil})
		if err != nil || u.Role != string(domain.RoleApprover) {
			return err
		}
		_, err = c.holdApprover(id)
		return err
	})
}

func (a *App) updateUser(ctx context.Context, actor Actor, id, action string, upd map[string]any) (store.User, error) {
	var u store.User
	err := a.write(ctx, actor.Username, func(c *change) error {
		var err error
		u, err = c.updateUser(id, action, upd)
		return err
	})
	return u, err
}

func (c *change) updateUser(id, action string, upd map[string]any) (store.User, error) {
	u, err := c.q.UserByID(id)
	if err != nil {
		if isNotFound(err) {
			return store.User{}, notFound("người dùng")
		}
		return store.User{}, err
	}
	upd["updated_at"] = c.at
	if err := c.q.UpdateUser(u.ID, u.Version, upd); err != nil {
		if errors.Is(err, store.ErrStale) {
			return store.User{}, newError(CodeConflict, "Tài khoản vừa được người khác cập nhật", "The account was changed by someone else")
		}
		return store.User{}, err
	}
	details := map[string]any{"version": u.Version + 1}
	for k, v := range upd {
		if k != "password_hash" {
			details[k] = v
		}
	}
	if u, err = c.q.UserByID(id); err != nil {
		return store.User{}, err
	}
	return u, c.record(action, "user", u.ID, u.Wire(), details)
}

// LocalOperator is the OS account running gddctl without --user: whoever can read the
// office database already holds its data, so it may print as a clerk; the audit names it.
func LocalOperator() Actor {
	name := "unknown"
	if u, err := user.Current(); err == nil {
		name = u.Username
	}
	return Actor{Username: "os:" + name, FullName: name, Role: domain.RoleClerk}
}
