// Package ctaphid talks to FIDO security keys over USB HID: the CTAPHID transport (FIDO
// Client to Authenticator Protocol, section 11.2 "USB Human Interface Device"), U2F raw
// messages over CTAPHID_MSG, and CTAP2 over CTAPHID_CBOR, including PIN protocol 1.
//
// # Transport
//
// Every report is 64 bytes. A message is one initialisation packet
//
//	CID(4) CMD|0x80(1) BCNTH(1) BCNTL(1) DATA(57)
//
// followed by continuation packets
//
//	CID(4) SEQ(1, 0..127) DATA(59)
//
// so a message holds at most 57 + 128*59 = 7609 bytes. hidapi wants the report ID in front
// of every write; FIDO keys have no numbered reports, so that byte is 0 and 65 bytes are
// written. karalabe/hid adds it itself on Windows only, which is why the prefix depends on
// the platform (see writeWithReportID).
//
// A Device owns one channel, allocated with CTAPHID_INIT on the broadcast channel and an
// 8-byte nonce. Input reports reach every handle that has the key open, so frames for other
// channels and INIT answers carrying another nonce are expected and ignored. While the key
// works or waits for a touch it sends KEEPALIVE frames; status 2 (user presence needed) is
// when the UI asks the officer to touch the key. Cancelling the context of a CBOR request
// sends CTAPHID_CANCEL. A read or write error means the key was pulled out: ErrDeviceRemoved.
//
// # Protocols
//
// U2F (CTAP1) REGISTER and AUTHENTICATE are ISO 7816-4 extended-length APDUs; a key answers
// SW 0x6985 until it is touched, so the client polls. CTAP2 commands are a command byte and
// a CBOR map with integer keys in CTAP2 canonical form; the answer is a status byte and a map.
package ctaphid
