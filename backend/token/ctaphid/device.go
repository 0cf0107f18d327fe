package ctaphid

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/karalabe/hid"
)

// KeepaliveStatus is the status byte of a CTAPHID_KEEPALIVE frame.
type KeepaliveStatus byte

// Keepalive statuses. StatusUPNeeded is also reported while a U2F key answers 0x6985.
const (
	StatusProcessing KeepaliveStatus = 1 // the key is working on the request
	StatusUPNeeded   KeepaliveStatus = 2 // the key waits for a touch
)

// Capabilities are the flags a key reports in its CTAPHID_INIT answer.
type Capabilities byte

// Capability flags.
const (
	CapWink Capabilities = 0x01 // implements CTAPHID_WINK
	CapCBOR Capabilities = 0x04 // implements CTAPHID_CBOR (a CTAP2 key)
	CapNMSG Capabilities = 0x08 // does NOT implement CTAPHID_MSG (no U2F)
)

// Has reports whether all flags in f are set.
func (c Capabilities) Has(f Capabilities) bool { return c&f == f }

// InitInfo is the answer to CTAPHID_INIT.
type InitInfo struct {
	Channel             uint32
	Protocol            uint8 // CTAPHID protocol version, 2
	Major, Minor, Build uint8 // device firmware version
	Capabilities        Capabilities
}

// Options tune a Device. The zero value works.
type Options struct {
	Logger *slog.Logger
	// Hold, when set, is called when a request starts and its result when it ends. The token
	// hub passes its busy counter, so that it never enumerates (which opens every HID device
	// on Linux) while a key is in use or waiting for a touch.
	Hold func() (release func())
	// OnKeepalive is called when the key's status changes during a request: once with
	// StatusUPNeeded when it starts waiting for a touch ("Chạm vào khóa để ký"), not once per
	// frame. U2F keys, which answer 0x6985 instead, report StatusUPNeeded the same way.
	OnKeepalive func(KeepaliveStatus)
	// IdleTimeout bounds the silence on our channel during a request; keys send a keepalive
	// every 100 ms while they work, so a long silence means a wedged or confused key.
	// Default 5 s.
	IdleTimeout time.Duration
	// PollInterval is the pause between U2F requests while the key answers 0x6985.
	// Default 100 ms.
	PollInterval time.Duration
	// TouchTimeout bounds a U2F wait for a touch when the context has no deadline, as CTAP2
	// keys bound theirs (CTAP2_ERR_USER_ACTION_TIMEOUT). Default 30 s.
	TouchTimeout time.Duration
}

// readSlice is how long one hidapi read blocks, which bounds how late a cancelled context
// is noticed.
const readSlice = 20 * time.Millisecond

// cancelDrain is how long to wait, after CTAPHID_CANCEL, for the key's answer to the
// cancelled request, so that it is not mistaken for the answer to the next one.
const cancelDrain = 500 * time.Millisecond

// Device is one CTAPHID channel on an open HID device. Requests on a Device are serialised;
// it is safe for concurrent use.
type Device struct {
	dev  hid.Device
	opts Options
	log  *slog.Logger

	onKeepalive atomic.Pointer[func(KeepaliveStatus)]

	mu  sync.Mutex           // one transaction at a time
	buf [ReportSize + 1]byte // read buffer; the spare byte makes an oversized report visible

	// info is written under both mu and infoMu, so Info need not wait for a request (which
	// may be waiting for a touch) to end.
	infoMu sync.Mutex
	info   InitInfo
}

// Open allocates a channel on dev with CTAPHID_INIT. The caller keeps ownership of dev;
// Device.Close closes it.
func Open(ctx context.Context, dev hid.Device, opts Options) (*Device, error) {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.IdleTimeout <= 0 {
		opts.IdleTimeout = 5 * time.Second
	}
	if opts.PollInterval <= 0 {
		opts.PollInterval = 100 * time.Millisecond
	}
	if opts.TouchTimeout <= 0 {
		opts.TouchTimeout = 30 * time.Second
	}
	d := &Device{dev: dev, opts: opts, log: opts.Logger}
	d.SetKeepalive(opts.OnKeepalive)
	info, err := d.Init(ctx)
	if err != nil {
		return nil, err
	}
	d.log.Debug("ctaphid channel allocated", "cid", fmt.Sprintf("%08x", info.Channel),
		"version", fmt.Sprintf("%d.%d.%d", info.Major, info.Minor, info.Build), "caps", byte(info.Capabilities))
	return d, nil
}

// Init (re)allocates the channel with CTAPHID_INIT on the broadcast channel, which also
// abandons anything the key still had in progress for us.
func (d *Device) Init(ctx context.Context) (InitInfo, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	var nonce [8]byte
	if _, err := rand.Read(nonce[:]); err != nil {
		return InitInfo{}, fmt.Errorf("ctaphid init: nonce: %w", err)
	}
	// Every handle on the key sees every INIT answer; only ours carries our nonce.
	ours := func(msg []byte) bool { return len(msg) >= 8 && bytes.Equal(msg[:8], nonce[:]) }
	resp, err := d.transact(ctx, BroadcastCID, CmdInit, nonce[:], ours)
	if err != nil {
		return InitInfo{}, fmt.Errorf("ctaphid init: %w", err)
	}
	info, err := parseInit(resp)
	if err != nil {
		return InitInfo{}, fmt.Errorf("ctaphid init: %w", err)
	}
	d.infoMu.Lock()
	d.info = info
	d.infoMu.Unlock()
	return info, nil
}

// parseInit reads nonce(8) CID(4) protocol(1) major(1) minor(1) build(1) capabilities(1).
func parseInit(resp []byte) (InitInfo, error) {
	if len(resp) < 17 {
		return InitInfo{}, fmt.Errorf("%w: INIT answer has %d bytes, want 17", ErrProtocol, len(resp))
	}
	info := InitInfo{
		Channel:  binary.BigEndian.Uint32(resp[8:12]),
		Protocol: resp[12], Major: resp[13], Minor: resp[14], Build: resp[15],
		Capabilities: Capabilities(resp[16]),
	}
	if info.Channel == 0 || info.Channel == BroadcastCID {
		return InitInfo{}, fmt.Errorf("%w: INIT allocated reserved channel %08x", ErrProtocol, info.Channel)
	}
	return info, nil
}

// SetKeepalive replaces Options.OnKeepalive, so each operation can word its own prompt
// ("touch to enrol", "touch to sign"); nil turns it off.
func (d *Device) SetKeepalive(fn func(KeepaliveStatus)) {
	if fn == nil {
		d.onKeepalive.Store(nil)
		return
	}
	d.onKeepalive.Store(&fn)
}

func (d *Device) notify(s KeepaliveStatus) {
	if fn := d.onKeepalive.Load(); fn != nil {
		(*fn)(s)
	}
}

// Info returns the answer to the last CTAPHID_INIT.
func (d *Device) Info() InitInfo {
	d.infoMu.Lock()
	defer d.infoMu.Unlock()
	return d.info
}

// Close closes the HID device.
func (d *Device) Close() error {
	if err := d.dev.Close(); err != nil {
		return fmt.Errorf("ctaphid close: %w", err)
	}
	return nil
}

// Transact sends one request on the channel and returns the answer's payload. An ERROR
// answer is returned as an Error.
func (d *Device) Transact(ctx context.Context, cmd Command, data []byte) ([]byte, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.transact(ctx, d.info.Channel, cmd, data, nil)
}

// Ping sends data with CTAPHID_PING and checks that the key echoes it.
func (d *Device) Ping(ctx context.Context, data []byte) error {
	resp, err := d.Transact(ctx, CmdPing, data)
	if err != nil {
		return fmt.Errorf("ctaphid ping: %w", err)
	}
	if !bytes.Equal(resp, data) {
		return fmt.Errorf("%w: PING echoed %d different bytes", ErrProtocol, len(resp))
	}
	return nil
}

// Wink asks the key to blink, so the officer sees which key is meant.
func (d *Device) Wink(ctx context.Context) error {
	if _, err := d.Transact(ctx, CmdWink, nil); err != nil {
		return fmt.Errorf("ctaphid wink: %w", err)
	}
	return nil
}

// hold marks the device busy for the hub; the returned func ends it.
func (d *Device) hold() func() {
	if d.opts.Hold == nil {
		return func() {}
	}
	return d.opts.Hold()
}

func (d *Device) transact(ctx context.Context, cid uint32, cmd Command, data []byte, accept func([]byte) bool) ([]byte, error) {
	pkts, err := packets(cid, cmd, data)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("ctaphid %s: %w", cmd, err)
	}
	defer d.hold()()
	for i := range pkts {
		if err := d.writeReport(&pkts[i]); err != nil {
			return nil, fmt.Errorf("ctaphid %s packet %d of %d: %w", cmd, i+1, len(pkts), err)
		}
	}
	for {
		msg, err := d.readResponse(ctx, cid, cmd, false)
		if err != nil {
			return nil, err
		}
		if accept == nil || accept(msg) {
			return msg, nil
		}
		d.log.Debug("ctaphid: ignoring an answer meant for another handle", "cmd", cmd.String())
	}
}

func (d *Device) writeReport(p *[ReportSize]byte) error {
	out := p[:]
	if writeWithReportID {
		var r [ReportSize + 1]byte // r[0] is report ID 0
		copy(r[1:], p[:])
		out = r[:]
	}
	n, err := d.dev.Write(out)
	if err != nil {
		return fmt.Errorf("%w: write: %w", ErrDeviceRemoved, err)
	}
	if n < ReportSize {
		return fmt.Errorf("%w: wrote %d of %d bytes", ErrDeviceRemoved, n, len(out))
	}
	return nil
}

// readResponse reads frames until the answer to cmd on channel cid is complete. It skips
// frames for other channels and stray continuation packets, reports keepalives, and turns an
// ERROR frame into an Error. draining is set while reading the answer to a cancelled request.
func (d *Device) readResponse(ctx context.Context, cid uint32, cmd Command, draining bool) ([]byte, error) {
	var (
		msg        []byte
		want       int
		seq        byte
		assembling bool
		status     KeepaliveStatus
		lastFrame  = time.Now()
	)
	for {
		if err := ctx.Err(); err != nil {
			if draining {
				return nil, err
			}
			return nil, d.cancel(cid, cmd, err)
		}
		if time.Since(lastFrame) > d.opts.IdleTimeout {
			return nil, fmt.Errorf("%w: no answer to %s for %v", ErrTimeout, cmd, d.opts.IdleTimeout)
		}
		n, err := d.dev.ReadTimeout(d.buf[:], int(readSlice/time.Millisecond))
		if err != nil {
			return nil, fmt.Errorf("ctaphid %s: %w: read: %w", cmd, ErrDeviceRemoved, err)
		}
		if n == 0 {
			continue // read timed out; check the context and the idle timer
		}
		if n != ReportSize {
			return nil, fmt.Errorf("%w: %d-byte report, want %d", ErrProtocol, n, ReportSize)
		}
		p := d.buf[:ReportSize]
		if binary.BigEndian.Uint32(p[0:4]) != cid {
			continue // another channel's traffic: every open handle sees it
		}
		lastFrame = time.Now()
		if p[4]&0x80 == 0 {
			if !assembling {
				continue // tail of an answer we gave up on
			}
			if p[4] != seq {
				return nil, fmt.Errorf("%w: %w: %s answer continuation has sequence %d, want %d", ErrProtocol, ErrInvalidSeq, cmd, p[4], seq)
			}
			seq++
			msg = append(msg, p[5:5+min(ContDataSize, want-len(msg))]...)
		} else {
			c, bcnt := Command(p[4]&0x7f), int(binary.BigEndian.Uint16(p[5:7]))
			switch {
			case c == CmdKeepalive:
				if s := KeepaliveStatus(p[7]); bcnt >= 1 && s != status {
					status = s
					d.notify(s)
				}
				continue
			case c == CmdError:
				if bcnt < 1 {
					return nil, ErrOther
				}
				return nil, fmt.Errorf("ctaphid %s: %w", cmd, Error(p[7]))
			case c != cmd:
				return nil, fmt.Errorf("%w: answer to %s is %s", ErrProtocol, cmd, c)
			case assembling:
				return nil, fmt.Errorf("%w: new %s answer before the last was complete", ErrProtocol, cmd)
			case bcnt > MaxMessageSize:
				return nil, fmt.Errorf("%w: %s answer of %d bytes", ErrProtocol, cmd, bcnt)
			}
			assembling, want, seq = true, bcnt, 0
			msg = make([]byte, 0, bcnt)
			msg = append(msg, p[7:7+min(InitDataSize, bcnt)]...)
		}
		if len(msg) == want {
			return msg, nil
		}
	}
}

// cancel tells the key to stop a CBOR request (typically one waiting for a touch) and reads
// its answer, CTAP2_ERR_KEEPALIVE_CANCEL, so that the channel is clean for the next request.
// U2F requests return at once, so there is nothing to cancel.
func (d *Device) cancel(cid uint32, cmd Command, cause error) error {
	err := fmt.Errorf("ctaphid %s: %w", cmd, cause)
	if cmd != CmdCBOR || cid == BroadcastCID {
		return err
	}
	pkts, _ := packets(cid, CmdCancel, nil)
	if werr := d.writeReport(&pkts[0]); werr != nil {
		return errors.Join(err, fmt.Errorf("ctaphid CANCEL: %w", werr))
	}
	ctx, stop := context.WithTimeout(context.Background(), cancelDrain)
	defer stop()
	if _, derr := d.readResponse(ctx, cid, cmd, true); derr != nil && !errors.Is(derr, StatusKeepaliveCancel) {
		d.log.Debug("ctaphid: no clean answer after CANCEL", "err", derr)
	}
	return err
}
