// Package auth hashes passwords, applies the lockout policy and decides what each role may do.
package auth

import (
	"fmt"
	"runtime"
	"sync"
	"time"

	"github.com/alexedwards/argon2id"

	"giaydiduong/backend/domain"
)

// Lockout policy: five wrong passwords lock the account for five minutes.
const (
	MaxFailedLogins = 5
	LockoutDuration = 5 * time.Minute
	MinPasswordLen  = 8
)

// params are OWASP's baseline for argon2id (19 MiB, 2 passes, 1 lane): strong enough for
// local accounts behind a 5-try lockout, and light on the 4 GB office PCs the app runs on —
// each hash holds its memory until the Go heap gives it back.
var params = &argon2id.Params{Memory: 19 * 1024, Iterations: 2, Parallelism: 1, SaltLength: 16, KeyLength: 32}

// hashSlots bounds the password hashes running at once: each holds 19 MiB for its run, so a
// burst of parallel logins (or guesses) queues instead of exhausting the PC's memory.
var hashSlots = make(chan struct{}, max(1, runtime.NumCPU()))

func withHashSlot[T any](fn func() (T, error)) (T, error) {
	hashSlots <- struct{}{}
	defer func() { <-hashSlots }()
	return fn()
}

// HashPassword returns an argon2id PHC string.
func HashPassword(password string) (string, error) {
	h, err := withHashSlot(func() (string, error) { return argon2id.CreateHash(password, params) })
	if err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	return h, nil
}

// CheckPassword reports whether password matches hash.
func CheckPassword(password, hash string) (bool, error) {
	ok, err := withHashSlot(func() (bool, error) { return argon2id.ComparePasswordAndHash(password, hash) })
	if err != nil {
		return false, fmt.Errorf("check password: %w", err)
	}
	return ok, nil
}

var dummy = sync.OnceValues(func() (string, error) { return HashPassword("giaydiduong: no such account") })

// CheckNoAccount spends the time of one CheckPassword and always fails: the answer for an
// unknown username, so that timing does not tell which usernames exist.
func CheckNoAccount(password string) error {
	h, err := dummy()
	if err != nil {
		return err
	}
	_, err = CheckPassword(password, h)
	return err
}

// Permission is one thing a user may do.
type Permission string

const (
	EnterApplication  Permission = "application.enter"
	DecideApplication Permission = "application.decide"
	ViewApplications  Permission = "application.view"
	ManageRules       Permission = "rules.manage"
	ManageUsers       Permission = "users.manage"
	ManageSettings    Permission = "settings.manage"
	// BackfillPermits enters permits the office issued on paper; like entering an
	// application it is the front desk's work, not the office admin's.
	BackfillPermits Permission = "permit.backfill"
	// ViewSync is the sync panel and "Đồng bộ ngay": whoever works at the office sees whether
	// its work has reached the province.
	ViewSync Permission = "sync.view"
)

// grants is the whole role matrix. Approvers may also enter applications, for one-person
// offices; deciding is the leader's act alone.
var grants = map[domain.Role][]Permission{
	domain.RoleClerk:       {EnterApplication, ViewApplications, BackfillPermits, ViewSync},
	domain.RoleApprover:    {EnterApplication, ViewApplications, DecideApplication, BackfillPermits, ViewSync},
	domain.RoleOfficeAdmin: {EnterApplication, ViewApplications, ManageRules, ManageUsers, ManageSettings, ViewSync},
}

// Allowed reports whether role has permission p.
func Allowed(role domain.Role, p Permission) bool {
	for _, g := range grants[role] {
		if g == p {
			return true
		}
	}
	return false
}

// Permissions lists what role may do, in the matrix's order: what the window is told, so that
// it shows only what the service layer would allow.
func Permissions(role domain.Role) []Permission {
	return append([]Permission{}, grants[role]...)
}

// stepNeeds is the permission each step takes. Issuing and the paper's hand signature and
// hand-over are office work anyone entering applications does; approving, rejecting,
// signing with a token and revoking are a leader's acts.
var stepNeeds = map[domain.Action]Permission{
	domain.ActionSubmit:        EnterApplication,
	domain.ActionApprove:       DecideApplication,
	domain.ActionReject:        DecideApplication,
	domain.ActionIssue:         EnterApplication,
	domain.PermitActionPreview: ViewApplications,
	domain.PermitActionPrint:   ViewApplications,
	domain.PermitActionHandSig: EnterApplication,
	domain.PermitActionHandOut: EnterApplication,
	domain.PermitActionSign:    DecideApplication,
	domain.PermitActionRevoke:  DecideApplication,
	// Accounts and their tokens are the office admin's until they come from the province.
	domain.UserActionEnrollKey:  ManageUsers,
	domain.UserActionDeactivate: ManageUsers,
	domain.UserActionActivate:   ManageUsers,
}

// FourEyesBars reports whether the four-eyes rule stops the user userID deciding an
// application that createdBy entered.
func FourEyesBars(fourEyes bool, createdBy, userID string) bool {
	return fourEyes && createdBy == userID
}

// ApplicationActions lists what role may do now with an application in status s;
// fourEyesBars (from FourEyesBars) removes the decision.
func ApplicationActions(role domain.Role, s domain.Status, fourEyesBars bool) []domain.Action {
	out := []domain.Action{}
	for _, a := range domain.ApplicationSteps(s) {
		if !Allowed(role, stepNeeds[a]) {
			continue
		}
		if fourEyesBars && (a == domain.ActionApprove || a == domain.ActionReject) {
			continue
		}
		out = append(out, a)
	}
	return out
}

// PermitActions lists what role may do now with a permit in status s.
func PermitActions(role domain.Role, s domain.PermitStatus, expired bool) []domain.Action {
	out := []domain.Action{}
	for _, a := range domain.PermitSteps(s, expired) {
		if Allowed(role, stepNeeds[a]) {
			out = append(out, a)
		}
	}
	return out
}

// UserActions lists what role may do now with an account of targetRole.
func UserActions(role, targetRole domain.Role, active bool) []domain.Action {
	out := []domain.Action{}
	for _, a := range domain.UserSteps(targetRole, active) {
		if Allowed(role, stepNeeds[a]) {
			out = append(out, a)
		}
	}
	return out
}
