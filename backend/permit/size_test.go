package permit_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	qrcode "github.com/yeqown/go-qrcode/v2"

	"giaydiduong/backend/permit"
	"giaydiduong/backend/permit/permittest"
)

// qrVersion returns the QR version go-qrcode's encoder picks for text in alphanumeric mode at
// error-correction level Q. Forcing the mode also proves the text is all alphanumeric: the
// encoder refuses any other character.
func qrVersion(t testing.TB, text string) int {
	t.Helper()
	qr, err := qrcode.NewWith(text,
		qrcode.WithEncodingMode(qrcode.EncModeAlphanumeric),
		qrcode.WithErrorCorrectionLevel(qrcode.ErrorCorrectionQuart))
	if err != nil {
		t.Fatalf("QR encode %q: %v", text, err)
	}
	return (qr.Dimension() - 17) / 4
}

func percentile(sorted []int, p float64) int {
	i := int(float64(len(sorted))*p+0.999999) - 1 // nearest rank
	return sorted[max(0, min(i, len(sorted)-1))]
}

func TestQRVersionSize(t *testing.T) {
	signer, err := permit.GenerateSoftwareSigner()
	if err != nil {
		t.Fatal(err)
	}
	gen := permittest.NewGenerator(2026)
	const n = 1000
	versions := make([]int, 0, n)
	// In one alphanumeric segment the version depends only on the length; encoding one text
	// per length keeps the test fast under -race.
	byLength := map[int]int{}
	lengths := make([]int, 0, n)
	var nameRunes, routeRunes []int
	words, dictWords := 0, 0
	for range n {
		p := gen.Next()
		text, err := permit.Encode(context.Background(), p, signer)
		if err != nil {
			t.Fatalf("encode %+v: %v", p, err)
		}
		if i := strings.IndexFunc(text, func(r rune) bool { return !strings.ContainsRune(permit.Base45Alphabet, r) }); i >= 0 {
			t.Fatalf("text has non-alphanumeric %q", text[i])
		}
		v, ok := byLength[len(text)]
		if !ok {
			v = qrVersion(t, text)
			byLength[len(text)] = v
		}
		versions = append(versions, v)
		lengths = append(lengths, len(text))
		nameRunes = append(nameRunes, utf8.RuneCountInString(p.FullName))
		routeRunes = append(routeRunes, utf8.RuneCountInString(p.RouteFrom), utf8.RuneCountInString(p.RouteTo))
		for _, s := range []string{p.FullName, p.RouteFrom, p.RouteTo} {
			for _, w := range strings.FieldsFunc(s, func(r rune) bool { return !permit.IsVNLetter(r) }) {
				words++
				if permit.InVNDictionary(w) {
					dictWords++
				}
			}
		}
	}
	for _, s := range [][]int{versions, lengths, nameRunes, routeRunes} {
		slices.Sort(s)
	}
	p50, p99, vmax := percentile(versions, 0.5), percentile(versions, 0.99), versions[len(versions)-1]
	t.Logf("QR version at level Q over %d permits: p50 %d, p99 %d, max %d", n, p50, p99, vmax)
	t.Logf("text length: p50 %d, p99 %d, max %d characters", percentile(lengths, 0.5), percentile(lengths, 0.99), lengths[len(lengths)-1])
	t.Logf("name: p50 %d, max %d characters; route: p50 %d, p99 %d, max %d characters; %d%% of words in the codec dictionary",
		percentile(nameRunes, 0.5), nameRunes[len(nameRunes)-1], percentile(routeRunes, 0.5), percentile(routeRunes, 0.99),
		routeRunes[len(routeRunes)-1], 100*dictWords/words)
	if p99 > 12 {
		t.Errorf("99th percentile QR version %d, want <= 12", p99)
	}
}

// TestGeneratorIsRealistic checks permittest's generator against the codec: the same seed
// gives the same permits, every one encodes, names stay within 40 characters, and purposes
// are the codec's well-known codes in most permits and custom codes in the rest.
func TestGeneratorIsRealistic(t *testing.T) {
	a, b := permittest.NewGenerator(11), permittest.NewGenerator(11)
	signer, err := permit.GenerateSoftwareSigner()
	if err != nil {
		t.Fatal(err)
	}
	wellKnown := map[string]int{}
	for _, p := range permit.WellKnownPurposes {
		wellKnown[p] = 0
	}
	custom, n := 0, 2000
	for i := range n {
		p, q := a.Next(), b.Next()
		if p != q {
			t.Fatalf("permit %d differs between two generators with one seed:\n%+v\n%+v", i, p, q)
		}
		if got := utf8.RuneCountInString(p.FullName); got > 40 || got < 5 {
			t.Errorf("name %q has %d characters", p.FullName, got)
		}
		if _, ok := wellKnown[p.PurposeCode]; ok {
			wellKnown[p.PurposeCode]++
		} else {
			custom++
		}
		if i < 50 {
			if _, err := permit.Encode(context.Background(), p, signer); err != nil {
				t.Fatalf("encode %+v: %v", p, err)
			}
		}
	}
	for code, k := range wellKnown {
		if k == 0 {
			t.Errorf("the generator never uses the well-known purpose %q", code)
		}
	}
	if custom < n/20 || custom > n/5 {
		t.Errorf("%d of %d permits have a custom purpose, want about a tenth", custom, n)
	}
}
