// Package server is the provincial server's HTTP adapter: routes, mutual TLS, limits,
// metrics. It decodes requests, calls backend/province and encodes answers; no rule lives
// here.
package server

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"giaydiduong/backend/province"
	"giaydiduong/backend/syncwire"
)

// MaxEnrollBody bounds an enrollment request (a code and a CSR are well under 4 KiB).
const MaxEnrollBody = 16 << 10

// Server routes HTTP to the province's use cases.
type Server struct {
	svc       *province.Service
	log       *slog.Logger
	reg       *prometheus.Registry
	metrics   *metrics
	limits    Limits
	pushSlots chan struct{}
	blobSlots chan struct{}
}

// Limits bound what one instance takes on.
type Limits struct {
	PushBytes int64 // a larger request body is answered 413
	PushItems int   // a batch with more items is answered 413
	// ConcurrentPushes is how many batches the instance works on at once; one more is answered
	// 429 with Retry-After, so a reconnect storm queues at the offices, not in memory here.
	ConcurrentPushes int
}

// DefaultLimits fit the 2-core machines a province starts on.
var DefaultLimits = Limits{PushBytes: syncwire.MaxPushBytes, PushItems: syncwire.MaxPushItems, ConcurrentPushes: 8}

// MinClientSchema is the oldest record schema this server reads; older clients get 426.
const MinClientSchema = 1

// pushRetryAfter is what an overloaded instance asks offices to wait.
const pushRetryAfter = 5 * time.Second

// SetLimits replaces the limits; call it before serving.
func (s *Server) SetLimits(l Limits) {
	s.limits = l
	s.pushSlots = make(chan struct{}, l.ConcurrentPushes)
}

type metrics struct {
	requests    *prometheus.CounterVec
	duration    *prometheus.HistogramVec
	enrollments *prometheus.CounterVec
	refused     *prometheus.CounterVec
	pushItems   *prometheus.CounterVec
	blobs       *prometheus.CounterVec
}

// New makes the adapter over svc, with its own metrics registry.
func New(svc *province.Service, log *slog.Logger) *Server {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m := &metrics{
		requests:    prometheus.NewCounterVec(prometheus.CounterOpts{Name: "gdd_http_requests_total", Help: "HTTP requests by route and status."}, []string{"route", "code"}),
		duration:    prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "gdd_http_request_duration_seconds", Help: "HTTP request latency by route.", Buckets: prometheus.DefBuckets}, []string{"route"}),
		enrollments: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "gdd_enrollments_total", Help: "Enrollment requests by outcome."}, []string{"outcome"}),
		refused:     prometheus.NewCounterVec(prometheus.CounterOpts{Name: "gdd_office_auth_refused_total", Help: "Requests refused at the per-request office certificate check."}, []string{"reason"}),
		pushItems:   prometheus.NewCounterVec(prometheus.CounterOpts{Name: "gdd_push_items_total", Help: "Pushed items by status."}, []string{"status"}),
	}
	m.blobs = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "gdd_blobs_received_total", Help: "Attachments received whole, by whether they were new."}, []string{"new"})
	reg.MustRegister(m.requests, m.duration, m.enrollments, m.refused, m.pushItems, m.blobs)
	s := &Server{svc: svc, log: log, reg: reg, metrics: m, blobSlots: make(chan struct{}, blobUploadSlots)}
	s.SetLimits(DefaultLimits)
	return s
}

// Registry is where the server's metrics live.
func (s *Server) Registry() *prometheus.Registry { return s.reg }

// Handler is every route: the operational ones (no client certificate needed), enrollment
// (a one-time code instead of a certificate) and the sync API (office certificate, checked
// on every request).
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	s.ops(mux)
	mux.Handle("POST /v1/enroll", s.route("enroll", http.HandlerFunc(s.enroll)))
	mux.Handle("GET /v1/office", s.route("office", s.requireOffice(http.HandlerFunc(s.office))))
	mux.Handle("POST /v1/renew", s.route("renew", s.requireOffice(http.HandlerFunc(s.renew))))
	mux.Handle("POST /v1/push", s.route("push", s.requireOffice(http.HandlerFunc(s.push))))
	mux.Handle("HEAD "+syncwire.BlobPath+"{sha256}", s.route("blob_head", s.requireOffice(http.HandlerFunc(s.headBlob))))
	mux.Handle("PUT "+syncwire.BlobPath+"{sha256}", s.route("blob_put", s.requireOffice(http.HandlerFunc(s.putBlob))))
	mux.Handle("GET /v1/feeds/{feed}", s.route("pull", s.requireOffice(http.HandlerFunc(s.pull))))
	mux.Handle("/", s.route("other", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "not_found", "Không có địa chỉ này", "No such endpoint")
	})))
	return mux
}

// OpsHandler is only /healthz, /readyz and /metrics, for a plain-HTTP listener an operator
// keeps inside the machine or cluster.
func (s *Server) OpsHandler() http.Handler {
	mux := http.NewServeMux()
	s.ops(mux)
	return mux
}

func (s *Server) ops(mux *http.ServeMux) {
	mux.Handle("GET /healthz", s.route("healthz", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})))
	mux.Handle("GET /readyz", s.route("readyz", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := s.svc.Ready(ctx); err != nil {
			e := province.AsError(err)
			writeError(w, http.StatusServiceUnavailable, "unavailable", e.VI, e.EN)
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
	})))
	mux.Handle("GET /metrics", promhttp.HandlerFor(s.reg, promhttp.HandlerOpts{Registry: s.reg}))
}

// TLSConfig is the listener's TLS: the server's certificate with its chain to the root;
// office certificates asked for and, when given, verified against the office CA at the
// handshake (so a certificate from elsewhere never reaches a handler); TLS 1.3 only. The
// clock is the service's, so a test that moves time moves the handshake's too.
func (s *Server) TLSConfig() (*tls.Config, error) {
	cert, err := s.svc.ServerCertificate()
	if err != nil {
		return nil, err
	}
	pool, err := s.svc.ClientCAs()
	if err != nil {
		return nil, err
	}
	return &tls.Config{
		Certificates: []tls.Certificate{cert},
		ClientCAs:    pool,
		ClientAuth:   tls.VerifyClientCertIfGiven,
		MinVersion:   tls.VersionTLS13,
		Time:         s.svc.Now,
	}, nil
}

// statusRecorder remembers the status for the metrics.
type statusRecorder struct {
	http.ResponseWriter
	code int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.code = code
	r.ResponseWriter.WriteHeader(code)
}

func (s *Server) route(name string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, code: http.StatusOK}
		h.ServeHTTP(rec, r)
		s.metrics.requests.WithLabelValues(name, strconv.Itoa(rec.code)).Inc()
		s.metrics.duration.WithLabelValues(name).Observe(time.Since(start).Seconds())
		if name != "healthz" && name != "readyz" {
			s.log.Info("request", "route", name, "method", r.Method, "path", r.URL.Path, "status", rec.code, "remote", r.RemoteAddr, "ms", time.Since(start).Milliseconds())
		}
	})
}

type ctxKey struct{}

// requireOffice admits a request only with an office certificate that still speaks for its
// office, checked now, for this request.
func (s *Server) requireOffice(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.TLS == nil || len(r.TLS.VerifiedChains) == 0 || len(r.TLS.PeerCertificates) == 0 {
			s.metrics.refused.WithLabelValues("no_certificate").Inc()
			writeError(w, http.StatusUnauthorized, "unauthenticated", "Cần chứng thư của văn phòng (TLS hai chiều)", "An office certificate is required (mutual TLS)")
			return
		}
		sess, err := s.svc.AuthorizeOffice(r.Context(), r.TLS.PeerCertificates[0])
		if err != nil {
			e := province.AsError(err)
			if e.Kind == province.KindUnauthenticated {
				s.metrics.refused.WithLabelValues("certificate").Inc()
			}
			s.fail(w, err)
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), ctxKey{}, sess)))
	})
}

// session is the office of a request that passed requireOffice.
func session(r *http.Request) province.OfficeSession {
	sess, _ := r.Context().Value(ctxKey{}).(province.OfficeSession)
	return sess
}

func (s *Server) office(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, session(r))
}

func (s *Server) enroll(w http.ResponseWriter, r *http.Request) {
	var req province.EnrollRequest
	if !s.decode(w, r, MaxEnrollBody, &req) {
		s.metrics.enrollments.WithLabelValues("malformed").Inc()
		return
	}
	out, err := s.svc.Enroll(r.Context(), req, clientAddress(r))
	if err != nil {
		s.metrics.enrollments.WithLabelValues(string(province.AsError(err).Kind)).Inc()
		s.fail(w, err)
		return
	}
	s.metrics.enrollments.WithLabelValues("ok").Inc()
	writeJSON(w, http.StatusOK, out)
}

// RenewRequest carries the CSR for the office's current key.
type RenewRequest struct {
	CSR string `json:"csr"`
}

func (s *Server) renew(w http.ResponseWriter, r *http.Request) {
	var req RenewRequest
	if !s.decode(w, r, MaxEnrollBody, &req) {
		return
	}
	out, err := s.svc.Renew(r.Context(), session(r), req.CSR)
	if err != nil {
		s.fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// push takes a batch of office records: per-item statuses in one 200; whole-request errors
// only for an old client (426), size (413), overload (429) and the database (503).
func (s *Server) push(w http.ResponseWriter, r *http.Request) {
	if v, err := strconv.Atoi(r.Header.Get(syncwire.HeaderSchema)); err != nil || v < MinClientSchema {
		writeError(w, http.StatusUpgradeRequired, "client_too_old", "Phần mềm văn phòng quá cũ, cần cập nhật để đồng bộ", fmt.Sprintf("The office software is too old to sync (record schema %d or newer needed); update it", MinClientSchema))
		return
	}
	select {
	case s.pushSlots <- struct{}{}:
		defer func() { <-s.pushSlots }()
	default:
		w.Header().Set("Retry-After", strconv.Itoa(int(pushRetryAfter.Seconds())))
		writeError(w, http.StatusTooManyRequests, "overloaded", "Máy chủ tỉnh đang bận, sẽ gửi lại sau", "The provincial server is busy; the batch will be sent again")
		return
	}
	items, compact, intact, ok := s.readPush(w, r)
	if !ok {
		return
	}
	if len(items) > s.limits.PushItems {
		writeError(w, http.StatusRequestEntityTooLarge, "too_large", fmt.Sprintf("Mỗi lần gửi tối đa %d bản ghi", s.limits.PushItems), fmt.Sprintf("At most %d records per batch", s.limits.PushItems))
		return
	}
	if !intact {
		writePushResults(w, syncwire.PushResponse{Results: damaged(len(items))}, compact)
		return
	}
	results, err := s.svc.Push(r.Context(), session(r), items)
	if err != nil {
		s.log.Error("push failed", "office", session(r).OfficeID, "err", err)
		w.Header().Set("Retry-After", strconv.Itoa(int(pushRetryAfter.Seconds())))
		writeError(w, http.StatusServiceUnavailable, "unavailable", "Máy chủ tỉnh chưa lưu được, sẽ gửi lại sau", "The provincial server could not store the batch; it will be sent again")
		return
	}
	for _, res := range results {
		s.metrics.pushItems.WithLabelValues(string(res.Status)).Inc()
	}
	writePushResults(w, syncwire.PushResponse{Results: results, AuditReceipt: s.auditReceipt(r, results)}, compact)
}

// clientAddress is the caller's IP, the unit of the enrollment rate limit. Forwarded headers
// are not trusted: no load balancer address list is configured yet.
func clientAddress(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// decode reads one JSON object of at most limit bytes, strictly (no unknown fields, nothing
// after it); on failure it has answered 413 or 400.
func (s *Server) decode(w http.ResponseWriter, r *http.Request, limit int64, v any) bool {
	body := http.MaxBytesReader(w, r.Body, limit)
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil {
		if _, extra := dec.Token(); extra != io.EOF {
			err = errors.New("data after the JSON object")
		}
	}
	if err == nil {
		return true
	}
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		writeError(w, http.StatusRequestEntityTooLarge, "too_large", fmt.Sprintf("Yêu cầu quá lớn (tối đa %d byte)", limit), fmt.Sprintf("Request too large (at most %d bytes)", limit))
		return false
	}
	writeError(w, http.StatusBadRequest, "malformed", "Yêu cầu không phải JSON hợp lệ: "+err.Error(), "The request is not valid JSON: "+err.Error())
	return false
}

var statusOf = map[province.Kind]int{
	province.KindInvalid:         http.StatusBadRequest,
	province.KindUnauthenticated: http.StatusUnauthorized,
	province.KindForbidden:       http.StatusForbidden,
	province.KindNotFound:        http.StatusNotFound,
	province.KindConflict:        http.StatusConflict,
	province.KindGone:            http.StatusGone,
	province.KindUnprocessable:   http.StatusUnprocessableEntity,
	province.KindRateLimited:     http.StatusTooManyRequests,
	province.KindUnavailable:     http.StatusServiceUnavailable,
}

func (s *Server) fail(w http.ResponseWriter, err error) {
	e := province.AsError(err)
	code, ok := statusOf[e.Kind]
	if !ok {
		code = http.StatusInternalServerError
		s.log.Error("request failed", "err", err)
		writeError(w, code, string(province.KindInternal), e.VI, e.EN)
		return
	}
	if e.Kind == province.KindRateLimited {
		w.Header().Set("Retry-After", strconv.Itoa(int(province.FailureWindow.Seconds())))
	}
	writeError(w, code, string(e.Kind), e.VI, e.EN)
}

// ErrorBody is every error answer's shape.
type ErrorBody struct {
	Code string `json:"code"`
	VI   string `json:"vi"`
	EN   string `json:"en"`
}

func writeError(w http.ResponseWriter, status int, code, vi, en string) {
	writeJSON(w, status, ErrorBody{Code: code, VI: vi, EN: en})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v) // the client hung up: nothing more to do
}
