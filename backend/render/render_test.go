package render

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// basePermit is a permit with long Vietnamese names and places.
func basePermit() Permit {
	return Permit{
		Number:          "28291/2026/000123",
		AuthorityName:   "UBND thành phố Mỹ Tho",
		IssuingUnitName: "UBND XÃ TÂN MỸ CHÁNH",
		PlaceName:       "Tân Mỹ Chánh",
		FullName:        longName,
		BirthDate:       "05/02/1990",
		Gender:          "Nữ",
		IDNumber:        "082190001234",
		Phone:           "0912345678",
		Residence:       "Số 123, đường Ấp Bắc, khu phố Mỹ Thạnh, xã Tân Mỹ Chánh, thành phố Mỹ Tho, tỉnh Tiền Giang",
		Workplace:       "Công ty TNHH Thương mại Dịch vụ Xuất nhập khẩu Thủy sản Đồng bằng sông Cửu Long",
		Purpose:         "Mua lương thực, thực phẩm, thuốc men",
		RouteFrom:       "Xã Tân Mỹ Chánh, thành phố Mỹ Tho, tỉnh Tiền Giang",
		RouteTo:         "Bệnh viện Đa khoa Trung tâm Tiền Giang, số 2 Hùng Vương, phường 1, thành phố Mỹ Tho",
		Vehicle:         "Xe mô tô, xe máy — 63-B1 123.45",
		ValidFrom:       "28/11/2026",
		ValidTo:         "12/12/2026",
		IssuedAt:        time.Date(2026, 11, 28, 2, 15, 0, 0, time.UTC),
		Signature:       Signature{Kind: SignatureHand, SignerName: "Trần Văn Đức", SignerTitle: "Chủ tịch"},
		QR:              qrText(rand.New(rand.NewPCG(1, 2))),
	}
}

func TestLongNameFixture(t *testing.T) {
	if n := utf8.RuneCountInString(longName); n != 40 {
		t.Fatalf("longName has %d characters, want 40", n)
	}
	if !norm.NFC.IsNormalString(longName) {
		t.Fatal("longName is not NFC")
	}
}

// TestPermitPDF renders single permits in every variant and checks them
// with poppler and zbar: text, page size and the QR read back exactly.
func TestPermitPDF(t *testing.T) {
	const a5W, a5H, a4W, a4H = 419.53, 595.28, 595.28, 841.89
	digital := basePermit()
	digital.Signature = Signature{Kind: SignatureDigital, SignerName: "Phạm Thị Ngọc Hằng", SignerTitle: "Phó Chủ tịch",
		SignedAt: time.Date(2026, 11, 28, 2, 20, 0, 0, time.UTC)}
	deputy := basePermit()
	deputy.Signature.SignerTitle = "Phó Chủ tịch"
	reprint := basePermit()
	reprint.Reprint = 3
	demo := basePermit()
	demo.Demo = true
	noted := basePermit()
	noted.Note = "Chỉ được đi lại trong khung giờ từ 06 giờ 00 đến 18 giờ 00."
	decomposed := basePermit()
	decomposed.FullName = norm.NFD.String(longName)
	spaces := basePermit()
	spaces.QR = "GDD1:6BFOXN*TS0BI$ZD4N9:9S6RCVN5+O30K3/XIV0W23NTDEPWK G2EP4J0  "
	bytesMode := basePermit()
	bytesMode.QR = "GDD1:chữ thường và dấu — byte mode"
	big := basePermit()
	big.QR = "GDD1:" + strings.Repeat("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:", 12)

	common := []string{
		"GIẤY ĐI ĐƯỜNG", "28291/2026/000123", longName,
		"CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
		"ỦY BAN NHÂN DÂN THÀNH PHỐ MỸ THO", "ỦY BAN NHÂN DÂN XÃ TÂN MỸ CHÁNH", "Số: 28291/2026/000123",
		"Tân Mỹ Chánh, ngày 28 tháng 11 năm 2026",
		"Họ và tên:", "Ngày sinh:", "05/02/1990", "Giới tính:", "Nữ",
		"Số CCCD/CMND:", "082190001234", "Điện thoại:", "0912345678",
		"Nơi cư trú:", "Số 123, đường Ấp Bắc, khu phố Mỹ Thạnh, xã Tân Mỹ Chánh, thành phố Mỹ Tho, tỉnh Tiền Giang",
		"Nơi làm việc:", "Công ty TNHH Thương mại Dịch vụ Xuất nhập khẩu Thủy sản Đồng bằng sông Cửu Long",
		"Mục đích:", "Mua lương thực, thực phẩm, thuốc men",
		"Lộ trình:", "Từ Xã Tân Mỹ Chánh, thành phố Mỹ Tho, tỉnh Tiền Giang",
		"Đến Bệnh viện Đa khoa Trung tâm Tiền Giang, số 2 Hùng Vương, phường 1, thành phố Mỹ Tho",
		"Phương tiện:", "Xe mô tô, xe máy — 63-B1 123.45",
		"Thời hạn:", "từ ngày 28/11/2026 đến hết ngày 12/12/2026",
		"TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH", "Quét mã QR để kiểm tra giấy đi đường",
	}
	tests := []struct {
		name    string
		permit  Permit
		paper   Paper
		want    []string
		notWant []string
	}{
		{name: "hand A5", permit: basePermit(), paper: A5,
			want:    []string{"TM. ỦY BAN NHÂN DÂN CHỦ TỊCH (Ký, ghi rõ họ tên và đóng dấu)", "Trần Văn Đức"},
			notWant: []string{"Đã ký số", "Bản in lại", "BẢN DÙNG THỬ", "Ghi chú", "KT.", "UBND", "HOÀ", "UỶ"}},
		{name: "hand by a deputy", permit: deputy, paper: A5,
			want: []string{"TM. ỦY BAN NHÂN DÂN KT. CHỦ TỊCH PHÓ CHỦ TỊCH (Ký, ghi rõ họ tên và đóng dấu)"}},
		{name: "hand A4", permit: basePermit(), paper: A4,
			want: []string{"(Ký, ghi rõ họ tên và đóng dấu)", "Trần Văn Đức"}},
		{name: "digital A5", permit: digital, paper: A5,
			want:    []string{"Đã ký số", "Phạm Thị Ngọc Hằng", "TM. ỦY BAN NHÂN DÂN KT. CHỦ TỊCH PHÓ CHỦ TỊCH", "Thời gian ký: 28/11/2026 09:20 (GMT+7)"},
			notWant: []string{"(Ký, ghi rõ họ tên và đóng dấu)"}},
		{name: "digital A4", permit: digital, paper: A4, want: []string{"Đã ký số", "Phạm Thị Ngọc Hằng"}},
		{name: "reprint", permit: reprint, paper: A5, want: []string{"Bản in lại lần 3"}},
		{name: "demo", permit: demo, paper: A5, want: []string{"BẢN DÙNG THỬ — KHÔNG CÓ GIÁ TRỊ"}},
		{name: "note", permit: noted, paper: A5, want: []string{"Ghi chú:", "Chỉ được đi lại trong khung giờ từ 06 giờ 00 đến 18 giờ 00."}},
		{name: "decomposed input printed as NFC", permit: decomposed, paper: A5},
		{name: "QR with trailing spaces", permit: spaces, paper: A5},
		{name: "QR in byte mode", permit: bytesMode, paper: A5},
		{name: "large QR grows", permit: big, paper: A5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writePDF(t, "permit.pdf", func(b *bytes.Buffer) error {
				return Permits(b, []Permit{tt.permit}, Options{Paper: tt.paper})
			})
			info := readInfo(t, path)
			wantW, wantH := a5W, a5H
			if tt.paper == A4 {
				wantW, wantH = a4W, a4H
			}
			if info.pages != 1 || math.Abs(info.width-wantW) > 0.01 || math.Abs(info.height-wantH) > 0.01 {
				t.Errorf("pdfinfo: %d pages of %.2f x %.2f pts, want 1 of %.2f x %.2f", info.pages, info.width, info.height, wantW, wantH)
			}

			pages := pdfText(t, path)
			if len(pages) != 1 {
				t.Fatalf("pdftotext found %d pages", len(pages))
			}
			if !norm.NFC.IsNormalString(pages[0]) {
				t.Error("extracted text is not NFC")
			}
			text := squash(pages[0])
			for _, s := range append(common, tt.want...) {
				if !strings.Contains(text, s) {
					t.Errorf("text lacks %q", s)
				}
			}
			for _, s := range tt.notWant {
				if strings.Contains(text, s) {
					t.Errorf("text has %q", s)
				}
			}

			pngs := rasterise(t, path)
			if len(pngs) != 1 {
				t.Fatalf("pdftoppm made %d images", len(pngs))
			}
			got, err := decodeQR(t, pngs[0])
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.permit.QR {
				t.Errorf("QR decodes to\n%q\nwant\n%q", got, tt.permit.QR)
			}
		})
	}
}

// TestBatch renders 50 varied permits into one PDF and checks that every
// page carries its own permit and its own QR.
func TestBatch(t *testing.T) {
	const n = 50
	r := rand.New(rand.NewPCG(2026, 11))
	permits := make([]Permit, n)
	for i := range permits {
		permits[i] = testPermit(r, i+1)
	}
	permits[0].FullName = longName
	permits[1].Reprint = 2
	for _, paper := range []Paper{A5, A4} {
		t.Run(paper.String(), func(t *testing.T) {
			path := writePDF(t, "batch.pdf", func(b *bytes.Buffer) error {
				return Permits(b, permits, Options{Paper: paper})
			})
			if info := readInfo(t, path); info.pages != n {
				t.Fatalf("pdfinfo: %d pages, want %d", info.pages, n)
			}
			pages := pdfText(t, path)
			if len(pages) != n {
				t.Fatalf("pdftotext: %d pages, want %d", len(pages), n)
			}
			for i, page := range pages {
				text := squash(page)
				p := permits[i]
				for _, s := range []string{"GIẤY ĐI ĐƯỜNG", "Số: " + p.Number, p.FullName, p.Residence, p.Vehicle} {
					if !strings.Contains(text, s) {
						t.Errorf("page %d lacks %q", i+1, s)
					}
				}
				digital := strings.Contains(text, "Đã ký số")
				if digital != (p.Signature.Kind == SignatureDigital) {
					t.Errorf("page %d: signature kind %q but \"Đã ký số\" present=%v", i+1, p.Signature.Kind, digital)
				}
				reprinted := strings.Contains(text, fmt.Sprintf("Bản in lại lần %d", p.Reprint))
				if reprinted != (p.Reprint > 0) {
					t.Errorf("page %d: reprint %d but label present=%v", i+1, p.Reprint, reprinted)
				}
			}
			pngs := rasterise(t, path)
			if len(pngs) != n {
				t.Fatalf("pdftoppm made %d images, want %d", len(pngs), n)
			}
			for i, got := range decodeAll(t, pngs) {
				if got != permits[i].QR {
					t.Errorf("page %d: QR decodes to %q, want %q", i+1, got, permits[i].QR)
				}
			}
		})
	}
}

func TestApplicationForm(t *testing.T) {
	purposes := []string{"Đi làm", "Mua lương thực, thực phẩm, thuốc men", "Khám, chữa bệnh", "Vận chuyển hàng hóa thiết yếu", "Công vụ"}
	labels := []string{
		"ĐƠN ĐỀ NGHỊ CẤP GIẤY ĐI ĐƯỜNG", "Kính gửi: ỦY BAN NHÂN DÂN XÃ TÂN MỸ CHÁNH", "ỦY BAN NHÂN DÂN THÀNH PHỐ MỸ THO",
		"CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
		"Họ và tên:", "Ngày sinh:", "Giới tính:", "Nam", "Nữ", "Số CCCD/CMND:", "Điện thoại:",
		"Nơi cư trú:", "Nơi làm việc:", "Mục đích:", "Khác (ghi rõ):", "Lộ trình:", "Từ:", "Đến:",
		"Phương tiện:", "Biển số:", "Thời gian:", "từ ngày", "đến hết ngày",
		"ngày ...... tháng ...... năm", "NGƯỜI ĐỀ NGHỊ", "CÁN BỘ TIẾP NHẬN", "(Ký, ghi rõ họ tên)",
	}
	many := []string{}
	for i := range 12 {
		many = append(many, fmt.Sprintf("Mục đích số %d, ghi đủ dài để phải xuống dòng khi in trên khổ giấy A5 của xã", i+1))
	}
	tests := []struct {
		name   string
		header FormHeader
		paper  Paper
		want   []string
	}{
		{name: "A5", header: FormHeader{AuthorityName: "UBND THÀNH PHỐ MỸ THO", IssuingUnitName: "UBND XÃ TÂN MỸ CHÁNH", Purposes: purposes}, paper: A5, want: purposes},
		{name: "A4", header: FormHeader{AuthorityName: "UBND THÀNH PHỐ MỸ THO", IssuingUnitName: "UBND XÃ TÂN MỸ CHÁNH", Purposes: purposes}, paper: A4, want: purposes},
		{name: "demo", header: FormHeader{AuthorityName: "UBND THÀNH PHỐ MỸ THO", IssuingUnitName: "UBND XÃ TÂN MỸ CHÁNH", Purposes: purposes[:2], Demo: true}, paper: A5,
			want: []string{"BẢN DÙNG THỬ — KHÔNG CÓ GIÁ TRỊ"}},
		{name: "many long purposes on A4", header: FormHeader{AuthorityName: "UBND THÀNH PHỐ MỸ THO", IssuingUnitName: "UBND XÃ TÂN MỸ CHÁNH", Purposes: many[:8]}, paper: A4, want: many[:8]},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writePDF(t, "form.pdf", func(b *bytes.Buffer) error {
				return ApplicationForm(b, tt.header, Options{Paper: tt.paper})
			})
			if info := readInfo(t, path); info.pages != 1 {
				t.Fatalf("pdfinfo: %d pages, want 1", info.pages)
			}
			pages := pdfText(t, path)
			if len(pages) != 1 {
				t.Fatalf("pdftotext: %d pages", len(pages))
			}
			text := squash(pages[0])
			for _, s := range append(labels, tt.want...) {
				if !strings.Contains(text, s) {
					t.Errorf("form lacks %q", s)
				}
			}
		})
	}
	t.Run("too many purposes for A5", func(t *testing.T) {
		err := ApplicationForm(io.Discard, FormHeader{Purposes: many}, Options{})
		if !errors.Is(err, ErrDoesNotFit) {
			t.Fatalf("got %v, want ErrDoesNotFit", err)
		}
	})
}

func TestErrors(t *testing.T) {
	noQR := basePermit()
	noQR.QR = ""
	badKind := basePermit()
	badKind.Signature.Kind = "stamp"
	huge := basePermit()
	huge.Note = strings.Repeat("Ghi chú rất dài về lộ trình và khung giờ đi lại. ", 60)
	tests := []struct {
		name    string
		permits []Permit
		opt     Options
		want    error
	}{
		{name: "no permits", permits: nil, want: ErrNoPermits},
		{name: "unknown paper", permits: []Permit{basePermit()}, opt: Options{Paper: Paper(7)}, want: ErrUnknownPaper},
		{name: "no QR", permits: []Permit{basePermit(), noQR}, want: ErrEmptyQR},
		{name: "unknown signature kind", permits: []Permit{badKind}, want: ErrUnknownSignature},
		{name: "text too long for a page", permits: []Permit{huge}, want: ErrDoesNotFit},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Permits(io.Discard, tt.permits, tt.opt)
			if !errors.Is(err, tt.want) {
				t.Fatalf("got %v, want %v", err, tt.want)
			}
		})
	}
	if err := ApplicationForm(io.Discard, FormHeader{}, Options{Paper: Paper(-1)}); !errors.Is(err, ErrUnknownPaper) {
		t.Errorf("ApplicationForm with a bad paper: got %v", err)
	}
}

func TestDateLine(t *testing.T) {
	tests := []struct {
		place string
		at    time.Time
		want  string
	}{
		{"Tân Mỹ Chánh", time.Date(2026, 11, 28, 9, 0, 0, 0, vietnamTime), "Tân Mỹ Chánh, ngày 28 tháng 11 năm 2026"},
		{"Mỹ Phong", time.Date(2026, 2, 5, 9, 0, 0, 0, vietnamTime), "Mỹ Phong, ngày 05 tháng 02 năm 2026"},
		{"Mỹ Phong", time.Date(2026, 3, 9, 9, 0, 0, 0, vietnamTime), "Mỹ Phong, ngày 09 tháng 3 năm 2026"},
		// 18:30 UTC on 31 December is already New Year in Vietnam.
		{"Đạo Thạnh", time.Date(2026, 12, 31, 18, 30, 0, 0, time.UTC), "Đạo Thạnh, ngày 01 tháng 01 năm 2027"},
		{"", time.Date(2026, 10, 10, 9, 0, 0, 0, vietnamTime), "Ngày 10 tháng 10 năm 2026"},
		{"Thới Sơn", time.Time{}, "Thới Sơn, ngày ...... tháng ...... năm .........."},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := dateLine(tt.place, tt.at); got != tt.want {
				t.Errorf("dateLine = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestClean(t *testing.T) {
	tests := []struct{ in, want string }{
		{norm.NFD.String("Nguyễn Thị Phượng"), "Nguyễn Thị Phượng"},
		{"  Lê Văn Tám\n", "Lê Văn Tám"},
		{"Ấp\tBắc\r\nMỹ Tho", "Ấp Bắc  Mỹ Tho"},
		{"Hà 😀 Nội", "Hà \uFFFD Nội"},
	}
	for _, tt := range tests {
		if got := clean(tt.in); got != tt.want {
			t.Errorf("clean(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestQRSize checks the module size rule on the real payload size: a
// 190-210 byte payload lands at version 12 or 13, drawn at least 30 mm wide
// on A5 with modules of at least 0.4 mm, and larger versions grow.
func TestQRSize(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	tests := []struct {
		name         string
		text         string
		paper        Paper
		minV, maxV   int
		minW, minMod float64
	}{
		{name: "190 bytes A5", text: "GDD1:" + base45(randomBytes(r, 190)), paper: A5, minV: 12, maxV: 13, minW: 30, minMod: 0.4},
		{name: "210 bytes A5", text: "GDD1:" + base45(randomBytes(r, 210)), paper: A5, minV: 12, maxV: 13, minW: 30, minMod: 0.4},
		{name: "210 bytes A4", text: "GDD1:" + base45(randomBytes(r, 210)), paper: A4, minV: 12, maxV: 13, minW: 40, minMod: 0.5},
		{name: "400 bytes A5", text: "GDD1:" + base45(randomBytes(r, 400)), paper: A5, minV: 18, maxV: 22, minW: 30, minMod: 0.4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, err := encodeQR(tt.text)
			if err != nil {
				t.Fatal(err)
			}
			g, err := geometryFor(tt.paper)
			if err != nil {
				t.Fatal(err)
			}
			m := g.moduleSize(q)
			width := float64(q.dim) * m
			t.Logf("version %d, %d modules, module %.3f mm, symbol %.1f mm, with quiet zone %.1f mm", q.version(), q.dim, m, width, q.side(m))
			if v := q.version(); v < tt.minV || v > tt.maxV {
				t.Errorf("version %d, want %d-%d", v, tt.minV, tt.maxV)
			}
			if width < tt.minW-1e-9 || m < tt.minMod-1e-9 {
				t.Errorf("symbol %.2f mm with %.3f mm modules, want ≥ %.0f mm and ≥ %.2f mm", width, m, tt.minW, tt.minMod)
			}
		})
	}
}

func randomBytes(r *rand.Rand, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.UintN(256))
	}
	return b
}

// TestSignatureWidgetBox: a permit left for a PDF signature widget reports one box per
// digitally signed page, inside the page and right of the QR, and leaves it empty of the
// printed "Đã ký số" text the widget will replace.
func TestSignatureWidgetBox(t *testing.T) {
	widget := basePermit()
	widget.Signature = Signature{Kind: SignatureDigital, SignerName: "Lê Văn Đức", SignerTitle: "Phó Chủ tịch", Widget: true}
	hand := basePermit()
	for _, tc := range []struct {
		paper Paper
		w, h  float64
	}{{A5, 419.53, 595.28}, {A4, 595.28, 841.89}} {
		t.Run(tc.paper.String(), func(t *testing.T) {
			boxes := map[int][4]float64{}
			path := writePDF(t, "widget.pdf", func(b *bytes.Buffer) error {
				return Permits(b, []Permit{hand, widget}, Options{Paper: tc.paper, SignatureBox: func(page int, r [4]float64) { boxes[page] = r }})
			})
			if len(boxes) != 1 {
				t.Fatalf("boxes %v, want one for page 2", boxes)
			}
			r, ok := boxes[2]
			if !ok {
				t.Fatalf("boxes %v, want page 2", boxes)
			}
			if r[0] < tc.w/3 || r[2] > tc.w || r[1] <= 0 || r[3] > tc.h/2 || r[2]-r[0] < 100 || r[3]-r[1] < 40 {
				t.Errorf("box %v is not a signature block in the lower right of a %.0f×%.0f page", r, tc.w, tc.h)
			}
			pages := pdfText(t, path)
			if strings.Contains(squash(pages[1]), "Đã ký số") {
				t.Error("the widget page prints \"Đã ký số\" where the PDF signature goes")
			}
		})
	}
}
