package server

import (
	"compress/gzip"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"giaydiduong/backend/province"
	"giaydiduong/backend/syncwire"
)

// GoneBody is a 410's answer: the office drops its cursor and pulls a snapshot.
type GoneBody struct {
	ErrorBody
	Reason string `json:"reason"`
}

// pull answers GET /v1/feeds/{feed}?cursor=…&limit=…: one page of a province-owned feed, as
// the requesting office may read it (its unit's accounts and rules, province-wide the rest).
func (s *Server) pull(w http.ResponseWriter, r *http.Request) {
	limit := 0
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			writeError(w, http.StatusBadRequest, "malformed", "Tham số limit không hợp lệ", "limit must be a positive integer")
			return
		}
		limit = n
	}
	page, err := s.svc.Pull(r.Context(), session(r), syncwire.Feed(r.PathValue("feed")), r.URL.Query().Get("cursor"), limit)
	if err != nil {
		e := province.AsError(err)
		if e.Kind == province.KindGone {
			reason := syncwire.GoneHorizon
			if errors.Unwrap(e) != nil {
				reason = errors.Unwrap(e).Error()
			}
			writeJSON(w, http.StatusGone, GoneBody{ErrorBody: ErrorBody{Code: string(e.Kind), VI: e.VI, EN: e.EN}, Reason: reason})
			return
		}
		s.fail(w, err)
		return
	}
	// A page of revocations is megabytes on 3G; gzip takes the base64 and JSON overhead off.
	if !strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
		writeJSON(w, http.StatusOK, page)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Encoding", "gzip")
	w.Header().Set("Vary", "Accept-Encoding")
	w.WriteHeader(http.StatusOK)
	zw, _ := gzip.NewWriterLevel(w, gzip.BestSpeed) // a fixed valid level
	_ = json.NewEncoder(zw).Encode(page)            // the client hung up: nothing more to do
	_ = zw.Close()
}
