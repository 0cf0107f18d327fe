package softfido

import (
	"errors"
	"fmt"
	"runtime"
	"sync/atomic"
	"time"

	"github.com/karalabe/hid"
)

// handleQueue is how many input reports a handle buffers: two maximum-size answers.
const handleQueue = 512

var (
	// errRemoved is what karalabe/hid returns when hidapi fails on an unplugged device: the
	// libusb backend has no error text, so the message is this generic one.
	errRemoved = errors.New("hidapi: unknown failure")
	// errOpen is hid.DeviceInfo.Open's error for a device that is not there.
	errOpen = errors.New("hidapi: failed to open device")
)

// Handle is one open hid.Device on a software key. Writes follow hidapi's contract: the first
// byte is the report ID, 0 for a FIDO key, followed by the 64-byte report; reads return
// 64-byte reports without a report ID.
type Handle struct {
	a      *Authenticator
	in     chan [reportSize]byte
	gone   <-chan struct{}
	closed atomic.Bool
}

var _ hid.Device = (*Handle)(nil)

// Close releases the handle.
func (h *Handle) Close() error {
	if h.closed.Swap(true) {
		return nil
	}
	h.a.mu.Lock()
	delete(h.a.handles, h)
	h.a.mu.Unlock()
	return nil
}

func (h *Handle) dead() error {
	if h.closed.Load() {
		return hid.ErrDeviceClosed
	}
	select {
	case <-h.gone:
		return errRemoved
	default:
		return nil
	}
}

// Write sends one output report.
func (h *Handle) Write(b []byte) (int, error) {
	n := len(b)
	if runtime.GOOS == "windows" {
		b = append([]byte{0}, b...) // karalabe/hid adds the report ID itself there
	}
	if err := h.dead(); err != nil {
		return 0, err
	}
	if len(b) != 1+reportSize || b[0] != 0 {
		// A real key would see a shifted or truncated packet; failing loudly finds the bug.
		return 0, fmt.Errorf("softfido: write of %d bytes starting %#02x: want report ID 0 and a %d-byte report", len(b), b[0], reportSize)
	}
	a := h.a
	a.mu.Lock()
	defer a.mu.Unlock()
	if !a.plugged {
		return 0, errRemoved
	}
	a.writes++
	if a.faults.UnplugAtWrite > 0 && a.writes == a.faults.UnplugAtWrite {
		a.unplugLocked()
		return 0, errRemoved
	}
	a.receive(b[1:])
	return n, nil
}

// Read blocks until an input report arrives.
func (h *Handle) Read(b []byte) (int, error) { return h.ReadTimeout(b, -1) }

// ReadTimeout waits up to timeout milliseconds for an input report (-1: forever; 0: do not
// wait) and returns 0 bytes when none came, as hid_read_timeout does.
func (h *Handle) ReadTimeout(b []byte, timeout int) (int, error) {
	if err := h.dead(); err != nil {
		return 0, err
	}
	var p [reportSize]byte
	if timeout == 0 {
		select {
		case p = <-h.in:
		default:
			return 0, nil
		}
	} else {
		var expire <-chan time.Time
		if timeout > 0 {
			t := time.NewTimer(time.Duration(timeout) * time.Millisecond)
			defer t.Stop()
			expire = t.C
		}
		select {
		case <-h.gone:
			return 0, errRemoved
		case p = <-h.in:
		case <-expire:
			return 0, nil
		}
	}
	a := h.a
	a.mu.Lock()
	a.reads++
	if a.faults.UnplugAtRead > 0 && a.reads == a.faults.UnplugAtRead {
		a.unplugLocked()
		a.mu.Unlock()
		return 0, errRemoved
	}
	a.mu.Unlock()
	return copy(b, p[:]), nil
}

// GetFeatureReport is not used by FIDO keys.
func (h *Handle) GetFeatureReport([]byte) (int, error) {
	return 0, errors.New("softfido: FIDO keys have no feature reports")
}

// SendFeatureReport is not used by FIDO keys.
func (h *Handle) SendFeatureReport([]byte) (int, error) {
	return 0, errors.New("softfido: FIDO keys have no feature reports")
}
