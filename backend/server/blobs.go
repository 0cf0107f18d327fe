package server

import (
	"errors"
	"io"
	"net/http"
	"strconv"

	"giaydiduong/backend/province"
	"giaydiduong/backend/syncwire"
)

// blobUploadSlots bounds the attachment uploads one instance takes at once (each office
// sends at most syncwire.BlobLanes; a body is held in memory, up to syncwire.MaxBlobBytes);
// one more is answered 429 with Retry-After.
const blobUploadSlots = 8

// headBlob answers whether the province holds an attachment: 200 yes, 404 not yet, 403 when
// none of this office's records refers to it.
func (s *Server) headBlob(w http.ResponseWriter, r *http.Request) {
	ok, err := s.svc.HasBlob(r.Context(), session(r), r.PathValue("sha256"))
	if err != nil {
		s.failBlob(w, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	if !ok {
		w.WriteHeader(http.StatusNotFound)
		return
	}
	w.WriteHeader(http.StatusOK)
}

// putBlob takes an attachment sent whole: 201 stored now, 200 already held (idempotent),
// 422 hash_mismatch when the bytes do not hash to the name (send it again), 403 when no
// record of this office refers to it, 413 over syncwire.MaxBlobBytes.
func (s *Server) putBlob(w http.ResponseWriter, r *http.Request) {
	select {
	case s.blobSlots <- struct{}{}:
		defer func() { <-s.blobSlots }()
	default:
		w.Header().Set("Retry-After", strconv.Itoa(int(pushRetryAfter.Seconds())))
		writeError(w, http.StatusTooManyRequests, "overloaded", "Máy chủ tỉnh đang bận, tệp sẽ được gửi lại sau", "The provincial server is busy; the attachment will be sent again")
		return
	}
	sha := r.PathValue("sha256")
	// Refuse a foreign or malformed hash before reading the body.
	if _, err := s.svc.HasBlob(r.Context(), session(r), sha); err != nil {
		s.failBlob(w, err)
		return
	}
	if r.ContentLength > syncwire.MaxBlobBytes {
		writeError(w, http.StatusRequestEntityTooLarge, "too_large", "Tệp đính kèm quá lớn", "The attachment is too large")
		return
	}
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, syncwire.MaxBlobBytes))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			writeError(w, http.StatusRequestEntityTooLarge, "too_large", "Tệp đính kèm quá lớn", "The attachment is too large")
			return
		}
		writeError(w, http.StatusBadRequest, "truncated", "Tệp đính kèm không đến đủ", "The attachment did not arrive whole")
		return
	}
	created, err := s.svc.PutBlob(r.Context(), session(r), sha, data)
	if err != nil {
		s.failBlob(w, err)
		return
	}
	s.metrics.blobs.WithLabelValues(strconv.FormatBool(created)).Inc()
	if created {
		writeJSON(w, http.StatusCreated, map[string]any{"sha256": sha, "stored": true})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"sha256": sha, "stored": false})
}

func (s *Server) failBlob(w http.ResponseWriter, err error) {
	if e := province.AsError(err); e.Kind == province.KindHashMismatch {
		writeError(w, http.StatusUnprocessableEntity, string(e.Kind), e.VI, e.EN)
		return
	}
	s.fail(w, err)
}

// auditReceipt is the signed receipt of the office's chain head when the batch carried
// audit events (a repeat too, so an office whose answer was lost gets it again). A failure
// to sign costs only the receipt: the batch is stored and the next sync brings one.
func (s *Server) auditReceipt(r *http.Request, results []syncwire.PushResult) *syncwire.AuditReceipt {
	for _, res := range results {
		if res.Kind == syncwire.KindAuditEvent && (res.Status == syncwire.Applied || res.Status == syncwire.Duplicate) {
			rc, err := s.svc.AuditReceipt(r.Context(), session(r))
			if err != nil {
				s.log.Error("audit receipt", "office", session(r).OfficeID, "err", err)
			}
			return rc
		}
	}
	return nil
}
