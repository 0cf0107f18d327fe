package server_test

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"giaydiduong/backend/audit"
	"giaydiduong/backend/province/provincetest"
	"giaydiduong/backend/syncclient"
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

func benchItems(b *testing.B, total, round int) []syncwire.PushItem {
	items := make([]syncwire.PushItem, total)
	for i := range items {
		rec, err := syncwire.Encode(benchPermit(i, round))
		if err != nil {
			b.Fatal(err)
		}
		items[i] = syncwire.PushItem{Record: rec, Hash: syncwire.Hash(rec)}
	}
	return items
}

// BenchmarkPushPermits pushes 10,000 permits in batches of 500 over loopback mutual TLS, per
// engine and per body: the compact body (packed CBOR, zstd) the client sends now, and the
// JSON body (CBOR in base64 beside hex hashes) as the baseline in the same run. Reported:
// permits/s and the request and response body bytes per permit as they crossed the wire.
func BenchmarkPushPermits(b *testing.B) {
	const total, batch = 10000, 500
	for _, engine := range []string{"sqlite", "postgres"} {
		for _, body := range []string{"compact", "json"} {
			b.Run(engine+"/"+body, func(b *testing.B) {
				ctx := context.Background()
				dsn := filepath.Join(b.TempDir(), "server.db")
				if engine == "postgres" {
					dsn = provincetest.NewPostgresDatabase(b)
				}
				p := provincetest.New(b, dsn)
				url := p.Serve(b)
				c := enrolledClient(b, p, url, "28261")
				if body == "json" {
					c.PreferJSON()
				}
				round := 0
				var elapsed time.Duration
				var sent, received int64
				for b.Loop() {
					b.StopTimer()
					round++
					items := benchItems(b, total, round)
					s0, r0 := c.Wire.Sent.Load(), c.Wire.Received.Load()
					start := time.Now()
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
					elapsed += time.Since(start)
					sent, received = c.Wire.Sent.Load()-s0, c.Wire.Received.Load()-r0
				}
				b.ReportMetric(float64(total*b.N)/elapsed.Seconds(), "permits/s")
				b.ReportMetric(float64(sent)/total, "reqB/permit")
				b.ReportMetric(float64(received)/total, "respB/permit")
			})
		}
	}
}

// stormBacklog is one office's day offline: permits walk-ins, each with its application as
// entered and as approved and three chained audit events, in the order the office queued them.
func stormBacklog(b *testing.B, office, permits int) []syncwire.PushItem {
	var items []syncwire.PushItem
	add := func(r syncwire.Record) {
		rec, err := syncwire.Encode(r)
		if err != nil {
			b.Fatal(err)
		}
		items = append(items, syncwire.PushItem{Record: rec, Hash: syncwire.Hash(rec)})
	}
	prev := strings.Repeat("0", 64)
	event := func(seq int, action, entity, id string) {
		e := audit.Event{Seq: int64(seq), ID: fmt.Sprintf("0193b%03d-%04d-7000-a000-%012d", office, seq, seq), At: "2026-12-01T08:15:02.123456789Z",
			Actor: "canbo", Action: action, Entity: entity, EntityID: id, Data: `{"status":"x"}`, PrevHash: prev}
		e.Hash = audit.HashOf(e)
		prev = e.Hash
		add(syncwire.AuditEvent{Seq: e.Seq, ID: e.ID, At: e.At, Actor: e.Actor, Action: e.Action, Entity: e.Entity, EntityID: e.EntityID, Data: e.Data, PrevHash: e.PrevHash, Hash: e.Hash})
	}
	for i := range permits {
		p := benchPermit(i, office)
		p.UnitCode = stormUnit(office)
		a := syncwire.Application{ID: p.ApplicationID, Version: 1, OfficeUnitCode: p.UnitCode, Status: "submitted", FullName: "Nguyễn Văn An", BirthDate: "1980-01-02",
			IDNumber: fmt.Sprintf("0820800%05d", i), RouteFrom: "Mỹ Tho", RouteTo: "Cái Bè", ValidFrom: "2026-12-01", ValidTo: "2026-12-07", CreatedAt: "2026-12-01T01:02:03Z"}
		add(a)
		event(3*i+1, "application.create", "application", a.ID)
		a.Version, a.Status = 2, "approved"
		add(a)
		event(3*i+2, "application.approve", "application", a.ID)
		add(p)
		event(3*i+3, "permit.issue", "permit", p.ID)
	}
	return items
}

// stormUnit gives each office of the storm a unit of its own.
func stormUnit(office int) string { return fmt.Sprintf("%05d", 28000+office) }

// BenchmarkReconnectStorm: 200 offices come back at once, each with a day's backlog (40
// walk-in permits: 240 records), and push it in batches of 200 (429 → wait the Retry-After
// plus jitter, as the office's loop does; the server takes ConcurrentPushes batches at once). Reported: the
// time until every office has drained, the p99 latency of a batch the server took, how many
// requests it turned away, and the server process's peak heap during the storm over its
// heap before it (the server runs in this process, so this is its memory plus the clients').
func BenchmarkReconnectStorm(b *testing.B) {
	const offices, permits, batch = 200, 40, 200
	for _, engine := range []string{"sqlite", "postgres"} {
		b.Run(engine, func(b *testing.B) {
			ctx := context.Background()
			dsn := filepath.Join(b.TempDir(), "server.db")
			if engine == "postgres" {
				dsn = provincetest.NewPostgresDatabase(b)
			}
			p := provincetest.New(b, dsn)
			url := p.Serve(b)
			clients := make([]*syncclient.Client, offices)
			for i := range clients {
				clients[i] = enrolledClient(b, p, url, stormUnit(i))
			}
			var drain time.Duration
			var lat []time.Duration
			var refused atomic.Int64
			var peak, base uint64
			for b.Loop() {
				b.StopTimer()
				backlogs := make([][]syncwire.PushItem, offices)
				for i := range backlogs {
					backlogs[i] = stormBacklog(b, i, permits)
				}
				runtime.GC()
				var ms runtime.MemStats
				runtime.ReadMemStats(&ms)
				base = ms.HeapInuse
				stop := make(chan struct{})
				var sampler sync.WaitGroup
				sampler.Add(1)
				go func() {
					defer sampler.Done()
					t := time.NewTicker(20 * time.Millisecond)
					defer t.Stop()
					for {
						select {
						case <-stop:
							return
						case <-t.C:
							var m runtime.MemStats
							runtime.ReadMemStats(&m)
							peak = max(peak, m.HeapInuse)
						}
					}
				}()
				var mu sync.Mutex
				var wg sync.WaitGroup
				b.StartTimer()
				start := time.Now()
				for i, c := range clients {
					wg.Add(1)
					go func() {
						defer wg.Done()
						items := backlogs[i]
						for off := 0; off < len(items); {
							end := min(off+batch, len(items))
							t0 := time.Now()
							res, err := c.Push(ctx, items[off:end])
							var rl *syncclient.RetryLater
							if errors.As(err, &rl) {
								// As the office's loop: at least the Retry-After, plus jitter
								// (max(SyncBackoff(1), Retry-After): 5–10 s), so the refused
								// do not all come back in the same instant.
								refused.Add(1)
								time.Sleep(rl.After + rand.N(rl.After))
								continue
							}
							if err != nil {
								b.Error(err)
								return
							}
							d := time.Since(t0)
							for _, r := range res {
								if r.Status != syncwire.Applied && r.Status != syncwire.Duplicate {
									b.Errorf("%+v", r)
									return
								}
							}
							mu.Lock()
							lat = append(lat, d)
							mu.Unlock()
							off = end
						}
					}()
				}
				wg.Wait()
				drain += time.Since(start)
				b.StopTimer()
				close(stop)
				sampler.Wait()
				b.StartTimer()
			}
			slices.Sort(lat)
			p99 := lat[len(lat)*99/100]
			b.ReportMetric(drain.Seconds()/float64(b.N), "s-to-drain")
			b.ReportMetric(float64(offices*permits*6*b.N)/drain.Seconds(), "records/s")
			b.ReportMetric(float64(p99.Milliseconds()), "p99-batch-ms")
			b.ReportMetric(float64(refused.Load())/float64(b.N), "429s")
			b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
			b.ReportMetric(float64(base)/(1<<20), "heap-before-MiB")
		})
	}
}
