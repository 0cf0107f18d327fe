package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/mattn/go-sqlite3"

	"giaydiduong/backend/app"
)

// The demo office is seeded once (argon2 makes a seed cost a noticeable fraction of a
// second) into a template directory; every test works on its own copy of it.
var (
	templateOnce sync.Once
	templateDir  string
	templateErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if templateDir != "" {
		os.RemoveAll(templateDir)
	}
	os.Exit(code)
}

// demoDir returns a fresh copy of a data directory made by `gddctl init --demo`.
func demoDir(t *testing.T) string {
	t.Helper()
	templateOnce.Do(func() {
		templateDir, templateErr = os.MkdirTemp("", "gddctl-demo-")
		if templateErr != nil {
			return
		}
		c := &cli{out: io.Discard}
		root := c.root()
		root.SetArgs([]string{"--data", templateDir, "init", "--demo"})
		root.SetErr(io.Discard)
		templateErr = root.ExecuteContext(context.Background())
	})
	if templateErr != nil {
		t.Fatalf("init --demo: %v", templateErr)
	}
	dst := t.TempDir()
	entries, err := os.ReadDir(templateDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(templateDir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dst, e.Name()), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dst
}

// run executes gddctl in-process and returns what it printed on stdout.
func run(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	c := &cli{out: &out}
	root := c.root()
	root.SetArgs(args)
	root.SetOut(&out)
	root.SetErr(&errOut)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	err := root.ExecuteContext(ctx)
	return out.String(), err
}

// runOK runs gddctl, fails the test on an error and decodes --json output into v (if not nil).
func runOK(t *testing.T, v any, args ...string) string {
	t.Helper()
	out, err := run(t, args...)
	if err != nil {
		t.Fatalf("gddctl %s: %v", strings.Join(args, " "), err)
	}
	if v != nil {
		if err := json.Unmarshal([]byte(out), v); err != nil {
			t.Fatalf("gddctl %s: output is not JSON: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	return out
}

// runFail runs gddctl, requires a failure and returns its one-line reason as main prints it.
func runFail(t *testing.T, args ...string) string {
	t.Helper()
	out, err := run(t, args...)
	if err == nil {
		t.Fatalf("gddctl %s succeeded, want a failure; output:\n%s", strings.Join(args, " "), out)
	}
	return oneLine(err)
}

// vnDay is today plus n days on the office's calendar (Vietnam, UTC+7, no DST).
func vnDay(n int) string {
	return time.Now().In(time.FixedZone("ICT", 7*3600)).AddDate(0, 0, n).Format(time.DateOnly)
}

// appInput is a valid application file as support scripts write it.
func appInput() map[string]string {
	return map[string]string{
		"full_name":              "Nguyễn Văn Dũng",
		"birth_date":             "1995-03-15",
		"gender":                 "male",
		"id_number":              "082095001234",
		"phone":                  "0912345678",
		"residence_commune_code": app.DemoUnitCode,
		"residence_street":       "Ấp Tân Hòa",
		"workplace":              "Công ty TNHH Thủy sản Mỹ Tho",
		"purpose_code":           "work",
		"route_from":             "Ấp Tân Hòa, Xã Tân Mỹ Chánh",
		"route_to":               "Phường 5, Thành phố Mỹ Tho",
		"vehicle_type":           "motorbike",
		"vehicle_plate":          "63-B1 123.45",
		"valid_from":             vnDay(0),
		"valid_to":               vnDay(6),
		"note":                   "Ca sáng",
	}
}

func writeJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "in.json")
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

type appJSON struct {
	ID                   string `json:"id"`
	Status               string `json:"status"`
	FullName             string `json:"full_name"`
	BirthDate            string `json:"birth_date"`
	Gender               string `json:"gender"`
	IDNumber             string `json:"id_number"`
	Phone                string `json:"phone"`
	ResidenceCommuneCode string `json:"residence_commune_code"`
	ResidenceStreet      string `json:"residence_street"`
	CardAddress          string `json:"card_address"`
	PurposeCode          string `json:"purpose_code"`
	VehiclePlate         string `json:"vehicle_plate"`
	ValidFrom            string `json:"valid_from"`
	ValidTo              string `json:"valid_to"`
	RejectReason         string `json:"reject_reason"`
	DecidedByName        string `json:"decided_by_name"`
}

type pageJSON struct {
	Items []appJSON `json:"items"`
	Total int64     `json:"total"`
}

type auditJSON struct {
	Events  int64 `json:"events"`
	OK      bool  `json:"ok"`
	Problem *struct {
		Seq    int64  `json:"seq"`
		Reason string `json:"reason"`
	} `json:"problem"`
}

func TestInitDemo(t *testing.T) {
	dir := t.TempDir()
	var office struct {
		Name     string `json:"name"`
		UnitCode string `json:"unit_code"`
		Demo     bool   `json:"demo"`
	}
	runOK(t, &office, "--data", dir, "init", "--demo", "--json")
	if office.UnitCode != app.DemoUnitCode || !office.Demo || !strings.Contains(office.Name, "dùng thử") {
		t.Errorf("init --demo made office %+v, want the demo office %s marked as a demo", office, app.DemoUnitCode)
	}
	if _, err := os.Stat(filepath.Join(dir, app.DBFile)); err != nil {
		t.Errorf("no database in the data directory: %v", err)
	}
	// The demo users exist with the demo password, one per role.
	t.Setenv("GDD_PASSWORD", app.DemoPassword)
	var users []struct {
		Username string `json:"username"`
		Role     string `json:"role"`
	}
	runOK(t, &users, "--data", dir, "--user", "quantri", "user", "list", "--json")
	roles := map[string]string{}
	for _, u := range users {
		roles[u.Username] = u.Role
	}
	want := map[string]string{"canbo": "clerk", "lanhdao": "approver", "quantri": "office_admin"}
	for name, role := range want {
		if roles[name] != role {
			t.Errorf("user %s has role %q, want %q (users: %v)", name, roles[name], role, roles)
		}
	}
	// The seed runs once: a second init is refused and leaves the office as it was.
	var before auditJSON
	runOK(t, &before, "--data", dir, "audit", "verify", "--json")
	runFail(t, "--data", dir, "init", "--demo")
	var after auditJSON
	runOK(t, &after, "--data", dir, "audit", "verify", "--json")
	if after.Events != before.Events {
		t.Errorf("a refused second init wrote %d audit events", after.Events-before.Events)
	}
}

func TestUnitList(t *testing.T) {
	dir := demoDir(t)
	list := func(args ...string) []map[string]any {
		t.Helper()
		out := runOK(t, nil, append([]string{"--data", dir, "unit", "list", "--json"}, args...)...)
		var rows []map[string]any
		if err := json.Unmarshal([]byte(out), &rows); err != nil {
			t.Fatalf("unit list --json %v: %v", args, err)
		}
		for _, r := range rows {
			if len(r) != 7 {
				t.Fatalf("unit row %v: want code, name, type, level, parent, valid_from, valid_to", r)
			}
		}
		return rows
	}
	count := func(rows []map[string]any) map[string]int {
		m := map[string]int{}
		codes := map[string]bool{}
		for _, r := range rows {
			m[r["level"].(string)]++
			if codes[r["code"].(string)] {
				t.Errorf("unit %s listed twice", r["code"])
			}
			codes[r["code"].(string)] = true
		}
		return m
	}
	// Today: 34 provinces, 3,321 communes, no districts.
	if got := count(list()); got["province"] != 34 || got["commune"] != 3321 || got["district"] != 0 {
		t.Errorf("today: %v", got)
	}
	// On 20 September 2021: the March 2025 list (63 provinces; Tiền Giang's 11 districts, 164 communes).
	old := list("--on", "2021-09-20")
	if got := count(old); got["province"] != 63 || got["district"] != 11 || got["commune"] != 164 {
		t.Errorf("2021: %v", got)
	}
	find := func(rows []map[string]any, code string) map[string]any {
		for _, r := range rows {
			if r["code"] == code {
				return r
			}
		}
		return nil
	}
	if r := find(old, "28261"); r == nil || r["name"] != "Phường 1" || r["parent"] != "815" || r["valid_from"] != nil || r["valid_to"] != "2025-07-01" {
		t.Errorf("28261 in 2021: %v", r)
	}
	dt := list("--province", "82")
	if r := find(dt, "28261"); len(dt) != 103 || r == nil || r["name"] != "Phường Mỹ Tho" || r["parent"] != "82" || r["valid_from"] != "2025-07-01" || r["valid_to"] != nil {
		t.Errorf("Đồng Tháp today: %d rows, 28261 %v", len(dt), r)
	}
	if find(dt, "28291") != nil {
		t.Error("28291 is listed today")
	}
}

func TestRulesShow(t *testing.T) {
	dir := demoDir(t)
	var rules struct {
		Version         int  `json:"version"`
		PermitsRequired bool `json:"permits_required"`
		MaxDays         int  `json:"max_days"`
		Purposes        []struct {
			Code string `json:"code"`
			VI   string `json:"vi"`
			EN   string `json:"en"`
		} `json:"purposes"`
	}
	runOK(t, &rules, "--data", dir, "rules", "show", "--json")
	if rules.Version < 1 || !rules.PermitsRequired || rules.MaxDays != 14 {
		t.Errorf("rules %+v: want version >= 1, permits required, max_days 14", rules)
	}
	codes := map[string]bool{}
	for _, p := range rules.Purposes {
		if p.Code == "" || p.VI == "" || p.EN == "" {
			t.Errorf("purpose %+v lacks its code or a label", p)
		}
		codes[p.Code] = true
	}
	for _, c := range []string{"work", "medical", "essential_goods"} {
		if !codes[c] {
			t.Errorf("purpose %q missing from %v", c, codes)
		}
	}
}

func TestApplicationWorkflow(t *testing.T) {
	dir := demoDir(t)
	t.Setenv("GDD_PASSWORD", app.DemoPassword)
	as := func(user string, args ...string) []string {
		return append([]string{"--data", dir, "--user", user}, args...)
	}
	add := func(in map[string]string) appJSON {
		t.Helper()
		var a appJSON
		runOK(t, &a, as("canbo", "application", "add", "--json", writeJSON(t, in))...)
		return a
	}
	show := func(id string) appJSON {
		t.Helper()
		var a appJSON
		runOK(t, &a, as("canbo", "application", "show", id, "--json")...)
		return a
	}

	first := add(appInput())
	if first.ID == "" || first.Status != "submitted" {
		t.Fatalf("application add printed %+v, want an id and status submitted", first)
	}
	if first.FullName != "Nguyễn Văn Dũng" || first.ValidFrom != vnDay(0) || first.ValidTo != vnDay(6) || first.IDNumber != "082095001234" {
		t.Errorf("application add saved %+v, not what the file said", first)
	}

	t.Run("search ignores diacritics", func(t *testing.T) {
		tests := []struct {
			search string
			want   bool
		}{
			{"nguyen van dung", true},
			{"NGUYEN VAN DUNG", true},
			{"Nguyễn Văn Dũng", true},
			{"nguyễn văn dũng", true},
			{"082095001234", true},
			{"nguyen van dat", false},
		}
		for _, tc := range tests {
			var page pageJSON
			runOK(t, &page, as("canbo", "application", "list", "--status", "submitted", "--search", tc.search, "--json")...)
			found := false
			for _, it := range page.Items {
				if it.ID == first.ID {
					found = true
				}
				if it.Status != "submitted" {
					t.Errorf("--status submitted listed %s in status %s", it.ID, it.Status)
				}
			}
			if found != tc.want || (tc.want && page.Total != 1) {
				t.Errorf("search %q: found=%v total=%d, want found=%v", tc.search, found, page.Total, tc.want)
			}
		}
		// The status filter applies too: the demo's approved application is not submitted.
		var page pageJSON
		runOK(t, &page, as("canbo", "application", "list", "--status", "approved", "--search", "nguyen van dung", "--json")...)
		if page.Total != 0 {
			t.Errorf("--status approved found %d submitted applications", page.Total)
		}
	})

	secondIn := appInput()
	secondIn["id_number"] = "082095001235" // another citizen: the same one would be a duplicate
	second := add(secondIn)

	t.Run("clerk cannot approve", func(t *testing.T) {
		msg := runFail(t, as("canbo", "application", "approve", first.ID)...)
		if !strings.Contains(msg, "not allowed") {
			t.Errorf("approve as clerk failed with %q, want the forbidden reason", msg)
		}
		if got := show(first.ID); got.Status != "submitted" || got.DecidedByName != "" {
			t.Errorf("after a refused approval the application is %+v, want it unchanged", got)
		}
	})

	t.Run("approver decides", func(t *testing.T) {
		var approved appJSON
		runOK(t, &approved, as("lanhdao", "application", "approve", first.ID, "--json")...)
		if approved.ID != first.ID || approved.Status != "approved" || approved.DecidedByName != "Lê Văn Đức" {
			t.Errorf("approve printed %+v, want approved by Lê Văn Đức", approved)
		}
		reason := "Không thuộc đối tượng được cấp giấy đi đường"
		var rejected appJSON
		runOK(t, &rejected, as("lanhdao", "application", "reject", second.ID, "--reason", reason, "--json")...)
		if rejected.Status != "rejected" || rejected.RejectReason != reason {
			t.Errorf("reject printed %+v, want rejected with reason %q", rejected, reason)
		}
		if got := show(second.ID); got.Status != "rejected" || got.RejectReason != reason {
			t.Errorf("the rejection was not saved: %+v", got)
		}
	})

	t.Run("refused decisions change nothing", func(t *testing.T) {
		tests := []struct {
			name string
			args []string
			id   string
			want string // in the reason
		}{
			{"approve twice", as("lanhdao", "application", "approve", first.ID), first.ID, "approved"},
			{"reject an approved one", as("lanhdao", "application", "reject", first.ID, "--reason", "Đổi ý sau khi duyệt"), first.ID, "approved"},
			{"reject without a reason", as("lanhdao", "application", "reject", second.ID), second.ID, "lý do"},
			{"unknown id", as("lanhdao", "application", "approve", "0190d2c4-0000-7000-8000-000000000000"), "", "Không tìm thấy"},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				var before appJSON
				if tc.id != "" {
					before = show(tc.id)
				}
				msg := runFail(t, tc.args...)
				if !strings.Contains(msg, tc.want) {
					t.Errorf("failure reason %q does not mention %q", msg, tc.want)
				}
				if tc.id != "" {
					if after := show(tc.id); after != before {
						t.Errorf("a refused decision changed the application:\n%+v\n%+v", before, after)
					}
				}
			})
		}
	})
}

func TestApplicationAddFromCCCDQR(t *testing.T) {
	dir := demoDir(t)
	t.Setenv("GDD_PASSWORD", app.DemoPassword)
	// The file names another citizen; the card wins for name, birth date, gender and ID. Its
	// address names Xã Tân Mỹ Chánh, gone since 2025: it is kept as the card gave it, and the
	// file's residence (a commune of today) stands.
	file := writeJSON(t, appInput())
	card := "082301009999|312345678|trần  thị mỹ linh|15082001|Nữ|Ấp Mỹ Thạnh, Xã Tân Mỹ Chánh, Thành phố Mỹ Tho, Tiền Giang|01072021"
	var got appJSON
	runOK(t, &got, "--data", dir, "--user", "canbo", "application", "add", "--cccd-qr", card, "--json", file)
	want := appJSON{
		ID: got.ID, Status: "submitted",
		FullName: "Trần Thị Mỹ Linh", BirthDate: "2001-08-15", Gender: "female", IDNumber: "082301009999",
		ResidenceCommuneCode: app.DemoUnitCode, ResidenceStreet: "Ấp Tân Hòa",
		CardAddress: "Ấp Mỹ Thạnh, Xã Tân Mỹ Chánh, Thành phố Mỹ Tho, Tiền Giang",
		// what the card does not carry still comes from the file
		Phone: "0912345678", PurposeCode: "work", VehiclePlate: got.VehiclePlate, ValidFrom: vnDay(0), ValidTo: vnDay(6),
	}
	if got.ID == "" || got != want {
		t.Errorf("add --cccd-qr saved\n%+v\nwant\n%+v", got, want)
	}
	if got.VehiclePlate == "" {
		t.Errorf("the file's vehicle plate was lost")
	}

	// A malformed card text is refused and adds nothing.
	var before pageJSON
	runOK(t, &before, "--data", dir, "--user", "canbo", "application", "list", "--json")
	msg := runFail(t, "--data", dir, "--user", "canbo", "application", "add", "--cccd-qr", "082301009999|only|three", "--json", file)
	if !strings.Contains(msg, "cccd_qr") {
		t.Errorf("a malformed card failed with %q, want it to name cccd_qr", msg)
	}
	var after pageJSON
	runOK(t, &after, "--data", dir, "--user", "canbo", "application", "list", "--json")
	if after.Total != before.Total {
		t.Errorf("a refused card added %d applications", after.Total-before.Total)
	}
}

func TestInvalidApplicationChangesNothing(t *testing.T) {
	dir := demoDir(t)
	t.Setenv("GDD_PASSWORD", app.DemoPassword)
	counts := func() (apps, events int64) {
		t.Helper()
		var page pageJSON
		runOK(t, &page, "--data", dir, "--user", "canbo", "application", "list", "--json")
		var rep auditJSON
		runOK(t, &rep, "--data", dir, "audit", "verify", "--json")
		return page.Total, rep.Events
	}
	tests := []struct {
		name  string
		edit  func(in map[string]string)
		field string
	}{
		{"CCCD with no province code", func(in map[string]string) { in["id_number"] = "000095001234" }, "id_number"},
		{"CCCD of the other gender", func(in map[string]string) { in["gender"] = "female" }, "id_number"},
		{"landline phone", func(in map[string]string) { in["phone"] = "02733123456" }, "phone"},
		{"valid from yesterday", func(in map[string]string) { in["valid_from"] = vnDay(-1) }, "valid_from"},
		{"window over the rule's maximum", func(in map[string]string) { in["valid_to"] = vnDay(14) }, "valid_to"},
		{"purpose not in the rules", func(in map[string]string) { in["purpose_code"] = "tourism" }, "purpose_code"},
		{"district instead of commune", func(in map[string]string) { in["residence_commune_code"] = "815" }, "residence_commune_code"},
	}
	apps0, events0 := counts()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := appInput()
			tc.edit(in)
			_, ev := counts()
			out, err := run(t, "--data", dir, "--user", "canbo", "application", "add", "--json", writeJSON(t, in))
			if err == nil {
				t.Fatalf("add succeeded: %s", out)
			}
			if out != "" {
				t.Errorf("a failed add printed %q on stdout", out)
			}
			e := app.AsError(err)
			if e.Code != app.CodeValidation {
				t.Errorf("error code %s, want validation: %v", e.Code, err)
			}
			named := false
			for _, f := range e.Fields {
				named = named || f.Field == tc.field
			}
			if !named || !strings.Contains(oneLine(err), tc.field) {
				t.Errorf("failure %q (fields %+v) does not name %s", oneLine(err), e.Fields, tc.field)
			}
			var rep auditJSON
			runOK(t, &rep, "--data", dir, "audit", "verify", "--json")
			if rep.Events != ev {
				t.Errorf("a refused application wrote %d audit events", rep.Events-ev)
			}
		})
	}
	// Only the listing's own sign-ins were audited; no application was added.
	apps1, events1 := counts()
	if apps1 != apps0 {
		t.Errorf("refused applications changed the total from %d to %d", apps0, apps1)
	}
	signIns := int64(1 + len(tests)) // one per counts() call after the first
	if events1-events0 != signIns {
		t.Errorf("audit events grew by %d, want only the %d sign-ins of the listings", events1-events0, signIns)
	}
	// A file with a typo in a field name is refused before anything happens.
	in := map[string]string{}
	for k, v := range appInput() {
		in[k] = v
	}
	in["fullname"] = in["full_name"]
	if msg := runFail(t, "--data", dir, "--user", "canbo", "application", "add", "--json", writeJSON(t, in)); !strings.Contains(msg, "fullname") {
		t.Errorf("an unknown field failed with %q, want it named", msg)
	}
}

func TestSignInFailures(t *testing.T) {
	dir := demoDir(t)
	tests := []struct {
		name     string
		password string
		args     []string
		want     string
	}{
		{"wrong password", "sai-mat-khau", []string{"--user", "lanhdao"}, "Wrong username or password"},
		{"unknown user", app.DemoPassword, []string{"--user", "khongco"}, "Wrong username or password"},
		{"no user", app.DemoPassword, nil, "--user"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("GDD_PASSWORD", tc.password)
			args := append(append([]string{"--data", dir}, tc.args...), "application", "list", "--json")
			out, err := run(t, args...)
			if err == nil {
				t.Fatalf("succeeded: %s", out)
			}
			if out != "" {
				t.Errorf("printed %q on stdout", out)
			}
			if msg := oneLine(err); !strings.Contains(msg, tc.want) {
				t.Errorf("reason %q does not contain %q", msg, tc.want)
			}
		})
	}
	// A refused sign-in does not let the command run: no approval happened.
	t.Setenv("GDD_PASSWORD", "sai-mat-khau")
	runFail(t, "--data", dir, "--user", "lanhdao", "application", "approve", "x")
	t.Setenv("GDD_PASSWORD", app.DemoPassword)
	var page pageJSON
	runOK(t, &page, "--data", dir, "--user", "canbo", "application", "list", "--status", "approved", "--json")
	if page.Total != 1 {
		t.Errorf("%d approved applications, want the demo's one", page.Total)
	}
}

// openDB opens the office database directly, as someone tampering with it would.
func openDB(t *testing.T, dir string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+filepath.Join(dir, app.DBFile)+"?_busy_timeout=5000")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func exec1(t *testing.T, db *sql.DB, query string, args ...any) {
	t.Helper()
	res, err := db.Exec(query, args...)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		t.Fatalf("%s changed %d rows, want 1", query, n)
	}
}

func TestAuditVerifyDetectsTampering(t *testing.T) {
	tests := []struct {
		name   string
		tamper func(t *testing.T, db *sql.DB, n int64) int64 // returns the seq to be named
	}{
		{"edited data", func(t *testing.T, db *sql.DB, n int64) int64 {
			seq := n / 2
			exec1(t, db, `UPDATE audit_events SET data = '{"status":"approved"}' WHERE seq = ?`, seq)
			return seq
		}},
		{"edited actor", func(t *testing.T, db *sql.DB, n int64) int64 {
			exec1(t, db, `UPDATE audit_events SET actor = 'lanhdao' WHERE seq = ?`, n-1)
			return n - 1
		}},
		{"deleted middle event", func(t *testing.T, db *sql.DB, n int64) int64 {
			seq := n / 2
			exec1(t, db, `DELETE FROM audit_events WHERE seq = ?`, seq)
			return seq
		}},
		{"deleted last event", func(t *testing.T, db *sql.DB, n int64) int64 {
			exec1(t, db, `DELETE FROM audit_events WHERE seq = ?`, n)
			return n
		}},
		{"reordered events", func(t *testing.T, db *sql.DB, n int64) int64 {
			seq := n / 2
			exec1(t, db, `UPDATE audit_events SET seq = -1 WHERE seq = ?`, seq)
			exec1(t, db, `UPDATE audit_events SET seq = ? WHERE seq = ?`, seq, seq+1)
			exec1(t, db, `UPDATE audit_events SET seq = ? WHERE seq = -1`, seq+1)
			return seq
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := demoDir(t)
			var rep auditJSON
			out := runOK(t, &rep, "--data", dir, "audit", "verify", "--json")
			if !rep.OK || rep.Events < 10 || rep.Problem != nil {
				t.Fatalf("fresh demo office: audit verify says %s", out)
			}
			if human := runOK(t, nil, "--data", dir, "audit", "verify"); !strings.Contains(human, fmt.Sprintf("%d events", rep.Events)) {
				t.Errorf("audit verify printed %q", human)
			}

			db := openDB(t, dir)
			seq := tc.tamper(t, db, rep.Events)
			db.Close()

			out, err := run(t, "--data", dir, "audit", "verify")
			if err == nil {
				t.Fatalf("audit verify passed after tampering: %s", out)
			}
			msg := oneLine(err)
			if !strings.Contains(msg, "event "+strconv.FormatInt(seq, 10)) {
				t.Errorf("audit verify failed with %q, want it to name event %d", msg, seq)
			}
			var broken auditJSON
			out, err = run(t, "--data", dir, "audit", "verify", "--json")
			if err == nil {
				t.Fatal("audit verify --json passed after tampering")
			}
			if jerr := json.Unmarshal([]byte(out), &broken); jerr != nil || broken.OK || broken.Problem == nil {
				t.Fatalf("audit verify --json printed %q (%v)", out, jerr)
			}
			// The first event at fault is named: the touched one, or for a removed event the
			// one whose predecessor is missing (its reason names the removed seq).
			if p := broken.Problem; p.Seq != seq && !(p.Seq == seq+1 && strings.Contains(p.Reason, strconv.FormatInt(seq, 10))) {
				t.Errorf("problem %+v, want event %d named", p, seq)
			}
		})
	}
}

// TestProcessContract builds the real binary and checks what scripts rely on: exit status,
// stdout and a single "gddctl: " line on stderr.
func TestProcessContract(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(t.TempDir(), "gddctl")
	build := exec.Command("go", "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	dir := demoDir(t)
	type result struct {
		code           int
		stdout, stderr string
	}
	gddctl := func(password string, args ...string) result {
		t.Helper()
		cmd := exec.Command(bin, append([]string{"--data", dir}, args...)...)
		cmd.Env = append(os.Environ(), "GDD_PASSWORD="+password, "GDD_DATA=")
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		var ee *exec.ExitError
		r := result{stdout: stdout.String(), stderr: stderr.String()}
		switch {
		case errors.As(err, &ee):
			r.code = ee.ExitCode()
		case err != nil:
			t.Fatalf("run gddctl: %v", err)
		}
		return r
	}

	// Success: exit 0, the output on stdout, nothing on stderr.
	r := gddctl(app.DemoPassword, "--user", "canbo", "application", "add", "--json", writeJSON(t, appInput()))
	var added appJSON
	if r.code != 0 || r.stderr != "" || json.Unmarshal([]byte(r.stdout), &added) != nil || added.Status != "submitted" {
		t.Fatalf("application add: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	for _, args := range [][]string{{"unit", "list", "--json"}, {"rules", "show", "--json"}, {"audit", "verify"}} {
		if r := gddctl("", args...); r.code != 0 || r.stderr != "" || r.stdout == "" {
			t.Errorf("gddctl %v: exit %d, stdout %d bytes, stderr %q", args, r.code, len(r.stdout), r.stderr)
		}
	}

	bad := appInput()
	bad["id_number"] = "000095001234"
	failures := []struct {
		name     string
		password string
		args     []string
		want     string
	}{
		{"wrong password", "sai-mat-khau", []string{"--user", "canbo", "application", "list", "--json"}, "Wrong username or password"},
		{"clerk approves", app.DemoPassword, []string{"--user", "canbo", "application", "approve", added.ID, "--json"}, "not allowed"},
		{"invalid application", app.DemoPassword, []string{"--user", "canbo", "application", "add", "--json", writeJSON(t, bad)}, "id_number"},
		{"missing input file", app.DemoPassword, []string{"--user", "canbo", "application", "add", "--json", filepath.Join(dir, "nope.json")}, "nope.json"},
		{"demo twice", "", []string{"init", "--demo", "--json"}, "gddctl: "},
		{"unknown command", "", []string{"bogus", "thing"}, "unknown command"},
		{"unknown flag", "", []string{"unit", "list", "--bogus"}, "bogus"},
		{"missing argument", app.DemoPassword, []string{"--user", "lanhdao", "application", "approve"}, "arg"},
	}
	for _, tc := range failures {
		t.Run(tc.name, func(t *testing.T) {
			r := gddctl(tc.password, tc.args...)
			if r.code == 0 {
				t.Errorf("exit 0, want non-zero")
			}
			if r.stdout != "" {
				t.Errorf("stdout %q, want nothing", r.stdout)
			}
			lines := strings.Split(strings.TrimSuffix(r.stderr, "\n"), "\n")
			if len(lines) != 1 || !strings.HasPrefix(lines[0], "gddctl: ") || !strings.HasSuffix(r.stderr, "\n") {
				t.Errorf("stderr %q, want exactly one line starting \"gddctl: \"", r.stderr)
			}
			if !strings.Contains(r.stderr, tc.want) {
				t.Errorf("stderr %q does not mention %q", r.stderr, tc.want)
			}
		})
	}

	// The refused approval left the application as it was.
	r = gddctl(app.DemoPassword, "--user", "canbo", "application", "show", added.ID, "--json")
	var shown appJSON
	if r.code != 0 || json.Unmarshal([]byte(r.stdout), &shown) != nil || shown.Status != "submitted" {
		t.Errorf("after the refused approval: exit %d, %q", r.code, r.stdout)
	}
}

func TestUnitImport(t *testing.T) {
	dir := demoDir(t)
	t.Setenv("GDD_PASSWORD", app.DemoPassword)
	write := func(body string) string {
		t.Helper()
		p := filepath.Join(t.TempDir(), "units.json")
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	today := runOK(t, nil, "--data", dir, "unit", "list", "--json")
	for _, bad := range []struct{ name, user, body, want string }{
		{"clerk", "canbo", `{"effective_from":"2027-01-01","provinces":[{"code":"82","name":"Tỉnh Đồng Tháp","communes":[]}]}`, "quyền"},
		{"malformed", "quantri", `{"effective_from":"2027-01-01","provinces":[`, "bị từ chối"},
		{"duplicate", "quantri", `{"effective_from":"2027-01-01","provinces":[{"code":"82","name":"Tỉnh Đồng Tháp","communes":[{"code":"28261","name":"A"},{"code":"28261","name":"B"}]}]}`, "28261 appears twice"},
		{"older", "quantri", `{"effective_from":"2026-01-01","provinces":[{"code":"82","name":"Tỉnh Đồng Tháp","communes":[{"code":"28261","name":"Phường Mỹ Tho"}]}]}`, "không mới hơn"},
	} {
		msg := runFail(t, "--data", dir, "--user", bad.user, "unit", "import", write(bad.body), "--json")
		if !strings.Contains(msg, bad.want) {
			t.Errorf("%s: %q lacks %q", bad.name, msg, bad.want)
		}
	}
	if after := runOK(t, nil, "--data", dir, "unit", "list", "--json"); after != today {
		t.Error("a refused unit file changed the units")
	}
	var res struct {
		Closed, Added int
	}
	// A newer list: only Tỉnh Đồng Tháp and Phường Mỹ Tho remain.
	runOK(t, &res, "--data", dir, "--user", "quantri", "unit", "import", write(`{"effective_from":"2027-01-01","provinces":[{"code":"82","name":"Tỉnh Đồng Tháp","type":"Tỉnh","communes":[{"code":"28261","name":"Phường Mỹ Tho","type":"Phường"}]}]}`), "--json")
	if res.Closed != 34+3321-2 || res.Added != 0 {
		t.Errorf("import: %+v", res)
	}
	var rows []map[string]any
	runOK(t, &rows, "--data", dir, "unit", "list", "--on", "2027-01-02", "--json")
	if len(rows) != 2 {
		t.Errorf("after import: %d units", len(rows))
	}
	runOK(t, &rows, "--data", dir, "unit", "list", "--on", "2026-12-01", "--province", "01", "--json")
	if len(rows) != 127 {
		t.Errorf("Hà Nội on 2026-12-01 after import: %d units, history lost?", len(rows))
	}
}
