package domain

import (
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// UnitLookup finds the administrative unit in force today under a national code.
type UnitLookup interface {
	Unit(code string) (Unit, bool)
}

// UnitHistory also knows units no longer in force, so a refusal can say when one ended.
type UnitHistory interface {
	LastVersion(code string) (Unit, bool)
}

// Length limits, in runes, so that a permit still fits its QR code and its printed layout.
const (
	maxNameRunes   = 80
	minNameRunes   = 2
	maxStreetRunes = 200
	maxRouteRunes  = 200
	maxNoteRunes   = 500
	maxAgeYears    = 120
)

// appChecker collects the field errors of one application.
type appChecker struct {
	errs  ValidationError
	today time.Time // now's calendar date, at midnight UTC, comparable with parsed dates
}

func (c *appChecker) add(field, code, vi, en string) { c.errs.Add(field, code, vi, en) }

func (c *appChecker) addField(fe *FieldError) {
	if fe != nil {
		c.errs.Fields = append(c.errs.Fields, *fe)
	}
}

// text normalises a free-text field and checks presence and length.
func (c *appChecker) text(field, value, labelVI, labelEN string, required bool, max int) string {
	v := NormalizeText(value)
	switch n := utf8.RuneCountInString(v); {
	case v == "" && required:
		c.add(field, "required", "Chưa nhập "+lowerFirst(labelVI)+".", labelEN+" is required.")
	case n > max:
		c.add(field, "too_long",
			fmt.Sprintf("%s dài tối đa %d ký tự (đang có %d).", labelVI, max, n),
			fmt.Sprintf("%s may be at most %d characters (has %d).", labelEN, max, n))
	}
	return v
}

// date parses a required YYYY-MM-DD field as a calendar date (midnight UTC, so that day
// arithmetic is not disturbed by daylight saving). ok is false when the field is missing or
// wrong, and the error is already recorded.
func (c *appChecker) date(field, value, labelVI, labelEN string) (string, time.Time, bool) {
	v := strings.TrimSpace(value)
	if v == "" {
		c.add(field, "required", "Chưa nhập "+lowerFirst(labelVI)+".", labelEN+" is required.")
		return v, time.Time{}, false
	}
	d, err := time.Parse(isoDateLayout, v)
	if err != nil {
		c.add(field, "date_format",
			fmt.Sprintf("%s %q không phải ngày hợp lệ (định dạng năm-tháng-ngày, ví dụ 2021-09-15).", labelVI, v),
			fmt.Sprintf("%s %q is not a valid date (YYYY-MM-DD, e.g. 2021-09-15).", labelEN, v))
		return v, time.Time{}, false
	}
	return v, d, true
}

// lowerFirst lowercases the first letter of a label, for use mid-sentence.
func lowerFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToLower(r)) + s[n:]
}

func viDate(t time.Time) string { return t.Format("02/01/2006") }

// ValidateApplication checks a walk-in application against the locality's rules and returns
// its normalised copy. Every wrong field is reported in one *ValidationError, so the clerk
// can fix the form in one pass. now decides "today" in its own location: the office's day,
// not UTC's.
func ValidateApplication(in ApplicationInput, now time.Time, rules Rules, units UnitLookup) (ApplicationInput, error) {
	y, m, d := now.Date()
	c := &appChecker{today: time.Date(y, m, d, 0, 0, 0, 0, time.UTC)}
	out := in

	out.FullName = NormalizeName(in.FullName)
	c.checkName(out.FullName)

	var birth time.Time // stays zero unless usable, so the ID check skips what it cannot know
	v, t, ok := c.date("birth_date", in.BirthDate, "Ngày sinh", "Birth date")
	out.BirthDate = v
	if ok {
		switch {
		case t.After(c.today):
			c.add("birth_date", "date_future",
				fmt.Sprintf("Ngày sinh (%s) không được sau ngày hôm nay.", viDate(t)),
				"The birth date cannot be after today.")
		case !t.After(c.today.AddDate(-(maxAgeYears + 1), 0, 0)):
			c.add("birth_date", "too_old",
				fmt.Sprintf("Ngày sinh (%s) không hợp lệ: tuổi quá %d.", viDate(t), maxAgeYears),
				fmt.Sprintf("The birth date gives an age over %d.", maxAgeYears))
		default:
			birth = t
		}
	}

	out.Gender = Gender(strings.ToLower(strings.TrimSpace(string(in.Gender))))
	switch out.Gender {
	case Male, Female:
	case "":
		c.add("gender", "required", "Chưa chọn giới tính.", "Gender is required.")
	default:
		c.add("gender", "gender_invalid", "Giới tính phải là Nam hoặc Nữ.", "Gender must be male or female.")
	}

	out.IDNumber = withoutRunes(in.IDNumber, unicode.IsSpace)
	c.addField(CheckIDNumber(out.IDNumber, out.Gender, birth))

	if phone, fe := NormalizePhone(in.Phone); fe != nil {
		c.addField(fe)
		out.Phone = NormalizeText(in.Phone)
	} else {
		out.Phone = phone
	}

	out.ResidenceCommuneCode = strings.TrimSpace(in.ResidenceCommuneCode)
	c.checkCommune(out.ResidenceCommuneCode, units)
	out.ResidenceStreet = c.text("residence_street", in.ResidenceStreet, "Địa chỉ (số nhà, đường, ấp)", "Street address", false, maxStreetRunes)
	out.CardAddress = c.text("card_address", in.CardAddress, "Địa chỉ trên thẻ căn cước", "Address on the ID card", false, maxStreetRunes)
	out.Workplace = c.text("workplace", in.Workplace, "Nơi làm việc", "Workplace", false, maxStreetRunes)

	out.PurposeCode = strings.TrimSpace(in.PurposeCode)
	if out.PurposeCode == "" {
		c.add("purpose_code", "required", "Chưa chọn mục đích đi đường.", "The purpose of travel is required.")
	} else if _, ok := rules.Purpose(out.PurposeCode); !ok {
		c.add("purpose_code", "purpose_unknown",
			fmt.Sprintf("Mục đích %q không có trong danh sách được phép của địa phương.", out.PurposeCode),
			fmt.Sprintf("Purpose %q is not allowed by the local rules.", out.PurposeCode))
	}

	out.RouteFrom = c.text("route_from", in.RouteFrom, "Nơi đi", "Route from", true, maxRouteRunes)
	out.RouteTo = c.text("route_to", in.RouteTo, "Nơi đến", "Route to", true, maxRouteRunes)

	out.VehicleType = VehicleType(strings.ToLower(strings.TrimSpace(string(in.VehicleType))))
	switch {
	case out.VehicleType == "":
		c.add("vehicle_type", "required", "Chưa chọn phương tiện.", "The vehicle type is required.")
		out.VehiclePlate = NormalizeText(in.VehiclePlate)
	case !out.VehicleType.Valid():
		c.add("vehicle_type", "vehicle_invalid",
			fmt.Sprintf("Phương tiện %q không hợp lệ.", out.VehicleType),
			fmt.Sprintf("Unknown vehicle type %q.", out.VehicleType))
		// The plate cannot be judged without a known vehicle; keep it for the clerk to fix.
		out.VehiclePlate = NormalizeText(in.VehiclePlate)
	default:
		plate, fe := NormalizePlate(in.VehiclePlate, out.VehicleType)
		if fe != nil {
			c.addField(fe)
			plate = NormalizeText(in.VehiclePlate)
		}
		out.VehiclePlate = plate
	}

	out.ValidFrom, out.ValidTo = c.checkWindow(in.ValidFrom, in.ValidTo, rules.MaxDays)
	out.Note = c.text("note", in.Note, "Ghi chú", "Note", false, maxNoteRunes)

	return out, c.errs.Err()
}

// checkName accepts letters of any Latin-script alphabet (every Vietnamese letter, and the
// letters of minority-language names), spaces, apostrophes and hyphens.
func (c *appChecker) checkName(name string) {
	n := utf8.RuneCountInString(name)
	switch {
	case name == "":
		c.add("full_name", "required", "Chưa nhập họ và tên.", "The full name is required.")
		return
	case n < minNameRunes:
		c.add("full_name", "too_short",
			fmt.Sprintf("Họ và tên phải có ít nhất %d ký tự.", minNameRunes),
			fmt.Sprintf("The full name needs at least %d characters.", minNameRunes))
		return
	case n > maxNameRunes:
		c.add("full_name", "too_long",
			fmt.Sprintf("Họ và tên dài tối đa %d ký tự (đang có %d).", maxNameRunes, n),
			fmt.Sprintf("The full name may be at most %d characters (has %d).", maxNameRunes, n))
		return
	}
	if code, vi, en := NameProblem(name); code != "" {
		c.add("full_name", code, vi, en)
		return
	}
	for _, r := range name {
		letter := unicode.IsLetter(r) && unicode.Is(unicode.Latin, r)
		if !letter && !unicode.Is(unicode.Mn, r) && r != ' ' && r != '\'' && r != '-' {
			c.add("full_name", "name_chars",
				fmt.Sprintf("Họ và tên chỉ gồm chữ cái, dấu cách, dấu nháy (') và gạch nối (-); không dùng %q.", r),
				fmt.Sprintf("The full name may contain only letters, spaces, apostrophes and hyphens; %q is not allowed.", r))
			return
		}
	}
	if first, _ := utf8.DecodeRuneInString(name); !unicode.IsLetter(first) {
		c.add("full_name", "name_chars", "Họ và tên phải bắt đầu bằng chữ cái.", "The full name must start with a letter.")
	}
}

func (c *appChecker) checkCommune(code string, units UnitLookup) {
	if code == "" {
		c.add("residence_commune_code", "required", "Chưa chọn xã, phường, thị trấn nơi cư trú.", "The commune of residence is required.")
		return
	}
	var u Unit
	found := false
	if units != nil {
		u, found = units.Unit(code)
	}
	var last Unit
	ended := false
	if h, ok := units.(UnitHistory); ok && !found {
		last, ended = h.LastVersion(code)
		ended = ended && last.ValidTo != ""
	}
	switch {
	case ended:
		day, _ := time.Parse(isoDateLayout, last.ValidTo)
		c.add("residence_commune_code", "commune_retired",
			fmt.Sprintf("%s không còn từ %s; hãy chọn xã/phường hiện nay", last.Name, viDate(day)),
			fmt.Sprintf("%s no longer exists since %s; choose a current commune or ward", last.Name, last.ValidTo))
	case !found:
		c.add("residence_commune_code", "commune_unknown",
			fmt.Sprintf("Không tìm thấy đơn vị hành chính mã %s.", code),
			fmt.Sprintf("No administrative unit has code %s.", code))
	case u.Level != LevelCommune:
		c.add("residence_commune_code", "commune_level",
			fmt.Sprintf("%s không phải cấp xã; hãy chọn xã, phường hoặc thị trấn.", u.Name),
			fmt.Sprintf("%s is not a commune; choose a commune, ward or township.", u.Name))
	}
}

// checkWindow checks the validity window: it starts today or later and spans at most
// maxDays calendar days, both ends included. maxDays <= 0 means the rules set no limit.
func (c *appChecker) checkWindow(fromIn, toIn string, maxDays int) (string, string) {
	fromS, from, fromOK := c.date("valid_from", fromIn, "Ngày bắt đầu hiệu lực", "Valid-from date")
	toS, to, toOK := c.date("valid_to", toIn, "Ngày hết hiệu lực", "Valid-to date")
	if fromOK && from.Before(c.today) {
		c.add("valid_from", "date_past",
			fmt.Sprintf("Ngày bắt đầu hiệu lực (%s) không được trước ngày hôm nay (%s).", viDate(from), viDate(c.today)),
			fmt.Sprintf("The valid-from date (%s) cannot be before today (%s).", from.Format(isoDateLayout), c.today.Format(isoDateLayout)))
	}
	if !fromOK || !toOK {
		return fromS, toS
	}
	if to.Before(from) {
		c.add("valid_to", "date_order",
			fmt.Sprintf("Ngày hết hiệu lực (%s) không được trước ngày bắt đầu (%s).", viDate(to), viDate(from)),
			fmt.Sprintf("The valid-to date (%s) cannot be before the valid-from date (%s).", to.Format(isoDateLayout), from.Format(isoDateLayout)))
		return fromS, toS
	}
	// Both are midnight UTC, so the difference is a whole number of days.
	if days := int(to.Sub(from).Hours()/24) + 1; maxDays > 0 && days > maxDays {
		c.add("valid_to", "window_too_long",
			fmt.Sprintf("Thời hạn giấy đi đường tối đa %d ngày theo quy định của địa phương; đang chọn %d ngày.", maxDays, days),
			fmt.Sprintf("A permit may be valid for at most %d days under the local rules; %d days were chosen.", maxDays, days))
	}
	return fromS, toS
}
