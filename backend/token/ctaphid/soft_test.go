package ctaphid_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/karalabe/hid"

	"giaydiduong/backend/token/ctaphid"
	"giaydiduong/backend/token/softfido"
)

const rp = "giaydiduong"

var rpHash = sha256.Sum256([]byte(rp))

func newKey(t testing.TB, cfg softfido.Config) *softfido.Authenticator {
	t.Helper()
	a, err := softfido.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// counting wraps a hid.Device and counts reports in each direction.
type counting struct {
	hid.Device
	writes, reads atomic.Int64
}

func (c *counting) Write(b []byte) (int, error) {
	c.writes.Add(1)
	return c.Device.Write(b)
}

func (c *counting) ReadTimeout(b []byte, ms int) (int, error) {
	n, err := c.Device.ReadTimeout(b, ms)
	if n > 0 {
		c.reads.Add(1)
	}
	return n, err
}

func openKey(t testing.TB, a *softfido.Authenticator, opts ctaphid.Options) (*ctaphid.Device, *counting) {
	t.Helper()
	h, err := a.Open()
	if err != nil {
		t.Fatal(err)
	}
	c := &counting{Device: h}
	d, err := ctaphid.Open(context.Background(), c, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = d.Close() })
	return d, c
}

func pattern(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*31 + n)
	}
	return b
}

// packetBoundaries are the message sizes around each packet boundary, and the largest message.
var packetBoundaries = []int{0, 1, 57, 58, 59, 116, 117, 118, 175, 176, ctaphid.MaxMessageSize}

func packetsFor(n int) int {
	if n <= ctaphid.InitDataSize {
		return 1
	}
	return 1 + (n-ctaphid.InitDataSize+ctaphid.ContDataSize-1)/ctaphid.ContDataSize
}

// TestPingAtPacketBoundaries sends every boundary size through the soft key and back: the
// key reassembles our packets and we reassemble its.
func TestPingAtPacketBoundaries(t *testing.T) {
	a := newKey(t, softfido.Config{})
	d, c := openKey(t, a, ctaphid.Options{})
	for _, n := range packetBoundaries {
		w0, r0 := c.writes.Load(), c.reads.Load()
		if err := d.Ping(context.Background(), pattern(n)); err != nil {
			t.Fatalf("ping %d bytes: %v", n, err)
		}
		if w, r := c.writes.Load()-w0, c.reads.Load()-r0; w != int64(packetsFor(n)) || r != int64(packetsFor(n)) {
			t.Errorf("ping %d bytes: %d reports written and %d read, want %d each", n, w, r, packetsFor(n))
		}
	}
	w0 := c.writes.Load()
	if err := d.Ping(context.Background(), make([]byte, ctaphid.MaxMessageSize+1)); !errors.Is(err, ctaphid.ErrMessageTooLong) {
		t.Errorf("7610 bytes: %v, want ErrMessageTooLong", err)
	}
	if c.writes.Load() != w0 {
		t.Error("a too-long message was partly sent")
	}
}

// TestTrafficTheClientMustIgnore: keepalives before answers, frames for other channels and
// INIT answers for other handles between our packets.
func TestTrafficTheClientMustIgnore(t *testing.T) {
	tests := []struct {
		name   string
		faults softfido.Faults
	}{
		{"keepalives", softfido.Faults{Keepalives: 3}},
		{"other channels", softfido.Faults{ForeignFrames: true}},
		{"both", softfido.Faults{Keepalives: 2, ForeignFrames: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := newKey(t, softfido.Config{})
			a.SetFaults(tt.faults)
			var statuses []ctaphid.KeepaliveStatus
			d, _ := openKey(t, a, ctaphid.Options{OnKeepalive: func(s ctaphid.KeepaliveStatus) { statuses = append(statuses, s) }})
			for _, n := range packetBoundaries {
				if err := d.Ping(context.Background(), pattern(n)); err != nil {
					t.Fatalf("ping %d bytes: %v", n, err)
				}
			}
			if _, err := d.GetInfo(context.Background()); err != nil {
				t.Fatal(err)
			}
			// INIT again while the key interleaves other handles' INIT answers.
			if _, err := d.Init(context.Background()); err != nil {
				t.Fatal(err)
			}
			if tt.faults.Keepalives > 0 && len(statuses) == 0 {
				t.Error("keepalives were not reported")
			}
		})
	}
}

// TestSequenceErrorFromKey: a continuation packet out of sequence is a protocol error, and
// the channel works again for the next request.
func TestSequenceErrorFromKey(t *testing.T) {
	a := newKey(t, softfido.Config{})
	d, _ := openKey(t, a, ctaphid.Options{})
	a.SetFaults(softfido.Faults{BadSequence: true})
	err := d.Ping(context.Background(), pattern(300))
	if !errors.Is(err, ctaphid.ErrInvalidSeq) || !errors.Is(err, ctaphid.ErrProtocol) {
		t.Fatalf("got %v, want a protocol error wrapping ErrInvalidSeq", err)
	}
	if err := d.Ping(context.Background(), pattern(300)); err != nil {
		t.Errorf("next ping: %v", err)
	}
}

// rawHandle writes and reads raw reports on a soft key, to check the key's side of the framing.
type rawHandle struct {
	t testing.TB
	h *softfido.Handle
}

func (r rawHandle) write(p [ctaphid.ReportSize]byte) {
	r.t.Helper()
	if _, err := r.h.Write(append([]byte{0}, p[:]...)); err != nil {
		r.t.Fatal(err)
	}
}

// next returns the next report for cid, or fails after a second.
func (r rawHandle) next(cid uint32) []byte {
	r.t.Helper()
	deadline := time.Now().Add(time.Second)
	buf := make([]byte, 64)
	for time.Now().Before(deadline) {
		n, err := r.h.ReadTimeout(buf, 20)
		if err != nil {
			r.t.Fatal(err)
		}
		if n == 64 && binary.BigEndian.Uint32(buf) == cid {
			return bytes.Clone(buf)
		}
	}
	r.t.Fatalf("no report for channel %08x", cid)
	return nil
}

func initPacket(cid uint32, cmd byte, bcnt int, data []byte) [ctaphid.ReportSize]byte {
	var p [ctaphid.ReportSize]byte
	binary.BigEndian.PutUint32(p[:], cid)
	p[4] = cmd | 0x80
	binary.BigEndian.PutUint16(p[5:], uint16(bcnt))
	copy(p[7:], data)
	return p
}

func contPacket(cid uint32, seq byte, data []byte) [ctaphid.ReportSize]byte {
	var p [ctaphid.ReportSize]byte
	binary.BigEndian.PutUint32(p[:], cid)
	p[4] = seq
	copy(p[5:], data)
	return p
}

// allocate runs CTAPHID_INIT by hand: ff ff ff ff 86 00 08 <nonce>, answered on the broadcast
// channel with 00 11, the nonce, the new CID, version 2, firmware and capabilities.
func (r rawHandle) allocate() uint32 {
	r.t.Helper()
	nonce := []byte("12345678")
	r.write(initPacket(0xffffffff, 0x06, 8, nonce))
	resp := r.next(0xffffffff)
	if resp[4] != 0x86 || binary.BigEndian.Uint16(resp[5:7]) != 17 || !bytes.Equal(resp[7:15], nonce) || resp[19] != 2 {
		r.t.Fatalf("INIT answer % x", resp[:24])
	}
	return binary.BigEndian.Uint32(resp[15:19])
}

// TestKeyRejectsBadFraming drives the soft key with hand-made packets: each mistake gets the
// CTAPHID_ERROR code the specification assigns to it.
func TestKeyRejectsBadFraming(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("raw writes carry the Linux/macOS report-ID prefix")
	}
	tests := []struct {
		name string
		send func(r rawHandle, cid uint32)
		want byte
	}{
		{"continuation out of sequence", func(r rawHandle, cid uint32) {
			r.write(initPacket(cid, 0x01, 200, pattern(57)))
			r.write(contPacket(cid, 1, pattern(59)))
		}, 0x04},
		{"continuation never sent", func(r rawHandle, cid uint32) {
			r.write(initPacket(cid, 0x01, 100, pattern(57)))
		}, 0x05},
		{"7610 bytes announced", func(r rawHandle, cid uint32) {
			r.write(initPacket(cid, 0x01, ctaphid.MaxMessageSize+1, nil))
		}, 0x03},
		{"unknown command", func(r rawHandle, cid uint32) {
			r.write(initPacket(cid, 0x40, 0, nil))
		}, 0x01},
		{"new request before the last was complete", func(r rawHandle, cid uint32) {
			r.write(initPacket(cid, 0x01, 100, pattern(57)))
			r.write(initPacket(cid, 0x01, 1, []byte{1}))
		}, 0x04},
		{"INIT with a short nonce", func(r rawHandle, cid uint32) {
			r.write(initPacket(cid, 0x06, 4, []byte("1234")))
		}, 0x03},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := newKey(t, softfido.Config{MessageTimeout: 50 * time.Millisecond})
			h, err := a.Open()
			if err != nil {
				t.Fatal(err)
			}
			defer h.Close()
			r := rawHandle{t, h}
			cid := r.allocate()
			tt.send(r, cid)
			resp := r.next(cid)
			if resp[4] != 0xbf || resp[6] != 1 || resp[7] != tt.want {
				t.Errorf("answer % x, want ERROR %#02x", resp[:8], tt.want)
			}
		})
	}
	t.Run("channels that are not allocated", func(t *testing.T) {
		a := newKey(t, softfido.Config{})
		h, _ := a.Open()
		defer h.Close()
		r := rawHandle{t, h}
		r.write(initPacket(0x0badcafe, 0x01, 0, nil))
		if resp := r.next(0x0badcafe); resp[4] != 0xbf || resp[7] != 0x0b {
			t.Errorf("unallocated channel: % x", resp[:8])
		}
		r.write(initPacket(0xffffffff, 0x01, 0, nil))
		if resp := r.next(0xffffffff); resp[4] != 0xbf || resp[7] != 0x0b {
			t.Errorf("PING on the broadcast channel: % x", resp[:8])
		}
	})
	t.Run("hidapi report ID", func(t *testing.T) {
		a := newKey(t, softfido.Config{})
		h, _ := a.Open()
		defer h.Close()
		p := initPacket(0xffffffff, 0x06, 8, []byte("12345678"))
		if _, err := h.Write(p[:]); err == nil {
			t.Error("a 64-byte write without the report ID was accepted; hidapi would have eaten the first CID byte")
		}
	})
}

// TestChannelBusy: while one channel waits for a touch, the key answers another channel's
// request with ERR_CHANNEL_BUSY.
func TestChannelBusy(t *testing.T) {
	a := newKey(t, softfido.Config{Presence: softfido.Presence{Mode: softfido.NoTouch}})
	d1, _ := openKey(t, a, ctaphid.Options{})
	d2, _ := openKey(t, a, ctaphid.Options{})
	id := makeCredential(t, a, d1)
	done := make(chan error, 1)
	go func() {
		cdh := sha256.Sum256([]byte("permit"))
		_, err := d1.GetAssertion(context.Background(), ctaphid.GetAssertionRequest{RPID: rp, ClientDataHash: cdh[:], AllowList: [][]byte{id}})
		done <- err
	}()
	waitFor(t, a.Waiting)
	if err := d2.Ping(context.Background(), []byte("hello")); !errors.Is(err, ctaphid.ErrChannelBusy) {
		t.Errorf("ping on another channel: %v, want ErrChannelBusy", err)
	}
	a.Touch()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if err := d2.Ping(context.Background(), []byte("hello")); err != nil {
		t.Errorf("ping after the touch: %v", err)
	}
}

func waitFor(t testing.TB, cond func() bool) {
	t.Helper()
	for range 500 {
		if cond() {
			return
		}
		time.Sleep(2 * time.Millisecond)
	}
	t.Fatal("condition not met within a second")
}

// makeCredential enrols on the key, touching it whatever its presence policy.
func makeCredential(t testing.TB, a *softfido.Authenticator, d *ctaphid.Device) []byte {
	t.Helper()
	done := make(chan struct{})
	defer close(done)
	go func() {
		for {
			select {
			case <-done:
				return
			case <-time.After(5 * time.Millisecond):
				if a.Waiting() {
					a.Touch()
				}
			}
		}
	}()
	cdh := sha256.Sum256([]byte("enrol"))
	att, err := d.MakeCredential(context.Background(), ctaphid.MakeCredentialRequest{
		ClientDataHash: cdh[:], RP: ctaphid.RelyingParty{ID: rp}, User: ctaphid.User{ID: []byte{1}, Name: "officer"},
	})
	if err != nil {
		t.Fatal(err)
	}
	return att.AuthData.CredentialID
}

// TestTimeouts: a key that never answers is given up on by the idle timeout or the context.
func TestTimeouts(t *testing.T) {
	a := newKey(t, softfido.Config{})
	d, _ := openKey(t, a, ctaphid.Options{IdleTimeout: 100 * time.Millisecond})
	a.SetFaults(softfido.Faults{Stall: true})
	start := time.Now()
	if _, err := d.GetInfo(context.Background()); !errors.Is(err, ctaphid.ErrTimeout) {
		t.Errorf("stalled key: %v, want ErrTimeout", err)
	}
	if el := time.Since(start); el > time.Second {
		t.Errorf("gave up after %v", el)
	}
	d2, _ := openKey(t, a, ctaphid.Options{})
	a.SetFaults(softfido.Faults{Stall: true})
	ctx, cancel := context.WithTimeout(context.Background(), 80*time.Millisecond)
	defer cancel()
	if _, err := d2.GetInfo(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("stalled key with a deadline: %v, want DeadlineExceeded", err)
	}
}

// TestCancelWhileWaitingForTouch: cancelling the context sends CTAPHID_CANCEL; the key stops
// waiting, and the channel is clean for the next request.
func TestCancelWhileWaitingForTouch(t *testing.T) {
	a := newKey(t, softfido.Config{Presence: softfido.Presence{Mode: softfido.NoTouch}})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var prompts atomic.Int32
	var armed atomic.Bool
	d, _ := openKey(t, a, ctaphid.Options{OnKeepalive: func(s ctaphid.KeepaliveStatus) {
		if s == ctaphid.StatusUPNeeded && armed.Load() {
			prompts.Add(1)
			cancel() // the officer pressed "Hủy"
		}
	}})
	id := makeCredential(t, a, d)
	armed.Store(true)
	cdh := sha256.Sum256([]byte("permit"))
	start := time.Now()
	_, err := d.GetAssertion(ctx, ctaphid.GetAssertionRequest{RPID: rp, ClientDataHash: cdh[:], AllowList: [][]byte{id}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
	if el := time.Since(start); el > time.Second {
		t.Errorf("cancel took %v", el)
	}
	if prompts.Load() != 1 {
		t.Errorf("touch prompt shown %d times, want once", prompts.Load())
	}
	waitFor(t, func() bool { return !a.Waiting() })
	if a.Stats().Assertions != 0 {
		t.Error("the key signed after CANCEL")
	}
	if _, err := d.GetInfo(context.Background()); err != nil {
		t.Errorf("next request on the channel: %v", err)
	}
}

// TestRemovalMidTransfer pulls the key out at reports across a maximum-size message, in both
// directions: every case is ErrDeviceRemoved, and so is everything after.
func TestRemovalMidTransfer(t *testing.T) {
	tests := []struct {
		name   string
		faults softfido.Faults
	}{
		{"first report written", softfido.Faults{UnplugAtWrite: 1}},
		{"second report written", softfido.Faults{UnplugAtWrite: 2}},
		{"60th report written", softfido.Faults{UnplugAtWrite: 60}},
		{"last report written", softfido.Faults{UnplugAtWrite: 129}},
		{"first report read", softfido.Faults{UnplugAtRead: 1}},
		{"second report read", softfido.Faults{UnplugAtRead: 2}},
		{"60th report read", softfido.Faults{UnplugAtRead: 60}},
		{"last report read", softfido.Faults{UnplugAtRead: 129}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := newKey(t, softfido.Config{})
			d, _ := openKey(t, a, ctaphid.Options{})
			a.SetFaults(tt.faults)
			if err := d.Ping(context.Background(), pattern(ctaphid.MaxMessageSize)); !errors.Is(err, ctaphid.ErrDeviceRemoved) {
				t.Fatalf("got %v, want ErrDeviceRemoved", err)
			}
			if err := d.Ping(context.Background(), []byte("x")); !errors.Is(err, ctaphid.ErrDeviceRemoved) {
				t.Errorf("after removal: %v, want ErrDeviceRemoved", err)
			}
			if err := a.Plug(); err != nil {
				t.Fatal(err)
			}
			d2, _ := openKey(t, a, ctaphid.Options{})
			if err := d2.Ping(context.Background(), pattern(200)); err != nil {
				t.Errorf("after re-plugging: %v", err)
			}
		})
	}
}

func TestU2F(t *testing.T) {
	ctx := context.Background()
	a := newKey(t, softfido.Config{Presence: softfido.Presence{Mode: softfido.TouchAfter, Delay: 150 * time.Millisecond}})
	var mu sync.Mutex
	var statuses []ctaphid.KeepaliveStatus
	d, _ := openKey(t, a, ctaphid.Options{PollInterval: 20 * time.Millisecond, OnKeepalive: func(s ctaphid.KeepaliveStatus) {
		mu.Lock()
		statuses = append(statuses, s)
		mu.Unlock()
	}})
	if v, err := d.U2FVersion(ctx); err != nil || v != "U2F_V2" {
		t.Fatalf("version %q, %v", v, err)
	}
	challenge := sha256.Sum256([]byte("register"))
	start := time.Now()
	reg, err := d.U2FRegister(ctx, challenge, rpHash)
	if err != nil {
		t.Fatal(err)
	}
	if el := time.Since(start); el < 150*time.Millisecond {
		t.Errorf("registered after %v, before the touch", el)
	}
	if len(statuses) != 1 || statuses[0] != ctaphid.StatusUPNeeded {
		t.Errorf("keepalive callbacks %v, want one StatusUPNeeded while polling 0x6985", statuses)
	}
	if err := reg.Verify(challenge, rpHash); err != nil {
		t.Fatal(err)
	}
	pub, err := reg.Key()
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := d.U2FCheck(ctx, rpHash, reg.KeyHandle); !ok || err != nil {
		t.Errorf("check-only on our key handle: %v, %v", ok, err)
	}
	other := sha256.Sum256([]byte("another site"))
	if ok, err := d.U2FCheck(ctx, other, reg.KeyHandle); ok || err != nil {
		t.Errorf("check-only for another application: %v, %v", ok, err)
	}

	a.SetPresence(softfido.Presence{Mode: softfido.AutoTouch})
	tests := []struct {
		name    string
		control ctaphid.Control
		noUP    bool
		up      byte
		wantErr error
	}{
		{"enforce user presence", ctaphid.EnforceUserPresence, false, 1, nil},
		{"dont enforce", ctaphid.DontEnforceUserPresence, false, 0, nil},
		{"dont enforce on a key without it", ctaphid.DontEnforceUserPresence, true, 0, ctaphid.SWWrongData},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			key, dev := a, d
			if tt.noUP {
				// Same master key, so the key handle works; only the policy differs.
				dir := t.TempDir()
				key = newKey(t, softfido.Config{Dir: dir, NoSilent: true})
				dev, _ = openKey(t, key, ctaphid.Options{})
				if _, err := dev.U2FAuthenticate(ctx, tt.control, challenge, rpHash, reg.KeyHandle); !errors.Is(err, ctaphid.SWWrongData) {
					t.Fatalf("another key's handle: %v", err)
				}
				r2, err := dev.U2FRegister(ctx, challenge, rpHash)
				if err != nil {
					t.Fatal(err)
				}
				_, err = dev.U2FAuthenticate(ctx, tt.control, challenge, rpHash, r2.KeyHandle)
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("got %v, want %v", err, tt.wantErr)
				}
				return
			}
			auth, err := dev.U2FAuthenticate(ctx, tt.control, challenge, rpHash, reg.KeyHandle)
			if err != nil {
				t.Fatal(err)
			}
			if auth.UserPresence != tt.up {
				t.Errorf("user presence byte %d, want %d", auth.UserPresence, tt.up)
			}
			digest := sha256.Sum256(append(auth.AuthenticatorData(rpHash), challenge[:]...))
			if !ecdsa.VerifyASN1(pub, digest[:], auth.Signature) {
				t.Error("signature does not verify")
			}
		})
	}
}

func TestCTAP2Assertions(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name     string
		noSilent bool
		silent   bool
		wantErr  error
		flags    byte
	}{
		{"touch", false, false, nil, ctaphid.FlagUP},
		{"silent", false, true, nil, 0},
		{"silent refused", true, true, ctaphid.StatusUnsupportedOption, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := newKey(t, softfido.Config{NoSilent: tt.noSilent})
			d, _ := openKey(t, a, ctaphid.Options{})
			cdh := sha256.Sum256([]byte("enrol"))
			att, err := d.MakeCredential(ctx, ctaphid.MakeCredentialRequest{
				ClientDataHash: cdh[:], RP: ctaphid.RelyingParty{ID: rp}, User: ctaphid.User{ID: []byte{7}},
			})
			if err != nil {
				t.Fatal(err)
			}
			if att.Format != "packed" || att.AuthData.Flags&ctaphid.FlagAT == 0 {
				t.Errorf("attestation %q flags %#x", att.Format, att.AuthData.Flags)
			}
			msg := sha256.Sum256([]byte("permit"))
			as, err := d.GetAssertion(ctx, ctaphid.GetAssertionRequest{
				RPID: rp, ClientDataHash: msg[:], AllowList: [][]byte{att.AuthData.CredentialID}, NoUserPresence: tt.silent,
			})
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("got %v, want %v", err, tt.wantErr)
			}
			if err != nil {
				return
			}
			if as.AuthData.Flags != tt.flags || !bytes.Equal(as.CredentialID, att.AuthData.CredentialID) {
				t.Errorf("flags %#x credential %x", as.AuthData.Flags, as.CredentialID)
			}
			digest := sha256.Sum256(append(bytes.Clone(as.AuthData.Raw), msg[:]...))
			if !ecdsa.VerifyASN1(att.AuthData.PublicKey, digest[:], as.Signature) {
				t.Error("assertion does not verify with the credential key")
			}
			if _, err := d.GetAssertion(ctx, ctaphid.GetAssertionRequest{RPID: "example.com", ClientDataHash: msg[:], AllowList: [][]byte{att.AuthData.CredentialID}}); !errors.Is(err, ctaphid.StatusNoCredentials) {
				t.Errorf("credential used for another relying party: %v", err)
			}
		})
	}
}

// TestPINProtocol walks the PIN life cycle: set, wrong PINs (retries count down, three in a
// row block until re-plugged), a right one resets the count, and eight wrong ones block it.
func TestPINProtocol(t *testing.T) {
	ctx := context.Background()
	a := newKey(t, softfido.Config{Dir: t.TempDir()})
	d, _ := openKey(t, a, ctaphid.Options{})
	if err := d.SetPIN(ctx, "12"); err == nil {
		t.Error("a 2-character PIN was accepted")
	}
	if err := d.SetPIN(ctx, "2468"); err != nil {
		t.Fatal(err)
	}
	if err := d.SetPIN(ctx, "1357"); !errors.Is(err, ctaphid.StatusPINAuthInvalid) {
		t.Errorf("setPIN on a key with a PIN: %v", err)
	}
	info, err := d.GetInfo(ctx)
	if err != nil || !info.PINSet() {
		t.Fatalf("getInfo after setPIN: %+v %v", info, err)
	}
	cdh := sha256.Sum256([]byte("enrol"))
	req := ctaphid.MakeCredentialRequest{ClientDataHash: cdh[:], RP: ctaphid.RelyingParty{ID: rp}, User: ctaphid.User{ID: []byte{1}}}
	if _, err := d.MakeCredential(ctx, req); !errors.Is(err, ctaphid.StatusPINRequired) {
		t.Errorf("makeCredential without the PIN: %v", err)
	}
	req.PINToken = make([]byte, 16)
	if _, err := d.MakeCredential(ctx, req); !errors.Is(err, ctaphid.StatusPINAuthInvalid) {
		t.Errorf("makeCredential with a made-up token: %v", err)
	}
	tok, err := d.GetPINToken(ctx, "2468")
	if err != nil {
		t.Fatal(err)
	}
	req.PINToken = tok
	att, err := d.MakeCredential(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if att.AuthData.Flags&ctaphid.FlagUV == 0 {
		t.Error("makeCredential with the PIN token lacks the UV flag")
	}
	if err := d.ChangePIN(ctx, "2468", "97531"); err != nil {
		t.Fatal(err)
	}

	wrong := func(d *ctaphid.Device, want error, retries int) {
		t.Helper()
		if _, err := d.GetPINToken(ctx, "0000"); !errors.Is(err, want) {
			t.Fatalf("wrong PIN: %v, want %v", err, want)
		}
		if n, err := d.PINRetries(ctx); err != nil || n != retries {
			t.Fatalf("retries %d %v, want %d", n, err, retries)
		}
	}
	wrong(d, ctaphid.StatusPINInvalid, 7)
	wrong(d, ctaphid.StatusPINInvalid, 6)
	wrong(d, ctaphid.StatusPINAuthBlocked, 5)
	if _, err := d.GetPINToken(ctx, "97531"); !errors.Is(err, ctaphid.StatusPINAuthBlocked) {
		t.Errorf("right PIN while blocked until re-plug: %v", err)
	}
	replug := func() *ctaphid.Device {
		a.Unplug()
		if err := a.Plug(); err != nil {
			t.Fatal(err)
		}
		d, _ := openKey(t, a, ctaphid.Options{})
		return d
	}
	d = replug()
	if _, err := d.GetPINToken(ctx, "97531"); err != nil {
		t.Fatalf("right PIN after re-plug: %v", err)
	}
	if n, _ := d.PINRetries(ctx); n != 8 {
		t.Errorf("retries after the right PIN: %d, want 8", n)
	}
	// 8 retries: three in a row, re-plug, three more, re-plug, then the last two.
	wrong(d, ctaphid.StatusPINInvalid, 7)
	wrong(d, ctaphid.StatusPINInvalid, 6)
	wrong(d, ctaphid.StatusPINAuthBlocked, 5)
	d = replug()
	wrong(d, ctaphid.StatusPINInvalid, 4)
	wrong(d, ctaphid.StatusPINInvalid, 3)
	wrong(d, ctaphid.StatusPINAuthBlocked, 2)
	d = replug()
	wrong(d, ctaphid.StatusPINInvalid, 1)
	wrong(d, ctaphid.StatusPINBlocked, 0)
	if _, err := d.GetPINToken(ctx, "97531"); !errors.Is(err, ctaphid.StatusPINBlocked) {
		t.Errorf("right PIN on a blocked key: %v, want StatusPINBlocked", err)
	}
	// The block survives a new process: it is in the state file.
	b := newKey(t, softfido.Config{Dir: aDir(t, a)})
	db, _ := openKey(t, b, ctaphid.Options{})
	if n, _ := db.PINRetries(ctx); n != 0 {
		t.Errorf("retries in a new process: %d", n)
	}
}

func aDir(t testing.TB, a *softfido.Authenticator) string {
	t.Helper()
	dir := a.Dir()
	if dir == "" {
		t.Fatal("key has no state directory")
	}
	return dir
}

// TestU2FTouchTimeout: with no deadline on the context, a U2F wait for a touch still ends.
func TestU2FTouchTimeout(t *testing.T) {
	a := newKey(t, softfido.Config{U2FOnly: true, Presence: softfido.Presence{Mode: softfido.NoTouch}})
	d, _ := openKey(t, a, ctaphid.Options{PollInterval: 10 * time.Millisecond, TouchTimeout: 100 * time.Millisecond})
	start := time.Now()
	_, err := d.U2FRegister(context.Background(), sha256.Sum256([]byte("c")), rpHash)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("got %v, want a deadline error", err)
	}
	if el := time.Since(start); el < 100*time.Millisecond || el > time.Second {
		t.Errorf("gave up after %v", el)
	}
}
