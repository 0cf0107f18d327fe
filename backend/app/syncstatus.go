package app

import (
	"context"
	"errors"
	"net"
	"net/url"
	"sync"
	"time"

	"giaydiduong/backend/auth"
	"giaydiduong/backend/outbox"
	"giaydiduong/backend/syncclient"
	"giaydiduong/backend/syncwire"
)

// What the window shows of the sync: each record's state, and the sync panel.

// Record sync states, as the window says them: chờ gửi, đã gửi, lỗi.
const (
	SyncWaiting = "waiting" // chờ gửi: a version of it is still to send
	SyncSent    = "sent"    // đã gửi: the province holds its latest version
	SyncError   = "error"   // lỗi: the province refused its latest version (Reason says why)
	SyncLocal   = "local"   // never sent (not an office-owned record, or queued before sync)
)

// RecordSyncState is one record's sync state.
type RecordSyncState struct {
	State   string `json:"state"`
	Version int64  `json:"version"`
	Reason  string `json:"reason,omitempty"`
	// Attachments is how many of the record's files the province holds (nil: not reported per
	// record yet; a permit's are in PermitAttachments).
	Attachments *AttachmentCount `json:"attachments"`
}

// AttachmentCount is how many files the province expects and holds.
type AttachmentCount struct {
	Expected int64 `json:"expected"`
	Present  int64 `json:"present"`
}

// maxStatesAsked bounds one call (a list page is at most a few hundred rows).
const maxStatesAsked = 1000

// RecordSyncStates is the sync state of each given record of kind entity ("application",
// "permit"): the window's lists show it beside each row. A record never queued is absent.
func (a *App) RecordSyncStates(ctx context.Context, actor Actor, entity string, ids []string) (map[string]RecordSyncState, error) {
	if err := a.require(actor, auth.ViewApplications); err != nil {
		return nil, err
	}
	if len(ids) > maxStatesAsked {
		return nil, invalid("ids", "too_many", "Quá nhiều bản ghi một lần", "Too many records at once")
	}
	rows, err := a.read(ctx).OutboxStates(entity, ids)
	if err != nil {
		return nil, err
	}
	out := map[string]RecordSyncState{}
	for _, r := range rows { // oldest first: the latest version decides, a waiting one wins
		prev, seen := out[r.EntityID]
		if seen && prev.State == SyncWaiting {
			continue
		}
		out[r.EntityID] = recordState(r.SentAt == nil, r.PushStatus, r.PushReason, r.Version)
	}
	return out, nil
}

func recordState(waiting bool, status, reason string, version int64) RecordSyncState {
	switch {
	case waiting:
		return RecordSyncState{State: SyncWaiting, Version: version, Reason: reason}
	case outbox.Entry{PushStatus: status}.Failed():
		return RecordSyncState{State: SyncError, Version: version, Reason: reason}
	case status == outbox.PushLocal:
		return RecordSyncState{State: SyncLocal, Version: version}
	}
	return RecordSyncState{State: SyncSent, Version: version}
}

// SyncProgress is a run in progress (or the last one), in records and bytes.
type SyncProgress struct {
	Running       bool       `json:"running"`
	StartedAt     *time.Time `json:"started_at"`
	Total         int        `json:"total"` // records waiting when the run began
	Done          int        `json:"done"`  // answered so far
	BytesSent     int64      `json:"bytes_sent"`
	BytesReceived int64      `json:"bytes_received"`
}

type syncProgress struct {
	mu sync.Mutex
	p  SyncProgress
}

func (s *syncProgress) get() SyncProgress {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.p
}

func (s *syncProgress) update(fn func(p *SyncProgress)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fn(&s.p)
}

// SyncAttention is a record the province did not take, for a person to look at.
type SyncAttention struct {
	SyncFailure
	// Label names the record for a person: the applicant, the permit number.
	Label string `json:"label"`
}

// SyncPanel is everything the sync panel shows.
type SyncPanel struct {
	Enrolled      bool            `json:"enrolled"`
	ServerURL     string          `json:"server_url"`
	Progress      SyncProgress    `json:"progress"`
	Pending       int64           `json:"pending"`
	PendingBytes  int64           `json:"pending_bytes"`
	LastAttemptAt *time.Time      `json:"last_attempt_at"`
	LastSuccessAt *time.Time      `json:"last_success_at"`
	LastError     string          `json:"last_error,omitempty"`
	Attention     []SyncAttention `json:"attention"`
	InSync        bool            `json:"in_sync"`
	// Lists is the age of the trust and revocation lists the office verifies with (nil
	// before the first).
	Lists *TrustStatus `json:"lists"`
	// Attachments of the sent records: expected, held by the province.
	Attachments *AttachmentCount `json:"attachments"`
}

// SyncPanel reads the panel's state; it does not call the province.
func (a *App) SyncPanel(ctx context.Context, actor Actor) (SyncPanel, error) {
	if err := a.require(actor, auth.ViewSync); err != nil {
		return SyncPanel{}, err
	}
	st, err := a.SyncStatus(ctx)
	if err != nil {
		return SyncPanel{}, err
	}
	out := SyncPanel{Enrolled: st.Enrolled, Progress: a.syncProg.get(), Pending: st.Pending, LastAttemptAt: st.LastAttemptAt,
		LastSuccessAt: st.LastSuccessAt, LastError: st.LastError, InSync: st.InSync, Attention: []SyncAttention{}}
	if id, err := syncclient.LoadIdentity(a.dir); err == nil {
		out.ServerURL = id.ServerURL
	}
	q := a.read(ctx)
	if out.PendingBytes, err = q.WaitingOutboxBytes(); err != nil {
		return SyncPanel{}, err
	}
	seqs := make([]int64, len(st.Failed))
	for i, f := range st.Failed {
		seqs[i] = f.Seq
	}
	records, err := q.OutboxRecords(seqs)
	if err != nil {
		return SyncPanel{}, err
	}
	for _, f := range st.Failed {
		out.Attention = append(out.Attention, SyncAttention{SyncFailure: f, Label: recordLabel(records[f.Seq])})
	}
	out.Attachments = &AttachmentCount{Expected: st.Attachments.Expected, Present: st.Attachments.Present}
	if ts, err := a.trustStatus(ctx); err == nil {
		out.Lists = &ts
	}
	return out, nil
}

// recordLabel names a record for a person, from its wire form.
func recordLabel(b []byte) string {
	rec, err := syncwire.Decode(b)
	if err != nil {
		return ""
	}
	switch r := rec.(type) {
	case *syncwire.Application:
		return r.FullName
	case *syncwire.Permit:
		return r.Number
	case *syncwire.ScanPage:
		return r.SourceName
	case *syncwire.AuditEvent:
		return r.Action
	}
	return ""
}

// RequestSync is "Đồng bộ ngay": the background loop runs at once (or, with no loop, a run
// starts on its own). It returns at once; the panel shows the progress.
func (a *App) RequestSync(ctx context.Context, actor Actor) error {
	if err := a.require(actor, auth.ViewSync); err != nil {
		return err
	}
	if _, err := syncclient.LoadIdentity(a.dir); errors.Is(err, syncclient.ErrNotEnrolled) {
		return &Error{Code: CodeConflict, VI: "Văn phòng chưa đăng ký với máy chủ tỉnh (gddctl enroll)", EN: "The office is not enrolled with the provincial server (gddctl enroll)", cause: err}
	}
	a.syncLoopMu.Lock()
	l := a.syncLoop
	a.syncLoopMu.Unlock()
	if l != nil {
		l.Now()
		return nil
	}
	go func() {
		if _, err := a.SyncNow(context.WithoutCancel(ctx)); err != nil {
			a.log.Warn("sync on request failed", "err", err)
		}
	}()
	return nil
}

// provinceReachable is the loop's cheap check that the network is back: a TCP connection to
// the province's address (no TLS, no request), so an office offline for hours retries the
// moment the line returns instead of at the end of its backoff.
func (a *App) provinceReachable(ctx context.Context) bool {
	id, err := syncclient.LoadIdentity(a.dir)
	if err != nil {
		return false
	}
	u, err := url.Parse(id.ServerURL)
	if err != nil {
		return false
	}
	host := u.Host
	if u.Port() == "" {
		host = net.JoinHostPort(u.Hostname(), "443")
	}
	ctx, cancel := context.WithTimeout(ctx, SyncProbeTimeout)
	defer cancel()
	conn, err := (&net.Dialer{}).DialContext(ctx, "tcp", host)
	if err != nil {
		return false
	}
	conn.Close()
	return true
}
