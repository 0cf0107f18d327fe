package province

import (
	"context"
	"fmt"
	"sort"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"giaydiduong/backend/domain"
	"giaydiduong/backend/report"
	"giaydiduong/backend/store"
	"giaydiduong/backend/syncwire"
)

// permitFactRow is what reports count of one permit, its latest version as synced.
type permitFactRow struct {
	PermitID      string `gorm:"primaryKey"`
	Version       int64
	OfficeID      string
	ApplicationID string
	UnitCode      string
	IssuedOn      string
	PurposeCode   string
	Status        string
	Channel       string
	SignatureKind string
}

func (permitFactRow) TableName() string { return "permit_facts" }

// recordPermitFacts keeps each pushed permit's report columns, the highest version winning
// (versions may arrive out of order across batches).
func recordPermitFacts(tx *gorm.DB, officeID string, permits []*syncwire.Permit) error {
	if len(permits) == 0 {
		return nil
	}
	rows := make([]permitFactRow, len(permits))
	for i, p := range permits {
		rows[i] = permitFactRow{PermitID: p.ID, Version: p.Version, OfficeID: officeID, ApplicationID: p.ApplicationID, UnitCode: p.UnitCode,
			IssuedOn: p.IssuedOn, PurposeCode: p.PurposeCode, Status: p.Status, Channel: p.Channel, SignatureKind: p.SignatureKind}
	}
	sort.Slice(rows, func(i, j int) bool {
		return rows[i].PermitID < rows[j].PermitID || rows[i].PermitID == rows[j].PermitID && rows[i].Version < rows[j].Version
	})
	for _, r := range rows { // one statement per permit: a batch of 200 at most
		if err := tx.Clauses(clause.OnConflict{
			Columns:   []clause.Column{{Name: "permit_id"}},
			DoUpdates: clause.AssignmentColumns([]string{"version", "unit_code", "issued_on", "purpose_code", "status", "channel", "signature_kind"}),
			Where:     clause.Where{Exprs: []clause.Expression{clause.Expr{SQL: "permit_facts.version < excluded.version"}}},
		}).Create(&r).Error; err != nil {
			return fmt.Errorf("record permit %s for reports: %w", r.PermitID, err)
		}
	}
	return nil
}

// ReportFilter narrows the province's reports to one office's unit ("" = every office).
type ReportFilter struct {
	UnitCode string `json:"unit_code"`
}

// ReportSummary counts the permits every office synced, issued from from to to, by day,
// unit, purpose, status and channel: the office's report, across offices.
func (s *Service) ReportSummary(ctx context.Context, from, to string, f ReportFilter) (report.Summary, error) {
	if err := report.ParsePeriod(from, to); err != nil {
		return report.Summary{}, newErr(KindInvalid, err.Error(), "The report period must be two dates YYYY-MM-DD, from before to")
	}
	q := s.db.WithContext(ctx).Table("permit_facts").
		Select("issued_on, unit_code, purpose_code, status, channel, signature_kind, COUNT(*) AS count").
		Where("issued_on BETWEEN ? AND ?", from, to)
	if f.UnitCode != "" {
		q = q.Where("unit_code = ?", f.UnitCode)
	}
	var counts []store.PermitCount
	if err := q.Group("issued_on, unit_code, purpose_code, status, channel, signature_kind").Scan(&counts).Error; err != nil {
		return report.Summary{}, fmt.Errorf("count synced permits %s–%s: %w", from, to, err)
	}
	return report.Aggregate(counts, from, to, s.reportLabels(ctx)), nil
}

// reportLabels names purposes by the default list and units by the offices' names.
func (s *Service) reportLabels(ctx context.Context) report.Labels {
	l := report.Labels{Units: map[string]string{}, Purposes: map[string]string{}}
	for _, p := range domain.DefaultRules("").Purposes {
		l.Purposes[p.Code] = p.VI
	}
	var offices []officeRow
	if err := s.db.WithContext(ctx).Find(&offices).Error; err == nil {
		for _, o := range offices {
			l.Units[o.UnitCode] = o.Name
		}
	}
	return l
}

// DailyRegister is the register book of one day from the synced records, of one office's
// unit or of all (grouped by unit, then in issue order).
func (s *Service) DailyRegister(ctx context.Context, day string, f ReportFilter) (report.Register, error) {
	if _, err := time.Parse(time.DateOnly, day); err != nil {
		return report.Register{}, newErr(KindInvalid, fmt.Sprintf("Ngày %q không hợp lệ (yyyy-MM-dd)", day), "The date must be YYYY-MM-DD")
	}
	db := s.db.WithContext(ctx)
	q := db.Where("issued_on = ?", day)
	if f.UnitCode != "" {
		q = q.Where("unit_code = ?", f.UnitCode)
	}
	var facts []permitFactRow
	if err := q.Order("unit_code, permit_id").Find(&facts).Error; err != nil {
		return report.Register{}, fmt.Errorf("read register of %s: %w", day, err)
	}
	permits, err := latestBodies(db, string(syncwire.KindPermit), factIDs(facts, func(r permitFactRow) string { return r.PermitID }))
	if err != nil {
		return report.Register{}, err
	}
	apps, err := latestBodies(db, string(syncwire.KindApplication), factIDs(facts, func(r permitFactRow) string { return r.ApplicationID }))
	if err != nil {
		return report.Register{}, err
	}
	var entries []store.RegisterEntry
	var issuedAt []string
	for _, fact := range facts {
		pr, ok := permits[fact.PermitID].(*syncwire.Permit)
		if !ok {
			continue
		}
		e := store.RegisterEntry{Number: pr.Number, PaperNumber: pr.PaperNumber, Channel: pr.Channel, Status: pr.Status,
			SignatureKind: pr.SignatureKind, SignerName: pr.SignerName, SignerTitle: pr.SignerTitle, IssuedOn: pr.IssuedOn, PurposeCode: pr.PurposeCode}
		if a, ok := apps[fact.ApplicationID].(*syncwire.Application); ok {
			e.FullName, e.BirthDate, e.IDNumber, e.ResidenceCommuneCode, e.ResidenceStreet = a.FullName, a.BirthDate, a.IDNumber, a.ResidenceCommuneCode, a.ResidenceStreet
			e.RouteFrom, e.RouteTo, e.ValidFrom, e.ValidTo, e.Note = a.RouteFrom, a.RouteTo, a.ValidFrom, a.ValidTo, a.Note
		}
		entries = append(entries, e)
		issuedAt = append(issuedAt, fact.UnitCode+"\x00"+pr.IssuedAt+"\x00"+pr.Number)
	}
	order := make([]int, len(entries))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(i, j int) bool { return issuedAt[order[i]] < issuedAt[order[j]] })
	sorted := make([]store.RegisterEntry, len(entries))
	for i, k := range order {
		sorted[i] = entries[k]
	}
	office := "Tất cả đơn vị"
	if f.UnitCode != "" {
		office = s.reportLabels(ctx).Units[f.UnitCode]
	}
	return report.RegisterOf(sorted, office, day, s.reportLabels(ctx)), nil
}

func factIDs(rows []permitFactRow, id func(permitFactRow) string) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = id(r)
	}
	return out
}

// latestBodies decodes the latest stored version of each record of entity.
func latestBodies(db *gorm.DB, entity string, ids []string) (map[string]syncwire.Record, error) {
	out := map[string]syncwire.Record{}
	for start := 0; start < len(ids); start += 500 {
		chunk := ids[start:min(start+500, len(ids))]
		var rows []officeRecordRow
		if err := db.Where("entity = ? AND entity_id IN ?", entity, chunk).Order("entity_id, version DESC").Find(&rows).Error; err != nil {
			return nil, fmt.Errorf("read %s records: %w", entity, err)
		}
		for _, r := range rows {
			if _, seen := out[r.EntityID]; seen {
				continue
			}
			rec, err := syncwire.Decode(r.Body)
			if err != nil {
				return nil, fmt.Errorf("decode %s %s v%d: %w", entity, r.EntityID, r.Version, err)
			}
			out[r.EntityID] = rec
		}
	}
	return out, nil
}
