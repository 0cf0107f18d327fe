package backfill

import (
	"testing"
	"time"
)

func TestDateCell(t *testing.T) {
	for _, c := range []struct {
		raw, want, code string
	}{
		{"15/08/2021", "2021-08-15", ""},
		{"5/8/2021", "2021-08-05", ""},
		{"2021-08-15", "2021-08-15", ""},
		{"44423", "2021-08-15", ""},           // Excel serial date
		{"44423.75", "2021-08-15", ""},        // with a time of day
		{"31/02/2021", "", "date_impossible"}, // no such day
		{"2021-13-01", "", "date_impossible"},
		{"15/08/21", "", "date_format"}, // two-digit year is ambiguous
		{"08-15-2021", "", "date_format"},
		{"mười lăm", "", "date_format"},
		{"", "", "required"},
	} {
		var code string
		got, ok := dateCell(c.raw, false, "issued_on", "Ngày cấp", func(_, cd, _, _ string) { code = cd })
		if c.code != "" {
			if ok || code != c.code {
				t.Errorf("%q: ok=%v code=%q, want %q", c.raw, ok, code, c.code)
			}
			continue
		}
		if !ok || got.Format(time.DateOnly) != c.want {
			t.Errorf("%q: %v %v (%s), want %s", c.raw, got, ok, code, c.want)
		}
	}
}

func TestScanFormulas(t *testing.T) {
	sheet := []byte(`<sheetData><row r="2"><c r="A2" t="s"><v>1</v></c><c r="O2" t="str"><f>"a"&amp;"b"</f><v>ab</v></c>` +
		`<c r="P2" s="3"><f t="shared" ref="P2:P3" si="0">A2</f></c></row><row r="3"><c r="P3"><f t="shared" si="0"/></c></row></sheetData>` +
		`<fonts><font><family val="2"/></font></fonts>`)
	got := map[string]bool{}
	scanFormulas(sheet, got)
	if len(got) != 3 || !got["O2"] || !got["P2"] || !got["P3"] {
		t.Fatalf("formula cells %v", got)
	}
}

func TestColLetter(t *testing.T) {
	for i, want := range map[int]string{0: "A", 19: "T", 25: "Z", 26: "AA", 27: "AB"} {
		if got := colLetter(i); got != want {
			t.Errorf("colLetter(%d) = %s, want %s", i, got, want)
		}
	}
}
