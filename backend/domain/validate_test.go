package domain

import (
	"errors"
	"sort"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/unicode/norm"
)

// unitMap is a UnitLookup over a fixed list.
type unitMap map[string]Unit

func (m unitMap) Unit(code string) (Unit, bool) {
	u, ok := m[code]
	return u, ok
}

func testUnits() unitMap {
	m := unitMap{}
	for _, u := range tienGiangUnits {
		m[u.Code] = u
	}
	return m
}

func containsAll(s string, parts ...string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}

// ict is Vietnam's time (UTC+7, no daylight saving); fixed so the test needs no tzdata.
var ict = time.FixedZone("ICT", 7*3600)

// testNow is mid-morning on 15 September 2021 at the office.
var testNow = time.Date(2021, 9, 15, 9, 30, 0, 0, ict)

func validInput() ApplicationInput {
	return ApplicationInput{
		FullName:             "Nguyễn Văn Dũng",
		BirthDate:            "1995-03-15",
		Gender:               Male,
		IDNumber:             "082095001234",
		Phone:                "0912345678",
		ResidenceCommuneCode: "28291",
		ResidenceStreet:      "Ấp Tân Hòa",
		Workplace:            "Công ty TNHH Thủy sản Mỹ Tho",
		PurposeCode:          "work",
		RouteFrom:            "Ấp Tân Hòa, Xã Tân Mỹ Chánh",
		RouteTo:              "KCN Mỹ Tho",
		VehicleType:          VehicleMotorbike,
		VehiclePlate:         "63-B1 123.45",
		ValidFrom:            "2021-09-15",
		ValidTo:              "2021-09-28",
		Note:                 "",
	}
}

func fieldCodes(err error) map[string]string {
	out := map[string]string{}
	var ve *ValidationError
	if errors.As(err, &ve) {
		for _, f := range ve.Fields {
			out[f.Field] = f.Code
		}
	}
	return out
}

func TestValidateApplicationValid(t *testing.T) {
	in := validInput()
	got, err := ValidateApplication(in, testNow, DefaultRules("28291"), testUnits())
	if err != nil {
		t.Fatalf("ValidateApplication(valid) = %v", err)
	}
	if got != in {
		t.Errorf("an already normal input changed:\n got %+v\nwant %+v", got, in)
	}
}

func TestValidateApplicationNormalises(t *testing.T) {
	in := validInput()
	in.FullName = norm.NFD.String("  nguyễn   VĂN dũng ")
	in.IDNumber = "082 095 001 234"
	in.Phone = "+84 912.345.678"
	in.ResidenceStreet = "  Ấp  Tân Hòa "
	in.RouteTo = norm.NFD.String("KCN  Mỹ Tho")
	in.VehicleType = " Car "
	in.VehiclePlate = "63a12345"
	in.Gender = " Male"
	in.Note = " cần  đi sớm\n"
	got, err := ValidateApplication(in, testNow, DefaultRules("28291"), testUnits())
	if err != nil {
		t.Fatalf("ValidateApplication = %v", err)
	}
	want := validInput()
	want.VehicleType, want.VehiclePlate, want.Note = VehicleCar, "63A-123.45", "cần đi sớm"
	if got != want {
		t.Errorf("normalised copy:\n got %+v\nwant %+v", got, want)
	}
}

func TestValidateApplicationFields(t *testing.T) {
	rules := DefaultRules("28291") // MaxDays 14
	tests := []struct {
		name  string
		edit  func(*ApplicationInput)
		field string
		code  string
	}{
		{"name missing", func(a *ApplicationInput) { a.FullName = "  " }, "full_name", "required"},
		{"name one letter", func(a *ApplicationInput) { a.FullName = "A" }, "full_name", "too_short"},
		{"name too long", func(a *ApplicationInput) { a.FullName = strings.Repeat("Nguyễn ", 12) }, "full_name", "too_long"},
		{"name with digits", func(a *ApplicationInput) { a.FullName = "Nguyễn Văn 2" }, "full_name", "name_chars"},
		{"name with punctuation", func(a *ApplicationInput) { a.FullName = "Nguyễn, Văn" }, "full_name", "name_chars"},
		{"name starting with hyphen", func(a *ApplicationInput) { a.FullName = "-Nguyễn" }, "full_name", "name_chars"},
		{"name in another script", func(a *ApplicationInput) { a.FullName = "阮文勇" }, "full_name", "name_chars"},
		{"birth missing", func(a *ApplicationInput) { a.BirthDate = "" }, "birth_date", "required"},
		{"birth 30 Feb", func(a *ApplicationInput) { a.BirthDate = "2000-02-30" }, "birth_date", "date_format"},
		{"birth dd/mm/yyyy", func(a *ApplicationInput) { a.BirthDate = "15/03/1995" }, "birth_date", "date_format"},
		{"birth tomorrow", func(a *ApplicationInput) { a.BirthDate = "2021-09-16"; a.IDNumber = "123456789" }, "birth_date", "date_future"},
		{"older than 120", func(a *ApplicationInput) { a.BirthDate = "1900-09-15"; a.IDNumber = "123456789" }, "birth_date", "too_old"},
		{"gender missing", func(a *ApplicationInput) { a.Gender = "" }, "gender", "required"},
		{"gender unknown", func(a *ApplicationInput) { a.Gender = "nam" }, "gender", "gender_invalid"},
		{"ID missing", func(a *ApplicationInput) { a.IDNumber = "" }, "id_number", "required"},
		{"ID 11 digits", func(a *ApplicationInput) { a.IDNumber = "08209500123" }, "id_number", "id_format"},
		{"ID letters", func(a *ApplicationInput) { a.IDNumber = "0820950012AB" }, "id_number", "id_format"},
		{"ID wrong province", func(a *ApplicationInput) { a.IDNumber = "099095001234" }, "id_number", "cccd_province"},
		{"ID wrong gender digit", func(a *ApplicationInput) { a.Gender = Female }, "id_number", "cccd_gender_century"},
		{"ID wrong century", func(a *ApplicationInput) { a.IDNumber = "082295001234" }, "id_number", "cccd_gender_century"},
		{"ID wrong year", func(a *ApplicationInput) { a.BirthDate = "1996-03-15" }, "id_number", "cccd_birth_year"},
		{"phone bad prefix", func(a *ApplicationInput) { a.Phone = "0951234567" }, "phone", "phone_prefix"},
		{"phone too short", func(a *ApplicationInput) { a.Phone = "091234567" }, "phone", "phone_format"},
		{"commune missing", func(a *ApplicationInput) { a.ResidenceCommuneCode = "" }, "residence_commune_code", "required"},
		{"commune unknown", func(a *ApplicationInput) { a.ResidenceCommuneCode = "99999" }, "residence_commune_code", "commune_unknown"},
		{"district instead of commune", func(a *ApplicationInput) { a.ResidenceCommuneCode = "815" }, "residence_commune_code", "commune_level"},
		{"street too long", func(a *ApplicationInput) { a.ResidenceStreet = strings.Repeat("ấ", 201) }, "residence_street", "too_long"},
		{"workplace too long", func(a *ApplicationInput) { a.Workplace = strings.Repeat("x", 201) }, "workplace", "too_long"},
		{"purpose missing", func(a *ApplicationInput) { a.PurposeCode = "" }, "purpose_code", "required"},
		{"purpose not in rules", func(a *ApplicationInput) { a.PurposeCode = "tourism" }, "purpose_code", "purpose_unknown"},
		{"route from missing", func(a *ApplicationInput) { a.RouteFrom = " " }, "route_from", "required"},
		{"route to missing", func(a *ApplicationInput) { a.RouteTo = "" }, "route_to", "required"},
		{"route to too long", func(a *ApplicationInput) { a.RouteTo = strings.Repeat("đ", 201) }, "route_to", "too_long"},
		{"vehicle missing", func(a *ApplicationInput) { a.VehicleType = "" }, "vehicle_type", "required"},
		{"vehicle unknown", func(a *ApplicationInput) { a.VehicleType = "boat" }, "vehicle_type", "vehicle_invalid"},
		{"plate missing", func(a *ApplicationInput) { a.VehiclePlate = "" }, "vehicle_plate", "required"},
		{"car plate on motorbike", func(a *ApplicationInput) { a.VehiclePlate = "63A-123.45" }, "vehicle_plate", "plate_vehicle_mismatch"},
		{"valid_from missing", func(a *ApplicationInput) { a.ValidFrom = "" }, "valid_from", "required"},
		{"valid_to missing", func(a *ApplicationInput) { a.ValidTo = "" }, "valid_to", "required"},
		{"valid_from yesterday", func(a *ApplicationInput) { a.ValidFrom, a.ValidTo = "2021-09-14", "2021-09-20" }, "valid_from", "date_past"},
		{"valid_from invalid date", func(a *ApplicationInput) { a.ValidFrom = "2021-02-30" }, "valid_from", "date_format"},
		{"valid_to invalid date", func(a *ApplicationInput) { a.ValidTo = "2024-02-30" }, "valid_to", "date_format"},
		{"reversed window", func(a *ApplicationInput) { a.ValidFrom, a.ValidTo = "2021-09-20", "2021-09-18" }, "valid_to", "date_order"},
		{"window 15 days", func(a *ApplicationInput) { a.ValidTo = "2021-09-29" }, "valid_to", "window_too_long"},
		{"note too long", func(a *ApplicationInput) { a.Note = strings.Repeat("a ", 251) }, "note", "too_long"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := validInput()
			tt.edit(&in)
			_, err := ValidateApplication(in, testNow, rules, testUnits())
			codes := fieldCodes(err)
			if len(codes) != 1 || codes[tt.field] != tt.code {
				t.Fatalf("errors = %v (%v), want only %s=%s", codes, err, tt.field, tt.code)
			}
			var ve *ValidationError
			errors.As(err, &ve)
			if f := ve.Fields[0]; f.VI == "" || f.EN == "" || f.VI == f.EN {
				t.Errorf("field error needs distinct Vietnamese and English messages: %+v", f)
			}
		})
	}
}

func TestValidateApplicationAccepts(t *testing.T) {
	rules := DefaultRules("28291")
	tests := []struct {
		name string
		now  time.Time
		edit func(*ApplicationInput)
	}{
		{"window of exactly MaxDays", testNow, func(a *ApplicationInput) { a.ValidTo = "2021-09-28" }},
		{"one-day window", testNow, func(a *ApplicationInput) { a.ValidTo = "2021-09-15" }},
		{"starts in the future", testNow, func(a *ApplicationInput) { a.ValidFrom, a.ValidTo = "2021-10-01", "2021-10-14" }},
		// 23:30 UTC on the 14th is already the 15th in Vietnam: today is the office's day.
		{"today in now's location", time.Date(2021, 9, 14, 23, 30, 0, 0, time.UTC).In(ict), func(*ApplicationInput) {}},
		{"CMND", testNow, func(a *ApplicationInput) { a.IDNumber = "123 456 789" }},
		{"no phone", testNow, func(a *ApplicationInput) { a.Phone = "" }},
		{"walking, plate dropped", testNow, func(a *ApplicationInput) { a.VehicleType, a.VehiclePlate = VehicleWalk, "" }},
		{"born today", testNow, func(a *ApplicationInput) { a.BirthDate, a.IDNumber = "2021-09-15", "082221001234" }},
		{"age 120", testNow, func(a *ApplicationInput) { a.BirthDate, a.IDNumber = "1900-09-16", "082000001234" }},
		{"minority name", testNow, func(a *ApplicationInput) { a.FullName = "H'Hen Niê" }},
		{"hyphenated name", testNow, func(a *ApplicationInput) { a.FullName = "Ksor Y-Moan" }},
		{"every tone", testNow, func(a *ApplicationInput) { a.FullName = "Lê Thị Hồng Nhung Ảnh Ẫm Ậu Ưng Đức" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := validInput()
			tt.edit(&in)
			if _, err := ValidateApplication(in, tt.now, rules, testUnits()); err != nil {
				t.Fatalf("ValidateApplication = %v", err)
			}
		})
	}
}

// The clerk must see every wrong field at once, not the first one only.
func TestValidateApplicationReportsEveryField(t *testing.T) {
	in := ApplicationInput{
		FullName:             "X",
		BirthDate:            "1995-13-01",
		Gender:               "other",
		IDNumber:             "12345",
		Phone:                "12",
		ResidenceCommuneCode: "815",
		PurposeCode:          "party",
		VehicleType:          VehicleCar,
		VehiclePlate:         "63-B1 123.45",
		ValidFrom:            "2021-09-01",
		ValidTo:              "2021-08-01",
		Note:                 strings.Repeat("n", 501),
	}
	got, err := ValidateApplication(in, testNow, DefaultRules("28291"), testUnits())
	want := map[string]string{
		"full_name":              "too_short",
		"birth_date":             "date_format",
		"gender":                 "gender_invalid",
		"id_number":              "id_format",
		"phone":                  "phone_format",
		"residence_commune_code": "commune_level",
		"purpose_code":           "purpose_unknown",
		"route_from":             "required",
		"route_to":               "required",
		"vehicle_plate":          "plate_vehicle_mismatch",
		"valid_from":             "date_past",
		"valid_to":               "date_order",
		"note":                   "too_long",
	}
	codes := fieldCodes(err)
	if len(codes) != len(want) {
		var fields []string
		for f := range codes {
			fields = append(fields, f)
		}
		sort.Strings(fields)
		t.Errorf("got %d fields %v, want %d", len(codes), fields, len(want))
	}
	for f, c := range want {
		if codes[f] != c {
			t.Errorf("%s: code %q, want %q", f, codes[f], c)
		}
	}
	// Wrong values are kept (normalised) so the form can show them for correction.
	if got.Phone != "12" || got.VehiclePlate != "63-B1 123.45" || got.FullName != "X" {
		t.Errorf("wrong values not kept: %+v", got)
	}
}

func TestValidateApplicationMessages(t *testing.T) {
	in := validInput()
	in.IDNumber = "08209500123"
	in.ValidTo = "2021-10-15"
	_, err := ValidateApplication(in, testNow, DefaultRules("28291"), testUnits())
	var ve *ValidationError
	if !errors.As(err, &ve) || len(ve.Fields) != 2 {
		t.Fatalf("want 2 field errors, got %v", err)
	}
	for _, f := range ve.Fields {
		switch f.Field {
		case "id_number":
			if !strings.HasPrefix(f.VI, "Số CCCD phải có 12 chữ số") {
				t.Errorf("id_number message: %q", f.VI)
			}
		case "valid_to":
			if !containsAll(f.VI, "tối đa 14 ngày", "31 ngày") || !containsAll(f.EN, "14 days") {
				t.Errorf("window message must name the maximum: %q / %q", f.VI, f.EN)
			}
		}
	}
}

func TestValidateApplicationNilUnits(t *testing.T) {
	_, err := ValidateApplication(validInput(), testNow, DefaultRules("28291"), nil)
	if codes := fieldCodes(err); codes["residence_commune_code"] != "commune_unknown" || len(codes) != 1 {
		t.Fatalf("nil lookup: %v", err)
	}
}
