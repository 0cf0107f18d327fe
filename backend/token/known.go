package token

// knownFIDO lists vendors and products of FIDO keys, for systems where hidapi does not report
// the usage page (hidapi's libusb backend reads it from the report descriptor, which is not
// always possible). A match is only a candidate: the hub confirms it with CTAPHID_INIT, since
// several of these vendors also make non-FIDO HID devices. Product 0 matches any product.
var knownFIDO = []struct {
	vendor, product uint16
	model           string
}{
	{0x1050, 0, "YubiKey"},             // Yubico
	{0x096e, 0, "Feitian"},             // Feitian, incl. ePass FIDO and OEM keys
	{0x0483, 0xa2ca, "SoloKey"},        // SoloKeys Solo (on an STMicro id)
	{0x1209, 0x5070, "SoloKey"},        // SoloKeys on pid.codes
	{0x1209, 0xbeee, "SoloKey 2"},      // SoloKeys Solo 2
	{0x18d1, 0x5026, "Google Titan"},   // Google Titan Security Key
	{0x20a0, 0x42b1, "Nitrokey FIDO2"}, // Nitrokey FIDO2
	{0x20a0, 0x42b2, "Nitrokey 3"},     // Nitrokey 3
	{0x1ea8, 0, "Thetis"},              // Excelsecu, maker of Thetis keys
	{0x2ccf, 0, "HyperFIDO"},           // Hypersecu
	{0x1d50, 0x60fc, "OnlyKey"},        // OnlyKey on OpenMoko's id
}

// KnownFIDO reports whether vendor and product belong to a known FIDO key, and its family.
func KnownFIDO(vendor, product uint16) (model string, ok bool) {
	for _, k := range knownFIDO {
		if k.vendor == vendor && (k.product == 0 || k.product == product) {
			return k.model, true
		}
	}
	return "", false
}
