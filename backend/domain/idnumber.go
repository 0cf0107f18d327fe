package domain

import (
	"fmt"
	"strings"
	"time"
	"unicode"
)

// cccdProvinces maps the first three digits of a CCCD number to the province where the birth
// was registered (Circular 07/2016/TT-BCA). The codes are the GSO province codes padded to
// three digits, fixed by the ID regulation: later mergers of provinces do not renumber cards.
var cccdProvinces = map[string]string{
	"001": "Hà Nội", "002": "Hà Giang", "004": "Cao Bằng", "006": "Bắc Kạn",
	"008": "Tuyên Quang", "010": "Lào Cai", "011": "Điện Biên", "012": "Lai Châu",
	"014": "Sơn La", "015": "Yên Bái", "017": "Hòa Bình", "019": "Thái Nguyên",
	"020": "Lạng Sơn", "022": "Quảng Ninh", "024": "Bắc Giang", "025": "Phú Thọ",
	"026": "Vĩnh Phúc", "027": "Bắc Ninh", "030": "Hải Dương", "031": "Hải Phòng",
	"033": "Hưng Yên", "034": "Thái Bình", "035": "Hà Nam", "036": "Nam Định",
	"037": "Ninh Bình", "038": "Thanh Hóa", "040": "Nghệ An", "042": "Hà Tĩnh",
	"044": "Quảng Bình", "045": "Quảng Trị", "046": "Thừa Thiên Huế", "048": "Đà Nẵng",
	"049": "Quảng Nam", "051": "Quảng Ngãi", "052": "Bình Định", "054": "Phú Yên",
	"056": "Khánh Hòa", "058": "Ninh Thuận", "060": "Bình Thuận", "062": "Kon Tum",
	"064": "Gia Lai", "066": "Đắk Lắk", "067": "Đắk Nông", "068": "Lâm Đồng",
	"070": "Bình Phước", "072": "Tây Ninh", "074": "Bình Dương", "075": "Đồng Nai",
	"077": "Bà Rịa–Vũng Tàu", "079": "TP Hồ Chí Minh", "080": "Long An", "082": "Tiền Giang",
	"083": "Bến Tre", "084": "Trà Vinh", "086": "Vĩnh Long", "087": "Đồng Tháp",
	"089": "An Giang", "091": "Kiên Giang", "092": "Cần Thơ", "093": "Hậu Giang",
	"094": "Sóc Trăng", "095": "Bạc Liêu", "096": "Cà Mau",
}

const (
	fieldIDNumber = "id_number"
	fieldPhone    = "phone"
	fieldPlate    = "vehicle_plate"
)

// withoutRunes returns s with every rune for which drop reports true removed.
func withoutRunes(s string, drop func(rune) bool) string {
	return strings.Map(func(r rune) rune {
		if drop(r) {
			return -1
		}
		return r
	}, s)
}

// asciiDigitsOnly reports whether s is non-empty and made of ASCII digits; unicode.IsDigit
// would also let through Arabic-Indic and full-width digits.
func asciiDigitsOnly(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func idError(code, vi, en string) *FieldError {
	return &FieldError{Field: fieldIDNumber, Code: code, VI: vi, EN: en}
}

func genderVI(g Gender) string {
	if g == Female {
		return "nữ"
	}
	return "nam"
}

// CheckIDNumber checks a citizen ID number: a 12-digit CCCD, whose digits encode the birth
// province, century, gender and year, or a 9-digit CMND (the old card), which encodes nothing
// checkable. Spaces are ignored. A zero birth skips the birth checks and an empty or unknown
// gender skips the gender check, so a partly filled form can still be checked.
func CheckIDNumber(id string, gender Gender, birth time.Time) *FieldError {
	id = withoutRunes(id, unicode.IsSpace)
	if id == "" {
		return idError("required", "Chưa nhập số CCCD/CMND.", "The ID number is required.")
	}
	if !asciiDigitsOnly(id) || (len(id) != 12 && len(id) != 9) {
		return idError("id_format",
			fmt.Sprintf("Số CCCD phải có 12 chữ số (hoặc CMND cũ 9 chữ số), chỉ gồm chữ số; đã nhập %d ký tự.", len([]rune(id))),
			fmt.Sprintf("The ID number must be a 12-digit CCCD or a 9-digit CMND, digits only; got %d characters.", len([]rune(id))))
	}
	if len(id) == 9 {
		return nil
	}
	if _, ok := cccdProvinces[id[:3]]; !ok {
		return idError("cccd_province",
			fmt.Sprintf("Số CCCD không hợp lệ: 3 chữ số đầu (%s) không phải mã tỉnh, thành phố nơi đăng ký khai sinh.", id[:3]),
			fmt.Sprintf("Invalid CCCD: the first 3 digits (%s) are not a province code.", id[:3]))
	}
	code := int(id[3] - '0')
	if gender == Male || gender == Female {
		codeGender := Male
		if code%2 == 1 {
			codeGender = Female
		}
		if codeGender != gender {
			return idError("cccd_gender_century",
				fmt.Sprintf("Số CCCD không khớp giới tính: chữ số thứ 4 là %d (giới tính %s) nhưng giới tính đã chọn là %s.", code, genderVI(codeGender), genderVI(gender)),
				fmt.Sprintf("The CCCD does not match the gender: its 4th digit %d means %s, but %s was chosen.", code, codeGender, gender))
		}
	}
	if birth.IsZero() {
		return nil
	}
	year := birth.Year()
	if year < 1900 || year > 2399 {
		return idError("cccd_gender_century",
			fmt.Sprintf("Năm sinh %d nằm ngoài khoảng 1900–2399 mà số CCCD mã hóa được.", year),
			fmt.Sprintf("Birth year %d is outside 1900–2399, which a CCCD can encode.", year))
	}
	// The 4th digit is 2×century index + gender: 0/1 for 1900-1999, 2/3 for 2000-2099, ...
	from := 1900 + code/2*100
	if year < from || year >= from+100 {
		return idError("cccd_gender_century",
			fmt.Sprintf("Số CCCD không khớp năm sinh: chữ số thứ 4 là %d (sinh %d–%d) nhưng năm sinh là %d.", code, from, from+99, year),
			fmt.Sprintf("The CCCD does not match the birth year: its 4th digit %d means born %d–%d, but the birth year is %d.", code, from, from+99, year))
	}
	if want := fmt.Sprintf("%02d", year%100); id[4:6] != want {
		return idError("cccd_birth_year",
			fmt.Sprintf("Số CCCD không khớp năm sinh: chữ số thứ 5–6 (%s) phải là 2 số cuối của năm sinh (%s).", id[4:6], want),
			fmt.Sprintf("The CCCD does not match the birth year: digits 5–6 (%s) must be the last two digits of the birth year (%s).", id[4:6], want))
	}
	return nil
}

// mobilePrefixes are the Vietnamese mobile prefixes in use since the 2018 move from 11 to 10
// digits. 095 (S-Fone) is closed and not listed.
var mobilePrefixes = map[string]bool{
	"032": true, "033": true, "034": true, "035": true, "036": true, "037": true, "038": true, "039": true,
	"052": true, "055": true, "056": true, "058": true, "059": true,
	"070": true, "076": true, "077": true, "078": true, "079": true,
	"081": true, "082": true, "083": true, "084": true, "085": true, "086": true, "087": true, "088": true, "089": true,
	"090": true, "091": true, "092": true, "093": true, "094": true, "096": true, "097": true, "098": true, "099": true,
}

func phoneError(code, vi, en string) *FieldError {
	return &FieldError{Field: fieldPhone, Code: code, VI: vi, EN: en}
}

// NormalizePhone returns a Vietnamese mobile number in its canonical 10-digit form 0XXXXXXXXX.
// It accepts the ways people write numbers (spaces, dots, dashes, brackets, +84, 84, 0084).
// An empty input is valid: many walk-in citizens have no phone.
func NormalizePhone(s string) (string, *FieldError) {
	c := withoutRunes(s, func(r rune) bool {
		return unicode.IsSpace(r) || r == '.' || r == '-' || r == '(' || r == ')'
	})
	if c == "" {
		return "", nil
	}
	intl := true
	switch {
	case strings.HasPrefix(c, "+84"):
		c = c[3:]
	case strings.HasPrefix(c, "0084"):
		c = c[4:]
	case strings.HasPrefix(c, "84") && len(c) >= 11:
		// A domestic number always starts with 0, so a leading 84 is the country code.
		c = c[2:]
	default:
		intl = false
	}
	if intl && !strings.HasPrefix(c, "0") {
		c = "0" + c // "+84 (0) 912…" keeps its 0; "+84 912…" gets it back
	}
	const example = "ví dụ 0912 345 678"
	if !asciiDigitsOnly(c) {
		return "", phoneError("phone_format",
			"Số điện thoại chỉ được gồm chữ số (có thể có dấu cách, dấu chấm, +84); "+example+".",
			"The phone number may contain only digits (spaces, dots and +84 are allowed), e.g. 0912 345 678.")
	}
	if len(c) == 11 && strings.HasPrefix(c, "01") {
		return "", phoneError("phone_prefix",
			"Số di động 11 số đầu 01 đã chuyển sang 10 số từ năm 2018; hãy nhập số mới ("+example+").",
			"11-digit 01x mobile numbers were renumbered to 10 digits in 2018; enter the new number.")
	}
	if len(c) != 10 || c[0] != '0' {
		return "", phoneError("phone_format",
			fmt.Sprintf("Số điện thoại di động phải có 10 chữ số, bắt đầu bằng 0 (%s); đã nhập %d chữ số.", example, len(c)),
			fmt.Sprintf("A mobile number has 10 digits starting with 0 (e.g. 0912 345 678); got %d digits.", len(c)))
	}
	if !mobilePrefixes[c[:3]] {
		return "", phoneError("phone_prefix",
			fmt.Sprintf("Đầu số %s không phải đầu số di động Việt Nam (%s).", c[:3], example),
			fmt.Sprintf("%s is not a Vietnamese mobile prefix.", c[:3]))
	}
	return c, nil
}

// plateParts is a registration plate split into province code, series and serial number.
type plateParts struct {
	province, series, serial string
}

// plateLetterOK reports whether r may appear in a plate series: Latin capitals except those
// the police do not issue because they read like digits or other letters.
func plateLetterOK(r byte) bool {
	return r >= 'A' && r <= 'Z' && !strings.ContainsRune("IJOQW", rune(r))
}

// parseCarPlate reads "63A12345", "63A1234" or "51LD12345": province, one or two series
// letters, then a 4- or 5-digit serial.
func parseCarPlate(c string) (plateParts, bool) {
	for _, n := range []int{1, 2} {
		if len(c) < 2+n+4 || len(c) > 2+n+5 {
			continue
		}
		series, serial := c[2:2+n], c[2+n:]
		ok := asciiDigitsOnly(c[:2]) && asciiDigitsOnly(serial)
		for i := 0; ok && i < len(series); i++ {
			ok = plateLetterOK(series[i])
		}
		if ok {
			return plateParts{c[:2], series, serial}, true
		}
	}
	return plateParts{}, false
}

// parseMotorbikePlate reads "63B112345" or "59AA1234": province, a letter followed by a letter
// or digit, then a 4- or 5-digit serial.
func parseMotorbikePlate(c string) (plateParts, bool) {
	if len(c) < 8 || len(c) > 9 {
		return plateParts{}, false
	}
	second := c[3]
	ok := asciiDigitsOnly(c[:2]) && plateLetterOK(c[2]) &&
		(plateLetterOK(second) || (second >= '0' && second <= '9')) && asciiDigitsOnly(c[4:])
	if !ok {
		return plateParts{}, false
	}
	return plateParts{c[:2], c[2:4], c[4:]}, true
}

// formatSerial writes a 5-digit serial as 123.45 and leaves a 4-digit one as it is.
func formatSerial(s string) string {
	if len(s) == 5 {
		return s[:3] + "." + s[3:]
	}
	return s
}

func (p plateParts) car() string { return p.province + p.series + "-" + formatSerial(p.serial) }
func (p plateParts) motorbike() string {
	return p.province + "-" + p.series + " " + formatSerial(p.serial)
}

// plateSplit returns where the serial starts in the compact plate, as written by the user
// with separators ("63A-123.45" -> 3, "63-B1 123.45" -> 4), or -1 when the input does not
// show it. Compact input is ambiguous ("63A12345" reads as car 63A-123.45 or motorbike
// 63-A1 2345), so separators, when given, are trusted.
func plateSplit(raw string) int {
	tokens := strings.FieldsFunc(strings.ReplaceAll(raw, ".", ""), func(r rune) bool {
		return r == ' ' || r == '-' || r == '_'
	})
	last := -1
	for i, t := range tokens {
		if strings.IndexFunc(t, unicode.IsLetter) >= 0 {
			last = i
		}
	}
	if last < 0 || last == len(tokens)-1 {
		return -1
	}
	n := 0
	for _, t := range tokens[:last+1] {
		n += len(t)
	}
	return n
}

func plateError(code, vi, en string) *FieldError {
	return &FieldError{Field: fieldPlate, Code: code, VI: vi, EN: en}
}

// NormalizePlate returns a Vietnamese registration plate in its canonical printed form for
// the vehicle type: cars and trucks "63A-123.45" (or old "63A-1234", two-letter series such
// as "51LD-123.45"), motorbikes "63-B1 123.45" (or "63-B1 1234", "59-AA 123.45"). Input may
// be any case with or without spaces, dots and dashes. Walkers and cyclists have no plate,
// so whatever was typed is dropped; for "other" a plate is optional but must be valid.
func NormalizePlate(s string, v VehicleType) (string, *FieldError) {
	if !v.NeedsPlate() && v != VehicleOther {
		return "", nil
	}
	raw := strings.ToUpper(NormalizeText(s))
	compact := withoutRunes(raw, func(r rune) bool { return r == ' ' || r == '-' || r == '.' || r == '_' })
	if compact == "" {
		if v == VehicleOther {
			return "", nil
		}
		return "", plateError("required",
			"Chưa nhập biển số xe (bắt buộc với xe máy, ô tô, xe tải).",
			"The plate number is required for motorbikes, cars and trucks.")
	}
	const (
		carEx  = "63A-123.45"
		bikeEx = "63-B1 123.45"
	)
	split := plateSplit(raw)
	fits := func(p plateParts, ok bool) bool {
		return ok && (split < 0 || split == len(p.province)+len(p.series))
	}
	car, carOK := parseCarPlate(compact)
	carOK = fits(car, carOK)
	bike, bikeOK := parseMotorbikePlate(compact)
	bikeOK = fits(bike, bikeOK)

	var p plateParts
	var canonical string
	switch {
	case v == VehicleMotorbike && bikeOK:
		p, canonical = bike, bike.motorbike()
	case v == VehicleMotorbike && carOK:
		return "", plateError("plate_vehicle_mismatch",
			fmt.Sprintf("Biển số %s là dạng biển ô tô, nhưng phương tiện là xe máy; biển xe máy có dạng %s.", car.car(), bikeEx),
			fmt.Sprintf("%s is a car plate but the vehicle is a motorbike; motorbike plates look like %s.", car.car(), bikeEx))
	case v == VehicleMotorbike:
		return "", plateError("plate_format",
			fmt.Sprintf("Biển số xe máy không đúng định dạng; ví dụ %s hoặc 63-B1 1234.", bikeEx),
			fmt.Sprintf("Invalid motorbike plate; e.g. %s or 63-B1 1234.", bikeEx))
	case carOK:
		p, canonical = car, car.car()
	case v == VehicleOther && bikeOK:
		p, canonical = bike, bike.motorbike()
	case bikeOK:
		return "", plateError("plate_vehicle_mismatch",
			fmt.Sprintf("Biển số %s là dạng biển xe máy, nhưng phương tiện là ô tô/xe tải; biển ô tô có dạng %s.", bike.motorbike(), carEx),
			fmt.Sprintf("%s is a motorbike plate but the vehicle is a car or truck; car plates look like %s.", bike.motorbike(), carEx))
	default:
		return "", plateError("plate_format",
			fmt.Sprintf("Biển số không đúng định dạng; ví dụ ô tô %s, xe máy %s.", carEx, bikeEx),
			fmt.Sprintf("Invalid plate; e.g. car %s, motorbike %s.", carEx, bikeEx))
	}
	// Plate province codes run from 11; 00-10 are not issued.
	if p.province < "11" {
		return "", plateError("plate_province",
			fmt.Sprintf("Biển số %s không hợp lệ: mã tỉnh %s phải từ 11 đến 99.", canonical, p.province),
			fmt.Sprintf("Invalid plate %s: the province code %s must be 11 to 99.", canonical, p.province))
	}
	if strings.Trim(p.serial, "0") == "" {
		return "", plateError("plate_format",
			fmt.Sprintf("Biển số %s không hợp lệ: số thứ tự không thể toàn số 0.", canonical),
			fmt.Sprintf("Invalid plate %s: the serial cannot be all zeros.", canonical))
	}
	return canonical, nil
}
