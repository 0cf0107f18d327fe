package syncclient

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"

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
	body, err := json.Marshal(syncwire.PushRequest{Items: items})
	if err != nil {
		return nil, fmt.Errorf("encode batch: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base.JoinPath("/v1/push").String(), bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(syncwire.HeaderSchema, strconv.Itoa(syncwire.SchemaVersion))
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("reach the provincial server: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable {
		after := defaultRetryAfter
		if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && s >= 0 {
			after = time.Duration(s) * time.Second
		}
		return nil, &RetryLater{Status: resp.StatusCode, After: after}
	}
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

// Item makes a push item from a record.
func Item(r syncwire.Record) (syncwire.PushItem, error) {
	b, err := syncwire.Encode(r)
	if err != nil {
		return syncwire.PushItem{}, err
	}
	return syncwire.PushItem{Record: b, Hash: syncwire.Hash(b)}, nil
}
