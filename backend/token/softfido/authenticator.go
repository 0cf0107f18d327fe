package softfido

import (
	"crypto/ecdh"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/karalabe/hid"
)

// Wire sizes, duplicated from the specification rather than taken from package ctaphid, so
// that the two sides of every test are written independently.
const (
	reportSize     = 64
	initData       = reportSize - 7
	contData       = reportSize - 5
	maxMessageSize = initData + 128*contData // 7609
	broadcastCID   = 0xffffffff
)

// CTAPHID commands and errors, as the device sees them.
const (
	cmdPing      = 0x01
	cmdMsg       = 0x03
	cmdLock      = 0x04
	cmdInit      = 0x06
	cmdWink      = 0x08
	cmdCBOR      = 0x10
	cmdCancel    = 0x11
	cmdKeepalive = 0x3b
	cmdError     = 0x3f

	errInvalidCmd     = 0x01
	errInvalidLen     = 0x03
	errInvalidSeq     = 0x04
	errMsgTimeout     = 0x05
	errChannelBusy    = 0x06
	errInvalidChannel = 0x0b

	keepaliveProcessing = 0x01
	keepaliveUPNeeded   = 0x02

	capWink = 0x01
	capCBOR = 0x04
)

// PresenceMode says how the simulated officer touches the key.
type PresenceMode int

// Presence modes.
const (
	// AutoTouch: every request that needs a touch gets one at once.
	AutoTouch PresenceMode = iota
	// NoTouch: only Touch() touches the key.
	NoTouch
	// TouchAfter: the key is touched Presence.Delay after it starts waiting (or earlier by Touch()).
	TouchAfter
)

// Presence is the touch policy.
type Presence struct {
	Mode  PresenceMode
	Delay time.Duration // for TouchAfter
}

// Config describes a software key. The zero value is an in-memory CTAP2 key with a U2F
// interface that auto-touches and allows silent assertions.
type Config struct {
	// Dir holds the state file (mode 0600); empty keeps the key in memory only.
	Dir      string
	Presence Presence
	// U2FOnly makes a U2F (CTAP1) key: no CTAPHID_CBOR capability.
	U2FOnly bool
	// NoSilent refuses assertions without user presence (CTAP2 up=false, U2F control 0x08),
	// as many keys do.
	NoSilent bool
	// USB identity. Defaults: vendor 0x1209 (pid.codes), product 0x0001 (its test id),
	// usage page 0xF1D0 usage 1, as hidapi reports a FIDO interface.
	VendorID, ProductID   uint16
	UsagePage, Usage      uint16
	Manufacturer, Product string
	// NoUsagePage reports usage page 0, as hidapi builds that cannot read it do, so the hub
	// must recognise the key by its ids and a CTAPHID_INIT probe.
	NoUsagePage bool
	// FirmwareMajor, FirmwareMinor and FirmwareBuild go into the INIT answer; default 1.0.0.
	FirmwareMajor, FirmwareMinor, FirmwareBuild uint8

	KeepaliveInterval time.Duration // default 100 ms, as the specification asks
	UserActionTimeout time.Duration // default 30 s, then CTAP2_ERR_USER_ACTION_TIMEOUT
	MessageTimeout    time.Duration // default 500 ms between packets of one message
	Logger            *slog.Logger
}

// Faults are injected failures. Counters are 1-based and counted from SetFaults; zero is off.
type Faults struct {
	UnplugAtWrite     int  // the key is pulled out when the host writes this report
	UnplugAtRead      int  // ... when the host reads this report
	UnplugAtAssertion int  // ... when this signing request arrives, before it answers
	ForeignFrames     bool // answers are wrapped in traffic for other channels and another handle's INIT
	Keepalives        int  // this many KEEPALIVE(processing) frames precede every answer
	BadSequence       bool // the next multi-packet answer skips a sequence number
	Stall             bool // the next MSG or CBOR request is swallowed: no answer, no keepalive
}

// Stats count what the key did, for tests.
type Stats struct {
	Touches          int // user presence tests satisfied
	Assertions       int // signatures made (U2F authenticate and CTAP2 getAssertion)
	SilentAssertions int // of which without user presence
	Registrations    int
	Winks            int
	// EnumeratedWhileWaiting counts enumerations of the bus while the key waited for a touch:
	// on Linux hidapi opens every device while enumerating, which can disturb it.
	EnumeratedWhileWaiting int
}

// Authenticator is a software FIDO key: CTAPHID framing, U2F and CTAP2 (with PIN protocol 1)
// behind hid.Device handles from Open. It is safe for concurrent use.
type Authenticator struct {
	cfg Config
	log *slog.Logger

	mu       sync.Mutex
	st       *state
	path     string // set by Bus.Attach
	plugged  bool
	gone     chan struct{} // closed when unplugged; replaced when plugged again
	handles  map[*Handle]struct{}
	channels map[uint32]bool
	nextCID  uint32
	asm      *assembly // one reassembly buffer, like a real key
	job      *job      // the MSG or CBOR request being processed
	faults   Faults
	reads    int
	writes   int
	asserts  int
	stats    Stats
	waiting  bool // a request waits for a touch
	u2fSince time.Time

	touched chan struct{} // a pending touch, buffered 1

	// Per power cycle, as CTAP 2.0 has it.
	pinToken       []byte
	pinKey         *ecdh.PrivateKey
	pinConsecutive int
}

type assembly struct {
	cid   uint32
	cmd   byte
	want  int
	data  []byte
	seq   byte
	timer *time.Timer
}

type job struct {
	cid    uint32
	cmd    byte
	data   []byte
	cancel chan struct{}
	gone   <-chan struct{}
	once   sync.Once
}

// New loads the key's state from cfg.Dir (creating it on first use) and plugs the key in.
func New(cfg Config) (*Authenticator, error) {
	if cfg.VendorID == 0 && cfg.ProductID == 0 {
		cfg.VendorID, cfg.ProductID = 0x1209, 0x0001
	}
	if cfg.NoUsagePage {
		cfg.UsagePage, cfg.Usage = 0, 0
	} else if cfg.UsagePage == 0 {
		cfg.UsagePage, cfg.Usage = 0xf1d0, 0x01
	}
	if cfg.Manufacturer == "" {
		cfg.Manufacturer = "GiayDiDuong"
	}
	if cfg.Product == "" {
		cfg.Product = "Soft FIDO"
	}
	if cfg.KeepaliveInterval <= 0 {
		cfg.KeepaliveInterval = 100 * time.Millisecond
	}
	if cfg.UserActionTimeout <= 0 {
		cfg.UserActionTimeout = 30 * time.Second
	}
	if cfg.MessageTimeout <= 0 {
		cfg.MessageTimeout = 500 * time.Millisecond
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.FirmwareMajor == 0 && cfg.FirmwareMinor == 0 && cfg.FirmwareBuild == 0 {
		cfg.FirmwareMajor = 1
	}
	var (
		st  *state
		err error
	)
	if cfg.Dir == "" {
		st, err = newState()
	} else {
		st, err = loadState(cfg.Dir)
	}
	if err != nil {
		return nil, err
	}
	a := &Authenticator{
		cfg: cfg, log: cfg.Logger, st: st, handles: map[*Handle]struct{}{},
		touched: make(chan struct{}, 1), gone: make(chan struct{}),
	}
	close(a.gone)
	if err := a.Plug(); err != nil {
		return nil, err
	}
	return a, nil
}

// Info describes the key as hid.Enumerate would.
func (a *Authenticator) Info() hid.DeviceInfo {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.infoLocked()
}

func (a *Authenticator) infoLocked() hid.DeviceInfo {
	sum := sha256.Sum256(a.st.MasterKey)
	return hid.DeviceInfo{
		Path: a.path, VendorID: a.cfg.VendorID, ProductID: a.cfg.ProductID, Release: 0x0100,
		Serial: hex.EncodeToString(sum[:4]), Manufacturer: a.cfg.Manufacturer, Product: a.cfg.Product,
		UsagePage: a.cfg.UsagePage, Usage: a.cfg.Usage,
	}
}

// Plug plugs the key in: a new power cycle, so PIN tokens, key agreement keys and the
// consecutive wrong-PIN count start afresh, and handles opened before are dead.
func (a *Authenticator) Plug() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.plugged {
		return nil
	}
	tok := make([]byte, 16)
	if _, err := rand.Read(tok); err != nil {
		return fmt.Errorf("softfido: pin token: %w", err)
	}
	k, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		return fmt.Errorf("softfido: key agreement key: %w", err)
	}
	a.pinToken, a.pinKey, a.pinConsecutive = tok, k, 0
	a.plugged, a.gone = true, make(chan struct{})
	a.channels = map[uint32]bool{}
	a.asm, a.job, a.u2fSince = nil, nil, time.Time{}
	select {
	case <-a.touched: // a touch does not survive unplugging
	default:
	}
	return nil
}

// Unplug pulls the key out: every handle's Read and Write fail from now on, as hidapi's do.
func (a *Authenticator) Unplug() {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.unplugLocked()
}

func (a *Authenticator) unplugLocked() {
	if !a.plugged {
		return
	}
	a.plugged = false
	close(a.gone)
	if a.asm != nil {
		a.asm.timer.Stop()
		a.asm = nil
	}
	a.job = nil
	a.handles = map[*Handle]struct{}{}
	a.log.Debug("softfido: unplugged", "path", a.path)
}

// Plugged reports whether the key is plugged in.
func (a *Authenticator) Plugged() bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.plugged
}

// Touch touches the key once: the pending (or next) user presence test passes.
func (a *Authenticator) Touch() {
	select {
	case a.touched <- struct{}{}:
	default:
	}
}

// SetPresence changes the touch policy.
func (a *Authenticator) SetPresence(p Presence) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.cfg.Presence = p
}

// SetFaults replaces the injected faults and restarts their counters.
func (a *Authenticator) SetFaults(f Faults) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.faults, a.reads, a.writes, a.asserts = f, 0, 0, 0
}

// Stats returns the counters.
func (a *Authenticator) Stats() Stats {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.stats
}

// Waiting reports whether the key is waiting for a touch.
func (a *Authenticator) Waiting() bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.waiting
}

// Dir returns the state directory ("" for an in-memory key).
func (a *Authenticator) Dir() string { return a.cfg.Dir }

// Counter returns the signature counter.
func (a *Authenticator) Counter() uint32 {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.st.Counter
}

// CredentialCount returns how many credentials the key has made.
func (a *Authenticator) CredentialCount() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.st.Credentials)
}

// Open returns a new handle, as hid.DeviceInfo.Open does for a real key.
func (a *Authenticator) Open() (*Handle, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if !a.plugged {
		return nil, errOpen
	}
	h := &Handle{a: a, in: make(chan [reportSize]byte, handleQueue), gone: a.gone}
	a.handles[h] = struct{}{}
	return h, nil
}

// receive takes one report from the host. It runs under a.mu.
func (a *Authenticator) receive(p []byte) {
	cid := binary.BigEndian.Uint32(p[0:4])
	if p[4]&0x80 == 0 {
		a.continuation(cid, p)
		return
	}
	cmd, bcnt := p[4]&0x7f, int(binary.BigEndian.Uint16(p[5:7]))
	if a.asm != nil && a.asm.cid == cid {
		if cmd != cmdInit {
			a.dropAssembly()
			a.sendError(cid, errInvalidSeq)
			return
		}
		a.dropAssembly() // INIT on our own channel resynchronises it
	}
	switch {
	case cid == 0:
		a.sendError(cid, errInvalidChannel)
		return
	case cid == broadcastCID && cmd != cmdInit:
		a.sendError(cid, errInvalidChannel)
		return
	case cid != broadcastCID && !a.channels[cid]:
		a.sendError(cid, errInvalidChannel)
		return
	case cmd == cmdCancel:
		if a.job != nil && a.job.cid == cid {
			a.job.once.Do(func() { close(a.job.cancel) })
		}
		return // CANCEL is never answered itself
	case bcnt > maxMessageSize:
		a.sendError(cid, errInvalidLen)
		return
	case a.asm != nil:
		a.sendError(cid, errChannelBusy) // one reassembly buffer, and it is in use
		return
	}
	n := min(bcnt, initData)
	asm := &assembly{cid: cid, cmd: cmd, want: bcnt, data: append(make([]byte, 0, bcnt), p[7:7+n]...)}
	if len(asm.data) == asm.want {
		a.dispatch(asm)
		return
	}
	asm.timer = time.AfterFunc(a.cfg.MessageTimeout, func() { a.messageTimeout(asm) })
	a.asm = asm
}

func (a *Authenticator) continuation(cid uint32, p []byte) {
	asm := a.asm
	if asm == nil || asm.cid != cid {
		return // the specification has stray continuation packets ignored
	}
	if p[4] != asm.seq {
		a.dropAssembly()
		a.sendError(cid, errInvalidSeq)
		return
	}
	asm.seq++
	asm.data = append(asm.data, p[5:5+min(contData, asm.want-len(asm.data))]...)
	if len(asm.data) < asm.want {
		asm.timer.Reset(a.cfg.MessageTimeout)
		return
	}
	a.dropAssembly()
	a.dispatch(asm)
}

func (a *Authenticator) dropAssembly() {
	if a.asm != nil && a.asm.timer != nil {
		a.asm.timer.Stop()
	}
	a.asm = nil
}

func (a *Authenticator) messageTimeout(asm *assembly) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.asm != asm {
		return
	}
	a.asm = nil
	a.sendError(asm.cid, errMsgTimeout)
}

// dispatch handles a complete request. Quick commands answer at once; MSG and CBOR run on
// their own goroutine because they may wait for a touch, during which other channels get
// CHANNEL_BUSY.
func (a *Authenticator) dispatch(asm *assembly) {
	cid, data := asm.cid, asm.data
	if asm.cmd != cmdInit && a.job != nil && a.job.cid != cid {
		a.sendError(cid, errChannelBusy)
		return
	}
	switch asm.cmd {
	case cmdInit:
		a.handleInit(cid, data)
	case cmdPing:
		a.send(cid, cmdPing, data)
	case cmdWink:
		a.stats.Winks++
		a.send(cid, cmdWink, nil)
	case cmdMsg, cmdCBOR:
		if asm.cmd == cmdCBOR && a.cfg.U2FOnly {
			a.sendError(cid, errInvalidCmd)
			return
		}
		if a.job != nil {
			a.sendError(cid, errChannelBusy)
			return
		}
		if a.faults.Stall {
			a.faults.Stall = false
			return
		}
		j := &job{cid: cid, cmd: asm.cmd, data: data, cancel: make(chan struct{}), gone: a.gone}
		a.job = j
		go a.run(j)
	default:
		a.sendError(cid, errInvalidCmd) // LOCK and vendor commands are not implemented
	}
}

func (a *Authenticator) handleInit(cid uint32, nonce []byte) {
	if len(nonce) != 8 {
		a.sendError(cid, errInvalidLen)
		return
	}
	newCID := cid
	if cid == broadcastCID {
		for {
			a.nextCID++
			if a.nextCID != 0 && a.nextCID != broadcastCID && !a.channels[a.nextCID] {
				break
			}
		}
		newCID = a.nextCID
		a.channels[newCID] = true
	} else if a.job != nil && a.job.cid == cid {
		// INIT on a busy channel abandons its request: stop it, and never answer it.
		a.job.once.Do(func() { close(a.job.cancel) })
		a.job = nil
	}
	caps := byte(capWink)
	if !a.cfg.U2FOnly {
		caps |= capCBOR
	}
	resp := make([]byte, 0, 17)
	resp = append(resp, nonce...)
	resp = binary.BigEndian.AppendUint32(resp, newCID)
	resp = append(resp, 2, a.cfg.FirmwareMajor, a.cfg.FirmwareMinor, a.cfg.FirmwareBuild, caps)
	a.send(cid, cmdInit, resp)
}

// run processes one MSG or CBOR request and sends the answer, unless the key was unplugged
// meanwhile.
func (a *Authenticator) run(j *job) {
	var resp []byte
	if j.cmd == cmdMsg {
		resp = a.processU2F(j)
	} else {
		resp = a.processCTAP2(j)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.job != j {
		return // unplugged (or resynchronised) meanwhile: nobody to answer
	}
	a.job = nil
	if resp != nil {
		a.send(j.cid, j.cmd, resp)
	}
}

// Output. All sends run under a.mu and go to every open handle, as HID input reports do.

func (a *Authenticator) sendError(cid uint32, code byte) {
	a.send(cid, cmdError, []byte{code})
}

func (a *Authenticator) send(cid uint32, cmd byte, data []byte) {
	if cmd != cmdKeepalive && cmd != cmdError {
		for range a.faults.Keepalives {
			a.emit(frame(cid, cmdKeepalive, []byte{keepaliveProcessing})[0])
		}
	}
	pkts := frame(cid, cmd, data)
	if a.faults.BadSequence && len(pkts) > 1 {
		a.faults.BadSequence = false
		pkts[1][4] = 5 // skips 0..4
	}
	for _, p := range pkts {
		if a.faults.ForeignFrames {
			a.emitForeign()
		}
		a.emit(p)
	}
}

// emitForeign sends what other applications on the same key would cause: an INIT answer with
// someone else's nonce and a frame for another channel.
func (a *Authenticator) emitForeign() {
	var nonce [8]byte
	_, _ = rand.Read(nonce[:])
	init := append(nonce[:], 0x0b, 0xad, 0xca, 0xfe, 2, 1, 0, 0, capWink)
	a.emit(frame(broadcastCID, cmdInit, init)[0])
	a.emit(frame(0x0badcafe, cmdPing, []byte("other application"))[0])
}

func (a *Authenticator) emit(p [reportSize]byte) {
	for h := range a.handles {
		select {
		case h.in <- p:
		default:
			a.log.Warn("softfido: a handle's input queue is full; report dropped", "path", a.path)
		}
	}
}

// frame splits a message into reports; written apart from package ctaphid on purpose.
func frame(cid uint32, cmd byte, data []byte) [][reportSize]byte {
	var out [][reportSize]byte
	var p [reportSize]byte
	binary.BigEndian.PutUint32(p[:], cid)
	p[4] = cmd | 0x80
	binary.BigEndian.PutUint16(p[5:], uint16(len(data)))
	n := copy(p[7:], data)
	out = append(out, p)
	for seq := byte(0); n < len(data); seq++ {
		var c [reportSize]byte
		binary.BigEndian.PutUint32(c[:], cid)
		c[4] = seq
		n += copy(c[5:], data[n:])
		out = append(out, c)
	}
	return out
}

// sendKeepalive is called by request goroutines.
func (a *Authenticator) sendKeepalive(j *job, status byte) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.job == j {
		a.emit(frame(j.cid, cmdKeepalive, []byte{status})[0])
	}
}

// presence outcomes.
type presenceResult int

const (
	presenceOK presenceResult = iota
	presenceCancelled
	presenceTimeout
	presenceGone
)

// waitPresence blocks a CTAP2 request until the key is touched, sending KEEPALIVE(UP needed)
// meanwhile, or until CANCEL, the user action timeout or removal.
func (a *Authenticator) waitPresence(j *job) presenceResult {
	a.mu.Lock()
	p := a.cfg.Presence
	if p.Mode == AutoTouch {
		a.stats.Touches++
		a.mu.Unlock()
		return presenceOK
	}
	a.waiting = true
	a.mu.Unlock()
	defer func() {
		a.mu.Lock()
		a.waiting = false
		a.mu.Unlock()
	}()
	var after <-chan time.Time
	if p.Mode == TouchAfter {
		t := time.NewTimer(p.Delay)
		defer t.Stop()
		after = t.C
	}
	tick := time.NewTicker(a.cfg.KeepaliveInterval)
	defer tick.Stop()
	timeout := time.NewTimer(a.cfg.UserActionTimeout)
	defer timeout.Stop()
	a.sendKeepalive(j, keepaliveUPNeeded)
	for {
		select {
		case <-a.touched:
		case <-after:
		case <-tick.C:
			a.sendKeepalive(j, keepaliveUPNeeded)
			continue
		case <-j.cancel:
			return presenceCancelled
		case <-j.gone:
			return presenceGone
		case <-timeout.C:
			return presenceTimeout
		}
		a.mu.Lock()
		a.stats.Touches++
		a.mu.Unlock()
		return presenceOK
	}
}

// u2fPresence answers a U2F presence test without blocking, as U2F keys do: false means
// "answer 0x6985 and let the host ask again".
func (a *Authenticator) u2fPresence() bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	ok := false
	switch a.cfg.Presence.Mode {
	case AutoTouch:
		ok = true
	case TouchAfter:
		if a.u2fSince.IsZero() {
			a.u2fSince = time.Now()
		}
		ok = time.Since(a.u2fSince) >= a.cfg.Presence.Delay
	}
	if !ok {
		select {
		case <-a.touched:
			ok = true
		default:
		}
	}
	if ok {
		a.stats.Touches++
		a.u2fSince = time.Time{}
	}
	a.waiting = !ok
	return ok
}

// noteAssertion counts a signing request and pulls the key out when a fault says so. It
// reports whether the key is still there.
func (a *Authenticator) noteAssertion() bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.asserts++
	if a.faults.UnplugAtAssertion > 0 && a.asserts == a.faults.UnplugAtAssertion {
		a.unplugLocked()
		return false
	}
	return true
}
