package province_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"giaydiduong/backend/domain"
	"giaydiduong/backend/province"
	"giaydiduong/backend/province/provincetest"
	"giaydiduong/backend/syncwire"
)

func signingProvince(t *testing.T, dsn string) *provincetest.Province {
	t.Helper()
	p := provincetest.New(t, dsn)
	if err := p.Svc.UnlockRoot(filepath.Join(p.Dir, province.RootKeyFile), provincetest.RootPassphrase); err != nil {
		t.Fatal(err)
	}
	return p
}

var officeOf = func(unit string) province.OfficeSession {
	return province.OfficeSession{OfficeID: "o-" + unit, UnitCode: unit}
}

// drain pulls feed from cursor until caught up, returning the records and the last cursor.
func drain(t *testing.T, svc *province.Service, sess province.OfficeSession, feed syncwire.Feed, cursor string, limit int) ([]syncwire.Record, string) {
	t.Helper()
	var out []syncwire.Record
	root := rootKey(t, svc)
	for i := 0; ; i++ {
		if i > 100000 {
			t.Fatal("the feed never ends")
		}
		page, err := svc.Pull(context.Background(), sess, feed, cursor, limit)
		if err != nil {
			t.Fatalf("pull %s from %q: %v", feed, cursor, err)
		}
		for _, e := range page.Entries {
			r, err := syncwire.OpenEntry(root, e)
			if err != nil {
				t.Fatalf("entry %d: %v", e.Seq, err)
			}
			out = append(out, r)
		}
		cursor = page.Cursor
		if !page.More {
			return out, cursor
		}
	}
}

func rootKey(t *testing.T, svc *province.Service) any {
	t.Helper()
	_, pub, err := svc.RootPublicKey(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return pub
}

// Feed property: writers commit in random order (each holds its transaction open a random
// while after taking its sequence number) while a reader pulls small pages all along; the
// reader sees every record exactly once, in increasing sequence, none skipped.
func TestFeedNeverSkipsALateCommit(t *testing.T) {
	eachEngine(t, func(t *testing.T, e provincetest.Engine) {
		p := signingProvince(t, e.DSN)
		ctx := context.Background()
		sess := officeOf("28261")
		const writers, each = 6, 4
		for round := range 3 {
			rng := rand.New(rand.NewPCG(uint64(round), 7))
			holds := make([]time.Duration, writers*each)
			for i := range holds {
				holds[i] = time.Duration(rng.IntN(25)) * time.Millisecond
			}
			// Start where the earlier rounds left off.
			_, cursor := drain(t, p.Svc, sess, syncwire.FeedRevocations, "", 50)
			want := map[string]bool{}
			var wg sync.WaitGroup
			errs := make(chan error, writers)
			for w := range writers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := range each {
						n := fmt.Sprintf("28261/2026/%06d", round*1000+w*each+i+1)
						d := holds[w*each+i]
						if _, err := p.Svc.PublishHeld(ctx, syncwire.Revocation{Number: n, Version: 1, UnitCode: "28261", Reason: "test", RevokedAt: syncwire.Time(time.Now()), RevokedBy: "t"}, "", func() { time.Sleep(d) }); err != nil {
							errs <- err
							return
						}
					}
				}()
				for i := range each {
					want[fmt.Sprintf("28261/2026/%06d", round*1000+w*each+i+1)] = true
				}
			}
			done := make(chan struct{})
			go func() { wg.Wait(); close(done) }()
			seen := map[string]int{}
			last := int64(-1)
			read := func() {
				page, err := p.Svc.Pull(ctx, sess, syncwire.FeedRevocations, cursor, 2)
				if err != nil {
					t.Fatal(err)
				}
				for _, en := range page.Entries {
					if en.Seq <= last {
						t.Fatalf("seq %d after %d", en.Seq, last)
					}
					last = en.Seq
					r, err := syncwire.Decode(en.Record)
					if err != nil {
						t.Fatal(err)
					}
					seen[r.(*syncwire.Revocation).Number]++
				}
				cursor = page.Cursor
			}
		loop:
			for {
				select {
				case <-done:
					break loop
				case err := <-errs:
					t.Fatal(err)
				default:
					read()
				}
			}
			close(errs)
			for err := range errs {
				t.Fatal(err)
			}
			for range 1000 {
				before := cursor
				read()
				if cursor == before {
					break
				}
			}
			for n := range want {
				if seen[n] != 1 {
					t.Fatalf("round %d: %s seen %d times (the reader skipped a late commit)", round, n, seen[n])
				}
			}
			if len(seen) != len(want) {
				t.Fatalf("round %d: saw %d records, %d written", round, len(seen), len(want))
			}
		}
	})
}

func TestFeedSnapshotUnitScopeAndSupersede(t *testing.T) {
	eachEngine(t, func(t *testing.T, e provincetest.Engine) {
		p := signingProvince(t, e.DSN)
		ctx := context.Background()
		if _, err := p.Svc.CreateAccount(ctx, "t", province.AccountInput{UnitCode: "28261", Username: "canbo1", FullName: "Nguyễn Văn An", Role: domain.RoleClerk, Password: "mat-khau-dai-1"}); err != nil {
			t.Fatal(err)
		}
		if _, err := p.Svc.CreateAccount(ctx, "t", province.AccountInput{UnitCode: "28249", Username: "canbo2", FullName: "Trần Thị Bình", Role: domain.RoleApprover, Password: "mat-khau-dai-2"}); err != nil {
			t.Fatal(err)
		}
		if _, err := p.Svc.CreateAccount(ctx, "t", province.AccountInput{UnitCode: "28261", Username: "canbo1", FullName: "Nguyễn Văn An", Role: domain.RoleClerk, Password: "mat-khau-dai-1"}); province.AsError(err).Kind != province.KindConflict {
			t.Fatalf("same username twice in a unit: %v", err)
		}
		recs, _ := drain(t, p.Svc, officeOf("28261"), syncwire.FeedAccounts, "", 100)
		var accounts, roles int
		for _, r := range recs {
			switch v := r.(type) {
			case *syncwire.Account:
				accounts++
				if v.UnitCode != "28261" || v.PasswordHash == "" {
					t.Fatalf("office 28261 got %+v", v)
				}
			case *syncwire.Role:
				roles++
			}
		}
		if accounts != 1 || roles != 3 {
			t.Fatalf("office 28261 got %d accounts and %d roles, want 1 and 3", accounts, roles)
		}
		// Units: a newer version supersedes the older in a snapshot.
		for v := int64(1); v <= 3; v++ {
			if _, err := p.Svc.PublishUnit(ctx, "t", syncwire.Unit{Code: "28261", Version: v, Name: fmt.Sprintf("Phường Mỹ Tho %d", v), Level: "commune", ParentCode: "82", Type: "phường"}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := p.Svc.PublishUnit(ctx, "t", syncwire.Unit{Code: "28261", Version: 2, Name: "x"}); province.AsError(err).Kind != province.KindConflict {
			t.Fatalf("an older unit version: %v", err)
		}
		units, _ := drain(t, p.Svc, officeOf("28249"), syncwire.FeedUnits, "", 1)
		if len(units) != 1 || units[0].(*syncwire.Unit).Version != 3 {
			t.Fatalf("snapshot of units: %+v", units)
		}
	})
}

func TestFeedGone(t *testing.T) {
	eachEngine(t, func(t *testing.T, e provincetest.Engine) {
		p := signingProvince(t, e.DSN)
		clock := provincetest.NewClock()
		p.Svc.Now = clock.Now
		ctx := context.Background()
		sess := officeOf("28261")
		for i := range 3 {
			if _, err := p.Svc.RevokePermit(ctx, "t", fmt.Sprintf("28261/2026/%d", i+1), "mất giấy"); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := p.Svc.RevokePermit(ctx, "t", "28261/2026/1", "again"); province.AsError(err).Kind != province.KindConflict {
			t.Fatalf("revoking twice: %v", err)
		}
		got, cursor := drain(t, p.Svc, sess, syncwire.FeedRevocations, "", 2)
		if len(got) != 3 {
			t.Fatalf("pulled %d revocations", len(got))
		}
		gone := func(cursor, reason string) {
			t.Helper()
			_, err := p.Svc.Pull(ctx, sess, syncwire.FeedRevocations, cursor, 10)
			e := province.AsError(err)
			if e.Kind != province.KindGone || errors.Unwrap(e).Error() != reason {
				t.Fatalf("cursor %q: %v, want gone (%s)", cursor, err, reason)
			}
		}
		cur, _ := syncwire.ParseCursor(cursor)
		gone(syncwire.Cursor{Epoch: cur.Epoch, Seq: cur.Seq + 5}.String(), syncwire.GoneEpoch) // ahead: a restored copy

		// The horizon: 200 days on, a new revocation, then pruning; the old cursor is gone.
		early := syncwire.Cursor{Epoch: cur.Epoch, Seq: 1}.String()
		clock.Advance(200 * 24 * time.Hour)
		if _, err := p.Svc.RevokePermit(ctx, "t", "28261/2026/9", "mất giấy"); err != nil {
			t.Fatal(err)
		}
		if _, err := p.Svc.PruneFeeds(ctx, "t", 30*24*time.Hour); province.AsError(err).Kind != province.KindInvalid {
			t.Fatalf("a 30-day horizon: %v", err)
		}
		if _, err := p.Svc.PruneFeeds(ctx, "t", province.DefaultTombstoneHorizon); err != nil {
			t.Fatal(err)
		}
		gone(early, syncwire.GoneHorizon)
		if more, _ := drain(t, p.Svc, sess, syncwire.FeedRevocations, cursor, 10); len(more) != 1 {
			t.Fatalf("a cursor at the horizon reads on: %d", len(more))
		}

		// A restored database gets a new epoch: every old cursor is gone; a snapshot reads all.
		if _, err := p.Svc.NewEpoch(ctx, "t"); err != nil {
			t.Fatal(err)
		}
		gone(cursor, syncwire.GoneEpoch)
		if all, _ := drain(t, p.Svc, sess, syncwire.FeedRevocations, "", 3); len(all) != 4 {
			t.Fatalf("snapshot after the new epoch: %d", len(all))
		}
	})
}

func TestRulesPublishedAhead(t *testing.T) {
	eachEngine(t, func(t *testing.T, e provincetest.Engine) {
		p := signingProvince(t, e.DSN)
		ctx := context.Background()
		f := province.RulesFile{RulesInput: domain.RulesInput{PermitsRequired: true, Purposes: []domain.Purpose{{Code: "work", VI: "Đi làm"}}, MaxDays: 7}}
		f.EffectiveFrom = time.Now().Add(24 * time.Hour).In(time.FixedZone("ICT", 7*3600)).Format("2006-01-02")
		if _, err := p.Svc.SetRules(ctx, "t", "28261", f, false); province.AsError(err).Kind != province.KindInvalid {
			t.Fatalf("rules a day ahead without --urgent: %v", err)
		}
		r, err := p.Svc.SetRules(ctx, "t", "28261", f, true)
		if err != nil || r.RuleVersion != 1 {
			t.Fatalf("urgent rules: %+v %v", r, err)
		}
		f.EffectiveFrom = time.Now().Add(72 * time.Hour).Format("2006-01-02")
		if r, err = p.Svc.SetRules(ctx, "t", "28261", f, false); err != nil || r.RuleVersion != 2 {
			t.Fatalf("rules three days ahead: %+v %v", r, err)
		}
		if other, _ := drain(t, p.Svc, officeOf("28249"), syncwire.FeedRules, "", 10); len(other) != 0 {
			t.Fatalf("another unit read %d rules", len(other))
		}
		mine, _ := drain(t, p.Svc, officeOf("28261"), syncwire.FeedRules, "", 10)
		if len(mine) != 2 || mine[1].(*syncwire.Rules).EffectiveFrom != f.EffectiveFrom {
			t.Fatalf("rules feed: %+v", mine)
		}
	})
}
