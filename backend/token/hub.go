// Package token finds the signing tokens plugged into the office PC and signs permits with
// them. The Hub polls the USB HID bus about once a second and reports FIDO security keys
// arriving and leaving; FIDOSigner signs permits with an enrolled FIDO credential over
// package ctaphid. (PKCS#11 certificate tokens are PC/SC smart cards, not HID: package
// token/pkcs11.)
package token

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/karalabe/hid"

	"giaydiduong/backend/token/ctaphid"
)

// Bus is the system boundary: hidapi on a real PC (SystemBus), or a bus of software keys.
type Bus interface {
	Enumerate(vendorID, productID uint16) ([]hid.DeviceInfo, error)
	Open(hid.DeviceInfo) (hid.Device, error)
}

// SystemBus is the PC's USB HID bus, through hidapi.
type SystemBus struct{}

// Enumerate lists HID devices; 0 matches any vendor or product.
func (SystemBus) Enumerate(vendorID, productID uint16) ([]hid.DeviceInfo, error) {
	infos, err := hid.Enumerate(vendorID, productID)
	if err != nil {
		return nil, fmt.Errorf("enumerate HID devices: %w", err)
	}
	return infos, nil
}

// Open opens a device found by Enumerate.
func (SystemBus) Open(info hid.DeviceInfo) (hid.Device, error) {
	d, err := info.Open()
	if err != nil {
		return nil, fmt.Errorf("open HID device %s: %w", info.Path, err)
	}
	return d, nil
}

// FIDOUsagePage is the HID usage page of a CTAPHID interface (usage 1).
const FIDOUsagePage = 0xf1d0

// EventKind says whether a token arrived or left.
type EventKind int

// Event kinds.
const (
	Arrived EventKind = iota + 1
	Removed
)

func (k EventKind) String() string {
	switch k {
	case Arrived:
		return "arrived"
	case Removed:
		return "removed"
	}
	return fmt.Sprintf("EventKind(%d)", int(k))
}

// MarshalText writes "arrived" or "removed", for the UI and gddctl's JSON.
func (k EventKind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// Token is a FIDO key on the bus.
type Token struct {
	Path         string `json:"path"`
	VendorID     uint16 `json:"vendor_id"`
	ProductID    uint16 `json:"product_id"`
	Manufacturer string `json:"manufacturer"`
	Product      string `json:"product"`
	Serial       string `json:"serial"`
	// Model is the known key family ("YubiKey", ...) or "FIDO" when only the usage page said so.
	Model string `json:"model"`

	info hid.DeviceInfo
}

// Event is a token arriving or leaving.
type Event struct {
	Kind  EventKind `json:"kind"`
	Token Token     `json:"token"`
}

// ErrBusy: Refresh skipped enumerating because a key is in use (see Hub.Hold).
var ErrBusy = errors.New("token hub: a key is in use; enumeration skipped")

// HubOptions tune a Hub. The zero value works.
type HubOptions struct {
	Interval     time.Duration // between polls; default 1 s
	ProbeTimeout time.Duration // for the CTAPHID_INIT probe of unlabelled devices; default 300 ms
	Logger       *slog.Logger
}

// Hub tracks the FIDO keys on a bus, in the manner of go-ethereum's accounts/usbwallet: it
// polls (hotplug notifications are not portable), and it never enumerates while a key is in
// use, because hidapi on Linux opens every device while enumerating, which can disturb a key
// that is waiting for a touch.
type Hub struct {
	bus    Bus
	opts   HubOptions
	log    *slog.Logger
	events chan Event

	// commsMu guards commsPend and is held across enumeration, so a request cannot start
	// halfway through one; commsPend counts requests in progress (see Hold).
	commsMu   sync.Mutex
	commsPend int

	stateMu   sync.Mutex
	tokens    map[string]Token
	probed    map[string]bool // probe verdicts by device identity, so each device is probed once
	enumFails int
}

// NewHub returns a hub over bus. Call Run to start polling, or Refresh to poll once.
func NewHub(bus Bus, opts HubOptions) *Hub {
	if opts.Interval <= 0 {
		opts.Interval = time.Second
	}
	if opts.ProbeTimeout <= 0 {
		opts.ProbeTimeout = 300 * time.Millisecond
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	return &Hub{
		bus: bus, opts: opts, log: opts.Logger, events: make(chan Event, 16),
		tokens: map[string]Token{}, probed: map[string]bool{},
	}
}

// Events delivers arrivals and removals while Run runs; Run closes it when it returns.
func (h *Hub) Events() <-chan Event { return h.events }

// Run polls until ctx ends. Events are sent in order; a slow reader delays the next poll
// rather than losing a removal.
func (h *Hub) Run(ctx context.Context) error {
	defer close(h.events)
	t := time.NewTicker(h.opts.Interval)
	defer t.Stop()
	for {
		evs, err := h.Refresh(ctx)
		if err != nil && !errors.Is(err, ErrBusy) {
			if h.noteFailure() {
				h.log.Warn("token hub: enumeration failed", "err", err)
			}
		}
		for _, e := range evs {
			select {
			case h.events <- e:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}

// noteFailure counts a failed enumeration and says whether to log it: the first, then one in
// sixty (a minute at the default interval), so a broken bus does not flood the log.
func (h *Hub) noteFailure() bool {
	h.stateMu.Lock()
	defer h.stateMu.Unlock()
	h.enumFails++
	return h.enumFails%60 == 1
}

// Hold marks a key busy until the returned func is called; Refresh skips enumeration while
// any key is busy. It waits for an enumeration in progress to finish. ctaphid.Options.Hold
// takes it, so every request holds it.
func (h *Hub) Hold() (release func()) {
	h.commsMu.Lock()
	h.commsPend++
	h.commsMu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			h.commsMu.Lock()
			h.commsPend--
			h.commsMu.Unlock()
		})
	}
}

// Tokens returns the keys seen by the last poll, by path.
func (h *Hub) Tokens() []Token {
	h.stateMu.Lock()
	defer h.stateMu.Unlock()
	out := make([]Token, 0, len(h.tokens))
	for _, t := range h.tokens {
		out = append(out, t)
	}
	slices.SortFunc(out, func(a, b Token) int { return strings.Compare(a.Path, b.Path) })
	return out
}

// Refresh enumerates once and returns what changed since the last poll. It returns ErrBusy
// without enumerating when a key is in use. A failed enumeration changes nothing: a bus error
// must not look like every key being pulled out.
func (h *Hub) Refresh(ctx context.Context) ([]Event, error) {
	h.commsMu.Lock()
	if h.commsPend > 0 {
		h.commsMu.Unlock()
		return nil, ErrBusy
	}
	infos, err := h.bus.Enumerate(0, 0)
	if err != nil {
		h.commsMu.Unlock()
		return nil, fmt.Errorf("token hub: %w", err)
	}
	found := make(map[string]Token)
	for _, info := range infos {
		if t, ok := h.recognise(ctx, info); ok {
			found[t.Path] = t
		}
	}
	h.commsMu.Unlock()

	h.stateMu.Lock()
	defer h.stateMu.Unlock()
	h.enumFails = 0
	var evs []Event
	for path, old := range h.tokens {
		if cur, ok := found[path]; !ok || identity(cur.info) != identity(old.info) {
			evs = append(evs, Event{Kind: Removed, Token: old})
		}
	}
	for path, cur := range found {
		if old, ok := h.tokens[path]; !ok || identity(cur.info) != identity(old.info) {
			evs = append(evs, Event{Kind: Arrived, Token: cur})
		}
	}
	// Removals first, each kind by path, so a key moved between ports reads naturally.
	slices.SortFunc(evs, func(a, b Event) int {
		if a.Kind != b.Kind {
			return int(b.Kind) - int(a.Kind)
		}
		return strings.Compare(a.Token.Path, b.Token.Path)
	})
	h.tokens = found
	present := make(map[string]bool, len(infos))
	for _, i := range infos {
		present[identity(i)] = true
	}
	for k := range h.probed {
		if !present[k] {
			delete(h.probed, k) // forget devices that left, so a re-plugged one is probed again
		}
	}
	for _, e := range evs {
		h.log.Info("token hub: key "+e.Kind.String(), "path", e.Token.Path, "model", e.Token.Model,
			"vendor", fmt.Sprintf("%04x", e.Token.VendorID), "product", fmt.Sprintf("%04x", e.Token.ProductID))
	}
	return evs, nil
}

// identity tells devices apart across polls: the same path with another device behind it
// is a removal and an arrival.
func identity(i hid.DeviceInfo) string {
	return fmt.Sprintf("%s\x00%04x:%04x\x00%s", i.Path, i.VendorID, i.ProductID, i.Serial)
}

// recognise decides whether info is a FIDO interface: the usage page where the OS reports
// one, else the known-ids table confirmed by a CTAPHID_INIT probe. It runs under commsMu.
func (h *Hub) recognise(ctx context.Context, info hid.DeviceInfo) (Token, bool) {
	t := Token{
		Path: info.Path, VendorID: info.VendorID, ProductID: info.ProductID,
		Manufacturer: info.Manufacturer, Product: info.Product, Serial: info.Serial, info: info,
	}
	model, known := KnownFIDO(info.VendorID, info.ProductID)
	switch {
	case info.UsagePage == FIDOUsagePage:
		t.Model = "FIDO"
		if known {
			t.Model = model
		}
		return t, true
	case info.UsagePage != 0 || !known:
		// Another interface of the same key (a YubiKey's keyboard, say) or not a key at all.
		return Token{}, false
	}
	t.Model = model
	id := identity(info)
	h.stateMu.Lock()
	verdict, seen := h.probed[id]
	h.stateMu.Unlock()
	if !seen {
		verdict = h.probe(ctx, info)
		h.stateMu.Lock()
		h.probed[id] = verdict
		h.stateMu.Unlock()
	}
	return t, verdict
}

// probe opens the device and sends CTAPHID_INIT: only a FIDO interface answers it.
func (h *Hub) probe(ctx context.Context, info hid.DeviceInfo) bool {
	ctx, cancel := context.WithTimeout(ctx, h.opts.ProbeTimeout)
	defer cancel()
	dev, err := h.bus.Open(info)
	if err != nil {
		h.log.Debug("token hub: cannot open device to probe it", "path", info.Path, "err", err)
		return false
	}
	defer dev.Close()
	_, err = ctaphid.Open(ctx, dev, ctaphid.Options{Logger: h.log, IdleTimeout: h.opts.ProbeTimeout})
	if err != nil {
		h.log.Debug("token hub: device does not answer CTAPHID_INIT", "path", info.Path, "err", err)
		return false
	}
	return true
}

// Open opens a token and allocates a CTAPHID channel on it. Requests on the returned device
// hold the hub busy (opts.Hold is set to Hold), so polling pauses while the key works.
func (h *Hub) Open(ctx context.Context, t Token, opts ctaphid.Options) (*ctaphid.Device, error) {
	if opts.Hold == nil {
		opts.Hold = h.Hold
	}
	if opts.Logger == nil {
		opts.Logger = h.log
	}
	info := t.info
	if info.Path == "" {
		info = hid.DeviceInfo{Path: t.Path, VendorID: t.VendorID, ProductID: t.ProductID, Serial: t.Serial}
	}
	release := h.Hold() // no enumeration between opening and the channel's INIT
	defer release()
	dev, err := h.bus.Open(info)
	if err != nil {
		return nil, fmt.Errorf("open token %s: %w", t.Path, err)
	}
	d, err := ctaphid.Open(ctx, dev, opts)
	if err != nil {
		_ = dev.Close()
		return nil, fmt.Errorf("open token %s: %w", t.Path, err)
	}
	return d, nil
}
