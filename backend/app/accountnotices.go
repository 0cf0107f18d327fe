package app

import (
	"context"
	"encoding/json"
	"time"

	"giaydiduong/backend/domain"
)

// AccountNotice is one account change (created, disabled, password reset, decisions held…)
// shown to the office's approvers at their next login, with the audit event that records it.
type AccountNotice struct {
	Seq      int64           `json:"seq"`
	EventID  string          `json:"event_id"`
	Hash     string          `json:"hash"`
	At       string          `json:"at"`
	Actor    string          `json:"actor"`
	Action   string          `json:"action"`
	UserID   string          `json:"user_id"`
	Username string          `json:"username"`
	FullName string          `json:"full_name"`
	Role     string          `json:"role"`
	Details  json.RawMessage `json:"details"`
}

// maxNotices bounds one login's list; the rest follow once these are acknowledged.
const maxNotices = 50

// AccountNotices lists the account changes an approver has not acknowledged, made by
// anyone but themselves to any account but their own (they know of those). Other roles get
// none: the approvers are the ones an admin acting alone could impersonate.
func (a *App) AccountNotices(ctx context.Context, actor Actor) ([]AccountNotice, error) {
	if actor.Role != domain.RoleApprover {
		return nil, nil
	}
	u, err := a.read(ctx).UserByID(actor.UserID)
	if err != nil {
		return nil, err
	}
	evs, err := a.read(ctx).AccountChangesAfter(u.NoticesSeenSeq, actor.Username, actor.UserID, maxNotices)
	if err != nil {
		return nil, err
	}
	out := make([]AccountNotice, 0, len(evs))
	for _, e := range evs {
		out = append(out, AccountNotice{Seq: e.Seq, EventID: e.ID, Hash: e.Hash, At: e.At, Actor: e.Actor, Action: e.Action,
			UserID: e.EntityID, Username: e.Username, FullName: e.FullName, Role: e.Role, Details: json.RawMessage(e.Data)})
	}
	return out, nil
}

// AcknowledgeAccountNotices records that the signed-in user has read the account-change
// notices up to seq.
func (s *Session) AcknowledgeAccountNotices(ctx context.Context, seq int64) error {
	actor, err := s.Actor(ctx)
	if err != nil {
		return err
	}
	return s.app.AcknowledgeAccountNotices(ctx, actor, seq)
}

// AcknowledgeAccountNotices records that actor has read the account-change notices up to
// seq (audit-logged, so "I was told" is on the record too).
func (a *App) AcknowledgeAccountNotices(ctx context.Context, actor Actor, seq int64) error {
	return a.write(ctx, actor.Username, func(c *change) error {
		head, err := c.q.AuditHeadSeq()
		if err != nil {
			return err
		}
		seq = min(seq, head)
		if err := c.q.MarkNoticesSeen(actor.UserID, seq); err != nil {
			return err
		}
		return c.record("auth.notices_seen", "user", actor.UserID, nil, map[string]any{"up_to_seq": seq})
	})
}

// ClockSkew is how far the PC's clock may be behind a list's issue time before it is flagged.
const ClockSkew = 5 * time.Minute

// clockBehindLists reports the newest list issue time when the PC's clock is behind it: the
// clock is wrong, and validity checks against it cannot be trusted.
func (a *App) clockBehindLists(ctx context.Context) (*time.Time, error) {
	issued, err := a.read(ctx).NewestListIssue()
	if err != nil || issued.IsZero() {
		return nil, err
	}
	if a.Now().Add(ClockSkew).Before(issued) {
		return &issued, nil
	}
	return nil, nil
}
