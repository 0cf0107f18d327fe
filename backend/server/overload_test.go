package server

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"giaydiduong/backend/province"
	"giaydiduong/backend/syncwire"
)

// An instance already working on its limit of batches answers 429 with Retry-After at once,
// before reading the body.
func TestPushOverloadedAnswers429(t *testing.T) {
	s := New(nil, slog.New(slog.NewTextHandler(io.Discard, nil)))
	s.SetLimits(Limits{PushBytes: 1 << 20, PushItems: 10, ConcurrentPushes: 1})
	s.pushSlots <- struct{}{} // one batch in flight
	req := httptest.NewRequest("POST", "/v1/push", strings.NewReader(`{"items":[]}`))
	req.Header.Set(syncwire.HeaderSchema, "1")
	req = req.WithContext(context.WithValue(context.Background(), ctxKey{}, province.OfficeSession{OfficeID: "o"}))
	w := httptest.NewRecorder()
	s.push(w, req)
	if w.Code != http.StatusTooManyRequests || w.Header().Get("Retry-After") == "" {
		t.Fatalf("got %d, Retry-After %q", w.Code, w.Header().Get("Retry-After"))
	}
	<-s.pushSlots
}
