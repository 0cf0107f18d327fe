package store

import "fmt"

// PermitCount is how many permits share one day, unit, purpose, status, channel and kind of
// signature: the finest cell every report sums.
type PermitCount struct {
	IssuedOn      string
	UnitCode      string
	PurposeCode   string
	Status        string
	Channel       string
	SignatureKind string
	Count         int64
}

// PermitCounts groups the permits issued from from to to (inclusive, YYYY-MM-DD). The
// grouping columns are the permits_report index in order, so SQLite answers from the index
// alone without reading the table.
func (q Q) PermitCounts(from, to string) ([]PermitCount, error) {
	var out []PermitCount
	if err := q.db.Table("permits").
		Select("issued_on, unit_code, purpose_code, status, channel, signature_kind, COUNT(*) AS count").
		Where("issued_on BETWEEN ? AND ?", from, to).
		Group("issued_on, unit_code, purpose_code, status, channel, signature_kind").
		Order("issued_on, unit_code, purpose_code, status, channel, signature_kind").
		Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("count permits %s–%s: %w", from, to, err)
	}
	return out, nil
}

// RegisterEntry is one line of the daily register: a permit with its citizen's facts.
type RegisterEntry struct {
	Number               string
	PaperNumber          string
	Channel              string
	Status               string
	SignatureKind        string
	SignerName           string
	SignerTitle          string
	IssuedOn             string
	FullName             string
	BirthDate            string
	IDNumber             string
	ResidenceCommuneCode string
	ResidenceStreet      string
	PurposeCode          string
	RouteFrom            string
	RouteTo              string
	ValidFrom            string
	ValidTo              string
	Note                 string
}

// RegisterEntries lists the permits issued on day (YYYY-MM-DD) in the order they were issued.
func (q Q) RegisterEntries(day string) ([]RegisterEntry, error) {
	var out []RegisterEntry
	if err := q.db.Table("permits p").
		Select(`p.number, p.paper_number, p.channel, p.status, p.signature_kind, p.signer_name, p.signer_title, p.issued_on,
			a.full_name, a.birth_date, a.id_number, a.residence_commune_code, a.residence_street, a.purpose_code,
			a.route_from, a.route_to, a.valid_from, a.valid_to, a.note`).
		Joins("JOIN applications a ON a.id = p.application_id").
		Where("p.issued_on = ?", day).
		Order("p.issued_at, p.number").
		Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("read register of %s: %w", day, err)
	}
	return out, nil
}
