package permit

import (
	"errors"
	"fmt"
	"strings"
)

// base45Alphabet is RFC 9285's alphabet. It is exactly the QR alphanumeric character set, so
// a base45 text is encoded at 5.5 bits per character instead of 8 in byte mode.
const base45Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"

// base45Value maps an ASCII character to its value, or -1 outside the alphabet.
var base45Value = func() (t [256]int8) {
	for i := range t {
		t[i] = -1
	}
	for i := 0; i < len(base45Alphabet); i++ {
		t[base45Alphabet[i]] = int8(i)
	}
	return t
}()

var errBase45 = errors.New("invalid base45")

// base45Encode encodes src as RFC 9285 base45: each 2 bytes become 3 characters, a trailing
// byte becomes 2.
func base45Encode(src []byte) string {
	var b strings.Builder
	b.Grow((len(src)/2)*3 + (len(src)%2)*2)
	for i := 0; i+1 < len(src); i += 2 {
		n := int(src[i])<<8 | int(src[i+1])
		b.WriteByte(base45Alphabet[n%45])
		b.WriteByte(base45Alphabet[(n/45)%45])
		b.WriteByte(base45Alphabet[n/2025])
	}
	if len(src)%2 == 1 {
		n := int(src[len(src)-1])
		b.WriteByte(base45Alphabet[n%45])
		b.WriteByte(base45Alphabet[n/45])
	}
	return b.String()
}

// base45Decode decodes RFC 9285 base45. It rejects every text that base45Encode cannot produce
// (characters outside the alphabet, a dangling character, groups above 65535 or 255), so the
// mapping is one-to-one and an altered QR text never decodes to the same bytes.
func base45Decode(s string) ([]byte, error) {
	if len(s)%3 == 1 {
		return nil, fmt.Errorf("%w: length %d leaves a single character", errBase45, len(s))
	}
	out := make([]byte, 0, len(s)/3*2+1)
	for i := 0; i < len(s); i += 3 {
		k := min(3, len(s)-i)
		n := 0
		for j, mul := 0, 1; j < k; j, mul = j+1, mul*45 {
			v := base45Value[s[i+j]]
			if v < 0 {
				return nil, fmt.Errorf("%w: character %q at %d", errBase45, s[i+j], i+j)
			}
			n += int(v) * mul
		}
		if k == 3 {
			if n > 0xFFFF {
				return nil, fmt.Errorf("%w: group %q at %d exceeds 65535", errBase45, s[i:i+3], i)
			}
			out = append(out, byte(n>>8), byte(n))
		} else {
			if n > 0xFF {
				return nil, fmt.Errorf("%w: final group %q exceeds 255", errBase45, s[i:])
			}
			out = append(out, byte(n))
		}
	}
	return out, nil
}

// Base45 is RFC 9285 base45, as the QR text carries it (for the sync's compact push body,
// which sends a QR's bytes rather than its text).
func Base45(src []byte) string { return base45Encode(src) }

// FromBase45 reads Base45 back, refusing any text Base45 cannot produce.
func FromBase45(s string) ([]byte, error) { return base45Decode(s) }
