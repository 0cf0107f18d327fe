package app

import (
	"fmt"
	"path/filepath"
	"testing"

	"giaydiduong/backend/domain"
	"giaydiduong/backend/permit"
	"giaydiduong/backend/province"
	"giaydiduong/backend/province/provincetest"
	"giaydiduong/backend/store"
)

func (f *syncFixture) unlockRoot(t *testing.T) {
	t.Helper()
	if err := f.p.Svc.UnlockRoot(filepath.Join(f.p.Dir, province.RootKeyFile), provincetest.RootPassphrase); err != nil {
		t.Fatal(err)
	}
}

func (f *syncFixture) userRow(t *testing.T, username string) store.User {
	t.Helper()
	var u store.User
	if err := f.DB().Where("username = ?", username).First(&u).Error; err != nil {
		t.Fatal(err)
	}
	return u
}

// An account made at the province signs in at the office after one sync; the enrolled
// office's own accounts, and a province account whose role was edited in the local database,
// are refused and change nothing.
func TestPulledAccountSignsInLocalEditRefused(t *testing.T) {
	f := newSyncFixture(t, nil)
	f.unlockRoot(t)
	const pw = "mat-khau-tinh-1"
	if _, err := f.p.Svc.CreateAccount(f.ctx, "cli:so", province.AccountInput{UnitCode: DemoUnitCode, Username: "canbo.tinh", FullName: "Lê Thị Hoa", Role: domain.RoleClerk, Password: pw}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Login(f.ctx, "canbo.tinh", pw); codeOf(err) != CodeUnauthenticated {
		t.Fatalf("before sync: %v", err)
	}
	// Enrolled: the office's own accounts no longer sign in.
	if _, err := f.Login(f.ctx, "canbo", DemoPassword); codeOf(err) != CodeUnauthenticated {
		t.Fatalf("a local account of an enrolled office: %v", err)
	}
	rep, err := f.SyncNow(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Pull.Feeds["accounts"] != 4 || rep.Pulled < 4 {
		t.Fatalf("pulled %+v", rep)
	}
	actor, err := f.Login(f.ctx, "canbo.tinh", pw)
	if err != nil {
		t.Fatalf("the province's account after one sync: %v", err)
	}
	if actor.Role != domain.RoleClerk || actor.FullName != "Lê Thị Hoa" {
		t.Fatalf("signed in as %+v", actor)
	}
	// Accounts are the province's now: the office admin cannot add one or reset a password.
	if _, err := f.AddUser(f.ctx, f.admin, UserInput{Username: "moi", FullName: "Người Mới", Role: domain.RoleClerk, Password: "mat-khau-moi-1"}); codeOf(err) != CodeConflict {
		t.Fatalf("a local account at an enrolled office: %v", err)
	}
	if err := f.ResetPassword(f.ctx, f.admin, actor.UserID, "mat-khau-moi-1"); codeOf(err) != CodeConflict {
		t.Fatalf("a local password reset at an enrolled office: %v", err)
	}
	st, err := f.SyncStatus(f.ctx)
	if err != nil || len(st.Pull) != 5 {
		t.Fatalf("sync status: %+v %v", st.Pull, err)
	}
	// A second sync pulls nothing new.
	if rep, err = f.SyncNow(f.ctx); err != nil || rep.Pulled != 0 {
		t.Fatalf("second sync: %+v %v", rep, err)
	}

	// Someone with the database file makes the clerk an office admin.
	if err := f.DB().Exec("UPDATE users SET role = 'office_admin' WHERE username = 'canbo.tinh'").Error; err != nil {
		t.Fatal(err)
	}
	before := f.userRow(t, "canbo.tinh")
	if _, err := f.Login(f.ctx, "canbo.tinh", pw); codeOf(err) != CodeUnauthenticated {
		t.Fatalf("a role edited locally: %v", err)
	}
	if after := f.userRow(t, "canbo.tinh"); after != before {
		t.Fatalf("the refused sign-in changed the account: %+v → %+v", before, after)
	}
	// Back as the province signed it, it works again; a forged record does not.
	if err := f.DB().Exec("UPDATE users SET role = 'clerk' WHERE username = 'canbo.tinh'").Error; err != nil {
		t.Fatal(err)
	}
	if _, err := f.Login(f.ctx, "canbo.tinh", pw); err != nil {
		t.Fatal(err)
	}
	if err := f.DB().Exec("UPDATE pulled_records SET signature = X'3006020101020101' WHERE entity = 'role' AND entity_id = 'clerk'").Error; err != nil {
		t.Fatal(err)
	}
	if _, err := f.Login(f.ctx, "canbo.tinh", pw); codeOf(err) != CodeUnauthenticated {
		t.Fatalf("a role record with a forged signature: %v", err)
	}
}

// A permit revoked at the province verifies as revoked at the office after a sync, saying by
// whom; locality rules published ahead arrive with their day; a 410 starts a snapshot over.
func TestPulledRevocationsRulesAndSnapshot(t *testing.T) {
	f := newSyncFixture(t, nil)
	f.unlockRoot(t)
	p, err := f.IssuePermit(f.ctx, f.clerk, f.approved(t).ID)
	if err != nil {
		t.Fatal(err)
	}
	v, err := f.Verify(f.ctx, f.clerk, p.QR)
	if err != nil || v.Result.Status != permit.StatusValid {
		t.Fatalf("before: %+v %v", v.Result, err)
	}
	if _, err := f.p.Svc.RevokePermit(f.ctx, "cli:so", p.Number, "Cấp sai đối tượng"); err != nil {
		t.Fatal(err)
	}
	rules := province.RulesFile{RulesInput: domain.RulesInput{PermitsRequired: true, Purposes: []domain.Purpose{{Code: "work", VI: "Đi làm"}}, MaxDays: 5}, EffectiveFrom: "2099-01-01"}
	if _, err := f.p.Svc.SetRules(f.ctx, "cli:so", DemoUnitCode, rules, false); err != nil {
		t.Fatal(err)
	}
	current, err := f.CurrentRules(f.ctx, f.clerk)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := f.SyncNow(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Pull.Feeds["revocations"] != 1 || rep.Pull.Feeds["rules"] != 1 {
		t.Fatalf("pulled %+v", rep.Pull)
	}
	v, err = f.Verify(f.ctx, f.clerk, p.QR)
	if err != nil || v.Result.Status != permit.StatusRevoked || v.Result.Revocation == nil || v.Result.Revocation.RevokedBy != "province:cli:so" {
		t.Fatalf("after the province revoked it: %+v %v", v.Result, err)
	}
	if v.Trust.ProvinceRevoked != 1 || v.Trust.RevocationsPulledAt == nil {
		t.Fatalf("freshness: %+v", v.Trust)
	}
	// Rules for 2099 are held but not in force.
	if now, err := f.CurrentRules(f.ctx, f.clerk); err != nil || now.Version != current.Version {
		t.Fatalf("rules in force: %+v (was %+v) %v", now, current, err)
	}
	var held int64
	f.DB().Table("rules").Where("effective_from = '2099-01-01'").Count(&held)
	if held != 1 {
		t.Fatal("the published rules are not held")
	}

	// The province's database is restored: a new epoch. The office starts over from a
	// snapshot; what it held is still there, nothing is duplicated, a revocation made since
	// arrives.
	if _, err := f.p.Svc.NewEpoch(f.ctx, "t"); err != nil {
		t.Fatal(err)
	}
	p2, err := f.IssuePermit(f.ctx, f.clerk, f.approved(t).ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.p.Svc.RevokePermit(f.ctx, "cli:so", p2.Number, "Mất giấy"); err != nil {
		t.Fatal(err)
	}
	if rep, err = f.SyncNow(f.ctx); err != nil {
		t.Fatal(err)
	}
	if rep.Pull.Snapshots["revocations"] == "" || rep.Pull.Feeds["revocations"] != 2 {
		t.Fatalf("after a new epoch: %+v", rep.Pull)
	}
	var n int64
	f.DB().Table("pulled_revocations").Count(&n)
	if n != 2 {
		t.Fatalf("the office holds %d revocations", n)
	}
	cur, err := f.read(f.ctx).PullCursorOf("revocations")
	if err != nil || cur.InSnapshot || cur.Gen != 2 {
		t.Fatalf("cursor after the snapshot: %+v %v", cur, err)
	}
}

// A page with a record not signed by the province is applied not at all, and its cursor
// stays.
func TestPullRefusesUnsignedPage(t *testing.T) {
	f := newSyncFixture(t, nil)
	f.unlockRoot(t)
	if _, err := f.p.Svc.CreateAccount(f.ctx, "cli:so", province.AccountInput{UnitCode: DemoUnitCode, Username: "canbo.tinh", FullName: "Lê Thị Hoa", Role: domain.RoleApprover, Password: "mat-khau-tinh-1"}); err != nil {
		t.Fatal(err)
	}
	forged := []byte{0x30, 0x06, 2, 1, 1, 2, 1, 1}
	if err := f.p.Svc.DB().Exec("UPDATE feed_entries SET signature = ? WHERE feed = 'accounts' AND entity = 'user'", forged).Error; err != nil {
		t.Fatal(err)
	}
	if _, err := f.SyncNow(f.ctx); err == nil {
		t.Fatal("a forged page was taken")
	}
	var n int64
	f.DB().Table("pulled_records").Where("feed = 'accounts'").Count(&n)
	cur, _ := f.read(f.ctx).PullCursorOf("accounts")
	if n != 0 || cur.Cursor != "" {
		t.Fatalf("forged page applied: %d records, cursor %q", n, cur.Cursor)
	}
	if _, err := f.read(f.ctx).UserByUsername("canbo.tinh"); !isNotFound(err) {
		t.Fatalf("the forged account was made: %v", err)
	}
}

// Revocations are checked when used: one with a forged signature (from the wire, or a row
// edited at the office) revokes nothing.
func TestForgedRevocationRevokesNothing(t *testing.T) {
	f := newSyncFixture(t, nil)
	f.unlockRoot(t)
	p, err := f.IssuePermit(f.ctx, f.clerk, f.approved(t).ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.p.Svc.RevokePermit(f.ctx, "cli:so", p.Number, "x"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.SyncNow(f.ctx); err != nil {
		t.Fatal(err)
	}
	if v, err := f.Verify(f.ctx, f.clerk, p.QR); err != nil || v.Result.Status != permit.StatusRevoked {
		t.Fatalf("revoked: %+v %v", v.Result, err)
	}
	if err := f.DB().Exec("UPDATE pulled_revocations SET signature = X'3006020101020101'").Error; err != nil {
		t.Fatal(err)
	}
	if v, err := f.Verify(f.ctx, f.clerk, p.QR); err != nil || v.Result.Status != permit.StatusValid {
		t.Fatalf("a forged revocation: %+v %v", v.Result, err)
	}
}

// BenchmarkOfficePullRevocations: an enrolled office pulls a snapshot of 100,000 province
// revocations over loopback mutual TLS and applies it (signatures checked on every core, each
// page with its cursor in one SQLite transaction), through SyncNow.
func BenchmarkOfficePullRevocations(b *testing.B) {
	const total = 100000
	f := &syncFixture{fixture: newFixture(b), p: provincetest.New(b, filepath.Join(b.TempDir(), "server.db"))}
	url := f.p.Serve(b)
	o, err := f.p.Svc.AddOffice(f.ctx, "test", province.NewOfficeInput{UnitCode: DemoUnitCode})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := f.EnrollWithProvince(f.ctx, f.admin, url, o.Code); err != nil {
		b.Fatal(err)
	}
	if err := f.p.Svc.UnlockRoot(filepath.Join(f.p.Dir, province.RootKeyFile), provincetest.RootPassphrase); err != nil {
		b.Fatal(err)
	}
	in := make([]province.RevokeInput, 0, 10000)
	for i := range total {
		in = append(in, province.RevokeInput{Number: fmt.Sprintf("%05d/2026/%06d", 28000+i/100000, i%100000+1), Reason: "Thu hồi theo danh sách của Sở"})
		if len(in) == cap(in) {
			if _, err := f.p.Svc.RevokePermits(f.ctx, "bench", in); err != nil {
				b.Fatal(err)
			}
			in = in[:0]
		}
	}
	PullPageSize = 5000
	b.Cleanup(func() { PullPageSize = 1000 })
	if _, err := f.SyncNow(f.ctx); err != nil { // the push of the demo's own records, once
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		b.StopTimer()
		if err := f.DB().Exec("DELETE FROM pulled_revocations").Error; err != nil {
			b.Fatal(err)
		}
		if err := f.DB().Exec("DELETE FROM pull_cursors WHERE feed = 'revocations'").Error; err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		rep, err := f.SyncNow(f.ctx)
		if err != nil || rep.Pull.Feeds["revocations"] != total {
			b.Fatalf("pulled %+v %v", rep.Pull, err)
		}
	}
	b.ReportMetric(float64(total*b.N)/b.Elapsed().Seconds(), "entries/s")
}
