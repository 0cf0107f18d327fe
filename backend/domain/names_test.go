package domain

import "testing"

// Finding 10: a name that looks like another on paper but is not equal to it is refused:
// invisible characters, or letters of two scripts. Names are stored in NFC.
func TestFinding10_NamesRefuseInvisibleAndMixedScripts(t *testing.T) {
	rules := DefaultRules("28291")
	tests := []struct {
		name, full, code string
	}{
		{"combining grapheme joiner", "Nguyễn\u034F Văn Dũng", "invisible_char"},
		{"grapheme joiner inside a word", "Nguy\u034Fễn Văn Dũng", "invisible_char"},
		{"hangul filler", "Nguyễn \u3164Văn Dũng", "invisible_char"},
		{"braille blank", "Nguyễn Văn\u2800Dũng", "invisible_char"},
		{"zero-width space", "Nguyễn Văn\u200BDũng", "invisible_char"},
		{"right-to-left override", "Nguyễn Văn \u202EDũng", "invisible_char"},
		{"Cyrillic a in a Latin name", "Nguyễn Vаn Dũng", "mixed_scripts"},
		{"Greek omicron", "Nguyễn Văn Dũng Hοàng", "mixed_scripts"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := validInput()
			in.FullName = tc.full
			_, err := ValidateApplication(in, testNow, rules, testUnits())
			if codes := fieldCodes(err); codes["full_name"] != tc.code {
				t.Errorf("full_name %q: errors %v, want %s", tc.full, codes, tc.code)
			}
		})
	}
	// Decomposed input is stored precomposed, and still passes.
	in := validInput()
	in.FullName = "Nguye\u0302\u0303n Va\u0306n Du\u0303ng"
	out, err := ValidateApplication(in, testNow, rules, testUnits())
	if err != nil || out.FullName != "Nguyễn Văn Dũng" {
		t.Errorf("decomposed name: %q, %v", out.FullName, err)
	}
	for _, ok := range []string{"H'Hen Niê", "Y-Moan Ênuôl", "Đặng Thị Ngọc Hân"} {
		if code, _, _ := NameProblem(NormalizeName(ok)); code != "" {
			t.Errorf("%q refused: %s", ok, code)
		}
	}
}
