package permit

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode"
)

// ErrNumber is returned for a permit number that cannot be read as "<unit>/<yyyy>/<nnnnnn>".
var ErrNumber = errors.New("not a permit number")

// CanonicalNumber reads a permit number typed or pasted by a person and returns its one
// canonical spelling, "<unit>/<yyyy>/<nnnnnn>": spaces anywhere are dropped and the sequence
// gets its leading zeros back ("28249 / 2026 / 42" is "28249/2026/000042"). The unit part is
// the GSO code as written (its leading zeros are part of the code), or an agency's code in
// capitals. Everything that names a
// permit (revocations, look-ups, the payload) goes through it, so one permit has one number.
func CanonicalNumber(s string) (string, error) {
	s = strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
	parts := strings.Split(s, "/")
	if len(parts) != 3 {
		return "", fmt.Errorf("%w: %q: want <unit>/<year>/<sequence>", ErrNumber, s)
	}
	unit, year, seq := strings.ToUpper(parts[0]), parts[1], parts[2]
	if unit == "" || len(unit) > maxCodeBytes-12 || strings.IndexFunc(unit, func(r rune) bool {
		return !(r >= '0' && r <= '9' || r >= 'A' && r <= 'Z' || r == '-')
	}) >= 0 {
		return "", fmt.Errorf("%w: %q: the unit part must be the unit's code (digits, or letters and '-' for an agency)", ErrNumber, s)
	}
	if !allDigits(year, 4) || year[0] == '0' {
		return "", fmt.Errorf("%w: %q: the year must have 4 digits", ErrNumber, s)
	}
	if !allDigits(seq, -1) || len(seq) > 6 {
		if allDigits(seq, -1) && strings.TrimLeft(seq, "0") != "" && len(strings.TrimLeft(seq, "0")) <= 6 {
			seq = strings.TrimLeft(seq, "0")
		} else {
			return "", fmt.Errorf("%w: %q: the sequence must be 1 to 6 digits", ErrNumber, s)
		}
	}
	n, _ := strconv.Atoi(seq)
	if n == 0 {
		return "", fmt.Errorf("%w: %q: the sequence starts at 1", ErrNumber, s)
	}
	return fmt.Sprintf("%s/%s/%06d", unit, year, n), nil
}

// NumberUnit returns the unit part of a canonical permit number.
func NumberUnit(number string) string {
	unit, _, _ := strings.Cut(number, "/")
	return unit
}
