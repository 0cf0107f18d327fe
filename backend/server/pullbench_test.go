package server_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"

	"giaydiduong/backend/province"
	"giaydiduong/backend/province/provincetest"
	"giaydiduong/backend/syncwire"
)

// countingConn counts the bytes read off the socket: what crossed the wire, TLS and gzip
// included.
type countingConn struct {
	net.Conn
	n *atomic.Int64
}

func (c *countingConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// BenchmarkPullRevocations pulls a snapshot of 100,000 revocations (signed, pages of 5,000,
// gzip) over loopback mutual TLS, per engine, decoding every record as an office does (an
// office checks a revocation's signature when it is used; GDD_BENCH_VERIFY=1 checks every
// one here). Reported: entries/s and the bytes per entry read off the socket.
func BenchmarkPullRevocations(b *testing.B) {
	const total = 100000
	for _, engine := range []string{"sqlite", "postgres"} {
		b.Run(engine, func(b *testing.B) {
			ctx := context.Background()
			dsn := filepath.Join(b.TempDir(), "server.db")
			if engine == "postgres" {
				dsn = provincetest.NewPostgresDatabase(b)
			}
			p := provincetest.New(b, dsn)
			if err := p.Svc.UnlockRoot(filepath.Join(p.Dir, province.RootKeyFile), provincetest.RootPassphrase); err != nil {
				b.Fatal(err)
			}
			in := make([]province.RevokeInput, 0, 10000)
			for i := range total {
				in = append(in, province.RevokeInput{Number: fmt.Sprintf("%05d/2026/%06d", 28000+i/100000, i%100000+1), Reason: "Thu hồi theo danh sách của Sở"})
				if len(in) == cap(in) {
					if _, err := p.Svc.RevokePermits(ctx, "bench", in); err != nil {
						b.Fatal(err)
					}
					in = in[:0]
				}
			}
			url := p.Serve(b)
			c := enrolledClient(b, p, url, "28261")
			var wire atomic.Int64
			tr := c.HTTPClient().Transport.(*http.Transport)
			tr.CloseIdleConnections()
			tr.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
				conn, err := (&net.Dialer{}).DialContext(ctx, network, addr)
				if err != nil {
					return nil, err
				}
				return &countingConn{Conn: conn, n: &wire}, nil
			}
			_, root, err := p.Svc.RootPublicKey(ctx)
			if err != nil {
				b.Fatal(err)
			}
			verify := os.Getenv("GDD_BENCH_VERIFY") != ""
			b.ResetTimer()
			for b.Loop() {
				n, cursor := 0, ""
				for {
					page, err := c.Pull(ctx, syncwire.FeedRevocations, cursor, syncwire.MaxPullLimit)
					if err != nil {
						b.Fatal(err)
					}
					for _, e := range page.Entries {
						if verify {
							_, err = syncwire.OpenEntry(root, e)
						} else {
							_, err = syncwire.Decode(e.Record)
						}
						if err != nil {
							b.Fatal(err)
						}
					}
					n += len(page.Entries)
					cursor = page.Cursor
					if !page.More {
						break
					}
				}
				if n != total {
					b.Fatalf("pulled %d of %d", n, total)
				}
			}
			b.ReportMetric(float64(total*b.N)/b.Elapsed().Seconds(), "entries/s")
			b.ReportMetric(float64(wire.Load())/float64(total*b.N), "B/entry")
		})
	}
}
