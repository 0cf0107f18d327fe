package app

import (
	"strings"
	"testing"

	"giaydiduong/backend/domain"
	"giaydiduong/backend/printing"
)

// jobs lists the jobs the spooler accepted.
func (r *recordingSpooler) jobs() []printing.Job {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []printing.Job
	for id := range r.sent {
		out = append(out, printing.Job{ID: id, Printer: cupsQueue})
	}
	return out
}

// TestHandOverPrintsACopy: the hand-over records who and when; asked to, it first prints the
// citizen a copy on the real CUPS queue (counted and audited as a print, labelled a reprint
// once the signed original was printed). A printer that refuses the copy leaves the permit
// not handed over; a permit that cannot be handed over yet gets no copy.
func TestHandOverPrintsACopy(t *testing.T) {
	t.Parallel()
	dir := cupsOutDir(t)
	f := newFixture(t)
	sent := recordPrints(f)
	numbers := f.issued(t, 3)
	for _, n := range numbers[:2] {
		if _, err := f.MarkHandSigned(f.ctx, f.clerk, n); err != nil {
			t.Fatal(err)
		}
	}

	p, err := f.HandOver(f.ctx, f.clerk, numbers[0], HandOverOptions{PrintCopy: true, Printer: cupsQueue})
	if err != nil {
		t.Fatalf("hand over with a copy: %v", err)
	}
	if p.Status != string(domain.PermitIssued) || p.HandedOverAt == nil || p.HandedOverBy == nil || *p.HandedOverBy != f.clerk.UserID {
		t.Errorf("after the hand-over: status %s at %v by %v", p.Status, p.HandedOverAt, p.HandedOverBy)
	}
	jobs := sent.jobs()
	if len(jobs) != 1 {
		t.Fatalf("%d print jobs, want the one copy", len(jobs))
	}
	f.printedFile(t, dir, jobs[0])
	if text := sent.text(t, jobs[0]); !strings.Contains(text, numbers[0]) {
		t.Errorf("the copy printed is not permit %s: %q", numbers[0], text)
	}
	if counts, events := f.copies(t, numbers[:1], "permit.print"); !equalInts(counts, 1) || !equalInts(events, 1) {
		t.Errorf("the copy: print count %v, permit.print events %v; want 1 each", counts, events)
	}

	// The printer refuses: nothing handed over, nothing counted.
	_, err = f.HandOver(f.ctx, f.clerk, numbers[1], HandOverOptions{PrintCopy: true, Printer: "GDD-no-such-queue"})
	if e := AsError(err); e == nil || !strings.Contains(e.VI, "chưa được ghi nhận là đã giao") {
		t.Errorf("a refused copy: %+v, want an error saying the permit is not handed over", e)
	}
	q, err := f.GetPermit(f.ctx, f.clerk, numbers[1])
	if err != nil {
		t.Fatal(err)
	}
	if q.Status != string(domain.PermitHandSigned) || q.HandedOverAt != nil || q.PrintCount != 0 {
		t.Errorf("after a refused copy: status %s, handed over %v, print count %d", q.Status, q.HandedOverAt, q.PrintCount)
	}

	// Not signed yet: refused before anything is printed.
	_, err = f.HandOver(f.ctx, f.clerk, numbers[2], HandOverOptions{PrintCopy: true, Printer: cupsQueue})
	if e := AsError(err); e == nil || e.Code != CodeInvalidTransition {
		t.Errorf("hand over an unsigned permit: %+v, want invalid_transition", e)
	}
	if n := len(sent.jobs()); n != 1 {
		t.Errorf("%d print jobs after the refusals, want still 1", n)
	}
	// Without options the hand-over is as before.
	if p, err := f.HandOver(f.ctx, f.clerk, numbers[1]); err != nil || p.Status != string(domain.PermitIssued) {
		t.Errorf("plain hand-over: %s %v", p.Status, err)
	}
}
