// Package backfill reads and writes the Excel template on which an office lists the permits
// it issued on paper before it had the software, and checks every row with the same rules as
// a walk-in application, judged on the day the paper was issued.
//
// It knows nothing of the database: Read returns the valid rows and the problems, the office's
// use case (app.ImportBackfill) decides what to store.
package backfill

import (
	"strings"

	"giaydiduong/backend/domain"
)

// column is one column of the data sheet, in template order.
type column struct {
	header string // the Vietnamese header row text; a file whose header differs is refused
	field  string // the domain field name its errors carry ("" for backfill's own columns)
	width  float64
	text   bool // formatted as text, so Excel keeps leading zeros (CCCD, phone, codes)
}

// Field names of the columns that are not application fields.
const (
	fieldPaperNumber = "paper_number"
	fieldIssuedOn    = "issued_on"
	fieldSignerName  = "signer_name"
	fieldSignerTitle = "signer_title"
)

var columns = []column{
	{"Số giấy (ghi trên giấy) (*)", fieldPaperNumber, 16, true},
	{"Ngày cấp (*)", fieldIssuedOn, 13, false},
	{"Người ký", fieldSignerName, 22, false},
	{"Chức vụ người ký", fieldSignerTitle, 20, false},
	{"Họ và tên (*)", "full_name", 24, false},
	{"Ngày sinh (*)", "birth_date", 13, false},
	{"Giới tính (*)", "gender", 10, false},
	{"Số CCCD/CMND (*)", "id_number", 16, true},
	{"Số điện thoại", "phone", 14, true},
	{"Mã xã/phường nơi cư trú (*)", "residence_commune_code", 14, true},
	{"Địa chỉ (số nhà, đường, ấp)", "residence_street", 28, false},
	{"Nơi làm việc", "workplace", 22, false},
	{"Mục đích đi đường (*)", "purpose_code", 30, false},
	{"Nơi đi (*)", "route_from", 24, false},
	{"Nơi đến (*)", "route_to", 24, false},
	{"Phương tiện (*)", "vehicle_type", 12, false},
	{"Biển số xe", "vehicle_plate", 12, true},
	{"Hiệu lực từ ngày (*)", "valid_from", 13, false},
	{"Hiệu lực đến ngày (*)", "valid_to", 13, false},
	{"Ghi chú", "note", 24, false},
}

// Sheet names of the template.
const (
	DataSheet    = "Giấy đi đường"
	UnitsSheet   = "Mã đơn vị"
	ListsSheet   = "Danh mục"
	ExampleSheet = "Ví dụ"
)

// columnOf is the spreadsheet letter and header of a field's column.
func columnOf(field string) (letter, header string) {
	for i, c := range columns {
		if c.field == field {
			return colLetter(i), c.header
		}
	}
	return "", ""
}

func colLetter(i int) string {
	s := ""
	for i++; i > 0; i = (i - 1) / 26 {
		s = string(rune('A'+(i-1)%26)) + s
	}
	return s
}

// genders and vehicles are the words the template's lists offer, and the codes they mean.
var genders = []struct {
	label string
	code  domain.Gender
}{{"Nam", domain.Male}, {"Nữ", domain.Female}}

var vehicles = []struct {
	label string
	code  domain.VehicleType
}{
	{"Đi bộ", domain.VehicleWalk}, {"Xe đạp", domain.VehicleBicycle}, {"Xe máy", domain.VehicleMotorbike},
	{"Ô tô", domain.VehicleCar}, {"Xe tải", domain.VehicleTruck}, {"Khác", domain.VehicleOther},
}

// key folds a cell for matching a list word: NFC, case and spacing do not matter.
func key(s string) string { return strings.ToLower(domain.NormalizeText(s)) }
