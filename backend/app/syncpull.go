package app

import (
	"context"
	"crypto"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"time"

	"giaydiduong/backend/permit"
	"giaydiduong/backend/store"
	"giaydiduong/backend/syncclient"
	"giaydiduong/backend/syncwire"
)

// Pull: the province's feeds (units, accounts and roles, locality rules, trust list,
// revocations) flow down. Each page is checked against the provincial root the office pinned
// at enrollment and applied with its cursor in one local transaction, so a run stopped
// anywhere resumes from the last applied page, never ahead of the data.

// pullActor is who the audit log names for what the province sent.
const pullActor = "sync:province"

// PullReport counts what one run pulled.
type PullReport struct {
	// Feeds is how many entries each feed applied in this run.
	Feeds map[string]int `json:"feeds"`
	// Snapshots names the feeds that started over from a snapshot, and why.
	Snapshots map[string]string `json:"snapshots,omitempty"`
}

// PullPageSize is how many entries one page asks for.
var PullPageSize = syncwire.DefaultPullLimit

// pullFeeds pulls every feed until it is caught up.
func (a *App) pullFeeds(ctx context.Context, c *syncclient.Client, rep *PullReport) (int, error) {
	rep.Feeds = map[string]int{}
	root, err := syncclient.PinnedRoot(a.dir)
	if err != nil {
		return 0, err
	}
	total := 0
	for _, f := range syncwire.Feeds {
		n, err := a.pullFeed(ctx, c, f, root.PublicKey, c.Identity.UnitCode, rep)
		rep.Feeds[string(f)] = n
		total += n
		if err != nil {
			return total, fmt.Errorf("pull %s: %w", f, err)
		}
	}
	return total, nil
}

func (a *App) pullFeed(ctx context.Context, c *syncclient.Client, feed syncwire.Feed, root crypto.PublicKey, unit string, rep *PullReport) (int, error) {
	applied, resets := 0, 0
	for {
		cur, err := a.read(ctx).PullCursorOf(string(feed))
		if err != nil {
			return applied, err
		}
		page, err := c.Pull(ctx, feed, cur.Cursor, PullPageSize)
		var gone *syncclient.Gone
		if errors.As(err, &gone) && resets == 0 {
			// Start over from a snapshot; what the snapshot does not bring back is dropped
			// when it completes.
			resets++
			if rep.Snapshots == nil {
				rep.Snapshots = map[string]string{}
			}
			rep.Snapshots[string(feed)] = gone.Reason
			cur.Cursor, cur.InSnapshot, cur.Gen, cur.ResetReason = "", true, cur.Gen+1, gone.Reason
			if err := a.write(ctx, pullActor, func(ch *change) error {
				if err := ch.q.SavePullCursor(cur); err != nil {
					return err
				}
				return ch.record("sync.pull_reset", "feed", string(feed), nil, map[string]string{"reason": gone.Reason})
			}); err != nil {
				return applied, err
			}
			continue
		}
		if err != nil {
			return applied, err
		}
		n, err := a.applyPage(ctx, cur, page, root, unit)
		applied += n
		if err != nil {
			return applied, err
		}
		if !page.More {
			return applied, nil
		}
	}
}

// applyPage applies one page and moves the cursor, in one transaction. An entry whose
// signature does not check, or that is not for this office, fails the page: nothing of it is
// applied and the cursor stays, so it cannot be skipped silently.
func (a *App) applyPage(ctx context.Context, cur store.PullCursor, page syncwire.FeedPage, root crypto.PublicKey, unit string) (int, error) {
	if cur.Cursor == "" && !cur.InSnapshot {
		cur.InSnapshot, cur.Gen = true, cur.Gen+1
	}
	opened, err := openEntries(root, page)
	if err != nil {
		return 0, err
	}
	counts := map[string]int{}
	err = a.write(ctx, pullActor, func(ch *change) error {
		clear(counts)
		var records []store.PulledRecord
		var revocations []store.PulledRevocation
		for i, e := range page.Entries {
			rec := opened[i]
			kind, id, version := rec.Key()
			if syncwire.FeedOf(kind) != page.Feed {
				return fmt.Errorf("feed %s entry %d is a %s record", page.Feed, e.Seq, kind)
			}
			counts[string(kind)]++
			if r, ok := rec.(*syncwire.Revocation); ok {
				at, err := syncwire.ParseTime(r.RevokedAt)
				if err != nil {
					return fmt.Errorf("revocation %s: %w", r.Number, err)
				}
				revocations = append(revocations, store.PulledRevocation{Number: r.Number, UnitCode: r.UnitCode, Reason: r.Reason, RevokedBy: r.RevokedBy, RevokedAt: at,
					Record: e.Record, Signature: e.Signature, Gen: cur.Gen})
				continue
			}
			if err := ch.applyProvinceRecord(rec, root, unit); err != nil {
				return err
			}
			records = append(records, store.PulledRecord{Entity: string(kind), EntityID: id, Feed: string(page.Feed), Version: version, Record: e.Record, Signature: e.Signature, Gen: cur.Gen, PulledAt: ch.at})
		}
		if err := ch.q.SavePulledRecords(records); err != nil {
			return err
		}
		if err := ch.q.SavePulledRevocations(revocations); err != nil {
			return err
		}
		done := cur.InSnapshot && !page.More
		dropped := 0
		if done {
			gone, err := ch.q.DropPulledRecordsBefore(string(page.Feed), cur.Gen)
			if err != nil {
				return err
			}
			dropped = len(gone)
			if page.Feed == syncwire.FeedRevocations {
				n, err := ch.q.DropPulledRevocationsBefore(cur.Gen)
				if err != nil {
					return err
				}
				dropped += int(n)
			}
			cur.InSnapshot = false
		}
		at := ch.at
		cur.Cursor, cur.LastPullAt, cur.Pulled = page.Cursor, &at, cur.Pulled+int64(len(page.Entries))
		if err := ch.q.SavePullCursor(cur); err != nil {
			return err
		}
		if len(page.Entries) == 0 && dropped == 0 {
			return nil // caught up: no event
		}
		return ch.record("sync.pull", "feed", string(page.Feed), nil, map[string]any{"entries": len(page.Entries), "kinds": counts, "cursor": page.Cursor, "dropped": dropped})
	})
	if err != nil {
		return 0, err
	}
	return len(page.Entries), nil
}

// openEntries checks every entry's signature and decodes it, on every core, before the page's
// transaction opens. Revocations are the exception: a snapshot is a hundred thousand of them
// and only the few that ever match a permit matter, so their signatures are checked when one
// is used (provinceRevocation), which also catches a row edited in the local database; here
// they are only decoded.
func openEntries(root crypto.PublicKey, page syncwire.FeedPage) ([]syncwire.Record, error) {
	open := func(e syncwire.FeedEntry) (syncwire.Record, error) { return syncwire.OpenEntry(root, e) }
	if page.Feed == syncwire.FeedRevocations {
		open = func(e syncwire.FeedEntry) (syncwire.Record, error) { return syncwire.Decode(e.Record) }
	}
	out := make([]syncwire.Record, len(page.Entries))
	errs := make([]error, len(page.Entries))
	workers := min(runtime.GOMAXPROCS(0), max(1, len(page.Entries)/64))
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < len(page.Entries); i += workers {
				out[i], errs[i] = open(page.Entries[i])
			}
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			return nil, fmt.Errorf("feed %s entry %d: %w", page.Feed, page.Entries[i].Seq, err)
		}
	}
	return out, nil
}

// applyProvinceRecord makes the office's own tables follow one province record.
func (ch *change) applyProvinceRecord(rec syncwire.Record, root crypto.PublicKey, unit string) error {
	switch r := rec.(type) {
	case *syncwire.Account:
		return ch.applyAccount(r, unit)
	case *syncwire.Rules:
		return ch.applyRules(r, unit)
	case *syncwire.TrustList:
		return ch.applyTrustList(r, root)
	}
	// Units and roles are kept as pulled (signed); roles vouch for accounts at sign-in.
	return nil
}

func (ch *change) applyAccount(r *syncwire.Account, unit string) error {
	if r.UnitCode != unit {
		return fmt.Errorf("the province sent account %s of unit %s to an office of unit %s", r.Username, r.UnitCode, unit)
	}
	created, err := syncwire.ParseTime(r.CreatedAt)
	if err != nil {
		return fmt.Errorf("account %s: %w", r.Username, err)
	}
	updated, err := syncwire.ParseTime(r.UpdatedAt)
	if err != nil {
		return fmt.Errorf("account %s: %w", r.Username, err)
	}
	retired, err := ch.q.RetireLocalUsername(r.Username, r.ID, ch.at)
	if err != nil {
		return err
	}
	seen, err := ch.q.AuditHeadSeq()
	if err != nil {
		return err
	}
	u := store.User{ID: r.ID, Version: r.Version, Username: r.Username, FullName: r.FullName, Title: r.Title, Role: r.Role, PasswordHash: r.PasswordHash, Active: r.Active,
		NoticesSeenSeq: seen, CreatedAt: created, UpdatedAt: updated}
	isNew, err := ch.q.UpsertProvinceUser(u)
	if err != nil {
		return err
	}
	action := "user.province_update"
	if isNew {
		action = "user.province_create"
	}
	return ch.record(action, "user", r.ID, nil, map[string]any{"username": r.Username, "role": r.Role, "active": r.Active, "version": r.Version, "local_account_retired": retired})
}

func (ch *change) applyRules(r *syncwire.Rules, unit string) error {
	if r.UnitCode != unit {
		return fmt.Errorf("the province sent rules of unit %s to an office of unit %s", r.UnitCode, unit)
	}
	if _, err := ch.q.RulesByID(r.ID); err == nil {
		return nil // already here
	} else if !isNotFound(err) {
		return err
	}
	purposes, err := json.Marshal(r.Purposes)
	if err != nil {
		return err
	}
	created, err := syncwire.ParseTime(r.CreatedAt)
	if err != nil {
		return fmt.Errorf("rules %s: %w", r.ID, err)
	}
	// The office numbers its rules versions itself (its own edits before enrollment took
	// numbers too); the province's order is kept.
	v, err := ch.q.NextRuleVersion(unit)
	if err != nil {
		return err
	}
	row := store.RulesRow{ID: r.ID, Version: r.Version, UnitCode: unit, RuleVersion: v, PermitsRequired: r.PermitsRequired, Purposes: string(purposes), MaxDays: r.MaxDays,
		CurfewStart: r.CurfewStart, CurfewEnd: r.CurfewEnd, UpdatedBy: r.UpdatedBy, CreatedAt: created, EffectiveFrom: r.EffectiveFrom}
	if err := ch.q.InsertRules(&row); err != nil {
		return err
	}
	return ch.record("rules.province_sync", "rules", r.ID, nil, map[string]any{"rule_version": v, "effective_from": r.EffectiveFrom})
}

func (ch *change) applyTrustList(r *syncwire.TrustList, root crypto.PublicKey) error {
	tl, rl, err := permit.ParseBundle(r.Bundle, root)
	if err != nil {
		return fmt.Errorf("trust list %d: %w", r.Version, err)
	}
	if err := ch.pinRoot(root); err != nil {
		return err
	}
	cur, err := ch.q.LatestTrustBundle()
	if err == nil && (tl.Sequence < cur.TrustSequence || rl.Sequence < cur.RevocationSequence) {
		return nil // the office already holds newer lists (imported by hand)
	}
	return ch.storeBundle(r.Bundle, root, tl, rl)
}

// provinceRevocation is the province's revocation of the permit in text, if any (nil when the
// text does not decode: Verify then says why).
func (a *App) provinceRevocation(ctx context.Context, text string) (*permit.RevocationEntry, error) {
	p, _, err := permit.Decode(text)
	if err != nil {
		return nil, nil
	}
	r, err := a.read(ctx).PulledRevocationOf(p.Number)
	if isNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	// What counts is the signed record, not the row's columns (an index).
	root, err := syncclient.PinnedRoot(a.dir)
	if err != nil {
		return nil, err
	}
	rec, err := syncwire.OpenEntry(root.PublicKey, syncwire.FeedEntry{Record: r.Record, Signature: r.Signature})
	rev, ok := rec.(*syncwire.Revocation)
	if err != nil || !ok || rev.Number != p.Number {
		a.log.Warn("a stored province revocation does not verify; ignored", "number", p.Number, "err", err)
		return nil, nil
	}
	at, err := syncwire.ParseTime(rev.RevokedAt)
	if err != nil {
		return nil, nil
	}
	return &permit.RevocationEntry{Number: rev.Number, Reason: rev.Reason, RevokedAt: at, RevokedBy: "province:" + rev.RevokedBy}, nil
}

// PullState is one feed's cursor as the sync status shows it.
type PullState struct {
	Feed       string     `json:"feed"`
	Pulled     int64      `json:"pulled"`
	LastPullAt *time.Time `json:"last_pull_at"`
	InSnapshot bool       `json:"in_snapshot"`
}

// PullStates lists every feed's state (feeds never pulled are absent).
func (a *App) PullStates(ctx context.Context) ([]PullState, error) {
	cs, err := a.read(ctx).PullCursors()
	if err != nil {
		return nil, err
	}
	out := make([]PullState, len(cs))
	for i, c := range cs {
		out[i] = PullState{Feed: c.Feed, Pulled: c.Pulled, LastPullAt: c.LastPullAt, InSnapshot: c.InSnapshot}
	}
	return out, nil
}
