package server_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"giaydiduong/backend/province/provincetest"
	"giaydiduong/backend/syncwire"
)

func benchPermit(i, round int) syncwire.Permit {
	return syncwire.Permit{ID: fmt.Sprintf("0193a000-%04d-7000-8000-%012d", round, i), Version: 1, Number: fmt.Sprintf("28261/2026/%06d", i), UnitCode: "28261", Year: 2026, Seq: i,
		ApplicationID: fmt.Sprintf("0193a000-%04d-7000-9000-%012d", round, i), Status: "issued", QR: benchQR(i, round),
		KeyID: "k1b2c3d4e5f6", SignatureKind: "office", SignerName: "Nguyễn Thị Bích Ngọc", SignerTitle: "Phó Chủ tịch", IssuedAt: "2026-12-01T08:15:02.123456789Z", IssuedBy: "canbo",
		CreatedAt: "2026-12-01T08:15:02.123456789Z", UpdatedAt: "2026-12-01T08:15:02.123456789Z"}
}

// benchQR stands in for a signed QR text: 260 base45 characters that do not repeat from
// permit to permit (a signature does not compress), so the compressed size is honest.
func benchQR(i, round int) string {
	const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
	var b strings.Builder
	b.WriteString("GDD1:")
	for j := 0; b.Len() < 265; j++ {
		sum := sha256.Sum256([]byte(fmt.Sprint(round, i, j)))
		for _, c := range sum {
			b.WriteByte(alphabet[int(c)%len(alphabet)])
		}
	}
	return b.String()[:265]
}

// BenchmarkPushPermits pushes 10,000 permits in batches of 500 over loopback mutual TLS, per
// engine. Reported: permits/s and the bytes per permit of the request body (JSON carrying the
// CBOR record base64) plain and gzip-compressed.
func BenchmarkPushPermits(b *testing.B) {
	const total, batch = 10000, 500
	for _, engine := range []string{"sqlite", "postgres"} {
		b.Run(engine, func(b *testing.B) {
			ctx := context.Background()
			dsn := filepath.Join(b.TempDir(), "server.db")
			if engine == "postgres" {
				dsn = provincetest.NewPostgresDatabase(b)
			}
			p := provincetest.New(b, dsn)
			url := p.Serve(b)
			c := enrolledClient(b, p, url, "28261")
			round := 0
			var plain, zipped int64
			b.ResetTimer()
			for b.Loop() {
				b.StopTimer()
				round++
				items := make([]syncwire.PushItem, total)
				for i := range items {
					rec, _ := syncwire.Encode(benchPermit(i, round))
					items[i] = syncwire.PushItem{Record: rec, Hash: syncwire.Hash(rec)}
				}
				if round == 1 {
					body, _ := json.Marshal(syncwire.PushRequest{Items: items[:batch]})
					var z bytes.Buffer
					w := gzip.NewWriter(&z)
					w.Write(body)
					w.Close()
					plain, zipped = int64(len(body))/batch, int64(z.Len())/batch
				}
				b.StartTimer()
				for off := 0; off < total; off += batch {
					res, err := c.Push(ctx, items[off:off+batch])
					if err != nil {
						b.Fatal(err)
					}
					for _, r := range res {
						if r.Status != syncwire.Applied {
							b.Fatalf("%+v", r)
						}
					}
				}
			}
			b.ReportMetric(float64(total*b.N)/b.Elapsed().Seconds(), "permits/s")
			b.ReportMetric(float64(plain), "B/permit")
			b.ReportMetric(float64(zipped), "gzipB/permit")
		})
	}
}
