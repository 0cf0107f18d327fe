package app

import (
	"errors"
	"strings"
	"testing"

	"giaydiduong/backend/audit"
	"giaydiduong/backend/domain"
)

// TestDuplicateCheck: a second application for the same ID number is refused while the
// first is open or approved for an overlapping window, with the existing record in the
// error, and saved only when the clerk confirms, which the audit event records.
func TestDuplicateCheck(t *testing.T) {
	for _, c := range []struct {
		name  string
		first func(f *fixture, in domain.ApplicationInput) string // makes the existing record, returns its id
		next  func(f *fixture, in domain.ApplicationInput) domain.ApplicationInput
		dup   bool
	}{
		{"submitted", func(f *fixture, in domain.ApplicationInput) string { return mustAdd(t, f, in, false) }, same, true},
		{"draft", func(f *fixture, in domain.ApplicationInput) string { return mustAdd(t, f, in, true) }, same, true},
		{"rejected is no duplicate", func(f *fixture, in domain.ApplicationInput) string {
			id := mustAdd(t, f, in, false)
			if _, err := f.RejectApplication(f.ctx, f.approver, id, "Sai mục đích"); err != nil {
				t.Fatal(err)
			}
			return id
		}, same, false},
		{"approved, overlapping window", approved, func(f *fixture, in domain.ApplicationInput) domain.ApplicationInput {
			in.ValidFrom, in.ValidTo = f.day(6), f.day(8)
			return in
		}, true},
		{"approved, later window", approved, func(f *fixture, in domain.ApplicationInput) domain.ApplicationInput {
			in.ValidFrom, in.ValidTo = f.day(7), f.day(9)
			return in
		}, false},
		{"issued permit, overlapping", func(f *fixture, in domain.ApplicationInput) string {
			id := approved(f, in)
			if _, err := f.IssuePermit(f.ctx, f.clerk, id); err != nil {
				t.Fatal(err)
			}
			return id
		}, same, true},
		{"revoked permit is no duplicate", func(f *fixture, in domain.ApplicationInput) string {
			id := approved(f, in)
			p, err := f.IssuePermit(f.ctx, f.clerk, id)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := f.RevokePermit(f.ctx, f.approver, p.Number, "Cấp nhầm người"); err != nil {
				t.Fatal(err)
			}
			return id
		}, same, false},
		{"another citizen", func(f *fixture, in domain.ApplicationInput) string { return mustAdd(t, f, in, false) },
			func(f *fixture, in domain.ApplicationInput) domain.ApplicationInput {
				in.IDNumber = "082095777777"
				return in
			}, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t)
			in := f.input()
			firstID := c.first(f, in)
			next := c.next(f, in)
			apps, events, _ := f.counts(t)
			_, err := f.AddApplication(f.ctx, f.clerk, next, false)
			if !c.dup {
				if err != nil {
					t.Fatalf("want saved, got %v", err)
				}
				return
			}
			var e *Error
			if !errors.As(err, &e) || e.Code != CodeDuplicate {
				t.Fatalf("want a duplicate error, got %v", err)
			}
			if len(e.Duplicates) != 1 || e.Duplicates[0].ID != firstID || e.Duplicates[0].FullName != in.FullName {
				t.Fatalf("duplicates = %+v, want the first application %s", e.Duplicates, firstID)
			}
			if !strings.Contains(e.VI, in.IDNumber) || !strings.Contains(e.EN, "Confirm") {
				t.Errorf("message %q / %q", e.VI, e.EN)
			}
			if a2, e2, _ := f.counts(t); a2 != apps || e2 != events {
				t.Fatalf("a refused duplicate changed something: apps %d→%d events %d→%d", apps, a2, events, e2)
			}
			// Confirmed: saved, and the audit event says so and names the record shown.
			res, err := f.AddApplicationWith(f.ctx, f.clerk, next, AddOptions{AllowDuplicate: true})
			if err != nil {
				t.Fatal(err)
			}
			var ev audit.Event
			if err := f.DB().Where("entity_id = ? AND action = ?", res.ID, "application.create").First(&ev).Error; err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(ev.Data, `"allow_duplicate":true`) || !strings.Contains(ev.Data, firstID) {
				t.Fatalf("audit data %s lacks the confirmation", ev.Data)
			}
		})
	}
}

func same(_ *fixture, in domain.ApplicationInput) domain.ApplicationInput { return in }

func mustAdd(t *testing.T, f *fixture, in domain.ApplicationInput, draft bool) string {
	t.Helper()
	a, err := f.AddApplication(f.ctx, f.clerk, in, draft)
	if err != nil {
		t.Fatal(err)
	}
	return a.ID
}

func approved(f *fixture, in domain.ApplicationInput) string {
	a, err := f.AddApplication(f.ctx, f.clerk, in, false)
	if err == nil {
		_, err = f.ApproveApplication(f.ctx, f.approver, a.ID)
	}
	if err != nil {
		panic(err)
	}
	return a.ID
}

// TestCorrections: a draft is edited (and may be submitted by the edit) but nothing else is;
// a rejected application copies into a new input that saves as a new application.
func TestCorrections(t *testing.T) {
	f := newFixture(t)
	in := f.input()
	draftID := mustAdd(t, f, in, true)
	in.RouteTo = "Chợ Mỹ Tho"
	// Its own old content is no duplicate of the draft.
	got, err := f.UpdateDraft(f.ctx, f.clerk, draftID, in, AddOptions{Draft: true})
	if err != nil {
		t.Fatal(err)
	}
	if got.RouteTo != "Chợ Mỹ Tho" || got.Status != "draft" || got.Version != 2 {
		t.Fatalf("edited draft = %+v", got.Application)
	}
	bad := in
	bad.BirthDate = "2099-01-01"
	if _, err := f.UpdateDraft(f.ctx, f.clerk, draftID, bad, AddOptions{Draft: true}); codeOf(err) != CodeValidation {
		t.Fatalf("bad edit: %v", err)
	}
	if got, err = f.UpdateDraft(f.ctx, f.clerk, draftID, in, AddOptions{}); err != nil || got.Status != "submitted" {
		t.Fatalf("edit and submit: %v %+v", err, got.Status)
	}
	if _, err := f.UpdateDraft(f.ctx, f.clerk, draftID, in, AddOptions{}); codeOf(err) != CodeInvalidTransition {
		t.Fatalf("a submitted application was edited: %v", err)
	}
	if _, err := f.UpdateDraft(f.ctx, f.approver, "nope", in, AddOptions{}); codeOf(err) != CodeForbidden && codeOf(err) != CodeNotFound {
		t.Fatalf("unknown id: %v", err)
	}
	if _, err := f.RejectApplication(f.ctx, f.approver, draftID, "Sai nơi đến"); err != nil {
		t.Fatal(err)
	}
	// A week later the copy starts today, as long as the original.
	f.now = f.now.AddDate(0, 0, 7)
	cp, err := f.CopyApplication(f.ctx, f.clerk, draftID)
	if err != nil {
		t.Fatal(err)
	}
	if cp.FullName != in.FullName || cp.IDNumber != in.IDNumber || cp.RouteTo != "Chợ Mỹ Tho" || cp.ValidFrom != f.day(0) || cp.ValidTo != f.day(6) {
		t.Fatalf("copy = %+v", cp)
	}
	if _, err := f.AddApplication(f.ctx, f.clerk, cp, false); err != nil {
		t.Fatalf("the copy does not save: %v", err)
	}
}
