package domain

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// CCCDCard is what the QR code on a chip-based citizen ID card (CCCD) says about its holder.
type CCCDCard struct {
	IDNumber    string `json:"id_number"`
	OldIDNumber string `json:"old_id_number"`
	FullName    string `json:"full_name"`
	BirthDate   string `json:"birth_date"` // YYYY-MM-DD
	Gender      Gender `json:"gender"`
	Address     string `json:"address"`
	IssueDate   string `json:"issue_date"` // YYYY-MM-DD
}

const (
	fieldCCCDQR    = "cccd_qr"
	cccdQRFields   = 7
	isoDateLayout  = "2006-01-02"
	cardDateLayout = "02012006"
)

// ParseCCCDQR parses the text of a CCCD card's QR code,
// "ID|old ID|full name|birth ddmmyyyy|gender|address|issue ddmmyyyy", as a USB scanner types
// it. Every problem found is reported, as a *ValidationError on field "cccd_qr", so the form
// can refuse the whole burst and change nothing.
func ParseCCCDQR(text string) (CCCDCard, error) {
	ve := &ValidationError{}
	bad := func(code, vi, en string) {
		ve.Add(fieldCCCDQR, code, "Mã QR CCCD không hợp lệ: "+vi, "Invalid CCCD QR: "+en)
	}
	text = norm.NFC.String(strings.TrimSpace(text))
	parts := strings.Split(text, "|")
	if len(parts) == cccdQRFields+1 && strings.TrimSpace(parts[cccdQRFields]) == "" {
		parts = parts[:cccdQRFields] // some scanners and card batches end the text with '|'
	}
	if text == "" || len(parts) != cccdQRFields {
		n := len(parts)
		if text == "" {
			n = 0
		}
		ve.Add(fieldCCCDQR, "cccd_qr_format",
			fmt.Sprintf("Mã QR CCCD không đúng định dạng: cần %d trường, nhận được %d.", cccdQRFields, n),
			fmt.Sprintf("The CCCD QR text is malformed: expected %d fields, got %d.", cccdQRFields, n))
		return CCCDCard{}, ve
	}
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}

	card := CCCDCard{
		IDNumber:    withoutRunes(parts[0], unicode.IsSpace),
		OldIDNumber: withoutRunes(parts[1], unicode.IsSpace),
		FullName:    NormalizeName(parts[2]),
		Address:     NormalizeText(parts[5]),
	}

	birth, err := time.Parse(cardDateLayout, parts[3])
	if err != nil {
		bad("cccd_qr_birth_date",
			fmt.Sprintf("ngày sinh %q không phải ngày hợp lệ dạng ngàythángnăm (ddmmyyyy).", parts[3]),
			fmt.Sprintf("birth date %q is not a valid ddmmyyyy date.", parts[3]))
		birth = time.Time{}
	} else {
		card.BirthDate = birth.Format(isoDateLayout)
	}

	switch FoldForSearch(parts[4]) {
	case "nam":
		card.Gender = Male
	case "nu":
		card.Gender = Female
	default:
		bad("cccd_qr_gender",
			fmt.Sprintf("giới tính %q phải là Nam hoặc Nữ.", parts[4]),
			fmt.Sprintf("gender %q must be Nam or Nữ.", parts[4]))
	}

	if len(card.IDNumber) != 12 || !asciiDigitsOnly(card.IDNumber) {
		bad("cccd_qr_id",
			fmt.Sprintf("số CCCD %q phải có 12 chữ số.", card.IDNumber),
			fmt.Sprintf("the CCCD number %q must have 12 digits.", card.IDNumber))
	} else if fe := CheckIDNumber(card.IDNumber, card.Gender, birth); fe != nil {
		bad(fe.Code, fe.VI, fe.EN)
	}

	if card.OldIDNumber != "" && (len(card.OldIDNumber) != 9 || !asciiDigitsOnly(card.OldIDNumber)) {
		bad("cccd_qr_old_id",
			fmt.Sprintf("số CMND cũ %q phải trống hoặc có 9 chữ số.", card.OldIDNumber),
			fmt.Sprintf("the old ID %q must be empty or 9 digits.", card.OldIDNumber))
	}

	if card.FullName == "" {
		bad("cccd_qr_name", "thiếu họ và tên.", "the full name is missing.")
	}

	issue, err := time.Parse(cardDateLayout, parts[6])
	switch {
	case err != nil:
		bad("cccd_qr_issue_date",
			fmt.Sprintf("ngày cấp %q không phải ngày hợp lệ dạng ngàythángnăm (ddmmyyyy).", parts[6]),
			fmt.Sprintf("issue date %q is not a valid ddmmyyyy date.", parts[6]))
	case !birth.IsZero() && issue.Before(birth):
		bad("cccd_qr_issue_date",
			fmt.Sprintf("ngày cấp %s trước ngày sinh %s.", issue.Format("02/01/2006"), birth.Format("02/01/2006")),
			fmt.Sprintf("issue date %s is before the birth date %s.", issue.Format(isoDateLayout), birth.Format(isoDateLayout)))
	default:
		card.IssueDate = issue.Format(isoDateLayout)
	}

	if err := ve.Err(); err != nil {
		return CCCDCard{}, err
	}
	return card, nil
}

// Canonical (folded) administrative type words. Addresses write them in full, abbreviated or
// not at all, and they tell apart units that share a name (Thị xã Cai Lậy and Huyện Cai Lậy;
// Thị trấn Chợ Gạo and Huyện Chợ Gạo).
const (
	typeProvince  = "tinh"
	typeCity      = "thanh pho" // a district-level city or a centrally governed one
	typeTown      = "thi xa"
	typeDistrict  = "huyen"
	typeUrbanDist = "quan"
	typeTownship  = "thi tran"
	typeWard      = "phuong"
	typeRural     = "xa"
	typeUnknown   = ""
)

// addrTypeWords lists the ways type words are written, longer first so "thi xa" wins over
// "xa". Short abbreviations need a dot after them ("P.5"), since bare single letters could
// start a name.
var addrTypeWords = []struct {
	prefix, typ string
	needDot     bool
}{
	{"thanh pho", typeCity, false}, {"thi xa", typeTown, false}, {"thi tran", typeTownship, false},
	{"tinh", typeProvince, false}, {"huyen", typeDistrict, false}, {"quan", typeUrbanDist, false},
	{"phuong", typeWard, false}, {"xa", typeRural, false},
	{"tp", typeCity, false}, {"tx", typeTown, false}, {"tt", typeTownship, false},
	{"p", typeWard, true}, {"x", typeRural, true}, {"h", typeDistrict, true}, {"q", typeUrbanDist, true},
}

// addrName is one administrative name reduced for comparison: its type word, if written,
// and the folded rest ("Phường 05" -> "phuong", "5").
type addrName struct {
	typ, key string
}

// splitAddrType splits a folded name into its leading type word, if any, and the rest.
func splitAddrType(f string) (typ, rest string) {
	for _, w := range addrTypeWords {
		if !strings.HasPrefix(f, w.prefix) || len(f) == len(w.prefix) {
			continue
		}
		next := f[len(w.prefix)]
		if next == '.' || (!w.needDot && next == ' ') {
			return w.typ, strings.TrimLeft(f[len(w.prefix):], ". ")
		}
	}
	return typeUnknown, f
}

// addrTypeOf maps a unit's Type ("Xã", "Thị xã", …) to its canonical type word.
func addrTypeOf(unitType string) string {
	f := strings.TrimRight(FoldForSearch(unitType), ".")
	for _, w := range addrTypeWords {
		if f == w.prefix {
			return w.typ
		}
	}
	return typeUnknown
}

func parseAddrName(s string) addrName {
	typ, f := splitAddrType(FoldForSearch(s))
	// Punctuation and leading zeros vary between sources ("Bà Rịa - Vũng Tàu", "Phường 05").
	words := strings.FieldsFunc(f, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	for i, w := range words {
		if asciiDigitsOnly(w) {
			if n, err := strconv.Atoi(w); err == nil {
				words[i] = strconv.Itoa(n)
			}
		}
	}
	return addrName{typ: typ, key: strings.Join(words, " ")}
}

// unitAddrName reduces a unit's name, taking the type from Unit.Type when the name omits it.
func unitAddrName(u Unit) addrName {
	n := parseAddrName(u.Name)
	if n.typ == typeUnknown && u.Type != "" {
		n.typ = addrTypeOf(u.Type)
	}
	return n
}

// matches reports whether an address part names the unit; a type word missing on either side
// is not held against it.
func (a addrName) matches(u addrName) bool {
	return a.key != "" && a.key == u.key && (a.typ == typeUnknown || u.typ == typeUnknown || a.typ == u.typ)
}

// isProvinceLike reports whether an address part can name a province at all.
func (a addrName) isProvinceLike() bool {
	return a.typ == typeUnknown || a.typ == typeProvince || a.typ == typeCity
}

var cccdProvinceNames = func() []addrName {
	out := make([]addrName, 0, len(cccdProvinces))
	for _, name := range cccdProvinces {
		out = append(out, parseAddrName(name))
	}
	return out
}()

// MatchCommune finds the commune that a card address such as "Ấp Tân Hòa, Xã Tân Mỹ Chánh,
// Thành phố Mỹ Tho, Tiền Giang" names among one province's units, and returns its code and
// the street part before it ("Ấp Tân Hòa"). Names are compared without diacritics, case or
// type words. When the address names a district, the commune must be in it, since names like
// "Phường 1" repeat across districts. ok is false unless exactly one commune fits, or when the
// address ends in another province.
func MatchCommune(address string, units []Unit) (communeCode string, street string, ok bool) {
	var parts []string
	var names []addrName
	for _, p := range strings.Split(address, ",") {
		if p = NormalizeText(p); p != "" {
			parts = append(parts, p)
			names = append(names, parseAddrName(p))
		}
	}
	if len(parts) == 0 {
		return "", "", false
	}

	var provinces, districts, communes []Unit
	unitNames := make(map[string]addrName, len(units))
	for _, u := range units {
		unitNames[u.Code] = unitAddrName(u)
		switch u.Level {
		case LevelProvince:
			provinces = append(provinces, u)
		case LevelDistrict:
			districts = append(districts, u)
		case LevelCommune:
			communes = append(communes, u)
		}
	}

	// A trailing province: drop ours, give up on another one (its communes are not in units).
	if last := names[len(names)-1]; last.isProvinceLike() {
		own, foreign := false, false
		for _, u := range provinces {
			// Cards keep the province name of their issue date; the ID table has the old
			// name under the same code ("Thừa Thiên Huế" for today's Thành phố Huế).
			oldName, known := cccdProvinces[strings.Repeat("0", max(0, 3-len(u.Code)))+u.Code]
			own = own || last.matches(unitNames[u.Code]) || (known && last.matches(parseAddrName(oldName)))
		}
		for _, p := range cccdProvinceNames {
			foreign = foreign || last.matches(p)
		}
		switch {
		case own || (foreign && len(provinces) == 0):
			names = names[:len(names)-1]
		case foreign || last.typ == typeProvince:
			return "", "", false
		}
	}

	// The district is the rightmost part naming one; several districts may share the name
	// when the type word is missing ("Cai Lậy" is both a town and a rural district).
	end := len(names)
	var inDistrict map[string]bool
	for i := len(names) - 1; i > 0 && inDistrict == nil; i-- {
		for _, d := range districts {
			if names[i].matches(unitNames[d.Code]) {
				if inDistrict == nil {
					inDistrict = map[string]bool{}
				}
				inDistrict[d.Code] = true
			}
		}
		if inDistrict != nil {
			end = i
		}
	}

	// find looks for the commune in parts lo..hi-1, nearest the district first: the first part
	// that names any commune is the commune part, matched uniquely or not at all.
	find := func(lo, hi int, within map[string]bool) (int, []Unit) {
		for i := hi - 1; i >= lo; i-- {
			var found []Unit
			for _, c := range communes {
				if (within == nil || within[c.ParentCode]) && names[i].matches(unitNames[c.Code]) {
					found = append(found, c)
				}
			}
			if len(found) > 0 {
				return i, found
			}
		}
		return -1, nil
	}
	at, found := find(0, end, inDistrict)
	if at < 0 && inDistrict != nil {
		// What looked like the district may be a commune written without its type word and
		// without a district after it ("Khu 1, Chợ Gạo, Tiền Giang" for Thị trấn Chợ Gạo).
		// Only that part is retried, so a commune outside a district that was named is
		// never accepted.
		at, found = find(end, end+1, nil)
	}
	if len(found) != 1 {
		return "", "", false
	}
	return found[0].Code, strings.Join(parts[:at], ", "), true
}
