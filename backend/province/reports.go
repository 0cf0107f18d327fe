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

// permitCountRow is one cell of the report counts.
type permitCountRow struct {
	IssuedOn      string `gorm:"primaryKey"`
	UnitCode      string `gorm:"primaryKey"`
	PurposeCode   string `gorm:"primaryKey"`
	Status        string `gorm:"primaryKey"`
	Channel       string `gorm:"primaryKey"`
	SignatureKind string `gorm:"primaryKey"`
	Count         int64
}

func (permitCountRow) TableName() string { return "permit_counts" }

func (r permitFactRow) cell() permitCountRow {
	return permitCountRow{r.IssuedOn, r.UnitCode, r.PurposeCode, r.Status, r.Channel, r.SignatureKind, 0}
}

// recordPermitFacts keeps each pushed permit's report columns, the highest version winning
// (versions may arrive out of order across batches), and moves the permit's count from its
// old cell to its new one.
func recordPermitFacts(tx *gorm.DB, officeID string, permits []*syncwire.Permit) error {
	if len(permits) == 0 {
		return nil
	}
	latest := map[string]permitFactRow{}
	for _, p := range permits {
		if cur, ok := latest[p.ID]; ok && cur.Version >= p.Version {
			continue
		}
		latest[p.ID] = permitFactRow{PermitID: p.ID, Version: p.Version, OfficeID: officeID, ApplicationID: p.ApplicationID, UnitCode: p.UnitCode,
			IssuedOn: p.IssuedOn, PurposeCode: p.PurposeCode, Status: p.Status, Channel: p.Channel, SignatureKind: p.SignatureKind}
	}
	ids := make([]string, 0, len(latest))
	for id := range latest {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	var old []permitFactRow
	if err := tx.Where("permit_id IN ?", ids).Find(&old).Error; err != nil {
		return fmt.Errorf("read permits' report columns: %w", err)
	}
	stored := make(map[string]permitFactRow, len(old))
	for _, r := range old {
		stored[r.PermitID] = r
	}
	delta := map[permitCountRow]int64{}
	for _, id := range ids {
		row := latest[id]
		prev, had := stored[id]
		if had && prev.Version >= row.Version {
			continue // an older version arriving late changes nothing
		}
		if had {
			delta[prev.cell()]--
			if err := tx.Model(&permitFactRow{}).Where("permit_id = ?", id).Updates(map[string]any{
				"version": row.Version, "unit_code": row.UnitCode, "issued_on": row.IssuedOn, "purpose_code": row.PurposeCode,
				"status": row.Status, "channel": row.Channel, "signature_kind": row.SignatureKind,
			}).Error; err != nil {
				return fmt.Errorf("update permit %s for reports: %w", id, err)
			}
		} else if err := tx.Create(&row).Error; err != nil {
			return fmt.Errorf("record permit %s for reports: %w", id, err)
		}
		delta[row.cell()]++
	}
	cells := make([]permitCountRow, 0, len(delta))
	for c, n := range delta {
		if n != 0 {
			c.Count = n
			cells = append(cells, c)
		}
	}
	// In key order, so concurrent pushes lock the count rows in one order (no deadlock).
	sort.Slice(cells, func(i, j int) bool { return cellKey(cells[i]) < cellKey(cells[j]) })
	for _, c := range cells {
		if err := tx.Clauses(clause.OnConflict{
			Columns:   []clause.Column{{Name: "issued_on"}, {Name: "unit_code"}, {Name: "purpose_code"}, {Name: "status"}, {Name: "channel"}, {Name: "signature_kind"}},
			DoUpdates: clause.Set{{Column: clause.Column{Name: "count"}, Value: gorm.Expr("permit_counts.count + excluded.count")}},
		}).Create(&c).Error; err != nil {
			return fmt.Errorf("count permits for reports: %w", err)
		}
	}
	return nil
}

func cellKey(c permitCountRow) string {
	return c.IssuedOn + "\x00" + c.UnitCode + "\x00" + c.PurposeCode + "\x00" + c.Status + "\x00" + c.Channel + "\x00" + c.SignatureKind
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
	q := s.db.WithContext(ctx).Table("permit_counts").
		Select("issued_on, unit_code, purpose_code, status, channel, signature_kind, count").
		Where("issued_on BETWEEN ? AND ? AND count <> 0", from, to)
	if f.UnitCode != "" {
		q = q.Where("unit_code = ?", f.UnitCode)
	}
	var counts []store.PermitCount
	if err := q.Scan(&counts).Error; err != nil {
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
