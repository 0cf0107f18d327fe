package render

import (
	"io"
)

// FormHeader fills the parts of the blank application form that are the
// office's: who it is addressed to and the purposes a citizen can tick.
type FormHeader struct {
	AuthorityName   string
	IssuingUnitName string
	Purposes        []string // one tick box each, in this order
	Demo            bool
}

// ApplicationForm writes the one-page blank paper application form ("đơn đề
// nghị cấp giấy đi đường") that citizens without a smartphone fill in by
// hand at the office; a clerk then types it in.
func ApplicationForm(w io.Writer, h FormHeader, opt Options) error {
	g, err := geometryFor(opt.Paper)
	if err != nil {
		return err
	}
	pdf, err := newDocument(g, "Đơn đề nghị cấp giấy đi đường", clean(h.IssuingUnitName))
	if err != nil {
		return err
	}
	p := &planner{pdf: pdf}
	fitted := false
	// Handwriting needs room, so the rows shrink less far than a permit's.
	for s := 1.0; s >= 0.8-1e-9; s -= 0.05 {
		p.ops = p.ops[:0]
		if planForm(p, g, h, s) {
			fitted = true
			break
		}
	}
	if !fitted {
		return ErrDoesNotFit
	}
	pdf.AddPage()
	for _, op := range p.ops {
		op(pdf)
	}
	return output(pdf, w)
}

// planForm lays out the form at type scale s and reports whether it fits.
func planForm(p *planner, g geometry, h FormHeader, s float64) bool {
	u := g.scale * s
	cw := g.contentWidth()
	left, right := g.marginX, g.w-g.marginX

	if h.Demo {
		planDemo(p, g)
	}
	y := planHeader(p, g, u, g.top, headerBlock{
		authority: bodyName(h.AuthorityName),
		unit:      bodyName(h.IssuingUnitName),
	})

	y += 4 * u
	p.font(bold, 13*u)
	y = p.paragraph(left, y, cw, "ĐƠN ĐỀ NGHỊ CẤP GIẤY ĐI ĐƯỜNG", 'C')
	y += 1 * u
	p.font(regular, 10*u)
	unit := bodyName(h.IssuingUnitName)
	if unit == "" {
		unit = "...................................................."
	}
	y = p.paragraph(left, y, cw, "Kính gửi: "+unit, 'C')
	y += 2 * u

	size := 10 * u
	rowH := 7 * u
	lw := 0.25 * u
	p.font(regular, size)
	labels := []string{"Họ và tên:", "Ngày sinh:", "Số CCCD/CMND:", "Điện thoại:", "Nơi cư trú:",
		"Nơi làm việc:", "Mục đích:", "Lộ trình:", "Phương tiện:", "Thời gian:"}
	labelW := 0.0
	for _, l := range labels {
		labelW = max(labelW, p.width(l))
	}
	labelW += 2 * u
	valueX := left + labelW
	pairX := left + cw*0.56
	base := func(top float64) float64 { return top + rowH*0.72 }
	under := func(top float64) float64 { return base(top) + 0.9*u }
	boxSide := 3.4 * u

	// label writes s at x on the row and returns the x after it.
	label := func(x, top float64, s string) float64 {
		p.font(regular, size)
		p.text(x, base(top), s)
		return x + p.width(s) + 1.5*u
	}
	// fill draws a labelled dotted line from x to end.
	fill := func(x, top, end float64, s string) {
		if s != "" {
			x = label(x, top, s)
		}
		p.dotted(x, end, under(top), u)
	}
	// date draws "...../...../........." for a handwritten date from x and
	// returns the x after it.
	date := func(x, top float64) float64 {
		p.font(regular, size)
		slash := p.width("/")
		for i, n := range []float64{7, 7, 11} {
			p.dotted(x, x+n*u, under(top), u)
			x += n * u
			if i < 2 {
				p.text(x+0.5*u, base(top), "/")
				x += slash + 1*u
			}
		}
		return x + 1.5*u
	}
	// tick draws a tick box followed by its text and returns the x after it.
	tick := func(x, top float64, s string) float64 {
		p.box(x, base(top)-boxSide*0.85, boxSide, boxSide, lw)
		return label(x+boxSide+1.2*u, top, s)
	}

	// Họ và tên
	label(left, y, "Họ và tên:")
	p.dotted(valueX, right, under(y), u)
	y += rowH

	// Ngày sinh, Giới tính
	label(left, y, "Ngày sinh:")
	date(valueX, y)
	x := label(pairX, y, "Giới tính:")
	x = tick(x, y, "Nam") + 2*u
	tick(x, y, "Nữ")
	y += rowH

	// Số CCCD/CMND: one box a digit, 12 digits for a CCCD.
	label(left, y, "Số CCCD/CMND:")
	digit := min(5.2*u, (right-valueX)/12)
	for i := range 12 {
		p.box(valueX+float64(i)*digit, y+rowH*0.12, digit, rowH*0.8, lw)
	}
	y += rowH

	label(left, y, "Điện thoại:")
	p.dotted(valueX, right, under(y), u)
	y += rowH

	// Residence and workplace get a second line: addresses are long.
	for _, l := range []string{"Nơi cư trú:", "Nơi làm việc:"} {
		label(left, y, l)
		p.dotted(valueX, right, under(y), u)
		y += rowH
		p.dotted(left, right, under(y), u)
		y += rowH
	}

	// Mục đích: one tick box per purpose, two columns when they fit.
	label(left, y, "Mục đích:")
	p.font(italic, 8*u)
	p.text(valueX, base(y), "(đánh dấu X vào một ô)")
	y += rowH
	var purposes []string
	for _, pu := range h.Purposes {
		if pu = clean(pu); pu != "" {
			purposes = append(purposes, pu)
		}
	}
	p.font(regular, size)
	colW := (right - valueX) / 2
	textIndent := boxSide + 1.2*u
	cols := 2
	for _, pu := range purposes {
		if p.width(pu)+textIndent+2*u > colW {
			cols = 1
			break
		}
	}
	for i := 0; i < len(purposes); i += cols {
		rowLines := 1
		for c := 0; c < cols && i+c < len(purposes); c++ {
			cx := valueX + float64(c)*colW
			p.box(cx, base(y)-boxSide*0.85, boxSide, boxSide, lw)
			p.font(regular, size)
			lines := p.wrap(purposes[i+c], right-cx-textIndent)
			for j, line := range lines {
				p.text(cx+textIndent, base(y)+float64(j)*p.lineHeight(), line)
			}
			rowLines = max(rowLines, len(lines))
		}
		y += rowH + float64(rowLines-1)*p.lineHeight()
	}
	x = tick(valueX, y, "Khác (ghi rõ):")
	p.dotted(x, right, under(y), u)
	y += rowH

	// Lộ trình: từ / đến
	label(left, y, "Lộ trình:")
	fill(valueX, y, right, "Từ:")
	y += rowH
	fill(valueX, y, right, "Đến:")
	y += rowH

	// Phương tiện, biển số
	label(left, y, "Phương tiện:")
	p.dotted(valueX, pairX-2*u, under(y), u)
	fill(pairX, y, right, "Biển số:")
	y += rowH

	// Thời gian: từ ngày … đến hết ngày …, on two rows if one is too narrow.
	label(left, y, "Thời gian:")
	x = date(label(valueX, y, "từ ngày"), y)
	p.font(regular, size)
	if x+p.width("đến hết ngày")+30*u > right {
		y += rowH
		x = valueX
	}
	date(label(x, y, "đến hết ngày"), y)
	y += rowH

	y += 1.5 * u
	p.font(regular, size)
	y = p.paragraph(left, y, cw, "Tôi xin cam đoan những thông tin trên là đúng sự thật và chịu trách nhiệm trước pháp luật về nội dung đã khai.", 'L')
	y += 2 * u

	// Signatures: the clerk who takes the form on the left, the applicant
	// on the right under the place and date.
	half := cw / 2
	p.font(italic, 9*u)
	ry := p.paragraph(left+half, y, half, "................, ngày ...... tháng ...... năm ..........", 'C')
	ly := ry
	p.font(bold, 9.5*u)
	ly = p.paragraph(left, ly, half, "CÁN BỘ TIẾP NHẬN", 'C')
	ry = p.paragraph(left+half, ry, half, "NGƯỜI ĐỀ NGHỊ", 'C')
	p.font(italic, 8*u)
	ly = p.paragraph(left, ly, half, "(Ký, ghi rõ họ tên)", 'C')
	ry = p.paragraph(left+half, ry, half, "(Ký, ghi rõ họ tên)", 'C')
	end := max(ly, ry) + 20*g.scale
	return end <= g.h-g.bottom
}
