package server_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httptrace"
	"strings"
	"testing"
	"time"

	"giaydiduong/backend/pki"
	"giaydiduong/backend/province"
	"giaydiduong/backend/province/provincetest"
	"giaydiduong/backend/server"
)

// office is an enrolled office's key and certificate, as a client would hold them.
type office struct {
	key   *ecdsa.PrivateKey
	en    province.Enrollment
	roots *x509.CertPool
}

func enroll(t *testing.T, p *provincetest.Province, unit string) office {
	t.Helper()
	ctx := context.Background()
	o, err := p.Svc.AddOffice(ctx, "test", province.NewOfficeInput{UnitCode: unit})
	if err != nil {
		t.Fatal(err)
	}
	key, err := pki.NewKey()
	if err != nil {
		t.Fatal(err)
	}
	csr, _ := pki.NewCSR(key, "office")
	en, err := p.Svc.Enroll(ctx, province.EnrollRequest{Code: o.Code, CSR: string(csr)}, "127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	root, err := pki.ParseCert([]byte(en.Root))
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AddCert(root)
	return office{key: key, en: en, roots: roots}
}

// client is an HTTP/1.1 keep-alive client presenting the office's certificate (nil: none),
// trusting roots.
func client(t *testing.T, roots *x509.CertPool, o *office) *http.Client {
	t.Helper()
	cfg := &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS13}
	if o != nil {
		certs, err := pki.ParseCerts([]byte(o.en.Certificate + o.en.CA))
		if err != nil {
			t.Fatal(err)
		}
		tc := tls.Certificate{PrivateKey: o.key}
		for _, c := range certs {
			tc.Certificate = append(tc.Certificate, c.Raw)
		}
		cfg.Certificates = []tls.Certificate{tc}
	}
	tr := &http.Transport{TLSClientConfig: cfg}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: 10 * time.Second}
}

type answer struct {
	status int
	reused bool
	body   server.ErrorBody
	raw    []byte
}

func do(t *testing.T, c *http.Client, method, url string, body []byte) (answer, error) {
	t.Helper()
	var a answer
	trace := &httptrace.ClientTrace{GotConn: func(info httptrace.GotConnInfo) { a.reused = info.Reused }}
	req, err := http.NewRequestWithContext(httptrace.WithClientTrace(context.Background(), trace), method, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.Do(req)
	if err != nil {
		return a, err
	}
	defer resp.Body.Close()
	a.status = resp.StatusCode
	a.raw, _ = io.ReadAll(resp.Body)
	_ = json.Unmarshal(a.raw, &a.body)
	return a, nil
}

func mustDo(t *testing.T, c *http.Client, method, url string, body []byte) answer {
	t.Helper()
	a, err := do(t, c, method, url, body)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	return a
}

// snapshot is every table a refused request must leave alone (the enrollment failure
// counter aside, which is the rate limit's own bookkeeping).
func snapshot(t *testing.T, p *provincetest.Province) map[string]int64 {
	t.Helper()
	out := map[string]int64{}
	for _, table := range []string{"offices", "office_certificates", "audit_events"} {
		var n int64
		if err := p.Svc.DB().Table(table).Count(&n).Error; err != nil {
			t.Fatal(err)
		}
		out[table] = n
	}
	var used int64
	p.Svc.DB().Table("enrollment_codes").Where("used_at IS NOT NULL").Count(&used)
	out["codes used"] = used
	return out
}

func sameCounts(t *testing.T, before, after map[string]int64) {
	t.Helper()
	for k, v := range before {
		if after[k] != v {
			t.Fatalf("%s changed from %d to %d", k, v, after[k])
		}
	}
}

func eachEngine(t *testing.T, fn func(t *testing.T, e provincetest.Engine)) {
	for _, e := range provincetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) { fn(t, e) })
	}
}

func TestMutualTLSRefusals(t *testing.T) {
	eachEngine(t, func(t *testing.T, e provincetest.Engine) {
		p := provincetest.New(t, e.DSN)
		clock := provincetest.NewClock()
		p.Svc.Now = clock.Now
		base := p.Serve(t)
		a := enroll(t, p, "28261")

		t.Run("no client certificate", func(t *testing.T) {
			got := mustDo(t, client(t, a.roots, nil), "GET", base+"/v1/office", nil)
			if got.status != http.StatusUnauthorized || got.body.Code != "unauthenticated" || got.body.VI == "" {
				t.Fatalf("got %d %s", got.status, got.raw)
			}
		})
		t.Run("office certificate", func(t *testing.T) {
			got := mustDo(t, client(t, a.roots, &a), "GET", base+"/v1/office", nil)
			var s province.OfficeSession
			json.Unmarshal(got.raw, &s)
			if got.status != http.StatusOK || s.OfficeID != a.en.OfficeID || s.UnitCode != "28261" {
				t.Fatalf("got %d %s", got.status, got.raw)
			}
		})
		t.Run("another province's certificate", func(t *testing.T) {
			other := provincetest.New(t, provincetest.Engines(t)[0].DSN)
			foreign := enroll(t, other, "28261")
			before := snapshot(t, p)
			_, err := do(t, client(t, a.roots, &foreign), "GET", base+"/v1/office", nil)
			if err == nil || !strings.Contains(err.Error(), "certificate") {
				t.Fatalf("a foreign certificate got through the handshake: %v", err)
			}
			sameCounts(t, before, snapshot(t, p))
		})
		t.Run("revoked on a kept-alive connection", func(t *testing.T) {
			b := enroll(t, p, "28261")
			c := client(t, b.roots, &b)
			if got := mustDo(t, c, "GET", base+"/v1/office", nil); got.status != http.StatusOK {
				t.Fatalf("before revocation: %d %s", got.status, got.raw)
			}
			if _, err := p.Svc.RevokeOffice(context.Background(), "test", b.en.OfficeID, "stolen PC"); err != nil {
				t.Fatal(err)
			}
			got := mustDo(t, c, "GET", base+"/v1/office", nil)
			if !got.reused {
				t.Fatal("the second request did not reuse the connection; the test proves nothing")
			}
			if got.status != http.StatusUnauthorized || !strings.Contains(got.body.EN, "revoked") {
				t.Fatalf("after revocation: %d %s", got.status, got.raw)
			}
		})
		t.Run("revoked, then a resumed TLS session", func(t *testing.T) {
			// Go does not re-verify a resumed session's certificate (golang/go#77377); the
			// per-request check still refuses it.
			r := enroll(t, p, "28261")
			c := client(t, r.roots, &r)
			tr := c.Transport.(*http.Transport)
			tr.TLSClientConfig.ClientSessionCache = tls.NewLRUClientSessionCache(4)
			if got := mustDo(t, c, "GET", base+"/v1/office", nil); got.status != http.StatusOK {
				t.Fatalf("before: %d", got.status)
			}
			tr.CloseIdleConnections()
			if _, err := p.Svc.RevokeOffice(context.Background(), "test", r.en.OfficeID, "stolen"); err != nil {
				t.Fatal(err)
			}
			req, _ := http.NewRequest("GET", base+"/v1/office", nil)
			resp, err := c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if !resp.TLS.DidResume {
				t.Fatal("the session was not resumed; the test proves nothing")
			}
			if resp.StatusCode != http.StatusUnauthorized {
				t.Fatalf("resumed session after revocation: %d", resp.StatusCode)
			}
		})
		t.Run("expired on a kept-alive connection", func(t *testing.T) {
			d := enroll(t, p, "28261")
			c := client(t, d.roots, &d)
			if got := mustDo(t, c, "GET", base+"/v1/office", nil); got.status != http.StatusOK {
				t.Fatalf("before expiry: %d %s", got.status, got.raw)
			}
			clock.Advance(pki.OfficeValidity + time.Hour)
			defer clock.Advance(-(pki.OfficeValidity + time.Hour))
			got := mustDo(t, c, "GET", base+"/v1/office", nil)
			if !got.reused {
				t.Fatal("the second request did not reuse the connection")
			}
			if got.status != http.StatusUnauthorized || !strings.Contains(got.body.EN, "expired") {
				t.Fatalf("after expiry: %d %s", got.status, got.raw)
			}
		})
	})
}

func TestEnrollOverHTTP(t *testing.T) {
	eachEngine(t, func(t *testing.T, e provincetest.Engine) {
		p := provincetest.New(t, e.DSN)
		base := p.Serve(t)
		root, _ := pki.ParseCert([]byte(mustRoot(t, p)))
		roots := x509.NewCertPool()
		roots.AddCert(root)
		c := client(t, roots, nil)
		o, err := p.Svc.AddOffice(context.Background(), "test", province.NewOfficeInput{UnitCode: "28261"})
		if err != nil {
			t.Fatal(err)
		}
		body := func(key *ecdsa.PrivateKey) []byte {
			csr, _ := pki.NewCSR(key, "office")
			b, _ := json.Marshal(province.EnrollRequest{Code: o.Code, CSR: string(csr), UnitCode: "28261"})
			return b
		}
		keyA, _ := pki.NewKey()
		first := mustDo(t, c, "POST", base+"/v1/enroll", body(keyA))
		if first.status != http.StatusOK {
			t.Fatalf("enroll: %d %s", first.status, first.raw)
		}
		var en province.Enrollment
		json.Unmarshal(first.raw, &en)

		again := mustDo(t, c, "POST", base+"/v1/enroll", body(keyA))
		var en2 province.Enrollment
		json.Unmarshal(again.raw, &en2)
		if again.status != http.StatusOK || en2.Serial != en.Serial {
			t.Fatalf("same key again: %d %s", again.status, again.raw)
		}

		cases := []struct {
			name   string
			body   []byte
			status int
			code   string
		}{
			{"replayed code with another key", body(mustKey(t)), http.StatusConflict, "conflict"},
			{"oversized body", append(append([]byte(`{"code":"`), bytes.Repeat([]byte("A"), server.MaxEnrollBody)...), `"}`...), http.StatusRequestEntityTooLarge, "too_large"},
			{"malformed JSON", []byte(`{"code": "ABCD`), http.StatusBadRequest, "malformed"},
			{"unknown field", []byte(`{"code":"x","csr":"y","admin":true}`), http.StatusBadRequest, "malformed"},
			{"two objects", []byte(`{"code":"x"}{"code":"y"}`), http.StatusBadRequest, "malformed"},
			{"not JSON", []byte("code=ABCD"), http.StatusBadRequest, "malformed"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				before := snapshot(t, p)
				got := mustDo(t, c, "POST", base+"/v1/enroll", tc.body)
				if got.status != tc.status || got.body.Code != tc.code || got.body.VI == "" || got.body.EN == "" {
					t.Fatalf("got %d %s, want %d %s", got.status, got.raw, tc.status, tc.code)
				}
				sameCounts(t, before, snapshot(t, p))
			})
		}

		metrics := mustDo(t, c, "GET", base+"/metrics", nil)
		for _, want := range []string{`gdd_enrollments_total{outcome="ok"} 2`, `gdd_enrollments_total{outcome="conflict"} 1`, `gdd_http_requests_total{code="413",route="enroll"} 1`} {
			if !strings.Contains(string(metrics.raw), want) {
				t.Errorf("metrics lack %s", want)
			}
		}
	})
}

func mustKey(t *testing.T) *ecdsa.PrivateKey {
	k, err := pki.NewKey()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func mustRoot(t *testing.T, p *provincetest.Province) string {
	t.Helper()
	var root string
	if err := p.Svc.DB().Table("authority").Select("root_cert").Row().Scan(&root); err != nil {
		t.Fatal(err)
	}
	return root
}

// Two instances on one database: an office enrolled through one is served by the other,
// and a revocation made through one is enforced by the other on its next request.
func TestTwoInstancesOneDatabase(t *testing.T) {
	eachEngine(t, func(t *testing.T, e provincetest.Engine) {
		a := provincetest.New(t, e.DSN)
		b := provincetest.Open(t, e.DSN, t.TempDir())
		if err := b.Svc.Unlock(context.Background(), provincetest.CAPassphrase); err != nil {
			t.Fatal(err)
		}
		urlA, urlB := a.Serve(t), b.Serve(t)
		o := enroll(t, a, "28261")
		c := client(t, o.roots, &o)
		for _, u := range []string{urlA, urlB} {
			if got := mustDo(t, c, "GET", u+"/v1/office", nil); got.status != http.StatusOK {
				t.Fatalf("%s: %d %s", u, got.status, got.raw)
			}
		}
		if _, err := a.Svc.RevokeOffice(context.Background(), "test", o.en.OfficeID, "test"); err != nil {
			t.Fatal(err)
		}
		got := mustDo(t, c, "GET", urlB+"/v1/office", nil)
		if !got.reused || got.status != http.StatusUnauthorized {
			t.Fatalf("instance B after revocation on A: reused=%v %d %s", got.reused, got.status, got.raw)
		}
	})
}

func TestHealthAndReadiness(t *testing.T) {
	eachEngine(t, func(t *testing.T, e provincetest.Engine) {
		p := provincetest.New(t, e.DSN)
		ready := httptest.NewServer(server.New(p.Svc, p.Log).OpsHandler())
		defer ready.Close()
		locked := provincetest.Open(t, e.DSN, t.TempDir()) // never unlocked
		notReady := httptest.NewServer(server.New(locked.Svc, locked.Log).OpsHandler())
		defer notReady.Close()
		for _, tc := range []struct {
			url    string
			status int
		}{
			{ready.URL + "/healthz", 200}, {ready.URL + "/readyz", 200}, {ready.URL + "/metrics", 200},
			{notReady.URL + "/healthz", 200}, {notReady.URL + "/readyz", 503},
			{ready.URL + "/v1/enroll", 404}, // the ops listener serves nothing else
		} {
			resp, err := http.Get(tc.url)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tc.status {
				t.Errorf("%s: %d, want %d", tc.url, resp.StatusCode, tc.status)
			}
		}
	})
}
