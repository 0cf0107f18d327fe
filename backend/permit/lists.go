package permit

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// KeyKind says what a signature by a key means, so a verifier can say it: an office key
// means "this office's system issued the permit" (the paper's handwritten signature and red
// seal are what a leader vouches with); a token key means the named leader signed it.
type KeyKind string

// Key kinds. Their wire numbers are part of the list format: append only.
const (
	KeyKindOffice KeyKind = "office" // the office's own key (TPM, DPAPI or file)
	KeyKindFIDO   KeyKind = "fido"   // a leader's FIDO/U2F token
	KeyKindPKCS11 KeyKind = "pkcs11" // a leader's PKCS#11 certificate token (VNPT-CA and the like)
)

var keyKindWire = []KeyKind{"", KeyKindOffice, KeyKindFIDO, KeyKindPKCS11}

// Personal reports whether a signature by this kind of key is a person's act (a token),
// rather than the office system's.
func (k KeyKind) Personal() bool { return k == KeyKindFIDO || k == KeyKindPKCS11 }

func (k KeyKind) wire() uint64 {
	for i, v := range keyKindWire {
		if i > 0 && v == k {
			return uint64(i)
		}
	}
	return 0
}

// TrustEntry enrols one signing key: an office key or an officer's token.
type TrustEntry struct {
	KeyID        KeyID     `json:"key_id"`
	PublicKey    []byte    `json:"public_key"`              // SubjectPublicKeyInfo DER, P-256
	Kind         KeyKind   `json:"kind"`                    // what a signature by this key means
	Officer      string    `json:"officer"`                 // who holds the key (the office's name for an office key)
	OfficerTitle string    `json:"officer_title,omitempty"` // the holder's title, for a token
	UnitCode     string    `json:"unit_code"`               // the only unit whose permits the key may sign
	ValidFrom    time.Time `json:"valid_from"`              // permits must be issued and valid inside [ValidFrom, ValidTo]
	ValidTo      time.Time `json:"valid_to"`
	// MaxValidDays bounds a permit's validity window (both ends included) by the locality's
	// rules, so a stateless verifier enforces them too; 0 leaves only the format's limit.
	MaxValidDays int `json:"max_valid_days,omitempty"`
}

// KeyRevocation retires or revokes a key: every permit it signed stops verifying VALID.
// A key is retired this way, never by editing its end date.
type KeyRevocation struct {
	KeyID     KeyID     `json:"key_id"`
	Reason    string    `json:"reason"`
	RevokedAt time.Time `json:"revoked_at"`
}

// TrustList is the provincial list of enrolled keys. Sequence strictly increases from one
// list to the next; a verifier never goes back to a lower one, and refuses the list after
// ExpiresAt.
type TrustList struct {
	Sequence    uint64          `json:"sequence"`
	IssuedAt    time.Time       `json:"issued_at"`
	ExpiresAt   time.Time       `json:"expires_at"`
	Entries     []TrustEntry    `json:"entries"`
	RevokedKeys []KeyRevocation `json:"revoked_keys,omitempty"`
}

// RevocationEntry revokes one permit by its canonical number (see CanonicalNumber).
type RevocationEntry struct {
	Number    string    `json:"number"`
	Reason    string    `json:"reason"`
	RevokedAt time.Time `json:"revoked_at"`
	// RevokedBy says who, when known (a revocation pulled from the province's feed); it is not
	// part of the signed list's wire form.
	RevokedBy string `json:"revoked_by,omitempty"`
}

// RevocationList is the provincial list of revoked permits. It is bound to the trust list
// it was published with (TrustSequence), so an older revocation list cannot be paired with a
// newer trust list to hide a revocation.
type RevocationList struct {
	Sequence      uint64            `json:"sequence"`
	TrustSequence uint64            `json:"trust_sequence"`
	IssuedAt      time.Time         `json:"issued_at"`
	ExpiresAt     time.Time         `json:"expires_at"`
	Entries       []RevocationEntry `json:"entries"`
}

// Lookup returns the entry for kid.
func (tl *TrustList) Lookup(kid KeyID) (TrustEntry, bool) {
	if tl != nil {
		for _, e := range tl.Entries {
			if e.KeyID == kid {
				return e, true
			}
		}
	}
	return TrustEntry{}, false
}

// Lookup returns the revocation of permit number, spelled in any form CanonicalNumber reads.
func (rl *RevocationList) Lookup(number string) (RevocationEntry, bool) {
	if c, err := CanonicalNumber(number); err == nil {
		number = c
	}
	if rl != nil {
		for _, e := range rl.Entries {
			if e.Number == number {
				return e, true
			}
		}
	}
	return RevocationEntry{}, false
}

// KeyRevoked returns the revocation of key kid.
func (tl *TrustList) KeyRevoked(kid KeyID) (KeyRevocation, bool) {
	if tl != nil {
		for _, r := range tl.RevokedKeys {
			if r.KeyID == kid {
				return r, true
			}
		}
	}
	return KeyRevocation{}, false
}

// Wire forms; times are unix seconds. Unknown keys are refused when reading, so a field added
// later (a restriction, say) is never silently ignored by an old verifier.
type wireTrustEntry struct {
	KeyID        []byte `cbor:"1,keyasint"`
	PublicKey    []byte `cbor:"2,keyasint"`
	Officer      string `cbor:"3,keyasint"`
	UnitCode     string `cbor:"4,keyasint"`
	ValidFrom    int64  `cbor:"5,keyasint"`
	ValidTo      int64  `cbor:"6,keyasint"`
	Kind         uint64 `cbor:"7,keyasint"`
	OfficerTitle string `cbor:"8,keyasint,omitempty"`
	MaxValidDays uint64 `cbor:"9,keyasint,omitempty"`
}

type wireKeyRevocation struct {
	KeyID     []byte `cbor:"1,keyasint"`
	Reason    string `cbor:"2,keyasint"`
	RevokedAt int64  `cbor:"3,keyasint"`
}

type wireTrustList struct {
	IssuedAt    int64               `cbor:"1,keyasint"`
	Entries     []wireTrustEntry    `cbor:"2,keyasint"`
	Sequence    uint64              `cbor:"3,keyasint"`
	ExpiresAt   int64               `cbor:"4,keyasint"`
	RevokedKeys []wireKeyRevocation `cbor:"5,keyasint,omitempty"`
}

type wireRevocationEntry struct {
	Number    string `cbor:"1,keyasint"`
	Reason    string `cbor:"2,keyasint"`
	RevokedAt int64  `cbor:"3,keyasint"`
}

type wireRevocationList struct {
	IssuedAt      int64                 `cbor:"1,keyasint"`
	Entries       []wireRevocationEntry `cbor:"2,keyasint"`
	Sequence      uint64                `cbor:"3,keyasint"`
	TrustSequence uint64                `cbor:"4,keyasint"`
	ExpiresAt     int64                 `cbor:"5,keyasint"`
}

var errList = errors.New("invalid list")

// Validate checks that every entry is usable: the key parses as P-256, the key id is that
// key's, the kind is known, validity is an interval, and no key id appears twice; and that
// the list has a sequence number and an expiry after its issue time.
func (tl *TrustList) Validate() error {
	if err := checkListHeader("trust list", tl.Sequence, tl.IssuedAt, tl.ExpiresAt); err != nil {
		return err
	}
	seen := make(map[KeyID]bool, len(tl.Entries))
	for i, e := range tl.Entries {
		pub, err := parseP256(e.PublicKey)
		if err != nil {
			return fmt.Errorf("%w: trust entry %d: %w", errList, i, err)
		}
		if kid, _ := KeyIDOf(pub); kid != e.KeyID {
			return fmt.Errorf("%w: trust entry %d: key id %s, but the key's id is %s", errList, i, e.KeyID, kid)
		}
		if seen[e.KeyID] {
			return fmt.Errorf("%w: trust entry %d: key id %s listed twice", errList, i, e.KeyID)
		}
		seen[e.KeyID] = true
		if e.Kind.wire() == 0 {
			return fmt.Errorf("%w: trust entry %s: unknown key kind %q", errList, e.KeyID, e.Kind)
		}
		if e.UnitCode == "" {
			return fmt.Errorf("%w: trust entry %s: no unit code", errList, e.KeyID)
		}
		if e.ValidFrom.IsZero() || !e.ValidTo.After(e.ValidFrom) {
			return fmt.Errorf("%w: trust entry %s: validity %v..%v is empty", errList, e.KeyID, e.ValidFrom, e.ValidTo)
		}
		if e.MaxValidDays < 0 || e.MaxValidDays > maxValidDays+1 {
			return fmt.Errorf("%w: trust entry %s: max valid days %d out of range", errList, e.KeyID, e.MaxValidDays)
		}
	}
	revoked := make(map[KeyID]bool, len(tl.RevokedKeys))
	for i, r := range tl.RevokedKeys {
		if r.KeyID.IsZero() || r.RevokedAt.IsZero() {
			return fmt.Errorf("%w: key revocation %d: key id and time are required", errList, i)
		}
		if revoked[r.KeyID] {
			return fmt.Errorf("%w: key revocation %d: key id %s listed twice", errList, i, r.KeyID)
		}
		revoked[r.KeyID] = true
	}
	return nil
}

// Validate checks that every revocation names a permit in canonical form and a time, and
// that the list has a sequence number, the trust list it is bound to, and an expiry.
func (rl *RevocationList) Validate() error {
	if err := checkListHeader("revocation list", rl.Sequence, rl.IssuedAt, rl.ExpiresAt); err != nil {
		return err
	}
	if rl.TrustSequence == 0 {
		return fmt.Errorf("%w: revocation list is not bound to a trust list", errList)
	}
	for i, e := range rl.Entries {
		if e.Number == "" || e.RevokedAt.IsZero() {
			return fmt.Errorf("%w: revocation %d: number and time are required", errList, i)
		}
		if c, err := CanonicalNumber(e.Number); err != nil || c != e.Number {
			// A number spelled another way would revoke nothing, silently.
			return fmt.Errorf("%w: revocation %d: number %q is not in canonical form", errList, i, e.Number)
		}
	}
	return nil
}

func checkListHeader(what string, seq uint64, issued, expires time.Time) error {
	switch {
	case issued.IsZero():
		return fmt.Errorf("%w: %s has no issue time", errList, what)
	case seq == 0:
		return fmt.Errorf("%w: %s has no sequence number", errList, what)
	case !expires.After(issued):
		return fmt.Errorf("%w: %s expiry %v is not after its issue time %v", errList, what, expires, issued)
	}
	return nil
}

// SignTrustList validates tl and signs it with the provincial root key.
func SignTrustList(ctx context.Context, tl TrustList, root Signer) ([]byte, error) {
	if err := tl.Validate(); err != nil {
		return nil, fmt.Errorf("sign trust list: %w", err)
	}
	w := wireTrustList{IssuedAt: tl.IssuedAt.Unix(), Entries: make([]wireTrustEntry, len(tl.Entries)), Sequence: tl.Sequence, ExpiresAt: tl.ExpiresAt.Unix()}
	for i, e := range tl.Entries {
		w.Entries[i] = wireTrustEntry{KeyID: e.KeyID[:], PublicKey: e.PublicKey, Officer: e.Officer, UnitCode: e.UnitCode, ValidFrom: e.ValidFrom.Unix(), ValidTo: e.ValidTo.Unix(),
			Kind: e.Kind.wire(), OfficerTitle: e.OfficerTitle, MaxValidDays: uint64(e.MaxValidDays)}
	}
	for _, r := range tl.RevokedKeys {
		w.RevokedKeys = append(w.RevokedKeys, wireKeyRevocation{r.KeyID[:], r.Reason, r.RevokedAt.Unix()})
	}
	return signList(ctx, "trust list", aadTrust, w, root)
}

// SignRevocationList validates rl and signs it with the provincial root key.
func SignRevocationList(ctx context.Context, rl RevocationList, root Signer) ([]byte, error) {
	if err := rl.Validate(); err != nil {
		return nil, fmt.Errorf("sign revocation list: %w", err)
	}
	w := wireRevocationList{IssuedAt: rl.IssuedAt.Unix(), Entries: make([]wireRevocationEntry, len(rl.Entries)),
		Sequence: rl.Sequence, TrustSequence: rl.TrustSequence, ExpiresAt: rl.ExpiresAt.Unix()}
	for i, e := range rl.Entries {
		w.Entries[i] = wireRevocationEntry{e.Number, e.Reason, e.RevokedAt.Unix()}
	}
	return signList(ctx, "revocation list", aadRevocation, w, root)
}

func signList(ctx context.Context, what, aad string, w any, root Signer) ([]byte, error) {
	body, err := cborEnc.Marshal(w)
	if err != nil {
		return nil, fmt.Errorf("sign %s: %w", what, err)
	}
	out, err := signCOSE(ctx, root, aad, body)
	if err != nil {
		return nil, fmt.Errorf("sign %s: %w", what, err)
	}
	return out, nil
}

// ParseTrustList verifies a signed trust list against the pinned root key and decodes it.
func ParseTrustList(signed []byte, root crypto.PublicKey) (*TrustList, error) {
	var w wireTrustList
	if err := openList(signed, aadTrust, root, &w); err != nil {
		return nil, fmt.Errorf("trust list: %w", err)
	}
	tl := &TrustList{Sequence: w.Sequence, IssuedAt: unixUTC(w.IssuedAt), ExpiresAt: unixUTC(w.ExpiresAt), Entries: make([]TrustEntry, len(w.Entries))}
	for i, e := range w.Entries {
		if len(e.KeyID) != len(KeyID{}) {
			return nil, fmt.Errorf("trust list: %w: entry %d: key id has %d bytes", errList, i, len(e.KeyID))
		}
		var kind KeyKind
		if e.Kind < uint64(len(keyKindWire)) {
			kind = keyKindWire[e.Kind]
		}
		if e.MaxValidDays > maxValidDays+1 {
			return nil, fmt.Errorf("trust list: %w: entry %d: max valid days %d", errList, i, e.MaxValidDays)
		}
		tl.Entries[i] = TrustEntry{
			KeyID: KeyID(e.KeyID), PublicKey: e.PublicKey, Kind: kind, Officer: e.Officer, OfficerTitle: e.OfficerTitle, UnitCode: e.UnitCode,
			ValidFrom: unixUTC(e.ValidFrom), ValidTo: unixUTC(e.ValidTo), MaxValidDays: int(e.MaxValidDays),
		}
	}
	for i, r := range w.RevokedKeys {
		if len(r.KeyID) != len(KeyID{}) {
			return nil, fmt.Errorf("trust list: %w: key revocation %d: key id has %d bytes", errList, i, len(r.KeyID))
		}
		tl.RevokedKeys = append(tl.RevokedKeys, KeyRevocation{KeyID: KeyID(r.KeyID), Reason: r.Reason, RevokedAt: unixUTC(r.RevokedAt)})
	}
	if err := tl.Validate(); err != nil {
		return nil, fmt.Errorf("trust list: %w", err)
	}
	return tl, nil
}

// ParseRevocationList verifies a signed revocation list against the pinned root key and
// decodes it.
func ParseRevocationList(signed []byte, root crypto.PublicKey) (*RevocationList, error) {
	var w wireRevocationList
	if err := openList(signed, aadRevocation, root, &w); err != nil {
		return nil, fmt.Errorf("revocation list: %w", err)
	}
	rl := &RevocationList{Sequence: w.Sequence, TrustSequence: w.TrustSequence, IssuedAt: unixUTC(w.IssuedAt), ExpiresAt: unixUTC(w.ExpiresAt),
		Entries: make([]RevocationEntry, len(w.Entries))}
	for i, e := range w.Entries {
		rl.Entries[i] = RevocationEntry{Number: e.Number, Reason: e.Reason, RevokedAt: unixUTC(e.RevokedAt)}
	}
	if err := rl.Validate(); err != nil {
		return nil, fmt.Errorf("revocation list: %w", err)
	}
	return rl, nil
}

func unixUTC(s int64) time.Time { return time.Unix(s, 0).UTC() }

// openList checks the signature before decoding anything the root did not sign.
func openList(signed []byte, aad string, root crypto.PublicKey, dst any) error {
	pub, ok := root.(*ecdsa.PublicKey)
	if !ok {
		return fmt.Errorf("root key %T: want *ecdsa.PublicKey", root)
	}
	m, err := parseSign1(signed)
	if err != nil {
		return fmt.Errorf("%w: %w", errList, err)
	}
	if err := m.verify(aad, pub); err != nil {
		return fmt.Errorf("not signed by the pinned root key: %w", err)
	}
	if err := cborDec.Unmarshal(m.Payload, dst); err != nil {
		return fmt.Errorf("%w: %w", errList, err)
	}
	return nil
}

// BundleFormat names the trust bundle file format.
const BundleFormat = "gdd-trust-bundle/1"

// bundleFile is the file offices and verifiers import: both signed lists, base64 in JSON, plus
// the fingerprint of the root that signed them, so that a bundle for another province (or a
// rotated root) is refused with a clear message rather than a bare signature error.
type bundleFile struct {
	Format          string `json:"format"`
	RootFingerprint string `json:"root_fingerprint"` // hex SHA-256 of the root SubjectPublicKeyInfo DER
	TrustList       []byte `json:"trust_list"`       // COSE_Sign1, base64
	RevocationList  []byte `json:"revocation_list"`  // COSE_Sign1, base64
}

// BuildBundle signs both lists with the root key and returns the bundle file. rootPub is the
// root's public key (a token-held root may not expose it through Signer); it must match root.
func BuildBundle(ctx context.Context, tl TrustList, rl RevocationList, root Signer, rootPub crypto.PublicKey) ([]byte, error) {
	fp, err := Fingerprint(rootPub)
	if err != nil {
		return nil, fmt.Errorf("build trust bundle: root: %w", err)
	}
	if kid, _ := KeyIDOf(rootPub); kid != KeyID(root.KeyID()) {
		return nil, fmt.Errorf("build trust bundle: root public key %s does not belong to signer %s", kid, KeyID(root.KeyID()))
	}
	if rl.TrustSequence != tl.Sequence {
		return nil, fmt.Errorf("build trust bundle: revocation list bound to trust list %d, not %d", rl.TrustSequence, tl.Sequence)
	}
	t, err := SignTrustList(ctx, tl, root)
	if err != nil {
		return nil, fmt.Errorf("build trust bundle: %w", err)
	}
	r, err := SignRevocationList(ctx, rl, root)
	if err != nil {
		return nil, fmt.Errorf("build trust bundle: %w", err)
	}
	out, err := json.MarshalIndent(bundleFile{BundleFormat, fp, t, r}, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("build trust bundle: %w", err)
	}
	return append(out, '\n'), nil
}

// ParseBundle reads a bundle file and verifies both lists against the pinned root key.
func ParseBundle(data []byte, root crypto.PublicKey) (*TrustList, *RevocationList, error) {
	var f bundleFile
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, nil, fmt.Errorf("read trust bundle: %w", err)
	}
	if f.Format != BundleFormat {
		return nil, nil, fmt.Errorf("read trust bundle: format %q, want %q", f.Format, BundleFormat)
	}
	want, err := Fingerprint(root)
	if err != nil {
		return nil, nil, fmt.Errorf("read trust bundle: pinned root: %w", err)
	}
	if f.RootFingerprint != want {
		return nil, nil, fmt.Errorf("read trust bundle: signed for root %s, but the pinned root is %s", f.RootFingerprint, want)
	}
	tl, err := ParseTrustList(f.TrustList, root)
	if err != nil {
		return nil, nil, fmt.Errorf("read trust bundle: %w", err)
	}
	rl, err := ParseRevocationList(f.RevocationList, root)
	if err != nil {
		return nil, nil, fmt.Errorf("read trust bundle: %w", err)
	}
	if rl.TrustSequence != tl.Sequence {
		return nil, nil, fmt.Errorf("read trust bundle: %w: the revocation list goes with trust list %d, not %d", errList, rl.TrustSequence, tl.Sequence)
	}
	return tl, rl, nil
}

// VerifierState is what a verifier that keeps state remembers between runs: the highest list
// sequences it has accepted, so that it never goes back to older lists.
type VerifierState struct {
	TrustSequence      uint64 `json:"trust_sequence"`
	RevocationSequence uint64 `json:"revocation_sequence"`
}

// ErrOlderLists is returned for lists older than ones already accepted.
var ErrOlderLists = errors.New("lists older than the ones already accepted")

// Advance accepts tl and rl unless either goes back, and returns the state after them.
func (s VerifierState) Advance(tl *TrustList, rl *RevocationList) (VerifierState, error) {
	if tl.Sequence < s.TrustSequence || rl.Sequence < s.RevocationSequence {
		return s, fmt.Errorf("%w: trust list %d, revocation list %d; already seen %d and %d",
			ErrOlderLists, tl.Sequence, rl.Sequence, s.TrustSequence, s.RevocationSequence)
	}
	return VerifierState{TrustSequence: tl.Sequence, RevocationSequence: rl.Sequence}, nil
}
