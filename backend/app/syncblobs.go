package app

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"giaydiduong/backend/auth"
	"giaydiduong/backend/store"
	"giaydiduong/backend/syncclient"
	"giaydiduong/backend/syncwire"
)

// The second lane of a sync run: after the records, the files they refer to (scan pages,
// their thumbnails, token-signed PDFs), each named by its SHA-256, asked for with HEAD and
// sent whole with PUT, syncwire.BlobLanes at a time; and the province's audit receipts kept.

// attachmentKinds are the record kinds that refer to attachments.
var attachmentKinds = []string{string(syncwire.KindPermit), string(syncwire.KindScanPage)}

// AttachmentReport is what the attachments lane did in one run, and where it stands.
type AttachmentReport struct {
	Sent     int   `json:"sent"`     // uploaded whole this run
	Found    int   `json:"found"`    // the province held them already
	Resent   int   `json:"resent"`   // sent again after arriving damaged
	Expected int64 `json:"expected"` // distinct attachments of sent records
	Present  int64 `json:"present"`  // of those, confirmed by the province
	Missing  int64 `json:"missing"`
	Failing  int64 `json:"failing"` // missing, with an error at the last try
}

// syncLanes runs after the records went (pushErr nil): the audit chain, whose receipts it
// keeps, then the attachments. It returns pushErr, or the lanes' own error.
func (a *App) syncLanes(ctx context.Context, c *syncclient.Client, rep *SyncReport, pushErr error) error {
	if pushErr != nil {
		return pushErr
	}
	err := a.pushAudit(ctx, c, &rep.Audit)
	if kerr := a.keepReceipts(ctx, c); kerr != nil {
		return errors.Join(err, kerr)
	}
	if err != nil {
		return err
	}
	if err := a.scanAttachments(ctx); err != nil {
		return err
	}
	return a.sendAttachments(ctx, c, &rep.Attachments)
}

// keepReceipts stores each receipt that is for this office and signed by the pinned root.
func (a *App) keepReceipts(ctx context.Context, c *syncclient.Client) error {
	for _, r := range c.TakeReceipts() {
		if err := c.VerifyReceipt(r); err != nil {
			a.log.Warn("audit receipt refused", "seq", r.Seq, "err", err)
			continue
		}
		row := store.AuditReceipt{Seq: r.Seq, Hash: r.Hash, OfficeID: r.OfficeID, UnitCode: r.UnitCode, SignedAt: r.SignedAt, RootKeyHash: r.RootKeyHash, Signature: r.Signature, ReceivedAt: a.Now().UTC()}
		if err := a.st.Write(context.WithoutCancel(ctx), func(q store.Q) error { return q.SaveAuditReceipt(row) }); err != nil {
			return err
		}
	}
	return nil
}

// scanAttachments notes, for every sent record not looked at yet, the attachments it refers
// to: the same syncwire.Attachments the province uses to expect them.
func (a *App) scanAttachments(ctx context.Context) error {
	for {
		entries, err := a.read(ctx).UnscannedSentOutbox(attachmentKinds, 500)
		if err != nil || len(entries) == 0 {
			return err
		}
		now := a.Now().UTC()
		err = a.st.Write(ctx, func(q store.Q) error {
			for _, e := range entries {
				var atts []store.SyncAttachment
				if rec, err := syncwire.Decode(e.Record); err == nil {
					for _, h := range syncwire.Attachments(rec) {
						atts = append(atts, store.SyncAttachment{OutboxSeq: e.Seq, SHA256: h, Entity: e.Entity, EntityID: e.EntityID, Version: e.Version, UpdatedAt: now})
					}
				}
				if err := q.NoteAttachments(e.Seq, atts); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
}

// errStopLane is a systemic failure (network, server down, auth): the lane stops and the
// next run picks up where it stopped.
type errStopLane struct{ err error }

func (e errStopLane) Error() string { return e.err.Error() }
func (e errStopLane) Unwrap() error { return e.err }

// sendAttachments offers every missing attachment to the province, BlobLanes at a time.
// Nothing is recorded before the province answered, so a crash or a cut connection mid-file
// only means the file is asked for again next run.
func (a *App) sendAttachments(ctx context.Context, c *syncclient.Client, rep *AttachmentReport) error {
	hashes, err := a.read(ctx).MissingAttachments(100000)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	work := make(chan string)
	var mu sync.Mutex
	var firstErr error
	var wg sync.WaitGroup
	for range syncwire.BlobLanes {
		wg.Go(func() {
			for sha := range work {
				err := a.sendAttachment(ctx, c, sha, rep, &mu)
				if err == nil {
					continue
				}
				mu.Lock()
				if firstErr == nil {
					firstErr = err
				}
				mu.Unlock()
				cancel()
			}
		})
	}
feed:
	for _, h := range hashes {
		select {
		case work <- h:
		case <-ctx.Done():
			break feed
		}
	}
	close(work)
	wg.Wait()
	return firstErr
}

// sendAttachment settles one hash. It returns an error only for a systemic failure; a
// problem with this file alone is recorded on it and the lane goes on.
func (a *App) sendAttachment(ctx context.Context, c *syncclient.Client, sha string, rep *AttachmentReport, mu *sync.Mutex) error {
	mark := func(present bool, msg string) error {
		return a.st.Write(context.WithoutCancel(ctx), func(q store.Q) error { return q.MarkAttachment(sha, present, msg, a.Now()) })
	}
	count := func(n *int) {
		mu.Lock()
		*n++
		mu.Unlock()
	}
	has, err := c.HasBlob(ctx, sha)
	if err != nil {
		if fileProblem(err) {
			return mark(false, err.Error())
		}
		return err
	}
	if has {
		count(&rep.Found)
		return mark(true, "")
	}
	b, err := a.read(ctx).Blob(sha)
	if errors.Is(err, store.ErrNotFound) {
		return mark(false, "tệp không còn ở văn phòng (the file is missing at the office)")
	}
	if err != nil {
		return err
	}
	if syncclient.BlobHash(b.Data) != sha {
		return mark(false, "tệp ở văn phòng đã hỏng, không khớp mã băm (the office's copy is damaged)")
	}
	for try := 0; ; try++ {
		err = c.PutBlob(ctx, sha, b.Data)
		if !errors.Is(err, syncclient.ErrBlobMismatch) || try == 1 {
			break
		}
		count(&rep.Resent) // damaged on the way: once more, whole
	}
	switch {
	case err == nil:
		count(&rep.Sent)
		return mark(true, "")
	case errors.Is(err, syncclient.ErrBlobMismatch), fileProblem(err):
		return mark(false, err.Error())
	}
	return err
}

// fileProblem tells a refusal of this file (not ours, malformed, too large) from a failure of
// the link or the server, which stops the lane.
func fileProblem(err error) bool {
	var se *syncclient.ServerError
	if !errors.As(err, &se) {
		return false
	}
	switch se.Status {
	case http.StatusForbidden, http.StatusBadRequest, http.StatusRequestEntityTooLarge:
		return true
	}
	return false
}

// laneTotals fills the lanes' standing into the report.
func (a *App) laneTotals(ctx context.Context, rep *SyncReport) error {
	var err error
	if rep.Audit.Pending, err = a.auditPending(ctx); err != nil {
		return err
	}
	return a.attachmentTotals(ctx, &rep.Attachments)
}

// attachmentTotals fills the attachments lane's standing in.
func (a *App) attachmentTotals(ctx context.Context, rep *AttachmentReport) error {
	c, err := a.read(context.WithoutCancel(ctx)).CountAttachments()
	if err != nil {
		return err
	}
	rep.Expected, rep.Present, rep.Missing, rep.Failing = c.Expected, c.Present, c.Expected-c.Present, c.Failing
	return nil
}

// AttachmentState is one attachment of a record as the office knows it.
type AttachmentState struct {
	SHA256    string    `json:"sha256"`
	Present   bool      `json:"present"` // the province confirmed it holds it
	Attempts  int       `json:"attempts"`
	LastError string    `json:"last_error,omitempty"`
	UpdatedAt time.Time `json:"updated_at"`
}

// PermitAttachments is what the province holds of a permit's files: its token-signed PDF
// and its signed scan page (image and thumbnail), as far as they were sent. An attachment
// not listed has not been sent yet (its record is still waiting in the outbox).
func (a *App) PermitAttachments(ctx context.Context, actor Actor, number string) ([]AttachmentState, error) {
	if err := a.require(actor, auth.ViewApplications); err != nil {
		return nil, err
	}
	db := a.read(ctx)
	p, err := db.PermitByNumber(number)
	if isNotFound(err) {
		return nil, notFound("giấy đi đường số " + number)
	}
	if err != nil {
		return nil, fmt.Errorf("read permit: %w", err)
	}
	rows, err := db.RecordAttachments(string(syncwire.KindPermit), p.ID)
	if err != nil {
		return nil, err
	}
	if pg, ok, err := db.AttachedScanPage(p.ID); err != nil {
		return nil, err
	} else if ok {
		more, err := db.RecordAttachments(string(syncwire.KindScanPage), pg.ID)
		if err != nil {
			return nil, err
		}
		rows = append(rows, more...)
	}
	out := make([]AttachmentState, len(rows))
	for i, r := range rows {
		out[i] = AttachmentState{SHA256: r.SHA256, Present: r.Present, Attempts: r.Attempts, LastError: r.LastError, UpdatedAt: r.UpdatedAt}
	}
	return out, nil
}

// AuditAnchor is how far the province has receipted this office's audit chain.
type AuditAnchor struct {
	Pending      int64  `json:"pending"` // events not pushed yet
	Receipts     int    `json:"receipts"`
	ReceiptedSeq int64  `json:"receipted_seq"`
	SignedAt     string `json:"signed_at,omitempty"`
}

// laneStatus adds the lanes to the sync status.
func (a *App) laneStatus(ctx context.Context, st *SyncStatus) error {
	if err := a.attachmentTotals(ctx, &st.Attachments); err != nil {
		return err
	}
	pending, err := a.auditPending(ctx)
	if err != nil {
		return err
	}
	st.Audit.Pending = pending
	rs, err := a.read(ctx).AuditReceipts()
	if err != nil {
		return err
	}
	st.Audit.Receipts = len(rs)
	if len(rs) > 0 {
		st.Audit.ReceiptedSeq, st.Audit.SignedAt = rs[len(rs)-1].Seq, rs[len(rs)-1].SignedAt
	}
	st.InSync = st.InSync && st.Attachments.Missing == 0 && pending == 0
	return nil
}
