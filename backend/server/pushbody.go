package server

import (
	"errors"
	"fmt"
	"mime"
	"net/http"

	"giaydiduong/backend/syncpack"
	"giaydiduong/backend/syncwire"
)

// readPush reads a push body in either form: the JSON PushRequest, or the compact zstd CBOR
// PushBatch (syncwire.MediaPushCBOR). compact says which, so the answer is in the same form;
// intact is false when a compact batch's digest did not match. On failure it has answered.
func (s *Server) readPush(w http.ResponseWriter, r *http.Request) (items []syncwire.PushItem, compact, intact, ok bool) {
	media, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch media {
	case "application/json", "":
		var req syncwire.PushRequest
		if !s.decode(w, r, s.limits.PushBytes, &req) {
			return nil, false, false, false
		}
		return req.Items, false, true, true
	case syncwire.MediaPushCBOR:
		if r.Header.Get("Content-Encoding") != syncwire.EncodingZstd {
			writeError(w, http.StatusUnsupportedMediaType, "unsupported", "Cần nén zstd", "The compact push body must be zstd-compressed")
			return nil, false, false, false
		}
		var b syncwire.PushBatch
		err := syncwire.UnmarshalCompressed(r.Body, s.limits.PushBytes, &b)
		if errors.Is(err, syncwire.ErrBodyTooLarge) {
			writeError(w, http.StatusRequestEntityTooLarge, "too_large", fmt.Sprintf("Yêu cầu quá lớn (tối đa %d byte)", s.limits.PushBytes), fmt.Sprintf("Request too large (at most %d bytes)", s.limits.PushBytes))
			return nil, false, false, false
		}
		if err != nil {
			writeError(w, http.StatusBadRequest, "malformed", "Yêu cầu không đọc được: "+err.Error(), "The request cannot be read: "+err.Error())
			return nil, false, false, false
		}
		items, intact = syncpack.Unpack(b)
		return items, true, intact, true
	}
	writeError(w, http.StatusUnsupportedMediaType, "unsupported", "Kiểu dữ liệu không được hỗ trợ: "+media, "Unsupported content type: "+media)
	return nil, false, false, false
}

// damaged answers every item of a batch whose digest did not match: send it again.
func damaged(n int) []syncwire.PushResult {
	out := make([]syncwire.PushResult, n)
	for i := range out {
		out[i] = syncwire.PushResult{Index: i, Status: syncwire.Retry, Reason: "the batch does not match its digest (damaged on the way): send it again"}
	}
	return out
}

// writePushResults answers in the request's form.
func writePushResults(w http.ResponseWriter, resp syncwire.PushResponse, compact bool) {
	if !compact {
		writeJSON(w, http.StatusOK, resp)
		return
	}
	results := resp.Results
	ans := syncwire.PushAnswer{Status: make([]uint8, len(results)), AuditReceipt: resp.AuditReceipt}
	for i, res := range results {
		c, err := syncwire.StatusCode(res.Status)
		if err != nil {
			c, _ = syncwire.StatusCode(syncwire.Retry)
		}
		ans.Status[i] = c
		if res.Reason != "" {
			if ans.Reasons == nil {
				ans.Reasons = map[int]string{}
			}
			ans.Reasons[i] = res.Reason
		}
		if len(res.Attachments) > 0 {
			if ans.Attachments == nil {
				ans.Attachments = map[int][]syncwire.AttachmentState{}
			}
			ans.Attachments[i] = res.Attachments
		}
	}
	body, err := syncwire.MarshalCompressed(ans)
	if err != nil {
		writeError(w, http.StatusInternalServerError, "internal", "Lỗi máy chủ", "Server error")
		return
	}
	w.Header().Set("Content-Type", syncwire.MediaPushCBOR)
	w.Header().Set("Content-Encoding", syncwire.EncodingZstd)
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
}
