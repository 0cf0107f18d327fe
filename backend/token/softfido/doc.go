// Package softfido is a software FIDO security key: the device side of CTAPHID, U2F and CTAP2
// (with PIN protocol 1) behind karalabe/hid's hid.Device, so tests and the demo mode run the
// same client code, from the hid.Device boundary up, as a real key plugged into the office PC.
//
// An Authenticator keeps what a key keeps in flash (master key, attestation key, signature
// counter, PIN hash and retries, credential list) in a JSON file, mode 0600, in the directory
// it is given, so enrolling and signing in two processes use the same credential. Credential
// ids wrap the private key with the master key, as U2F keys do.
//
// Touches are simulated by Touch or a Presence policy. Faults make it misbehave the way real
// keys and USB do: pulled out mid-transfer, traffic for other channels, extra keepalives,
// out-of-sequence packets, requests that are never answered. A Bus lists attached keys for
// the token hub, the way hid.Enumerate lists real ones.
//
// It is written apart from package ctaphid (its own framing, CBOR structures and PIN
// arithmetic), so that a test through both is not a test of one implementation against itself.
package softfido
