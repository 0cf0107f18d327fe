// Package accountlist is the account-registration list a unit sends the province to get
// accounts (the guidance's "danh sách đăng ký tài khoản"): who the users are, the role each
// asks for, the units each acts for and whether they hold a signing token, under the sending
// unit, its signer and the date. Template and Write make the workbook; Read reads one back
// (from any unit) and judges every row, so the province can create the accounts it lists.
//
// Pure: it imports only domain and excelize, so the office and the server share it.
package accountlist

import (
	"strings"

	"giaydiduong/backend/domain"
)

// Role is the role a list asks for, in the guidance's four words.
type Role string

// Roles of the list.
const (
	RoleReceive Role = "receive" // tiếp nhận
	RoleReview  Role = "review"  // xét duyệt
	RoleSign    Role = "sign"    // ký
	RoleAdmin   Role = "admin"   // quản trị
)

// Roles in template order, with the words the drop-down offers.
var Roles = []struct {
	Code Role
	VI   string
	EN   string
}{
	{RoleReceive, "Tiếp nhận", "Receive applications"},
	{RoleReview, "Xét duyệt", "Review and approve"},
	{RoleSign, "Ký", "Sign permits"},
	{RoleAdmin, "Quản trị", "Administer the office"},
}

// DomainRole is the office role an account of this list role gets: a leader who reviews or
// signs is an approver.
func (r Role) DomainRole() domain.Role {
	switch r {
	case RoleReceive:
		return domain.RoleClerk
	case RoleAdmin:
		return domain.RoleOfficeAdmin
	default:
		return domain.RoleApprover
	}
}

// Label is the role's Vietnamese word.
func (r Role) Label() string {
	for _, x := range Roles {
		if x.Code == r {
			return x.VI
		}
	}
	return string(r)
}

func roleOf(s string) (Role, bool) {
	k := fold(s)
	for _, x := range Roles {
		if k == fold(x.VI) || k == string(x.Code) {
			return x.Code, true
		}
	}
	return "", false
}

// Entry is one person of the list.
type Entry struct {
	FullName string   `json:"full_name"`
	IDNumber string   `json:"id_number"` // CCCD (12 digits) or CMND (9)
	Title    string   `json:"title"`     // chức vụ
	Unit     string   `json:"unit"`      // đơn vị công tác
	Phone    string   `json:"phone"`
	Email    string   `json:"email"`
	Role     Role     `json:"role"`
	ActsFor  []string `json:"acts_for"` // unit codes the user acts for (a unit collecting for others)
	HasToken bool     `json:"has_token"`
}

// Header is who sends the list.
type Header struct {
	SendingUnit     string `json:"sending_unit"`      // name
	SendingUnitCode string `json:"sending_unit_code"` // national code
	Signer          string `json:"signer"`
	SignerTitle     string `json:"signer_title"`
	Date            string `json:"date"` // YYYY-MM-DD
}

// List is a whole registration list.
type List struct {
	Header  Header  `json:"header"`
	Entries []Entry `json:"entries"`
}

func fold(s string) string { return strings.ToLower(domain.FoldForSearch(domain.NormalizeText(s))) }
