package backfill

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"giaydiduong/backend/domain"
)

// MaxFileBytes bounds what Read accepts: 100,000 filled rows take about 15 MB.
const MaxFileBytes = 64 << 20

// Row is one valid paper permit of the file.
type Row struct {
	Line        int                     `json:"row"`
	PaperNumber string                  `json:"paper_number"`
	IssuedOn    string                  `json:"issued_on"` // YYYY-MM-DD
	SignerName  string                  `json:"signer_name"`
	SignerTitle string                  `json:"signer_title"`
	Application domain.ApplicationInput `json:"application"` // normalised
}

// Problem is why one cell of one row cannot be imported.
type Problem struct {
	Row    int    `json:"row"`
	Field  string `json:"field"`  // the form field (domain name) the problem is about
	Column string `json:"column"` // spreadsheet letter
	Header string `json:"header"`
	Code   string `json:"code"`
	VI     string `json:"vi"`
	EN     string `json:"en"`
}

// Result is the verdict on a file: its valid rows and every problem, row by row.
type Result struct {
	Rows     []Row     `json:"-"`
	Total    int       `json:"total"` // non-empty data rows
	Valid    int       `json:"valid"`
	Invalid  int       `json:"invalid"` // rows with at least one problem
	Problems []Problem `json:"problems"`
}

// FileError refuses a whole file: not an xlsx, encrypted, or not on the template.
type FileError struct {
	Code string `json:"code"`
	VI   string `json:"vi"`
	EN   string `json:"en"`
}

func (e *FileError) Error() string { return e.VI }

// Options are what judging a row needs from the office.
type Options struct {
	// Today is the office's current day; a paper cannot be issued after it.
	Today time.Time
	// Rules give the purposes a permit may name. Their day limit is not applied: the rules
	// of the day a paper was issued are not on record.
	Rules domain.Rules
	// UnitsOn returns the administrative units in force on a day.
	UnitsOn func(day time.Time) domain.UnitLookup
	// Progress, when set, hears how many rows have been read.
	Progress func(rows int)
	// Rows, when set, hears the sheet's row count as its dimension states it (before any row
	// is read), for a progress bar; 0 when the file does not say.
	Rows func(n int)
}

// Read checks every row of a template file. A file-level refusal is a *FileError; otherwise
// the result lists the valid rows and every problem with its row and column.
func Read(ctx context.Context, r io.Reader, opts Options) (*Result, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxFileBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read workbook: %w", err)
	}
	if len(data) > MaxFileBytes {
		return nil, &FileError{"too_large", fmt.Sprintf("Tệp lớn hơn %d MB.", MaxFileBytes>>20), fmt.Sprintf("The file is larger than %d MB.", MaxFileBytes>>20)}
	}
	if err := sniff(data); err != nil {
		return nil, err
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, notXLSX()
	}
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		return nil, notXLSX()
	}
	defer f.Close()
	sheet := DataSheet
	if idx, _ := f.GetSheetIndex(sheet); idx < 0 {
		sheet = f.GetSheetName(0)
	}
	formulas, err := formulaCells(zr, sheet)
	if err != nil {
		return nil, err
	}
	if opts.Rows != nil {
		n := 0
		if dim, err := f.GetSheetDimension(sheet); err == nil {
			if i := strings.LastIndex(dim, ":"); i >= 0 {
				if _, r, err := excelize.CellNameToCoordinates(dim[i+1:]); err == nil {
					n = r
				}
			}
		}
		opts.Rows(n)
	}
	rows, err := f.Rows(sheet)
	if err != nil {
		return nil, notXLSX()
	}
	defer rows.Close()

	// A purpose is written as its label (the drop-down) or its code.
	purposes := map[string]string{}
	for _, p := range opts.Rules.Purposes {
		purposes[key(p.VI)] = p.Code
		purposes[key(p.Code)] = p.Code
	}
	res := &Result{Problems: []Problem{}}
	seen := map[[2]string]int{}
	line := 0
	for rows.Next() {
		line++
		if line%1000 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			if opts.Progress != nil {
				opts.Progress(line)
			}
		}
		cells, err := rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return nil, fmt.Errorf("read row %d: %w", line, err)
		}
		if line == 1 {
			if err := checkHeader(cells); err != nil {
				return nil, err
			}
			continue
		}
		if blank(cells) {
			continue
		}
		res.Total++
		row, probs := judge(line, cells, formulas, purposes, opts)
		if len(probs) == 0 {
			k := [2]string{row.PaperNumber, row.IssuedOn}
			if first, dup := seen[k]; dup {
				letter, header := columnOf(fieldPaperNumber)
				probs = append(probs, Problem{line, fieldPaperNumber, letter, header, "duplicate_row",
					fmt.Sprintf("Trùng số giấy %q và ngày cấp với dòng %d.", row.PaperNumber, first),
					fmt.Sprintf("Same paper number %q and issue date as row %d.", row.PaperNumber, first)})
			} else {
				seen[k] = line
			}
		}
		if len(probs) > 0 {
			res.Invalid++
			res.Problems = append(res.Problems, probs...)
			continue
		}
		res.Valid++
		res.Rows = append(res.Rows, row)
	}
	if err := rows.Error(); err != nil {
		return nil, fmt.Errorf("read sheet %s: %w", sheet, err)
	}
	if line == 0 {
		return nil, headerError(0, "")
	}
	if opts.Progress != nil {
		opts.Progress(line)
	}
	return res, nil
}

func notXLSX() error {
	return &FileError{"not_xlsx", "Tệp không phải bảng tính Excel .xlsx.", "The file is not an Excel .xlsx workbook."}
}

// sniff tells the files people actually send apart before trying to open them: an xlsx is
// a zip; an OLE compound file is either an old .xls or an xlsx encrypted with a password
// (Excel wraps those in OLE with an EncryptionInfo stream).
func sniff(data []byte) error {
	if bytes.HasPrefix(data, []byte("PK\x03\x04")) {
		return nil
	}
	if bytes.HasPrefix(data, []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}) {
		if bytes.Contains(data, utf16("EncryptionInfo")) {
			return &FileError{"encrypted", "Tệp đang được bảo vệ bằng mật khẩu; hãy gỡ mật khẩu (Tệp → Thông tin → Bảo vệ sổ làm việc) rồi nhập lại.",
				"The workbook is password-protected; remove the password and import it again."}
		}
		return &FileError{"xls", "Tệp là định dạng Excel 97-2003 (.xls); hãy lưu lại dưới dạng .xlsx.", "The file is an Excel 97-2003 .xls; save it as .xlsx."}
	}
	return notXLSX()
}

func utf16(s string) []byte {
	b := make([]byte, 0, 2*len(s))
	for _, c := range []byte(s) {
		b = append(b, c, 0)
	}
	return b
}

func headerError(col int, got string) error {
	if col == 0 && got == "" {
		return &FileError{"header_changed", "Tệp không có dòng tiêu đề của mẫu nhập; hãy dùng mẫu do phần mềm tạo.",
			"The file has no header row of the template; use the template the software makes."}
	}
	want := ""
	if col < len(columns) {
		want = columns[col].header
	}
	return &FileError{"header_changed",
		fmt.Sprintf("Dòng tiêu đề đã bị thay đổi: cột %s phải là %q, tệp ghi %q. Hãy dùng đúng mẫu, không thêm, bớt hay đổi thứ tự cột.", colLetter(col), want, got),
		fmt.Sprintf("The header row was changed: column %s must be %q, the file has %q. Use the template as it is.", colLetter(col), want, got)}
}

func checkHeader(cells []string) error {
	for i, c := range columns {
		got := ""
		if i < len(cells) {
			got = domain.NormalizeText(cells[i])
		}
		if got != c.header {
			return headerError(i, got)
		}
	}
	for i := len(columns); i < len(cells); i++ {
		if strings.TrimSpace(cells[i]) != "" {
			return headerError(i, domain.NormalizeText(cells[i]))
		}
	}
	return nil
}

func blank(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// judge turns one row's cells into a Row, or says what is wrong with each cell.
func judge(line int, cells []string, formulas map[string]bool, purposes map[string]string, opts Options) (Row, []Problem) {
	var probs []Problem
	add := func(field, code, vi, en string) {
		letter, header := columnOf(field)
		probs = append(probs, Problem{line, field, letter, header, code, vi, en})
	}
	cell := func(field string) string {
		letter, _ := columnOf(field)
		for i, c := range columns {
			if c.field == field && i < len(cells) {
				if formulas[letter+strconv.Itoa(line)] {
					add(field, "formula", "Ô chứa công thức; hãy dán giá trị (Dán đặc biệt → Chỉ giá trị).",
						"The cell holds a formula; paste its value instead.")
					return ""
				}
				return domain.NormalizeText(cells[i])
			}
		}
		return ""
	}
	// A formula makes the cell's required-field check moot: report the formula alone.
	hasFormula := func(field string) bool {
		letter, _ := columnOf(field)
		return formulas[letter+strconv.Itoa(line)]
	}

	row := Row{Line: line}
	row.PaperNumber = cell(fieldPaperNumber)
	if row.PaperNumber == "" && !hasFormula(fieldPaperNumber) {
		add(fieldPaperNumber, "required", "Chưa nhập số giấy ghi trên giấy đi đường.", "The paper's number is required.")
	} else if len([]rune(row.PaperNumber)) > 40 {
		add(fieldPaperNumber, "too_long", "Số giấy dài quá 40 ký tự.", "The paper number is longer than 40 characters.")
	}
	issued, issuedOK := dateCell(cell(fieldIssuedOn), hasFormula(fieldIssuedOn), fieldIssuedOn, "Ngày cấp", add)
	if issuedOK && issued.After(opts.Today) {
		add(fieldIssuedOn, "date_future", fmt.Sprintf("Ngày cấp (%s) không được sau ngày hôm nay (%s).", issued.Format(viLayout), opts.Today.Format(viLayout)),
			"The issue date cannot be after today.")
		issuedOK = false
	}
	row.IssuedOn = issued.Format(isoLayout)
	row.SignerName = domain.NormalizeName(cell(fieldSignerName))
	row.SignerTitle = cell(fieldSignerTitle)

	in := domain.ApplicationInput{
		FullName: cell("full_name"), IDNumber: cell("id_number"), Phone: cell("phone"),
		ResidenceCommuneCode: cell("residence_commune_code"), ResidenceStreet: cell("residence_street"), Workplace: cell("workplace"),
		RouteFrom: cell("route_from"), RouteTo: cell("route_to"), VehiclePlate: cell("vehicle_plate"), Note: cell("note"),
	}
	// Dates are converted here (text or Excel serial, two layouts); the domain check sees ISO.
	dates := map[string]*string{"birth_date": &in.BirthDate, "valid_from": &in.ValidFrom, "valid_to": &in.ValidTo}
	dateBad := map[string]bool{}
	for _, field := range []string{"birth_date", "valid_from", "valid_to"} {
		raw := cell(field)
		if raw == "" {
			continue // the domain check reports it as required
		}
		t, ok := dateCell(raw, false, field, labelOf(field), add)
		if ok {
			*dates[field] = t.Format(isoLayout)
		} else {
			dateBad[field] = true
		}
	}
	g := cell("gender")
	in.Gender = domain.Gender(g)
	for _, x := range genders {
		if key(g) == key(x.label) || key(g) == string(x.code) {
			in.Gender = x.code
		}
	}
	p := cell("purpose_code")
	in.PurposeCode = p
	if code, ok := purposes[key(p)]; ok {
		in.PurposeCode = code
	}
	v := key(cell("vehicle_type"))
	in.VehicleType = domain.VehicleType(v)
	for _, x := range vehicles {
		if v == key(x.label) || v == string(x.code) {
			in.VehicleType = x.code
		}
	}

	// The domain check runs as of the issue date: "today" for a birth date or a validity
	// window is the day the paper was issued, and the units are those in force that day.
	asOf, units := opts.Today, opts.UnitsOn(opts.Today)
	if issuedOK {
		asOf, units = issued, opts.UnitsOn(issued)
	}
	rules := opts.Rules
	rules.MaxDays = 0
	out, err := domain.ValidateApplication(in, asOf, rules, units)
	var ve *domain.ValidationError
	if errors.As(err, &ve) {
		for _, fe := range ve.Fields {
			if dateBad[fe.Field] || hasFormula(fe.Field) {
				continue // already reported with the cell's own reason
			}
			if !issuedOK && (fe.Code == "date_past" || fe.Field == "residence_commune_code") {
				continue // judged against an issue date the row does not have
			}
			vi, en := fe.VI, fe.EN
			switch {
			case fe.Code == "date_past" && fe.Field == "valid_from":
				vi = fmt.Sprintf("Ngày bắt đầu hiệu lực (%s) không được trước ngày cấp (%s).", viDate(out.ValidFrom), issued.Format(viLayout))
				en = "The valid-from date cannot be before the issue date."
			case fe.Code == "date_future" && fe.Field == "birth_date":
				vi = fmt.Sprintf("Ngày sinh (%s) không được sau ngày cấp.", viDate(out.BirthDate))
				en = "The birth date cannot be after the issue date."
			case fe.Code == "commune_unknown":
				if issuedOK {
					vi = fmt.Sprintf("Mã xã/phường %q không có trong danh sách đơn vị hành chính có hiệu lực ngày %s.", in.ResidenceCommuneCode, issued.Format(viLayout))
					en = fmt.Sprintf("Commune code %q is not an administrative unit in force on %s.", in.ResidenceCommuneCode, row.IssuedOn)
				}
			}
			add(fe.Field, fe.Code, vi, en)
		}
	} else if err != nil {
		add("full_name", "internal", err.Error(), err.Error())
	}
	row.Application = out
	return row, probs
}

const (
	isoLayout = "2006-01-02"
	viLayout  = "02/01/2006"
)

func viDate(iso string) string {
	if t, err := time.Parse(isoLayout, iso); err == nil {
		return t.Format(viLayout)
	}
	return iso
}

func labelOf(field string) string {
	_, h := columnOf(field)
	return strings.TrimSuffix(h, " (*)")
}

// dateCell reads a date typed as text (dd/MM/yyyy or yyyy-MM-dd, one-digit day and month
// allowed) or stored by Excel as a serial day number.
func dateCell(raw string, formula bool, field, label string, add func(field, code, vi, en string)) (time.Time, bool) {
	if formula {
		return time.Time{}, false
	}
	if raw == "" {
		add(field, "required", "Chưa nhập "+strings.ToLower(label[:1])+label[1:]+".", label+" is required.")
		return time.Time{}, false
	}
	if n, err := strconv.ParseFloat(raw, 64); err == nil && !strings.ContainsAny(raw, "/-") {
		// Excel serials: 1 is 1900-01-01; 2958465 is 9999-12-31. A time of day is dropped.
		if n >= 1 && n < 2958466 {
			if t, err := excelize.ExcelDateToTime(n, false); err == nil {
				y, m, d := t.Date()
				return time.Date(y, m, d, 0, 0, 0, 0, time.UTC), true
			}
		}
	}
	var d, m, y int
	var parsed bool
	if parts := strings.Split(raw, "/"); len(parts) == 3 {
		d, m, y, parsed = atoi(parts[0]), atoi(parts[1]), atoi(parts[2]), len(parts[2]) == 4
	} else if parts := strings.Split(raw, "-"); len(parts) == 3 && len(parts[0]) == 4 {
		y, m, d, parsed = atoi(parts[0]), atoi(parts[1]), atoi(parts[2]), true
	}
	if !parsed || d < 0 || m < 0 || y < 0 {
		add(field, "date_format", fmt.Sprintf("%s %q không đúng định dạng ngày/tháng/năm (dd/MM/yyyy) hoặc năm-tháng-ngày (yyyy-MM-dd).", label, raw),
			fmt.Sprintf("%s %q is not a date as dd/MM/yyyy or yyyy-MM-dd.", label, raw))
		return time.Time{}, false
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if t.Day() != d || int(t.Month()) != m || t.Year() != y || y < 1900 {
		add(field, "date_impossible", fmt.Sprintf("%s %q không phải ngày có thật.", label, raw),
			fmt.Sprintf("%s %q is not a real date.", label, raw))
		return time.Time{}, false
	}
	return t, true
}

// atoi is -1 for anything but 1–4 ASCII digits.
func atoi(s string) int {
	if len(s) == 0 || len(s) > 4 {
		return -1
	}
	n := 0
	for _, c := range s {
		if c < '0' || c > '9' {
			return -1
		}
		n = n*10 + int(c-'0')
	}
	return n
}

// formulaCells lists the cells of a sheet that hold a formula. The streaming row reader
// only gives values, so the sheet's XML is scanned for <f> elements; a file without any
// (the usual case) is not parsed at all. A formula is refused rather than trusted: its cached
// value may be stale or missing, and =TODAY() changes on every open.
func formulaCells(zr *zip.Reader, sheet string) (map[string]bool, error) {
	name, err := sheetPath(zr, sheet)
	if err != nil {
		return nil, err
	}
	out := map[string]bool{}
	for _, zf := range zr.File {
		if zf.Name != name {
			continue
		}
		rc, err := zf.Open()
		if err != nil {
			return nil, notXLSX()
		}
		data, err := io.ReadAll(io.LimitReader(rc, 1<<30))
		rc.Close()
		if err != nil {
			return nil, notXLSX()
		}
		if !bytes.Contains(data, []byte("<f")) && !bytes.Contains(data, []byte(":f")) {
			return out, nil
		}
		if bytes.Contains(data, []byte("<c ")) && !bytes.Contains(data, []byte(":f")) {
			scanFormulas(data, out)
			return out, nil
		}
		// A sheet written with a namespace prefix: the slow, general way.
		dec := xml.NewDecoder(bytes.NewReader(data))
		ref := ""
		for {
			tok, err := dec.Token()
			if err == io.EOF {
				break
			}
			if err != nil {
				return nil, notXLSX()
			}
			if se, ok := tok.(xml.StartElement); ok {
				switch se.Name.Local {
				case "c":
					ref = ""
					for _, a := range se.Attr {
						if a.Name.Local == "r" {
							ref = a.Value
						}
					}
				case "f":
					if ref != "" {
						out[ref] = true
					}
				}
			}
		}
	}
	return out, nil
}

// scanFormulas finds each <f> element and the r attribute of the <c> around it by scanning
// bytes: 20 times faster than decoding the XML of a 100,000-row sheet.
func scanFormulas(data []byte, out map[string]bool) {
	for i := 0; ; {
		j := bytes.Index(data[i:], []byte("<f"))
		if j < 0 {
			return
		}
		i += j + 2
		if i >= len(data) || (data[i] != '>' && data[i] != ' ' && data[i] != '/') {
			continue // <family>, <fill>... are not formulas
		}
		c := bytes.LastIndex(data[:i], []byte("<c "))
		if c < 0 {
			continue
		}
		tag := data[c:]
		if e := bytes.IndexByte(tag, '>'); e >= 0 {
			tag = tag[:e]
		}
		if k := bytes.Index(tag, []byte(` r="`)); k >= 0 {
			ref := tag[k+4:]
			if e := bytes.IndexByte(ref, '"'); e >= 0 {
				out[string(ref[:e])] = true
			}
		}
	}
}

// sheetPath finds the part holding a sheet: workbook.xml names it, its relationships give
// the file.
func sheetPath(zr *zip.Reader, sheet string) (string, error) {
	read := func(name string, v any) error {
		for _, zf := range zr.File {
			if zf.Name == name {
				rc, err := zf.Open()
				if err != nil {
					return err
				}
				defer rc.Close()
				return xml.NewDecoder(rc).Decode(v)
			}
		}
		return fmt.Errorf("%s missing", name)
	}
	var wb struct {
		Sheets []struct {
			Name string `xml:"name,attr"`
			RID  string `xml:"http://schemas.openxmlformats.org/officeDocument/2006/relationships id,attr"`
		} `xml:"sheets>sheet"`
	}
	var rels struct {
		Rel []struct {
			ID     string `xml:"Id,attr"`
			Target string `xml:"Target,attr"`
		} `xml:"Relationship"`
	}
	if read("xl/workbook.xml", &wb) != nil || read("xl/_rels/workbook.xml.rels", &rels) != nil {
		return "", notXLSX()
	}
	for _, s := range wb.Sheets {
		if s.Name != sheet {
			continue
		}
		for _, r := range rels.Rel {
			if r.ID == s.RID {
				if strings.HasPrefix(r.Target, "/") {
					return strings.TrimPrefix(r.Target, "/"), nil
				}
				return path.Join("xl", r.Target), nil
			}
		}
	}
	return "", notXLSX()
}
