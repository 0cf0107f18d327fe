package syncwire

import (
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// The attachments lane: files (scan pages, their thumbnails, token-signed PDFs) travel after
// the records, each named by its SHA-256 and sent whole, by HEAD/PUT BlobPath + hash.
const (
	BlobPath = "/v1/blobs/"
	// MaxBlobBytes bounds one attachment (a 200 dpi scanned A4 page is well under this).
	MaxBlobBytes = 32 << 20
	// BlobLanes is how many attachments an office sends at a time.
	BlobLanes = 2
)

// Attachments are the blobs a record refers to, by SHA-256 (hex, lower case), without
// repeats: what the office must send after it and what the province expects for it.
func Attachments(r Record) []string {
	var refs []string
	switch v := r.(type) {
	case *ScanPage:
		refs = []string{v.SHA256, v.ThumbSHA256}
	case *Permit:
		refs = []string{v.SignedPDF}
	}
	out := refs[:0]
	for _, h := range refs {
		if h != "" && !slices.Contains(out, h) {
			out = append(out, h)
		}
	}
	return out
}

// ValidBlobHash reports whether h is a SHA-256 in lower-case hex.
func ValidBlobHash(h string) bool {
	if len(h) != 64 || strings.ToLower(h) != h {
		return false
	}
	_, err := hex.DecodeString(h)
	return err == nil
}

// AttachmentState is one attachment a pushed record refers to, and whether the province has
// it yet.
type AttachmentState struct {
	SHA256  string `json:"sha256"`
	Present bool   `json:"present"`
}

// AuditReceipt is the province's signature over the head of an office's audit chain as far
// as the province has received and checked it: the office keeps it, and a local chain that
// no longer holds this hash at this seq was rewritten or cut after the sync.
type AuditReceipt struct {
	OfficeID    string `json:"office_id"`
	UnitCode    string `json:"unit_code"`
	Seq         int64  `json:"seq"`
	Hash        string `json:"hash"`
	SignedAt    string `json:"signed_at"`
	RootKeyHash string `json:"root_key_hash"`
	Signature   []byte `json:"signature"` // ASN.1 ECDSA over SHA-256(SignedBytes) by the root
}

// SignedBytes is what the signature covers: every field but the signature, one per line.
func (r AuditReceipt) SignedBytes() []byte {
	return []byte(fmt.Sprintf("gdd-audit-receipt/1\n%s\n%s\n%s\n%s\n%s\n%s\n",
		r.OfficeID, r.UnitCode, strconv.FormatInt(r.Seq, 10), r.Hash, r.SignedAt, r.RootKeyHash))
}
