package report

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/go-pdf/fpdf"
	"github.com/xuri/excelize/v2"

	"giaydiduong/backend/domain"
	"giaydiduong/backend/store"
)

// RegisterHeaders are the columns of the register book (sổ theo dõi cấp giấy đi đường), in
// the order offices keep it.
var RegisterHeaders = []string{"STT", "Số giấy", "Họ tên", "Năm sinh", "CCCD", "Nơi cư trú", "Mục đích", "Lộ trình",
	"Thời hạn", "Người ký", "Ngày cấp", "Ghi chú"}

// RegisterLine is one permit in the register, as printed.
type RegisterLine struct {
	STT       int    `json:"stt"`
	Number    string `json:"so_giay"`
	FullName  string `json:"ho_ten"`
	BirthYear string `json:"nam_sinh"`
	IDNumber  string `json:"cccd"`
	Residence string `json:"noi_cu_tru"`
	Purpose   string `json:"muc_dich"`
	Route     string `json:"lo_trinh"`
	Validity  string `json:"thoi_han"`
	Signer    string `json:"nguoi_ky"`
	IssuedOn  string `json:"ngay_cap"`
	Note      string `json:"ghi_chu"`
}

func (l RegisterLine) cells() []string {
	return []string{fmt.Sprint(l.STT), l.Number, l.FullName, l.BirthYear, l.IDNumber, l.Residence, l.Purpose, l.Route,
		l.Validity, l.Signer, l.IssuedOn, l.Note}
}

// Register is one day's register of an office.
type Register struct {
	Day    string         `json:"day"`
	Office string         `json:"office"`
	Lines  []RegisterLine `json:"lines"`
}

func viDate(iso string) string {
	if t, err := time.Parse(time.DateOnly, iso); err == nil {
		return t.Format("02/01/2006")
	}
	return iso
}

// DailyRegister reads the register of day (YYYY-MM-DD).
func DailyRegister(q store.Q, office, day string, labels Labels) (Register, error) {
	if _, err := time.Parse(time.DateOnly, day); err != nil {
		return Register{}, fmt.Errorf("ngày %q không hợp lệ (yyyy-MM-dd)", day)
	}
	entries, err := q.RegisterEntries(day)
	if err != nil {
		return Register{}, err
	}
	return RegisterOf(entries, office, day, labels), nil
}

// PurgedNote is the register's note for a permit whose personal data the retention purge
// removed: the line stays (the count is the same), its citizen's fields are empty.
const PurgedNote = "Đã xóa dữ liệu cá nhân (hết thời hạn lưu)"

// RegisterOf lays entries out as the register of day; pure, so the province builds the
// same register from the records offices synced.
func RegisterOf(entries []store.RegisterEntry, office, day string, labels Labels) Register {
	r := Register{Day: day, Office: office, Lines: make([]RegisterLine, len(entries))}
	for i, e := range entries {
		number, notes := e.Number, []string{}
		if e.Channel == domain.ChannelPaperBackfill {
			number = e.PaperNumber
			notes = append(notes, domain.PaperPermitMark)
		}
		if e.Status == string(domain.PermitRevoked) {
			notes = append(notes, "Đã thu hồi")
		}
		if e.Note != "" {
			notes = append(notes, e.Note)
		}
		if e.FullName == "" && e.IDNumber == "" {
			notes = append(notes, PurgedNote)
		}
		residence := labels.Units[e.ResidenceCommuneCode]
		if residence == "" {
			residence = e.ResidenceCommuneCode
		}
		if e.ResidenceStreet != "" {
			residence = e.ResidenceStreet + ", " + residence
		}
		purpose := labels.Purposes[e.PurposeCode]
		if purpose == "" {
			purpose = e.PurposeCode
		}
		signer := e.SignerName
		if e.SignerTitle != "" && signer != "" {
			signer += " (" + e.SignerTitle + ")"
		}
		year := e.BirthDate
		if len(year) >= 4 {
			year = year[:4]
		}
		r.Lines[i] = RegisterLine{STT: i + 1, Number: number, FullName: e.FullName, BirthYear: year, IDNumber: e.IDNumber,
			Residence: residence, Purpose: purpose, Route: e.RouteFrom + " → " + e.RouteTo,
			Validity: viDate(e.ValidFrom) + " – " + viDate(e.ValidTo), Signer: signer, IssuedOn: viDate(e.IssuedOn), Note: strings.Join(notes, "; ")}
	}
	return r
}

func (r Register) title() string {
	return "SỔ THEO DÕI CẤP GIẤY ĐI ĐƯỜNG NGÀY " + viDate(r.Day)
}

// WriteXLSX writes the register as a workbook of plain values (no formulas), one permit a row.
func (r Register) WriteXLSX(w io.Writer) error {
	f := excelize.NewFile()
	defer f.Close()
	const sheet = "Sổ theo dõi"
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return fmt.Errorf("register workbook: %w", err)
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return fmt.Errorf("register workbook: %w", err)
	}
	bold, _ := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	widths := []float64{6, 14, 22, 9, 15, 32, 26, 32, 22, 24, 11, 30}
	for i, wd := range widths {
		if err := sw.SetColWidth(i+1, i+1, wd); err != nil {
			return fmt.Errorf("register workbook: %w", err)
		}
	}
	rows := [][]any{{excelize.Cell{StyleID: bold, Value: r.title()}}, {r.Office}, {}}
	head := make([]any, len(RegisterHeaders))
	for i, h := range RegisterHeaders {
		head[i] = excelize.Cell{StyleID: bold, Value: h}
	}
	rows = append(rows, head)
	for _, l := range r.Lines {
		c := l.cells()
		row := make([]any, len(c))
		row[0] = l.STT
		for i := 1; i < len(c); i++ {
			row[i] = c[i]
		}
		rows = append(rows, row)
	}
	for i, row := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := sw.SetRow(cell, row); err != nil {
			return fmt.Errorf("register workbook row %d: %w", i+1, err)
		}
	}
	if err := sw.Flush(); err != nil {
		return fmt.Errorf("register workbook: %w", err)
	}
	if _, err := f.WriteTo(w); err != nil {
		return fmt.Errorf("write register workbook: %w", err)
	}
	return nil
}

// Fonts are the TrueType faces the register PDF is set in; they must cover Vietnamese.
type Fonts struct {
	Regular, Bold []byte
}

// WritePDF writes the register on landscape A4 pages, the header row repeated on each.
func (r Register) WritePDF(w io.Writer, fonts Fonts) error {
	pdf := fpdf.New("L", "mm", "A4", "")
	pdf.SetMargins(8, 10, 8)
	pdf.SetAutoPageBreak(false, 10)
	pdf.AddUTF8FontFromBytes("reg", "", fonts.Regular)
	pdf.AddUTF8FontFromBytes("reg", "B", fonts.Bold)
	if err := pdf.Error(); err != nil {
		return fmt.Errorf("register fonts: %w", err)
	}
	widths := []float64{9, 22, 28, 16, 22, 33, 27, 32, 22, 25, 17, 28} // 281 mm
	const lh = 4.0
	_, pageH := pdf.GetPageSize()
	header := func() {
		pdf.SetFont("reg", "B", 8)
		x, y := pdf.GetXY()
		for i, h := range RegisterHeaders {
			pdf.Rect(x, y, widths[i], 2*lh, "D")
			pdf.SetXY(x, y)
			pdf.MultiCell(widths[i], lh, h, "", "C", false)
			x += widths[i]
		}
		pdf.SetXY(8, y+2*lh)
		pdf.SetFont("reg", "", 8)
	}
	pdf.AddPage()
	pdf.SetFont("reg", "B", 13)
	pdf.CellFormat(0, 7, r.title(), "", 1, "C", false, 0, "")
	pdf.SetFont("reg", "", 10)
	pdf.CellFormat(0, 6, r.Office, "", 1, "C", false, 0, "")
	pdf.Ln(2)
	header()
	for _, l := range r.Lines {
		cells := l.cells()
		lines := 1
		for i, c := range cells {
			if n := len(pdf.SplitText(c, widths[i]-1)); n > lines {
				lines = n
			}
		}
		h := float64(lines) * lh
		if pdf.GetY()+h > pageH-10 {
			pdf.AddPage()
			header()
		}
		x, y := pdf.GetXY()
		for i, c := range cells {
			pdf.Rect(x, y, widths[i], h, "D")
			pdf.SetXY(x, y)
			pdf.MultiCell(widths[i], lh, c, "", "L", false)
			x += widths[i]
		}
		pdf.SetXY(8, y+h)
	}
	if len(r.Lines) == 0 {
		pdf.CellFormat(0, 8, "Không có giấy nào được cấp trong ngày.", "", 1, "L", false, 0, "")
	}
	if err := pdf.Output(w); err != nil {
		return fmt.Errorf("write register PDF: %w", err)
	}
	return nil
}
