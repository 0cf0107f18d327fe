package syncclient

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"giaydiduong/backend/syncpack"
	"giaydiduong/backend/syncwire"
)

// RetryLater is a whole-batch refusal to wait out: the server is overloaded (429) or could not
// store the batch (503). After is its Retry-After, which the office honours.
type RetryLater struct {
	Status int
	After  time.Duration
}

func (e *RetryLater) Error() string {
	return fmt.Sprintf("the provincial server asked to retry in %s (HTTP %d)", e.After, e.Status)
}

// defaultRetryAfter is used when the server gave no Retry-After.
const defaultRetryAfter = 30 * time.Second

// Push sends items and returns one result per item, in order. A batch the server finds too
// large (413) is halved and each half sent, down to single items. Any other whole-request
// refusal is returned as an error (RetryLater for 429/503, ServerError otherwise) and the
// items stay to be sent again: every item is idempotent.
func (c *Client) Push(ctx context.Context, items []syncwire.PushItem) ([]syncwire.PushResult, error) {
	if len(items) == 0 {
		return nil, nil
	}
	results, err := c.pushOnce(ctx, items)
	if se, ok := err.(*ServerError); ok && se.Status == http.StatusRequestEntityTooLarge && len(items) > 1 {
		half := len(items) / 2
		first, err := c.Push(ctx, items[:half])
		if err != nil {
			return nil, err
		}
		second, err := c.Push(ctx, items[half:])
		if err != nil {
			return nil, err
		}
		for i := range second {
			second[i].Index += half
		}
		return append(first, second...), nil
	}
	return results, err
}

func (c *Client) pushOnce(ctx context.Context, items []syncwire.PushItem) ([]syncwire.PushResult, error) {
	if !c.jsonPush.Load() {
		results, err := c.pushCompact(ctx, items)
		var se *ServerError
		if errors.As(err, &se) && (se.Status == http.StatusUnsupportedMediaType || se.Status == http.StatusBadRequest) {
			// A server older than the compact body: JSON from now on, for this client.
			c.jsonPush.Store(true)
		} else {
			return results, err
		}
	}
	body, err := json.Marshal(syncwire.PushRequest{Items: items})
	if err != nil {
		return nil, fmt.Errorf("encode batch: %w", err)
	}
	resp, err := c.postPush(ctx, body, "application/json", "")
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	counted := &countingReader{r: resp.Body}
	resp.Body = io.NopCloser(counted)
	defer func() { c.Wire.Received.Add(counted.n) }()
	var out syncwire.PushResponse
	if err := decodeAnswer(resp, &out); err != nil {
		return nil, err
	}
	c.receipts.add(out.AuditReceipt)
	if len(out.Results) != len(items) {
		return nil, fmt.Errorf("the server answered %d results for %d items", len(out.Results), len(items))
	}
	for i, r := range out.Results {
		if r.Index != i {
			return nil, fmt.Errorf("the server's results are out of order at %d", i)
		}
	}
	return out.Results, nil
}

// pushCompact sends the batch as zstd CBOR (syncwire.PushBatch). The answer names no record:
// status i answers item i, whose kind, id and version the office knows; the batch digest
// tells the server it read exactly these records in this order.
func (c *Client) pushCompact(ctx context.Context, all []syncwire.PushItem) ([]syncwire.PushResult, error) {
	// An item whose bytes no longer match its hash (damaged where the office keeps it) would
	// fail the whole batch's digest: it is answered "retry" here, as the JSON body's server
	// answers it, and the others go.
	out := make([]syncwire.PushResult, len(all))
	var items []syncwire.PushItem
	var at []int
	for i, it := range all {
		if syncwire.Hash(it.Record) != it.Hash {
			kind, id, version, _ := syncwire.KeyOf(it.Record)
			out[i] = syncwire.PushResult{Index: i, Kind: kind, ID: id, Version: version, Status: syncwire.Retry, Reason: "the record's bytes do not match its hash: send it again"}
			continue
		}
		items, at = append(items, it), append(at, i)
	}
	if len(items) == 0 {
		return out, nil
	}
	batch, order, err := syncpack.Pack(items)
	if err != nil {
		return nil, fmt.Errorf("encode batch: %w", err)
	}
	body, err := syncwire.MarshalCompressed(batch)
	if err != nil {
		return nil, fmt.Errorf("encode batch: %w", err)
	}
	resp, err := c.postPush(ctx, body, syncwire.MediaPushCBOR, syncwire.EncodingZstd)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != syncwire.MediaPushCBOR {
		var ignored struct{}
		if err := decodeAnswer(resp, &ignored); err != nil {
			return nil, err
		}
		return nil, fmt.Errorf("the server answered %s to a compact batch", resp.Header.Get("Content-Type"))
	}
	var ans syncwire.PushAnswer
	counted := &countingReader{r: resp.Body}
	if err := syncwire.UnmarshalCompressed(counted, syncwire.MaxPushBytes, &ans); err != nil {
		return nil, fmt.Errorf("read the server's answer: %w", err)
	}
	c.Wire.Received.Add(counted.n)
	c.receipts.add(ans.AuditReceipt)
	if len(ans.Status) != len(items) {
		return nil, fmt.Errorf("the server answered %d results for %d items", len(ans.Status), len(items))
	}
	for j, code := range ans.Status {
		st, err := syncwire.StatusOfCode(code)
		if err != nil {
			return nil, err
		}
		// A record that does not decode has no key: it is answered "rejected" anyway.
		i := at[order[j]]
		kind, id, version, _ := syncwire.KeyOf(all[i].Record)
		out[i] = syncwire.PushResult{Index: i, Kind: kind, ID: id, Version: version, Status: st, Reason: ans.Reasons[j], Attachments: ans.Attachments[j]}
	}
	return out, nil
}

func (c *Client) postPush(ctx context.Context, body []byte, contentType, encoding string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base.JoinPath("/v1/push").String(), bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", contentType)
	if encoding != "" {
		req.Header.Set("Content-Encoding", encoding)
	}
	req.Header.Set(syncwire.HeaderSchema, strconv.Itoa(syncwire.SchemaVersion))
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("reach the provincial server: %w", err)
	}
	c.Wire.Sent.Add(int64(len(body)))
	if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable {
		resp.Body.Close()
		after := defaultRetryAfter
		if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && s >= 0 {
			after = time.Duration(s) * time.Second
		}
		return nil, &RetryLater{Status: resp.StatusCode, After: after}
	}
	return resp, nil
}

// WireCount is what a client has put on and taken off the wire in request and response
// bodies (not TLS or HTTP framing), for the sync panel's progress and the benchmarks.
type WireCount struct {
	Sent, Received atomic.Int64
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// Item makes a push item from a record.
func Item(r syncwire.Record) (syncwire.PushItem, error) {
	b, err := syncwire.Encode(r)
	if err != nil {
		return syncwire.PushItem{}, err
	}
	return syncwire.PushItem{Record: b, Hash: syncwire.Hash(b)}, nil
}

// PreferJSON makes the client send the JSON body, as clients did before the compact one
// (the benchmarks' baseline; a province that misreads the compact body).
func (c *Client) PreferJSON() { c.jsonPush.Store(true) }
