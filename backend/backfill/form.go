package backfill

import "giaydiduong/backend/domain"

// Form is one paper permit typed into the window's backfill form rather than a sheet: the
// same fields as a template row, dates as YYYY-MM-DD (or dd/MM/yyyy), codes for gender,
// purpose and vehicle.
type Form struct {
	PaperNumber string                  `json:"paper_number"`
	IssuedOn    string                  `json:"issued_on"`
	SignerName  string                  `json:"signer_name"`
	SignerTitle string                  `json:"signer_title"`
	Application domain.ApplicationInput `json:"application"`
}

// JudgeForm checks one form with exactly the rules a template row gets (as of its issue
// date, units of that day), so a permit typed in and one imported cannot differ. Problems
// carry the form field (Problem.Field) and Row 0.
func JudgeForm(f Form, opts Options) (Row, []Problem) {
	in := f.Application
	values := map[string]string{
		fieldPaperNumber: f.PaperNumber, fieldIssuedOn: f.IssuedOn, fieldSignerName: f.SignerName, fieldSignerTitle: f.SignerTitle,
		"full_name": in.FullName, "birth_date": in.BirthDate, "gender": string(in.Gender), "id_number": in.IDNumber,
		"phone": in.Phone, "residence_commune_code": in.ResidenceCommuneCode, "residence_street": in.ResidenceStreet,
		"workplace": in.Workplace, "purpose_code": in.PurposeCode, "route_from": in.RouteFrom, "route_to": in.RouteTo,
		"vehicle_type": string(in.VehicleType), "vehicle_plate": in.VehiclePlate, "valid_from": in.ValidFrom,
		"valid_to": in.ValidTo, "note": in.Note,
	}
	cells := make([]string, len(columns))
	for i, c := range columns {
		cells[i] = values[c.field]
	}
	purposes := map[string]string{}
	for _, p := range opts.Rules.Purposes {
		purposes[key(p.VI)] = p.Code
		purposes[key(p.Code)] = p.Code
	}
	row, probs := judge(0, cells, nil, purposes, opts)
	return row, probs
}
