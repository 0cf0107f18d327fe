package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"giaydiduong/backend/accountlist"
	"giaydiduong/backend/pki"
	"giaydiduong/backend/province"
	"giaydiduong/backend/province/provincetest"
)

// account import, on each engine: the valid rows of a unit's list become accounts (one per
// unit a row acts for), a bad row is refused with its column, the same list imported again
// adds nothing, and --dry-run creates nothing.
func TestAccountImport(t *testing.T) {
	pki.Cost = pki.TestSealCost
	list := accountlist.List{
		Header: accountlist.Header{SendingUnit: "UBND Phường Mỹ Tho", SendingUnitCode: "28261", Signer: "Trần Văn Bình", SignerTitle: "Chủ tịch", Date: "2026-11-30"},
		Entries: []accountlist.Entry{
			{FullName: "Nguyễn Thị Hoà", IDNumber: "082185000123", Title: "Công chức một cửa", Unit: "UBND Phường Mỹ Tho", Phone: "0912345678", Role: accountlist.RoleReceive},
			{FullName: "Trần Văn Bình", IDNumber: "082070000456", Title: "Chủ tịch", Unit: "UBND Phường Mỹ Tho", Role: accountlist.RoleSign, HasToken: true, ActsFor: []string{"28261", "28003"}},
			{FullName: "Lê Văn Tâm", IDNumber: "12345", Title: "Quản trị", Unit: "UBND Phường Mỹ Tho", Role: accountlist.RoleAdmin},
		},
	}
	file := filepath.Join(t.TempDir(), "danh-sach.xlsx")
	f, err := os.Create(file)
	if err != nil {
		t.Fatal(err)
	}
	if err := accountlist.Write(f, list); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
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

			imported := func(extra ...string) (province.AccountImport, error) {
				t.Helper()
				out, err := run(t, args(append([]string{"account", "import", file, "--json"}, extra...)...)...)
				var rep province.AccountImport
				if jerr := jsonUnmarshal(out, &rep); jerr != nil {
					t.Fatalf("account import: not JSON (%v): %s", jerr, out)
				}
				return rep, err
			}

			dry, err := imported("--dry-run")
			if err == nil || len(dry.Created) != 3 || len(dry.Refused) != 1 || !dry.DryRun {
				t.Fatalf("dry run: %v %+v", err, dry)
			}
			if _, err := run(t, args("account", "add", "--unit", "28261", "--username", "082185000123", "--role", "clerk", "--full-name", "Người Khác")...); err != nil {
				t.Fatalf("the dry run created an account: %v", err)
			}
			// That account now exists: the first row finds it, the others are made.
			rep, err := imported()
			if err == nil || !strings.Contains(err.Error(), "1 dòng bị từ chối") {
				t.Fatalf("import: want 1 row refused, got %v", err)
			}
			if len(rep.Created) != 2 || len(rep.Existing) != 1 || len(rep.Refused) != 1 {
				t.Fatalf("import: %+v", rep)
			}
			units := map[string]bool{}
			for _, a := range rep.Created {
				if a.Username != "082070000456" || a.Role != "approver" || len(a.Password) != 12 {
					t.Fatalf("created: %+v", a)
				}
				units[a.UnitCode] = true
			}
			if !units["28261"] || !units["28003"] {
				t.Fatalf("one account per unit acted for: %+v", rep.Created)
			}
			if r := rep.Refused[0]; r.Row == 0 || r.Column == "" || !strings.Contains(r.VI, "CCCD") && !strings.Contains(r.VI, "định danh") {
				t.Fatalf("refused row: %+v", r)
			}
			again, _ := imported()
			if len(again.Created) != 0 || len(again.Existing) != 3 {
				t.Fatalf("second import added accounts: %+v", again)
			}
		})
	}
}

func jsonUnmarshal(out string, v any) error { return json.Unmarshal([]byte(out), v) }
