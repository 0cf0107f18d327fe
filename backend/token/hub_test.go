package token_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/karalabe/hid"

	"giaydiduong/backend/token"
	"giaydiduong/backend/token/ctaphid"
	"giaydiduong/backend/token/softfido"
)

// mixedBus is a soft bus plus devices that are not FIDO keys (or do not answer like one), and
// an enumeration that can be made to fail.
type mixedBus struct {
	*softfido.Bus
	mu     sync.Mutex
	extra  []hid.DeviceInfo
	opened map[string]int
	fail   error
}

func newMixedBus(extra ...hid.DeviceInfo) *mixedBus {
	return &mixedBus{Bus: softfido.NewBus(), extra: extra, opened: map[string]int{}}
}

func (m *mixedBus) Enumerate(v, p uint16) ([]hid.DeviceInfo, error) {
	m.mu.Lock()
	fail := m.fail
	m.mu.Unlock()
	if fail != nil {
		return nil, fail
	}
	infos, err := m.Bus.Enumerate(v, p)
	return append(infos, m.extra...), err
}

func (m *mixedBus) Open(info hid.DeviceInfo) (hid.Device, error) {
	for _, e := range m.extra {
		if e.Path == info.Path {
			m.mu.Lock()
			m.opened[info.Path]++
			m.mu.Unlock()
			return silentDevice{}, nil
		}
	}
	return m.Bus.Open(info)
}

func (m *mixedBus) opens(path string) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.opened[path]
}

// silentDevice accepts writes and never answers, like a HID interface that is not CTAPHID.
type silentDevice struct{}

func (silentDevice) Write(b []byte) (int, error) { return len(b), nil }
func (silentDevice) Read(b []byte) (int, error)  { select {} }
func (silentDevice) ReadTimeout(b []byte, ms int) (int, error) {
	time.Sleep(time.Duration(ms) * time.Millisecond)
	return 0, nil
}
func (silentDevice) Close() error                          { return nil }
func (silentDevice) GetFeatureReport([]byte) (int, error)  { return 0, errors.ErrUnsupported }
func (silentDevice) SendFeatureReport([]byte) (int, error) { return 0, errors.ErrUnsupported }

func attach(t testing.TB, bus interface{ Attach(*softfido.Authenticator) }, cfg softfido.Config) *softfido.Authenticator {
	t.Helper()
	a, err := softfido.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	bus.Attach(a)
	return a
}

func paths(ts []token.Token) []string {
	var out []string
	for _, t := range ts {
		out = append(out, t.Path)
	}
	return out
}

// TestHubRecognisesFIDOKeys: the usage page decides where the OS reports it; otherwise known
// ids are confirmed by a CTAPHID_INIT probe, made once per device.
func TestHubRecognisesFIDOKeys(t *testing.T) {
	yubiKeyboard := hid.DeviceInfo{Path: "hid:kbd", VendorID: 0x1050, ProductID: 0x0407, UsagePage: 0x0001, Usage: 6}
	yubiSilent := hid.DeviceInfo{Path: "hid:silent", VendorID: 0x1050, ProductID: 0x0407}
	mouse := hid.DeviceInfo{Path: "hid:mouse", VendorID: 0x046d, ProductID: 0xc077}
	bus := newMixedBus(yubiKeyboard, yubiSilent, mouse)
	byPage := attach(t, bus, softfido.Config{})                                                        // 1209:0001, usage page F1D0
	byProbe := attach(t, bus, softfido.Config{VendorID: 0x1050, ProductID: 0x0407, NoUsagePage: true}) // a YubiKey 5 seen by libusb
	hub := token.NewHub(bus, token.HubOptions{Logger: quiet, ProbeTimeout: 50 * time.Millisecond})
	if _, err := hub.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	got := hub.Tokens()
	want := []string{byPage.Info().Path, byProbe.Info().Path}
	if !slices.Equal(paths(got), want) {
		t.Fatalf("tokens %v, want %v", paths(got), want)
	}
	if got[0].Model != "FIDO" || got[1].Model != "YubiKey" || got[1].VendorID != 0x1050 || got[1].Serial == "" {
		t.Errorf("tokens %+v", got)
	}
	for range 3 {
		if _, err := hub.Refresh(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if n := bus.opens(yubiSilent.Path); n != 1 {
		t.Errorf("the non-answering device was probed %d times, want once", n)
	}
	if n := bus.opens(yubiKeyboard.Path) + bus.opens(mouse.Path); n != 0 {
		t.Errorf("devices that are not FIDO candidates were opened %d times", n)
	}
}

func TestHubEvents(t *testing.T) {
	ctx := context.Background()
	bus := newMixedBus()
	a := attach(t, bus, softfido.Config{})
	hub := token.NewHub(bus, token.HubOptions{Logger: quiet})
	type step struct {
		name   string
		do     func()
		events []token.EventKind
	}
	steps := []step{
		{"plugged in at start", func() {}, []token.EventKind{token.Arrived}},
		{"nothing changed", func() {}, nil},
		{"pulled out", a.Unplug, []token.EventKind{token.Removed}},
		{"still out", func() {}, nil},
		{"plugged in again", func() { _ = a.Plug() }, []token.EventKind{token.Arrived}},
		{"enumeration fails", func() { bus.mu.Lock(); bus.fail = errors.New("libusb: no bus"); bus.mu.Unlock() }, nil},
		{"enumeration works again", func() { bus.mu.Lock(); bus.fail = nil; bus.mu.Unlock() }, nil},
	}
	for _, s := range steps {
		s.do()
		evs, err := hub.Refresh(ctx)
		if (err != nil) != (s.name == "enumeration fails") {
			t.Fatalf("%s: %v", s.name, err)
		}
		var kinds []token.EventKind
		for _, e := range evs {
			kinds = append(kinds, e.Kind)
			if e.Token.Path != a.Info().Path {
				t.Errorf("%s: event for %q", s.name, e.Token.Path)
			}
		}
		if !slices.Equal(kinds, s.events) {
			t.Errorf("%s: events %v, want %v", s.name, kinds, s.events)
		}
		if s.name == "enumeration fails" && len(hub.Tokens()) != 1 {
			t.Error("a failed enumeration dropped the key")
		}
	}
}

// TestHubRun polls in the background and delivers arrivals and removals on Events.
func TestHubRun(t *testing.T) {
	bus := newMixedBus()
	a := attach(t, bus, softfido.Config{})
	hub := token.NewHub(bus, token.HubOptions{Logger: quiet, Interval: 10 * time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- hub.Run(ctx) }()
	expect := func(k token.EventKind) {
		t.Helper()
		select {
		case e := <-hub.Events():
			if e.Kind != k {
				t.Fatalf("event %v, want %v", e.Kind, k)
			}
		case <-time.After(2 * time.Second):
			t.Fatalf("no %v event", k)
		}
	}
	expect(token.Arrived)
	a.Unplug()
	expect(token.Removed)
	if err := a.Plug(); err != nil {
		t.Fatal(err)
	}
	expect(token.Arrived)
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("Run returned %v", err)
	}
	if _, open := <-hub.Events(); open {
		t.Error("Events not closed after Run returned")
	}
}

// TestHubDoesNotEnumerateWhileKeyWaits: while a key waits for a touch the hub must not
// enumerate (hidapi opens every device to enumerate on Linux). The soft bus counts
// enumerations that happen while a key waits; the control case shows that it would notice.
func TestHubDoesNotEnumerateWhileKeyWaits(t *testing.T) {
	tests := []struct {
		name string
		cfg  softfido.Config
	}{
		{"CTAP2 keepalive wait", softfido.Config{Presence: softfido.Presence{Mode: softfido.NoTouch}}},
		{"U2F 0x6985 polling", softfido.Config{U2FOnly: true, Presence: softfido.Presence{Mode: softfido.NoTouch}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			bus := newMixedBus()
			a := attach(t, bus, tt.cfg)
			hub := token.NewHub(bus, token.HubOptions{Logger: quiet, Interval: 5 * time.Millisecond})
			if _, err := hub.Refresh(ctx); err != nil {
				t.Fatal(err)
			}
			dev, err := hub.Open(ctx, hub.Tokens()[0], ctaphid.Options{PollInterval: 10 * time.Millisecond})
			if err != nil {
				t.Fatal(err)
			}
			defer dev.Close()
			cred := enrollTouching(t, a, dev)
			signer, err := token.NewFIDOSigner(ctx, dev, cred, token.SignerOptions{Logger: quiet})
			if err != nil {
				t.Fatal(err)
			}
			runCtx, stop := context.WithCancel(ctx)
			runDone := make(chan struct{})
			go func() {
				defer close(runDone)
				go func() {
					for range hub.Events() {
					}
				}()
				_ = hub.Run(runCtx)
			}()
			signed := make(chan error, 1)
			go func() {
				_, _, err := signer.SignFramed(ctx, []byte("permit Sig_structure"))
				signed <- err
			}()
			waitFor(t, a.Waiting)
			before := bus.Enumerations()
			for range 5 {
				if _, err := hub.Refresh(ctx); !errors.Is(err, token.ErrBusy) {
					t.Fatalf("Refresh while the key waits: %v, want ErrBusy", err)
				}
			}
			time.Sleep(60 * time.Millisecond) // a dozen of Run's polls
			if n := bus.Enumerations() - before; n != 0 {
				t.Errorf("%d enumerations while the key waited for a touch", n)
			}
			a.Touch()
			if err := <-signed; err != nil {
				t.Fatal(err)
			}
			if n := a.Stats().EnumeratedWhileWaiting; n != 0 {
				t.Errorf("the key saw %d enumerations while waiting", n)
			}
			waitFor(t, func() bool { return bus.Enumerations() > before })
			stop()
			<-runDone

			// Control: a device opened around the hub is enumerated over while it waits.
			h, err := a.Open()
			if err != nil {
				t.Fatal(err)
			}
			raw, err := ctaphid.Open(ctx, h, ctaphid.Options{PollInterval: 10 * time.Millisecond})
			if err != nil {
				t.Fatal(err)
			}
			defer raw.Close()
			s2, err := token.NewFIDOSigner(ctx, raw, cred, token.SignerOptions{Logger: quiet})
			if err != nil {
				t.Fatal(err)
			}
			go func() {
				_, _, err := s2.SignFramed(ctx, []byte("another"))
				signed <- err
			}()
			waitFor(t, a.Waiting)
			if _, err := bus.Enumerate(0, 0); err != nil {
				t.Fatal(err)
			}
			a.Touch()
			if err := <-signed; err != nil {
				t.Fatal(err)
			}
			if a.Stats().EnumeratedWhileWaiting == 0 {
				t.Error("control: enumeration during a wait was not detected")
			}
		})
	}
}

// enrollTouching enrols, touching the key when it asks.
func enrollTouching(t testing.TB, a *softfido.Authenticator, dev *ctaphid.Device) token.Credential {
	t.Helper()
	cred, err := token.Enroll(context.Background(), dev, token.EnrollOptions{UserName: "Trần Văn Bình", OnTouch: a.Touch})
	if err != nil {
		t.Fatal(err)
	}
	return cred
}

func waitFor(t testing.TB, cond func() bool) {
	t.Helper()
	for range 1000 {
		if cond() {
			return
		}
		time.Sleep(2 * time.Millisecond)
	}
	t.Fatal("condition not met within two seconds")
}
