package auth

import (
	"strings"
	"testing"
	"time"

	"giaydiduong/backend/domain"
)

func TestPasswordHash(t *testing.T) {
	h, err := HashPassword("demo1234")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Errorf("hash %q is not argon2id with the OWASP parameters", h)
	}
	h2, _ := HashPassword("demo1234")
	if h == h2 {
		t.Error("two hashes of one password are equal: no salt")
	}
	for _, c := range []struct {
		pw   string
		want bool
	}{{"demo1234", true}, {"demo12345", false}, {"", false}, {"Demo1234", false}} {
		if ok, err := CheckPassword(c.pw, h); err != nil || ok != c.want {
			t.Errorf("CheckPassword(%q) = %v, %v; want %v", c.pw, ok, err, c.want)
		}
	}
	if _, err := CheckPassword("x", "not a hash"); err == nil {
		t.Error("a malformed hash was accepted")
	}
}

func TestRoleMatrix(t *testing.T) {
	for _, c := range []struct {
		role domain.Role
		perm Permission
		want bool
	}{
		{domain.RoleClerk, EnterApplication, true},
		{domain.RoleClerk, DecideApplication, false},
		{domain.RoleClerk, ManageRules, false},
		{domain.RoleApprover, DecideApplication, true},
		{domain.RoleApprover, ManageUsers, false},
		{domain.RoleOfficeAdmin, ManageRules, true},
		{domain.RoleOfficeAdmin, ManageSettings, true},
		{domain.RoleOfficeAdmin, DecideApplication, false},
		{domain.Role("guest"), ViewApplications, false},
	} {
		if got := Allowed(c.role, c.perm); got != c.want {
			t.Errorf("Allowed(%s, %s) = %v, want %v", c.role, c.perm, got, c.want)
		}
	}
}

// Finding 4: password hashing is bounded, so a burst of guesses queues instead of holding
// 19 MiB each at once.
func TestFinding4_HashingIsBounded(t *testing.T) {
	h, err := HashPassword("demo1234")
	if err != nil {
		t.Fatal(err)
	}
	for range cap(hashSlots) {
		hashSlots <- struct{}{}
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_, _ = CheckPassword("demo1234", h)
	}()
	select {
	case <-done:
		t.Fatal("a password check ran while every hashing slot was taken")
	case <-time.After(200 * time.Millisecond):
	}
	<-hashSlots
	<-done
	for range cap(hashSlots) - 1 {
		<-hashSlots
	}
}
