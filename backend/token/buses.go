package token

import (
	"errors"
	"fmt"

	"github.com/karalabe/hid"
)

// Buses joins several buses into one: the PC's HID bus and, in the demo, a bus with the
// software key on it. Paths are the buses' own; each bus opens only what it enumerated.
type Buses []Bus

// Enumerate lists the devices of every bus. One failing bus does not hide the others.
func (bs Buses) Enumerate(vendorID, productID uint16) ([]hid.DeviceInfo, error) {
	var out []hid.DeviceInfo
	var errs []error
	for _, b := range bs {
		infos, err := b.Enumerate(vendorID, productID)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		out = append(out, infos...)
	}
	if len(errs) == len(bs) && len(bs) > 0 {
		return nil, errors.Join(errs...)
	}
	return out, nil
}

// Open opens the device on the first bus that can: each bus refuses paths it does not
// know, and opening does not enumerate (which would touch every device again).
func (bs Buses) Open(info hid.DeviceInfo) (hid.Device, error) {
	var errs []error
	for _, b := range bs {
		d, err := b.Open(info)
		if err == nil {
			return d, nil
		}
		errs = append(errs, err)
	}
	return nil, fmt.Errorf("open HID device %s: %w", info.Path, errors.Join(errs...))
}
