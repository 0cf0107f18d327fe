package domain

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// NormalizeText returns s in NFC with surrounding whitespace trimmed and every internal run of
// whitespace collapsed to one space. Vietnamese text arrives both precomposed (Windows IME)
// and decomposed (macOS, some scanners); storing one form keeps comparisons and QR payloads
// stable. The Icelandic eth (Ð/ð), which legacy VNI/TCVN3 converters emit in place of Đ/đ,
// is repaired because it never belongs in Vietnamese text and would defeat search.
func NormalizeText(s string) string {
	s = strings.Map(func(r rune) rune {
		switch r {
		case 'Ð': // U+00D0
			return 'Đ'
		case 'ð': // U+00F0
			return 'đ'
		}
		return r
	}, s)
	return strings.Join(strings.Fields(norm.NFC.String(s)), " ")
}

// NormalizeName applies NormalizeText and then capitalises each word the way Vietnamese names
// are written ("ĐẶNG THỊ" -> "Đặng Thị"). A letter after a hyphen or an apostrophe is a word
// start too, as in Ê Đê and Jrai names ("H'Hen Niê", "Y-Moan"); typographic apostrophes become
// ASCII so the same name is always stored the same way.
func NormalizeName(s string) string {
	s = NormalizeText(s)
	var b strings.Builder
	b.Grow(len(s))
	wordStart := true
	for _, r := range s {
		switch r {
		case '\u2019', '\u2018', '\u02BC', '`', '\u00B4':
			r = '\''
		}
		if wordStart {
			b.WriteRune(unicode.ToUpper(r))
		} else {
			b.WriteRune(unicode.ToLower(r))
		}
		wordStart = r == ' ' || r == '-' || r == '\''
	}
	// Case mapping keeps precomposed letters precomposed; NFC again only guards the rare
	// letter+mark pairs that have no precomposed form.
	return norm.NFC.String(b.String())
}

// FoldForSearch lowercases s, removes every diacritic (tone and vowel marks) and maps đ/Đ to
// d, collapsing whitespace, so that "nguyen van dung" finds "Nguyễn Văn Dũng". đ is a
// separate letter, not d plus a mark, so decomposition alone would keep it.
func FoldForSearch(s string) string {
	d := norm.NFD.String(s)
	var b strings.Builder
	b.Grow(len(d))
	pendingSpace := false
	for _, r := range d {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue
		case unicode.IsSpace(r):
			pendingSpace = b.Len() > 0
			continue
		case r == 'đ' || r == 'Đ' || r == 'ð' || r == 'Ð':
			r = 'd'
		}
		if pendingSpace {
			b.WriteByte(' ')
			pendingSpace = false
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}
