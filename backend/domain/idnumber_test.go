package domain

import (
	"testing"
	"time"
)

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func TestCheckIDNumber(t *testing.T) {
	b1995 := day(1995, 3, 15)
	b2003 := day(2003, 7, 1)
	tests := []struct {
		name     string
		id       string
		gender   Gender
		birth    time.Time
		wantCode string // "" means valid
	}{
		{"male 1900s", "082095001234", Male, b1995, ""},
		{"female 1900s", "082195001234", Female, b1995, ""},
		{"male 2000s", "079203001234", Male, b2003, ""},
		{"female 2000s", "001303001234", Female, b2003, ""},
		{"female 2100s", "001500001234", Female, day(2100, 1, 1), ""},
		{"spaces stripped", " 082 095 001 234 ", Male, b1995, ""},
		{"every province code from the circular", "096095001234", Male, b1995, ""},
		{"no birth skips century and year", "082295001234", Male, time.Time{}, ""},
		{"no gender skips gender", "082195001234", "", b1995, ""},
		{"CMND 9 digits", "123456789", Male, b1995, ""},
		{"CMND with spaces", "123 456 789", Female, time.Time{}, ""},

		{"empty", "", Male, b1995, "required"},
		{"only spaces", "   ", Male, b1995, "required"},
		{"11 digits", "08209500123", Male, b1995, "id_format"},
		{"13 digits", "0820950012345", Male, b1995, "id_format"},
		{"10 digits", "0820950012", Male, b1995, "id_format"},
		{"letters", "08209500123A", Male, b1995, "id_format"},
		{"dash", "082-095-001234", Male, b1995, "id_format"},
		{"full-width digits", "０８２０９５００１２３４", Male, b1995, "id_format"},
		{"province 003 unused", "003095001234", Male, b1995, "cccd_province"},
		{"province 000", "000095001234", Male, b1995, "cccd_province"},
		{"province 097 beyond Cà Mau", "097095001234", Male, b1995, "cccd_province"},
		{"female digit for male", "082195001234", Male, b1995, "cccd_gender_century"},
		{"male digit for female", "082095001234", Female, b1995, "cccd_gender_century"},
		{"gender checked without birth", "082195001234", Male, time.Time{}, "cccd_gender_century"},
		{"2000s digit for 1995", "082295001234", Male, b1995, "cccd_gender_century"},
		{"1900s digit for 2003", "082003001234", Male, b2003, "cccd_gender_century"},
		{"born before 1900", "082099001234", Male, day(1899, 1, 1), "cccd_gender_century"},
		{"wrong year digits", "082096001234", Male, b1995, "cccd_birth_year"},
		{"year digits swapped", "082059001234", Male, b1995, "cccd_birth_year"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fe := CheckIDNumber(tt.id, tt.gender, tt.birth)
			switch {
			case tt.wantCode == "" && fe != nil:
				t.Fatalf("CheckIDNumber(%q) = %+v, want valid", tt.id, *fe)
			case tt.wantCode != "" && fe == nil:
				t.Fatalf("CheckIDNumber(%q) = valid, want %s", tt.id, tt.wantCode)
			case fe != nil:
				if fe.Code != tt.wantCode || fe.Field != "id_number" || fe.VI == "" || fe.EN == "" {
					t.Errorf("CheckIDNumber(%q) = %+v, want code %s on id_number with both messages", tt.id, *fe, tt.wantCode)
				}
			}
		})
	}
}

// The province table must hold exactly the 63 codes of the circular, and each one must pass.
func TestCCCDProvinceCodes(t *testing.T) {
	if len(cccdProvinces) != 63 {
		t.Fatalf("cccdProvinces has %d codes, want 63", len(cccdProvinces))
	}
	for code := range cccdProvinces {
		if fe := CheckIDNumber(code+"095001234", Male, day(1995, 1, 1)); fe != nil {
			t.Errorf("province %s refused: %+v", code, *fe)
		}
	}
}

func TestNormalizePhone(t *testing.T) {
	tests := []struct {
		name, in, want, wantCode string
	}{
		{"empty is fine", "", "", ""},
		{"blank is fine", "   ", "", ""},
		{"Viettel 03x", "0321234567", "0321234567", ""},
		{"Viettel 039", "0391234567", "0391234567", ""},
		{"Vietnamobile 052", "0521234567", "0521234567", ""},
		{"Reddi 055", "0551234567", "0551234567", ""},
		{"Vietnamobile 056", "0561234567", "0561234567", ""},
		{"Vietnamobile 058", "0581234567", "0581234567", ""},
		{"Gmobile 059", "0591234567", "0591234567", ""},
		{"MobiFone 070", "0701234567", "0701234567", ""},
		{"MobiFone 076", "0761234567", "0761234567", ""},
		{"MobiFone 079", "0791234567", "0791234567", ""},
		{"VinaPhone 081", "0811234567", "0811234567", ""},
		{"Itel 087", "0871234567", "0871234567", ""},
		{"VinaPhone 089", "0891234567", "0891234567", ""},
		{"MobiFone 090", "0901234567", "0901234567", ""},
		{"VinaPhone 094", "0941234567", "0941234567", ""},
		{"Viettel 096", "0961234567", "0961234567", ""},
		{"Gmobile 099", "0991234567", "0991234567", ""},
		{"spaces", "0912 345 678", "0912345678", ""},
		{"dots", "0912.345.678", "0912345678", ""},
		{"dashes", "0912-345-678", "0912345678", ""},
		{"+84", "+84 912 345 678", "0912345678", ""},
		{"+84 with (0)", "+84 (0) 912 345 678", "0912345678", ""},
		{"84 prefix", "84912345678", "0912345678", ""},
		{"0084 prefix", "0084912345678", "0912345678", ""},

		{"095 closed", "0951234567", "", "phone_prefix"},
		{"031 not mobile", "0311234567", "", "phone_prefix"},
		{"080 not mobile", "0801234567", "", "phone_prefix"},
		{"old 11-digit 016x", "01681234567", "", "phone_prefix"},
		{"too short", "091234567", "", "phone_format"},
		{"too long", "09123456789", "", "phone_format"},
		{"no leading 0", "9123456789", "", "phone_format"},
		{"letters", "0912abc678", "", "phone_format"},
		{"foreign country code", "+1 212 555 0100", "", "phone_format"},
		{"landline", "02733 123 456", "", "phone_format"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, fe := NormalizePhone(tt.in)
			if tt.wantCode == "" {
				if fe != nil || got != tt.want {
					t.Fatalf("NormalizePhone(%q) = %q, %+v; want %q, nil", tt.in, got, fe, tt.want)
				}
				return
			}
			if fe == nil {
				t.Fatalf("NormalizePhone(%q) = %q, nil; want %s", tt.in, got, tt.wantCode)
			}
			if fe.Code != tt.wantCode || fe.Field != "phone" || fe.VI == "" || fe.EN == "" || got != "" {
				t.Errorf("NormalizePhone(%q) = %q, %+v; want code %s", tt.in, got, *fe, tt.wantCode)
			}
		})
	}
}

func TestNormalizePlate(t *testing.T) {
	tests := []struct {
		name     string
		in       string
		v        VehicleType
		want     string
		wantCode string
	}{
		{"car 5 digits canonical", "63A-123.45", VehicleCar, "63A-123.45", ""},
		{"car 4 digits", "63A-1234", VehicleCar, "63A-1234", ""},
		{"car lowercase compact", "63a12345", VehicleCar, "63A-123.45", ""},
		{"car spaced", " 63 a 123 45 ", VehicleCar, "63A-123.45", ""},
		{"car two-letter series", "51ld 12345", VehicleCar, "51LD-123.45", ""},
		{"truck uses car format", "63C-012.34", VehicleTruck, "63C-012.34", ""},
		{"motorbike canonical", "63-B1 123.45", VehicleMotorbike, "63-B1 123.45", ""},
		{"motorbike compact lowercase", "63b112345", VehicleMotorbike, "63-B1 123.45", ""},
		{"motorbike 4 digits", "63 b1 1234", VehicleMotorbike, "63-B1 1234", ""},
		{"motorbike two letters", "59aa-12345", VehicleMotorbike, "59-AA 123.45", ""},
		{"motorbike dashes everywhere", "63-b1-123-45", VehicleMotorbike, "63-B1 123.45", ""},
		{"compact ambiguous read as motorbike", "63a12345", VehicleMotorbike, "63-A1 2345", ""},
		{"other with car plate", "63A-123.45", VehicleOther, "63A-123.45", ""},
		{"other with motorbike plate", "63-B1 123.45", VehicleOther, "63-B1 123.45", ""},
		{"other without plate", "", VehicleOther, "", ""},
		{"walk drops plate", "63A-123.45", VehicleWalk, "", ""},
		{"bicycle drops garbage", "xyz", VehicleBicycle, "", ""},

		{"car required", "", VehicleCar, "", "required"},
		{"motorbike required", "  ", VehicleMotorbike, "", "required"},
		{"motorbike plate on car", "63-B1 123.45", VehicleCar, "", "plate_vehicle_mismatch"},
		{"compact motorbike plate on car", "63b112345", VehicleCar, "", "plate_vehicle_mismatch"},
		{"car plate on motorbike", "63A-123.45", VehicleMotorbike, "", "plate_vehicle_mismatch"},
		{"car plate 4 digits on motorbike", "63A-1234", VehicleMotorbike, "", "plate_vehicle_mismatch"},
		{"too few digits", "63A-123", VehicleCar, "", "plate_format"},
		{"too many digits", "63A-123456", VehicleCar, "", "plate_format"},
		{"no series", "63-12345", VehicleCar, "", "plate_format"},
		{"letter I not issued", "63I-12345", VehicleCar, "", "plate_format"},
		{"letter O not issued", "63-O1 12345", VehicleMotorbike, "", "plate_format"},
		{"one-digit province", "6A-12345", VehicleCar, "", "plate_format"},
		{"province 10", "10A-123.45", VehicleCar, "", "plate_province"},
		{"province 05 motorbike", "05-B1 123.45", VehicleMotorbike, "", "plate_province"},
		{"all-zero serial", "63A-000.00", VehicleCar, "", "plate_format"},
		{"foreign characters", "63Đ-123.45", VehicleCar, "", "plate_format"},
		{"other validated if given", "ABC", VehicleOther, "", "plate_format"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, fe := NormalizePlate(tt.in, tt.v)
			if tt.wantCode == "" {
				if fe != nil || got != tt.want {
					t.Fatalf("NormalizePlate(%q, %s) = %q, %+v; want %q", tt.in, tt.v, got, fe, tt.want)
				}
				return
			}
			if fe == nil {
				t.Fatalf("NormalizePlate(%q, %s) = %q, nil; want %s", tt.in, tt.v, got, tt.wantCode)
			}
			if fe.Code != tt.wantCode || fe.Field != "vehicle_plate" || fe.VI == "" || fe.EN == "" {
				t.Errorf("NormalizePlate(%q, %s) = %+v; want code %s", tt.in, tt.v, *fe, tt.wantCode)
			}
		})
	}
}

// A wrong combination must show the clerk an example of the right format.
func TestNormalizePlateMessageShowsExample(t *testing.T) {
	_, fe := NormalizePlate("63A-123.45", VehicleMotorbike)
	if fe == nil || !containsAll(fe.VI, "63-B1 123.45") || !containsAll(fe.EN, "63-B1 123.45") {
		t.Fatalf("mismatch message lacks a motorbike example: %+v", fe)
	}
}
