package server_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"

	"giaydiduong/backend/province/provincetest"
	"giaydiduong/backend/syncclient"
	"giaydiduong/backend/syncwire"
)

// BenchmarkBlobPut sends 150 KB attachments (a scanned page's size) over loopback mutual TLS,
// syncwire.BlobLanes at a time as an office does, per engine; each is hash-checked and stored
// in the database. Reported: MB/s of attachment bytes, and the time per pair of files.
func BenchmarkBlobPut(b *testing.B) {
	const size = 150 << 10
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
			b.SetBytes(size + size/2) // a page and a second file half its size, side by side
			b.ResetTimer()
			for b.Loop() {
				b.StopTimer()
				round++
				// Each round a fresh file and its record, pushed first as the lanes require.
				data := randomBytes(uint64(round), size)
				h := syncclient.BlobHash(data)
				if _, err := c.Push(ctx, []syncwire.PushItem{item2(b, scanPage(fmt.Sprintf("bench-%d", round), "28261", h, ""))}); err != nil {
					b.Fatal(err)
				}
				half := data[:size/2]
				hh := syncclient.BlobHash(half)
				if _, err := c.Push(ctx, []syncwire.PushItem{item2(b, scanPage(fmt.Sprintf("bench-%d-b", round), "28261", hh, ""))}); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				var wg sync.WaitGroup
				for _, f := range []struct {
					h string
					d []byte
				}{{h, data}, {hh, half}} {
					wg.Go(func() {
						if err := c.PutBlob(ctx, f.h, f.d); err != nil {
							b.Error(err)
						}
					})
				}
				wg.Wait()
			}
		})
	}
}

func item2(b *testing.B, r syncwire.Record) syncwire.PushItem {
	it, err := syncclient.Item(r)
	if err != nil {
		b.Fatal(err)
	}
	return it
}
