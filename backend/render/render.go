// Package render lays out printable PDFs: travel permits ("giấy đi đường")
// with their QR code, and the blank paper application form. It draws with
// github.com/go-pdf/fpdf, embeds its font and touches no database or printer.
package render

import (
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
	"time"
	"unicode"

	"github.com/go-pdf/fpdf"
	"golang.org/x/text/unicode/norm"
)

// Paper is the sheet size a document is laid out for. Both are portrait.
type Paper int

const (
	// A5 is the default: a permit fits on half an A4 sheet.
	A5 Paper = iota
	// A4 enlarges the same layout for offices that only stock A4.
	A4
)

// String returns the ISO name of the paper size.
func (p Paper) String() string {
	switch p {
	case A5:
		return "A5"
	case A4:
		return "A4"
	default:
		return fmt.Sprintf("Paper(%d)", int(p))
	}
}

// Options tunes a rendering. The zero value prints on A5.
type Options struct {
	Paper Paper
	// SignatureBox, when set, is told where each digitally signed page's signature block is:
	// {llx, lly, urx, ury} in PDF points from the page's lower-left corner.
	SignatureBox func(page int, rect [4]float64)
}

// ErrUnknownPaper is returned for a Paper value other than A5 or A4.
var ErrUnknownPaper = errors.New("render: unknown paper size")

// ErrDoesNotFit is returned when a document's text is too long to fit on
// one page even at the smallest type size the layout allows.
var ErrDoesNotFit = errors.New("render: content does not fit on one page")

// geometry holds the measurements of one paper size, in millimetres unless
// named otherwise.
type geometry struct {
	w, h          float64
	marginX       float64
	top, bottom   float64
	scale         float64 // type size and spacing relative to A5
	qrMinWidth    float64 // width of the QR's module area, quiet zone excluded
	qrMinModule   float64 // smallest module a 150 dpi print still resolves
	signatureArea float64 // height left blank for a hand signature and stamp
}

func geometryFor(p Paper) (geometry, error) {
	switch p {
	case A5:
		return geometry{
			w: 148, h: 210, marginX: 12, top: 11, bottom: 9,
			scale: 1, qrMinWidth: 30, qrMinModule: 0.4, signatureArea: 36,
		}, nil
	case A4:
		return geometry{
			w: 210, h: 297, marginX: 18, top: 15, bottom: 13,
			scale: 1.3, qrMinWidth: 40, qrMinModule: 0.5, signatureArea: 42,
		}, nil
	default:
		return geometry{}, fmt.Errorf("%w: %d", ErrUnknownPaper, int(p))
	}
}

func (g geometry) contentWidth() float64 { return g.w - 2*g.marginX }

// newDocument starts an fpdf document with the embedded fonts and no
// automatic page breaks: every layout here places its own text and must
// stay on its page.
func newDocument(g geometry, title, author string) (*fpdf.Fpdf, error) {
	// Sizes in millimetres: fpdf's own "A5" is 148.5 mm wide, not ISO's 148.
	pdf := fpdf.NewCustom(&fpdf.InitType{
		OrientationStr: "P",
		UnitStr:        "mm",
		Size:           fpdf.SizeType{Wd: g.w, Ht: g.h},
	})
	pdf.SetAutoPageBreak(false, 0)
	pdf.SetMargins(g.marginX, g.top, g.marginX)
	pdf.SetCellMargin(0)
	pdf.SetTitle(title, true)
	if author != "" {
		pdf.SetAuthor(author, true)
	}
	pdf.SetCreator("giaydiduong", true)
	pdf.SetLang("vi")
	if err := addFonts(pdf); err != nil {
		return nil, err
	}
	return pdf, nil
}

// vietnamTime is UTC+7 as a fixed zone: Vietnam keeps no daylight saving,
// and a fixed zone needs no tzdata, which Windows PCs often lack.
var vietnamTime = time.FixedZone("ICT", 7*60*60)

// dateLine writes the place and date line of an official document, e.g.
// "Tân Mỹ Chánh, ngày 05 tháng 02 năm 2026". Days below 10 and the months 1
// and 2 take a leading zero, as Decree 30/2020/NĐ-CP prescribes. The date is
// Vietnam's, whatever zone t is in.
func dateLine(place string, t time.Time) string {
	var date string
	if t.IsZero() {
		date = "ngày ...... tháng ...... năm .........."
	} else {
		t = t.In(vietnamTime)
		month := fmt.Sprintf("%d", int(t.Month()))
		if t.Month() <= time.February {
			month = "0" + month
		}
		date = fmt.Sprintf("ngày %02d tháng %s năm %d", t.Day(), month, t.Year())
	}
	if place == "" {
		return strings.ToUpper(date[:1]) + date[1:]
	}
	return place + ", " + date
}

// clean prepares text for the PDF: NFC, because the font has precomposed
// Vietnamese letters but fpdf does no mark positioning, so decomposed input
// would print its tone marks beside the letters; control characters become
// spaces; characters outside the Basic Multilingual Plane (emoji) become
// U+FFFD, because fpdf's width tables only index the BMP and would panic.
func clean(s string) string {
	s = norm.NFC.String(s)
	ok := true
	for _, r := range s {
		if r > 0xFFFF || unicode.IsControl(r) {
			ok = false
			break
		}
	}
	if ok {
		return strings.TrimSpace(s)
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case r > 0xFFFF:
			b.WriteRune('\uFFFD')
		case unicode.IsControl(r):
			b.WriteByte(' ')
		default:
			b.WriteRune(r)
		}
	}
	return strings.TrimSpace(b.String())
}

// mmPerPt converts a type size in points to millimetres.
const mmPerPt = 25.4 / 72

// planner records drawing operations while measuring them, so a layout can
// be tried at several type sizes before anything reaches the page: fpdf can
// measure text only through the document, and its font calls write to the
// current page once one exists.
type planner struct {
	pdf   *fpdf.Fpdf
	ops   []func(*fpdf.Fpdf)
	style string
	size  float64
	// sigBox is the digital signature block of the page being planned, in mm from the top left.
	sigBox [4]float64
}

func (p *planner) font(style string, size float64) {
	p.style, p.size = style, size
	p.pdf.SetFont(family, style, size)
}

func (p *planner) width(s string) float64 { return p.pdf.GetStringWidth(s) }

// wrap breaks s into lines no wider than w in the current font.
func (p *planner) wrap(s string, w float64) []string {
	if s == "" {
		return nil
	}
	return p.pdf.SplitText(s, w)
}

// lineHeight is the distance between baselines for the current font.
func (p *planner) lineHeight() float64 { return p.size * mmPerPt * 1.4 }

// baseline is where text sits in a line box that starts at top.
func (p *planner) baseline(top float64) float64 {
	return top + p.lineHeight()/2 + p.size*mmPerPt*0.33
}

func (p *planner) op(f func(*fpdf.Fpdf)) { p.ops = append(p.ops, f) }

// text places s with its left end at x on the baseline y.
func (p *planner) text(x, y float64, s string) {
	if s == "" {
		return
	}
	style, size := p.style, p.size
	p.op(func(pdf *fpdf.Fpdf) {
		pdf.SetFont(family, style, size)
		pdf.Text(x, y, s)
	})
}

func (p *planner) textCentered(cx, y float64, s string) { p.text(cx-p.width(s)/2, y, s) }

func (p *planner) textRight(right, y float64, s string) { p.text(right-p.width(s), y, s) }

// paragraph wraps s into the column [x, x+w] from top and returns the y
// below its last line; align is 'L' or 'C'.
func (p *planner) paragraph(x, top, w float64, s string, align byte) float64 {
	lh := p.lineHeight()
	for _, line := range p.wrap(s, w) {
		if align == 'C' {
			p.textCentered(x+w/2, p.baseline(top), line)
		} else {
			p.text(x, p.baseline(top), line)
		}
		top += lh
	}
	return top
}

// fitSize returns the largest size not above size at which s fits in w.
func (p *planner) fitSize(style string, size float64, s string, w float64) float64 {
	p.font(style, size)
	if tw := p.width(s); tw > w {
		size *= w / tw
	}
	return size
}

// line draws a solid rule of width lw (mm).
func (p *planner) line(x1, y1, x2, y2, lw float64) {
	p.op(func(pdf *fpdf.Fpdf) {
		pdf.SetLineWidth(lw)
		pdf.Line(x1, y1, x2, y2)
	})
}

// dotted draws the dotted line a form is filled in on.
func (p *planner) dotted(x1, x2, y, scale float64) {
	if x2-x1 < 2 {
		return
	}
	p.op(func(pdf *fpdf.Fpdf) {
		pdf.SetLineWidth(0.2 * scale)
		pdf.SetDashPattern([]float64{0.3 * scale, 0.9 * scale}, 0)
		pdf.Line(x1, y, x2, y)
		pdf.SetDashPattern(nil, 0)
	})
}

// box strokes a rectangle.
func (p *planner) box(x, y, w, h, lw float64) {
	p.op(func(pdf *fpdf.Fpdf) {
		pdf.SetLineWidth(lw)
		pdf.Rect(x, y, w, h, "D")
	})
}

// bodyName is an issuing body's name as an administrative document prints it: in full,
// "ỦY BAN NHÂN DÂN …" rather than the abbreviation "UBND …" staff type in settings.
func bodyName(s string) string {
	s = clean(s)
	for _, abbr := range []string{"UBND ", "Ubnd ", "ubnd "} {
		if rest, ok := strings.CutPrefix(s, abbr); ok {
			if rest == strings.ToUpper(rest) {
				return "ỦY BAN NHÂN DÂN " + rest
			}
			return "Ủy ban nhân dân " + rest
		}
	}
	return s
}

// headerBlock is the two-column heading of Vietnamese administrative
// documents: issuing body on the left, national motto on the right.
type headerBlock struct {
	authority, unit string   // left, upper case
	leftExtra       []string // under the unit's rule, e.g. "Số: …"
	rightExtra      string   // italic under the motto's rule: place and date
}

// planHeader lays out the header from top at type scale u and returns the
// y below it.
func planHeader(p *planner, g geometry, u, top float64, h headerBlock) float64 {
	cw := g.contentWidth()
	leftW, rightW := cw*0.42, cw*0.58
	leftX, rightX := g.marginX, g.marginX+leftW
	size := 8.5 * u

	// Left: superior body, issuing unit in bold, a short rule, then extras.
	y := top
	p.font(regular, size)
	y = p.paragraph(leftX, y, leftW-1, strings.ToUpper(h.authority), 'C')
	p.font(bold, size)
	unitLines := p.wrap(strings.ToUpper(h.unit), leftW-1)
	widest := 0.0
	for _, l := range unitLines {
		p.textCentered(leftX+leftW/2, p.baseline(y), l)
		widest = max(widest, p.width(l))
		y += p.lineHeight()
	}
	if widest > 0 {
		rule := widest * 0.4
		p.line(leftX+(leftW-rule)/2, y+0.4*u, leftX+(leftW+rule)/2, y+0.4*u, 0.25*u)
		y += 1.6 * u
	}
	p.font(regular, size)
	for _, extra := range h.leftExtra {
		y = p.paragraph(leftX, y, leftW-1, extra, 'C')
	}
	leftEnd := y

	// Right: motto, its rule as long as the second line, then the place/date.
	y = top
	motto1 := "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
	motto2 := "Độc lập - Tự do - Hạnh phúc"
	p.font(bold, p.fitSize(bold, size, motto1, rightW-1))
	p.textCentered(rightX+rightW/2, p.baseline(y), motto1)
	y += p.lineHeight()
	p.font(bold, p.fitSize(bold, size+0.5*u, motto2, rightW-1))
	p.textCentered(rightX+rightW/2, p.baseline(y), motto2)
	w2 := p.width(motto2)
	y += p.lineHeight()
	p.line(rightX+(rightW-w2)/2, y+0.4*u, rightX+(rightW+w2)/2, y+0.4*u, 0.25*u)
	y += 2.2 * u
	if h.rightExtra != "" {
		p.font(italic, size)
		y = p.paragraph(rightX, y, rightW-1, h.rightExtra, 'C')
	}
	return max(leftEnd, y)
}

// planDemo puts the demo watermark and a plain-text warning on the page.
// The watermark is recorded first so everything else is drawn over it.
func planDemo(p *planner, g geometry) {
	const mark = "BẢN DÙNG THỬ — KHÔNG CÓ GIÁ TRỊ"
	p.font(bold, 40)
	target := 0.8 * math.Hypot(g.w, g.h)
	size := 40 * target / p.width(mark)
	p.font(bold, size)
	tw := p.width(mark)
	cx, cy := g.w/2, g.h/2
	angle := math.Atan2(g.h, g.w) * 180 / math.Pi
	p.op(func(pdf *fpdf.Fpdf) {
		pdf.SetFont(family, bold, size)
		pdf.SetTextColor(215, 215, 215)
		pdf.TransformBegin()
		pdf.TransformRotate(angle, cx, cy)
		pdf.Text(cx-tw/2, cy+size*mmPerPt*0.35, mark)
		pdf.TransformEnd()
		pdf.SetTextColor(0, 0, 0)
	})
	p.font(bold, 7.5*g.scale)
	p.text(g.marginX, g.top-4*g.scale, mark)
}

// output writes the finished document to w.
func output(pdf *fpdf.Fpdf, w io.Writer) error {
	if err := pdf.Error(); err != nil {
		return fmt.Errorf("render: lay out pdf: %w", err)
	}
	if err := pdf.Output(w); err != nil {
		return fmt.Errorf("render: write pdf: %w", err)
	}
	return nil
}
