package app

import (
	"context"
	"errors"
	"flag"
	"math/rand/v2"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"giaydiduong/backend/audit"
	"giaydiduong/backend/outbox"
	"giaydiduong/backend/province"
	"giaydiduong/backend/province/provincetest"
	"giaydiduong/backend/server"
	"giaydiduong/backend/store"
	"giaydiduong/backend/syncclient"
	"giaydiduong/backend/syncwire"
)

// syncFixture is an office enrolled with a real provincial server (SQLite) reached through a
// fault-injecting proxy on loopback.
type syncFixture struct {
	*fixture
	p     *provincetest.Province
	proxy *faultProxy
}

func newSyncFixture(t *testing.T, limits *server.Limits) *syncFixture {
	t.Helper()
	f := newFixture(t)
	p := provincetest.New(t, filepath.Join(t.TempDir(), "server.db"))
	p.Limits = limits
	url := p.Serve(t)
	cert, err := p.Svc.ServerCertificate()
	if err != nil {
		t.Fatal(err)
	}
	proxy := newFaultProxy(t, url[len("https://"):], cert)
	o, err := p.Svc.AddOffice(f.ctx, "test", province.NewOfficeInput{UnitCode: DemoUnitCode})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.EnrollWithProvince(f.ctx, f.admin, proxy.URL(), o.Code); err != nil {
		t.Fatal(err)
	}
	return &syncFixture{fixture: f, p: p, proxy: proxy}
}

func (f *syncFixture) addApplications(t *testing.T, n int) []string {
	t.Helper()
	var ids []string
	for range n {
		a, err := f.AddApplication(f.ctx, f.clerk, f.input(), false)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, a.ID)
	}
	return ids
}

// addVariedApplications is addApplications with names, cards and phones that differ, so a
// compressed push body is as large as real ones (identical records compress to nothing and
// would slip under the fault proxy's threshold).
func (f *syncFixture) addVariedApplications(t *testing.T, n int) []string {
	t.Helper()
	r := rand.New(rand.NewPCG(7, uint64(n)))
	var ids []string
	for range n {
		a, err := f.AddApplication(f.ctx, f.clerk, f.variedInput(r), false)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, a.ID)
	}
	return ids
}

type versionKey struct {
	Entity, EntityID string
	Version          int64
	Hash             string
}

// serverHolds is every record version the province stored.
func (f *syncFixture) serverHolds(t *testing.T) []versionKey {
	t.Helper()
	var out []versionKey
	if err := f.p.Svc.DB().Table("office_records").Select("entity, entity_id, version, hash").Order("entity, entity_id, version").Scan(&out).Error; err != nil {
		t.Fatal(err)
	}
	return out
}

// officeSent is every outbox version the province should hold: office-owned and not refused.
func (f *syncFixture) officeSent(t *testing.T) []versionKey {
	t.Helper()
	var entries []outbox.Entry
	if err := f.DB().Order("seq").Find(&entries).Error; err != nil {
		t.Fatal(err)
	}
	var out []versionKey
	for _, e := range entries {
		if syncwire.OfficeOwned(syncwire.Kind(e.Entity)) && !e.Failed() {
			out = append(out, versionKey{e.Entity, e.EntityID, e.Version, e.ContentHash})
		}
	}
	// The audit chain travels in its own lane (syncaudit.go), every event once.
	var events []audit.Event
	if err := f.DB().Order("seq").Find(&events).Error; err != nil {
		t.Fatal(err)
	}
	for _, e := range events {
		h, err := syncwire.ContentHash(store.AuditWire(e))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, versionKey{string(syncwire.KindAuditEvent), e.ID, 1, h})
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Entity != b.Entity {
			return a.Entity < b.Entity
		}
		if a.EntityID != b.EntityID {
			return a.EntityID < b.EntityID
		}
		return a.Version < b.Version
	})
	return out
}

func (f *syncFixture) assertServerMatches(t *testing.T) {
	t.Helper()
	got, want := f.serverHolds(t), f.officeSent(t)
	if len(got) != len(want) {
		t.Fatalf("the province holds %d versions, the office sent %d", len(got), len(want))
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("version %d: province %+v, office %+v", i, got[i], want[i])
		}
	}
}

func mustSync(t *testing.T, f *syncFixture) SyncReport {
	t.Helper()
	rep, err := f.SyncNow(f.ctx)
	if err != nil {
		t.Fatalf("sync: %v (%+v)", err, rep)
	}
	return rep
}

// Every fault on the way, then healing: the province holds exactly the office's versions.
func TestSyncThroughFaults(t *testing.T) {
	f := newSyncFixture(t, nil)
	f.addVariedApplications(t, 40)

	for _, m := range []struct {
		name string
		mode faultMode
	}{{"drop mid-request", faultDropMidRequest}, {"502", fault502}} {
		f.proxy.set(m.mode)
		rep, err := f.SyncNow(f.ctx)
		if err == nil || rep.InSync || rep.Pending == 0 {
			t.Fatalf("%s: %+v %v", m.name, rep, err)
		}
		if n := len(f.serverHolds(t)); n != 0 {
			t.Fatalf("%s: the province stored %d versions", m.name, n)
		}
		st, err := f.SyncStatus(f.ctx)
		if err != nil || st.LastError == "" || st.LastSuccessAt != nil || st.Pending != int64(rep.Pending) {
			t.Fatalf("%s: status %+v %v", m.name, st, err)
		}
	}

	// The answer is lost after the province committed: the next run hears "duplicate".
	f.SyncBatchSize = 6
	f.proxy.set(faultCutReply)
	if rep, err := f.SyncNow(f.ctx); err == nil {
		t.Fatalf("cut reply: %+v", rep)
	}
	committed := len(f.serverHolds(t))
	if committed == 0 {
		t.Fatal("the cut came before the province committed anything")
	}

	f.proxy.set(faultDelay)
	rep := mustSync(t, f)
	if !rep.InSync || rep.Duplicates == 0 || rep.Pending != 0 || rep.Failed != 0 {
		t.Fatalf("healed: %+v (province held %d before)", rep, committed)
	}
	f.assertServerMatches(t)
	st, err := f.SyncStatus(f.ctx)
	if err != nil || !st.InSync || st.LastSuccessAt == nil || st.LastError != "" || len(st.Failed) != 0 {
		t.Fatalf("status after healing: %+v %v", st, err)
	}

	// Nothing new: a run sends nothing and stays in sync.
	f.proxy.set(faultPass)
	if rep := mustSync(t, f); !rep.InSync || rep.Pushed+rep.Duplicates != 0 {
		t.Fatalf("idle run: %+v", rep)
	}
}

// A poison record in a batch is kept as "lỗi" with the province's reason and does not hold
// up the records around it; a record changed after it was sent goes as a new version.
func TestSyncPoisonAndChangedAfterSent(t *testing.T) {
	// The server takes 7 items a request: the office's batches of 200 meet 413 and halve.
	f := newSyncFixture(t, &server.Limits{PushBytes: syncwire.MaxPushBytes, PushItems: 7, ConcurrentPushes: 4})
	ids := f.addApplications(t, 10)
	first := mustSync(t, f)
	if !first.InSync || first.Pushed == 0 {
		t.Fatalf("first sync: %+v", first)
	}
	var sent outbox.Entry
	if err := f.DB().Where("entity_id = ?", ids[0]).Take(&sent).Error; err != nil {
		t.Fatal(err)
	}

	f.addApplications(t, 3)
	poison := syncwire.Application{ID: "poison-1", Version: 1, OfficeUnitCode: "99999", Status: "submitted", FullName: "Không Hợp Lệ",
		BirthDate: "1990-01-01", CreatedAt: "2026-11-28T02:00:00Z"}
	if err := f.st.Write(f.ctx, func(q store.Q) error { return q.Queue(f.now, poison) }); err != nil {
		t.Fatal(err)
	}
	f.addApplications(t, 3)
	// The first application, already sent as v1, is approved: a new version, v2.
	if _, err := f.ApproveApplication(f.ctx, f.approver, ids[0]); err != nil {
		t.Fatal(err)
	}

	rep, err := f.SyncNow(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if rep.InSync || rep.Rejected != 1 || rep.Pushed != 7 || rep.Pending != 0 || rep.Failed != 1 {
		t.Fatalf("with a poison record: %+v", rep)
	}
	st, err := f.SyncStatus(f.ctx)
	if err != nil || len(st.Failed) != 1 || st.Failed[0].EntityID != "poison-1" || st.Failed[0].State != "lỗi" || st.Failed[0].Reason == "" || st.InSync {
		t.Fatalf("status: %+v %v", st, err)
	}
	var again outbox.Entry
	if err := f.DB().Where("seq = ?", sent.Seq).Take(&again).Error; err != nil {
		t.Fatal(err)
	}
	if again.ContentHash != sent.ContentHash || string(again.Record) != string(sent.Record) || again.Version != 1 {
		t.Fatal("the sent version changed at the office")
	}
	var versions []int64
	f.p.Svc.DB().Table("office_records").Where("entity_id = ?", ids[0]).Order("version").Pluck("version", &versions)
	if len(versions) != 2 || versions[0] != 1 || versions[1] != 2 {
		t.Fatalf("the province holds versions %v of the changed application", versions)
	}
	f.assertServerMatches(t)

	// The rejected entry is not sent again: the next run has nothing to send.
	if rep := mustSync(t, f); rep.Rejected != 0 || rep.Pushed != 0 || rep.Failed != 1 || rep.InSync {
		t.Fatalf("run after the reject: %+v", rep)
	}
}

// kill -9 after the province committed but before the office recorded the answer: what the
// dead run sent is what the next run sends again, and it is answered duplicate.
func TestSyncAfterCrashBeforeRecording(t *testing.T) {
	f := newSyncFixture(t, nil)
	f.addApplications(t, 5)
	entries, err := f.read(f.ctx).WaitingOutbox(0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	var items []syncwire.PushItem
	for _, e := range entries {
		if syncwire.OfficeOwned(syncwire.Kind(e.Entity)) {
			items = append(items, syncwire.PushItem{Record: e.Record, Hash: e.ContentHash})
		}
	}
	c, err := syncclient.Open(f.DataDir())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Push(f.ctx, items); err != nil { // the dead run's request
		t.Fatal(err)
	}
	rep := mustSync(t, f)
	if !rep.InSync || rep.Pushed != 0 || rep.Duplicates != len(items) {
		t.Fatalf("after the crash: %+v (%d sent before)", rep, len(items))
	}
	f.assertServerMatches(t)
}

// The province overloaded: its Retry-After reaches the report (and the loop's wait).
func TestSyncHonoursRetryAfter(t *testing.T) {
	f := newSyncFixture(t, &server.Limits{PushBytes: syncwire.MaxPushBytes, PushItems: syncwire.MaxPushItems, ConcurrentPushes: 0})
	f.addApplications(t, 2)
	rep, err := f.SyncNow(f.ctx)
	var rl *syncclient.RetryLater
	if !errors.As(err, &rl) || rep.RetryAfter <= 0 || rep.InSync || codeOf(err) != CodeLocked {
		t.Fatalf("overloaded: %+v %v", rep, err)
	}
}

func TestSyncNotEnrolled(t *testing.T) {
	f := newFixture(t)
	if _, err := f.SyncNow(f.ctx); !errors.Is(err, syncclient.ErrNotEnrolled) || codeOf(err) != CodeConflict {
		t.Fatalf("got %v", err)
	}
	st, err := f.SyncStatus(f.ctx)
	if err != nil || st.Enrolled || st.InSync || st.Pending == 0 {
		t.Fatalf("status: %+v %v", st, err)
	}
}

// The loop runs after its start delay, again at once on "sync now", and the clerk's work
// goes on while the province does not answer.
func TestSyncLoop(t *testing.T) {
	defer func(j, i time.Duration) { SyncStartJitter, SyncInterval = j, i }(SyncStartJitter, SyncInterval)
	SyncStartJitter, SyncInterval = 10*time.Millisecond, time.Hour
	f := newSyncFixture(t, nil)
	f.addApplications(t, 3)
	ctx, cancel := context.WithCancel(f.ctx)
	defer cancel()
	l := f.StartSyncLoop(ctx)
	if rep := <-l.Runs; !rep.InSync {
		t.Fatalf("first run: %+v", rep)
	}
	f.proxy.set(faultDelay)
	f.addApplications(t, 2)
	l.Now()
	if rep := <-l.Runs; !rep.InSync || rep.Pushed != 2 {
		t.Fatalf("sync now: %+v", rep)
	}
	cancel()
	<-l.Done()
	f.assertServerMatches(t)
}

// A sync stuck on a dead link holds no lock the clerk needs: applications are saved while it
// hangs, and it ends with the context.
func TestSyncNeverBlocksTheClerk(t *testing.T) {
	f := newSyncFixture(t, nil)
	f.addApplications(t, 3)
	f.proxy.set(faultBlackhole)
	ctx, cancel := context.WithTimeout(f.ctx, 3*time.Second)
	defer cancel()
	done := make(chan error, 1)
	go func() { _, err := f.SyncNow(ctx); done <- err }()
	time.Sleep(200 * time.Millisecond) // the run is waiting on the network now
	f.addApplications(t, 5)
	select {
	case err := <-done:
		t.Fatalf("the run ended before the clerk's work (%v): the test proves nothing", err)
	default:
	}
	if err := <-done; err == nil {
		t.Fatal("a run over a dead link succeeded")
	}
	f.proxy.set(faultPass)
	if rep := mustSync(t, f); !rep.InSync || rep.Pushed < 8 {
		t.Fatalf("after the link came back: %+v", rep)
	}
	f.assertServerMatches(t)
}

func TestSyncBackoff(t *testing.T) {
	for _, n := range []int{1, 2, 5, 10, 40, 1000} {
		d := SyncBackoff(n)
		ceiling := min(SyncBackoffBase<<min(n-1, 20), SyncBackoffMax)
		if d < ceiling/2 || d > ceiling {
			t.Errorf("backoff after %d failures: %s, want within [%s, %s]", n, d, ceiling/2, ceiling)
		}
	}
}

// longSync enables the big matrix: `go test ./backend/app -run TestSyncMatrix -sync.long`.
var longSync = flag.Bool("sync.long", false, "run the 1,000-record sync fault matrix")

// 1,000 applications (plus a change of every tenth after it was sent) pushed through every
// fault in turn, in small batches; after healing the province holds exactly the office's
// versions.
func TestSyncMatrix(t *testing.T) {
	if !*longSync {
		t.Skip("the 1,000-record matrix runs with -sync.long (TestSyncThroughFaults covers each fault on 40)")
	}
	f := newSyncFixture(t, nil)
	ids := f.addApplications(t, 1000)
	f.SyncBatchSize = 50
	faults := []faultMode{faultDropMidRequest, fault502, faultCutReply, faultDelay, faultPass}
	for round := 0; round < 3; round++ {
		for _, m := range faults {
			f.proxy.set(m)
			f.SyncNow(f.ctx)
		}
		if round > 0 {
			continue
		}
		for i := 0; i < len(ids); i += 10 { // changed after (some of) them were sent: v2
			if _, err := f.ApproveApplication(f.ctx, f.approver, ids[i]); err != nil {
				t.Fatal(err)
			}
		}
	}
	f.proxy.set(faultPass)
	if rep := mustSync(t, f); !rep.InSync {
		t.Fatalf("healed: %+v", rep)
	}
	f.assertServerMatches(t)
	if n := len(f.serverHolds(t)); n < 1100 {
		t.Fatalf("the province holds %d versions, want at least 1,100", n)
	}
}
