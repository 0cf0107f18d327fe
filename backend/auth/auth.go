// Package auth hashes passwords, applies the lockout policy and decides what each role may do.
package auth

import (
	"fmt"
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

// params are argon2id's RFC 9106 second recommendation scaled to an office PC: 64 MiB,
// 1 pass, 2 lanes (~60 ms on 2 cores).
var params = &argon2id.Params{Memory: 64 * 1024, Iterations: 1, Parallelism: 2, SaltLength: 16, KeyLength: 32}

// HashPassword returns an argon2id PHC string.
func HashPassword(password string) (string, error) {
	h, err := argon2id.CreateHash(password, params)
	if err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	return h, nil
}

// CheckPassword reports whether password matches hash.
func CheckPassword(password, hash string) (bool, error) {
	ok, err := argon2id.ComparePasswordAndHash(password, hash)
	if err != nil {
		return false, fmt.Errorf("check password: %w", err)
	}
	return ok, nil
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
)

// grants is the whole role matrix. Approvers may also enter applications, for one-person
// offices; deciding is the leader's act alone.
var grants = map[domain.Role][]Permission{
	domain.RoleClerk:       {EnterApplication, ViewApplications},
	domain.RoleApprover:    {EnterApplication, ViewApplications, DecideApplication},
	domain.RoleOfficeAdmin: {EnterApplication, ViewApplications, ManageRules, ManageUsers, ManageSettings},
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
