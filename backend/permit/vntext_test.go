package permit

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

func TestVNTonedTableMatchesUnicode(t *testing.T) {
	// Columns: none, grave, acute, dot below, hook above, tilde.
	marks := []string{"", "\u0300", "\u0301", "\u0323", "\u0309", "\u0303"}
	for _, row := range vnToned {
		rs := []rune(row)
		if len(rs) != len(marks) {
			t.Fatalf("row %q has %d runes", row, len(rs))
		}
		for i, m := range marks {
			if want := norm.NFC.String(string(rs[0]) + m); string(rs[i]) != want {
				t.Errorf("row %q column %d is %q, want %q", row, i, rs[i], want)
			}
		}
	}
	// 67 lower-case Vietnamese letters outside ASCII, and their capitals.
	n := 0
	for r := range vnLetterOf {
		if r > unicode.MaxASCII {
			n++
		}
	}
	if n != 134 {
		t.Errorf("%d non-ASCII letters, want 134", n)
	}
}

func TestVNDictionary(t *testing.T) {
	if len(vnDictWords) != 256 {
		t.Fatalf("%d words, want 256 (8-bit codes)", len(vnDictWords))
	}
	forms := map[string]bool{}
	for i, w := range vnDictWords {
		if !norm.NFC.IsNormalString(w) {
			t.Errorf("word %d %q is not NFC", i, w)
		}
		for _, r := range w {
			if !isVNLetter(r) {
				t.Errorf("word %d %q has %q, which the coder cannot spell", i, w, r)
			}
		}
		for _, f := range []string{vnDictWords[i], vnDictTitled[i]} {
			if ref := vnDictIndex[f]; ref.index != i {
				t.Errorf("form %q of word %d maps to %d", f, i, ref.index)
			}
		}
		if forms[w] {
			t.Errorf("word %d %q listed twice", i, w)
		}
		forms[w] = true
	}
}

func TestTextRoundTrip(t *testing.T) {
	tests := []struct {
		text     string
		maxBytes int // 0: no size claim
	}{
		{"", 0},
		{"Nguyễn Văn An", 4}, // three dictionary words, 30 bits
		{"Nguyễn Thị Hoàng Phương Thảo", 7}, // five dictionary words
		{"Tôn Nữ Thị Ngọc Bảo Phương Thảo Nguyên", 20},
		{"Ấp 3, xã Tân Hòa, TP Mỹ Tho", 14},
		{"ĐẶNG THỊ DIỄM", 0},
		{"Ngữ Kỷ Ẩn Ửng Ỹ ỵ Ọ ẫ", 0},
		{"f j w z F J W Z", 0},
		{"H'Hen Niê", 0},
		{"Số 12/3A (cổng sau), Đường 30/4 - P.1", 0},
		{"a  b ,c, d", 0},
		{" leading and trailing ", 0},
		{",", 0},
		{", ", 0},
		{"0123456789", 9}, // 7 bits a digit
		{"Kelvin \u212a, dotless ı, İstanbul", 0},
		{"decomposed Nguye\u0302\u0303n", 0},
		{"🐟\u0000\U0010FFFF", 0},
		{"ÀÁẠẢÃĂẰẮẶẲẴÂẦẤẬẨẪÈÉẸẺẼÊỀẾỆỂỄÌÍỊỈĨÒÓỌỎÕÔỒỐỘỔỖƠỜỚỢỞỠÙÚỤỦŨƯỪỨỰỬỮỲÝỴỶỸĐ", 0},
	}
	for _, tt := range tests {
		b, err := encodeText(tt.text)
		if err != nil {
			t.Fatalf("encode %q: %v", tt.text, err)
		}
		got, err := decodeText(b)
		if err != nil || got != tt.text {
			t.Errorf("round trip %q: %q, %v", tt.text, got, err)
		}
		if tt.maxBytes > 0 && len(b) > tt.maxBytes {
			t.Errorf("%q takes %d bytes, want at most %d", tt.text, len(b), tt.maxBytes)
		}
		if utf8.RuneCountInString(tt.text) > 10 && len(b) >= len(tt.text) && strings.ContainsAny(tt.text, "ăâđêôơưạ") {
			t.Errorf("%q: %d bytes, no smaller than UTF-8", tt.text, len(b))
		}
	}
	if _, err := encodeText("\xff"); err == nil {
		t.Error("encoded invalid UTF-8")
	}
}

func TestTextDecodeRejects(t *testing.T) {
	tests := []struct {
		name string
		bits func(w *bitWriter)
	}{
		{"truncated dictionary token", func(w *bitWriter) { w.write(0b1110, 4); w.write(0b1110, 4); w.write(1, 1); w.write(0, 7) }},
		{"empty spelled word", func(w *bitWriter) { w.write(0b100, 3); w.write(vnCodeEnd, 5) }},
		{"shift before the end", func(w *bitWriter) {
			w.write(0b100, 3)
			w.write(4, 5) // b
			w.write(vnCodeShift, 5)
			w.write(vnCodeEnd, 5)
		}},
		{"double shift", func(w *bitWriter) {
			w.write(0b100, 3)
			w.write(4, 5)
			w.write(vnCodeShift, 5)
			w.write(vnCodeShift, 5)
			w.write(4, 5)
			w.write(vnCodeEnd, 5)
		}},
		{"surrogate code point", func(w *bitWriter) { w.write(0b1111, 4); w.write(0xD800, 21) }},
		{"code point above U+10FFFF", func(w *bitWriter) { w.write(0b1111, 4); w.write(0x110000, 21) }},
		{"unterminated word", func(w *bitWriter) { w.write(0b100, 3); w.write(4, 5); w.write(4, 5) }},
		{"full zero byte of padding", func(w *bitWriter) { w.write(0b1110, 4); w.write(0b1110, 4); w.write(0, 8) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var w bitWriter
			tt.bits(&w)
			if s, err := decodeText(w.buf); err == nil {
				t.Errorf("decoded %x as %q", w.buf, s)
			}
		})
	}
}

// FuzzTextCodec checks the hand-written text codec: every string survives a round trip, and
// any bit stream the decoder accepts means the same after re-encoding.
func FuzzTextCodec(f *testing.F) {
	for _, s := range []string{"Nguyễn Thị Hoàng Phương Thảo", "Ấp 3, xã Tân Hòa, TP Mỹ Tho", "H'Hen Niê", "a  b", "ĐẶNG \u212a 🐟"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if b, err := encodeText(s); err == nil {
			if back, err := decodeText(b); err != nil || back != s {
				t.Fatalf("round trip %q: %q, %v", s, back, err)
			}
		}
		if d, err := decodeText([]byte(s)); err == nil {
			b, err := encodeText(d)
			if err != nil {
				t.Fatalf("decoded %x to %q, which does not encode: %v", s, d, err)
			}
			if again, err := decodeText(b); err != nil || again != d {
				t.Fatalf("%x: %q then %q, %v", s, d, again, err)
			}
		}
	})
}
