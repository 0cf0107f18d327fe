package syncclient_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"giaydiduong/backend/province"
	"giaydiduong/backend/province/provincetest"
	"giaydiduong/backend/syncclient"
)

func addOffice(t *testing.T, p *provincetest.Province, unit string) province.NewOffice {
	t.Helper()
	o, err := p.Svc.AddOffice(context.Background(), "test", province.NewOfficeInput{UnitCode: unit})
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func TestEnrollThenMutualTLS(t *testing.T) {
	for _, e := range provincetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			ctx := context.Background()
			p := provincetest.New(t, e.DSN)
			url := p.Serve(t)
			o := addOffice(t, p, "28261")
			dir := t.TempDir()
			id, err := syncclient.Enroll(ctx, dir, url, strings.ToLower(o.Code), "28261")
			if err != nil {
				t.Fatalf("enroll: %v", err)
			}
			if id.OfficeID != o.OfficeID || id.UnitCode != "28261" || id.RootKeyHash != o.RootKeyHash {
				t.Fatalf("identity %+v", id)
			}
			for _, f := range []string{syncclient.KeyFile, syncclient.CertFile, syncclient.RootFile, syncclient.IdentityFile} {
				st, err := os.Stat(filepath.Join(dir, f))
				if err != nil || st.Mode().Perm() != 0o600 {
					t.Fatalf("%s: %v %v", f, st.Mode(), err)
				}
			}
			c, err := syncclient.Open(dir)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			s, err := c.Office(ctx)
			if err != nil || s.OfficeID != o.OfficeID || s.Serial != id.Serial {
				t.Fatalf("office over mutual TLS: %+v %v", s, err)
			}
			if _, err := syncclient.Enroll(ctx, dir, url, o.Code, "28261"); !errors.Is(err, syncclient.ErrAlreadyEnrolled) {
				t.Fatalf("second enrollment: %v", err)
			}
		})
	}
}

// The answer is lost (the office saved nothing but its key): enrolling again with the same
// code gets the same certificate; another office (another key) with that code gets 409.
func TestLostAnswerDoesNotBurnTheCode(t *testing.T) {
	ctx := context.Background()
	p := provincetest.New(t, provincetest.Engines(t)[1].DSN)
	url := p.Serve(t)
	o := addOffice(t, p, "28261")
	dir := t.TempDir()
	first, err := syncclient.Enroll(ctx, dir, url, o.Code, "28261")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{syncclient.CertFile, syncclient.RootFile, syncclient.IdentityFile} {
		os.Remove(filepath.Join(dir, f))
	}
	again, err := syncclient.Enroll(ctx, dir, url, o.Code, "28261")
	if err != nil || again.Serial != first.Serial {
		t.Fatalf("again: %+v %v (first %s)", again, err, first.Serial)
	}
	_, err = syncclient.Enroll(ctx, t.TempDir(), url, o.Code, "28261")
	var se *syncclient.ServerError
	if !errors.As(err, &se) || se.Status != 409 {
		t.Fatalf("another key: %v", err)
	}
}

// A code made by one province does not let its office trust another province's server: the
// root pinned in the code does not match, and the code is never sent.
func TestPinnedRootRefusesAnotherServer(t *testing.T) {
	ctx := context.Background()
	mine := provincetest.New(t, provincetest.Engines(t)[0].DSN)
	other := provincetest.New(t, provincetest.Engines(t)[0].DSN)
	otherURL := other.Serve(t)
	o := addOffice(t, mine, "28261")
	dir := t.TempDir()
	_, err := syncclient.Enroll(ctx, dir, otherURL, o.Code, "28261")
	if err == nil || !strings.Contains(err.Error(), "not the one this enrollment code was made for") {
		t.Fatalf("got %v", err)
	}
	var n int64
	other.Svc.DB().Table("enroll_failures").Count(&n)
	if n != 0 {
		t.Fatal("the code reached the other server")
	}
	if _, err := os.Stat(filepath.Join(dir, syncclient.IdentityFile)); err == nil {
		t.Fatal("an identity was saved")
	}
	// The code still works at its own province.
	if _, err := syncclient.Enroll(ctx, dir, mine.Serve(t), o.Code, "28261"); err != nil {
		t.Fatalf("at its own province: %v", err)
	}
}

func TestNotEnrolled(t *testing.T) {
	if _, err := syncclient.Open(t.TempDir()); !errors.Is(err, syncclient.ErrNotEnrolled) {
		t.Fatalf("got %v", err)
	}
	if _, err := syncclient.Enroll(context.Background(), t.TempDir(), "http://127.0.0.1:1", "x", "28261"); err == nil || !strings.Contains(err.Error(), "https") {
		t.Fatalf("plain http accepted: %v", err)
	}
}

// Renewal keeps the key, overlaps the old certificate, and is refused before it is due.
func TestRenew(t *testing.T) {
	for _, e := range provincetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			ctx := context.Background()
			p := provincetest.New(t, e.DSN)
			clock := provincetest.NewClock()
			p.Svc.Now = clock.Now
			url := p.Serve(t)
			o := addOffice(t, p, "28261")
			dir := t.TempDir()
			first, err := syncclient.Enroll(ctx, dir, url, o.Code, "28261")
			if err != nil {
				t.Fatal(err)
			}
			c, err := syncclient.Open(dir)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			var se *syncclient.ServerError
			if _, err := c.Renew(ctx); !errors.As(err, &se) || se.Status != 409 {
				t.Fatalf("renewal a year ahead: %v", err)
			}
			if c.RenewDue(time.Now()) {
				t.Fatal("a fresh certificate is due")
			}
			clock.Advance(310 * 24 * time.Hour)
			if !c.RenewDue(clock.Now()) {
				t.Fatal("not due 55 days before expiry")
			}
			renewed, err := c.Renew(ctx)
			if err != nil {
				t.Fatalf("renew: %v", err)
			}
			if renewed.Serial == first.Serial || !renewed.NotAfter.After(first.NotAfter) || renewed.OfficeID != first.OfficeID {
				t.Fatalf("renewed %+v, first %+v", renewed, first)
			}
			// The old certificate still works on the open client; a new client uses the new one.
			if s, err := c.Office(ctx); err != nil || s.Serial != first.Serial {
				t.Fatalf("old certificate after renewal: %+v %v", s, err)
			}
			c2, err := syncclient.Open(dir)
			if err != nil {
				t.Fatal(err)
			}
			defer c2.Close()
			if s, err := c2.Office(ctx); err != nil || s.Serial != renewed.Serial {
				t.Fatalf("new certificate: %+v %v", s, err)
			}
		})
	}
}
