package app

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"giaydiduong/backend/audit"
	"giaydiduong/backend/domain"
	"giaydiduong/backend/officekey"
	"giaydiduong/backend/outbox"
)

// fixture is a demo office on a real SQLite file, with a movable clock.
type fixture struct {
	*App
	ctx                    context.Context
	now                    time.Time
	admin, clerk, approver Actor
}

// inputSerial makes each input() another citizen (in every fixture, restored copies too), so
// tests that add many applications do not trip the duplicate check, which has tests of its own.
var inputSerial atomic.Int64

func newFixture(t testing.TB) *fixture {
	t.Helper()
	return newFixtureIn(t, t.TempDir(), officekey.Options{}, true)
}

// newFixtureIn opens the office in dir with its office key reached through keys, seeding the
// demo first when seed is set, and signs in the demo's three users.
func newFixtureIn(t testing.TB, dir string, keys officekey.Options, seed bool) *fixture {
	t.Helper()
	ctx := context.Background()
	a, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	a.KeyOptions = keys
	t.Cleanup(func() { a.Close() })
	f := &fixture{App: a, ctx: ctx, now: time.Date(2026, 11, 28, 9, 0, 0, 0, vietnam)}
	a.Now = func() time.Time { return f.now }
	if seed {
		if err := a.SeedDemo(ctx); err != nil {
			t.Fatal(err)
		}
	}
	for _, u := range []struct {
		name string
		dst  *Actor
	}{{"quantri", &f.admin}, {"canbo", &f.clerk}, {"lanhdao", &f.approver}} {
		if *u.dst, err = a.Login(ctx, u.name, DemoPassword); err != nil {
			t.Fatalf("login %s: %v", u.name, err)
		}
	}
	return f
}

func (f *fixture) day(n int) string { return f.now.AddDate(0, 0, n).Format(time.DateOnly) }

func (f *fixture) input() domain.ApplicationInput {
	return domain.ApplicationInput{
		FullName: "Nguyễn Văn Dũng", BirthDate: "1995-03-15", Gender: domain.Male, IDNumber: fmt.Sprintf("082095%06d", 500000+inputSerial.Add(1)),
		Phone: "0912345678", ResidenceCommuneCode: DemoUnitCode, ResidenceStreet: "Ấp Tân Hòa",
		PurposeCode: "work", RouteFrom: "Ấp Tân Hòa", RouteTo: "Phường 5, Thành phố Mỹ Tho",
		VehicleType: domain.VehicleMotorbike, VehiclePlate: "63-B1 123.45", ValidFrom: f.day(0), ValidTo: f.day(6),
	}
}

func codeOf(err error) Code {
	if err == nil {
		return ""
	}
	return AsError(err).Code
}

func (f *fixture) counts(t *testing.T) (apps, events, queued int64) {
	t.Helper()
	f.DB().Table("applications").Count(&apps)
	f.DB().Model(&audit.Event{}).Count(&events)
	f.DB().Model(&outbox.Entry{}).Count(&queued)
	return
}

func TestWorkflowAndRoles(t *testing.T) {
	f := newFixture(t)
	for _, c := range []struct {
		name string
		run  func() error
		want Code
	}{
		{"clerk adds", func() error { _, err := f.AddApplication(f.ctx, f.clerk, f.input(), false); return err }, ""},
		{"clerk cannot approve", func() error {
			a, _ := f.AddApplication(f.ctx, f.clerk, f.input(), false)
			_, err := f.ApproveApplication(f.ctx, f.clerk, a.ID)
			return err
		}, CodeForbidden},
		{"office admin cannot approve", func() error {
			a, _ := f.AddApplication(f.ctx, f.clerk, f.input(), false)
			_, err := f.ApproveApplication(f.ctx, f.admin, a.ID)
			return err
		}, CodeForbidden},
		{"approver approves", func() error {
			a, _ := f.AddApplication(f.ctx, f.clerk, f.input(), false)
			_, err := f.ApproveApplication(f.ctx, f.approver, a.ID)
			return err
		}, ""},
		{"approve twice is an illegal transition", func() error {
			a, _ := f.AddApplication(f.ctx, f.clerk, f.input(), false)
			f.ApproveApplication(f.ctx, f.approver, a.ID)
			_, err := f.ApproveApplication(f.ctx, f.approver, a.ID)
			return err
		}, CodeInvalidTransition},
		{"a draft cannot be approved", func() error {
			a, _ := f.AddApplication(f.ctx, f.clerk, f.input(), true)
			_, err := f.ApproveApplication(f.ctx, f.approver, a.ID)
			return err
		}, CodeInvalidTransition},
		{"a rejected one cannot be approved", func() error {
			a, _ := f.AddApplication(f.ctx, f.clerk, f.input(), false)
			f.RejectApplication(f.ctx, f.approver, a.ID, "Không đúng đối tượng")
			_, err := f.ApproveApplication(f.ctx, f.approver, a.ID)
			return err
		}, CodeInvalidTransition},
		{"reject needs a reason", func() error {
			a, _ := f.AddApplication(f.ctx, f.clerk, f.input(), false)
			_, err := f.RejectApplication(f.ctx, f.approver, a.ID, " ")
			return err
		}, CodeValidation},
		{"four-eyes: approver cannot approve own entry", func() error {
			a, _ := f.AddApplication(f.ctx, f.approver, f.input(), false)
			_, err := f.ApproveApplication(f.ctx, f.approver, a.ID)
			return err
		}, CodeForbidden},
		{"draft submitted then approved", func() error {
			a, _ := f.AddApplication(f.ctx, f.clerk, f.input(), true)
			if _, err := f.SubmitApplication(f.ctx, f.clerk, a.ID); err != nil {
				return err
			}
			_, err := f.ApproveApplication(f.ctx, f.approver, a.ID)
			return err
		}, ""},
		{"clerk cannot change rules", func() error {
			_, err := f.UpdateRules(f.ctx, f.clerk, RulesInput{Purposes: domain.DefaultRules("").Purposes, MaxDays: 7})
			return err
		}, CodeForbidden},
		{"approver cannot add users", func() error {
			_, err := f.AddUser(f.ctx, f.approver, UserInput{Username: "x123", FullName: "Người Mới", Role: domain.RoleClerk, Password: "12345678"})
			return err
		}, CodeForbidden},
		{"unknown application", func() error { _, err := f.ApproveApplication(f.ctx, f.approver, "nope"); return err }, CodeNotFound},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := codeOf(c.run()); got != c.want {
				t.Errorf("got %q, want %q", got, c.want)
			}
		})
	}
}

func TestFourEyesCanBeSwitchedOff(t *testing.T) {
	f := newFixture(t)
	a, err := f.AddApplication(f.ctx, f.approver, f.input(), false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.UpdateSettings(f.ctx, f.admin, Settings{IdleLockMinutes: 5, FourEyes: false}); err != nil {
		t.Fatal(err)
	}
	got, err := f.ApproveApplication(f.ctx, f.approver, a.ID)
	if err != nil || got.Status != string(domain.StatusApproved) || got.DecidedByName != "Lê Văn Đức" {
		t.Fatalf("one-person office approval: %+v, %v", got.Status, err)
	}
}

func TestStateChangesAreAuditedAndQueued(t *testing.T) {
	f := newFixture(t)
	apps0, ev0, q0 := f.counts(t)
	a, err := f.AddApplication(f.ctx, f.clerk, f.input(), false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.RejectApplication(f.ctx, f.approver, a.ID, "Thiếu giấy xác nhận nơi làm việc"); err != nil {
		t.Fatal(err)
	}
	apps1, ev1, q1 := f.counts(t)
	if apps1-apps0 != 1 || ev1-ev0 != 2 || q1-q0 != 2 {
		t.Fatalf("add+reject wrote %d applications, %d events, %d outbox entries; want 1, 2, 2", apps1-apps0, ev1-ev0, q1-q0)
	}
	var e audit.Event
	f.DB().Order("seq DESC").First(&e)
	if e.Action != "application.reject" || e.Actor != "lanhdao" || e.EntityID != a.ID {
		t.Errorf("last event %+v", e)
	}
	var last outbox.Entry
	f.DB().Order("seq DESC").First(&last)
	if last.EntityID != a.ID || last.Version != 2 {
		t.Errorf("outbox has %s v%d, want %s v2", last.EntityID, last.Version, a.ID)
	}
	r, err := audit.Verify(f.ctx, f.DB())
	if err != nil || !r.OK {
		t.Fatalf("audit chain: %+v %v", r, err)
	}
}

func TestBadInputChangesNothing(t *testing.T) {
	f := newFixture(t)
	apps0, ev0, q0 := f.counts(t)
	in := f.input()
	in.IDNumber = "000095001234" // no such province code
	in.ValidFrom = f.day(-1)     // in the past
	_, err := f.AddApplication(f.ctx, f.clerk, in, false)
	e := AsError(err)
	if e == nil || e.Code != CodeValidation {
		t.Fatalf("got %v, want a validation error", err)
	}
	fields := map[string]bool{}
	for _, fe := range e.Fields {
		fields[fe.Field] = true
		if fe.VI == "" || fe.EN == "" {
			t.Errorf("field %s lacks a message: %+v", fe.Field, fe)
		}
	}
	if !fields["id_number"] || !fields["valid_from"] {
		t.Errorf("errors name %v, want id_number and valid_from", fields)
	}
	if a, ev, q := f.counts(t); a != apps0 || ev != ev0 || q != q0 {
		t.Errorf("a refused application changed the database: %d/%d/%d -> %d/%d/%d", apps0, ev0, q0, a, ev, q)
	}
}

func TestLockoutAfterFiveFailures(t *testing.T) {
	f := newFixture(t)
	for i := 1; i <= 4; i++ {
		if _, err := f.Login(f.ctx, "canbo", "wrong"); codeOf(err) != CodeUnauthenticated {
			t.Fatalf("attempt %d: %v", i, err)
		}
	}
	if _, err := f.Login(f.ctx, "canbo", "wrong"); codeOf(err) != CodeLocked {
		t.Fatalf("fifth failure: %v, want locked", err)
	}
	if _, err := f.Login(f.ctx, "canbo", DemoPassword); codeOf(err) != CodeLocked {
		t.Fatalf("right password while locked: %v, want locked", err)
	}
	f.now = f.now.Add(4 * time.Minute)
	if _, err := f.Login(f.ctx, "canbo", DemoPassword); codeOf(err) != CodeLocked {
		t.Fatalf("after 4 minutes: %v, want still locked", err)
	}
	f.now = f.now.Add(61 * time.Second)
	if _, err := f.Login(f.ctx, "canbo", DemoPassword); err != nil {
		t.Fatalf("after 5 minutes: %v", err)
	}
	var n int64
	f.DB().Model(&audit.Event{}).Where("action IN ?", []string{"auth.login_failed", "auth.locked"}).Count(&n)
	if n != 5 {
		t.Errorf("%d failed-login events, want 5", n)
	}
}

func TestSessionIdleLock(t *testing.T) {
	f := newFixture(t)
	s := f.NewSession()
	if _, err := s.Actor(f.ctx); codeOf(err) != CodeUnauthenticated {
		t.Fatalf("signed out: %v", err)
	}
	if _, err := s.Login(f.ctx, "canbo", DemoPassword); err != nil {
		t.Fatal(err)
	}
	f.now = f.now.Add(4 * time.Minute)
	if _, err := s.Actor(f.ctx); err != nil {
		t.Fatalf("4 idle minutes: %v", err)
	}
	f.now = f.now.Add(5*time.Minute + time.Second)
	if _, err := s.Actor(f.ctx); codeOf(err) != CodeScreenLocked {
		t.Fatalf("after the idle limit: %v, want screen_locked", err)
	}
	if err := s.Unlock(f.ctx, "wrong"); err == nil {
		t.Fatal("unlocked with a wrong password")
	}
	if err := s.Unlock(f.ctx, DemoPassword); err != nil {
		t.Fatal(err)
	}
	if a, err := s.Actor(f.ctx); err != nil || a.Username != "canbo" {
		t.Fatalf("after unlock: %v %v", a, err)
	}
	s.Lock()
	if _, err := s.Actor(f.ctx); codeOf(err) != CodeScreenLocked {
		t.Fatalf("after Lock: %v", err)
	}
}

// TestPollingIsNotActivity: a screen polling on its own timer (tokens, a batch's progress)
// is refused when locked like any call, but does not keep the seat from locking.
func TestPollingIsNotActivity(t *testing.T) {
	f := newFixture(t)
	s := f.NewSession()
	if _, err := s.Login(f.ctx, "lanhdao", DemoPassword); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 5; i++ {
		f.now = f.now.Add(time.Minute + time.Second)
		if _, err := s.Observer(f.ctx); i < 4 && err != nil {
			t.Fatalf("poll after %d idle minutes: %v", i+1, err)
		}
	}
	if _, err := s.Observer(f.ctx); codeOf(err) != CodeScreenLocked {
		t.Fatalf("polling held off the idle lock: %v", err)
	}
	if _, err := s.Actor(f.ctx); codeOf(err) != CodeScreenLocked {
		t.Fatalf("after the idle limit: %v", err)
	}
}

func TestListSearchFiltersAndPaging(t *testing.T) {
	f := newFixture(t)
	names := []string{"Nguyễn Văn Dũng", "Đỗ Thị Đào", "Trần Văn Đông", "Lê Thị Dung"}
	for i, n := range names {
		in := f.input()
		in.FullName = n
		if i%2 == 1 {
			in.Gender = domain.Female
			in.IDNumber = fmt.Sprintf("08219500123%d", i)
		}
		f.now = f.now.Add(time.Minute)
		if _, err := f.AddApplication(f.ctx, f.clerk, in, false); err != nil {
			t.Fatalf("%s: %v", n, err)
		}
	}
	for _, c := range []struct {
		filter ListFilter
		want   []string
	}{
		{ListFilter{Search: "nguyen van dung"}, []string{"Nguyễn Văn Dũng"}},
		{ListFilter{Search: "NGUYỄN VĂN DŨNG"}, []string{"Nguyễn Văn Dũng"}},
		{ListFilter{Search: "do thi dao"}, []string{"Đỗ Thị Đào"}},
		{ListFilter{Search: "dong"}, []string{"Trần Văn Đông"}},
		{ListFilter{Search: "dung", Status: "submitted"}, []string{"Lê Thị Dung", "Nguyễn Văn Dũng"}},
		{ListFilter{Search: "082195"}, []string{"Lê Thị Dung", "Đỗ Thị Đào"}},
		{ListFilter{Search: "100%_"}, nil},
		{ListFilter{Status: "approved"}, []string{"Phạm Thị Ngọc Ánh"}},
		{ListFilter{Status: "submitted", PurposeCode: "medical"}, []string{"Đặng Thị Hồng Nhung"}},
		{ListFilter{Status: "submitted", Page: 2, PageSize: 2}, []string{"Đỗ Thị Đào", "Nguyễn Văn Dũng"}},
		{ListFilter{Status: "submitted", Page: 3, PageSize: 2}, []string{"Đặng Thị Hồng Nhung"}},
		{ListFilter{DateFrom: f.day(1)}, nil},
		{ListFilter{DateFrom: f.day(0), DateTo: f.day(0), Search: "dao"}, []string{"Đỗ Thị Đào"}},
	} {
		page, err := f.ListApplications(f.ctx, f.clerk, c.filter)
		if err != nil {
			t.Fatalf("%+v: %v", c.filter, err)
		}
		var got []string
		for _, it := range page.Items {
			got = append(got, it.FullName)
		}
		if len(got) != len(c.want) {
			t.Errorf("%+v: got %v, want %v", c.filter, got, c.want)
			continue
		}
		for i := range got {
			if got[i] != c.want[i] {
				t.Errorf("%+v: got %v, want %v", c.filter, got, c.want)
				break
			}
		}
	}
	page, _ := f.ListApplications(f.ctx, f.clerk, ListFilter{Status: "submitted", Page: 1, PageSize: 2})
	if page.Total != 5 || len(page.Items) != 2 {
		t.Errorf("paging: total %d, items %d; want 5 and 2", page.Total, len(page.Items))
	}
	if _, err := f.ListApplications(f.ctx, f.clerk, ListFilter{Status: "lost"}); codeOf(err) != CodeValidation {
		t.Errorf("unknown status filter: %v", err)
	}
}

func TestRulesAreVersionedAndApplied(t *testing.T) {
	f := newFixture(t)
	in := RulesInput{PermitsRequired: true, Purposes: []domain.Purpose{{Code: "work", VI: "Đi làm"}}, MaxDays: 3, CurfewStart: "21:00", CurfewEnd: "05:00"}
	r, err := f.UpdateRules(f.ctx, f.admin, in)
	if err != nil || r.Version != 2 || r.Purposes[0].EN != "Đi làm" {
		t.Fatalf("update: %+v %v", r, err)
	}
	app := f.input() // a 7-day window
	_, err = f.AddApplication(f.ctx, f.clerk, app, false)
	if e := AsError(err); e == nil || len(e.Fields) != 1 || e.Fields[0].Field != "valid_to" {
		t.Fatalf("7 days under a 3-day rule: %v", err)
	}
	app.ValidTo, app.PurposeCode = f.day(2), "medical"
	_, err = f.AddApplication(f.ctx, f.clerk, app, false)
	if e := AsError(err); e == nil || e.Fields[0].Field != "purpose_code" {
		t.Fatalf("purpose removed by the new rules: %v", err)
	}
	for _, bad := range []RulesInput{
		{Purposes: nil, MaxDays: 3},
		{Purposes: in.Purposes, MaxDays: 0},
		{Purposes: in.Purposes, MaxDays: 3, CurfewStart: "25:00", CurfewEnd: "05:00"},
		{Purposes: in.Purposes, MaxDays: 3, CurfewStart: "21:00"},
		{Purposes: []domain.Purpose{{Code: "a", VI: "x"}, {Code: "a", VI: "y"}}, MaxDays: 3},
	} {
		if _, err := f.UpdateRules(f.ctx, f.admin, bad); codeOf(err) != CodeValidation {
			t.Errorf("%+v accepted: %v", bad, err)
		}
	}
	h, err := f.RulesHistory(f.ctx, f.clerk)
	if err != nil || len(h) != 2 || h[0].Version != 2 || h[1].Version != 1 {
		t.Fatalf("history: %v %v", h, err)
	}
}

func TestSetupOnlyOnce(t *testing.T) {
	f := newFixture(t)
	_, err := f.Setup(f.ctx, SetupInput{OfficeName: "X", AgencyKind: domain.AgencyCommuneCommittee, UnitCode: DemoUnitCode, AdminUsername: "admin2", AdminFullName: "Quản Trị", AdminPassword: "12345678"})
	if codeOf(err) != CodeConflict {
		t.Fatalf("second set-up: %v", err)
	}
	var e *Error
	if !errors.As(err, &e) || e.VI == "" {
		t.Fatal("no message")
	}
}
