package domain

import "testing"

func TestValidateRules(t *testing.T) {
	good := func() RulesInput {
		return RulesInput{PermitsRequired: true, Purposes: []Purpose{{Code: " work ", VI: "Đi  làm"}}, MaxDays: 14, CurfewStart: "21:00", CurfewEnd: "05:00"}
	}
	in := good()
	if err := ValidateRules(&in); err != nil {
		t.Fatal(err)
	}
	if p := in.Purposes[0]; p.Code != "work" || p.VI != "Đi làm" || p.EN != "Đi làm" {
		t.Errorf("not tidied: %+v", p)
	}
	for name, c := range map[string]struct {
		change func(*RulesInput)
		field  string
	}{
		"no purposes":    {func(r *RulesInput) { r.Purposes = nil }, "purposes"},
		"bad code":       {func(r *RulesInput) { r.Purposes[0].Code = "Đi làm" }, "purposes[0].code"},
		"duplicate code": {func(r *RulesInput) { r.Purposes = append(r.Purposes, Purpose{Code: "work", VI: "Lại"}) }, "purposes[1].code"},
		"no name":        {func(r *RulesInput) { r.Purposes[0].VI = " " }, "purposes[0].vi"},
		"zero days":      {func(r *RulesInput) { r.MaxDays = 0 }, "max_days"},
		"too many days":  {func(r *RulesInput) { r.MaxDays = MaxRuleDays + 1 }, "max_days"},
		"half a curfew":  {func(r *RulesInput) { r.CurfewEnd = "" }, "curfew_end"},
		"bad clock":      {func(r *RulesInput) { r.CurfewStart = "24:00" }, "curfew_start"},
	} {
		in := good()
		c.change(&in)
		err := ValidateRules(&in)
		ve, ok := err.(*ValidationError)
		if !ok {
			t.Errorf("%s: %v, want a validation error", name, err)
			continue
		}
		found := false
		for _, f := range ve.Fields {
			found = found || f.Field == c.field
		}
		if !found {
			t.Errorf("%s: fields %+v, want %s", name, ve.Fields, c.field)
		}
	}
}
