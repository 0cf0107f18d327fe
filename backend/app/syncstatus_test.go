package app

import (
	"context"
	"testing"
	"time"

	"giaydiduong/backend/syncclient"
	"giaydiduong/backend/syncwire"
)

// Each record's state goes chờ gửi → đã gửi; a conflict is "lỗi" with the province's words,
// and the panel names the record for a person, with the run's progress in records and bytes.
func TestRecordSyncStatesAndPanel(t *testing.T) {
	f := newSyncFixture(t, nil)
	ids := f.addApplications(t, 3)
	states, err := f.RecordSyncStates(f.ctx, f.clerk, "application", ids)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		if states[id].State != SyncWaiting {
			t.Fatalf("before the sync %s is %+v", id, states[id])
		}
	}
	panel, err := f.SyncPanel(f.ctx, f.clerk)
	if err != nil || !panel.Enrolled || panel.Pending == 0 || panel.PendingBytes == 0 || panel.LastSuccessAt != nil || panel.ServerURL == "" {
		t.Fatalf("panel before: %+v %v", panel, err)
	}
	mustSync(t, f)
	states, _ = f.RecordSyncStates(f.ctx, f.clerk, "application", ids)
	for _, id := range ids {
		if states[id].State != SyncSent {
			t.Fatalf("after the sync %s is %+v", id, states[id])
		}
	}
	panel, _ = f.SyncPanel(f.ctx, f.clerk)
	if panel.Progress.Running || panel.Progress.Done != panel.Progress.Total || panel.Progress.Total == 0 || panel.Progress.BytesSent == 0 ||
		panel.Progress.BytesReceived == 0 || panel.LastSuccessAt == nil || !panel.InSync || len(panel.Attention) != 0 || panel.Lists == nil {
		t.Fatalf("panel after: %+v", panel)
	}

	// The province already holds the next application's version with another body (sent
	// by another copy of this office, say): the office's own is a conflict, kept for a person.
	next := f.addApplications(t, 1)[0]
	a, err := f.GetApplication(f.ctx, f.clerk, next)
	if err != nil {
		t.Fatal(err)
	}
	forged, err := syncclient.Item(syncwire.Application{ID: a.ID, Version: a.Version, OfficeUnitCode: DemoUnitCode, Status: "submitted",
		FullName: a.FullName, BirthDate: a.BirthDate, Note: "một bản khác", CreatedAt: "2026-11-28T02:00:00Z"})
	if err != nil {
		t.Fatal(err)
	}
	c, err := syncclient.Open(f.DataDir())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if res, err := c.Push(f.ctx, []syncwire.PushItem{forged}); err != nil || res[0].Status != syncwire.Applied {
		t.Fatalf("forged push: %+v %v", res, err)
	}
	rep := mustSync(t, f)
	if rep.Conflicts != 1 || rep.InSync {
		t.Fatalf("conflict run: %+v", rep)
	}
	ids[0] = next
	states, _ = f.RecordSyncStates(f.ctx, f.clerk, "application", ids[:1])
	if s := states[ids[0]]; s.State != SyncError || s.Reason == "" {
		t.Fatalf("the conflicting record shows %+v", s)
	}
	panel, _ = f.SyncPanel(f.ctx, f.approver)
	if len(panel.Attention) != 1 || panel.Attention[0].Status != "conflict" || panel.Attention[0].Label != a.FullName || panel.Attention[0].EntityID != a.ID || panel.InSync {
		t.Fatalf("attention: %+v", panel.Attention)
	}
	if _, err := f.RecordSyncStates(f.ctx, f.clerk, "application", make([]string, maxStatesAsked+1)); codeOf(err) != CodeValidation {
		t.Fatalf("too many ids: %v", err)
	}
}

// After a run lost to the network, the loop does not sit out its backoff: it runs again as
// soon as the province's address answers.
func TestSyncLoopRetriesWhenReachableAgain(t *testing.T) {
	defer func(j, i, b, p time.Duration) {
		SyncStartJitter, SyncInterval, SyncBackoffBase, SyncProbeInterval = j, i, b, p
	}(SyncStartJitter, SyncInterval, SyncBackoffBase, SyncProbeInterval)
	SyncStartJitter, SyncInterval, SyncBackoffBase, SyncProbeInterval = 10*time.Millisecond, time.Hour, time.Hour, 50*time.Millisecond
	f := newSyncFixture(t, nil)
	f.addApplications(t, 30)
	f.proxy.set(faultDropMidRequest)
	ctx, cancel := context.WithCancel(f.ctx)
	defer cancel()
	l := f.StartSyncLoop(ctx)
	if rep := <-l.Runs; rep.Error == "" {
		t.Fatalf("the first run got through a dropped link: %+v", rep)
	}
	f.proxy.set(faultPass)
	select {
	case rep := <-l.Runs:
		if !rep.InSync {
			t.Fatalf("retry: %+v", rep)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the loop waited out its backoff although the province was reachable")
	}
	cancel()
	<-l.Done()
	f.assertServerMatches(t)
}

// "Đồng bộ ngay" kicks the running loop; not enrolled is a clear refusal.
func TestRequestSync(t *testing.T) {
	plain := newFixture(t)
	if err := plain.RequestSync(plain.ctx, plain.clerk); codeOf(err) != CodeConflict {
		t.Fatalf("not enrolled: %v", err)
	}
	defer func(j, i time.Duration) { SyncStartJitter, SyncInterval = j, i }(SyncStartJitter, SyncInterval)
	SyncStartJitter, SyncInterval = time.Hour, time.Hour
	f := newSyncFixture(t, nil)
	f.addApplications(t, 2)
	ctx, cancel := context.WithCancel(f.ctx)
	defer cancel()
	l := f.StartSyncLoop(ctx)
	if err := f.RequestSync(f.ctx, f.clerk); err != nil {
		t.Fatal(err)
	}
	select {
	case rep := <-l.Runs:
		if !rep.InSync || rep.Pushed < 2 {
			t.Fatalf("run on request: %+v", rep)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Đồng bộ ngay did not start a run")
	}
	cancel()
	<-l.Done()
}

// While a run waits on the network the panel says so, with the records it is sending, and the
// clerk's records stay "chờ gửi".
func TestSyncPanelDuringARun(t *testing.T) {
	f := newSyncFixture(t, nil)
	ids := f.addApplications(t, 4)
	f.proxy.set(faultBlackhole)
	ctx, cancel := context.WithCancel(f.ctx)
	done := make(chan struct{})
	go func() { defer close(done); f.SyncNow(ctx) }()
	deadline := time.Now().Add(20 * time.Second)
	var panel SyncPanel
	for {
		var err error
		if panel, err = f.SyncPanel(f.ctx, f.clerk); err != nil {
			t.Fatal(err)
		}
		if panel.Progress.Running || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if !panel.Progress.Running || panel.Progress.Total < 4 || panel.Progress.Done != 0 || panel.Progress.StartedAt == nil {
		t.Fatalf("during the run: %+v", panel.Progress)
	}
	states, _ := f.RecordSyncStates(f.ctx, f.clerk, "application", ids)
	if states[ids[0]].State != SyncWaiting {
		t.Fatalf("during the run: %+v", states[ids[0]])
	}
	cancel()
	<-done
	if panel, _ = f.SyncPanel(f.ctx, f.clerk); panel.Progress.Running || panel.LastError == "" {
		t.Fatalf("after the cancelled run: %+v", panel)
	}
}
