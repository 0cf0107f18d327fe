package province

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"giaydiduong/backend/pki"
	"giaydiduong/backend/syncwire"
)

// chainGenesis is the previous hash of an office's first audit event (backend/audit's).
const chainGenesis = "0000000000000000000000000000000000000000000000000000000000000000"

// Audit flags.
const (
	FlagFork = "fork" // two events for one place in the chain, or a link that does not hold
	FlagGap  = "gap"  // events received beyond a place still missing
)

// anchorAudit moves the office's audit anchor along the events received so far, as far as
// they continue the chain it already holds, one link at a time. A second event for a place
// already taken, a changed event, or a broken link is flagged as a fork for the provincial
// admin; the anchor stays at the last good event, so no receipt ever covers a fork. It runs
// inside Push's transaction.
func (s *Service) anchorAudit(tx *gorm.DB, sess OfficeSession, at time.Time, dec []decoded, results []syncwire.PushResult) error {
	var batch []*syncwire.AuditEvent
	var rewritten []*syncwire.AuditEvent
	for i, r := range results {
		ev, ok := dec[i].rec.(*syncwire.AuditEvent)
		if !ok {
			continue
		}
		switch r.Status {
		case syncwire.Applied:
			batch = append(batch, ev)
		case syncwire.Conflict:
			rewritten = append(rewritten, ev)
		}
	}
	if len(batch) == 0 && len(rewritten) == 0 {
		return nil
	}
	a, err := lockAnchor(tx, s.dialect, sess.OfficeID, chainGenesis, at)
	if err != nil {
		return err
	}
	var flags []auditFlagRow
	flag := func(kind string, seq int64, detail string) {
		s.Log.Warn("office audit chain "+kind, "office", sess.OfficeID, "unit", sess.UnitCode, "seq", seq, "detail", detail)
		flags = append(flags, auditFlagRow{ID: newID(), OfficeID: sess.OfficeID, Kind: kind, Seq: seq, Detail: detail, DetectedAt: at})
	}
	for _, ev := range rewritten {
		flag(FlagFork, ev.Seq, fmt.Sprintf("event %s (seq %d) was sent again with other content: the office's log was rewritten", ev.ID, ev.Seq))
	}
	for _, ev := range batch {
		if ev.Seq <= a.Seq {
			flag(FlagFork, ev.Seq, fmt.Sprintf("a second event %s arrived for seq %d, already received and receipted: the office's log was rewritten", ev.ID, ev.Seq))
		}
	}
	rows, err := auditEventsFrom(tx, sess.OfficeID, a.Seq+1)
	if err != nil {
		return err
	}
	moved := false
	for i := 0; i < len(rows); {
		seq := rows[i].Seq
		j := i
		for j < len(rows) && rows[j].Seq == seq {
			j++
		}
		if seq != a.Seq+1 {
			break // a gap: the rest waits for the missing events (audit check reports it)
		}
		if j-i > 1 {
			flag(FlagFork, seq, fmt.Sprintf("%d different events arrived for seq %d", j-i, seq))
			break
		}
		if rows[i].PrevHash != a.Hash {
			flag(FlagFork, seq, fmt.Sprintf("event %s (seq %d) does not continue the chain received so far (previous hash %s, expected %s)", rows[i].EventID, seq, rows[i].PrevHash, a.Hash))
			break
		}
		a.Seq, a.Hash, a.UpdatedAt, moved = seq, rows[i].Hash, at, true
		i = j
	}
	if err := insertIgnoring(tx, flags); err != nil {
		return err
	}
	if moved {
		return saveAnchor(tx, a)
	}
	return nil
}

// AuditReceipt signs the head of the office's audit chain as anchored so far, with the
// provincial root. None before the first event, or when this instance does not hold the
// root (the office keeps its last receipt and gets a new one at a later sync).
func (s *Service) AuditReceipt(ctx context.Context, sess OfficeSession) (*syncwire.AuditReceipt, error) {
	a, ok, err := readAnchor(s.db.WithContext(ctx), sess.OfficeID)
	if err != nil || !ok || a.Seq == 0 {
		return nil, err
	}
	root, err := s.RootSigner()
	if err != nil {
		s.Log.Warn("no audit receipt: the root key is not open here", "office", sess.OfficeID)
		return nil, nil
	}
	keyHash, err := pki.KeyHash(root.Public())
	if err != nil {
		return nil, err
	}
	r := syncwire.AuditReceipt{OfficeID: sess.OfficeID, UnitCode: sess.UnitCode, Seq: a.Seq, Hash: a.Hash, SignedAt: syncwire.Time(s.now()), RootKeyHash: keyHash}
	if r.Signature, err = pki.SignWithRoot(root, r.SignedBytes()); err != nil {
		return nil, err
	}
	return &r, nil
}

// AuditFlag is a gap or fork seen in an office's chain.
type AuditFlag struct {
	Kind       string    `json:"kind"`
	Seq        int64     `json:"seq"`
	Detail     string    `json:"detail"`
	DetectedAt time.Time `json:"detected_at"`
}

// OfficeAuditCheck is how an office's audit chain stands at the province.
type OfficeAuditCheck struct {
	OfficeID     string      `json:"office_id"`
	UnitCode     string      `json:"unit_code"`
	Name         string      `json:"name"`
	Status       string      `json:"status"`
	OK           bool        `json:"ok"`
	Events       int64       `json:"events"`      // received
	HighestSeq   int64       `json:"highest_seq"` // received
	AnchoredSeq  int64       `json:"anchored_seq"`
	AnchoredHash string      `json:"anchored_hash"`
	AnchoredAt   *time.Time  `json:"anchored_at,omitempty"`
	Flags        []AuditFlag `json:"flags"`
}

// AuditCheck tells, for every office of the unit (all when unit is ""), how far its chain
// is received and continuous, and every gap and fork: a fork means the office rewrote its
// log after a sync; a gap, events received after one still missing (it heals when the
// missing event arrives, unless it was deleted).
func (s *Service) AuditCheck(ctx context.Context, unit string) ([]OfficeAuditCheck, error) {
	db := s.db.WithContext(ctx)
	offices, err := listOffices(db, unit)
	if err != nil {
		return nil, err
	}
	if unit != "" && len(offices) == 0 {
		return nil, newErr(KindNotFound, "Không có văn phòng nào của đơn vị "+unit, "No office for unit "+unit)
	}
	out := make([]OfficeAuditCheck, 0, len(offices))
	for _, o := range offices {
		c := OfficeAuditCheck{OfficeID: o.ID, UnitCode: o.UnitCode, Name: o.Name, Status: o.Status, AnchoredHash: chainGenesis, Flags: []AuditFlag{}}
		if c.Events, c.HighestSeq, err = countAuditEvents(db, o.ID); err != nil {
			return nil, err
		}
		a, ok, err := readAnchor(db, o.ID)
		if err != nil {
			return nil, err
		}
		if ok {
			c.AnchoredSeq, c.AnchoredHash = a.Seq, a.Hash
			if a.Seq > 0 {
				at := a.UpdatedAt
				c.AnchoredAt = &at
			}
		}
		flags, err := listAuditFlags(db, o.ID)
		if err != nil {
			return nil, err
		}
		for _, f := range flags {
			c.Flags = append(c.Flags, AuditFlag{Kind: f.Kind, Seq: f.Seq, Detail: f.Detail, DetectedAt: f.DetectedAt})
		}
		if c.HighestSeq > c.AnchoredSeq && !hasFork(flags) {
			next, err := auditEventsFrom(db, o.ID, c.AnchoredSeq+1)
			if err != nil {
				return nil, err
			}
			if len(next) > 0 && next[0].Seq > c.AnchoredSeq+1 {
				c.Flags = append(c.Flags, AuditFlag{Kind: FlagGap, Seq: c.AnchoredSeq + 1, Detail: fmt.Sprintf("events %d to %d have not arrived; %d was received", c.AnchoredSeq+1, next[0].Seq-1, next[0].Seq)})
			}
		}
		c.OK = len(c.Flags) == 0
		out = append(out, c)
	}
	return out, nil
}

func hasFork(flags []auditFlagRow) bool {
	for _, f := range flags {
		if f.Kind == FlagFork {
			return true
		}
	}
	return false
}
