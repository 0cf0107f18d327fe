package accountlist

import (
	"bytes"
	"fmt"
	"io"
	"net/mail"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"giaydiduong/backend/domain"
)

// MaxFileBytes bounds what Read accepts; a list of thousands of people is well under 1 MB.
const MaxFileBytes = 8 << 20

// Problem is why one cell cannot be taken.
type Problem struct {
	Row    int    `json:"row"`
	Column string `json:"column"` // spreadsheet letter
	Header string `json:"header"`
	Field  string `json:"field"`
	Code   string `json:"code"`
	VI     string `json:"vi"`
	EN     string `json:"en"`
}

// Account is one valid row, normalised, ready for the province's account creation: the
// person, the list role and the office role it maps to, the units it acts for.
type Account struct {
	Row int `json:"row"`
	Entry
	DomainRole domain.Role `json:"domain_role"`
}

// Result is the verdict on a list: its sender, its valid rows and every problem.
type Result struct {
	Header   Header    `json:"header"`
	Accounts []Account `json:"accounts"`
	Total    int       `json:"total"`
	Valid    int       `json:"valid"`
	Invalid  int       `json:"invalid"`
	Problems []Problem `json:"problems"`
}

// OK is whether the whole list can be taken: a sender and no bad row.
func (r *Result) OK() bool { return len(r.Problems) == 0 }

// FileError refuses a whole file.
type FileError struct {
	Code string `json:"code"`
	VI   string `json:"vi"`
	EN   string `json:"en"`
}

func (e *FileError) Error() string { return e.VI }

// Options are what judging needs from the caller.
type Options struct {
	// Today: a list cannot be dated after it.
	Today time.Time
	// UnitInForce, when set, says whether a unit code is in force today (acts-for and the
	// sending unit's code); without it only the codes' form is checked.
	UnitInForce func(code string) bool
}

// Read judges every row of a list file.
func Read(r io.Reader, opts Options) (*Result, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxFileBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read account list: %w", err)
	}
	if len(data) > MaxFileBytes {
		return nil, &FileError{"too_large", fmt.Sprintf("Tệp lớn hơn %d MB.", MaxFileBytes>>20), fmt.Sprintf("The file is larger than %d MB.", MaxFileBytes>>20)}
	}
	if bytes.HasPrefix(data, []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}) {
		return nil, &FileError{"encrypted", "Tệp được đặt mật khẩu hoặc là tệp Excel cũ (.xls); hãy lưu lại thành .xlsx không mật khẩu.",
			"The file is password-protected or an old .xls; save it as an .xlsx without a password."}
	}
	if !bytes.HasPrefix(data, []byte("PK\x03\x04")) {
		return nil, notXLSX()
	}
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		return nil, notXLSX()
	}
	defer f.Close()
	sheet := Sheet
	if idx, _ := f.GetSheetIndex(sheet); idx < 0 {
		sheet = f.GetSheetName(0)
	}
	rows, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
	if err != nil {
		return nil, notXLSX()
	}
	if err := checkHeader(rows); err != nil {
		return nil, err
	}
	res := &Result{Accounts: []Account{}, Problems: []Problem{}}
	formula := func(cell string) bool {
		fm, _ := f.GetCellFormula(sheet, cell)
		return fm != ""
	}
	res.Header = judgeHeader(rows, formula, opts, res)
	seen := map[string]int{}
	for i := firstRow - 1; i < len(rows); i++ {
		line := i + 1
		cells := rows[i]
		if blank(cells) {
			continue
		}
		res.Total++
		acc, probs := judgeRow(line, cells, formula, opts)
		if len(probs) == 0 {
			if first, dup := seen[acc.IDNumber]; dup {
				l, h := columnOf("id_number")
				probs = append(probs, Problem{line, l, h, "id_number", "duplicate_row",
					fmt.Sprintf("Số CCCD %s trùng với dòng %d.", acc.IDNumber, first), fmt.Sprintf("ID number %s repeats row %d.", acc.IDNumber, first)})
			} else {
				seen[acc.IDNumber] = line
			}
		}
		if len(probs) > 0 {
			res.Invalid++
			res.Problems = append(res.Problems, probs...)
			continue
		}
		res.Valid++
		res.Accounts = append(res.Accounts, acc)
	}
	if res.Total == 0 {
		l, h := columnOf("full_name")
		res.Problems = append(res.Problems, Problem{firstRow, l, h, "full_name", "empty", "Danh sách chưa có người nào.", "The list names nobody."})
	}
	return res, nil
}

func notXLSX() error {
	return &FileError{"not_xlsx", "Tệp không phải bảng tính Excel (.xlsx).", "The file is not an Excel workbook (.xlsx)."}
}

func checkHeader(rows [][]string) error {
	if len(rows) < headerRow {
		return &FileError{"header", fmt.Sprintf("Không đúng mẫu danh sách đăng ký: thiếu dòng tiêu đề cột (dòng %d).", headerRow),
			fmt.Sprintf("Not the registration template: the column header row (row %d) is missing.", headerRow)}
	}
	got := rows[headerRow-1]
	for i, c := range columns {
		v := ""
		if i < len(got) {
			v = domain.NormalizeText(got[i])
		}
		if v != c.header {
			return &FileError{"header", fmt.Sprintf("Không đúng mẫu danh sách đăng ký: cột %s dòng %d phải là %q, tệp ghi %q.", colLetter(i), headerRow, c.header, v),
				fmt.Sprintf("Not the registration template: column %s of row %d must read %q, the file has %q.", colLetter(i), headerRow, c.header, v)}
		}
	}
	return nil
}

func blank(cells []string) bool {
	for i, c := range cells {
		if i > 0 && strings.TrimSpace(c) != "" { // the STT column alone is not a row
			return false
		}
	}
	return true
}

func cellAt(rows [][]string, r, c int) string {
	if r-1 < len(rows) && c < len(rows[r-1]) {
		return domain.NormalizeText(rows[r-1][c])
	}
	return ""
}

func judgeHeader(rows [][]string, formula func(string) bool, opts Options, res *Result) Header {
	add := func(r int, field, code, vi, en string) {
		res.Problems = append(res.Problems, Problem{r, "C", senderRows[r-3], field, code, vi, en})
	}
	get := func(r int, field string) string {
		if formula(fmt.Sprintf("C%d", r)) {
			add(r, field, "formula", "Ô chứa công thức; hãy nhập giá trị.", "The cell holds a formula; type its value.")
			return ""
		}
		return cellAt(rows, r, 2)
	}
	h := Header{SendingUnit: get(3, "sending_unit"), SendingUnitCode: get(4, "sending_unit_code"), Signer: domain.NormalizeName(get(5, "signer")), SignerTitle: get(6, "signer_title")}
	if h.SendingUnit == "" {
		add(3, "sending_unit", "required", "Chưa ghi đơn vị gửi danh sách.", "The sending unit is required.")
	}
	if !unitCode(h.SendingUnitCode) {
		add(4, "sending_unit_code", "unit_code", fmt.Sprintf("Mã đơn vị gửi %q không hợp lệ (2 hoặc 5 chữ số).", h.SendingUnitCode), "The sending unit code must be 2 or 5 digits.")
	} else if opts.UnitInForce != nil && !opts.UnitInForce(h.SendingUnitCode) {
		add(4, "sending_unit_code", "unit_unknown", fmt.Sprintf("Mã đơn vị gửi %s không có trong danh sách đơn vị hành chính đang có hiệu lực.", h.SendingUnitCode), "The sending unit code is not a unit in force.")
	}
	if h.Signer == "" {
		add(5, "signer", "required", "Chưa ghi người ký danh sách.", "The signer is required.")
	}
	raw := get(7, "date")
	if d, ok := parseDate(raw); !ok {
		add(7, "date", "date_format", fmt.Sprintf("Ngày lập %q không hợp lệ (dd/MM/yyyy).", raw), "The list date must be dd/MM/yyyy.")
	} else if !opts.Today.IsZero() && d.After(opts.Today) {
		add(7, "date", "date_future", "Ngày lập không được sau ngày hôm nay.", "The list date cannot be after today.")
	} else {
		h.Date = d.Format(time.DateOnly)
	}
	return h
}

func judgeRow(line int, cells []string, formula func(string) bool, opts Options) (Account, []Problem) {
	var probs []Problem
	hasFormula := map[string]bool{}
	add := func(field, code, vi, en string) {
		if hasFormula[field] && code != "formula" {
			return // the formula is the cell's one reason
		}
		l, h := columnOf(field)
		probs = append(probs, Problem{line, l, h, field, code, vi, en})
	}
	cell := func(field string) string {
		l, _ := columnOf(field)
		if formula(l + strconv.Itoa(line)) {
			add(field, "formula", "Ô chứa công thức; hãy dán giá trị.", "The cell holds a formula; paste its value.")
			hasFormula[field] = true
			return ""
		}
		for i, c := range columns {
			if c.field == field && i < len(cells) {
				return domain.NormalizeText(cells[i])
			}
		}
		return ""
	}
	e := Entry{FullName: domain.NormalizeName(cell("full_name")), Title: cell("title"), Unit: cell("unit"), Email: cell("email")}
	switch {
	case e.FullName == "":
		add("full_name", "required", "Chưa nhập họ và tên.", "The full name is required.")
	case len([]rune(e.FullName)) > 100:
		add("full_name", "too_long", "Họ và tên dài quá 100 ký tự.", "The full name is longer than 100 characters.")
	default:
		if code, vi, en := domain.NameProblem(e.FullName); code != "" {
			add("full_name", code, vi, en)
		}
	}
	e.IDNumber = strings.Join(strings.Fields(cell("id_number")), "")
	if fe := domain.CheckIDNumber(e.IDNumber, "", time.Time{}); fe != nil {
		add("id_number", fe.Code, fe.VI, fe.EN)
	}
	if e.Unit == "" {
		add("unit", "required", "Chưa nhập đơn vị công tác.", "The unit the person works in is required.")
	}
	if len([]rune(e.Title)) > 100 {
		add("title", "too_long", "Chức vụ dài quá 100 ký tự.", "The title is longer than 100 characters.")
	}
	phone, fe := domain.NormalizePhone(cell("phone"))
	if fe != nil {
		add("phone", fe.Code, fe.VI, fe.EN)
	}
	e.Phone = phone
	if e.Email != "" {
		if a, err := mail.ParseAddress(e.Email); err != nil || a.Address != e.Email || !strings.Contains(e.Email[strings.LastIndex(e.Email, "@")+1:], ".") {
			add("email", "email_format", fmt.Sprintf("Email %q không hợp lệ.", e.Email), fmt.Sprintf("Email %q is not valid.", e.Email))
		}
	}
	rawRole := cell("role")
	if role, ok := roleOf(rawRole); ok {
		e.Role = role
	} else if rawRole == "" {
		add("role", "required", "Chưa chọn vai trò (Tiếp nhận, Xét duyệt, Ký, Quản trị).", "The role is required.")
	} else {
		add("role", "role_unknown", fmt.Sprintf("Vai trò %q không có trong danh sách (Tiếp nhận, Xét duyệt, Ký, Quản trị).", rawRole), fmt.Sprintf("Role %q is not one of the list's four.", rawRole))
	}
	for _, c := range strings.FieldsFunc(cell("acts_for"), func(r rune) bool { return r == ',' || r == ';' || r == ' ' }) {
		switch {
		case !unitCode(c):
			add("acts_for", "unit_code", fmt.Sprintf("Mã đơn vị %q không hợp lệ (2 hoặc 5 chữ số).", c), fmt.Sprintf("Unit code %q must be 2 or 5 digits.", c))
		case opts.UnitInForce != nil && !opts.UnitInForce(c):
			add("acts_for", "unit_unknown", fmt.Sprintf("Mã đơn vị %s không có trong danh sách đơn vị hành chính đang có hiệu lực.", c), fmt.Sprintf("Unit code %s is not a unit in force.", c))
		default:
			e.ActsFor = append(e.ActsFor, c)
		}
	}
	switch t := fold(cell("has_token")); t {
	case "co", "x", "yes":
		e.HasToken = true
	case "khong", "no":
	case "":
		add("has_token", "required", "Chưa ghi có thiết bị ký số hay không (Có/Không).", "Say whether the person has a signing token (Có/Không).")
	default:
		add("has_token", "yes_no", "Chỉ ghi Có hoặc Không.", "Write Có or Không.")
	}
	return Account{Row: line, Entry: e, DomainRole: e.Role.DomainRole()}, probs
}

func unitCode(s string) bool {
	if len(s) != 2 && len(s) != 5 {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// parseDate reads dd/MM/yyyy, yyyy-MM-dd or an Excel serial date.
func parseDate(s string) (time.Time, bool) {
	for _, layout := range []string{"02/01/2006", "2/1/2006", time.DateOnly} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	if n, err := strconv.ParseFloat(s, 64); err == nil && n > 0 && n < 2958466 {
		t, err := excelize.ExcelDateToTime(n, false)
		if err == nil {
			y, m, d := t.Date()
			return time.Date(y, m, d, 0, 0, 0, 0, time.UTC), true
		}
	}
	return time.Time{}, false
}

// CheckEntry judges one person typed into the app exactly as a row of a file, so the list
// the office exports is one the province accepts. It returns the entry normalised.
func CheckEntry(e Entry, opts Options) (Entry, []Problem) {
	token := "Không"
	if e.HasToken {
		token = "Có"
	}
	values := map[string]string{"full_name": e.FullName, "id_number": e.IDNumber, "title": e.Title, "unit": e.Unit,
		"phone": e.Phone, "email": e.Email, "role": string(e.Role), "acts_for": strings.Join(e.ActsFor, ","), "has_token": token}
	cells := make([]string, len(columns))
	for i, c := range columns {
		cells[i] = values[c.field]
	}
	acc, probs := judgeRow(0, cells, func(string) bool { return false }, opts)
	return acc.Entry, probs
}
