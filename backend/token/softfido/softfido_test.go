package softfido_test

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/karalabe/hid"

	"giaydiduong/backend/token/ctaphid"
	"giaydiduong/backend/token/softfido"
)

func newKey(t testing.TB, cfg softfido.Config) *softfido.Authenticator {
	t.Helper()
	a, err := softfido.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func open(t testing.TB, a *softfido.Authenticator) *ctaphid.Device {
	t.Helper()
	h, err := a.Open()
	if err != nil {
		t.Fatal(err)
	}
	d, err := ctaphid.Open(context.Background(), h, ctaphid.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = d.Close() })
	return d
}

func TestStateFile(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "token")
	a := newKey(t, softfido.Config{Dir: dir})
	path := filepath.Join(dir, softfido.StateFile)
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 {
		t.Errorf("state file mode %v, want 0600", fi.Mode().Perm())
	}
	var st map[string]any
	if err := json.Unmarshal(mustRead(t, path), &st); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"master_key", "aaguid", "attestation_key", "attestation_cert", "counter", "pin_retries", "credentials"} {
		if _, ok := st[k]; !ok {
			t.Errorf("state has no %q", k)
		}
	}
	b := newKey(t, softfido.Config{Dir: dir})
	if a.Info().Serial != b.Info().Serial {
		t.Error("a second process sees another key")
	}
	if err := os.WriteFile(path, []byte("{"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := softfido.New(softfido.Config{Dir: dir}); err == nil {
		t.Error("a damaged state file was accepted")
	}
	if matches, _ := filepath.Glob(filepath.Join(dir, softfido.StateFile+".*")); len(matches) != 0 {
		t.Errorf("temporary files left behind: %v", matches)
	}
}

// TestAPDUEncodings: keys must take both ISO 7816-4 length encodings and refuse bad ones.
func TestAPDUEncodings(t *testing.T) {
	a := newKey(t, softfido.Config{})
	d := open(t, a)
	chal := make([]byte, 64)
	tests := []struct {
		name string
		apdu []byte
		sw   uint16
	}{
		{"VERSION, no Le", []byte{0, 3, 0, 0}, 0x9000},
		{"VERSION, short Le", []byte{0, 3, 0, 0, 0}, 0x9000},
		{"VERSION, extended Le", []byte{0, 3, 0, 0, 0, 0, 0}, 0x9000},
		{"REGISTER, short Lc", append([]byte{0, 1, 3, 0, 64}, chal...), 0x9000},
		{"REGISTER, extended Lc and Le", append(append([]byte{0, 1, 3, 0, 0, 0, 64}, chal...), 0, 0), 0x9000},
		{"REGISTER, 63 bytes", append([]byte{0, 1, 3, 0, 0, 0, 63}, chal[:63]...), 0x6700},
		{"Lc longer than the data", append([]byte{0, 1, 3, 0, 0, 0, 80}, chal...), 0x6700},
		{"class byte not 0", []byte{0x80, 3, 0, 0}, 0x6e00},
		{"unknown instruction", []byte{0, 0x40, 0, 0}, 0x6d00},
		{"AUTHENTICATE with a foreign key handle", append(append([]byte{0, 2, 3, 0, 0, 0, 66}, chal...), 1, 0xea), 0x6a80},
	}
	for _, tt := range tests {
		resp, err := d.Transact(context.Background(), ctaphid.CmdMsg, tt.apdu)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if sw := uint16(resp[len(resp)-2])<<8 | uint16(resp[len(resp)-1]); sw != tt.sw {
			t.Errorf("%s: SW %04x, want %04x", tt.name, sw, tt.sw)
		}
	}
}

func TestPresencePolicies(t *testing.T) {
	tests := []struct {
		name     string
		presence softfido.Presence
		touch    bool
		min, max time.Duration
		wantErr  error
	}{
		{"auto", softfido.Presence{Mode: softfido.AutoTouch}, false, 0, 100 * time.Millisecond, nil},
		{"after 120 ms", softfido.Presence{Mode: softfido.TouchAfter, Delay: 120 * time.Millisecond}, false, 120 * time.Millisecond, time.Second, nil},
		{"explicit touch", softfido.Presence{Mode: softfido.NoTouch}, true, 0, time.Second, nil},
		{"never touched", softfido.Presence{Mode: softfido.NoTouch}, false, 150 * time.Millisecond, time.Second, ctaphid.StatusUserActionTimeout},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := newKey(t, softfido.Config{UserActionTimeout: 150 * time.Millisecond})
			opts := ctaphid.Options{}
			if tt.touch {
				opts.OnKeepalive = func(s ctaphid.KeepaliveStatus) {
					if s == ctaphid.StatusUPNeeded {
						a.Touch()
					}
				}
			}
			h, _ := a.Open()
			d, err := ctaphid.Open(context.Background(), h, opts)
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			a.SetPresence(tt.presence)
			cdh := sha256.Sum256([]byte("x"))
			start := time.Now()
			_, err = d.MakeCredential(context.Background(), ctaphid.MakeCredentialRequest{
				ClientDataHash: cdh[:], RP: ctaphid.RelyingParty{ID: "giaydiduong"}, User: ctaphid.User{ID: []byte{1}},
			})
			el := time.Since(start)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("got %v, want %v", err, tt.wantErr)
			}
			if el < tt.min || el > tt.max {
				t.Errorf("took %v, want %v..%v", el, tt.min, tt.max)
			}
		})
	}
}

// TestNonCanonicalCBORRefused: like real keys, the soft key refuses CBOR that is not CTAP2
// canonical, so a client that encodes loosely fails in tests.
func TestNonCanonicalCBORRefused(t *testing.T) {
	a := newKey(t, softfido.Config{})
	d := open(t, a)
	// getAssertion {2: h'00'*32, 1: "x"}: keys out of order.
	req := append([]byte{0x02, 0xa2, 0x02, 0x58, 0x20}, make([]byte, 32)...)
	req = append(req, 0x01, 0x61, 'x')
	resp, err := d.Transact(context.Background(), ctaphid.CmdCBOR, req)
	if err != nil {
		t.Fatal(err)
	}
	if resp[0] != 0x12 {
		t.Errorf("status %#02x, want CTAP2_ERR_INVALID_CBOR", resp[0])
	}
}

func TestHandles(t *testing.T) {
	a := newKey(t, softfido.Config{})
	bus := softfido.NewBus()
	bus.Attach(a)
	other := newKey(t, softfido.Config{VendorID: 0x1050, ProductID: 0x0407})
	bus.Attach(other)
	if infos, _ := bus.Enumerate(0x1050, 0); len(infos) != 1 || infos[0].ProductID != 0x0407 {
		t.Errorf("vendor filter: %+v", infos)
	}
	dev, err := bus.Open(a.Info())
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 64)
	if n, err := dev.ReadTimeout(buf, 0); n != 0 || err != nil {
		t.Errorf("non-blocking read on a quiet key: %d, %v", n, err)
	}
	a.Unplug()
	if _, err := dev.ReadTimeout(buf, 10); err == nil || err.Error() != "hidapi: unknown failure" {
		t.Errorf("read from an unplugged key: %v", err)
	}
	if _, err := dev.Write(make([]byte, 65)); err == nil {
		t.Error("write to an unplugged key succeeded")
	}
	if infos, _ := bus.Enumerate(0, 0); len(infos) != 1 {
		t.Errorf("enumerate lists %d keys with one unplugged", len(infos))
	}
	if _, err := bus.Open(a.Info()); err == nil {
		t.Error("opened an unplugged key")
	}
	if err := a.Plug(); err != nil {
		t.Fatal(err)
	}
	if _, err := dev.ReadTimeout(buf, 10); err == nil {
		t.Error("a handle from before the unplug works again")
	}
	dev2, err := bus.Open(a.Info())
	if err != nil {
		t.Fatal(err)
	}
	_ = dev2.Close()
	if _, err := dev2.ReadTimeout(buf, 10); !errors.Is(err, hid.ErrDeviceClosed) {
		t.Errorf("read after Close: %v", err)
	}
}

func mustRead(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
