package app

import "testing"

// TestReadsCheckTheActor: every use case that reads office data refuses a caller without a
// role (a session nobody signed in to), and serves each signed-in role.
func TestReadsCheckTheActor(t *testing.T) {
	f := newFixture(t)
	number := f.issued(t, 1)[0]
	p, err := f.GetPermit(f.ctx, f.clerk, number)
	if err != nil {
		t.Fatal(err)
	}
	reads := map[string]func(Actor) error{
		"GetPermit":            func(a Actor) error { _, err := f.GetPermit(f.ctx, a, number); return err },
		"PermitForApplication": func(a Actor) error { _, err := f.PermitForApplication(f.ctx, a, p.ApplicationID); return err },
		"ListPermits":          func(a Actor) error { _, err := f.ListPermits(f.ctx, a, ""); return err },
		"GetApplication":       func(a Actor) error { _, err := f.GetApplication(f.ctx, a, p.ApplicationID); return err },
		"ListApplications":     func(a Actor) error { _, err := f.ListApplications(f.ctx, a, ListFilter{}); return err },
		"CurrentRules":         func(a Actor) error { _, err := f.CurrentRules(f.ctx, a); return err },
		"RulesHistory":         func(a Actor) error { _, err := f.RulesHistory(f.ctx, a); return err },
		"Settings":             func(a Actor) error { _, err := f.Settings(f.ctx, a); return err },
		"TrustStatus":          func(a Actor) error { _, err := f.TrustStatus(f.ctx, a); return err },
		"ExportTrustBundle":    func(a Actor) error { _, err := f.ExportTrustBundle(f.ctx, a); return err },
		"Verify":               func(a Actor) error { _, err := f.Verify(f.ctx, a, p.QR); return err },
	}
	for name, read := range reads {
		if err := read(Actor{Username: "nobody"}); codeOf(err) != CodeForbidden {
			t.Errorf("%s without a role: %v, want forbidden", name, err)
		}
		for _, who := range []Actor{f.clerk, f.approver, f.admin} {
			if err := read(who); err != nil {
				t.Errorf("%s as %s: %v", name, who.Role, err)
			}
		}
	}
}
