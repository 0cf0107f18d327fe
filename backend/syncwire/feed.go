package syncwire

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Pull: province-owned records flow down to offices, one feed per kind of list, each read by
// a cursor the office keeps.

// Feed names one province-owned feed.
type Feed string

const (
	FeedUnits       Feed = "units"       // province-wide
	FeedAccounts    Feed = "accounts"    // accounts of the office's unit, and the roles
	FeedRules       Feed = "rules"       // the office's unit's locality rules
	FeedTrustList   Feed = "trust_list"  // province-wide
	FeedRevocations Feed = "revocations" // province-wide
)

// Feeds is every feed, in the order an office pulls them (accounts before rules, trust list
// before revocations).
var Feeds = []Feed{FeedUnits, FeedAccounts, FeedRules, FeedTrustList, FeedRevocations}

// Valid reports whether f is a known feed.
func (f Feed) Valid() bool {
	for _, g := range Feeds {
		if f == g {
			return true
		}
	}
	return false
}

// FeedOf is the feed a province-owned kind travels in ("" for office-owned kinds).
func FeedOf(k Kind) Feed {
	switch k {
	case KindUnit:
		return FeedUnits
	case KindAccount, KindRole:
		return FeedAccounts
	case KindRules:
		return FeedRules
	case KindTrustList:
		return FeedTrustList
	case KindRevocation:
		return FeedRevocations
	}
	return ""
}

// Pull limits.
const (
	DefaultPullLimit = 1000
	MaxPullLimit     = 5000
)

// FeedEntry is one record version in a feed: its canonical encoding and the province's
// signature over it.
type FeedEntry struct {
	Seq       int64  `json:"seq"`
	Record    []byte `json:"record"`    // Encode(r)
	Signature []byte `json:"signature"` // SignRecord over Record
	Deleted   bool   `json:"deleted,omitempty"`
}

// FeedPage is one answer of GET /v1/feeds/{feed}. Applying it and storing Cursor happen in
// one office transaction. Snapshot says the page is part of a snapshot read from the start
// (the office's cursor was empty); the last page of a snapshot has More false, and then what
// the office holds of this feed and was not in the snapshot is gone at the province.
type FeedPage struct {
	Feed     Feed        `json:"feed"`
	Epoch    string      `json:"epoch"`
	Entries  []FeedEntry `json:"entries"`
	Cursor   string      `json:"cursor"`
	More     bool        `json:"more"`
	Snapshot bool        `json:"snapshot"`
	Head     int64       `json:"head"`
}

// Gone reasons (HTTP 410): the office drops its cursor and pulls a snapshot.
const (
	GoneHorizon = "cursor_expired" // older than the tombstone horizon
	GoneEpoch   = "epoch_changed"  // the server's database was restored or replaced
)

// Cursor is a position in one feed of one server database (its epoch).
type Cursor struct {
	Epoch string
	Seq   int64
}

// String is the cursor's text form, EPOCH.SEQ.
func (c Cursor) String() string {
	if c.Epoch == "" {
		return ""
	}
	return c.Epoch + "." + strconv.FormatInt(c.Seq, 10)
}

// ParseCursor reads a cursor; "" is the start (a snapshot).
func ParseCursor(s string) (Cursor, error) {
	if s == "" {
		return Cursor{}, nil
	}
	i := strings.LastIndexByte(s, '.')
	if i <= 0 {
		return Cursor{}, fmt.Errorf("cursor %q: want EPOCH.SEQ", s)
	}
	seq, err := strconv.ParseInt(s[i+1:], 10, 64)
	if err != nil || seq < 0 {
		return Cursor{}, fmt.Errorf("cursor %q: bad sequence", s)
	}
	return Cursor{Epoch: s[:i], Seq: seq}, nil
}

// signContext separates feed signatures from every other use of the provincial key.
const signContext = "giaydiduong feed record v1\x00"

func recordDigest(record []byte) []byte {
	h := sha256.New()
	h.Write([]byte(signContext))
	h.Write(record)
	return h.Sum(nil)
}

// SignRecord signs a record's canonical encoding with a provincial key (ECDSA P-256).
func SignRecord(key crypto.Signer, record []byte) ([]byte, error) {
	sig, err := key.Sign(rand.Reader, recordDigest(record), crypto.SHA256)
	if err != nil {
		return nil, fmt.Errorf("sign record: %w", err)
	}
	return sig, nil
}

// ErrBadSignature: a feed record is not signed by the province.
var ErrBadSignature = errors.New("the record is not signed by the provincial key")

// VerifyRecord checks SignRecord's signature with the province's public key.
func VerifyRecord(pub crypto.PublicKey, record, sig []byte) error {
	k, ok := pub.(*ecdsa.PublicKey)
	if !ok {
		return fmt.Errorf("verify record: unsupported key %T", pub)
	}
	if !ecdsa.VerifyASN1(k, recordDigest(record), sig) {
		return ErrBadSignature
	}
	return nil
}

// OpenEntry checks an entry's signature and decodes its record.
func OpenEntry(pub crypto.PublicKey, e FeedEntry) (Record, error) {
	if err := VerifyRecord(pub, e.Record, e.Signature); err != nil {
		return nil, err
	}
	return Decode(e.Record)
}
