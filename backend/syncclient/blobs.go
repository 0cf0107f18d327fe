package syncclient

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"time"

	"giaydiduong/backend/pki"
	"giaydiduong/backend/syncwire"
)

// ErrBlobMismatch is the province's answer to an attachment whose bytes did not hash to its
// name on arrival (damaged on the way): the office sends it again, whole.
var ErrBlobMismatch = errors.New("the province received the attachment damaged (hash mismatch)")

// HasBlob asks whether the province holds the attachment already (HEAD).
func (c *Client) HasBlob(ctx context.Context, sha string) (bool, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodHead, c.base.JoinPath(syncwire.BlobPath, sha).String(), nil)
	if err != nil {
		return false, err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return false, fmt.Errorf("reach the provincial server: %w", err)
	}
	defer resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusOK:
		return true, nil
	case http.StatusNotFound:
		return false, nil
	}
	return false, statusError(resp)
}

// PutBlob sends an attachment whole (PUT). The province checks its hash: ErrBlobMismatch when
// it arrived damaged. Sending one the province holds already is fine (idempotent).
func (c *Client) PutBlob(ctx context.Context, sha string, data []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, c.base.JoinPath(syncwire.BlobPath, sha).String(), bytes.NewReader(data))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/octet-stream")
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("reach the provincial server: %w", err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	switch resp.StatusCode {
	case http.StatusOK, http.StatusCreated:
		return nil
	case http.StatusUnprocessableEntity:
		return ErrBlobMismatch
	}
	return statusError(resp)
}

// statusError turns a refusal into RetryLater (429/503) or a ServerError.
func statusError(resp *http.Response) error {
	if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable {
		after := defaultRetryAfter
		if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && s >= 0 {
			after = time.Duration(s) * time.Second
		}
		return &RetryLater{Status: resp.StatusCode, After: after}
	}
	var out struct{}
	if err := decodeAnswer(resp, &out); err != nil {
		return err
	}
	return &ServerError{Status: resp.StatusCode}
}

// BlobHash is how an attachment is named: its SHA-256 in hex.
func BlobHash(data []byte) string {
	s := sha256.Sum256(data)
	return hex.EncodeToString(s[:])
}

// receiptBox collects the audit receipts pushes bring back.
type receiptBox struct {
	mu   sync.Mutex
	list []syncwire.AuditReceipt
}

func (b *receiptBox) add(r *syncwire.AuditReceipt) {
	if r == nil {
		return
	}
	b.mu.Lock()
	b.list = append(b.list, *r)
	b.mu.Unlock()
}

// TakeReceipts returns and forgets the audit receipts the pushes so far brought back.
func (c *Client) TakeReceipts() []syncwire.AuditReceipt {
	c.receipts.mu.Lock()
	defer c.receipts.mu.Unlock()
	out := c.receipts.list
	c.receipts.list = nil
	return out
}

// VerifyReceipt checks that a receipt is for this office and signed by the pinned root.
func (c *Client) VerifyReceipt(r syncwire.AuditReceipt) error {
	if r.OfficeID != c.Identity.OfficeID {
		return fmt.Errorf("the audit receipt names office %s, not this office %s", r.OfficeID, c.Identity.OfficeID)
	}
	h, err := pki.KeyHash(c.root.PublicKey)
	if err != nil {
		return err
	}
	if r.RootKeyHash != h {
		return errors.New("the audit receipt is not signed by this office's provincial root")
	}
	return pki.VerifyRootSignature(c.root.PublicKey, r.SignedBytes(), r.Signature)
}
