package app

import (
	"context"
	"fmt"

	"giaydiduong/backend/audit"
)

// verifyAnchoredAudit walks the local chain and then checks it against every head the
// province has receipted: a chain rewritten after a sync, its hashes recomputed so that it
// verifies on its own, no longer holds the receipted hash at the receipted seq, and a chain
// cut short lacks the seq altogether.
func (a *App) verifyAnchoredAudit(ctx context.Context) (audit.Report, error) {
	q := a.read(ctx)
	r, err := q.VerifyAudit()
	if err != nil {
		return r, err
	}
	receipts, err := q.AuditReceipts()
	if err != nil {
		return r, err
	}
	r.Receipts = len(receipts)
	if len(receipts) == 0 {
		return r, nil
	}
	r.ReceiptedSeq = receipts[len(receipts)-1].Seq
	seqs := make([]int64, len(receipts))
	for i, rc := range receipts {
		seqs[i] = rc.Seq
	}
	have, err := q.AuditEventHashes(seqs)
	if err != nil {
		return r, err
	}
	for _, rc := range receipts {
		var p *audit.Problem
		switch got, ok := have[rc.Seq]; {
		case !ok:
			p = &audit.Problem{Seq: rc.Seq, Reason: fmt.Sprintf("event %d, receipted by the province (%s), is missing: the log was cut after a sync", rc.Seq, rc.SignedAt)}
		case got != rc.Hash:
			p = &audit.Problem{Seq: rc.Seq, Reason: fmt.Sprintf("event %d differs from the one the province receipted (%s): the log was rewritten after a sync", rc.Seq, rc.SignedAt)}
		}
		if p != nil {
			if r.Problem == nil || p.Seq < r.Problem.Seq {
				r.Problem = p
			}
			r.OK = false
			return r, nil
		}
	}
	return r, nil
}
