package domain

import (
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"
)

const sampleQR = "082095001234|123456789|Nguyễn Văn Dũng|15031995|Nam|Ấp Tân Hòa, Xã Tân Mỹ Chánh, Thành phố Mỹ Tho, Tiền Giang|20042021"

func TestParseCCCDQRValid(t *testing.T) {
	want := CCCDCard{
		IDNumber:    "082095001234",
		OldIDNumber: "123456789",
		FullName:    "Nguyễn Văn Dũng",
		BirthDate:   "1995-03-15",
		Gender:      Male,
		Address:     "Ấp Tân Hòa, Xã Tân Mỹ Chánh, Thành phố Mỹ Tho, Tiền Giang",
		IssueDate:   "2021-04-20",
	}
	female := want
	female.IDNumber, female.OldIDNumber, female.FullName, female.Gender = "082195001234", "", "Trần Thị Ánh Tuyết", Female

	tests := []struct {
		name string
		in   string
		want CCCDCard
	}{
		{"sample", sampleQR, want},
		{"scanner CR LF and spaces", "  " + sampleQR + "\r\n", want},
		{"trailing pipe", sampleQR + "|", want},
		{"NFD text", norm.NFD.String(sampleQR), want},
		{"upper-case name and padded fields", strings.Replace(sampleQR, "Nguyễn Văn Dũng", "  NGUYỄN  VĂN DŨNG ", 1), want},
		{"female, no old ID", "082195001234||trần thị ánh tuyết|15031995|Nữ|Ấp Tân Hòa, Xã Tân Mỹ Chánh, Thành phố Mỹ Tho, Tiền Giang|20042021", female},
		{"female NFD gender", "082195001234||Trần Thị Ánh Tuyết|15031995|" + norm.NFD.String("Nữ") + "|Ấp Tân Hòa, Xã Tân Mỹ Chánh, Thành phố Mỹ Tho, Tiền Giang|20042021", female},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseCCCDQR(tt.in)
			if err != nil {
				t.Fatalf("ParseCCCDQR: %v", err)
			}
			if got != tt.want {
				t.Errorf("ParseCCCDQR =\n %+v\nwant\n %+v", got, tt.want)
			}
			if !norm.NFC.IsNormalString(got.FullName) || !norm.NFC.IsNormalString(got.Address) {
				t.Errorf("name or address not NFC: %q, %q", got.FullName, got.Address)
			}
		})
	}
}

func TestParseCCCDQRMalformed(t *testing.T) {
	field := func(i int, v string) string {
		parts := strings.Split(sampleQR, "|")
		parts[i] = v
		return strings.Join(parts, "|")
	}
	tests := []struct {
		name      string
		in        string
		wantCodes []string
		wantVI    string // a fragment the Vietnamese message must contain
	}{
		{"empty", "", []string{"cccd_qr_format"}, "nhận được 0"},
		{"not a card", "https://example.vn/abc", []string{"cccd_qr_format"}, "cần 7 trường, nhận được 1"},
		{"5 fields", "082095001234|123456789|Nguyễn Văn Dũng|15031995|Nam", []string{"cccd_qr_format"}, "cần 7 trường, nhận được 5"},
		{"8 fields", sampleQR + "|extra", []string{"cccd_qr_format"}, "nhận được 8"},
		{"two trailing pipes", sampleQR + "||", []string{"cccd_qr_format"}, "nhận được 9"},
		{"ID 11 digits", field(0, "08209500123"), []string{"cccd_qr_id"}, "12 chữ số"},
		{"ID is a CMND", field(0, "123456789"), []string{"cccd_qr_id"}, "12 chữ số"},
		{"ID wrong gender", field(0, "082195001234"), []string{"cccd_gender_century"}, "giới tính"},
		{"ID wrong year", field(0, "082096001234"), []string{"cccd_birth_year"}, "năm sinh"},
		{"ID bad province", field(0, "003095001234"), []string{"cccd_province"}, "mã tỉnh"},
		{"old ID 8 digits", field(1, "12345678"), []string{"cccd_qr_old_id"}, "9 chữ số"},
		{"empty name", field(2, "  "), []string{"cccd_qr_name"}, "họ và tên"},
		{"birth 30 Feb", field(3, "30022000"), []string{"cccd_qr_birth_date"}, "ngày sinh"},
		{"birth in ISO form", field(3, "1995-03-15"), []string{"cccd_qr_birth_date"}, "ngày sinh"},
		{"gender other", field(4, "Khác"), []string{"cccd_qr_gender"}, "Nam hoặc Nữ"},
		{"issue 31 April", field(6, "31042021"), []string{"cccd_qr_issue_date"}, "ngày cấp"},
		{"issue before birth", field(6, "01011990"), []string{"cccd_qr_issue_date"}, "trước ngày sinh"},
		{"everything wrong at once", "08209500123|1|  |32131995|X|addr|00000000",
			[]string{"cccd_qr_birth_date", "cccd_qr_gender", "cccd_qr_id", "cccd_qr_old_id", "cccd_qr_name", "cccd_qr_issue_date"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			card, err := ParseCCCDQR(tt.in)
			if err == nil {
				t.Fatalf("ParseCCCDQR(%q) = %+v, want error", tt.in, card)
			}
			if card != (CCCDCard{}) {
				t.Errorf("a refused card must be empty, got %+v", card)
			}
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("error %T is not a *ValidationError: %v", err, err)
			}
			var codes []string
			for _, f := range ve.Fields {
				if f.Field != "cccd_qr" || f.VI == "" || f.EN == "" {
					t.Errorf("bad field error %+v", f)
				}
				codes = append(codes, f.Code)
			}
			if strings.Join(codes, ",") != strings.Join(tt.wantCodes, ",") {
				t.Errorf("codes = %v, want %v (%v)", codes, tt.wantCodes, err)
			}
			if tt.wantVI != "" && !strings.Contains(err.Error(), tt.wantVI) {
				t.Errorf("message %q lacks %q", err.Error(), tt.wantVI)
			}
		})
	}
}

// tienGiangUnits are real units copied from shared/reference/dvhc-tien-giang.json (GSO,
// 1 March 2025), chosen for their traps: "Phường 1" in three districts, "Xã Tân Phú" in two,
// a town and a rural district both called Cai Lậy, Thị trấn Chợ Gạo inside Huyện Chợ Gạo, a
// commune called Long An (also a province), and "Hoà" with the old tone placement.
var tienGiangUnits = []Unit{
	{Code: "82", Name: "Tỉnh Tiền Giang", Level: LevelProvince, Type: "Tỉnh"},
	{Code: "815", Name: "Thành phố Mỹ Tho", Level: LevelDistrict, ParentCode: "82", Type: "Thành phố"},
	{Code: "816", Name: "Thành phố Gò Công", Level: LevelDistrict, ParentCode: "82", Type: "Thành phố"},
	{Code: "817", Name: "Thị xã Cai Lậy", Level: LevelDistrict, ParentCode: "82", Type: "Thị xã"},
	{Code: "818", Name: "Huyện Tân Phước", Level: LevelDistrict, ParentCode: "82", Type: "Huyện"},
	{Code: "820", Name: "Huyện Cai Lậy", Level: LevelDistrict, ParentCode: "82", Type: "Huyện"},
	{Code: "821", Name: "Huyện Châu Thành", Level: LevelDistrict, ParentCode: "82", Type: "Huyện"},
	{Code: "822", Name: "Huyện Chợ Gạo", Level: LevelDistrict, ParentCode: "82", Type: "Huyện"},
	{Code: "825", Name: "Huyện Tân Phú Đông", Level: LevelDistrict, ParentCode: "82", Type: "Huyện"},
	{Code: "28249", Name: "Phường 5", Level: LevelCommune, ParentCode: "815", Type: "Phường"},
	{Code: "28261", Name: "Phường 1", Level: LevelCommune, ParentCode: "815", Type: "Phường"},
	{Code: "28291", Name: "Xã Tân Mỹ Chánh", Level: LevelCommune, ParentCode: "815", Type: "Xã"},
	{Code: "28300", Name: "Phường 1", Level: LevelCommune, ParentCode: "816", Type: "Phường"},
	{Code: "28435", Name: "Phường 1", Level: LevelCommune, ParentCode: "817", Type: "Phường"},
	{Code: "28459", Name: "Xã Tân Phú", Level: LevelCommune, ParentCode: "817", Type: "Xã"},
	{Code: "28333", Name: "Xã Thạnh Hoà", Level: LevelCommune, ParentCode: "818", Type: "Xã"},
	{Code: "28438", Name: "Xã Thạnh Lộc", Level: LevelCommune, ParentCode: "820", Type: "Xã"},
	{Code: "28558", Name: "Xã Long An", Level: LevelCommune, ParentCode: "821", Type: "Xã"},
	{Code: "28594", Name: "Thị trấn Chợ Gạo", Level: LevelCommune, ParentCode: "822", Type: "Thị trấn"},
	{Code: "28597", Name: "Xã Trung Hòa", Level: LevelCommune, ParentCode: "822", Type: "Xã"},
	{Code: "28693", Name: "Xã Tân Phú", Level: LevelCommune, ParentCode: "825", Type: "Xã"},
}

func TestMatchCommune(t *testing.T) {
	// The same units, named without their type words, as another data source might store them.
	bare := make([]Unit, len(tienGiangUnits))
	for i, u := range tienGiangUnits {
		u.Name = strings.TrimSpace(strings.TrimPrefix(u.Name, u.Type))
		bare[i] = u
	}
	tests := []struct {
		name       string
		address    string
		wantCode   string // "" means no match expected
		wantStreet string
	}{
		{"card sample", "Ấp Tân Hòa, Xã Tân Mỹ Chánh, Thành phố Mỹ Tho, Tiền Giang", "28291", "Ấp Tân Hòa"},
		{"province with type word", "Số 12 đường X, Phường 5, Thành phố Mỹ Tho, Tỉnh Tiền Giang", "28249", "Số 12 đường X"},
		{"no type words", "Ấp Tân Hòa, Tân Mỹ Chánh, Mỹ Tho, Tiền Giang", "28291", "Ấp Tân Hòa"},
		{"no diacritics, upper case", "AP TAN HOA, XA TAN MY CHANH, TP MY THO, TIEN GIANG", "28291", "AP TAN HOA"},
		{"NFD input", norm.NFD.String("Ấp Tân Hòa, Xã Tân Mỹ Chánh, Thành phố Mỹ Tho, Tiền Giang"), "28291", "Ấp Tân Hòa"},
		{"street of several parts", "Số 3, hẻm 7, đường Lê Lợi, Phường 1, TP. Mỹ Tho, Tiền Giang", "28261", "Số 3, hẻm 7, đường Lê Lợi"},
		{"Phường 1 of Gò Công", "Khu phố 2, Phường 1, Thành phố Gò Công, Tiền Giang", "28300", "Khu phố 2"},
		{"Phường 01 of Cai Lậy town", "Khu 1, P.01, TX. Cai Lậy, Tiền Giang", "28435", "Khu 1"},
		{"Phường 1 without district is ambiguous", "Khu 1, Phường 1, Tiền Giang", "", ""},
		{"commune not in the named district", "Ấp 1, Phường 5, Thành phố Gò Công, Tiền Giang", "", ""},
		{"Tân Phú in Cai Lậy (town or district unnamed)", "Ấp 1, Xã Tân Phú, Cai Lậy, Tiền Giang", "28459", "Ấp 1"},
		{"Tân Phú in Tân Phú Đông", "Ấp 1, Tân Phú, Huyện Tân Phú Đông, Tiền Giang", "28693", "Ấp 1"},
		{"Tân Phú alone is ambiguous", "Ấp 1, Xã Tân Phú, Tiền Giang", "", ""},
		{"township named like its district", "Khu 2, Thị trấn Chợ Gạo, Huyện Chợ Gạo, Tiền Giang", "28594", "Khu 2"},
		{"township without type words", "Khu 2, Chợ Gạo, Chợ Gạo, Tiền Giang", "28594", "Khu 2"},
		{"township without its district", "Khu 2, Chợ Gạo, Tiền Giang", "28594", "Khu 2"},
		{"old tone placement Hòa vs Hoà", "Ấp 3, Xã Thạnh Hòa, Huyện Tân Phước, Tiền Giang", "28333", "Ấp 3"},
		{"commune named like a province", "Ấp Long Hòa, Xã Long An, Huyện Châu Thành, Tiền Giang", "28558", "Ấp Long Hòa"},
		{"no street", "Xã Trung Hòa, Huyện Chợ Gạo, Tiền Giang", "28597", ""},
		{"no province", "Ấp Tân Hòa, Xã Tân Mỹ Chánh, Thành phố Mỹ Tho", "28291", "Ấp Tân Hòa"},
		{"another province", "Ấp 1, Xã Long Trì, Huyện Châu Thành, Long An", "", ""},
		{"another province with type word", "Ấp 1, Xã Tân Phú, Huyện Cai Lậy, Tỉnh Bến Tre", "", ""},
		{"unknown commune", "Ấp 1, Xã Không Có, Huyện Chợ Gạo, Tiền Giang", "", ""},
		{"street part is not mistaken for a commune", "Ấp Tân Phú, Xã Thạnh Lộc, Huyện Cai Lậy, Tiền Giang", "28438", "Ấp Tân Phú"},
		{"empty", "", "", ""},
		{"only commas", " , , ", "", ""},
	}
	for _, set := range []struct {
		name  string
		units []Unit
	}{{"full names", tienGiangUnits}, {"bare names", bare}} {
		for _, tt := range tests {
			t.Run(set.name+"/"+tt.name, func(t *testing.T) {
				code, street, ok := MatchCommune(tt.address, set.units)
				if ok != (tt.wantCode != "") || code != tt.wantCode || street != tt.wantStreet {
					t.Errorf("MatchCommune(%q) = %q, %q, %v; want %q, %q", tt.address, code, street, ok, tt.wantCode, tt.wantStreet)
				}
			})
		}
	}
}

// TestMatchCommuneAllTienGiang matches every commune of the province in the shared reference
// data, when it is present beside the repository (as in CI), to catch name collisions the
// inline fixture does not have.
func TestMatchCommuneAllTienGiang(t *testing.T) {
	raw, err := os.ReadFile("../../../shared/reference/dvhc-tien-giang.json")
	if err != nil {
		t.Skipf("shared reference data not available: %v", err)
	}
	type level3 struct {
		ID   string `json:"level3_id"`
		Name string `json:"name"`
		Type string `json:"type"`
	}
	var doc struct {
		Province struct {
			ID      string `json:"level1_id"`
			Name    string `json:"name"`
			Type    string `json:"type"`
			Level2s []struct {
				ID      string   `json:"level2_id"`
				Name    string   `json:"name"`
				Type    string   `json:"type"`
				Level3s []level3 `json:"level3s"`
			} `json:"level2s"`
		} `json:"province"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("decode reference data: %v", err)
	}
	p := doc.Province
	units := []Unit{{Code: p.ID, Name: p.Name, Level: LevelProvince, Type: p.Type}}
	type want struct{ code, address string }
	var wants []want
	for _, d := range p.Level2s {
		units = append(units, Unit{Code: d.ID, Name: d.Name, Level: LevelDistrict, ParentCode: p.ID, Type: d.Type})
		for _, c := range d.Level3s {
			units = append(units, Unit{Code: c.ID, Name: c.Name, Level: LevelCommune, ParentCode: d.ID, Type: c.Type})
			wants = append(wants, want{c.ID, "Ấp 1, " + c.Name + ", " + d.Name + ", " + p.Name})
		}
	}
	if len(wants) < 150 {
		t.Fatalf("reference data has only %d communes", len(wants))
	}
	for _, w := range wants {
		code, street, ok := MatchCommune(w.address, units)
		if !ok || code != w.code || street != "Ấp 1" {
			t.Errorf("MatchCommune(%q) = %q, %q, %v; want %q", w.address, code, street, ok, w.code)
		}
	}
}

// A province renamed after cards were issued is still recognised as the office's own: its
// old name comes from the CCCD code table. The district and commune codes here are
// illustrative, not GSO codes.
func TestMatchCommuneRenamedProvince(t *testing.T) {
	units := []Unit{
		{Code: "46", Name: "Thành phố Huế", Level: LevelProvince, Type: "Thành phố"},
		{Code: "474", Name: "Quận Phú Xuân", Level: LevelDistrict, ParentCode: "46", Type: "Quận"},
		{Code: "19999", Name: "Phường Tây Lộc", Level: LevelCommune, ParentCode: "474", Type: "Phường"},
	}
	tests := []struct {
		address, wantCode string
	}{
		{"12 Lê Huân, Phường Tây Lộc, Quận Phú Xuân, Thành phố Huế", "19999"},
		{"12 Lê Huân, Phường Tây Lộc, Quận Phú Xuân, Thừa Thiên Huế", "19999"},
		{"12 Lê Huân, Phường Tây Lộc, Quận Phú Xuân, Tỉnh Thừa Thiên Huế", "19999"},
		{"12 Lê Huân, Phường Tây Lộc, Quận Phú Xuân, Đà Nẵng", ""},
	}
	for _, tt := range tests {
		code, _, ok := MatchCommune(tt.address, units)
		if code != tt.wantCode || ok != (tt.wantCode != "") {
			t.Errorf("MatchCommune(%q) = %q, %v; want %q", tt.address, code, ok, tt.wantCode)
		}
	}
}
