package app

import (
	"context"
	"errors"
	"fmt"
	"os/user"
	"regexp"
	"strings"

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
	u := store.User{ID: newID(), Version: 1, Username: username, FullName: fullName, Title: title, Role: string(role), PasswordHash: hash, Active: true, CreatedAt: c.at, UpdatedAt: c.at}
	if err := c.q.InsertUser(&u); err != nil {
		return store.User{}, err
	}
	return u, c.record("user.create", "user", u.ID, u.Wire(), map[string]any{"username": username, "role": role})
}

var errBadLogin = newError(CodeUnauthenticated, "Sai tên đăng nhập hoặc mật khẩu", "Wrong username or password")

// Login checks a password. Five failures lock the account for five minutes; every attempt is
// audit-logged.
func (a *App) Login(ctx context.Context, username, password string) (Actor, error) {
	username = strings.ToLower(strings.TrimSpace(username))
	u, err := a.read(ctx).UserByUsername(username)
	if err != nil {
		if isNotFound(err) {
			return Actor{}, errBadLogin
		}
		return Actor{}, err
	}
	now := a.Now().UTC()
	if u.LockedUntil != nil && now.Before(*u.LockedUntil) {
		mins := int(u.LockedUntil.Sub(now).Minutes()) + 1
		return Actor{}, newError(CodeLocked,
			fmt.Sprintf("Tài khoản tạm khoá do nhập sai mật khẩu %d lần; thử lại sau %d phút", auth.MaxFailedLogins, mins),
			fmt.Sprintf("Account locked after %d wrong passwords; try again in %d minutes", auth.MaxFailedLogins, mins))
	}
	ok, err := auth.CheckPassword(password, u.PasswordHash)
	if err != nil {
		return Actor{}, err
	}
	if ok && !u.Active {
		return Actor{}, newError(CodeForbidden, "Tài khoản đã bị vô hiệu hoá", "This account is disabled")
	}
	var result error
	err = a.write(ctx, u.Username, func(c *change) error {
		if ok {
			if err := c.q.SetLoginState(u.ID, 0, nil); err != nil {
				return err
			}
			return c.record("auth.login", "user", u.ID, nil, nil)
		}
		fails := u.FailedLogins + 1
		save := func() error { return c.q.RecordFailedLogin(u.ID, fails) }
		action := "auth.login_failed"
		result = errBadLogin
		if fails >= auth.MaxFailedLogins {
			until := c.at.Add(auth.LockoutDuration)
			save = func() error { return c.q.SetLoginState(u.ID, 0, &until) }
			action = "auth.locked"
			result = newError(CodeLocked,
				fmt.Sprintf("Sai mật khẩu %d lần: tài khoản bị khoá %d phút", auth.MaxFailedLogins, int(auth.LockoutDuration.Minutes())),
				fmt.Sprintf("%d wrong passwords: the account is locked for %d minutes", auth.MaxFailedLogins, int(auth.LockoutDuration.Minutes())))
		}
		if err := save(); err != nil {
			return err
		}
		return c.record(action, "user", u.ID, nil, map[string]any{"failed_logins": fails})
	})
	if err != nil {
		return Actor{}, err
	}
	if result != nil {
		return Actor{}, result
	}
	return Actor{UserID: u.ID, Username: u.Username, FullName: u.FullName, Role: domain.Role(u.Role)}, nil
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
func (a *App) Users(ctx context.Context, actor Actor) ([]store.User, error) {
	if err := a.require(actor, auth.ManageUsers); err != nil {
		return nil, err
	}
	return a.read(ctx).Users()
}

// AddUser creates an account (office admin).
func (a *App) AddUser(ctx context.Context, actor Actor, in UserInput) (store.User, error) {
	if err := a.require(actor, auth.ManageUsers); err != nil {
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
		u, err = c.createUser(in.Username, in.FullName, domain.NormalizeText(in.Title), in.Role, hash)
		return err
	})
	return u, err
}

// SetUserActive enables or disables an account (office admin); nobody disables themselves.
func (a *App) SetUserActive(ctx context.Context, actor Actor, id string, active bool) (store.User, error) {
	if err := a.require(actor, auth.ManageUsers); err != nil {
		return store.User{}, err
	}
	if id == actor.UserID && !active {
		return store.User{}, newError(CodeConflict, "Không thể tự vô hiệu hoá tài khoản của mình", "You cannot disable your own account")
	}
	return a.updateUser(ctx, actor, id, "user.set_active", map[string]any{"active": active})
}

// ResetPassword sets a new password and lifts any lockout (office admin).
func (a *App) ResetPassword(ctx context.Context, actor Actor, id, password string) error {
	if err := a.require(actor, auth.ManageUsers); err != nil {
		return err
	}
	if utf8.RuneCountInString(password) < auth.MinPasswordLen {
		return invalid("password", "too_short", fmt.Sprintf("Mật khẩu cần ít nhất %d ký tự", auth.MinPasswordLen), fmt.Sprintf("Password needs at least %d characters", auth.MinPasswordLen))
	}
	hash, err := auth.HashPassword(password)
	if err != nil {
		return err
	}
	_, err = a.updateUser(ctx, actor, id, "user.reset_password", map[string]any{"password_hash": hash, "failed_logins": 0, "locked_until": nil})
	return err
}

func (a *App) updateUser(ctx context.Context, actor Actor, id, action string, upd map[string]any) (store.User, error) {
	var u store.User
	err := a.write(ctx, actor.Username, func(c *change) error {
		var err error
		if u, err = c.q.UserByID(id); err != nil {
			if isNotFound(err) {
				return notFound("người dùng")
			}
			return err
		}
		upd["updated_at"] = c.at
		if err := c.q.UpdateUser(u.ID, u.Version, upd); err != nil {
			if errors.Is(err, store.ErrStale) {
				return newError(CodeConflict, "Tài khoản vừa được người khác cập nhật", "The account was changed by someone else")
			}
			return err
		}
		details := map[string]any{"version": u.Version + 1}
		for k, v := range upd {
			if k != "password_hash" {
				details[k] = v
			}
		}
		if u, err = c.q.UserByID(id); err != nil {
			return err
		}
		return c.record(action, "user", u.ID, u.Wire(), details)
	})
	return u, err
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
