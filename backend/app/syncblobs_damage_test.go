package app

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"giaydiduong/backend/province"
	"giaydiduong/backend/province/provincetest"
	"giaydiduong/backend/syncclient"
)

// damagingBalancer stands where a TLS-terminating load balancer would: it ends the office's
// TLS with the server's own certificate and calls the server with the office's certificate,
// and it flips a byte in the body of the next `damage` PUTs (of the file `only`, when set),
// as a broken middlebox would.
type damagingBalancer struct {
	url     string
	damage  atomic.Int32
	damaged atomic.Int32
	only    atomic.Value // string
}

func newDamagingBalancer(t *testing.T, p *provincetest.Province, upstream, officeDir string) *damagingBalancer {
	t.Helper()
	cert, err := p.Svc.ServerCertificate()
	if err != nil {
		t.Fatal(err)
	}
	root, err := x509.ParseCertificate(cert.Certificate[len(cert.Certificate)-1])
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AddCert(root)
	target, _ := url.Parse(upstream)
	b := &damagingBalancer{}
	rp := &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(target)
			if r.In.Method != http.MethodPut || b.damage.Load() <= 0 {
				return
			}
			if only, _ := b.only.Load().(string); only != "" && !strings.HasSuffix(r.In.URL.Path, only) {
				return
			}
			b.damage.Add(-1)
			body, _ := io.ReadAll(r.In.Body)
			body = bytes.Clone(body)
			body[len(body)/2] ^= 0x5a
			r.Out.Body = io.NopCloser(bytes.NewReader(body))
			r.Out.ContentLength = int64(len(body))
			b.damaged.Add(1)
		},
		// A connection per request: the one enrollment opened carries no office certificate.
		Transport: &http.Transport{DisableKeepAlives: true, TLSClientConfig: &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS13,
			// The office's certificate, once it has one (enrollment needs none).
			GetClientCertificate: func(*tls.CertificateRequestInfo) (*tls.Certificate, error) {
				c, err := syncclient.Open(officeDir)
				if err != nil {
					return &tls.Certificate{}, nil
				}
				defer c.Close()
				cc := c.HTTPClient().Transport.(*http.Transport).TLSClientConfig.Certificates[0]
				return &cc, nil
			}}},
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: rp, TLSConfig: &tls.Config{Certificates: []tls.Certificate{cert}}, ReadHeaderTimeout: 5 * time.Second}
	go srv.ServeTLS(ln, "", "")
	t.Cleanup(func() { srv.Close() })
	b.url = "https://" + ln.Addr().String()
	return b
}

// An attachment damaged on the way is refused by the province (its hash does not match) and
// sent again whole by the office; one damaged every time is kept as "lỗi" with the reason and
// does not hold up the others.
func TestSyncAttachmentDamagedOnTheWay(t *testing.T) {
	f := newFixture(t)
	p := provincetest.New(t, filepath.Join(t.TempDir(), "server.db"))
	bal := newDamagingBalancer(t, p, p.Serve(t), f.DataDir())
	o, err := p.Svc.AddOffice(f.ctx, "test", province.NewOfficeInput{UnitCode: DemoUnitCode})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.EnrollWithProvince(f.ctx, f.admin, bal.url, o.Code); err != nil {
		t.Fatal(err)
	}
	sf := &syncFixture{fixture: f, p: p}
	files := sf.addScanFiles(t, 3, true)

	bal.damage.Store(1) // the first PUT arrives damaged
	rep := mustSync(t, sf)
	if bal.damaged.Load() != 1 || rep.Attachments.Resent != 1 || !rep.InSync || rep.Attachments.Present != 3 {
		t.Fatalf("one damaged upload: %+v (damaged %d)", rep, bal.damaged.Load())
	}
	if n := sf.assertServerFiles(t, files); n != 3 {
		t.Fatalf("the province holds %d of 3 files", n)
	}

	more := sf.addScanFiles(t, 4, true)
	for h, d := range more {
		files[h] = d
	}
	for h := range more {
		bal.only.Store(h)
		break
	}
	bal.damage.Store(2) // both tries of one file: it stays missing, with the reason
	rep, err = sf.SyncNow(f.ctx)
	if err != nil || rep.InSync || rep.Attachments.Failing != 1 || rep.Attachments.Sent != 3 || rep.Attachments.Missing != 1 {
		t.Fatalf("one file damaged twice: %+v %v", rep.Attachments, err)
	}
	sf.assertServerFiles(t, files)
	rep = mustSync(t, sf) // the link is good again
	if !rep.InSync || rep.Attachments.Missing != 0 {
		t.Fatalf("after the link healed: %+v", rep.Attachments)
	}
	if n := sf.assertServerFiles(t, files); n != 7 {
		t.Fatalf("the province holds %d of 7 files", n)
	}
}
