// Package syncwire is the wire form of every record the office and the province exchange:
// explicit Go types, independent of any database row, each with a schema version and one
// canonical encoding, so the same record always has the same bytes and the same content hash
// on both sides.
//
// The encoding is CBOR in RFC 8949 "core deterministic" form (fxamacker/cbor's
// CoreDetEncOptions: shortest integers, map keys sorted bytewise, no indefinite lengths).
// A record is a map keyed by the field names in its json tags. Every field is always
// present (no omitempty), so a field's absence never means anything. Times travel as RFC 3339
// text in UTC with nanoseconds (Time), so no encoder's choice of time format enters the hash.
// Nothing here imports the office's app or store: the provincial server links it as is.
package syncwire

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/fxamacker/cbor/v2"
)

// SchemaVersion is the version of the record shapes in this package. A change that a reader
// of the previous version cannot decode must raise it.
const SchemaVersion = 1

// Kind names a record type on the wire (and the entity in the outbox and the audit log).
type Kind string

// Office-owned records: the office is their only writer.
const (
	KindApplication Kind = "application"
	KindPermit      Kind = "permit"
	KindAuditEvent  Kind = "audit_event"
	KindSigningKey  Kind = "signing_key" // a signing-key request for the trust list
	KindScanPage    Kind = "scan_page"
	KindOffice      Kind = "office"
	KindSetting     Kind = "setting"
)

// Province-owned records: they flow down to offices.
const (
	KindUnit       Kind = "unit"
	KindAccount    Kind = "user" // the audit log and outbox have always called accounts "user"
	KindRole       Kind = "role"
	KindRules      Kind = "rules"
	KindTrustList  Kind = "trust_list"
	KindRevocation Kind = "revocation"
)

// Record is one version of one record.
type Record interface {
	// Key is what identifies this version: its kind, id and version.
	Key() (kind Kind, id string, version int64)
}

// envelope is what is encoded: the record with its kind, id, version and schema.
type envelope struct {
	Schema  int             `json:"schema"`
	Kind    Kind            `json:"kind"`
	ID      string          `json:"id"`
	Version int64           `json:"version"`
	Body    cbor.RawMessage `json:"body"`
}

var (
	encMode cbor.EncMode
	decMode cbor.DecMode
)

func init() {
	var err error
	if encMode, err = cbor.CoreDetEncOptions().EncMode(); err != nil {
		panic(err) // fixed options
	}
	// Duplicate keys could make two readers see two different records in the same bytes.
	if decMode, err = (cbor.DecOptions{DupMapKey: cbor.DupMapKeyEnforcedAPF, IndefLength: cbor.IndefLengthForbidden}).DecMode(); err != nil {
		panic(err)
	}
}

// Encode is the canonical encoding of a record.
func Encode(r Record) ([]byte, error) {
	kind, id, version := r.Key()
	body, err := encMode.Marshal(r)
	if err != nil {
		return nil, fmt.Errorf("encode %s %s: %w", kind, id, err)
	}
	out, err := encMode.Marshal(envelope{Schema: SchemaVersion, Kind: kind, ID: id, Version: version, Body: body})
	if err != nil {
		return nil, fmt.Errorf("encode %s %s: %w", kind, id, err)
	}
	return out, nil
}

// Hash is the content hash of an encoded record: SHA-256 over its canonical bytes, hex.
func Hash(encoded []byte) string {
	sum := sha256.Sum256(encoded)
	return hex.EncodeToString(sum[:])
}

// ContentHash encodes r and hashes it.
func ContentHash(r Record) (string, error) {
	b, err := Encode(r)
	if err != nil {
		return "", err
	}
	return Hash(b), nil
}

// ErrNotCanonical says the bytes decode but are not the canonical encoding of what they hold,
// so their hash would not be the record's.
var ErrNotCanonical = errors.New("record is not in canonical encoding")

// Decode reads a record encoded by Encode, refusing a newer schema, an unknown kind, and any
// encoding that is not the canonical one.
func Decode(b []byte) (Record, error) {
	var env envelope
	if err := decMode.Unmarshal(b, &env); err != nil {
		return nil, fmt.Errorf("decode record: %w", err)
	}
	if env.Schema > SchemaVersion || env.Schema < 1 {
		return nil, fmt.Errorf("decode record: schema %d, this build reads up to %d", env.Schema, SchemaVersion)
	}
	r, err := newRecord(env.Kind)
	if err != nil {
		return nil, err
	}
	if err := decMode.Unmarshal(env.Body, r); err != nil {
		return nil, fmt.Errorf("decode %s %s: %w", env.Kind, env.ID, err)
	}
	if kind, id, version := r.Key(); kind != env.Kind || id != env.ID || version != env.Version {
		return nil, fmt.Errorf("decode %s %s: envelope says %s %s v%d, body %s %s v%d", env.Kind, env.ID, env.Kind, env.ID, env.Version, kind, id, version)
	}
	again, err := Encode(r)
	if err != nil {
		return nil, err
	}
	if string(again) != string(b) {
		return nil, fmt.Errorf("decode %s %s: %w", env.Kind, env.ID, ErrNotCanonical)
	}
	return r, nil
}

// Time is how a time travels: RFC 3339 in UTC with nanoseconds; "" for none.
func Time(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

// TimePtr is Time for an optional time.
func TimePtr(t *time.Time) string {
	if t == nil {
		return ""
	}
	return Time(*t)
}

// ParseTime reads a Time back.
func ParseTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	return time.Parse(time.RFC3339Nano, s)
}

func newRecord(k Kind) (Record, error) {
	switch k {
	case KindApplication:
		return &Application{}, nil
	case KindPermit:
		return &Permit{}, nil
	case KindAuditEvent:
		return &AuditEvent{}, nil
	case KindSigningKey:
		return &SigningKeyRequest{}, nil
	case KindScanPage:
		return &ScanPage{}, nil
	case KindOffice:
		return &Office{}, nil
	case KindSetting:
		return &Setting{}, nil
	case KindUnit:
		return &Unit{}, nil
	case KindAccount:
		return &Account{}, nil
	case KindRole:
		return &Role{}, nil
	case KindRules:
		return &Rules{}, nil
	case KindTrustList:
		return &TrustList{}, nil
	case KindRevocation:
		return &Revocation{}, nil
	case KindPurge:
		return &Purge{}, nil
	}
	return nil, fmt.Errorf("decode record: unknown kind %q", k)
}

// KeyOf reads the kind, id and version from an encoded record's envelope, without checking
// the body.
func KeyOf(b []byte) (Kind, string, int64, error) {
	var env envelope
	if err := decMode.Unmarshal(b, &env); err != nil {
		return "", "", 0, fmt.Errorf("decode record: %w", err)
	}
	return env.Kind, env.ID, env.Version, nil
}
