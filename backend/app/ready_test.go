package app

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"giaydiduong/backend/domain"
	"giaydiduong/backend/render"
)

func readyNumbers(t *testing.T, f *fixture) (stages []ReadyStage, names []string) {
	t.Helper()
	items, err := f.ReadyPermits(f.ctx, f.clerk)
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range items {
		stages = append(stages, it.Stage)
		names = append(names, it.Application.FullName)
	}
	return stages, names
}

// TestReadyPanelStagesAndHandOver: approved applications without a permit, permits waiting
// for the leader's pen and signed ones are listed newest first; handing over one awaiting the
// hand signature needs the confirmation and then writes both steps with their audit events.
func TestReadyPanelStagesAndHandOver(t *testing.T) {
	f := newFixture(t)
	in := f.input()
	in.FullName = "Trần Thị Bé Ba"
	a1, err := f.AddApplication(f.ctx, f.clerk, in, false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.ApproveApplication(f.ctx, f.approver, a1.ID); err != nil {
		t.Fatal(err)
	}
	f.now = f.now.Add(time.Minute)
	a2 := f.approved(t) // Nguyễn Văn Dũng, decided a minute later
	f.now = f.now.Add(time.Minute)
	p, err := f.IssuePermit(f.ctx, f.clerk, a1.ID)
	if err != nil {
		t.Fatal(err)
	}
	// The demo holds one approved application of its own, decided before these.
	stages, names := readyNumbers(t, f)
	if len(stages) < 2 || !slices.Equal(stages[:2], []ReadyStage{ReadyToSign, ReadyToIssue}) || !slices.Equal(names[:2], []string{"Trần Thị Bé Ba", a2.FullName}) {
		t.Fatalf("ready rows %v %v, want the issued permit (newest) then the approved application", stages, names)
	}

	_, err = f.HandOverReady(f.ctx, f.clerk, p.Number, HandOverOptions{})
	if codeOf(err) != CodeInvalidTransition {
		t.Fatalf("hand-over of an unsigned permit without confirmation: %v, want invalid_transition", err)
	}
	if got := f.permitStatus(t, p.Number).Status; got != string(domain.PermitAwaitingHand) {
		t.Fatalf("a refused hand-over changed the permit to %s", got)
	}
	before := f.events(t, "permit.hand_over")
	out, err := f.HandOverReady(f.ctx, f.clerk, p.Number, HandOverOptions{HandSigned: true})
	if err != nil {
		t.Fatal(err)
	}
	if out.Status != string(domain.PermitIssued) || out.HandSignedAt == nil || out.HandedOverAt == nil {
		t.Errorf("after the hand-over: %s, hand signed %v, handed over %v", out.Status, out.HandSignedAt, out.HandedOverAt)
	}
	if f.events(t, "permit.mark_hand_signed") != 1 || f.events(t, "permit.hand_over") != before+1 {
		t.Errorf("hand-over events: %d mark_hand_signed, %d hand_over", f.events(t, "permit.mark_hand_signed"), f.events(t, "permit.hand_over"))
	}
	if after, names := readyNumbers(t, f); len(after) != len(stages)-1 || slices.Contains(names, "Trần Thị Bé Ba") {
		t.Errorf("after the hand-over the panel lists %v", names)
	}
	// The same again is a wrong step, not a second hand-over.
	if _, err := f.HandOverReady(f.ctx, f.clerk, p.Number, HandOverOptions{HandSigned: true}); codeOf(err) != CodeInvalidTransition {
		t.Errorf("second hand-over: %v", err)
	}
}

// TestIssueAndPrintOnTheDefaultPrinter: one action issues the permit and prints it on the
// office's default printer (the real cups-pdf queue); without a default it stays issued and
// the error says so.
func TestIssueAndPrintOnTheDefaultPrinter(t *testing.T) {
	t.Parallel()
	dir := cupsOutDir(t)
	f := newFixture(t)
	sent := recordPrints(f)

	unprinted := f.approved(t)
	res, err := f.IssueAndPrint(f.ctx, f.clerk, unprinted.ID, "", render.A5)
	if e := AsError(err); e == nil || e.Code != CodeValidation || res.Permit.Number == "" {
		t.Fatalf("issue-and-print without a default printer: %+v, %v; want the permit issued and a printer error", res, err)
	} else if want := "Đã cấp giấy " + res.Permit.Number + " nhưng chưa in được"; len(e.VI) < len(want) || e.VI[:len(want)] != want {
		t.Errorf("message %q does not start with %q", e.VI, want)
	}
	waiting := res.Permit.Number

	if _, err := f.UpdateSettings(f.ctx, f.admin, Settings{IdleLockMinutes: 5, FourEyes: true, DefaultPrinter: cupsQueue}); err != nil {
		t.Fatal(err)
	}
	res, err = f.IssueAndPrint(f.ctx, f.clerk, f.approved(t).ID, "", render.A5)
	if err != nil {
		t.Fatalf("issue-and-print: %v", err)
	}
	if res.Job.Printer != cupsQueue || res.Permit.PrintCount != 1 {
		t.Errorf("job %+v, print count %d; want the default queue and one copy", res.Job, res.Permit.PrintCount)
	}
	if got := toolPageCount(t, f.printedFile(t, dir, res.Job)); got != "1" {
		t.Errorf("printed %s pages", got)
	}
	if text := sent.text(t, res.Job); !containsAll(text, res.Permit.Number, "Nguyễn Văn Dũng", "KT. CHỦ TỊCH PHÓ CHỦ TỊCH") {
		t.Errorf("printed permit lacks its number, name or the deputy's block: %q", text)
	}

	// The batch: the first permit (issued, never printed) and the approved applications (a new
	// one and the demo's), not the permit printed above.
	fresh := f.approved(t)
	batch, err := f.PrintReady(f.ctx, f.clerk, "", render.A5)
	if err != nil {
		t.Fatalf("print ready: %v", err)
	}
	if len(batch.Issued) < 1 || len(batch.Printed) != len(batch.Issued)+1 || slices.Contains(batch.Printed, res.Permit.Number) || !slices.Contains(batch.Printed, waiting) {
		t.Errorf("batch issued %v printed %v (already printed: %s; waiting: %s)", batch.Issued, batch.Printed, res.Permit.Number, waiting)
	}
	if p, err := f.PermitForApplication(f.ctx, f.clerk, fresh.ID); err != nil || p == nil || !slices.Contains(batch.Printed, p.Number) {
		t.Errorf("the batch did not issue and print the new approved application: %+v %v", p, err)
	}
	if got, want := toolPageCount(t, f.printedFile(t, dir, batch.Job)), len(batch.Printed); got != fmt.Sprint(want) {
		t.Errorf("batch printed %s pages, want %d", got, want)
	}
	if _, err := f.PrintReady(f.ctx, f.clerk, "", render.A5); codeOf(err) != CodeValidation {
		t.Errorf("a second batch with nothing new: %v, want a validation error", err)
	}
}

// TestChangesStampAndWaitingCount: the stamp moves with every change, also one made outside
// this App (gddctl writes the same database), and only a decider gets the waiting count.
func TestChangesStampAndWaitingCount(t *testing.T) {
	f := newFixture(t)
	c0, err := f.ChangesNow(f.ctx, f.approver)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.AddApplication(f.ctx, f.clerk, f.input(), false); err != nil {
		t.Fatal(err)
	}
	c1, err := f.ChangesNow(f.ctx, f.approver)
	if err != nil {
		t.Fatal(err)
	}
	if c1.Stamp <= c0.Stamp || c1.Waiting != c0.Waiting+1 {
		t.Errorf("after a new application: %+v then %+v", c0, c1)
	}
	other, err := Open(f.ctx, f.DataDir())
	if err != nil {
		t.Fatal(err)
	}
	other.Now = f.Now
	clerk, err := other.Login(f.ctx, "canbo", DemoPassword)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := other.AddApplication(f.ctx, clerk, f.input(), false); err != nil {
		t.Fatal(err)
	}
	other.Close()
	c2, _ := f.ChangesNow(f.ctx, f.approver)
	if c2.Stamp <= c1.Stamp || c2.Waiting != c1.Waiting+1 {
		t.Errorf("after another process's application: %+v then %+v", c1, c2)
	}
	if c, _ := f.ChangesNow(f.ctx, f.clerk); c.Waiting != 0 || c.Stamp != c2.Stamp {
		t.Errorf("a clerk sees %+v", c)
	}
}

func containsAll(s string, parts ...string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}
