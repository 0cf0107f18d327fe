package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"giaydiduong/backend/province"
	"giaydiduong/backend/province/provincetest"
	"giaydiduong/backend/server"
	"giaydiduong/backend/syncclient"
	"giaydiduong/backend/syncwire"
)

func enrolledClient(t testing.TB, p *provincetest.Province, url, unit string) *syncclient.Client {
	t.Helper()
	o, err := p.Svc.AddOffice(context.Background(), "test", province.NewOfficeInput{UnitCode: unit})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if _, err := syncclient.Enroll(context.Background(), dir, url, o.Code, unit); err != nil {
		t.Fatal(err)
	}
	c, err := syncclient.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

func application(id string, version int64, unit, note string) syncwire.Application {
	return syncwire.Application{ID: id, Version: version, OfficeUnitCode: unit, Status: "submitted", FullName: "Nguyễn Văn An", BirthDate: "1980-01-02",
		IDNumber: "082080000001", RouteFrom: "Mỹ Tho", RouteTo: "Cái Bè", ValidFrom: "2026-12-01", ValidTo: "2026-12-07", Note: note, CreatedAt: "2026-12-01T01:02:03Z"}
}

func item(t *testing.T, r syncwire.Record) syncwire.PushItem {
	t.Helper()
	it, err := syncclient.Item(r)
	if err != nil {
		t.Fatal(err)
	}
	return it
}

func tableCount(t *testing.T, p *provincetest.Province, table string) int64 {
	t.Helper()
	var n int64
	if err := p.Svc.DB().Table(table).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

func statuses(rs []syncwire.PushResult) []syncwire.ItemStatus {
	out := make([]syncwire.ItemStatus, len(rs))
	for i, r := range rs {
		out[i] = r.Status
	}
	return out
}

func TestPushPerItemStatuses(t *testing.T) {
	eachEngine(t, func(t *testing.T, e provincetest.Engine) {
		ctx := context.Background()
		p := provincetest.New(t, e.DSN)
		url := p.Serve(t)
		c := enrolledClient(t, p, url, "28261")
		other := enrolledClient(t, p, url, "28264")

		v1 := item(t, application("app-1", 1, "28261", ""))
		first, err := c.Push(ctx, []syncwire.PushItem{v1, item(t, application("app-1", 2, "28261", "sửa"))})
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(statuses(first)) != "[applied applied]" {
			t.Fatalf("first batch %+v", first)
		}

		damaged := item(t, application("app-3", 1, "28261", ""))
		damaged.Hash = strings.Repeat("0", 64)
		batch := []syncwire.PushItem{
			v1, // the same version again: duplicate
			item(t, application("app-1", 1, "28261", "changed after it was sent")),         // same version, other body: conflict
			{Record: []byte("not cbor"), Hash: syncwire.Hash([]byte("not cbor"))},          // rejected
			item(t, application("app-2", 1, "28264", "")),                                  // another unit's record: rejected
			item(t, syncwire.Unit{Code: "28261", Version: 9, Name: "x", Level: "commune"}), // province-owned: rejected
			damaged, // bytes do not match the hash: retry
			item(t, syncwire.AuditEvent{Seq: 1, ID: "ev-1", At: "2026-12-01T01:02:03Z", Actor: "canbo", Action: "application.create"}), // applied
		}
		before := tableCount(t, p, "office_records")
		res, err := c.Push(ctx, batch)
		if err != nil {
			t.Fatal(err)
		}
		want := "[duplicate conflict rejected rejected rejected retry applied]"
		if fmt.Sprint(statuses(res)) != want {
			t.Fatalf("statuses %v, want %s (%+v)", statuses(res), want, res)
		}
		for i, r := range res {
			if r.Index != i || (r.Status != syncwire.Applied && r.Status != syncwire.Duplicate && r.Reason == "") {
				t.Errorf("result %d: %+v", i, r)
			}
		}
		if got := tableCount(t, p, "office_records"); got != before+1 {
			t.Fatalf("office_records %d -> %d, want one more", before, got)
		}
		q, err := p.Svc.Quarantine(ctx, "")
		if err != nil || len(q) != 4 {
			t.Fatalf("quarantine %+v %v", q, err)
		}
		// The same batch again: nothing new stored or quarantined.
		again, err := c.Push(ctx, batch)
		if err != nil {
			t.Fatal(err)
		}
		if want := "[duplicate conflict rejected rejected rejected retry duplicate]"; fmt.Sprint(statuses(again)) != want {
			t.Fatalf("again %v", statuses(again))
		}
		if q2, _ := p.Svc.Quarantine(ctx, ""); len(q2) != 4 || tableCount(t, p, "office_records") != before+1 {
			t.Fatalf("a replay added rows: quarantine %d", len(q2))
		}

		// The same version twice in one batch, and once more with another body.
		same := item(t, application("app-9", 1, "28261", ""))
		in, err := c.Push(ctx, []syncwire.PushItem{same, same, item(t, application("app-9", 1, "28261", "khác"))})
		if err != nil || fmt.Sprint(statuses(in)) != "[applied duplicate conflict]" {
			t.Fatalf("repeats inside one batch: %v %v", statuses(in), err)
		}

		// Another office writing the first office's record (its own unit in the body) is refused.
		steal, err := other.Push(ctx, []syncwire.PushItem{item(t, application("app-1", 3, "28264", ""))})
		if err != nil || steal[0].Status != syncwire.Rejected || !strings.Contains(steal[0].Reason, "another office") {
			t.Fatalf("another office's record: %+v %v", steal, err)
		}
		var owner string
		p.Svc.DB().Table("office_records").Select("office_id").Where("entity = 'application' AND entity_id = 'app-1' AND version = 3").Scan(&owner)
		if owner != "" {
			t.Fatal("another office wrote version 3")
		}
	})
}

// The same batch sent at once on two connections to two instances: each version stored once.
func TestPushRaceAcrossInstances(t *testing.T) {
	eachEngine(t, func(t *testing.T, e provincetest.Engine) {
		ctx := context.Background()
		a := provincetest.New(t, e.DSN)
		b := provincetest.Open(t, e.DSN, t.TempDir())
		if err := b.Svc.Unlock(ctx, provincetest.CAPassphrase); err != nil {
			t.Fatal(err)
		}
		urlA := a.Serve(t)
		urlB := b.Serve(t)
		ca := enrolledClient(t, a, urlA, "28261")
		var items []syncwire.PushItem
		for i := range 50 {
			items = append(items, item(t, application(fmt.Sprintf("race-%d", i), 1, "28261", "")))
		}
		// The office's second client goes to instance B with the same certificate.
		cb, err := syncclientFor(ca, urlB)
		if err != nil {
			t.Fatal(err)
		}
		// The second connection sends the batch in the reverse order: the server stores items
		// in key order, so the two transactions cannot deadlock on each other's rows.
		reversed := slices.Clone(items)
		slices.Reverse(reversed)
		var wg sync.WaitGroup
		results := make([][]syncwire.PushResult, 2)
		errs := make([]error, 2)
		for i, c := range []*syncclient.Client{ca, cb} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				batch := items
				if i == 1 {
					batch = reversed
				}
				results[i], errs[i] = c.Push(ctx, batch)
			}()
		}
		wg.Wait()
		if errs[0] != nil || errs[1] != nil {
			t.Fatalf("pushes: %v %v", errs[0], errs[1])
		}
		byID := map[string][]syncwire.ItemStatus{}
		for _, rs := range results {
			for _, r := range rs {
				byID[r.ID] = append(byID[r.ID], r.Status)
			}
		}
		for id, s := range byID {
			if !(s[0] == syncwire.Applied && s[1] == syncwire.Duplicate || s[0] == syncwire.Duplicate && s[1] == syncwire.Applied) {
				t.Fatalf("%s: %v", id, s)
			}
		}
		if len(byID) != 50 {
			t.Fatalf("%d ids answered", len(byID))
		}
		if n := tableCount(t, a, "office_records"); n != 50 {
			t.Fatalf("%d rows for 50 records", n)
		}
	})
}

// syncclientFor is the same office's client pointed at another instance.
func syncclientFor(c *syncclient.Client, url string) (*syncclient.Client, error) {
	return syncclient.WithServer(c, url)
}

func TestPushWholeRequestRefusals(t *testing.T) {
	eachEngine(t, func(t *testing.T, e provincetest.Engine) {
		ctx := context.Background()
		p := provincetest.New(t, e.DSN)
		p.Limits = &server.Limits{PushBytes: 8 << 10, PushItems: 4, ConcurrentPushes: 4}
		url := p.Serve(t)
		c := enrolledClient(t, p, url, "28261")
		raw := c.HTTPClient()
		post := func(body []byte, schema string) answer {
			req, _ := http.NewRequestWithContext(ctx, "POST", url+"/v1/push", bytes.NewReader(body))
			if schema != "" {
				req.Header.Set(syncwire.HeaderSchema, schema)
			}
			resp, err := raw.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var a answer
			a.status = resp.StatusCode
			json.NewDecoder(resp.Body).Decode(&a.body)
			return a
		}
		ok, _ := json.Marshal(syncwire.PushRequest{Items: []syncwire.PushItem{item(t, application("x", 1, "28261", ""))}})
		for _, tc := range []struct {
			name   string
			body   []byte
			schema string
			status int
		}{
			{"no schema header (client too old)", ok, "", http.StatusUpgradeRequired},
			{"schema 0", ok, "0", http.StatusUpgradeRequired},
			{"oversized body", bytes.Repeat([]byte(" "), 9<<10), "1", http.StatusRequestEntityTooLarge},
			{"malformed JSON", []byte(`{"items": [`), "1", http.StatusBadRequest},
			{"wrong shape", []byte(`{"items": {"a": 1}}`), "1", http.StatusBadRequest},
		} {
			t.Run(tc.name, func(t *testing.T) {
				before := tableCount(t, p, "office_records") + tableCount(t, p, "push_quarantine")
				got := post(tc.body, tc.schema)
				if got.status != tc.status || got.body.VI == "" {
					t.Fatalf("got %d %+v, want %d", got.status, got.body, tc.status)
				}
				if after := tableCount(t, p, "office_records") + tableCount(t, p, "push_quarantine"); after != before {
					t.Fatal("a refused request wrote")
				}
			})
		}
		// Too many items or bytes: the client halves the batch until it fits.
		var items []syncwire.PushItem
		for i := range 37 {
			items = append(items, item(t, application(fmt.Sprintf("h-%d", i), 1, "28261", strings.Repeat("x", 300))))
		}
		res, err := c.Push(ctx, items)
		if err != nil {
			t.Fatal(err)
		}
		for i, r := range res {
			if r.Index != i || r.Status != syncwire.Applied || r.ID != fmt.Sprintf("h-%d", i) {
				t.Fatalf("result %d: %+v", i, r)
			}
		}
		// One item that alone is too large is an error for the caller, not a silent drop.
		_, err = c.Push(ctx, []syncwire.PushItem{item(t, application("big", 1, "28261", strings.Repeat("x", 9<<10)))})
		var se *syncclient.ServerError
		if !errors.As(err, &se) || se.Status != http.StatusRequestEntityTooLarge {
			t.Fatalf("single oversized item: %v", err)
		}
	})
}
