package app

import (
	"testing"

	"giaydiduong/backend/auth"
	"giaydiduong/backend/domain"
)

func has(list []domain.Action, a domain.Action) bool {
	for _, x := range list {
		if x == a {
			return true
		}
	}
	return false
}

// What a view lists as allowed is exactly what the service then accepts: for each role, a
// decision on an application entered by someone else and on one the user entered
// (four-eyes on), and revoking a permit.
func TestListedActionsAreAccepted(t *testing.T) {
	f := newFixture(t)
	actors := map[string]Actor{"clerk": f.clerk, "approver": f.approver, "admin": f.admin}
	for name, actor := range actors {
		for _, enteredBy := range []Actor{f.clerk, actor} {
			for _, step := range []domain.Action{domain.ActionApprove, domain.ActionReject} {
				a, err := f.AddApplication(f.ctx, enteredBy, f.input(), false)
				if err != nil {
					t.Fatal(err)
				}
				view, err := f.GetApplication(f.ctx, actor, a.ID)
				if err != nil {
					t.Fatal(err)
				}
				listed := has(view.Actions, step)
				if step == domain.ActionApprove {
					_, err = f.ApproveApplication(f.ctx, actor, a.ID)
				} else {
					_, err = f.RejectApplication(f.ctx, actor, a.ID, "không đủ lý do")
				}
				if listed != (err == nil) {
					t.Errorf("%s on an application %s entered: listed %v, service said %v", name, enteredBy.Username, listed, err)
				}
			}
		}
		p, err := f.IssuePermit(f.ctx, f.clerk, f.approved(t).ID)
		if err != nil {
			t.Fatal(err)
		}
		view, err := f.GetPermit(f.ctx, actor, p.Number)
		if err != nil {
			t.Fatal(err)
		}
		_, err = f.RevokePermit(f.ctx, actor, p.Number, "cấp nhầm người")
		if listed := has(view.Actions, domain.PermitActionRevoke); listed != (err == nil) {
			t.Errorf("%s revoking: listed %v, service said %v", name, listed, err)
		}
	}
}

func TestViewsCarryActions(t *testing.T) {
	f := newFixture(t)
	a, err := f.AddApplication(f.ctx, f.clerk, f.input(), false)
	if err != nil {
		t.Fatal(err)
	}
	if want := []domain.Action{}; len(a.Actions) != 0 || a.Actions == nil {
		t.Errorf("clerk's own submitted application lists %v, want %v", a.Actions, want)
	}
	page, err := f.ListApplications(f.ctx, f.approver, ListFilter{Status: "submitted"})
	if err != nil || len(page.Items) == 0 {
		t.Fatalf("list: %v %v", page, err)
	}
	for _, it := range page.Items {
		if !has(it.Actions, domain.ActionApprove) || !has(it.Actions, domain.ActionReject) {
			t.Errorf("approver's queue row lists %v", it.Actions)
		}
	}
	approved, err := f.ApproveApplication(f.ctx, f.approver, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !has(approved.Actions, domain.ActionIssue) || has(approved.Actions, domain.ActionApprove) {
		t.Errorf("approved application lists %v for its approver", approved.Actions)
	}
	p, err := f.IssuePermit(f.ctx, f.clerk, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if want := auth.PermitActions(domain.RoleClerk, domain.PermitAwaitingHand, false); len(p.Actions) != len(want) {
		t.Errorf("issued permit lists %v for the clerk, want %v", p.Actions, want)
	}
	list, err := f.ListPermits(f.ctx, f.approver, "")
	if err != nil || len(list) != 1 || !has(list[0].Actions, domain.PermitActionSign) {
		t.Fatalf("approver's permit list: %+v %v", list, err)
	}
	got, err := f.PermitForApplication(f.ctx, f.admin, a.ID)
	if err != nil || got == nil || has(got.Actions, domain.PermitActionRevoke) || has(got.Actions, domain.PermitActionSign) {
		t.Fatalf("admin's view of the permit: %+v %v", got, err)
	}
	if _, err := f.GetPermit(f.ctx, Actor{Role: "guest"}, p.Number); codeOf(err) != CodeForbidden {
		t.Errorf("a user with no role read a permit: %v", err)
	}
}

func TestSessionStatusCarriesPermissions(t *testing.T) {
	f := newFixture(t)
	for _, c := range []struct {
		user string
		role domain.Role
	}{{"canbo", domain.RoleClerk}, {"lanhdao", domain.RoleApprover}, {"quantri", domain.RoleOfficeAdmin}} {
		s := f.NewSession()
		if _, err := s.Login(f.ctx, c.user, DemoPassword); err != nil {
			t.Fatal(err)
		}
		st, err := s.Status(f.ctx)
		if err != nil || st.User == nil {
			t.Fatalf("status: %+v %v", st, err)
		}
		want := auth.Permissions(c.role)
		if len(st.User.Permissions) != len(want) {
			t.Fatalf("%s: permissions %v, want %v", c.user, st.User.Permissions, want)
		}
		for i := range want {
			if st.User.Permissions[i] != want[i] {
				t.Errorf("%s: permissions %v, want %v", c.user, st.User.Permissions, want)
			}
		}
	}
}

// The window's card fill and gddctl's are one rule: the card's address is kept as given; an
// address naming one of today's communes also sets commune and street, and one naming an
// abolished unit (a card from before 2025) leaves the commune as it was, for the clerk.
func TestFillFromCCCD(t *testing.T) {
	f := newFixture(t)
	in := f.input()
	in.Phone = "0987654321"
	got, err := f.FillFromCCCD(in, cardTodayText)
	if err != nil {
		t.Fatal(err)
	}
	if got.Input.FullName != got.Card.FullName || got.Input.IDNumber != got.Card.IDNumber || got.Input.Phone != "0987654321" {
		t.Errorf("fill: %+v", got.Input)
	}
	if got.Card.ResidenceCommuneCode == "" || got.Input.ResidenceCommuneCode != got.Card.ResidenceCommuneCode || got.Input.ResidenceStreet != got.Card.ResidenceStreet {
		t.Errorf("matched residence not filled: %+v from %+v", got.Input, got.Card)
	}
	old, err := f.FillFromCCCD(in, cardText)
	if err != nil {
		t.Fatal(err)
	}
	if old.Input.CardAddress != old.Card.Address || old.Input.ResidenceCommuneCode != in.ResidenceCommuneCode || old.Input.ResidenceStreet != in.ResidenceStreet {
		t.Errorf("an old card's address: %+v from %+v", old.Input, old.Card)
	}
	if _, err := f.FillFromCCCD(in, "not a card"); codeOf(err) != CodeValidation {
		t.Errorf("bad card text: %v", err)
	}
}

// The users screen's key button follows the backend: an active approver's row offers a key,
// other rows do not, and nobody but the office admin is offered anything.
func TestUsersListOffersWhatTheAdminMayDo(t *testing.T) {
	f := newFixture(t)
	users, err := f.Users(f.ctx, f.admin)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range users {
		wantKey := u.Role == string(domain.RoleApprover) && u.Active
		if got := has(u.Actions, domain.UserActionEnrollKey); got != wantKey {
			t.Errorf("%s (%s, active %v): enroll_key listed %v", u.Username, u.Role, u.Active, got)
		}
		if !has(u.Actions, domain.UserActionDeactivate) {
			t.Errorf("%s: deactivate not listed for the office admin", u.Username)
		}
	}
	if _, err := f.Users(f.ctx, f.approver); err == nil {
		t.Error("an approver listed the users")
	}
}
