package app

import (
	"context"
	"errors"
	"fmt"
	"time"

	"giaydiduong/backend/outbox"
	"giaydiduong/backend/store"
	"giaydiduong/backend/syncclient"
	"giaydiduong/backend/syncwire"
)

// SyncBatch is how many outbox entries one push request carries: the server's
// syncwire.MaxPushItems, since the compact body compresses a batch as a whole (a permit with
// its application and audit events is about 295 B in a batch of 1,000 records and more in
// small ones: BenchmarkWireBytesPerPermit); about 50 KB on the wire, re-sent whole if
// the line drops. A 413 halves it anyway.
const SyncBatch = syncwire.MaxPushItems

// SyncReport counts what one run did.
type SyncReport struct {
	Pushed     int  `json:"pushed"`     // applied by the province now
	Duplicates int  `json:"duplicates"` // the province already held them: done
	Conflicts  int  `json:"conflicts"`
	Rejected   int  `json:"rejected"`
	Unsendable int  `json:"unsendable"`
	Retry      int  `json:"retry"` // to send again next run
	Local      int  `json:"local"` // province-owned kinds, not pushed
	Pending    int  `json:"pending"`
	Failed     int  `json:"failed"` // conflicts, rejects and unsendable entries kept, over all runs
	InSync     bool `json:"in_sync"`
	// RetryAfter is the province's Retry-After when it refused the run as overloaded.
	RetryAfter        time.Duration `json:"-"`
	RetryAfterSeconds int           `json:"retry_after_seconds,omitempty"`
	Error             string        `json:"error,omitempty"`
	// Audit and Attachments are the lanes after the records (backend/app/syncaudit.go, syncblobs.go).
	Audit       AuditPushReport  `json:"audit"`
	Attachments AttachmentReport `json:"attachments"`
	// Pulled is how many province records the run applied, Pull per feed (syncpull.go).
	Pulled int        `json:"pulled"`
	Pull   PullReport `json:"pull"`
}

// SyncNow pushes every waiting outbox entry to the province, in order and in batches, and
// records each entry's answer as it comes. It never holds a database transaction across the
// network, so the clerk's work never waits for it. A run stopped anywhere (crash, kill -9,
// lost answer) is safe to repeat: the province answers "duplicate" for what it already holds.
func (a *App) SyncNow(ctx context.Context) (SyncReport, error) {
	a.syncMu.Lock()
	defer a.syncMu.Unlock()
	var rep SyncReport
	c, err := syncclient.Open(a.dir)
	if errors.Is(err, syncclient.ErrNotEnrolled) {
		return rep, &Error{Code: CodeConflict, VI: "Văn phòng chưa đăng ký với máy chủ tỉnh (gddctl enroll)", EN: "The office is not enrolled with the provincial server (gddctl enroll)", cause: err}
	}
	if err != nil {
		return rep, fmt.Errorf("sync: %w", err)
	}
	defer c.Close()
	total, err := a.read(ctx).CountWaitingOutbox()
	if err != nil {
		return rep, err
	}
	start := a.Now().UTC()
	a.syncProg.update(func(p *SyncProgress) { *p = SyncProgress{Running: true, StartedAt: &start, Total: int(total)} })
	defer a.syncProg.update(func(p *SyncProgress) { p.Running = false })
	runErr := a.pushWaiting(ctx, c, &rep)
	// The pull before the lanes, so the audit events it writes go up in this same run; a
	// pull that fails does not hold up the lanes.
	var pullErr error
	if runErr == nil {
		rep.Pulled, pullErr = a.pullFeeds(ctx, c, &rep.Pull)
	}
	if runErr = a.syncLanes(ctx, c, &rep, runErr); runErr == nil {
		runErr = pullErr
	}
	if err := a.finishSync(ctx, &rep, runErr); err != nil {
		return rep, err
	}
	if runErr != nil {
		return rep, syncError(runErr)
	}
	return rep, nil
}

func (a *App) pushWaiting(ctx context.Context, c *syncclient.Client, rep *SyncReport) error {
	var after int64
	for {
		entries, err := a.read(ctx).WaitingOutbox(after, a.syncBatch())
		if err != nil {
			return err
		}
		if len(entries) == 0 {
			return nil
		}
		after = entries[len(entries)-1].Seq
		var outcomes []store.PushOutcome
		var items []syncwire.PushItem
		var sent []outbox.Entry
		for _, e := range entries {
			switch {
			case !syncwire.OfficeOwned(syncwire.Kind(e.Entity)):
				outcomes = append(outcomes, store.PushOutcome{Seq: e.Seq, Status: outbox.PushLocal, Final: true})
				rep.Local++
			case len(e.Record) == 0 || e.SchemaVersion == 0:
				outcomes = append(outcomes, store.PushOutcome{Seq: e.Seq, Status: outbox.PushUnsendable, Final: true,
					Reason: "queued before records had a wire form"})
				rep.Unsendable++
			default:
				items = append(items, syncwire.PushItem{Record: e.Record, Hash: e.ContentHash})
				sent = append(sent, e)
			}
		}
		var results []syncwire.PushResult
		if len(items) > 0 {
			results, err = c.Push(ctx, items)
			if err != nil {
				// The local outcomes are still worth keeping; the sent ones wait for the next run.
				if werr := a.recordPush(ctx, outcomes); werr != nil {
					return werr
				}
				return err
			}
		}
		for i, r := range results {
			e := sent[i]
			if string(r.Kind) != e.Entity || r.ID != e.EntityID || r.Version != e.Version {
				// The answer does not name what was sent: trust none of it, try again later.
				return fmt.Errorf("the province answered %s %s v%d for outbox entry %d (%s %s v%d)", r.Kind, r.ID, r.Version, e.Seq, e.Entity, e.EntityID, e.Version)
			}
			outcomes = append(outcomes, store.PushOutcome{Seq: e.Seq, Status: string(r.Status), Reason: r.Reason, Final: r.Status.Done()})
			switch r.Status {
			case syncwire.Applied:
				rep.Pushed++
			case syncwire.Duplicate:
				rep.Duplicates++
			case syncwire.Conflict:
				rep.Conflicts++
			case syncwire.Rejected:
				rep.Rejected++
			default:
				rep.Retry++
			}
		}
		if err := a.recordPush(ctx, outcomes); err != nil {
			return err
		}
		a.syncProg.update(func(p *SyncProgress) {
			p.Done += len(outcomes)
			p.BytesSent, p.BytesReceived = c.Wire.Sent.Load(), c.Wire.Received.Load()
		})
	}
}

func (a *App) recordPush(ctx context.Context, outcomes []store.PushOutcome) error {
	if len(outcomes) == 0 {
		return nil
	}
	return a.st.Write(ctx, func(q store.Q) error { return q.RecordPush(a.Now(), outcomes) })
}

// finishSync notes the attempt and fills the report's totals.
func (a *App) finishSync(ctx context.Context, rep *SyncReport, runErr error) error {
	msg := ""
	if runErr != nil {
		msg = runErr.Error()
		rep.Error = msg
		var rl *syncclient.RetryLater
		if errors.As(runErr, &rl) {
			rep.RetryAfter, rep.RetryAfterSeconds = rl.After, int(rl.After/time.Second)
		}
	}
	if err := a.st.Write(context.WithoutCancel(ctx), func(q store.Q) error { return q.SaveSyncAttempt(a.Now(), msg) }); err != nil {
		return err
	}
	return a.syncTotals(ctx, rep)
}

func (a *App) syncTotals(ctx context.Context, rep *SyncReport) error {
	q := a.read(context.WithoutCancel(ctx))
	pending, err := q.CountWaitingOutbox()
	if err != nil {
		return err
	}
	failed, err := q.CountFailedOutbox()
	if err != nil {
		return err
	}
	rep.Pending, rep.Failed = int(pending), int(failed)
	if err := a.laneTotals(ctx, rep); err != nil {
		return err
	}
	rep.InSync = rep.Error == "" && pending == 0 && failed == 0 && rep.Attachments.Missing == 0 && rep.Audit.Pending == 0
	return nil
}

func (a *App) syncBatch() int {
	if a.SyncBatchSize > 0 {
		return a.SyncBatchSize
	}
	return SyncBatch
}

// syncError keeps the reason and says it in the office's words.
func syncError(err error) error {
	var rl *syncclient.RetryLater
	if errors.As(err, &rl) {
		return &Error{Code: CodeLocked, VI: fmt.Sprintf("Máy chủ tỉnh đang bận, thử lại sau %s", rl.After), EN: rl.Error(), cause: err}
	}
	var se *syncclient.ServerError
	if errors.As(err, &se) && se.VI != "" {
		return &Error{Code: CodeInternal, VI: se.VI, EN: se.EN, cause: err}
	}
	return &Error{Code: CodeInternal, VI: "Không đồng bộ được với máy chủ tỉnh; sẽ thử lại", EN: "Could not sync with the provincial server; will retry", cause: err}
}

// SyncFailure is an outbox entry the province did not take, shown as "lỗi" with its reason.
type SyncFailure struct {
	Seq      int64     `json:"seq"`
	Entity   string    `json:"entity"`
	EntityID string    `json:"entity_id"`
	Version  int64     `json:"version"`
	Status   string    `json:"status"`
	State    string    `json:"state"` // "lỗi"
	Reason   string    `json:"reason"`
	At       time.Time `json:"at"`
}

// SyncStatus is what the office knows of its sync without calling the province.
type SyncStatus struct {
	Enrolled      bool          `json:"enrolled"`
	Pending       int64         `json:"pending"`
	LastAttemptAt *time.Time    `json:"last_attempt_at"`
	LastSuccessAt *time.Time    `json:"last_success_at"`
	LastError     string        `json:"last_error,omitempty"`
	Failed        []SyncFailure `json:"failed"`
	InSync        bool          `json:"in_sync"`
	// Attachments and Audit are the second lane and the receipts (backend/app/syncblobs.go).
	Attachments AttachmentReport `json:"attachments"`
	Audit       AuditAnchor      `json:"audit"`
	// Pull is each province feed's state (syncpull.go).
	Pull []PullState `json:"pull"`
}

// maxListedFailures bounds the status's list (the count is always whole).
const maxListedFailures = 500

// SyncStatus reads the office's sync state.
func (a *App) SyncStatus(ctx context.Context) (SyncStatus, error) {
	id, err := a.ProvinceEnrollmentStatus()
	if err != nil {
		return SyncStatus{}, err
	}
	q := a.read(ctx)
	st, err := q.SyncState()
	if err != nil {
		return SyncStatus{}, err
	}
	pending, err := q.CountWaitingOutbox()
	if err != nil {
		return SyncStatus{}, err
	}
	failed, err := q.FailedOutbox(maxListedFailures)
	if err != nil {
		return SyncStatus{}, err
	}
	out := SyncStatus{Enrolled: id != nil, Pending: pending, LastAttemptAt: st.LastAttemptAt, LastSuccessAt: st.LastSuccessAt, LastError: st.LastError, Failed: []SyncFailure{}}
	for _, e := range failed {
		at := e.CreatedAt
		if e.SentAt != nil {
			at = *e.SentAt
		}
		out.Failed = append(out.Failed, SyncFailure{Seq: e.Seq, Entity: e.Entity, EntityID: e.EntityID, Version: e.Version, Status: e.PushStatus, State: "lỗi", Reason: e.PushReason, At: at})
	}
	out.InSync = out.Enrolled && pending == 0 && len(failed) == 0 && st.LastError == ""
	if out.Pull, err = a.PullStates(ctx); err != nil {
		return SyncStatus{}, err
	}
	return out, a.laneStatus(ctx, &out)
}
