package units

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// foldTable maps each precomposed Latin letter (Vietnamese uses U+00C0–U+024F and
// U+1E00–U+1EFF) to its lower-case base letter, so folding a name is one lookup a rune
// instead of a Unicode decomposition: the index folds every name at start.
var foldTable = func() map[rune]rune {
	m := make(map[rune]rune, 900)
	add := func(lo, hi rune) {
		for r := lo; r <= hi; r++ {
			base, _ := utf8.DecodeRuneInString(norm.NFD.String(string(r)))
			m[r] = unicode.ToLower(base)
		}
	}
	add(0x00C0, 0x024F)
	add(0x1E00, 0x1EFF)
	m['đ'], m['Đ'], m['ð'], m['Ð'] = 'd', 'd', 'd', 'd'
	return m
}()

// fold lower-cases s, drops diacritics (đ → d) and squashes white space, as
// domain.FoldForSearch does, for the names and queries of the unit index.
func fold(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		switch {
		case r < utf8.RuneSelf:
			if r == ' ' || r == '\t' || r == '\n' || r == '\r' {
				space = b.Len() > 0
				continue
			}
			if 'A' <= r && r <= 'Z' {
				r += 'a' - 'A'
			}
		case unicode.Is(unicode.Mn, r):
			continue // combining marks of text that came decomposed
		case unicode.IsSpace(r):
			space = b.Len() > 0
			continue
		default:
			if f, ok := foldTable[r]; ok {
				r = f
			} else {
				r = unicode.ToLower(r)
			}
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	return b.String()
}
