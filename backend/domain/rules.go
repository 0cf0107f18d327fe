package domain

import (
	"fmt"
	"regexp"
	"strings"
)

// RulesInput is an edit of the locality rules; it becomes the next version.
type RulesInput struct {
	PermitsRequired bool      `json:"permits_required"`
	Purposes        []Purpose `json:"purposes"`
	MaxDays         int       `json:"max_days"`
	CurfewStart     string    `json:"curfew_start"`
	CurfewEnd       string    `json:"curfew_end"`
}

var (
	purposeCodePattern = regexp.MustCompile(`^[a-z0-9_]{1,32}$`)
	clockPattern       = regexp.MustCompile(`^([01][0-9]|2[0-3]):[0-5][0-9]$`)
)

// MaxRuleDays caps the validity window a locality may allow.
const MaxRuleDays = 90

// ValidateRules checks an edit of the locality rules and tidies it in place: codes trimmed,
// names normalised, a missing English name taken from the Vietnamese one.
func ValidateRules(in *RulesInput) error {
	v := &ValidationError{}
	if len(in.Purposes) == 0 {
		v.Add("purposes", "required", "Cần ít nhất một mục đích đi lại", "At least one purpose is required")
	}
	seen := map[string]bool{}
	for i := range in.Purposes {
		p := &in.Purposes[i]
		p.Code = strings.TrimSpace(p.Code)
		p.VI, p.EN = NormalizeText(p.VI), NormalizeText(p.EN)
		field := fmt.Sprintf("purposes[%d]", i)
		switch {
		case !purposeCodePattern.MatchString(p.Code):
			v.Add(field+".code", "invalid", "Mã mục đích: chữ thường không dấu, số, gạch dưới", "Purpose code: lowercase letters, digits, underscore")
		case seen[p.Code]:
			v.Add(field+".code", "duplicate", "Mã mục đích bị trùng: "+p.Code, "Duplicate purpose code: "+p.Code)
		}
		seen[p.Code] = true
		if p.VI == "" {
			v.Add(field+".vi", "required", "Cần nhập tên mục đích (tiếng Việt)", "The Vietnamese name is required")
		}
		if p.EN == "" {
			p.EN = p.VI
		}
	}
	if in.MaxDays < 1 || in.MaxDays > MaxRuleDays {
		v.Add("max_days", "range", fmt.Sprintf("Số ngày tối đa phải từ 1 đến %d", MaxRuleDays), fmt.Sprintf("Maximum days must be 1 to %d", MaxRuleDays))
	}
	in.CurfewStart, in.CurfewEnd = strings.TrimSpace(in.CurfewStart), strings.TrimSpace(in.CurfewEnd)
	if (in.CurfewStart == "") != (in.CurfewEnd == "") {
		v.Add("curfew_end", "pair", "Nhập cả giờ bắt đầu và giờ kết thúc giới nghiêm, hoặc bỏ trống cả hai", "Give both curfew start and end, or neither")
	}
	for field, val := range map[string]string{"curfew_start": in.CurfewStart, "curfew_end": in.CurfewEnd} {
		if val != "" && !clockPattern.MatchString(val) {
			v.Add(field, "format", "Giờ phải có dạng HH:MM (00:00–23:59)", "Time must be HH:MM (00:00–23:59)")
		}
	}
	return v.Err()
}
