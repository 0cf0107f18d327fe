package server_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"testing"

	"giaydiduong/backend/domain"
	"giaydiduong/backend/province"
	"giaydiduong/backend/province/provincetest"
	"giaydiduong/backend/syncclient"
	"giaydiduong/backend/syncwire"
)

// Pull over mutual TLS: an office reads its unit's accounts and the province-wide lists; no
// certificate, an unknown feed and a bad cursor are refused; a new epoch answers 410.
func TestPullOverHTTP(t *testing.T) {
	eachEngine(t, func(t *testing.T, e provincetest.Engine) {
		p := provincetest.New(t, e.DSN)
		if err := p.Svc.UnlockRoot(filepath.Join(p.Dir, province.RootKeyFile), provincetest.RootPassphrase); err != nil {
			t.Fatal(err)
		}
		url := p.Serve(t)
		ctx := context.Background()
		mine := enrolledClient(t, p, url, "28261")
		other := enrolledClient(t, p, url, "28249")
		if _, err := p.Svc.CreateAccount(ctx, "t", province.AccountInput{UnitCode: "28261", Username: "canbo1", FullName: "Nguyễn Văn An", Role: domain.RoleClerk, Password: "mat-khau-dai-1"}); err != nil {
			t.Fatal(err)
		}
		for i := range 5 {
			if _, err := p.Svc.RevokePermit(ctx, "t", fmt.Sprintf("28261/2026/%d", i+1), "mất giấy"); err != nil {
				t.Fatal(err)
			}
		}
		count := func(c *syncclient.Client, feed syncwire.Feed) (int, string) {
			n, cursor := 0, ""
			for {
				page, err := c.Pull(ctx, feed, cursor, 2)
				if err != nil {
					t.Fatalf("pull %s: %v", feed, err)
				}
				n += len(page.Entries)
				cursor = page.Cursor
				if !page.More {
					return n, cursor
				}
			}
		}
		if n, _ := count(mine, syncwire.FeedAccounts); n != 4 { // the account and the three roles
			t.Fatalf("office 28261 pulled %d account entries", n)
		}
		if n, _ := count(other, syncwire.FeedAccounts); n != 3 {
			t.Fatalf("office 28249 pulled %d account entries (another unit's account?)", n)
		}
		n, cursor := count(other, syncwire.FeedRevocations)
		if n != 5 {
			t.Fatalf("revocations: %d", n)
		}

		anon := client(t, mine.HTTPClient().Transport.(*http.Transport).TLSClientConfig.RootCAs, nil)
		if a := mustDo(t, anon, "GET", url+"/v1/feeds/revocations", nil); a.status != http.StatusUnauthorized {
			t.Fatalf("no certificate: %d", a.status)
		}
		hc := mine.HTTPClient()
		if a := mustDo(t, hc, "GET", url+"/v1/feeds/secrets", nil); a.status != http.StatusNotFound {
			t.Fatalf("unknown feed: %d", a.status)
		}
		if a := mustDo(t, hc, "GET", url+"/v1/feeds/units?cursor=nonsense", nil); a.status != http.StatusBadRequest {
			t.Fatalf("bad cursor: %d", a.status)
		}
		if a := mustDo(t, hc, "GET", url+"/v1/feeds/units?limit=0", nil); a.status != http.StatusBadRequest {
			t.Fatalf("bad limit: %d", a.status)
		}
		if _, err := p.Svc.NewEpoch(ctx, "t"); err != nil {
			t.Fatal(err)
		}
		_, err := other.Pull(ctx, syncwire.FeedRevocations, cursor, 10)
		var gone *syncclient.Gone
		if !errors.As(err, &gone) || gone.Reason != syncwire.GoneEpoch {
			t.Fatalf("after a new epoch: %v", err)
		}
	})
}
