package softfido

import (
	"fmt"
	"sync"

	"github.com/karalabe/hid"
)

// Bus is a USB bus with software keys on it. It has the shape of token.Bus, so the token hub
// runs the same code over it as over hidapi.
type Bus struct {
	mu   sync.Mutex
	keys []*Authenticator
	// Enumerations counts calls to Enumerate.
	enumerations int
}

// NewBus returns an empty bus.
func NewBus() *Bus { return &Bus{} }

// Attach connects a key to the bus and gives it a path. Unplug and Plug on the key then make
// it disappear from and reappear in Enumerate.
func (b *Bus) Attach(a *Authenticator) {
	b.mu.Lock()
	defer b.mu.Unlock()
	a.mu.Lock()
	a.path = fmt.Sprintf("softfido:%d", len(b.keys)+1)
	a.mu.Unlock()
	b.keys = append(b.keys, a)
}

// Enumerate lists the plugged-in keys matching vendorID and productID (0 matches any), as
// hid.Enumerate does. Like hidapi on Linux, it touches every device while doing so, which is
// counted in each key's Stats when the key is waiting for a touch.
func (b *Bus) Enumerate(vendorID, productID uint16) ([]hid.DeviceInfo, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.enumerations++
	var out []hid.DeviceInfo
	for _, a := range b.keys {
		a.mu.Lock()
		if a.plugged {
			if a.waiting {
				a.stats.EnumeratedWhileWaiting++
			}
			info := a.infoLocked()
			if (vendorID == 0 || vendorID == info.VendorID) && (productID == 0 || productID == info.ProductID) {
				out = append(out, info)
			}
		}
		a.mu.Unlock()
	}
	return out, nil
}

// Open opens the key at info.Path.
func (b *Bus) Open(info hid.DeviceInfo) (hid.Device, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, a := range b.keys {
		a.mu.Lock()
		path := a.path
		a.mu.Unlock()
		if path == info.Path {
			h, err := a.Open()
			if err != nil {
				return nil, fmt.Errorf("open %s: %w", info.Path, err)
			}
			return h, nil
		}
	}
	return nil, fmt.Errorf("open %s: %w", info.Path, errOpen)
}

// Enumerations returns how many times Enumerate was called.
func (b *Bus) Enumerations() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.enumerations
}
