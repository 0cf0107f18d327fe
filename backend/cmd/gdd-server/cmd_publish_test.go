package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"giaydiduong/backend/pki"
	"giaydiduong/backend/province"
	"giaydiduong/backend/province/provincetest"
)

// account add, revoke and rules set, on each engine: each publishes into its feed, needs the
// root passphrase, and refuses bad input with the field named.
func TestPublishCommands(t *testing.T) {
	pki.Cost = pki.TestSealCost
	for _, e := range provincetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			data := t.TempDir()
			db := []string{}
			if e.Name == "postgres" {
				db = []string{"--db", e.DSN}
			}
			args := func(a ...string) []string { return append(append([]string{"--data", data}, db...), a...) }
			t.Setenv(envPassword, "admin-password")
			t.Setenv(envRootPassphrase, "root-passphrase-test")
			t.Setenv(envCAPassphrase, "ca-passphrase-test")
			var initRes province.InitResult
			runJSON(t, &initRes, args("init", "--admin", "quantri", "--json")...)

			t.Setenv(envPassword, "mat-khau-can-bo-1")
			var acc province.Account
			runJSON(t, &acc, args("account", "add", "--unit", "28261", "--username", "CanBo.Tinh", "--role", "clerk", "--full-name", "Lê Thị Hoa", "--json")...)
			if acc.Username != "canbo.tinh" || acc.Role != "clerk" || acc.UnitCode != "28261" || acc.FeedSeq != 4 {
				t.Fatalf("account add: %+v", acc)
			}
			if _, err := run(t, args("account", "add", "--unit", "28261", "--username", "x", "--role", "boss", "--full-name", "Lê Thị Hoa")...); err == nil ||
				!strings.Contains(err.Error(), "Tên đăng nhập") || !strings.Contains(err.Error(), "Vai trò") {
				t.Fatalf("bad account: %v", err)
			}
			t.Setenv(envRootPassphrase, "wrong-passphrase-x")
			if _, err := run(t, args("account", "add", "--unit", "28261", "--username", "canbo2", "--role", "clerk", "--full-name", "Lê Thị Hoa")...); err == nil || !strings.Contains(err.Error(), "wrong passphrase") {
				t.Fatalf("wrong root passphrase: %v", err)
			}
			t.Setenv(envRootPassphrase, "")
			if _, err := run(t, args("account", "add", "--unit", "28261", "--username", "canbo2", "--role", "clerk", "--full-name", "Lê Thị Hoa")...); err == nil || !strings.Contains(err.Error(), "GDD_ROOT_PASSPHRASE") {
				t.Fatalf("no root passphrase: %v", err)
			}
			t.Setenv(envRootPassphrase, "root-passphrase-test")

			var rev province.Revocation
			runJSON(t, &rev, args("revoke", "28261 / 2026 / 42", "--reason", "Cấp sai", "--json")...)
			if rev.Number != "28261/2026/000042" || rev.UnitCode != "28261" || !strings.HasPrefix(rev.RevokedBy, "cli:") {
				t.Fatalf("revoke: %+v", rev)
			}
			if _, err := run(t, args("revoke", "not-a-number", "--reason", "x")...); err == nil {
				t.Fatal("a bad number was revoked")
			}
			if _, err := run(t, args("revoke", "28261/2026/43")...); err == nil || !strings.Contains(err.Error(), "lý do") {
				t.Fatalf("no reason: %v", err)
			}

			file := filepath.Join(t.TempDir(), "rules.json")
			day := time.Now().AddDate(0, 0, 5).Format("2006-01-02")
			if err := os.WriteFile(file, []byte(`{"permits_required":true,"purposes":[{"code":"work","vi":"Đi làm"}],"max_days":7,"curfew_start":"22:00","curfew_end":"05:00","effective_from":"`+day+`"}`), 0o600); err != nil {
				t.Fatal(err)
			}
			var pr province.PublishedRules
			runJSON(t, &pr, args("rules", "set", "--unit", "28261", file, "--json")...)
			if pr.RuleVersion != 1 || pr.EffectiveFrom != day {
				t.Fatalf("rules set: %+v", pr)
			}
			if err := os.WriteFile(file, []byte(`{"purposes":[],"max_days":7,"effective_from":"`+day+`"}`), 0o600); err != nil {
				t.Fatal(err)
			}
			if _, err := run(t, args("rules", "set", "--unit", "28261", file)...); err == nil || !strings.Contains(err.Error(), "mục đích") {
				t.Fatalf("rules without purposes: %v", err)
			}
		})
	}
}
