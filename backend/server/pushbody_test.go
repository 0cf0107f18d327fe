package server_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"testing"

	"giaydiduong/backend/province/provincetest"
	"giaydiduong/backend/syncpack"
	"giaydiduong/backend/syncwire"
)

// The compact body: a batch whose records do not match its digest is answered "retry" item
// by item and nothing is stored; an unknown body type gets 415 (the office then falls back to
// JSON); the answer is zstd CBOR with one status per item.
func TestCompactPushBody(t *testing.T) {
	eachEngine(t, func(t *testing.T, e provincetest.Engine) {
		ctx := context.Background()
		p := provincetest.New(t, e.DSN)
		url := p.Serve(t)
		c := enrolledClient(t, p, url, "28261")
		post := func(body []byte, media, enc string) *http.Response {
			req, _ := http.NewRequestWithContext(ctx, http.MethodPost, url+"/v1/push", bytes.NewReader(body))
			req.Header.Set("Content-Type", media)
			if enc != "" {
				req.Header.Set("Content-Encoding", enc)
			}
			req.Header.Set(syncwire.HeaderSchema, "1")
			resp, err := c.HTTPClient().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { resp.Body.Close() })
			return resp
		}
		items := []syncwire.PushItem{item(t, application("c-1", 1, "28261", "")), item(t, application("c-2", 1, "28261", ""))}
		batch, _, err := syncpack.Pack(items)
		if err != nil {
			t.Fatal(err)
		}
		batch.Digest[0] ^= 1
		body, _ := syncwire.MarshalCompressed(batch)
		resp := post(body, syncwire.MediaPushCBOR, syncwire.EncodingZstd)
		var ans syncwire.PushAnswer
		if resp.StatusCode != http.StatusOK || syncwire.UnmarshalCompressed(resp.Body, 1<<20, &ans) != nil {
			t.Fatalf("damaged batch: HTTP %d", resp.StatusCode)
		}
		retry, _ := syncwire.StatusCode(syncwire.Retry)
		if len(ans.Status) != 2 || ans.Status[0] != retry || ans.Status[1] != retry || ans.Reasons[0] == "" {
			t.Fatalf("damaged batch answered %+v", ans)
		}
		if n := tableCount(t, p, "office_records"); n != 0 {
			t.Fatalf("a damaged batch stored %d records", n)
		}
		if resp := post([]byte("<xml/>"), "application/xml", ""); resp.StatusCode != http.StatusUnsupportedMediaType {
			t.Fatalf("unknown body type: HTTP %d", resp.StatusCode)
		}
		if resp := post(body, syncwire.MediaPushCBOR, ""); resp.StatusCode != http.StatusUnsupportedMediaType {
			t.Fatalf("compact body without zstd: HTTP %d", resp.StatusCode)
		}
		// Through the client: the compact body, per-item statuses.
		res, err := c.Push(ctx, items)
		if err != nil || fmt.Sprint(statuses(res)) != "[applied applied]" || res[1].ID != "c-2" {
			t.Fatalf("compact push: %+v %v", res, err)
		}
		if c.Wire.Sent.Load() == 0 || c.Wire.Received.Load() == 0 {
			t.Fatal("the client counted no bytes")
		}
	})
}
