package syncwire

// Push: the office sends office-owned records; the province answers each item on its own.

// HeaderSchema carries the sender's SchemaVersion; a server answers 426 to a client whose
// records it can no longer read.
const HeaderSchema = "Gdd-Schema"

// Push limits: a request larger than this is answered 413 and the office halves its batch.
const (
	MaxPushItems = 1000
	MaxPushBytes = 4 << 20
)

// PushRequest is one batch. Items are independent: a batch is only a way to send them.
type PushRequest struct {
	Items []PushItem `json:"items"`
}

// PushItem is one record version in its canonical encoding with the hash the office made.
type PushItem struct {
	Record []byte `json:"record"` // Encode(r)
	Hash   string `json:"hash"`   // Hash(Record)
}

// ItemStatus is the province's answer for one item.
type ItemStatus string

const (
	// Applied: stored now.
	Applied ItemStatus = "applied"
	// Duplicate: this version with this content was already stored; done.
	Duplicate ItemStatus = "duplicate"
	// Conflict: this version is stored with other content; the new body is quarantined for a
	// person. The office must not send this version again: a change is a new version.
	Conflict ItemStatus = "conflict"
	// Rejected: invalid (undecodable, another unit's, not office-owned); quarantined with the
	// reason. Sending it again changes nothing.
	Rejected ItemStatus = "rejected"
	// Retry: not taken this time (damaged on the way); send it again.
	Retry ItemStatus = "retry"
)

// Done reports whether the office can stop sending the item.
func (s ItemStatus) Done() bool { return s != Retry }

// PushResult answers one item, in the order of the request.
type PushResult struct {
	Index   int        `json:"index"`
	Kind    Kind       `json:"kind"`
	ID      string     `json:"id"`
	Version int64      `json:"version"`
	Status  ItemStatus `json:"status"`
	Reason  string     `json:"reason,omitempty"`
	// Attachments the record refers to, for applied and duplicate items.
	Attachments []AttachmentState `json:"attachments,omitempty"`
}

// PushResponse is the answer to a batch (HTTP 200 whatever the items' fates).
type PushResponse struct {
	Results []PushResult `json:"results"`
	// AuditReceipt, when the batch carried audit events, is the province's signed receipt of
	// the office's chain head as received so far.
	AuditReceipt *AuditReceipt `json:"audit_receipt,omitempty"`
}

// OfficeOwned reports whether offices write records of kind k (and so may push them).
func OfficeOwned(k Kind) bool {
	switch k {
	case KindApplication, KindPermit, KindAuditEvent, KindSigningKey, KindScanPage, KindOffice, KindSetting:
		return true
	case KindPurge:
		return true
	}
	return false
}
