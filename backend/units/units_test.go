package units

import (
	"testing"

	"giaydiduong/backend/domain"
)

func TestDefault(t *testing.T) {
	all, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	count := map[domain.UnitLevel]int{}
	byCode := map[string]domain.Unit{}
	for _, u := range all {
		if _, dup := byCode[u.Code]; dup {
			t.Fatalf("duplicate unit code %s", u.Code)
		}
		byCode[u.Code] = u
		count[u.Level]++
	}
	// The GSO list before the July 2025 mergers: 63 provinces; Tiền Giang 11 districts, 164 communes.
	want := map[domain.UnitLevel]int{domain.LevelProvince: 63, domain.LevelDistrict: 11, domain.LevelCommune: 164}
	for lvl, n := range want {
		if count[lvl] != n {
			t.Errorf("%s: got %d units, want %d", lvl, count[lvl], n)
		}
	}
	c, ok := byCode["28291"]
	if !ok || c.Name != "Xã Tân Mỹ Chánh" || byCode[c.ParentCode].ParentCode != "82" {
		t.Errorf("commune 28291 wrong: %+v", c)
	}
}
