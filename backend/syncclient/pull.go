package syncclient

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"giaydiduong/backend/pki"
	"giaydiduong/backend/syncwire"
)

// Gone is the server's 410 for a feed: the cursor is of another epoch, ahead of the feed, or
// older than the tombstone horizon. The office drops it and pulls a snapshot.
type Gone struct {
	Feed   syncwire.Feed
	Reason string
}

func (e *Gone) Error() string {
	return fmt.Sprintf("feed %s: the province asks for a fresh snapshot (%s)", e.Feed, e.Reason)
}

// Pull reads one page of feed after cursor ("" for a snapshot from the start).
func (c *Client) Pull(ctx context.Context, feed syncwire.Feed, cursor string, limit int) (syncwire.FeedPage, error) {
	u := c.base.JoinPath("/v1/feeds", string(feed))
	q := url.Values{}
	if cursor != "" {
		q.Set("cursor", cursor)
	}
	if limit > 0 {
		q.Set("limit", strconv.Itoa(limit))
	}
	u.RawQuery = q.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return syncwire.FeedPage{}, err
	}
	req.Header.Set(syncwire.HeaderSchema, strconv.Itoa(syncwire.SchemaVersion))
	resp, err := c.http.Do(req)
	if err != nil {
		return syncwire.FeedPage{}, fmt.Errorf("reach the provincial server: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusGone {
		var g struct {
			Reason string `json:"reason"`
		}
		data, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
		_ = json.Unmarshal(data, &g)
		return syncwire.FeedPage{}, &Gone{Feed: feed, Reason: g.Reason}
	}
	if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable {
		after := defaultRetryAfter
		if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && s >= 0 {
			after = time.Duration(s) * time.Second
		}
		return syncwire.FeedPage{}, &RetryLater{Status: resp.StatusCode, After: after}
	}
	var page syncwire.FeedPage
	if err := decodeAnswer(resp, &page); err != nil {
		return syncwire.FeedPage{}, err
	}
	if page.Feed != feed {
		return syncwire.FeedPage{}, fmt.Errorf("asked for feed %s, the server answered %s", feed, page.Feed)
	}
	return page, nil
}

// PinnedRoot is the provincial root certificate the office pinned at enrollment: what every
// pulled record must be signed by.
func PinnedRoot(dir string) (*x509.Certificate, error) {
	data, err := os.ReadFile(filepath.Join(dir, RootFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, ErrNotEnrolled
	}
	if err != nil {
		return nil, fmt.Errorf("read the provincial root: %w", err)
	}
	return pki.ParseCert(data)
}
