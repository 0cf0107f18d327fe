package accountlist

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"
)

// Layout of the province's template: a title, the sender block in A3:B7, the header row on
// row 9, people from row 10.
const (
	Sheet      = "Danh sách đăng ký"
	ListsSheet = "Danh mục"
	Title      = "DANH SÁCH ĐĂNG KÝ TÀI KHOẢN HỆ THỐNG CẤP GIẤY ĐI ĐƯỜNG"
	headerRow  = 9
	firstRow   = 10
	maxRows    = 5000
)

// senderRows are the labels of the sender block (column A) whose value is in column B.
var senderRows = []string{"Đơn vị gửi (*)", "Mã đơn vị gửi (*)", "Người ký (*)", "Chức vụ người ký", "Ngày lập (*)"}

type column struct {
	header, field string
	width         float64
	text          bool
}

var columns = []column{
	{"STT", "", 6, false},
	{"Họ và tên (*)", "full_name", 24, false},
	{"Số CCCD/CMND (*)", "id_number", 16, true},
	{"Chức vụ", "title", 18, false},
	{"Đơn vị công tác (*)", "unit", 26, false},
	{"Số điện thoại", "phone", 14, true},
	{"Email", "email", 24, false},
	{"Vai trò (*)", "role", 12, false},
	{"Đơn vị thực hiện thay (mã, cách nhau bởi dấu phẩy)", "acts_for", 22, true},
	{"Có thiết bị ký số (USB token) (*)", "has_token", 14, false},
}

func colLetter(i int) string {
	s, _ := excelize.ColumnNumberToName(i + 1)
	return s
}

func columnOf(field string) (string, string) {
	for i, c := range columns {
		if c.field == field {
			return colLetter(i), c.header
		}
	}
	return "", field
}

// Template writes the empty list.
func Template(w io.Writer) error { return Write(w, List{}) }

// Write writes a list on the province's template: values only (no formulas), drop-downs for
// the role and the token column, CCCD and phone as text so leading zeros stay.
func Write(w io.Writer, l List) error {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", Sheet); err != nil {
		return fmt.Errorf("account list: %w", err)
	}
	if _, err := f.NewSheet(ListsSheet); err != nil {
		return fmt.Errorf("account list: %w", err)
	}
	bold, _ := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	titleStyle, _ := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 14}, Alignment: &excelize.Alignment{Horizontal: "center"}})
	head, _ := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}},
		Alignment: &excelize.Alignment{WrapText: true, Vertical: "center"}})
	text, _ := f.NewStyle(&excelize.Style{NumFmt: 49})
	last := colLetter(len(columns) - 1)
	set := func(cell string, v any) error { return f.SetCellValue(Sheet, cell, v) }
	if err := set("A1", Title); err != nil {
		return fmt.Errorf("account list: %w", err)
	}
	_ = f.MergeCell(Sheet, "A1", last+"1")
	_ = f.SetCellStyle(Sheet, "A1", "A1", titleStyle)
	date := ""
	if t, err := time.Parse(time.DateOnly, l.Header.Date); err == nil {
		date = t.Format("02/01/2006")
	}
	values := []string{l.Header.SendingUnit, l.Header.SendingUnitCode, l.Header.Signer, l.Header.SignerTitle, date}
	for i, label := range senderRows {
		r := 3 + i
		if err := set(fmt.Sprintf("A%d", r), label); err != nil {
			return fmt.Errorf("account list: %w", err)
		}
		_ = f.MergeCell(Sheet, fmt.Sprintf("A%d", r), fmt.Sprintf("B%d", r))
		_ = f.SetCellStyle(Sheet, fmt.Sprintf("A%d", r), fmt.Sprintf("A%d", r), bold)
		_ = f.SetCellStyle(Sheet, fmt.Sprintf("C%d", r), fmt.Sprintf("C%d", r), text)
		if err := f.SetCellStr(Sheet, fmt.Sprintf("C%d", r), values[i]); err != nil {
			return fmt.Errorf("account list: %w", err)
		}
	}
	headers := make([]any, len(columns))
	for i, c := range columns {
		headers[i] = c.header
		l := colLetter(i)
		_ = f.SetColWidth(Sheet, l, l, c.width)
		if c.text {
			_ = f.SetColStyle(Sheet, l, text)
		}
	}
	if err := f.SetSheetRow(Sheet, fmt.Sprintf("A%d", headerRow), &headers); err != nil {
		return fmt.Errorf("account list: %w", err)
	}
	_ = f.SetCellStyle(Sheet, fmt.Sprintf("A%d", headerRow), fmt.Sprintf("%s%d", last, headerRow), head)
	for i, e := range l.Entries {
		token := "Không"
		if e.HasToken {
			token = "Có"
		}
		row := []any{i + 1, e.FullName, e.IDNumber, e.Title, e.Unit, e.Phone, e.Email, e.Role.Label(), strings.Join(e.ActsFor, ", "), token}
		if err := f.SetSheetRow(Sheet, fmt.Sprintf("A%d", firstRow+i), &row); err != nil {
			return fmt.Errorf("account list row %d: %w", i+1, err)
		}
	}
	// Drop-downs over a range on the lists sheet.
	roleLetter, roleHeader := columnOf("role")
	tokenLetter, tokenHeader := columnOf("has_token")
	_ = f.SetCellStr(ListsSheet, "A1", "Vai trò")
	for i, r := range Roles {
		_ = f.SetCellStr(ListsSheet, fmt.Sprintf("A%d", i+2), r.VI)
	}
	_ = f.SetCellStr(ListsSheet, "B1", "Thiết bị ký số")
	_ = f.SetCellStr(ListsSheet, "B2", "Có")
	_ = f.SetCellStr(ListsSheet, "B3", "Không")
	for _, dl := range []struct{ letter, header, ref string }{
		{roleLetter, roleHeader, fmt.Sprintf("'%s'!$A$2:$A$%d", ListsSheet, len(Roles)+1)},
		{tokenLetter, tokenHeader, fmt.Sprintf("'%s'!$B$2:$B$3", ListsSheet)},
	} {
		dv := excelize.NewDataValidation(true)
		dv.Sqref = fmt.Sprintf("%s%d:%s%d", dl.letter, firstRow, dl.letter, firstRow+maxRows)
		dv.SetSqrefDropList(dl.ref)
		dv.SetError(excelize.DataValidationErrorStyleStop, dl.header, "Hãy chọn một giá trị trong danh sách.")
		if err := f.AddDataValidation(Sheet, dv); err != nil {
			return fmt.Errorf("account list: %w", err)
		}
	}
	_ = f.SetPanes(Sheet, &excelize.Panes{Freeze: true, YSplit: headerRow, TopLeftCell: fmt.Sprintf("A%d", firstRow), ActivePane: "bottomLeft"})
	f.SetActiveSheet(0)
	if _, err := f.WriteTo(w); err != nil {
		return fmt.Errorf("write account list: %w", err)
	}
	return nil
}
