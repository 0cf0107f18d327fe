package printing

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"testing"
	"unicode/utf16"
	"unicode/utf8"
)

// Page sizes in points.
const (
	a5W, a5H = 419.53, 595.28
	a4W, a4H = 595.28, 841.89
)

// makePDF writes a minimal valid PDF by hand: pages pages of w×h points, each saying its
// number in Helvetica, with a correct cross-reference table.
func makePDF(pages int, w, h float64) []byte {
	var b bytes.Buffer
	var offsets []int
	obj := func(body string) {
		offsets = append(offsets, b.Len())
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", len(offsets), body)
	}
	b.WriteString("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	obj("<< /Type /Catalog /Pages 2 0 R >>")
	var kids []string
	for i := range pages {
		kids = append(kids, fmt.Sprintf("%d 0 R", 4+2*i))
	}
	obj(fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", strings.Join(kids, " "), pages))
	obj("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
	for i := range pages {
		obj(fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %.2f %.2f] /Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>",
			w, h, 5+2*i))
		content := fmt.Sprintf("BT /F1 24 Tf 60 %.0f Td (GiayDiDuong test page %d of %d) Tj ET", h-100, i+1, pages)
		obj(fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(content), content))
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(offsets)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(offsets)+1, xref)
	return b.Bytes()
}

func TestCheckRequest(t *testing.T) {
	pdf := makePDF(1, a5W, a5H)
	tests := []struct {
		name    string
		printer string
		pdf     []byte
		copies  int
		want    error
	}{
		{"ok", "GDD-PDF", pdf, 1, nil},
		{"fifty copies", "GDD-PDF", pdf, MaxCopies, nil},
		{"no printer", "", pdf, 1, ErrPrinterNotFound},
		{"blank printer", "  ", pdf, 1, ErrPrinterNotFound},
		{"empty document", "GDD-PDF", nil, 1, ErrNotPDF},
		{"text", "GDD-PDF", []byte("GIẤY ĐI ĐƯỜNG"), 1, ErrNotPDF},
		{"PDF not at start", "GDD-PDF", append([]byte("\n"), pdf...), 1, ErrNotPDF},
		{"PostScript", "GDD-PDF", []byte("%!PS-Adobe-3.0\n"), 1, ErrNotPDF},
		{"zero copies", "GDD-PDF", pdf, 0, ErrCopies},
		{"negative copies", "GDD-PDF", pdf, -1, ErrCopies},
		{"51 copies", "GDD-PDF", pdf, MaxCopies + 1, ErrCopies},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := checkRequest(tt.printer, tt.pdf, tt.copies)
			if tt.want == nil {
				if err != nil {
					t.Fatalf("checkRequest: %v", err)
				}
				return
			}
			if !errors.Is(err, tt.want) {
				t.Fatalf("checkRequest = %v, want %v", err, tt.want)
			}
			var e *Error
			if !errors.As(err, &e) || e.VI == "" || e.EN == "" {
				t.Fatalf("error %v is not an *Error with both languages", err)
			}
		})
	}
}

func TestSanitizeTitle(t *testing.T) {
	long := strings.Repeat("Đường ", 40)
	tests := []struct {
		name, in, want string
	}{
		{"plain", "Giấy đi đường 000123/2026", "Giấy đi đường 000123/2026"},
		{"empty", "", "GiayDiDuong"},
		{"only controls", "\x00\t\r\n\u200b", "GiayDiDuong"},
		{"newlines and tabs", "Số 1\nNguyễn\tVăn  A\r\n", "Số 1 Nguyễn Văn A"},
		{"escape sequence", "a\x1b[2Jb", "a [2Jb"},
		{"bidi override", "abc\u202edef", "abc def"},
		{"invalid UTF-8", "a\xffb", "a b"},
		{"trimmed", "   x   ", "x"},
		{"cut at 100 runes", long, strings.TrimSpace(string([]rune(long)[:100]))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := SanitizeTitle(tt.in)
			if got != tt.want {
				t.Fatalf("SanitizeTitle(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if !utf8.ValidString(got) || utf8.RuneCountInString(got) > maxTitleRunes {
				t.Fatalf("SanitizeTitle(%q) = %q: invalid or too long", tt.in, got)
			}
		})
	}
}

func TestDetectMedia(t *testing.T) {
	tests := []struct {
		name string
		pdf  []byte
		want string
	}{
		{"A5", makePDF(1, a5W, a5H), "A5"},
		{"A4", makePDF(2, a4W, a4H), "A4"},
		{"A4 landscape", makePDF(1, a4H, a4W), "A4"},
		{"A5 rounded", []byte("%PDF-1.7\n/MediaBox [0 0 420 595]"), "A5"},
		{"offset box", []byte("%PDF-1.7\n/MediaBox[10 10 622 802]"), "Letter"},
		{"Legal", []byte("%PDF-1.7\n/MediaBox [ 0 0 612 1008 ]"), "Legal"},
		{"other size", makePDF(1, 300, 300), ""},
		{"no media box", []byte("%PDF-1.7\n"), ""},
		{"bad number", []byte("%PDF-1.7\n/MediaBox [0 0 1.2.3 595]"), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := DetectMedia(tt.pdf); got != tt.want {
				t.Fatalf("DetectMedia = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestErrorMessages(t *testing.T) {
	tests := []struct {
		name string
		err  error
		kind error
		want []string
	}{
		{"not found", errPrinterNotFound("HP LaserJet"), ErrPrinterNotFound, []string{"Không tìm thấy máy in", `"HP LaserJet"`, "not found"}},
		{"paused", errPrinterPaused("GDD-PDF", "Hết giấy"), ErrPrinterPaused, []string{"đang tạm dừng", "Hết giấy", "paused"}},
		{"not accepting", errNotAccepting("GDD-PDF"), ErrNotAccepting, []string{"từ chối", "not accepting"}},
		{"wrapped cause", newError(ErrSpooler, errors.New("boom"), "Lỗi", "error"), ErrSpooler, []string{"Lỗi (error): boom"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !errors.Is(tt.err, tt.kind) {
				t.Fatalf("%v is not %v", tt.err, tt.kind)
			}
			for _, w := range tt.want {
				if !strings.Contains(tt.err.Error(), w) {
					t.Errorf("%q does not contain %q", tt.err.Error(), w)
				}
			}
		})
	}
}

func TestParseWinPrinters(t *testing.T) {
	tests := []struct {
		name string
		json string
		want []Printer
	}{
		{"empty", "", []Printer{}},
		{"empty array", "[]", []Printer{}},
		{"null", "null\r\n", []Printer{}},
		{"single object", "\xef\xbb\xbf{\"Name\":\"Microsoft Print to PDF\",\"Comment\":\"\",\"Default\":true,\"WorkOffline\":false,\"Extended\":3,\"Status\":3}\r\n",
			[]Printer{{Name: "Microsoft Print to PDF", State: StateIdle, Default: true, Accepting: true}}},
		{"array", `[{"Name":"HP LaserJet M211","Comment":"Phòng một cửa","Default":false,"WorkOffline":false,"Extended":8,"Status":1},` +
			`{"Name":"Canon LBP","Comment":null,"Default":false,"WorkOffline":true,"Extended":3,"Status":3},` +
			`{"Name":"Brother","Comment":"","Default":false,"WorkOffline":false,"Extended":2,"Status":4},` +
			`{"Name":"","Comment":"","Default":false,"WorkOffline":false,"Extended":3,"Status":3}]`,
			[]Printer{
				{Name: "HP LaserJet M211", Description: "Phòng một cửa", State: StatePaused, Accepting: true},
				{Name: "Canon LBP", State: StateOffline, Accepting: true},
				{Name: "Brother", State: StatePrinting, Accepting: true},
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseWinPrinters([]byte(tt.json))
			if err != nil {
				t.Fatalf("parseWinPrinters: %v", err)
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) || len(got) != len(tt.want) {
				t.Fatalf("parseWinPrinters = %+v, want %+v", got, tt.want)
			}
		})
	}
	if _, err := parseWinPrinters([]byte("Get-CimInstance : Access denied")); err == nil {
		t.Fatal("parseWinPrinters accepted an error message")
	}
}

func TestEncodePowerShell(t *testing.T) {
	script := "Write-Output 'Máy in'"
	raw, err := base64.StdEncoding.DecodeString(encodePowerShell(script))
	if err != nil {
		t.Fatal(err)
	}
	units := make([]uint16, len(raw)/2)
	for i := range units {
		units[i] = uint16(raw[2*i]) | uint16(raw[2*i+1])<<8
	}
	if got := string(utf16.Decode(units)); got != script {
		t.Fatalf("round trip = %q, want %q", got, script)
	}
}

func TestWinDocName(t *testing.T) {
	tests := []struct{ title, want string }{
		{"Giấy đi đường 000123/2026", "GDD-0123456789abcdef-Giấy_đi_đường_000123_2026.pdf"},
		{"", "GDD-0123456789abcdef-GiayDiDuong.pdf"},
		{`..\..\evil:name*?`, "GDD-0123456789abcdef-evil_name.pdf"},
	}
	for _, tt := range tests {
		if got := winDocName("0123456789abcdef", tt.title); got != tt.want {
			t.Errorf("winDocName(%q) = %q, want %q", tt.title, got, tt.want)
		}
	}
}
