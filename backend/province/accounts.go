package province

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"giaydiduong/backend/auth"
	"giaydiduong/backend/domain"
	"giaydiduong/backend/syncwire"
)

// AccountInput is an account the province creates for an office's unit.
type AccountInput struct {
	UnitCode string      `json:"unit_code"`
	Username string      `json:"username"`
	FullName string      `json:"full_name"`
	Title    string      `json:"title"`
	Role     domain.Role `json:"role"`
	Password string      `json:"-"`
}

// Account is an account as the province reports it (never its password or hash).
type Account struct {
	ID        string      `json:"id"`
	Version   int64       `json:"version"`
	UnitCode  string      `json:"unit_code"`
	Username  string      `json:"username"`
	FullName  string      `json:"full_name"`
	Title     string      `json:"title"`
	Role      domain.Role `json:"role"`
	Active    bool        `json:"active"`
	FeedSeq   int64       `json:"feed_seq"`
	CreatedAt time.Time   `json:"created_at"`
}

var (
	usernamePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{2,31}$`)
	unitCodePattern = regexp.MustCompile(`^[0-9A-Z-]{2,16}$`)
)

// FieldError is one bad field of an input, for a list import to report per row.
type FieldError struct {
	Field string `json:"field"`
	VI    string `json:"vi"`
	EN    string `json:"en"`
}

// CheckAccount tidies in (username lower-cased, names normalised) and lists what is wrong
// with it, without touching the database: an import checks every row before creating any.
func CheckAccount(in *AccountInput) []FieldError {
	in.UnitCode = strings.TrimSpace(in.UnitCode)
	in.Username = strings.ToLower(strings.TrimSpace(in.Username))
	in.FullName = domain.NormalizeName(in.FullName)
	in.Title = domain.NormalizeText(in.Title)
	var out []FieldError
	add := func(field, vi, en string) { out = append(out, FieldError{field, vi, en}) }
	if !unitCodePattern.MatchString(in.UnitCode) {
		add("unit", "Mã đơn vị không hợp lệ (--unit)", "Invalid unit code (--unit)")
	}
	if !usernamePattern.MatchString(in.Username) {
		add("username", "Tên đăng nhập 3–32 ký tự: chữ thường không dấu, số, dấu chấm, gạch", "Username: 3–32 characters, lowercase letters, digits, dot, dash")
	}
	if n := utf8.RuneCountInString(in.FullName); n < 2 || n > 80 {
		add("full_name", "Cần nhập họ tên (2–80 ký tự)", "Full name is required (2–80 characters)")
	} else if code, vi, en := domain.NameProblem(in.FullName); code != "" {
		add("full_name", vi, en)
	}
	if !in.Role.Valid() {
		add("role", "Vai trò phải là clerk, approver hoặc office_admin", "The role must be clerk, approver or office_admin")
	}
	if utf8.RuneCountInString(in.Password) < auth.MinPasswordLen {
		add("password", fmt.Sprintf("Mật khẩu (GDD_PASSWORD) cần ít nhất %d ký tự", auth.MinPasswordLen), fmt.Sprintf("The password (GDD_PASSWORD) needs at least %d characters", auth.MinPasswordLen))
	}
	return out
}

func fieldsError(fe []FieldError) error {
	vi, en := make([]string, len(fe)), make([]string, len(fe))
	for i, f := range fe {
		vi[i], en[i] = f.VI, f.EN
	}
	return newErr(KindInvalid, strings.Join(vi, "; "), strings.Join(en, "; "))
}

// CreateAccount creates an office account at the province and publishes it, signed with the
// provincial root, in its unit's accounts feed: the unit's offices can sign it in after their
// next sync. Only the argon2id hash of the password is kept and travels. The role records go
// out with the first account. One transaction: the account, its feed entry and the audit
// event, or nothing.
func (s *Service) CreateAccount(ctx context.Context, actor string, in AccountInput) (Account, error) {
	if fe := CheckAccount(&in); len(fe) > 0 {
		return Account{}, fieldsError(fe)
	}
	k, err := s.signer()
	if err != nil {
		return Account{}, err
	}
	hash, err := auth.HashPassword(in.Password)
	if err != nil {
		return Account{}, err
	}
	var out Account
	err = s.write(ctx, func(tx *gorm.DB, at time.Time) error {
		if _, taken, err := findAccount(tx, in.UnitCode, in.Username); err != nil {
			return err
		} else if taken {
			return newErr(KindConflict, "Đơn vị "+in.UnitCode+" đã có tài khoản "+in.Username, "Unit "+in.UnitCode+" already has an account "+in.Username)
		}
		row := accountRow{ID: newID(), Version: 1, UnitCode: in.UnitCode, Username: in.Username, FullName: in.FullName, Title: in.Title, Role: string(in.Role),
			PasswordHash: hash, Active: true, CreatedBy: actor, CreatedAt: at, UpdatedAt: at}
		if err := insertAccount(tx, &row); err != nil {
			return err
		}
		if err := s.ensureRoles(tx, k, at); err != nil {
			return err
		}
		seq, err := s.publish(tx, k, AccountRecord(row), row.UnitCode, at)
		if err != nil {
			return err
		}
		out = Account{ID: row.ID, Version: row.Version, UnitCode: row.UnitCode, Username: row.Username, FullName: row.FullName, Title: row.Title,
			Role: in.Role, Active: true, FeedSeq: seq, CreatedAt: at}
		return s.audit(tx, at, actor, "account.create", "account", row.ID, map[string]any{"unit_code": row.UnitCode, "username": row.Username, "role": row.Role})
	})
	if err != nil {
		return Account{}, err
	}
	return out, nil
}

// AccountRecord is an account's wire form, what is signed.
func AccountRecord(a accountRow) syncwire.Account {
	return syncwire.Account{ID: a.ID, Version: a.Version, Username: a.Username, FullName: a.FullName, Title: a.Title, Role: a.Role, Active: a.Active,
		CreatedAt: syncwire.Time(a.CreatedAt), UpdatedAt: syncwire.Time(a.UpdatedAt), UnitCode: a.UnitCode, PasswordHash: a.PasswordHash}
}

// roleNames are the roles' names as offices show them.
var roleNames = map[domain.Role][2]string{
	domain.RoleClerk:       {"Cán bộ tiếp nhận", "Clerk"},
	domain.RoleApprover:    {"Lãnh đạo", "Approver"},
	domain.RoleOfficeAdmin: {"Quản trị văn phòng", "Office admin"},
}

// RoleRecords are the role records the province publishes: the program's role matrix.
func RoleRecords() []syncwire.Role {
	var out []syncwire.Role
	for _, r := range []domain.Role{domain.RoleClerk, domain.RoleApprover, domain.RoleOfficeAdmin} {
		perms := auth.Permissions(r)
		ps := make([]string, len(perms))
		for i, p := range perms {
			ps[i] = string(p)
		}
		n := roleNames[r]
		out = append(out, syncwire.Role{Code: string(r), Version: 1, VI: n[0], EN: n[1], Permissions: sortedStrings(ps)})
	}
	return out
}
