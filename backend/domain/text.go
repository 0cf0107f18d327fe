package domain

import (
	"fmt"
	"slices"
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

// invisible lists characters that draw nothing (or a blank) yet are not spaces: a name
// carrying one looks like another name on screen and on paper but is not equal to it.
var invisible = map[rune]bool{
	'\u034F': true,                                                 // combining grapheme joiner
	'\u115F': true, '\u1160': true, '\u3164': true, '\uFFA0': true, // Hangul fillers
	'\u2800': true, // braille blank
	'\u180E': true, '\u17B4': true, '\u17B5': true,
	'\u00A0': true, '\u2007': true, '\u202F': true, // no-break spaces survive strings.Fields
}

// NameProblem says why name (already normalised) cannot be a person's name: it contains an
// invisible character, or letters of more than one script (a Cyrillic "а" inside a Latin
// name). It returns an empty code when the name is fine in these respects.
func NameProblem(name string) (code, vi, en string) {
	scripts := map[string]bool{}
	for _, r := range name {
		if invisible[r] || unicode.Is(unicode.Cf, r) || unicode.Is(unicode.Variation_Selector, r) ||
			unicode.Is(unicode.Zl, r) || unicode.Is(unicode.Zp, r) || (unicode.IsSpace(r) && r != ' ') {
			return "invisible_char",
				fmt.Sprintf("Họ và tên có ký tự ẩn (U+%04X): hãy xóa và gõ lại tên.", r),
				fmt.Sprintf("The name contains an invisible character (U+%04X): delete it and type the name again.", r)
		}
		if !unicode.IsLetter(r) {
			continue
		}
		for name, table := range unicode.Scripts {
			if unicode.Is(table, r) {
				scripts[name] = true
				break
			}
		}
	}
	if len(scripts) > 1 {
		names := make([]string, 0, len(scripts))
		for s := range scripts {
			names = append(names, s)
		}
		slices.Sort(names)
		list := strings.Join(names, ", ")
		return "mixed_scripts",
			"Họ và tên trộn chữ của nhiều bảng chữ (" + list + "): chỉ dùng một bảng chữ.",
			"The name mixes letters of several scripts (" + list + "): use one script."
	}
	return "", "", ""
}
