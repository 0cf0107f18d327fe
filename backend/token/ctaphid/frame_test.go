package ctaphid

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/karalabe/hid"
)

// TestPacketLayout checks the CTAPHID framing at every packet boundary: an init packet holds
// 57 bytes, each continuation 59, so 57/58, 116/117 and 175/176 are where a packet is added.
func TestPacketLayout(t *testing.T) {
	tests := []struct {
		size, packets int
	}{
		{0, 1}, {1, 1}, {57, 1}, {58, 2}, {59, 2}, {116, 2}, {117, 3}, {118, 3},
		{175, 3}, {176, 4}, {MaxMessageSize, 129},
	}
	for _, tt := range tests {
		data := make([]byte, tt.size)
		for i := range data {
			data[i] = byte(i*7 + 3)
		}
		pkts, err := packets(0x01020304, CmdCBOR, data)
		if err != nil {
			t.Fatalf("size %d: %v", tt.size, err)
		}
		if len(pkts) != tt.packets {
			t.Errorf("size %d: %d packets, want %d", tt.size, len(pkts), tt.packets)
		}
		var got []byte
		for i, p := range pkts {
			if cid := binary.BigEndian.Uint32(p[0:4]); cid != 0x01020304 {
				t.Fatalf("size %d packet %d: CID %08x", tt.size, i, cid)
			}
			if i == 0 {
				if p[4] != 0x90 || int(binary.BigEndian.Uint16(p[5:7])) != tt.size {
					t.Fatalf("size %d: init packet header % x", tt.size, p[4:7])
				}
				got = append(got, p[7:]...)
				continue
			}
			if p[4] != byte(i-1) {
				t.Fatalf("size %d packet %d: SEQ %d", tt.size, i, p[4])
			}
			got = append(got, p[5:]...)
		}
		if !bytes.Equal(got[:tt.size], data) || slices.ContainsFunc(got[tt.size:], func(b byte) bool { return b != 0 }) {
			t.Errorf("size %d: payload does not reassemble, or padding is not zero", tt.size)
		}
	}
	if _, err := packets(1, CmdPing, make([]byte, MaxMessageSize+1)); !errors.Is(err, ErrMessageTooLong) {
		t.Errorf("7610 bytes: got %v, want ErrMessageTooLong", err)
	}
}

// replayDevice is a hid.Device that answers with recorded reports, one per read, and records
// what is written. The first INIT nonce written is copied into the first INIT answer, as
// libfido2's own replay tests do.
type replayDevice struct {
	mu      sync.Mutex
	writes  [][]byte
	reads   [][]byte
	patched bool
	broken  bool
}

func (r *replayDevice) Write(b []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.broken {
		return 0, errors.New("hidapi: unknown failure")
	}
	r.writes = append(r.writes, bytes.Clone(b))
	if !r.patched && len(b) == 65 && b[5] == 0x86 {
		for _, rd := range r.reads {
			if rd[4] == 0x86 && binary.BigEndian.Uint32(rd) == BroadcastCID {
				copy(rd[7:15], b[8:16])
				break
			}
		}
		r.patched = true
	}
	return len(b), nil
}

func (r *replayDevice) Read(b []byte) (int, error) { return r.ReadTimeout(b, -1) }

func (r *replayDevice) ReadTimeout(b []byte, ms int) (int, error) {
	r.mu.Lock()
	if r.broken {
		r.mu.Unlock()
		return 0, errors.New("hidapi: unknown failure")
	}
	if len(r.reads) == 0 {
		r.mu.Unlock()
		time.Sleep(time.Duration(max(ms, 1)) * time.Millisecond)
		return 0, nil
	}
	p := r.reads[0]
	r.reads = r.reads[1:]
	r.mu.Unlock()
	return copy(b, p), nil
}

func (r *replayDevice) Close() error                          { return nil }
func (r *replayDevice) GetFeatureReport([]byte) (int, error)  { return 0, errors.ErrUnsupported }
func (r *replayDevice) SendFeatureReport([]byte) (int, error) { return 0, errors.ErrUnsupported }

var _ hid.Device = (*replayDevice)(nil)

func reports(b ...[]byte) [][]byte {
	var out [][]byte
	for _, x := range b {
		for len(x) > 0 {
			out = append(out, bytes.Clone(x[:ReportSize]))
			x = x[ReportSize:]
		}
	}
	return out
}

// TestLibfido2Wiredata runs the client against a real YubiKey's recorded answers: the INIT
// answer (CID 00220002, CTAPHID version 2, firmware 5.2.1, capabilities WINK|CBOR), five
// keepalives saying "touch needed", and a getInfo answer in four packets.
func TestLibfido2Wiredata(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("checks the Linux/macOS report-ID prefix")
	}
	dev := &replayDevice{reads: reports(wireInit, wireKeepalive, wireKeepalive, wireKeepalive, wireKeepalive, wireKeepalive, wireCBORInfo)}
	var statuses []KeepaliveStatus
	ctx := context.Background()
	d, err := Open(ctx, dev, Options{OnKeepalive: func(s KeepaliveStatus) { statuses = append(statuses, s) }})
	if err != nil {
		t.Fatal(err)
	}
	want := InitInfo{Channel: 0x00220002, Protocol: 2, Major: 5, Minor: 2, Build: 1, Capabilities: CapWink | CapCBOR}
	if got := d.Info(); got != want {
		t.Errorf("INIT: got %+v, want %+v", got, want)
	}
	info, err := d.GetInfo(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(info.Versions, []string{"U2F_V2", "FIDO_2_0", "FIDO_2_1_PRE"}) || info.MaxMsgSize != 1200 ||
		!slices.Equal(info.PINProtocols, []uint64{1}) || info.PINSet() || !info.SupportsPIN() || !info.SupportsUserPresence() {
		t.Errorf("getInfo decoded as %+v", info)
	}
	if v, ok := info.Option("rk"); !v || !ok {
		t.Errorf("getInfo options %v: want rk true", info.Options)
	}
	// Five keepalives with one status: the callback hears about it once.
	if !slices.Equal(statuses, []KeepaliveStatus{StatusUPNeeded}) {
		t.Errorf("keepalive callbacks %v, want one StatusUPNeeded", statuses)
	}
	// What we wrote: report ID 0, then the INIT request on the broadcast channel (CMD 0x86,
	// BCNT 8, nonce), then authenticatorGetInfo (CMD 0x90, BCNT 1, 0x04) on the new channel.
	if len(dev.writes) != 2 {
		t.Fatalf("%d writes, want 2", len(dev.writes))
	}
	for i, w := range dev.writes {
		if len(w) != 65 || w[0] != 0 {
			t.Errorf("write %d: %d bytes starting %02x, want 65 starting with report ID 00", i, len(w), w[0])
		}
	}
	if hdr := dev.writes[0][1:8]; !bytes.Equal(hdr, []byte{0xff, 0xff, 0xff, 0xff, 0x86, 0x00, 0x08}) {
		t.Errorf("INIT request header % x", hdr)
	}
	if got := dev.writes[1][1:9]; !bytes.Equal(got, []byte{0x00, 0x22, 0x00, 0x02, 0x90, 0x00, 0x01, 0x04}) {
		t.Errorf("getInfo request % x", got)
	}
}

// TestInitIgnoresOtherNonces: an INIT answer carrying another nonce belongs to another
// handle on the same key (every handle sees every report) and must not be taken for ours.
func TestInitIgnoresOtherNonces(t *testing.T) {
	other := bytes.Clone(wireInit)
	copy(other[7:15], "someone!")
	copy(other[15:19], []byte{0x0b, 0xad, 0xca, 0xfe})
	ours := bytes.Clone(wireInit)
	// The replay patches the first broadcast INIT answer; make that one "other" by marking it
	// patched already and patching ours by hand after the write.
	dev := &replayDevice{reads: reports(other), patched: true}
	done := make(chan error, 1)
	var d *Device
	go func() {
		var err error
		d, err = Open(context.Background(), dev, Options{})
		done <- err
	}()
	for {
		dev.mu.Lock()
		if len(dev.writes) > 0 {
			copy(ours[7:15], dev.writes[0][8:16])
			dev.reads = append(dev.reads, ours)
			dev.mu.Unlock()
			break
		}
		dev.mu.Unlock()
		time.Sleep(time.Millisecond)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if d.Info().Channel != 0x00220002 {
		t.Errorf("channel %08x: took another handle's INIT answer", d.Info().Channel)
	}
}

// TestU2FSpecRequests: the APDUs we build are byte for byte the specification's examples.
func TestU2FSpecRequests(t *testing.T) {
	if got := encodeAPDU(insRegister, registerP1, 0, concat(specChallenge[:], specApplication[:])); !bytes.Equal(got, specRegisterAPDU) {
		t.Errorf("REGISTER APDU\n got % x\nwant % x", got, specRegisterAPDU)
	}
	data := concat(specChallenge[:], specApplication[:], []byte{byte(len(specKeyHandle))}, specKeyHandle)
	if got := encodeAPDU(insAuthenticate, byte(EnforceUserPresence), 0, data); !bytes.Equal(got, specAuthenticateAPDU) {
		t.Errorf("AUTHENTICATE APDU\n got % x\nwant % x", got, specAuthenticateAPDU)
	}
	if got := encodeAPDU(insVersion, 0, 0, nil); !bytes.Equal(got, []byte{0, 3, 0, 0, 0, 0, 0}) {
		t.Errorf("VERSION APDU % x", got)
	}
}

// TestU2FSpecResponses parses the specification's REGISTER and AUTHENTICATE answers, made by
// a real Yubico key, checks the attestation signature with the key's certificate, and checks
// the authentication signature over application | 01 | counter | challenge: the 37-byte
// authenticator data layout that permit.FrameFIDO rebuilds.
func TestU2FSpecResponses(t *testing.T) {
	reg, err := ParseU2FRegistration(specRegisterResponse)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(reg.KeyHandle, specKeyHandle) || len(reg.AttestationCert) != 590 || len(reg.Signature) != 71 {
		t.Fatalf("parsed key handle %d bytes, certificate %d bytes, signature %d bytes", len(reg.KeyHandle), len(reg.AttestationCert), len(reg.Signature))
	}
	if err := reg.Verify(specChallenge, specApplication); err != nil {
		t.Errorf("attestation: %v", err)
	}
	if err := reg.Verify(specApplication, specChallenge); err == nil {
		t.Error("attestation verified with challenge and application swapped")
	}

	// The answer goes through the transport too: a MSG answer on the replayed channel.
	answer := concat(specAuthenticateResponse, []byte{0x90, 0x00})
	pkts, err := packets(0x00220002, CmdMsg, answer)
	if err != nil {
		t.Fatal(err)
	}
	var raw []byte
	for _, p := range pkts {
		raw = append(raw, p[:]...)
	}
	dev := &replayDevice{reads: reports(wireInit, raw)}
	d, err := Open(context.Background(), dev, Options{})
	if err != nil {
		t.Fatal(err)
	}
	auth, err := d.U2FAuthenticate(context.Background(), EnforceUserPresence, specChallenge, specApplication, specKeyHandle)
	if err != nil {
		t.Fatal(err)
	}
	if auth.UserPresence != 1 || auth.Counter != 0x3b {
		t.Errorf("user presence %d counter %d", auth.UserPresence, auth.Counter)
	}
	if got := dev.writes[1]; runtime.GOOS != "windows" && !bytes.Equal(got[8:8+57], specAuthenticateAPDU[:57]) {
		t.Errorf("AUTHENTICATE request on the wire starts % x", got[8:8+16])
	}
	pub, err := reg.Key()
	if err != nil {
		t.Fatal(err)
	}
	digest := sha256.Sum256(concat(auth.AuthenticatorData(specApplication), specChallenge[:]))
	if !ecdsa.VerifyASN1(pub, digest[:], auth.Signature) {
		t.Error("the example's signature does not verify over authenticator data | challenge")
	}
}

func TestErrorMessages(t *testing.T) {
	tests := []struct {
		err  error
		want string
	}{
		{ErrChannelBusy, "ctaphid: device error ERR_CHANNEL_BUSY (0x06)"},
		{ErrInvalidSeq, "ctaphid: device error ERR_INVALID_SEQ (0x04)"},
		{Error(0x42), "ctaphid: device error 0x42"},
		{StatusPINInvalid, "ctap2: CTAP2_ERR_PIN_INVALID (0x31)"},
		{StatusPINBlocked, "ctap2: CTAP2_ERR_PIN_BLOCKED (0x32)"},
		{StatusError(0x99), "ctap2: status 0x99"},
		{SWConditionsNotSatisfied, "u2f: SW_CONDITIONS_NOT_SATISFIED (0x6985)"},
		{StatusWord(0x6f00), "u2f: status word 0x6f00"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("%#v: %q, want %q", tt.err, got, tt.want)
		}
	}
}

// TestReadErrorIsRemoval: hidapi reports an unplugged key only as a failed read or write.
func TestReadErrorIsRemoval(t *testing.T) {
	dev := &replayDevice{reads: reports(wireInit)}
	d, err := Open(context.Background(), dev, Options{})
	if err != nil {
		t.Fatal(err)
	}
	dev.mu.Lock()
	dev.broken = true
	dev.mu.Unlock()
	if err := d.Ping(context.Background(), []byte("x")); !errors.Is(err, ErrDeviceRemoved) {
		t.Errorf("got %v, want ErrDeviceRemoved", err)
	}
}
