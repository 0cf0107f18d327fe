// Package permit is the signed QR payload of a travel permit: its codec, its signers, the
// provincial trust and revocation lists, and offline verification. Every surface (desktop,
// gddctl, provincial server) verifies through Verify, so there is one set of rules.
//
// # QR text
//
//	"GDD1:" + base45( COSE_Sign1( CBOR payload ) )
//
// The payload is a CBOR map with small integer keys in core deterministic encoding; empty
// optional fields are left out (see wirePayload for the keys). Names and places use a packed
// Vietnamese text codec (vntext.go) because UTF-8 does not fit the size target; the permit
// number, purpose and unit code have compact integer forms. The COSE_Sign1 is untagged,
// with protected header {1: -7} (ES256) and external AAD "GDD1". The signer's key id is in
// the payload, so it is signed without being repeated in a header. base45 (RFC 9285) uses
// exactly the QR alphanumeric characters, so the whole text encodes in alphanumeric mode.
// The text may contain spaces, including at its end: surfaces must not trim it.
//
// Decoding is strict: anything Encode could not have written (other CBOR spellings, extra
// fields, a high-S signature) is MALFORMED or BAD_SIGNATURE, so one permit has exactly one
// valid text and an altered text never verifies.
//
// # Signers
//
// A Signer returns an ES256 signature (r||s) over the COSE Sig_structure bytes it is given.
//
//   - SoftwareSigner: a P-256 key in memory or a 0600 PKCS#8 file (the demo root; the office
//     key where the PC has no TPM, see backend/officekey, which also signs through the TPM).
//   - PKCS#11 tokens (VNPT-CA, Viettel-CA and the like): implement Sign by hashing the message
//     with SHA-256 and calling C_Sign with CKM_ECDSA, which returns r||s. RSA-only tokens cannot
//     sign GDD1 permits; they still sign the PDF.
//   - FIDO/U2F keys over HID sign authenticatorData || clientDataHash, never a caller's bytes.
//     They implement FramedSigner: SignFramed sends clientDataHash = SHA-256(message) for the
//     relying party FIDORelyingPartyID and returns the signature with a Frame holding scheme
//     FrameFIDO and the authenticatorData. Encode puts the frame in the COSE unprotected
//     header (label -65537, [scheme, authenticatorData minus its first 32 bytes]); a verifier rebuilds
//     authenticatorData || SHA-256(Sig_structure), checks the relying party hash and the user
//     presence flag, and verifies ES256 over that. The relying party hash is not sent (the
//     verifier knows it), so the frame costs about 20 QR characters.
//
// New schemes (WebAuthn with clientDataJSON, say) get a new FrameScheme value; old verifiers
// report them MALFORMED rather than accept what they cannot check.
//
// # Lists
//
// The trust list (key id -> key, kind, officer, unit, validity, max days; plus revoked key
// ids) and the revocation list (canonical permit number -> reason, time) are each a
// COSE_Sign1 by the provincial root key, with external AAD "GDD-TL1" and "GDD-RL1" so neither
// can pass for the other or for a permit. Each carries a sequence number, strictly increasing
// from one list to the next, and an expiry; the revocation list names the sequence of the trust
// list it was published with, and ParseBundle refuses a pair that does not match. BuildBundle and
// ParseBundle read and write the file verifiers import: JSON with both lists in base64 and
// the root key's fingerprint. Verifiers pin the root public key; a bundle signed by any other
// key is refused.
//
// # Verification
//
// Verify decides, in order: MALFORMED, LISTS_EXPIRED (a list past its expiry vouches for
// nothing), UNKNOWN_SIGNER, BAD_SIGNATURE (also when the permit is not inside its key's
// enrolment: issue time, first and last day, unit, maximum days), REVOKED (the permit, or its
// key), NOT_YET_VALID (also an issue time beyond MaxClockSkew in the future), EXPIRED, VALID.
// CheckIssue applies the same key rules before signing. A permit number is
// "<unit>/<yyyy>/<nnnnnn>" of the payload's unit (CanonicalNumber), so the compact number form
// is always used and a free-text number is MALFORMED. Validity is by whole calendar days in VietnamTime; valid_to is inclusive.
// A changed byte inside the key id gives UNKNOWN_SIGNER, since no key is found to check the
// signature with; every other single-byte change gives BAD_SIGNATURE or MALFORMED.
package permit
