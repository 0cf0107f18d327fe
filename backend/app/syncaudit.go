package app

import (
	"context"
	"fmt"

	"giaydiduong/backend/store"
	"giaydiduong/backend/syncclient"
	"giaydiduong/backend/syncwire"
)

// auditBatch is how many audit events one push carries.
const auditBatch = 500

// AuditPushReport is what the audit lane did in one run.
type AuditPushReport struct {
	Sent      int   `json:"sent"`      // events the province answered this run
	Conflicts int   `json:"conflicts"` // events it holds with other content: this log was rewritten after they were sent
	Pending   int64 `json:"pending"`   // events not answered yet
}

// pushAudit sends the audit chain itself, in order from where the province last answered,
// through the same push as the records: each event keyed by its id, its content hash over
// the chain's own fields. The province checks that it continues the chain it holds and
// answers with a receipt of the head (kept by keepReceipts). The cursor moves only over
// events answered for good; one answered retry stops the run there, so order is kept.
func (a *App) pushAudit(ctx context.Context, c *syncclient.Client, rep *AuditPushReport) error {
	for {
		q := a.read(ctx)
		after, err := q.AuditPushCursor()
		if err != nil {
			return err
		}
		evs, err := q.AuditEventsAfter(after, auditBatch)
		if err != nil || len(evs) == 0 {
			return err
		}
		items := make([]syncwire.PushItem, len(evs))
		for i, e := range evs {
			if items[i], err = syncclient.Item(store.AuditWire(e)); err != nil {
				return fmt.Errorf("audit event %d: %w", e.Seq, err)
			}
		}
		results, err := c.Push(ctx, items)
		if err != nil {
			return err
		}
		upTo := after
		stopped := false
		for i, r := range results {
			if !r.Status.Done() {
				stopped = true
				break
			}
			if r.Status == syncwire.Conflict || r.Status == syncwire.Rejected {
				rep.Conflicts++
				a.log.Warn("the province holds another version of an audit event", "seq", evs[i].Seq, "status", r.Status, "reason", r.Reason)
			}
			rep.Sent++
			upTo = evs[i].Seq
		}
		if upTo > after {
			if err := a.st.Write(context.WithoutCancel(ctx), func(q store.Q) error { return q.SetAuditPushCursor(upTo) }); err != nil {
				return err
			}
		}
		if stopped {
			return nil
		}
	}
}

// auditPending is how many events the province has not answered yet.
func (a *App) auditPending(ctx context.Context) (int64, error) {
	q := a.read(context.WithoutCancel(ctx))
	head, err := q.AuditHeadSeq()
	if err != nil {
		return 0, err
	}
	at, err := q.AuditPushCursor()
	if err != nil {
		return 0, err
	}
	return max(head-at, 0), nil
}
