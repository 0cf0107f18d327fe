package backfill

import (
	"fmt"
	"io"

	"github.com/xuri/excelize/v2"

	"giaydiduong/backend/domain"
)

// Template writes the empty import workbook: the data sheet with its Vietnamese header row,
// drop-down lists for gender, purpose and vehicle, an example sheet, and the units in force
// (code and name) on a sheet of their own, so the clerk can look a commune's code up.
func Template(w io.Writer, purposes []domain.Purpose, units []domain.Unit) error {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", DataSheet); err != nil {
		return fmt.Errorf("template: %w", err)
	}
	for _, s := range []string{ExampleSheet, UnitsSheet, ListsSheet} {
		if _, err := f.NewSheet(s); err != nil {
			return fmt.Errorf("template: %w", err)
		}
	}
	head, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}},
		Alignment: &excelize.Alignment{WrapText: true, Vertical: "center"}})
	if err != nil {
		return fmt.Errorf("template: %w", err)
	}
	textStyle, err := f.NewStyle(&excelize.Style{NumFmt: 49}) // "@": typed digits stay text
	if err != nil {
		return fmt.Errorf("template: %w", err)
	}
	headers := make([]any, len(columns))
	for i, c := range columns {
		headers[i] = c.header
	}
	for _, s := range []string{DataSheet, ExampleSheet} {
		if err := f.SetSheetRow(s, "A1", &headers); err != nil {
			return fmt.Errorf("template: %w", err)
		}
		last := colLetter(len(columns) - 1)
		if err := f.SetCellStyle(s, "A1", last+"1", head); err != nil {
			return fmt.Errorf("template: %w", err)
		}
		for i, c := range columns {
			l := colLetter(i)
			if err := f.SetColWidth(s, l, l, c.width); err != nil {
				return fmt.Errorf("template: %w", err)
			}
			if c.text {
				if err := f.SetColStyle(s, l, textStyle); err != nil {
					return fmt.Errorf("template: %w", err)
				}
			}
		}
		if err := f.SetPanes(s, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
			return fmt.Errorf("template: %w", err)
		}
	}

	// Lists sheet: the words the drop-downs offer. A list over a range has no 255-character
	// limit, which the purposes' labels would pass.
	lists := [][]string{{"Giới tính"}, {"Mục đích đi đường"}, {"Phương tiện"}}
	for _, g := range genders {
		lists[0] = append(lists[0], g.label)
	}
	for _, p := range purposes {
		lists[1] = append(lists[1], p.VI)
	}
	for _, v := range vehicles {
		lists[2] = append(lists[2], v.label)
	}
	for i, l := range lists {
		for r, v := range l {
			if err := f.SetCellStr(ListsSheet, fmt.Sprintf("%s%d", colLetter(i), r+1), v); err != nil {
				return fmt.Errorf("template: %w", err)
			}
		}
	}
	for i, l := range lists {
		field := []string{"gender", "purpose_code", "vehicle_type"}[i]
		letter, header := columnOf(field)
		dv := excelize.NewDataValidation(true)
		dv.Sqref = fmt.Sprintf("%s2:%s100001", letter, letter)
		dv.SetSqrefDropList(fmt.Sprintf("'%s'!$%s$2:$%s$%d", ListsSheet, colLetter(i), colLetter(i), len(l)))
		dv.SetError(excelize.DataValidationErrorStyleStop, header, "Hãy chọn một giá trị trong danh sách.")
		if err := f.AddDataValidation(DataSheet, dv); err != nil {
			return fmt.Errorf("template: %w", err)
		}
	}

	unitRows := [][]any{{"Mã", "Tên đơn vị", "Loại", "Mã đơn vị cấp trên"}}
	for _, u := range units {
		unitRows = append(unitRows, []any{u.Code, u.Name, u.Type, u.ParentCode})
	}
	for r, row := range unitRows {
		if err := f.SetSheetRow(UnitsSheet, fmt.Sprintf("A%d", r+1), &row); err != nil {
			return fmt.Errorf("template: %w", err)
		}
	}
	if err := f.SetColStyle(UnitsSheet, "A", textStyle); err != nil {
		return fmt.Errorf("template: %w", err)
	}
	if err := f.SetColWidth(UnitsSheet, "B", "B", 36); err != nil {
		return fmt.Errorf("template: %w", err)
	}

	commune, purpose := "", ""
	// The example is a 2021 paper: its commune must be one in force on its date.
	const exampleDay = "2021-08-15"
	for _, u := range units {
		if u.Level == domain.LevelCommune && u.ValidFrom <= exampleDay && (u.ValidTo == "" || u.ValidTo > exampleDay) {
			commune = u.Code
			break
		}
	}
	if len(purposes) > 0 {
		purpose = purposes[0].VI
	}
	example := []any{"125/GĐĐ", "15/08/2021", "Trần Văn Bình", "Phó Chủ tịch UBND", "Nguyễn Thị Hoa", "12/03/1985", "Nữ",
		"082185000123", "0912345678", commune, "Số 12, ấp Bình Thạnh", "Công ty TNHH Minh Phát", purpose, "Ấp Bình Thạnh",
		"Chợ Mỹ Tho", "Xe máy", "63B1-123.45", "15/08/2021", "21/08/2021", "Ví dụ: dòng này không được nhập"}
	if err := f.SetSheetRow(ExampleSheet, "A2", &example); err != nil {
		return fmt.Errorf("template: %w", err)
	}
	f.SetActiveSheet(0)
	if _, err := f.WriteTo(w); err != nil {
		return fmt.Errorf("write template: %w", err)
	}
	return nil
}
