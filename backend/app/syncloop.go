package app

import (
	"context"
	"errors"
	"math/rand/v2"
	"time"

	"giaydiduong/backend/syncclient"
)

// Timing of the background sync. Vars so tests can shorten them.
var (
	// SyncStartJitter: the first run waits a random part of it, so offices that all open at
	// 07:30 do not all call the province at once.
	SyncStartJitter = 2 * time.Minute
	// SyncInterval: the wait after a run that left nothing to send.
	SyncInterval = 5 * time.Minute
	// SyncBackoffBase and SyncBackoffMax bound the wait after failures (doubling, with jitter).
	SyncBackoffBase = 10 * time.Second
	SyncBackoffMax  = 15 * time.Minute
	// SyncProbeInterval and SyncProbeTimeout: while waiting after a failure, the loop checks
	// this often whether the province answers a TCP connection, and runs at once when it does.
	SyncProbeInterval = 20 * time.Second
	SyncProbeTimeout  = 3 * time.Second
)

// SyncLoop is the office's background sync: it runs while the office is enrolled and the
// window (or whoever started it) is open, and never holds up the clerk's work.
type SyncLoop struct {
	kick chan struct{}
	done chan struct{}
	// Runs receives each run's report (buffered, dropped when nobody reads); for the window's
	// progress and for tests.
	Runs chan SyncReport
}

// StartSyncLoop starts the loop; it stops when ctx ends.
func (a *App) StartSyncLoop(ctx context.Context) *SyncLoop {
	l := &SyncLoop{kick: make(chan struct{}, 1), done: make(chan struct{}), Runs: make(chan SyncReport, 8)}
	a.syncLoopMu.Lock()
	a.syncLoop = l
	a.syncLoopMu.Unlock()
	go l.run(ctx, a)
	return l
}

// Now asks for a run at once ("Đồng bộ ngay", or the network came back).
func (l *SyncLoop) Now() {
	select {
	case l.kick <- struct{}{}:
	default:
	}
}

// Done is closed when the loop has stopped.
func (l *SyncLoop) Done() <-chan struct{} { return l.done }

func (l *SyncLoop) run(ctx context.Context, a *App) {
	defer close(l.done)
	wait := jitter(SyncStartJitter)
	failures, offline := 0, false
	for {
		if !l.wait(ctx, a, wait, offline) {
			return
		}
		rep, err := a.SyncNow(ctx)
		if ctx.Err() != nil {
			return
		}
		offline = unreachable(err)
		select {
		case l.Runs <- rep:
		default:
		}
		switch {
		case errors.Is(err, syncclient.ErrNotEnrolled):
			failures, wait = 0, SyncBackoffMax
		case err != nil:
			failures++
			wait = max(SyncBackoff(failures), rep.RetryAfter)
			a.log.Warn("sync failed; will retry", "in", wait, "err", err)
		case rep.Retry > 0:
			// Items the province asked to send again: soon, but not in a tight loop.
			failures, wait = 0, SyncBackoffBase
		default:
			failures, wait = 0, SyncInterval
		}
	}
}

// wait waits d, or less on "Đồng bộ ngay", or — after a failure (probe) — until the
// province is reachable again. It reports false when ctx ended.
func (l *SyncLoop) wait(ctx context.Context, a *App, d time.Duration, probe bool) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	var tick <-chan time.Time
	if probe {
		pt := time.NewTicker(SyncProbeInterval)
		defer pt.Stop()
		tick = pt.C
	}
	for {
		select {
		case <-ctx.Done():
			return false
		case <-l.kick:
			return true
		case <-t.C:
			return true
		case <-tick:
			if a.provinceReachable(ctx) {
				return true
			}
		}
	}
}

// unreachable reports whether a run failed for want of the network (not a refusal by the
// province, whose Retry-After and backoff must hold).
func unreachable(err error) bool {
	if err == nil || errors.Is(err, syncclient.ErrNotEnrolled) {
		return false
	}
	var rl *syncclient.RetryLater
	var se *syncclient.ServerError
	return !errors.As(err, &rl) && !errors.As(err, &se)
}

// SyncBackoff is the wait after n failures in a row: "full jitter" over base·2ⁿ⁻¹, capped
// at SyncBackoffMax, so offices that lost the province together do not return together.
func SyncBackoff(n int) time.Duration {
	d := SyncBackoffMax
	if n < 30 {
		d = min(SyncBackoffBase<<(n-1), SyncBackoffMax)
	}
	return d/2 + jitter(d/2)
}

func jitter(d time.Duration) time.Duration {
	if d <= 0 {
		return 0
	}
	return rand.N(d)
}
