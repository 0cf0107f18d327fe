package app

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"giaydiduong/backend/audit"
	"giaydiduong/backend/auth"
	"giaydiduong/backend/domain"
)

func (f *fixture) userID(t *testing.T, username string) string {
	t.Helper()
	u, err := f.read(f.ctx).UserByUsername(username)
	if err != nil {
		t.Fatal(err)
	}
	return u.ID
}

func (f *fixture) passwordChecks(t *testing.T, userID string) int64 {
	t.Helper()
	var n int64
	f.DB().Model(&audit.Event{}).Where("entity_id = ? AND action IN ?", userID, []string{"auth.login_failed", "auth.locked"}).Count(&n)
	return n
}

// Finding 4: parallel wrong passwords, from two surfaces sharing only the database file (the
// window and gddctl are two processes), are checked at most five times before the lock.
func TestFinding4_ParallelGuessesLockAfterFive(t *testing.T) {
	f := newFixture(t)
	other, err := Open(f.ctx, f.DataDir())
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	other.Now = f.App.Now
	const guesses = 24
	var wg sync.WaitGroup
	codes := make([]Code, guesses)
	for i := range guesses {
		surface := f.App
		if i%2 == 1 {
			surface = other
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := surface.Login(context.Background(), "canbo", "wrong password")
			codes[i] = codeOf(err)
		}()
	}
	wg.Wait()
	if n := f.passwordChecks(t, f.userID(t, "canbo")); n != auth.MaxFailedLogins {
		t.Errorf("%d wrong passwords were checked in parallel, want %d", n, auth.MaxFailedLogins)
	}
	if n := countCode(codes, CodeUnauthenticated); n != auth.MaxFailedLogins-1 {
		t.Errorf("%d answers said \"wrong password\", want %d (the rest: locked): %v", n, auth.MaxFailedLogins-1, codes)
	}
	if _, err := f.Login(f.ctx, "canbo", DemoPassword); codeOf(err) != CodeLocked {
		t.Errorf("right password after the parallel guesses: %v, want locked", err)
	}
}

func countCode(codes []Code, c Code) int {
	n := 0
	for _, x := range codes {
		if x == c {
			n++
		}
	}
	return n
}

// Finding 4: a disabled account answers exactly like a wrong password, even to its right
// password (no password oracle), and an unknown username is answered the same way.
func TestFinding4_DisabledAndUnknownAnswerLikeWrongPassword(t *testing.T) {
	f := newFixture(t)
	if _, err := f.SetUserActive(f.ctx, f.admin, f.userID(t, "canbo"), false); err != nil {
		t.Fatal(err)
	}
	_, wrong := f.Login(f.ctx, "lanhdao", "wrong password")
	_, disabledRight := f.Login(f.ctx, "canbo", DemoPassword)
	_, disabledWrong := f.Login(f.ctx, "canbo", "wrong password")
	_, unknown := f.Login(f.ctx, "khongco", DemoPassword)
	for name, err := range map[string]error{"disabled, right password": disabledRight, "disabled, wrong password": disabledWrong, "unknown user": unknown} {
		if err == nil || err.Error() != wrong.Error() {
			t.Errorf("%s answered %v, a wrong password %v", name, err, wrong)
		}
	}
	var n int64
	f.DB().Model(&audit.Event{}).Where("action = 'auth.login_failed' AND data LIKE '%unknown_user%'").Count(&n)
	if n != 1 {
		t.Errorf("%d audit events for the unknown username, want 1", n)
	}
}

// Finding 4: an unknown username costs a password hash like a wrong password does, so the
// answer's timing does not tell which usernames exist. (Medians of three; the hash is tens of
// milliseconds, a database read alone well under one.)
func TestFinding4_UnknownUserTakesAsLongAsWrongPassword(t *testing.T) {
	f := newFixture(t)
	median := func(user string) time.Duration {
		var d []time.Duration
		for range 3 {
			start := time.Now()
			if _, err := f.Login(f.ctx, user, "wrong password"); err == nil {
				t.Fatal("logged in with a wrong password")
			}
			d = append(d, time.Since(start))
		}
		slices.Sort(d)
		return d[1]
	}
	wrong, unknown := median("canbo"), median("khongco")
	if unknown < wrong/2 {
		t.Errorf("unknown user answered in %v, a wrong password in %v: usernames can be told apart by timing", unknown, wrong)
	}
}

// Finding 6: disabling an account or resetting its password ends its open sessions at once,
// including sessions held by another surface on the same database.
func TestFinding6_AccountChangesEndOpenSessions(t *testing.T) {
	f := newFixture(t)
	other, err := Open(f.ctx, f.DataDir())
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	other.Now = f.App.Now
	tests := []struct {
		name, user string
		change     func(id string) error
	}{
		{"disabled", "lanhdao", func(id string) error { _, err := f.SetUserActive(f.ctx, f.admin, id, false); return err }},
		{"password reset", "canbo", func(id string) error { return f.ResetPassword(f.ctx, f.admin, id, "matkhau-moi-2026") }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			here, there := f.NewSession(), other.NewSession()
			for _, s := range []*Session{here, there} {
				if _, err := s.Login(f.ctx, tc.user, DemoPassword); err != nil {
					t.Fatal(err)
				}
			}
			if err := tc.change(f.userID(t, tc.user)); err != nil {
				t.Fatal(err)
			}
			for i, s := range []*Session{here, there} {
				if _, err := s.Actor(f.ctx); codeOf(err) != CodeUnauthenticated {
					t.Errorf("session %d after the account was %s: %v, want unauthenticated", i, tc.name, err)
				}
				st, err := s.Status(f.ctx)
				if err != nil || st.User != nil {
					t.Errorf("session %d status: %+v %v, want signed out", i, st.User, err)
				}
			}
		})
	}
	// A session also ends MaxSessionAge after sign-in, however active.
	s := f.NewSession()
	if _, err := s.Login(f.ctx, "quantri", DemoPassword); err != nil {
		t.Fatal(err)
	}
	for f.now.Sub(time.Date(2026, 11, 28, 9, 0, 0, 0, vietnam)) <= MaxSessionAge {
		f.now = f.now.Add(4 * time.Minute)
		if _, err := s.Actor(f.ctx); err != nil {
			break
		}
	}
	if _, err := s.Actor(f.ctx); codeOf(err) != CodeUnauthenticated {
		t.Errorf("session past MaxSessionAge: %v", err)
	}
}

// realOffice is a fixture office set up the way a real one is (not the demo, which is its
// own province): the admin from Setup, then a clerk and an approver added by the admin, a day
// before the tests start.
func realOffice(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	a, err := Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	f := &fixture{App: a, ctx: ctx, now: time.Date(2026, 11, 27, 9, 0, 0, 0, vietnam)}
	a.Now = func() time.Time { return f.now }
	if f.admin, err = a.Setup(ctx, SetupInput{OfficeName: "UBND Xã Tân Mỹ Chánh", AgencyKind: domain.AgencyCommuneCommittee, UnitCode: DemoUnitCode,
		AdminUsername: "quantri", AdminFullName: "Nguyễn Quản Trị", AdminPassword: DemoPassword}); err != nil {
		t.Fatal(err)
	}
	for _, u := range []UserInput{
		{Username: "canbo", FullName: "Nguyễn Thị Hà", Role: domain.RoleClerk, Password: DemoPassword},
		{Username: "lanhdao", FullName: "Lê Văn Đức", Title: "Chủ tịch", Role: domain.RoleApprover, Password: DemoPassword},
	} {
		if _, err := a.AddUser(ctx, f.admin, u); err != nil {
			t.Fatal(err)
		}
	}
	f.now = f.now.Add(ApproverHold + time.Hour)
	if f.clerk, err = a.Login(ctx, "canbo", DemoPassword); err != nil {
		t.Fatal(err)
	}
	if f.approver, err = a.Login(ctx, "lanhdao", DemoPassword); err != nil {
		t.Fatal(err)
	}
	return f
}

// Finding 7: a new approver, or one whose password was reset, decides nothing for 24 hours,
// and every account change is shown to the office's other approvers at their next login,
// with its audit event, until they acknowledge it.
func TestFinding7_NewOrResetApproverWaitsAndOthersAreTold(t *testing.T) {
	f := realOffice(t)
	// lanhdao has seen the office's history up to now.
	ls := f.NewSession()
	if _, err := ls.Login(f.ctx, "lanhdao", DemoPassword); err != nil {
		t.Fatal(err)
	}
	st, err := ls.Status(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(st.AccountNotices) > 0 {
		if err := ls.AcknowledgeAccountNotices(f.ctx, st.AccountNotices[len(st.AccountNotices)-1].Seq); err != nil {
			t.Fatal(err)
		}
	}

	pho, err := f.AddUser(f.ctx, f.admin, UserInput{Username: "pho", FullName: "Trần Văn Phó", Title: "Phó Chủ tịch", Role: domain.RoleApprover, Password: "matkhau-pho-2026"})
	if err != nil {
		t.Fatal(err)
	}
	if pho.DecideAfter == nil || !pho.DecideAfter.Equal(f.now.Add(ApproverHold)) {
		t.Errorf("new approver decide_after %v", pho.DecideAfter)
	}
	phoActor, err := f.Login(f.ctx, "pho", "matkhau-pho-2026")
	if err != nil {
		t.Fatal(err)
	}
	submitted := func() string {
		a, err := f.AddApplication(f.ctx, f.clerk, f.input(), false)
		if err != nil {
			t.Fatal(err)
		}
		return a.ID
	}
	id := submitted()
	if _, err := f.ApproveApplication(f.ctx, phoActor, id); codeOf(err) != CodeForbidden {
		t.Fatalf("a new approver approved at once: %v", err)
	}
	if _, err := f.RejectApplication(f.ctx, phoActor, id, "thiếu giấy tờ"); codeOf(err) != CodeForbidden {
		t.Fatalf("a new approver rejected at once: %v", err)
	}

	// The other approver is told, with the audit event, at the next login.
	s := f.NewSession()
	if _, err := s.Login(f.ctx, "lanhdao", DemoPassword); err != nil {
		t.Fatal(err)
	}
	if st, err = s.Status(f.ctx); err != nil {
		t.Fatal(err)
	}
	var created *AccountNotice
	for i, n := range st.AccountNotices {
		if n.Action == "user.create" && n.UserID == pho.ID {
			created = &st.AccountNotices[i]
		}
	}
	if created == nil || created.Actor != "quantri" || created.Username != "pho" || created.EventID == "" || created.Hash == "" {
		t.Fatalf("lanhdao's notices at login: %+v", st.AccountNotices)
	}
	if err := s.AcknowledgeAccountNotices(f.ctx, st.AccountNotices[len(st.AccountNotices)-1].Seq); err != nil {
		t.Fatal(err)
	}
	if st, _ = s.Status(f.ctx); len(st.AccountNotices) != 0 {
		t.Errorf("notices after acknowledging: %+v", st.AccountNotices)
	}
	// The clerk, who cannot decide, is not the one told.
	cs := f.NewSession()
	if _, err := cs.Login(f.ctx, "canbo", DemoPassword); err != nil {
		t.Fatal(err)
	}
	if st, _ := cs.Status(f.ctx); len(st.AccountNotices) != 0 {
		t.Errorf("clerk got notices: %+v", st.AccountNotices)
	}

	f.now = f.now.Add(ApproverHold + time.Minute)
	if _, err := f.ApproveApplication(f.ctx, phoActor, id); err != nil {
		t.Fatalf("after the hold: %v", err)
	}

	// Resetting the leader's password puts the leader on hold too, and pho is told.
	if err := f.ResetPassword(f.ctx, f.admin, f.approver.UserID, "matkhau-moi-2026"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.ApproveApplication(f.ctx, f.approver, submitted()); codeOf(err) != CodeForbidden {
		t.Fatalf("a reset approver approved at once: %v", err)
	}
	ps := f.NewSession()
	if _, err := ps.Login(f.ctx, "pho", "matkhau-pho-2026"); err != nil {
		t.Fatal(err)
	}
	st, _ = ps.Status(f.ctx)
	if !slices.ContainsFunc(st.AccountNotices, func(n AccountNotice) bool {
		return n.Action == "user.reset_password" && n.UserID == f.approver.UserID
	}) {
		t.Errorf("pho's notices do not show the leader's password reset: %+v", st.AccountNotices)
	}
}

// The demo office is its own province: a leader the admin adds there signs at once.
func TestFinding7_DemoOfficeHasNoHold(t *testing.T) {
	f := newFixture(t)
	if _, err := f.AddUser(f.ctx, f.admin, UserInput{Username: "pho", FullName: "Trần Văn Phó", Role: domain.RoleApprover, Password: "matkhau-pho-2026"}); err != nil {
		t.Fatal(err)
	}
	pho, err := f.Login(f.ctx, "pho", "matkhau-pho-2026")
	if err != nil {
		t.Fatal(err)
	}
	a, err := f.AddApplication(f.ctx, f.clerk, f.input(), false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.ApproveApplication(f.ctx, pho, a.ID); err != nil {
		t.Errorf("demo office: %v", err)
	}
}
