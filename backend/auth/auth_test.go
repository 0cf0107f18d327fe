package auth

import (
	"reflect"
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
		{domain.RoleClerk, BackfillPermits, true},
		{domain.RoleApprover, BackfillPermits, true},
		{domain.RoleOfficeAdmin, BackfillPermits, false},
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

func TestPermissions(t *testing.T) {
	for _, c := range []struct {
		role domain.Role
		want []Permission
	}{
		{domain.RoleClerk, []Permission{EnterApplication, ViewApplications, BackfillPermits, ViewSync}},
		{domain.RoleApprover, []Permission{EnterApplication, ViewApplications, DecideApplication, BackfillPermits, ViewSync}},
		{domain.RoleOfficeAdmin, []Permission{EnterApplication, ViewApplications, ManageRules, ManageUsers, ManageSettings, ViewSync}},
		{domain.Role("guest"), []Permission{}},
	} {
		got := Permissions(c.role)
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("Permissions(%s) = %v, want %v", c.role, got, c.want)
		}
		for _, p := range got {
			if !Allowed(c.role, p) {
				t.Errorf("Permissions(%s) lists %s, which Allowed refuses", c.role, p)
			}
		}
	}
	// the list is a copy: a caller cannot change the matrix
	p := Permissions(domain.RoleClerk)
	p[0] = ManageUsers
	if Allowed(domain.RoleClerk, ManageUsers) {
		t.Fatal("changing Permissions' result changed the matrix")
	}
}

func TestApplicationActions(t *testing.T) {
	A := func(a ...domain.Action) []domain.Action { return append([]domain.Action{}, a...) }
	for _, c := range []struct {
		name     string
		role     domain.Role
		status   domain.Status
		fourEyes bool
		want     []domain.Action
	}{
		{"clerk submits a draft", domain.RoleClerk, domain.StatusDraft, false, A(domain.ActionSubmit)},
		{"clerk does not decide", domain.RoleClerk, domain.StatusSubmitted, false, A()},
		{"clerk issues", domain.RoleClerk, domain.StatusApproved, false, A(domain.ActionIssue)},
		{"approver decides", domain.RoleApprover, domain.StatusSubmitted, false, A(domain.ActionApprove, domain.ActionReject)},
		{"approver barred by four-eyes", domain.RoleApprover, domain.StatusSubmitted, true, A()},
		{"approver submits own draft", domain.RoleApprover, domain.StatusDraft, true, A(domain.ActionSubmit)},
		{"approver issues", domain.RoleApprover, domain.StatusApproved, false, A(domain.ActionIssue)},
		{"admin does not decide", domain.RoleOfficeAdmin, domain.StatusSubmitted, false, A()},
		{"admin submits", domain.RoleOfficeAdmin, domain.StatusDraft, false, A(domain.ActionSubmit)},
		{"admin issues", domain.RoleOfficeAdmin, domain.StatusApproved, false, A(domain.ActionIssue)},
		{"nothing after rejection", domain.RoleApprover, domain.StatusRejected, false, A()},
		{"unknown role may nothing", domain.Role("guest"), domain.StatusDraft, false, A()},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := ApplicationActions(c.role, c.status, c.fourEyes); !reflect.DeepEqual(got, c.want) {
				t.Errorf("ApplicationActions(%s, %s, %v) = %v, want %v", c.role, c.status, c.fourEyes, got, c.want)
			}
		})
	}
}

func TestPermitActions(t *testing.T) {
	A := func(a ...domain.Action) []domain.Action { return append([]domain.Action{}, a...) }
	pv, pr, hs, sg, ho, rv := domain.PermitActionPreview, domain.PermitActionPrint, domain.PermitActionHandSig, domain.PermitActionSign, domain.PermitActionHandOut, domain.PermitActionRevoke
	for _, c := range []struct {
		name    string
		role    domain.Role
		status  domain.PermitStatus
		expired bool
		want    []domain.Action
	}{
		{"clerk, awaiting", domain.RoleClerk, domain.PermitAwaitingHand, false, A(pv, pr, hs)},
		{"approver, awaiting", domain.RoleApprover, domain.PermitAwaitingHand, false, A(pv, pr, hs, sg, rv)},
		{"approver, awaiting but expired: no signing", domain.RoleApprover, domain.PermitAwaitingHand, true, A(pv, pr, hs, rv)},
		{"admin, awaiting: no signing, no revoking", domain.RoleOfficeAdmin, domain.PermitAwaitingHand, false, A(pv, pr, hs)},
		{"clerk, hand signed", domain.RoleClerk, domain.PermitHandSigned, false, A(pv, pr, ho)},
		{"clerk, signed", domain.RoleClerk, domain.PermitSigned, false, A(pv, pr, ho)},
		{"approver, issued", domain.RoleApprover, domain.PermitIssued, false, A(pv, pr, rv)},
		{"clerk, issued", domain.RoleClerk, domain.PermitIssued, false, A(pv, pr)},
		{"revoked: only preview", domain.RoleApprover, domain.PermitRevoked, false, A(pv)},
		{"unknown role", domain.Role("guest"), domain.PermitIssued, false, A()},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := PermitActions(c.role, c.status, c.expired); !reflect.DeepEqual(got, c.want) {
				t.Errorf("PermitActions(%s, %s, %v) = %v, want %v", c.role, c.status, c.expired, got, c.want)
			}
		})
	}
}

func TestUserActions(t *testing.T) {
	A := func(a ...domain.Action) []domain.Action { return append([]domain.Action{}, a...) }
	en, off, on := domain.UserActionEnrollKey, domain.UserActionDeactivate, domain.UserActionActivate
	for _, c := range []struct {
		name         string
		role, target domain.Role
		active       bool
		want         []domain.Action
	}{
		{"admin, active approver: a key, switch off", domain.RoleOfficeAdmin, domain.RoleApprover, true, A(en, off)},
		{"admin, inactive approver: no key, switch on", domain.RoleOfficeAdmin, domain.RoleApprover, false, A(on)},
		{"admin, clerk: no key", domain.RoleOfficeAdmin, domain.RoleClerk, true, A(off)},
		{"approver: nothing", domain.RoleApprover, domain.RoleApprover, true, A()},
		{"clerk: nothing", domain.RoleClerk, domain.RoleApprover, true, A()},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := UserActions(c.role, c.target, c.active); !reflect.DeepEqual(got, c.want) {
				t.Errorf("UserActions(%s, %s, %v) = %v, want %v", c.role, c.target, c.active, got, c.want)
			}
		})
	}
}

func TestFourEyesBars(t *testing.T) {
	for _, c := range []struct {
		on         bool
		by, user   string
		wantBarred bool
	}{{true, "u1", "u1", true}, {true, "u1", "u2", false}, {false, "u1", "u1", false}} {
		if got := FourEyesBars(c.on, c.by, c.user); got != c.wantBarred {
			t.Errorf("FourEyesBars(%v, %s, %s) = %v, want %v", c.on, c.by, c.user, got, c.wantBarred)
		}
	}
}
