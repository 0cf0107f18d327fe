package units

import (
	"errors"
	"strings"
	"testing"

	"giaydiduong/backend/domain"
)

func defaultIndex(t testing.TB) *Index {
	t.Helper()
	all, lists, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	if len(lists) != 2 || lists[1].EffectiveFrom != "2026-04-30" {
		t.Fatalf("lists: %+v", lists)
	}
	return NewIndex(all)
}

func TestShippedLists(t *testing.T) {
	legacy, err := Legacy()
	if err != nil {
		t.Fatal(err)
	}
	cur, err := Current()
	if err != nil {
		t.Fatal(err)
	}
	count := func(l List) map[domain.UnitLevel]int {
		m := map[domain.UnitLevel]int{}
		for _, u := range l.Units {
			m[u.Level]++
		}
		return m
	}
	// Before July 2025: 63 provinces; Tiền Giang 11 districts, 164 communes. Today: 34 and 3,321.
	if got := count(legacy); got[domain.LevelProvince] != 63 || got[domain.LevelDistrict] != 11 || got[domain.LevelCommune] != 164 {
		t.Errorf("legacy list: %v", got)
	}
	if got := count(cur); got[domain.LevelProvince] != 34 || got[domain.LevelDistrict] != 0 || got[domain.LevelCommune] != 3321 {
		t.Errorf("current list: %v", got)
	}
	if cur.EffectiveFrom != ShippedEffectiveFrom {
		t.Errorf("the shipped list is of %s; ShippedEffectiveFrom says %s", cur.EffectiveFrom, ShippedEffectiveFrom)
	}
	if cur.Department != DefaultDepartment {
		t.Errorf("department %q", cur.Department)
	}
}

func TestLookupsByDateAcrossTheReform(t *testing.T) {
	ix := defaultIndex(t)
	const today = "2026-12-01"
	tests := []struct {
		code, day string
		want      string // "" = no unit
		chain     string
	}{
		{"28261", "2021-09-20", "Phường 1", "Phường 1, Thành phố Mỹ Tho, Tỉnh Tiền Giang"},
		{"28261", "2025-06-30", "Phường 1", "Phường 1, Thành phố Mỹ Tho, Tỉnh Tiền Giang"},
		{"28261", "2025-07-01", "Phường Mỹ Tho", "Phường Mỹ Tho, Tỉnh Đồng Tháp"},
		{"28261", today, "Phường Mỹ Tho", "Phường Mỹ Tho, Tỉnh Đồng Tháp"},
		{"28291", "2021-09-20", "Xã Tân Mỹ Chánh", "Xã Tân Mỹ Chánh, Thành phố Mỹ Tho, Tỉnh Tiền Giang"},
		{"28291", "2025-06-30", "Xã Tân Mỹ Chánh", "Xã Tân Mỹ Chánh, Thành phố Mỹ Tho, Tỉnh Tiền Giang"},
		{"28291", "2025-07-01", "", ""},
		{"28291", today, "", ""},
		{"82", "2021-09-20", "Tỉnh Tiền Giang", "Tỉnh Tiền Giang"},
		{"82", today, "Tỉnh Đồng Tháp", "Tỉnh Đồng Tháp"},
		{"87", "2024-01-01", "Tỉnh Đồng Tháp", "Tỉnh Đồng Tháp"},
		{"87", today, "", ""},
		{"815", today, "", ""},
	}
	for _, tt := range tests {
		u, ok := ix.On(tt.code, tt.day)
		if got := u.Name; ok != (tt.want != "") || got != tt.want {
			t.Errorf("On(%s, %s) = %q, %v; want %q", tt.code, tt.day, got, ok, tt.want)
		}
		var names []string
		for _, c := range ix.Chain(tt.code, tt.day) {
			names = append(names, c.Name)
		}
		if got := strings.Join(names, ", "); got != tt.chain {
			t.Errorf("Chain(%s, %s) = %q, want %q", tt.code, tt.day, got, tt.chain)
		}
	}
	last, ok := ix.Last("28291")
	if !ok || last.ValidTo != ReformDate || last.Name != "Xã Tân Mỹ Chánh" {
		t.Errorf("Last(28291) = %+v", last)
	}
	if vs := ix.Versions("28261"); len(vs) != 2 || vs[0].ValidTo != ReformDate || vs[1].ValidFrom != ReformDate {
		t.Errorf("Versions(28261) = %+v", vs)
	}
	if n := len(ix.Children("", today)); n != 34 {
		t.Errorf("%d provinces today", n)
	}
	if n := len(ix.Children("", "2021-09-20")); n != 63 {
		t.Errorf("%d provinces in 2021", n)
	}
	if n := len(ix.List(today, "82")); n != 103 {
		t.Errorf("Đồng Tháp today: %d units, want the province and 102 communes", n)
	}
}

func TestSearchIgnoresDiacritics(t *testing.T) {
	ix := defaultIndex(t)
	const today = "2026-12-01"
	got := ix.Search("my tho", "", today, 10)
	if len(got) == 0 || got[0].Code != "28261" {
		t.Fatalf("Search(my tho) = %+v", got)
	}
	if got := ix.Search("ba dinh", "01", today, 10); len(got) == 0 || got[0].Name != "Phường Ba Đình" {
		t.Errorf("Search(ba dinh, 01) = %+v", got)
	}
	if got := ix.Search("ba dinh", "82", today, 10); len(got) != 0 {
		t.Errorf("Search(ba dinh, 82) = %+v", got)
	}
	if got := ix.Search("tan my chanh", "", today, 10); len(got) != 0 {
		t.Errorf("a commune gone since 2025 is offered: %+v", got)
	}
	if got := ix.Search("tan my chanh", "", "2021-09-20", 10); len(got) != 1 || got[0].Code != "28291" {
		t.Errorf("Search(tan my chanh) in 2021 = %+v", got)
	}
}

func TestNewerListKeepsHistoryAndFollowsSuccessors(t *testing.T) {
	all, _, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	// A later list: Phường Mỹ Tho renamed, Phường Đạo Thạnh merged into it, the rest unchanged.
	cur, _ := Current()
	l := List{EffectiveFrom: "2027-01-01", From: "2027-01-01", MergedInto: map[string][]string{"28249": {"28261"}}}
	for _, u := range cur.Units {
		switch u.Code {
		case "28249":
			continue
		case "28261":
			u.Name = "Phường Mỹ Tho Mới"
		}
		l.Units = append(l.Units, u)
	}
	ch, err := Apply(all, l)
	if err != nil {
		t.Fatal(err)
	}
	if len(ch.Closed) != 2 || len(ch.Added) != 1 || ch.Kept != len(cur.Units)-2 {
		t.Fatalf("closed %d added %d kept %d", len(ch.Closed), len(ch.Added), ch.Kept)
	}
	ix := NewIndex(ch.All)
	if u, _ := ix.On("28261", "2026-12-01"); u.Name != "Phường Mỹ Tho" {
		t.Errorf("2026 name lost: %+v", u)
	}
	if u, _ := ix.On("28261", "2027-01-01"); u.Name != "Phường Mỹ Tho Mới" {
		t.Errorf("2027 name: %+v", u)
	}
	today := ix.Today("28249", "2026-12-01", "2027-02-01")
	if len(today) != 1 || today[0].Name != "Phường Mỹ Tho Mới" {
		t.Errorf("Today(28249) = %+v", today)
	}
	if got := ix.Today("28291", "2021-09-20", "2027-02-01"); len(got) != 0 {
		t.Errorf("no successor is known for 28291, got %+v", got)
	}
	// A list starting before the versions it would close is refused.
	cur.From = "2025-01-01"
	if _, err := Apply(ch.All, cur); err == nil {
		t.Error("a list older than the one in force was applied")
	}
}

func TestParseListRefusesBadFiles(t *testing.T) {
	tests := []struct {
		name, file, want string
	}{
		{"not json", `{"effective_from":`, "not a unit list"},
		{"no date", `{"provinces":[{"code":"82","name":"Tỉnh Đồng Tháp","type":"Tỉnh","communes":[]}]}`, "effective_from"},
		{"unknown field", `{"effective_from":"2027-01-01","provinzen":[]}`, "not a unit list"},
		{"duplicate", `{"effective_from":"2027-01-01","provinces":[{"code":"82","name":"Tỉnh Đồng Tháp","communes":[{"code":"28261","name":"Phường Mỹ Tho"},{"code":"28261","name":"Phường Khác"}]}]}`, "code 28261 appears twice"},
		{"unknown parent", `{"effective_from":"2027-01-01","units":[{"code":"82","name":"Tỉnh Đồng Tháp","level":"province"},{"code":"28261","name":"Phường Mỹ Tho","level":"commune","parent":"99"}]}`, "parent 99 is not in the list"},
		{"bad code", `{"effective_from":"2027-01-01","provinces":[{"code":"82","name":"Tỉnh Đồng Tháp","communes":[{"code":"2826","name":"Phường Mỹ Tho"}]}]}`, `commune code "2826": want 5 digits`},
		{"empty", `{"effective_from":"2027-01-01"}`, "no units"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseList([]byte(tt.file))
			var fe *FileError
			if !errors.As(err, &fe) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want a FileError with %q", err, tt.want)
			}
		})
	}
	// Many problems: the first MaxProblems are listed and the total counted.
	var b strings.Builder
	b.WriteString(`{"effective_from":"2027-01-01","provinces":[{"code":"82","name":"T","communes":[`)
	for i := 0; i < 25; i++ {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString(`{"code":"1","name":""}`)
	}
	b.WriteString(`]}]}`)
	_, err := ParseList([]byte(b.String()))
	var fe *FileError
	if !errors.As(err, &fe) || len(fe.Problems) != MaxProblems || fe.Total <= MaxProblems {
		t.Fatalf("err = %v", err)
	}
}

func TestRegroupByTodayFollowsSuccessors(t *testing.T) {
	all, _, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	// Say the province's list declared Tân Mỹ Chánh merged into Phường Mỹ Tho.
	for i, u := range all {
		if u.Code == "28291" {
			all[i].Successors = []string{"28261"}
		}
	}
	ix := NewIndex(all)
	refs := []domain.UnitRef{
		{Code: "28291", Name: "Xã Tân Mỹ Chánh", Day: "2021-09-20", Count: 3},
		// An office on the old list kept entering Phường 1 in 2026; the name says which unit.
		{Code: "28261", Name: "Phường 1", Day: "2026-01-10", Count: 2},
		{Code: "28261", Name: "Phường Mỹ Tho", Day: "2026-11-01", Count: 5},
		{Code: "28249", Name: "Phường 5", Day: "2021-09-20", Count: 1},
	}
	counts, unmapped := ix.Regroup(refs, "2026-12-01")
	if counts["28261"] != 8 {
		t.Errorf("Phường Mỹ Tho: %d, want 8 (5 + 3 from Tân Mỹ Chánh)", counts["28261"])
	}
	// Phường 1 and Phường 5 name no successor in the shipped lists: not guessed.
	if len(unmapped) != 2 {
		t.Errorf("unmapped = %+v", unmapped)
	}
}

func TestFoldAgreesWithTheDomain(t *testing.T) {
	all, _, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	extra := []string{"  Phường   Mỹ Tho ", "ĐẶC KHU CÔN ĐẢO", "Xã Ea H'Leo", "Phu\u031bo\u031b\u0300ng"}
	for _, u := range all {
		extra = append(extra, u.Name, u.Type)
	}
	for _, s := range extra {
		if got, want := fold(s), domain.FoldForSearch(s); got != want {
			t.Errorf("fold(%q) = %q, domain says %q", s, got, want)
		}
	}
}
