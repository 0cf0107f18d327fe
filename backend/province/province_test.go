package province_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/x509"
	"errors"
	"sync"
	"testing"
	"time"

	"giaydiduong/backend/audit"
	"giaydiduong/backend/pki"
	"giaydiduong/backend/province"
	"giaydiduong/backend/province/provincetest"
)

func csrFor(t *testing.T, key *ecdsa.PrivateKey) string {
	t.Helper()
	csr, err := pki.NewCSR(key, "office test")
	if err != nil {
		t.Fatal(err)
	}
	return string(csr)
}

func newKey(t *testing.T) *ecdsa.PrivateKey {
	t.Helper()
	k, err := pki.NewKey()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func kindOf(err error) province.Kind {
	if err == nil {
		return ""
	}
	return province.AsError(err).Kind
}

// counts is what a refused request must leave unchanged.
type counts struct{ certs, claimed, events int64 }

func countRows(t *testing.T, svc *province.Service) counts {
	t.Helper()
	var c counts
	db := svc.DB()
	if err := db.Table("office_certificates").Count(&c.certs).Error; err != nil {
		t.Fatal(err)
	}
	if err := db.Table("enrollment_codes").Where("used_at IS NOT NULL").Count(&c.claimed).Error; err != nil {
		t.Fatal(err)
	}
	if err := db.Table("audit_events").Count(&c.events).Error; err != nil {
		t.Fatal(err)
	}
	return c
}

func eachEngine(t *testing.T, fn func(t *testing.T, e provincetest.Engine)) {
	for _, e := range provincetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) { fn(t, e) })
	}
}

func TestEnrollmentIsIdempotentPerKey(t *testing.T) {
	eachEngine(t, func(t *testing.T, e provincetest.Engine) {
		ctx := context.Background()
		p := provincetest.New(t, e.DSN)
		o, err := p.Svc.AddOffice(ctx, "test", province.NewOfficeInput{UnitCode: "28261"})
		if err != nil {
			t.Fatal(err)
		}
		keyA := newKey(t)
		first, err := p.Svc.Enroll(ctx, province.EnrollRequest{Code: o.Code, CSR: csrFor(t, keyA), UnitCode: "28261"}, "127.0.0.1")
		if err != nil {
			t.Fatalf("enroll: %v", err)
		}
		cert, err := pki.ParseCert([]byte(first.Certificate))
		if err != nil {
			t.Fatal(err)
		}
		if !cert.PublicKey.(*ecdsa.PublicKey).Equal(keyA.Public()) {
			t.Fatal("certificate is not for the office's key")
		}
		id, err := pki.OfficeIdentityOf(cert)
		if err != nil || id.OfficeID != o.OfficeID || id.UnitCode != "28261" {
			t.Fatalf("identity %+v %v", id, err)
		}
		if first.RootKeyHash != o.RootKeyHash {
			t.Fatal("root key hash differs from the code's")
		}
		before := countRows(t, p.Svc)

		// The answer was lost: the same key again gets the very same certificate.
		again, err := p.Svc.Enroll(ctx, province.EnrollRequest{Code: o.Code, CSR: csrFor(t, keyA)}, "127.0.0.1")
		if err != nil {
			t.Fatalf("same key again: %v", err)
		}
		if again.Serial != first.Serial || again.Certificate != first.Certificate {
			t.Fatal("the same key got another certificate")
		}
		// Another key with the used code: 409, nothing written.
		_, err = p.Svc.Enroll(ctx, province.EnrollRequest{Code: o.Code, CSR: csrFor(t, newKey(t))}, "127.0.0.1")
		if kindOf(err) != province.KindConflict {
			t.Fatalf("another key: got %v, want conflict", err)
		}
		if after := countRows(t, p.Svc); after != before {
			t.Fatalf("refused requests wrote: %+v -> %+v", before, after)
		}
		offices, err := p.Svc.Offices(ctx, "28261")
		if err != nil || len(offices) != 1 || offices[0].Status != province.OfficeActive || len(offices[0].Certificates) != 1 {
			t.Fatalf("offices %+v %v", offices, err)
		}
		rep, err := audit.Verify(ctx, p.Svc.DB())
		if err != nil || !rep.OK || rep.Events != before.events {
			t.Fatalf("audit chain %+v %v", rep, err)
		}
	})
}

func TestEnrollmentRefusals(t *testing.T) {
	eachEngine(t, func(t *testing.T, e provincetest.Engine) {
		ctx := context.Background()
		p := provincetest.New(t, e.DSN)
		clock := provincetest.NewClock()
		p.Svc.Now = clock.Now
		add := func() province.NewOffice {
			o, err := p.Svc.AddOffice(ctx, "test", province.NewOfficeInput{UnitCode: "28261", CodeTTL: time.Hour})
			if err != nil {
				t.Fatal(err)
			}
			return o
		}
		enroll := func(code, unit, client string) error {
			_, err := p.Svc.Enroll(ctx, province.EnrollRequest{Code: code, CSR: csrFor(t, newKey(t)), UnitCode: unit}, client)
			return err
		}

		t.Run("another unit does not burn the code", func(t *testing.T) {
			o := add()
			before := countRows(t, p.Svc)
			if err := enroll(o.Code, "28264", "10.0.0.1"); kindOf(err) != province.KindUnprocessable {
				t.Fatalf("got %v", err)
			}
			if after := countRows(t, p.Svc); after != before {
				t.Fatalf("wrote %+v -> %+v", before, after)
			}
			if err := enroll(o.Code, "28261", "10.0.0.1"); err != nil {
				t.Fatalf("the right unit afterwards: %v", err)
			}
		})
		t.Run("expired", func(t *testing.T) {
			o := add()
			clock.Advance(time.Hour + time.Second)
			before := countRows(t, p.Svc)
			if err := enroll(o.Code, "", "10.0.0.2"); kindOf(err) != province.KindGone {
				t.Fatalf("got %v", err)
			}
			if after := countRows(t, p.Svc); after != before {
				t.Fatalf("wrote %+v -> %+v", before, after)
			}
		})
		t.Run("wrong secrets lock the code", func(t *testing.T) {
			o := add()
			code, _ := pki.ParseEnrollmentCode(o.Code)
			wrong := code
			wrong.Secret = "AAAAAAAAAAAA"
			if wrong.Secret == code.Secret {
				wrong.Secret = "BBBBBBBBBBBB"
			}
			for i := range province.MaxCodeAttempts {
				if err := enroll(wrong.String(), "", "10.0.0.3"); kindOf(err) != province.KindUnauthenticated {
					t.Fatalf("wrong secret %d: %v", i, err)
				}
			}
			before := countRows(t, p.Svc)
			if err := enroll(o.Code, "", "10.0.0.3"); kindOf(err) != province.KindGone {
				t.Fatalf("right secret after %d wrong ones: %v", province.MaxCodeAttempts, err)
			}
			if after := countRows(t, p.Svc); after != before {
				t.Fatalf("wrote %+v -> %+v", before, after)
			}
		})
		t.Run("a client that keeps failing waits", func(t *testing.T) {
			o := add()
			for i := range province.MaxClientFailures {
				if err := enroll("ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ", "", "10.0.0.4"); kindOf(err) != province.KindUnauthenticated {
					t.Fatalf("unknown code %d: %v", i, err)
				}
			}
			if err := enroll(o.Code, "", "10.0.0.4"); kindOf(err) != province.KindRateLimited {
				t.Fatalf("after %d failures: %v", province.MaxClientFailures, err)
			}
			if err := enroll(o.Code, "", "10.0.0.5"); err != nil {
				t.Fatalf("another client is not limited: %v", err)
			}
			clock.Advance(province.FailureWindow + time.Second)
		})
		t.Run("malformed input", func(t *testing.T) {
			o := add()
			before := countRows(t, p.Svc)
			if err := enroll("not a code", "", "10.0.0.6"); kindOf(err) != province.KindInvalid {
				t.Fatalf("bad code: %v", err)
			}
			_, err := p.Svc.Enroll(ctx, province.EnrollRequest{Code: o.Code, CSR: "-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n"}, "10.0.0.6")
			if kindOf(err) != province.KindInvalid {
				t.Fatalf("bad CSR: %v", err)
			}
			if after := countRows(t, p.Svc); after != before {
				t.Fatalf("wrote %+v -> %+v", before, after)
			}
		})
	})
}

// Two instances on one database race to use one code with two keys: exactly one wins.
func TestConcurrentEnrollmentOneWinner(t *testing.T) {
	eachEngine(t, func(t *testing.T, e provincetest.Engine) {
		ctx := context.Background()
		a := provincetest.New(t, e.DSN)
		b := provincetest.Open(t, e.DSN, a.Dir)
		if err := b.Svc.Unlock(ctx, provincetest.CAPassphrase); err != nil {
			t.Fatal(err)
		}
		for round := range 5 {
			o, err := a.Svc.AddOffice(ctx, "test", province.NewOfficeInput{UnitCode: "28261"})
			if err != nil {
				t.Fatal(err)
			}
			var wg sync.WaitGroup
			errs := make([]error, 2)
			for i, inst := range []*provincetest.Province{a, b} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					_, errs[i] = inst.Svc.Enroll(ctx, province.EnrollRequest{Code: o.Code, CSR: csrFor(t, newKey(t))}, "127.0.0.1")
				}()
			}
			wg.Wait()
			ok := 0
			for _, err := range errs {
				switch {
				case err == nil:
					ok++
				case kindOf(err) != province.KindConflict:
					t.Fatalf("round %d: %v", round, err)
				}
			}
			if ok != 1 {
				t.Fatalf("round %d: %d winners (%v)", round, ok, errs)
			}
		}
		var n int64
		a.Svc.DB().Table("office_certificates").Count(&n)
		if n != 5 {
			t.Fatalf("%d certificates for 5 codes", n)
		}
		if rep, err := audit.Verify(ctx, a.Svc.DB()); err != nil || !rep.OK {
			t.Fatalf("audit chain %+v %v", rep, err)
		}
	})
}

func TestAuthorizeOfficePerRequest(t *testing.T) {
	eachEngine(t, func(t *testing.T, e provincetest.Engine) {
		ctx := context.Background()
		p := provincetest.New(t, e.DSN)
		clock := provincetest.NewClock()
		p.Svc.Now = clock.Now
		enrolled := func() *x509.Certificate {
			o, err := p.Svc.AddOffice(ctx, "test", province.NewOfficeInput{UnitCode: "28261"})
			if err != nil {
				t.Fatal(err)
			}
			en, err := p.Svc.Enroll(ctx, province.EnrollRequest{Code: o.Code, CSR: csrFor(t, newKey(t))}, "127.0.0.1")
			if err != nil {
				t.Fatal(err)
			}
			c, err := pki.ParseCert([]byte(en.Certificate))
			if err != nil {
				t.Fatal(err)
			}
			return c
		}
		c := enrolled()
		sess, err := p.Svc.AuthorizeOffice(ctx, c)
		if err != nil || sess.UnitCode != "28261" {
			t.Fatalf("fresh certificate: %+v %v", sess, err)
		}
		if err := p.Svc.RevokeCertificate(ctx, "test", province.SerialOf(c), "lost"); err != nil {
			t.Fatal(err)
		}
		if _, err := p.Svc.AuthorizeOffice(ctx, c); kindOf(err) != province.KindUnauthenticated {
			t.Fatalf("revoked certificate: %v", err)
		}

		c2 := enrolled()
		id, _ := pki.OfficeIdentityOf(c2)
		if _, err := p.Svc.RevokeOffice(ctx, "test", id.OfficeID, "closed"); err != nil {
			t.Fatal(err)
		}
		if _, err := p.Svc.AuthorizeOffice(ctx, c2); kindOf(err) != province.KindUnauthenticated {
			t.Fatalf("revoked office: %v", err)
		}

		c3 := enrolled()
		clock.Advance(pki.OfficeValidity + time.Hour)
		if _, err := p.Svc.AuthorizeOffice(ctx, c3); kindOf(err) != province.KindUnauthenticated {
			t.Fatalf("expired certificate: %v", err)
		}
	})
}

func TestInitOnce(t *testing.T) {
	eachEngine(t, func(t *testing.T, e provincetest.Engine) {
		p := provincetest.New(t, e.DSN)
		_, err := p.Svc.Init(context.Background(), province.InitInput{AdminUsername: "x", AdminPassword: "long-password", RootPassphrase: "root-passphrase-x", CAPassphrase: "ca-passphrase-xx", ServerHosts: []string{"localhost"}, RootKeyPath: p.Dir + "/other-root.pem"})
		if kindOf(err) != province.KindConflict {
			t.Fatalf("second init: %v", err)
		}
		q := provincetest.Open(t, e.DSN, p.Dir)
		if err := q.Svc.Unlock(context.Background(), "wrong-ca-passphrase"); kindOf(err) != province.KindUnauthenticated {
			t.Fatalf("wrong CA passphrase: %v", err)
		}
	})
}

// The migrations go all the way down and up again on both engines.
func TestMigrationsDownAndUp(t *testing.T) {
	eachEngine(t, func(t *testing.T, e provincetest.Engine) {
		ctx := context.Background()
		db, err := province.OpenDB(ctx, e.DSN)
		if err != nil {
			t.Fatal(err)
		}
		defer province.CloseDB(db)
		sqlDB, _ := db.DB()
		if err := province.MigrateDown(ctx, sqlDB, province.DialectOf(e.DSN)); err != nil {
			t.Fatalf("down: %v", err)
		}
		if db.Migrator().HasTable("offices") {
			t.Fatal("offices survived the down migration")
		}
		if err := province.Migrate(ctx, sqlDB, province.DialectOf(e.DSN), 0); err != nil {
			t.Fatalf("up again: %v", err)
		}
		if !db.Migrator().HasTable("offices") {
			t.Fatal("offices missing after up")
		}
	})
}

func TestErrorsKeepTheirKind(t *testing.T) {
	if province.AsError(errors.New("x")).Kind != province.KindInternal {
		t.Fatal("plain error is not internal")
	}
}

func TestRenewRefusals(t *testing.T) {
	eachEngine(t, func(t *testing.T, e provincetest.Engine) {
		ctx := context.Background()
		p := provincetest.New(t, e.DSN)
		clock := provincetest.NewClock()
		p.Svc.Now = clock.Now
		o, _ := p.Svc.AddOffice(ctx, "test", province.NewOfficeInput{UnitCode: "28261"})
		key := newKey(t)
		en, err := p.Svc.Enroll(ctx, province.EnrollRequest{Code: o.Code, CSR: csrFor(t, key)}, "127.0.0.1")
		if err != nil {
			t.Fatal(err)
		}
		sess := province.OfficeSession{OfficeID: en.OfficeID, UnitCode: en.UnitCode, Serial: en.Serial}
		clock.Advance(pki.OfficeValidity - 30*24*time.Hour)
		before := countRows(t, p.Svc)
		if _, err := p.Svc.Renew(ctx, sess, csrFor(t, newKey(t))); kindOf(err) != province.KindUnprocessable {
			t.Fatalf("renewal with another key: %v", err)
		}
		if _, err := p.Svc.Renew(ctx, sess, "junk"); kindOf(err) != province.KindInvalid {
			t.Fatalf("junk CSR: %v", err)
		}
		if after := countRows(t, p.Svc); after != before {
			t.Fatalf("wrote %+v -> %+v", before, after)
		}
		if err := p.Svc.RevokeCertificate(ctx, "test", en.Serial, "lost"); err != nil {
			t.Fatal(err)
		}
		if _, err := p.Svc.Renew(ctx, sess, csrFor(t, key)); kindOf(err) != province.KindUnauthenticated {
			t.Fatalf("renewal of a revoked certificate: %v", err)
		}
	})
}
