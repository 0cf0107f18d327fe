package permit

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/fxamacker/cbor/v2"
)

// VietnamTime is the zone permits are valid in. Vietnam has kept UTC+7 without daylight saving
// since 1975, so a fixed zone is exact for every permit date and, unlike
// time.LoadLocation("Asia/Ho_Chi_Minh"), needs no tz database on the Windows office PCs.
var VietnamTime = time.FixedZone("+07", 7*60*60)

// KeyID identifies a signing key: the first 8 bytes of the SHA-256 of its SubjectPublicKeyInfo
// DER (see KeyIDOf).
type KeyID [8]byte

func (k KeyID) String() string { return hex.EncodeToString(k[:]) }

// IsZero reports whether k is unset.
func (k KeyID) IsZero() bool { return k == KeyID{} }

// MarshalText writes k as 16 lower-case hex digits.
func (k KeyID) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// UnmarshalText reads 16 hex digits.
func (k *KeyID) UnmarshalText(b []byte) error {
	if len(b) != 2*len(k) {
		return fmt.Errorf("key id %q: want %d hex digits", b, 2*len(k))
	}
	if _, err := hex.Decode(k[:], b); err != nil {
		return fmt.Errorf("key id %q: %w", b, err)
	}
	return nil
}

// Date is a calendar day without a zone; permits are valid for whole days in VietnamTime.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// DateOf returns the calendar day of t in t's location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{y, m, d}
}

// ParseDate reads YYYY-MM-DD, the form the rest of the application stores.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, fmt.Errorf("parse date %q: %w", s, err)
	}
	return DateOf(t), nil
}

func (d Date) String() string { return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day) }

// IsZero reports whether d is unset.
func (d Date) IsZero() bool { return d == Date{} }

// MarshalText writes YYYY-MM-DD.
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText reads YYYY-MM-DD.
func (d *Date) UnmarshalText(b []byte) error {
	v, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// Start returns the first instant of d in loc.
func (d Date) Start(loc *time.Location) time.Time {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, loc)
}

// valid reports whether d names a real day (no 30 February).
func (d Date) valid() bool { return DateOf(d.Start(time.UTC)) == d }

// days counts days since 1970-01-01.
func (d Date) days() int64 { return d.Start(time.UTC).Unix() / 86400 }

func dateFromDays(n int64) Date { return DateOf(time.Unix(n*86400, 0).UTC()) }

// Payload is what a permit's QR code carries: the least a checkpoint needs to match the bearer
// to their ID card and check route, window and issuer.
type Payload struct {
	Number       string    `json:"number"`                  // "<unit>/<year>/<6-digit sequence>", canonical (CanonicalNumber)
	FullName     string    `json:"full_name"`               // as on the ID card, NFC
	BirthYear    int       `json:"birth_year,omitempty"`    // 0 when not given
	IDLast4      string    `json:"id_last4,omitempty"`      // last 4 digits of the ID number
	PurposeCode  string    `json:"purpose_code,omitempty"`  // a code from the locality's rules
	RouteFrom    string    `json:"route_from"`              //
	RouteTo      string    `json:"route_to"`                //
	VehiclePlate string    `json:"vehicle_plate,omitempty"` // empty when walking or cycling
	ValidFrom    Date      `json:"valid_from"`              // first valid day, VietnamTime
	ValidTo      Date      `json:"valid_to"`                // last valid day, inclusive
	UnitCode     string    `json:"unit_code"`               // issuing unit (GSO code)
	IssuedAt     time.Time `json:"issued_at"`               // whole seconds
	KeyID        KeyID     `json:"key_id"`                  // signer's key; Encode sets it
}

// Limits keep a forged or buggy payload from costing a verifier much; real values are far
// below them (domain allows 80-character names and 200-character routes).
const (
	maxTextRunes  = 200
	maxCodeBytes  = 40
	maxValidDays  = 366 // a permit spans at most a year
	minPermitYear = 2000
	maxPermitYear = 9999
)

var errPayload = errors.New("invalid payload")

// wellKnownPurposes are the purpose codes of domain.DefaultRules, written as one small integer
// (their index) instead of a string. The list is part of the GDD1 format: append only.
var wellKnownPurposes = []string{"work", "medical", "essential_goods", "essential_service", "public_duty", "funeral", "other"}

// wirePayload is the CBOR form: small integer keys, empty fields left out. Fields that can take
// a compact form are kept raw and interpreted by hand.
type wirePayload struct {
	Number    cbor.RawMessage `cbor:"1,keyasint,omitempty"`  // yyyy*10^6+nnnnnn when it is "<unit>/<yyyy>/<nnnnnn>", else tstr
	Name      []byte          `cbor:"2,keyasint,omitempty"`  // text codec
	BirthYear uint64          `cbor:"3,keyasint,omitempty"`  //
	IDLast4   *uint64         `cbor:"4,keyasint,omitempty"`  // 0..9999, printed with 4 digits
	Purpose   cbor.RawMessage `cbor:"5,keyasint,omitempty"`  // index into wellKnownPurposes, else tstr
	RouteFrom []byte          `cbor:"6,keyasint,omitempty"`  // text codec
	RouteTo   []byte          `cbor:"7,keyasint,omitempty"`  // text codec
	Plate     cbor.RawMessage `cbor:"8,keyasint,omitempty"`  // packed uint (packPlate) when it can be, else tstr
	ValidFrom uint64          `cbor:"9,keyasint,omitempty"`  // days since 1970-01-01
	ValidDays uint64          `cbor:"10,keyasint,omitempty"` // valid_to - valid_from in days; absent = same day
	Unit      cbor.RawMessage `cbor:"11,keyasint,omitempty"` // uint when all digits without a leading 0, else tstr
	IssuedAt  uint64          `cbor:"12,keyasint,omitempty"` // unix seconds
	KeyID     []byte          `cbor:"13,keyasint,omitempty"` // 8 bytes
}

var (
	cborEnc cbor.EncMode // core deterministic encoding (RFC 8949 section 4.2.1)
	cborDec cbor.DecMode // strict: no duplicates, tags, indefinite lengths or unknown keys
)

func init() {
	var err error
	if cborEnc, err = cbor.CoreDetEncOptions().EncMode(); err != nil {
		panic(err)
	}
	cborDec, err = cbor.DecOptions{
		DupMapKey:         cbor.DupMapKeyEnforcedAPF,
		IndefLength:       cbor.IndefLengthForbidden,
		TagsMd:            cbor.TagsForbidden,
		ExtraReturnErrors: cbor.ExtraDecErrorUnknownField,
		MaxNestedLevels:   8,
	}.DecMode()
	if err != nil {
		panic(err)
	}
}

// Validate checks that p can be encoded and is a sensible permit. KeyID is not checked:
// Encode sets it from the signer.
func (p *Payload) Validate() error {
	var errs []string
	bad := func(format string, a ...any) { errs = append(errs, fmt.Sprintf(format, a...)) }
	text := func(field, v string, required bool, maxRunes int) {
		switch {
		case v == "":
			if required {
				bad("%s is required", field)
			}
		case !utf8.ValidString(v):
			bad("%s is not valid UTF-8", field)
		case utf8.RuneCountInString(v) > maxRunes:
			bad("%s is longer than %d characters", field, maxRunes)
		case strings.IndexFunc(v, func(r rune) bool { return !unicode.IsPrint(r) }) >= 0:
			// Control and bidi-override characters could make a forged-looking name display
			// like a real one; Vietnamese text never needs them.
			bad("%s contains a control or invisible character", field)
		}
	}
	text("number", p.Number, true, maxCodeBytes)
	if p.Number != "" {
		// One permit, one spelling: a revocation and a look-up find it only by that spelling,
		// and the number names the unit whose key alone may sign it.
		if c, err := CanonicalNumber(p.Number); err != nil || c != p.Number {
			bad("number %q is not in canonical form <unit>/<yyyy>/<nnnnnn>", p.Number)
		} else if NumberUnit(c) != p.UnitCode {
			bad("number %q is not a number of unit %s", p.Number, p.UnitCode)
		}
	}
	text("full name", p.FullName, true, maxTextRunes)
	text("route from", p.RouteFrom, true, maxTextRunes)
	text("route to", p.RouteTo, true, maxTextRunes)
	text("purpose code", p.PurposeCode, false, maxCodeBytes)
	text("vehicle plate", p.VehiclePlate, false, maxCodeBytes)
	text("unit code", p.UnitCode, true, maxCodeBytes)
	if p.BirthYear != 0 && (p.BirthYear < 1880 || p.BirthYear > maxPermitYear) {
		bad("birth year %d is out of range", p.BirthYear)
	}
	if p.IDLast4 != "" && !allDigits(p.IDLast4, 4) {
		bad("id last 4 %q is not 4 digits", p.IDLast4)
	}
	switch {
	case !p.ValidFrom.valid() || p.ValidFrom.Year < minPermitYear || p.ValidFrom.Year > maxPermitYear:
		bad("valid from %v is not a date in %d..%d", p.ValidFrom, minPermitYear, maxPermitYear)
	case !p.ValidTo.valid():
		bad("valid to %v is not a date", p.ValidTo)
	case p.ValidTo.days() < p.ValidFrom.days():
		bad("valid to %v is before valid from %v", p.ValidTo, p.ValidFrom)
	case p.ValidTo.days()-p.ValidFrom.days() > maxValidDays:
		bad("validity window is longer than %d days", maxValidDays)
	}
	if y := p.IssuedAt.UTC().Year(); y < minPermitYear || y > maxPermitYear {
		bad("issue time %v is out of range", p.IssuedAt)
	}
	if len(errs) > 0 {
		return fmt.Errorf("%w: %s", errPayload, strings.Join(errs, "; "))
	}
	return nil
}

// allDigits reports whether s is exactly n ASCII digits (any n when n < 0).
func allDigits(s string, n int) bool {
	if s == "" || (n >= 0 && len(s) != n) {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// marshalCBOR encodes p (with its KeyID) in the GDD1 wire form.
func (p *Payload) marshalCBOR() ([]byte, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	var w wirePayload
	var err error
	if w.Number, err = marshalNumber(p.Number, p.UnitCode); err != nil {
		return nil, err
	}
	if w.Name, err = encodeText(p.FullName); err != nil {
		return nil, fmt.Errorf("full name: %w", err)
	}
	if w.RouteFrom, err = encodeText(p.RouteFrom); err != nil {
		return nil, fmt.Errorf("route from: %w", err)
	}
	if w.RouteTo, err = encodeText(p.RouteTo); err != nil {
		return nil, fmt.Errorf("route to: %w", err)
	}
	w.BirthYear = uint64(p.BirthYear)
	if p.IDLast4 != "" {
		n, _ := strconv.ParseUint(p.IDLast4, 10, 16) // Validate checked the 4 digits
		w.IDLast4 = &n
	}
	if p.PurposeCode != "" {
		if w.Purpose, err = marshalCode(p.PurposeCode, wellKnownPurposes); err != nil {
			return nil, err
		}
	}
	if p.VehiclePlate != "" {
		if n, ok := packPlate(p.VehiclePlate); ok {
			w.Plate, err = cborEnc.Marshal(n)
		} else {
			w.Plate, err = cborEnc.Marshal(p.VehiclePlate)
		}
		if err != nil {
			return nil, fmt.Errorf("vehicle plate: %w", err)
		}
	}
	w.ValidFrom = uint64(p.ValidFrom.days())
	w.ValidDays = uint64(p.ValidTo.days() - p.ValidFrom.days())
	if w.Unit, err = marshalCode(p.UnitCode, nil); err != nil {
		return nil, err
	}
	w.IssuedAt = uint64(p.IssuedAt.Unix())
	if !p.KeyID.IsZero() {
		w.KeyID = p.KeyID[:]
	}
	b, err := cborEnc.Marshal(w)
	if err != nil {
		return nil, fmt.Errorf("encode payload: %w", err)
	}
	return b, nil
}

// unmarshalPayload decodes the wire form strictly: every field is checked and the bytes must
// be exactly what marshalCBOR writes for the result, so one permit has one encoding.
func unmarshalPayload(b []byte) (Payload, error) {
	var w wirePayload
	if err := cborDec.Unmarshal(b, &w); err != nil {
		return Payload{}, fmt.Errorf("%w: %w", errPayload, err)
	}
	var p Payload
	var err error
	if p.UnitCode, err = unmarshalCode(w.Unit, nil); err != nil {
		return Payload{}, fmt.Errorf("%w: unit code: %w", errPayload, err)
	}
	if p.Number, err = unmarshalNumber(w.Number, p.UnitCode); err != nil {
		return Payload{}, fmt.Errorf("%w: number: %w", errPayload, err)
	}
	for _, f := range []struct {
		name string
		src  []byte
		dst  *string
	}{{"full name", w.Name, &p.FullName}, {"route from", w.RouteFrom, &p.RouteFrom}, {"route to", w.RouteTo, &p.RouteTo}} {
		if *f.dst, err = decodeText(f.src); err != nil {
			return Payload{}, fmt.Errorf("%w: %s: %w", errPayload, f.name, err)
		}
	}
	if w.BirthYear > maxPermitYear {
		return Payload{}, fmt.Errorf("%w: birth year %d", errPayload, w.BirthYear)
	}
	p.BirthYear = int(w.BirthYear)
	if w.IDLast4 != nil {
		if *w.IDLast4 > 9999 {
			return Payload{}, fmt.Errorf("%w: id last 4 %d", errPayload, *w.IDLast4)
		}
		p.IDLast4 = fmt.Sprintf("%04d", *w.IDLast4)
	}
	if w.Purpose != nil {
		if p.PurposeCode, err = unmarshalCode(w.Purpose, wellKnownPurposes); err != nil {
			return Payload{}, fmt.Errorf("%w: purpose: %w", errPayload, err)
		}
	}
	if w.Plate != nil {
		if p.VehiclePlate, err = unmarshalPlate(w.Plate); err != nil {
			return Payload{}, fmt.Errorf("%w: vehicle plate: %w", errPayload, err)
		}
	}
	// Bounds before arithmetic, so a huge value cannot overflow into a plausible date.
	if w.ValidFrom > 4_000_000 || w.ValidDays > maxValidDays || w.IssuedAt > 1<<40 {
		return Payload{}, fmt.Errorf("%w: date out of range", errPayload)
	}
	p.ValidFrom = dateFromDays(int64(w.ValidFrom))
	p.ValidTo = dateFromDays(int64(w.ValidFrom + w.ValidDays))
	p.IssuedAt = time.Unix(int64(w.IssuedAt), 0).UTC()
	if len(w.KeyID) != len(p.KeyID) {
		return Payload{}, fmt.Errorf("%w: key id has %d bytes, want %d", errPayload, len(w.KeyID), len(p.KeyID))
	}
	copy(p.KeyID[:], w.KeyID)
	again, err := p.marshalCBOR() // also runs Validate
	if err != nil {
		return Payload{}, fmt.Errorf("%w: %w", errPayload, err)
	}
	if !bytes.Equal(again, b) {
		return Payload{}, fmt.Errorf("%w: not in canonical form", errPayload)
	}
	return p, nil
}

// marshalNumber writes "<unit>/<yyyy>/<nnnnnn>" as the integer yyyynnnnnn (the unit is field
// 11) and any other number as text.
func marshalNumber(number, unit string) (cbor.RawMessage, error) {
	if rest, ok := strings.CutPrefix(number, unit+"/"); ok && len(rest) == 11 && rest[4] == '/' &&
		allDigits(rest[:4], 4) && rest[0] != '0' && allDigits(rest[5:], 6) {
		n, _ := strconv.ParseUint(rest[:4]+rest[5:], 10, 64)
		return cborEnc.Marshal(n)
	}
	return cborEnc.Marshal(number)
}

func unmarshalNumber(raw cbor.RawMessage, unit string) (string, error) {
	if len(raw) == 0 {
		return "", errors.New("missing")
	}
	if raw[0]>>5 == 3 { // text string
		var s string
		err := cborDec.Unmarshal(raw, &s)
		return s, err
	}
	var n uint64
	if err := cborDec.Unmarshal(raw, &n); err != nil {
		return "", err
	}
	if n < 1000_000000 || n > 9999_999999 {
		return "", fmt.Errorf("compact number %d out of range", n)
	}
	return fmt.Sprintf("%s/%04d/%06d", unit, n/1000000, n%1000000), nil
}

// plateChars are the characters of Vietnamese registration plates ("63B1-234.56"); a plate
// made of them packs into an integer, bijective base 40 with digits 1..39, 12 characters at
// most: 11 characters take 9 bytes instead of 12.
const plateChars = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-. "

func packPlate(s string) (uint64, bool) {
	if len(s) > 12 {
		return 0, false
	}
	var n uint64
	for i := len(s) - 1; i >= 0; i-- {
		d := strings.IndexByte(plateChars, s[i])
		if d < 0 {
			return 0, false
		}
		n = n*40 + uint64(d+1)
	}
	return n, true
}

func unmarshalPlate(raw cbor.RawMessage) (string, error) {
	if len(raw) == 0 {
		return "", errors.New("missing")
	}
	if raw[0]>>5 == 3 { // text string
		var s string
		err := cborDec.Unmarshal(raw, &s)
		return s, err
	}
	var n uint64
	if err := cborDec.Unmarshal(raw, &n); err != nil {
		return "", err
	}
	var b []byte
	for ; n > 0; n /= 40 {
		d := n % 40
		if d == 0 {
			return "", errors.New("packed plate has a zero digit")
		}
		b = append(b, plateChars[d-1])
	}
	return string(b), nil
}

// marshalCode writes a code as its index in table, as an unsigned integer when it is digits
// without a leading zero (GSO unit codes such as 28249), or as text.
func marshalCode(code string, table []string) (cbor.RawMessage, error) {
	for i, c := range table {
		if c == code {
			return cborEnc.Marshal(uint64(i))
		}
	}
	if table == nil && allDigits(code, -1) && code[0] != '0' && len(code) <= 18 {
		n, _ := strconv.ParseUint(code, 10, 64)
		return cborEnc.Marshal(n)
	}
	return cborEnc.Marshal(code)
}

func unmarshalCode(raw cbor.RawMessage, table []string) (string, error) {
	if len(raw) == 0 {
		return "", errors.New("missing")
	}
	if raw[0]>>5 == 3 { // text string
		var s string
		err := cborDec.Unmarshal(raw, &s)
		return s, err
	}
	var n uint64
	if err := cborDec.Unmarshal(raw, &n); err != nil {
		return "", err
	}
	if table == nil {
		return strconv.FormatUint(n, 10), nil
	}
	if n >= uint64(len(table)) {
		return "", fmt.Errorf("unknown code index %d", n)
	}
	return table[n], nil
}
