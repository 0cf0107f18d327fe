package app

import (
	"context"
	"database/sql"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"giaydiduong/backend/audit"
	"giaydiduong/backend/auth"
	"giaydiduong/backend/render"
	"giaydiduong/backend/store"
	"giaydiduong/backend/units"
)

func TestApplicationNamingARetiredCommuneIsRefused(t *testing.T) {
	f := newFixture(t)
	in := f.input()
	in.ResidenceCommuneCode = "28291"
	_, err := f.AddApplication(f.ctx, f.clerk, in, false)
	e := AsError(err)
	if e == nil || e.Code != CodeValidation || len(e.Fields) != 1 || e.Fields[0].Field != "residence_commune_code" {
		t.Fatalf("got %v", err)
	}
	if want := "Xã Tân Mỹ Chánh không còn từ 01/07/2025; hãy chọn xã/phường hiện nay"; e.Fields[0].VI != want {
		t.Errorf("message %q, want %q", e.Fields[0].VI, want)
	}
	// A commune of another province, in force today, is fine and keeps today's name.
	in.ResidenceCommuneCode = "00004"
	app, err := f.AddApplication(f.ctx, f.clerk, in, false)
	if err != nil {
		t.Fatal(err)
	}
	if app.ResidenceCommuneName != "Phường Ba Đình" || app.ResidencePlace != "Phường Ba Đình, Thành phố Hà Nội" || app.OfficeUnitName != "Phường Mỹ Tho" {
		t.Errorf("stored names %q %q %q", app.ResidenceCommuneName, app.ResidencePlace, app.OfficeUnitName)
	}
}

func TestDemoOfficeIsTwoLevel(t *testing.T) {
	f := newFixture(t)
	o, err := f.Office(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if o.UnitCode != "28261" || o.UnitName != "Phường Mỹ Tho" || o.ProvinceCode != "82" || o.UnitEnded != nil ||
		o.Department != "Sở Khoa học và Công nghệ tỉnh Đồng Tháp" {
		t.Fatalf("office %+v", o)
	}
	authority, issuing := f.officeLetterhead(o)
	if authority != "TỈNH ĐỒNG THÁP" || issuing != "ỦY BAN NHÂN DÂN PHƯỜNG MỸ THO" {
		t.Errorf("letterhead %q / %q", authority, issuing)
	}
	if got := f.SearchCommunes("my tho", "", 5); len(got) == 0 || got[0].Code != "28261" || got[0].ProvinceName != "Tỉnh Đồng Tháp" {
		t.Errorf("search: %+v", got)
	}
}

// oldReleaseDB writes an office database the way the release before versioned units did:
// schema v5, the March 2025 units, the office of Xã Tân Mỹ Chánh, an application and its
// permit of 2021 and one of 2026 for a resident of Phường 1 (28261, now Phường Mỹ Tho).
func oldReleaseDB(t *testing.T, dir string) {
	t.Helper()
	ctx := context.Background()
	db, err := sql.Open("sqlite3", store.DSN(filepath.Join(dir, DBFile)))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := store.Migrate(ctx, db, 5); err != nil {
		t.Fatal(err)
	}
	legacy, err := units.Legacy()
	if err != nil {
		t.Fatal(err)
	}
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := db.Exec(q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	for _, u := range legacy.Units {
		exec(`INSERT INTO units (code, name, level, parent_code, type) VALUES (?,?,?,?,?)`, u.Code, u.Name, u.Level, u.ParentCode, u.Type)
	}
	at := "2021-09-20 02:00:00+00:00"
	hash, err := auth.HashPassword(DemoPassword)
	if err != nil {
		t.Fatal(err)
	}
	exec(`INSERT INTO offices VALUES ('o1',1,'UBND Xã Tân Mỹ Chánh','commune_committee','28291',0,?,?)`, at, at)
	for _, u := range []struct{ id, name, full, role string }{{"u1", "quantri", "Trần Minh Quân", "office_admin"}, {"u2", "canbo", "Nguyễn Thị Thu Hà", "clerk"}, {"u3", "lanhdao", "Lê Văn Đức", "approver"}} {
		exec(`INSERT INTO users (id,version,username,full_name,title,role,password_hash,created_at,updated_at) VALUES (?,1,?,?,'Phó Chủ tịch',?,?,?,?)`, u.id, u.name, u.full, u.role, hash, at, at)
	}
	exec(`INSERT INTO rules VALUES ('r1',1,'28291',1,1,'[{"code":"work","vi":"Đi làm","en":"Work"}]',14,'','','quantri',?)`, at)
	for i, a := range []struct{ id, commune, street, created string }{
		{"a1", "28291", "Ấp Tân Hòa", at},
		{"a2", "28261", "Số 5 Lê Lợi", "2026-03-02 02:00:00+00:00"},
	} {
		exec(`INSERT INTO applications (id,version,office_unit_code,status,full_name,search_text,birth_date,gender,id_number,residence_commune_code,residence_street,purpose_code,route_from,route_to,vehicle_type,valid_from,valid_to,rules_version,created_by,decided_by,decided_at,created_at,updated_at)
			VALUES (?,2,'28291','approved','Nguyễn Văn Dũng','nguyen van dung 082095001234','1995-03-15','male','082095001234',?,?,'work','Ấp Tân Hòa','Chợ Mỹ Tho','walk','2021-09-21','2021-09-30',1,'u2','u3',?,?,?)`,
			a.id, a.commune, a.street, a.created, a.created, a.created)
		num := []string{"28291/2021/000001", "28291/2026/000001"}[i]
		exec(`INSERT INTO permits (id,version,number,unit_code,year,seq,application_id,status,qr,key_id,signature_kind,signer_name,signer_title,issued_at,issued_by,created_at,updated_at)
			VALUES (?,1,?,'28291',?,1,?,'awaiting_hand_signature','GDD1:OLD','0102030405060708','hand','Lê Văn Đức','Phó Chủ tịch',?,'u2',?,?)`,
			"p"+a.id, num, []int{2021, 2026}[i], a.id, a.created, a.created, a.created)
	}
}

func TestUpgradeFromTheReleaseBeforeKeepsRecordsAndTheirUnits(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	oldReleaseDB(t, dir)
	a, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	a.Now = func() time.Time { return time.Date(2026, 12, 1, 9, 0, 0, 0, vietnam) }

	admin, err := a.Login(ctx, "quantri", DemoPassword)
	if err != nil {
		t.Fatal(err)
	}
	// Every record is there, with the unit names it had.
	for _, c := range []struct{ id, name, place string }{
		{"a1", "Xã Tân Mỹ Chánh", "Xã Tân Mỹ Chánh, Thành phố Mỹ Tho, Tỉnh Tiền Giang"},
		{"a2", "Phường 1", "Phường 1, Thành phố Mỹ Tho, Tỉnh Tiền Giang"},
	} {
		app, err := a.GetApplication(ctx, admin, c.id)
		if err != nil {
			t.Fatal(err)
		}
		if app.ResidenceCommuneName != c.name || app.ResidencePlace != c.place || app.OfficeUnitName != "Xã Tân Mỹ Chánh" {
			t.Errorf("%s: %q / %q / %q", c.id, app.ResidenceCommuneName, app.ResidencePlace, app.OfficeUnitName)
		}
	}
	for _, n := range []string{"28291/2021/000001", "28291/2026/000001"} {
		p, err := a.GetPermit(ctx, admin, n)
		if err != nil {
			t.Fatal(err)
		}
		if p.UnitName != "Xã Tân Mỹ Chánh" || p.UnitPlace != "Xã Tân Mỹ Chánh, Thành phố Mỹ Tho, Tỉnh Tiền Giang" {
			t.Errorf("%s: %q / %q", n, p.UnitName, p.UnitPlace)
		}
	}
	// Today's list is in, the old one kept as history.
	if u, ok := a.Unit("28261"); !ok || u.Name != "Phường Mỹ Tho" {
		t.Errorf("28261 today: %+v", u)
	}
	if u, ok := a.UnitOn("28261", "2021-09-20"); !ok || u.Name != "Phường 1" {
		t.Errorf("28261 in 2021: %+v", u)
	}
	if _, ok := a.Unit("28291"); ok {
		t.Error("28291 is in force today")
	}

	// A reprint of the old permit names the old units in their three-level form.
	pdf, err := a.PermitsPDF(ctx, admin, []string{"28291/2021/000001"}, render.A5, ForPreview)
	if err != nil {
		t.Fatal(err)
	}
	text := toolPDFText(t, writeTemp(t, "old.pdf", pdf))
	for _, want := range []string{"ỦY BAN NHÂN DÂN THÀNH PHỐ MỸ THO", "ỦY BAN NHÂN DÂN XÃ TÂN MỸ CHÁNH", "Ấp Tân Hòa, Xã Tân Mỹ Chánh, Thành phố Mỹ Tho, Tỉnh Tiền Giang"} {
		if !strings.Contains(text, want) {
			t.Errorf("reprint lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "ĐỒNG THÁP") {
		t.Errorf("reprint names today's province:\n%s", text)
	}

	// The office's own unit is gone: it is told, and the admin chooses today's commune.
	o, err := a.Office(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if o.UnitEnded == nil || o.UnitEnded.Name != "Xã Tân Mỹ Chánh" || o.UnitEnded.Since != "2025-07-01" {
		t.Fatalf("office unit ended: %+v", o.UnitEnded)
	}
	clerk, err := a.Login(ctx, "canbo", DemoPassword)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.ChangeOfficeUnit(ctx, clerk, "28261"); AsError(err) == nil || AsError(err).Code != CodeForbidden {
		t.Errorf("a clerk changed the office's unit: %v", err)
	}
	if _, err := a.ChangeOfficeUnit(ctx, admin, "28291"); AsError(err) == nil || !strings.Contains(AsError(err).VI, "không còn từ 01/07/2025") {
		t.Errorf("a retired unit was accepted: %v", err)
	}
	o, err = a.ChangeOfficeUnit(ctx, admin, "28261")
	if err != nil {
		t.Fatal(err)
	}
	if o.UnitEnded != nil || o.Name != "UBND Phường Mỹ Tho" || o.UnitName != "Phường Mỹ Tho" {
		t.Fatalf("after the change: %+v", o)
	}
	var ev struct{ Data string }
	if err := a.DB().Raw(`SELECT data FROM audit_events WHERE action = 'office.unit_change'`).Scan(&ev).Error; err != nil || !strings.Contains(ev.Data, "28291") {
		t.Errorf("no audit event for the change: %q %v", ev.Data, err)
	}
	if rep, err := audit.Verify(ctx, a.DB()); err != nil || !rep.OK {
		t.Errorf("audit chain: %+v %v", rep, err)
	}
	// The rules carried over; old records still name their old units.
	if r, err := a.CurrentRules(ctx, admin); err != nil || r.UnitCode != "28261" {
		t.Errorf("rules after the change: %+v %v", r, err)
	}
	if p, _ := a.GetPermit(ctx, admin, "28291/2021/000001"); p.UnitName != "Xã Tân Mỹ Chánh" {
		t.Errorf("old permit renamed: %q", p.UnitName)
	}
}

func TestImportUnitList(t *testing.T) {
	f := newFixture(t)
	ref, err := os.ReadFile("../units/data/dvhc-2026.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(ref, &doc); err != nil {
		t.Fatal(err)
	}
	// A newer list: Phường Mỹ Tho absorbs Phường Đạo Thạnh and is renamed.
	newer := func(date string) []byte {
		provinces := doc["provinces"].([]any)
		out := []any{}
		for _, p := range provinces {
			pm := map[string]any{}
			for k, v := range p.(map[string]any) {
				pm[k] = v
			}
			if pm["code"] == "82" {
				var cs []any
				for _, c := range pm["communes"].([]any) {
					cm := c.(map[string]any)
					switch cm["code"] {
					case "28249":
						continue
					case "28261":
						cm = map[string]any{"code": "28261", "name": "Phường Mỹ Tho Mới", "type": "Phường", "merged_from": []string{"28249", "28261"}}
					}
					cs = append(cs, cm)
				}
				pm["communes"] = cs
			}
			out = append(out, pm)
		}
		b, _ := json.Marshal(map[string]any{"effective_from": date, "source": "test", "provinces": out})
		return b
	}
	countVersions := func() int64 {
		var n int64
		f.DB().Table("unit_versions").Count(&n)
		return n
	}
	before := countVersions()
	app, err := f.AddApplication(f.ctx, f.clerk, f.input(), false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.ImportUnits(f.ctx, f.clerk, newer("2027-01-01")); AsError(err) == nil || AsError(err).Code != CodeForbidden {
		t.Fatalf("a clerk imported units: %v", err)
	}
	for _, bad := range []struct{ name, file, want string }{
		{"malformed", `{"effective_from": "2027-01-01", "provinces": [`, "not a unit list"},
		{"duplicate codes", `{"effective_from":"2027-01-01","provinces":[{"code":"82","name":"Tỉnh Đồng Tháp","communes":[{"code":"28261","name":"A"},{"code":"28261","name":"B"}]}]}`, "28261 appears twice"},
		{"unknown parent", `{"effective_from":"2027-01-01","units":[{"code":"82","name":"Tỉnh Đồng Tháp","level":"province"},{"code":"28261","name":"Phường Mỹ Tho","level":"commune","parent":"83"}]}`, "parent 83 is not in the list"},
		{"unknown predecessor", `{"effective_from":"2027-01-01","provinces":[{"code":"82","name":"Tỉnh Đồng Tháp","communes":[{"code":"28261","name":"Phường Mỹ Tho","merged_from":["99999"]}]}]}`, "merged_from 99999"},
		{"older than the current list", string(newer("2026-01-01")), "không mới hơn"},
	} {
		_, err := f.ImportUnits(f.ctx, f.admin, []byte(bad.file))
		e := AsError(err)
		if e == nil || e.Code != CodeValidation || len(e.Fields) != 1 || e.Fields[0].Field != "file" || !strings.Contains(e.VI+e.EN, bad.want) {
			t.Errorf("%s: got %v, want a refusal naming %q", bad.name, err, bad.want)
		}
		if n := countVersions(); n != before {
			t.Errorf("%s: versions %d -> %d", bad.name, before, n)
		}
	}
	res, err := f.ImportUnits(f.ctx, f.admin, newer("2027-01-01"))
	if err != nil {
		t.Fatal(err)
	}
	// Not in force before 1 January 2027: the office's unit stands until then.
	if res.Closed != 2 || res.Added != 1 || res.OfficeUnitEnded {
		t.Errorf("import %+v", res)
	}
	if again, err := f.ImportUnits(f.ctx, f.admin, newer("2027-01-01")); err != nil || !again.Unchanged {
		t.Errorf("re-import %+v %v", again, err)
	}
	f.now = time.Date(2027, 1, 5, 9, 0, 0, 0, vietnam)
	if u, _ := f.Unit("28261"); u.Name != "Phường Mỹ Tho Mới" {
		t.Errorf("28261 after import: %+v", u)
	}
	if u, _ := f.UnitOn("28249", "2026-12-01"); u.Name != "Phường Đạo Thạnh" || len(f.UnitVersions("28249")[1].Successors) != 1 {
		t.Errorf("28249 history: %+v", f.UnitVersions("28249"))
	}
	// The application entered before keeps the name of its day.
	got, err := f.GetApplication(f.ctx, f.clerk, app.ID)
	if err != nil || got.ResidenceCommuneName != "Phường Mỹ Tho" {
		t.Errorf("application after import: %q %v", got.ResidenceCommuneName, err)
	}
	o, _ := f.Office(f.ctx)
	if o.UnitEnded == nil || len(o.UnitEnded.Suggested) != 1 || o.UnitEnded.Suggested[0].Name != "Phường Mỹ Tho Mới" {
		t.Errorf("office after import: %+v", o.UnitEnded)
	}
	// Reports group by today's units, following successors.
	counts, _, err := f.ResidenceByToday(f.ctx, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2028, 1, 1, 0, 0, 0, 0, time.UTC))
	if err != nil || counts["28261"] < 1 {
		t.Errorf("by today: %v %v", counts, err)
	}
}
