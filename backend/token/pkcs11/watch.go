package pkcs11

import (
	"context"
	"errors"
	"time"
)

// EventKind says what happened in a slot.
type EventKind string

// Event kinds.
const (
	TokenInserted EventKind = "inserted"
	TokenRemoved  EventKind = "removed"
)

// Event is a token arriving in or leaving a slot.
type Event struct {
	Kind  EventKind `json:"kind"`
	Slot  uint      `json:"slot"`
	Token Token     `json:"token"`
}

// Watch reports token insertions and removals until ctx ends or the Driver is closed, then
// closes the channel. It starts with an inserted event for each token already present, so a
// UI needs no separate first scan. Where the library implements C_WaitForSlotEvent, a
// blocking wait wakes the scan; otherwise (SoftHSM2 and many vendor libraries) the slots are
// rescanned every PollInterval. A token swapped for another in the same slot between two
// scans gives a removal and an insertion.
func (d *Driver) Watch(ctx context.Context) <-chan Event {
	out := make(chan Event, 8)
	go d.watch(ctx, out)
	return out
}

func (d *Driver) watch(ctx context.Context, out chan<- Event) {
	defer close(out)
	wake := make(chan struct{}, 1)
	interval := d.poll
	// CKF_DONT_BLOCK asks without waiting: FUNCTION_NOT_SUPPORTED means poll only.
	if d.enter() != nil {
		return
	}
	_, werr := d.mod.WaitForSlotEvent(ckfDontBlock)
	d.leave()
	if werr == nil || isCode(werr, ckrNoEvent) {
		d.log.Debug("library reports slot events; waiting on them")
		interval = 5 * d.poll // the wait does the work; the scan is a safety net
		go d.waitEvents(ctx, wake)
	} else {
		d.log.Debug("library cannot wait for slot events; polling", "interval", d.poll)
	}
	known := map[uint]Token{}
	scan := func() bool {
		now, err := d.presentTokens()
		if errors.Is(err, errDriverClosed) {
			return false
		}
		if err != nil {
			d.log.Warn("scan token slots", "err", err)
			return true // keep watching: a flaky reader should not end the watch
		}
		for _, ev := range diffTokens(known, now) {
			select {
			case out <- ev:
			case <-ctx.Done():
				return false
			case <-d.done:
				return false
			}
		}
		known = now
		return true
	}
	if !scan() {
		return
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-d.done:
			return
		case <-t.C:
		case <-wake:
		}
		if !scan() {
			return
		}
	}
}

// waitEvents blocks in C_WaitForSlotEvent and pokes the scanner after each event. The call
// cannot be interrupted except by C_Finalize, so the goroutine ends when the library is
// unloaded or when it wakes after ctx has ended. It does not enter: Close would wait for it
// forever. The call goes through the package's own reference to the library (module_cgo.go),
// which stays loaded, so it is safe after C_Finalize.
func (d *Driver) waitEvents(ctx context.Context, wake chan<- struct{}) {
	for {
		_, err := d.mod.WaitForSlotEvent(0)
		if ctx.Err() != nil {
			return
		}
		select {
		case <-d.done:
			return
		default:
		}
		if err != nil {
			d.log.Debug("C_WaitForSlotEvent stopped; polling goes on", "err", err)
			return
		}
		select {
		case wake <- struct{}{}:
		default:
		}
	}
}

func isCode(err error, want ReturnCode) bool {
	rv, ok := asCode(err)
	return ok && rv == want
}

// presentTokens maps each slot holding a token to that token.
func (d *Driver) presentTokens() (map[uint]Token, error) {
	if err := d.enter(); err != nil {
		return nil, err
	}
	defer d.leave()
	ids, err := d.mod.GetSlotList(true)
	if err != nil {
		return nil, opError("C_GetSlotList", err)
	}
	m := make(map[uint]Token, len(ids))
	for _, id := range ids {
		ti, err := d.mod.GetTokenInfo(id)
		if err != nil {
			// Gone between the two calls, or no longer readable: not a token to sign with.
			continue
		}
		m[id] = tokenOf(ti)
	}
	return m, nil
}

// diffTokens returns the events that turn before into after: removals first, in slot order.
func diffTokens(before, after map[uint]Token) []Event {
	var removed, inserted []Event
	for slot, old := range before {
		if cur, ok := after[slot]; !ok || !sameToken(old, cur) {
			removed = append(removed, Event{Kind: TokenRemoved, Slot: slot, Token: old})
		}
	}
	for slot, cur := range after {
		if old, ok := before[slot]; !ok || !sameToken(old, cur) {
			inserted = append(inserted, Event{Kind: TokenInserted, Slot: slot, Token: cur})
		}
	}
	sortEvents(removed)
	sortEvents(inserted)
	return append(removed, inserted...)
}

// sameToken compares identity only: PIN flags change as people type.
func sameToken(a, b Token) bool {
	return a.Serial == b.Serial && a.Label == b.Label && a.Manufacturer == b.Manufacturer && a.Model == b.Model
}

func sortEvents(evs []Event) {
	for i := 1; i < len(evs); i++ {
		for j := i; j > 0 && evs[j].Slot < evs[j-1].Slot; j-- {
			evs[j], evs[j-1] = evs[j-1], evs[j]
		}
	}
}
