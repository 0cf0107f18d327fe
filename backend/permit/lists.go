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

// TrustEntry enrols one signing key: an office key or an officer's token.
type TrustEntry struct {
	KeyID     KeyID     `json:"key_id"`
	PublicKey []byte    `json:"public_key"` // SubjectPublicKeyInfo DER, P-256
	Officer   string    `json:"officer"`    // who holds the key, for the verifier's screen
	UnitCode  string    `json:"unit_code"`  // the only unit whose permits the key may sign
	ValidFrom time.Time `json:"valid_from"` // the key may sign permits issued in [ValidFrom, ValidTo]
	ValidTo   time.Time `json:"valid_to"`
}

// TrustList is the provincial list of enrolled keys.
type TrustList struct {
	IssuedAt time.Time    `json:"issued_at"`
	Entries  []TrustEntry `json:"entries"`
}

// RevocationEntry revokes one permit by number.
type RevocationEntry struct {
	Number    string    `json:"number"`
	Reason    string    `json:"reason"`
	RevokedAt time.Time `json:"revoked_at"`
}

// RevocationList is the provincial list of revoked permits.
type RevocationList struct {
	IssuedAt time.Time         `json:"issued_at"`
	Entries  []RevocationEntry `json:"entries"`
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

// Lookup returns the revocation of permit number.
func (rl *RevocationList) Lookup(number string) (RevocationEntry, bool) {
	if rl != nil {
		for _, e := range rl.Entries {
			if e.Number == number {
				return e, true
			}
		}
	}
	return RevocationEntry{}, false
}

// Wire forms; times are unix seconds. Unknown keys are refused when reading, so a field added
// later (a restriction, say) is never silently ignored by an old verifier.
type wireTrustEntry struct {
	KeyID     []byte `cbor:"1,keyasint"`
	PublicKey []byte `cbor:"2,keyasint"`
	Officer   string `cbor:"3,keyasint"`
	UnitCode  string `cbor:"4,keyasint"`
	ValidFrom int64  `cbor:"5,keyasint"`
	ValidTo   int64  `cbor:"6,keyasint"`
}

type wireTrustList struct {
	IssuedAt int64            `cbor:"1,keyasint"`
	Entries  []wireTrustEntry `cbor:"2,keyasint"`
}

type wireRevocationEntry struct {
	Number    string `cbor:"1,keyasint"`
	Reason    string `cbor:"2,keyasint"`
	RevokedAt int64  `cbor:"3,keyasint"`
}

type wireRevocationList struct {
	IssuedAt int64                 `cbor:"1,keyasint"`
	Entries  []wireRevocationEntry `cbor:"2,keyasint"`
}

var errList = errors.New("invalid list")

// Validate checks that every entry is usable: the key parses as P-256, the key id is that
// key's, validity is an interval, and no key id appears twice.
func (tl *TrustList) Validate() error {
	if tl.IssuedAt.IsZero() {
		return fmt.Errorf("%w: trust list has no issue time", errList)
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
		if e.UnitCode == "" {
			return fmt.Errorf("%w: trust entry %s: no unit code", errList, e.KeyID)
		}
		if e.ValidFrom.IsZero() || !e.ValidTo.After(e.ValidFrom) {
			return fmt.Errorf("%w: trust entry %s: validity %v..%v is empty", errList, e.KeyID, e.ValidFrom, e.ValidTo)
		}
	}
	return nil
}

// Validate checks that every revocation names a permit and a time.
func (rl *RevocationList) Validate() error {
	if rl.IssuedAt.IsZero() {
		return fmt.Errorf("%w: revocation list has no issue time", errList)
	}
	for i, e := range rl.Entries {
		if e.Number == "" || e.RevokedAt.IsZero() {
			return fmt.Errorf("%w: revocation %d: number and time are required", errList, i)
		}
	}
	return nil
}

// SignTrustList validates tl and signs it with the provincial root key.
func SignTrustList(ctx context.Context, tl TrustList, root Signer) ([]byte, error) {
	if err := tl.Validate(); err != nil {
		return nil, fmt.Errorf("sign trust list: %w", err)
	}
	w := wireTrustList{IssuedAt: tl.IssuedAt.Unix(), Entries: make([]wireTrustEntry, len(tl.Entries))}
	for i, e := range tl.Entries {
		w.Entries[i] = wireTrustEntry{e.KeyID[:], e.PublicKey, e.Officer, e.UnitCode, e.ValidFrom.Unix(), e.ValidTo.Unix()}
	}
	return signList(ctx, "trust list", aadTrust, w, root)
}

// SignRevocationList validates rl and signs it with the provincial root key.
func SignRevocationList(ctx context.Context, rl RevocationList, root Signer) ([]byte, error) {
	if err := rl.Validate(); err != nil {
		return nil, fmt.Errorf("sign revocation list: %w", err)
	}
	w := wireRevocationList{IssuedAt: rl.IssuedAt.Unix(), Entries: make([]wireRevocationEntry, len(rl.Entries))}
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
	tl := &TrustList{IssuedAt: time.Unix(w.IssuedAt, 0).UTC(), Entries: make([]TrustEntry, len(w.Entries))}
	for i, e := range w.Entries {
		if len(e.KeyID) != len(KeyID{}) {
			return nil, fmt.Errorf("trust list: %w: entry %d: key id has %d bytes", errList, i, len(e.KeyID))
		}
		tl.Entries[i] = TrustEntry{
			KeyID: KeyID(e.KeyID), PublicKey: e.PublicKey, Officer: e.Officer, UnitCode: e.UnitCode,
			ValidFrom: time.Unix(e.ValidFrom, 0).UTC(), ValidTo: time.Unix(e.ValidTo, 0).UTC(),
		}
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
	rl := &RevocationList{IssuedAt: time.Unix(w.IssuedAt, 0).UTC(), Entries: make([]RevocationEntry, len(w.Entries))}
	for i, e := range w.Entries {
		rl.Entries[i] = RevocationEntry{Number: e.Number, Reason: e.Reason, RevokedAt: time.Unix(e.RevokedAt, 0).UTC()}
	}
	if err := rl.Validate(); err != nil {
		return nil, fmt.Errorf("revocation list: %w", err)
	}
	return rl, nil
}

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
	return tl, rl, nil
}
