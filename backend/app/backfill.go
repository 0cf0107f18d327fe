package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"giaydiduong/backend/audit"
	"giaydiduong/backend/auth"
	"giaydiduong/backend/backfill"
	"giaydiduong/backend/domain"
	"giaydiduong/backend/store"
	"giaydiduong/backend/syncwire"
)

// Channels a permit reaches the register by, and the mark of a paper one (see domain).
const (
	ChannelWalkIn        = domain.ChannelWalkIn
	ChannelPaperBackfill = domain.ChannelPaperBackfill
	PaperMark            = domain.PaperPermitMark
)

// backfillBatch is how many rows one transaction saves. A transaction per row would make
// 10,000 rows wait on 10,000 fsyncs; one for the whole file would hold the office's write lock
// for as long as the file takes. Batches commit as they go, and since each row's identity is
// unique, importing the file again after a crash adds exactly the rows that were missing.
const backfillBatch = 500

// BackfillReport is the verdict on a backfill file and, after a commit, what was added.
type BackfillReport struct {
	*backfill.Result
	AlreadyEntered int    `json:"already_entered"` // valid rows whose paper permit is already in the register
	ToAdd          int    `json:"to_add"`
	Committed      bool   `json:"committed"`
	Added          int    `json:"added"`
	VerdictVI      string `json:"verdict_vi"`
	VerdictEN      string `json:"verdict_en"`
}

// BackfillTemplate writes the import template, with this office's purposes and units. It
// holds no personal data, so anyone who may view the office's permits may have it.
func (a *App) BackfillTemplate(ctx context.Context, actor Actor, w io.Writer) error {
	if err := a.require(actor, auth.ViewApplications); err != nil {
		return err
	}
	rules, err := a.currentRules(ctx)
	if err != nil {
		return err
	}
	// Paper permits predate the 2025 reorganisation as often as not: the sheet lists today's
	// units and those of the last day of the three-level list.
	return backfill.Template(w, rules.Purposes, a.unitsOfBothEras())
}

// ImportBackfill checks a backfill file row by row and, with commit, stores its valid rows
// as paper-issued permits: no QR, status issued, channel paper_backfill, each with its audit
// event and outbox records. A row already entered (same office, paper number and issue
// date) is not added again. Without commit nothing is written.
func (a *App) ImportBackfill(ctx context.Context, actor Actor, r io.Reader, commit bool, progress func(rows int)) (BackfillReport, error) {
	return a.importBackfill(ctx, actor, r, commit, backfillProgress{read: progress})
}

// backfillProgress hears how an import goes: the sheet's row count, rows read, rows saved.
type backfillProgress struct {
	rows  func(n int)
	read  func(rows int)
	saved func(added, of int)
}

func (a *App) importBackfill(ctx context.Context, actor Actor, r io.Reader, commit bool, progress backfillProgress) (BackfillReport, error) {
	if err := a.require(actor, auth.BackfillPermits); err != nil {
		return BackfillReport{}, err
	}
	rules, err := a.currentRules(ctx)
	if err != nil {
		return BackfillReport{}, err
	}
	unit, err := a.officeUnit(ctx)
	if err != nil {
		return BackfillReport{}, err
	}
	y, m, d := a.Now().In(vietnam).Date()
	res, err := backfill.Read(ctx, r, backfill.Options{
		Today: time.Date(y, m, d, 0, 0, 0, 0, time.UTC), Rules: rules, Progress: progress.read, Rows: progress.rows,
		// A row's units are those in force on its issue date.
		UnitsOn: func(day time.Time) domain.UnitLookup { return unitsOnDay{a: a, day: day.Format(time.DateOnly)} },
	})
	if err != nil {
		var fe *backfill.FileError
		if errors.As(err, &fe) {
			return BackfillReport{}, &Error{Code: CodeValidation, VI: fe.VI, EN: fe.EN, Fields: []domain.FieldError{{Field: "file", Code: fe.Code, VI: fe.VI, EN: fe.EN}}, cause: err}
		}
		return BackfillReport{}, err
	}
	rep := BackfillReport{Result: res}
	entered, err := a.enteredPaper(ctx, unit, res.Rows)
	if err != nil {
		return BackfillReport{}, err
	}
	var todo []backfill.Row
	for _, row := range res.Rows {
		if entered[store.PaperKey{PaperNumber: row.PaperNumber, IssuedOn: row.IssuedOn}] {
			rep.AlreadyEntered++
			continue
		}
		todo = append(todo, row)
	}
	rep.ToAdd = len(todo)
	if commit {
		for start := 0; start < len(todo); start += backfillBatch {
			end := min(start+backfillBatch, len(todo))
			added, err := a.saveBackfill(ctx, actor, unit, rules.Version, todo[start:end], nil)
			rep.Added += added
			if err != nil {
				return rep, fmt.Errorf("after %d rows added: %w", rep.Added, err)
			}
			if progress.saved != nil {
				progress.saved(end, len(todo))
			}
		}
		rep.Committed = true
	}
	rep.VerdictVI, rep.VerdictEN = verdict(rep)
	return rep, nil
}

func verdict(r BackfillReport) (string, string) {
	vi := fmt.Sprintf("%d dòng: %d hợp lệ, %d có lỗi; %d đã có trong sổ.", r.Total, r.Valid, r.Invalid, r.AlreadyEntered)
	en := fmt.Sprintf("%d rows: %d valid, %d with errors; %d already in the register.", r.Total, r.Valid, r.Invalid, r.AlreadyEntered)
	if r.Committed {
		return vi + fmt.Sprintf(" Đã nhập %d giấy.", r.Added), en + fmt.Sprintf(" %d permits added.", r.Added)
	}
	return vi + fmt.Sprintf(" Chưa ghi gì; nhập %d dòng hợp lệ bằng --commit.", r.ToAdd), en + fmt.Sprintf(" Nothing written; import the %d valid rows with --commit.", r.ToAdd)
}

func (a *App) enteredPaper(ctx context.Context, unit string, rows []backfill.Row) (map[store.PaperKey]bool, error) {
	if len(rows) == 0 {
		return map[store.PaperKey]bool{}, nil
	}
	from, to := rows[0].IssuedOn, rows[0].IssuedOn
	for _, r := range rows {
		from, to = min(from, r.IssuedOn), max(to, r.IssuedOn)
	}
	return a.read(ctx).PaperPermitKeys(unit, from, to)
}

// saveBackfill stores one batch in one transaction and returns how many rows it added. then,
// when set, runs in the same transaction with the permits added (the form attaches its scan).
func (a *App) saveBackfill(ctx context.Context, actor Actor, unit string, rulesVersion int, rows []backfill.Row, then func(c *change, added []store.Permit) error) (int, error) {
	added := 0
	err := a.write(ctx, actor.Username, func(c *change) error {
		// Checked again inside the transaction: another import may have run meanwhile.
		from, to := rows[0].IssuedOn, rows[0].IssuedOn
		for _, r := range rows {
			from, to = min(from, r.IssuedOn), max(to, r.IssuedOn)
		}
		entered, err := c.q.PaperPermitKeys(unit, from, to)
		if err != nil {
			return err
		}
		var todo []backfill.Row
		perYear := map[int]int{}
		for _, row := range rows {
			if !entered[store.PaperKey{PaperNumber: row.PaperNumber, IssuedOn: row.IssuedOn}] {
				todo = append(todo, row)
				perYear[atoiYear(row.IssuedOn)]++
			}
		}
		// Paper permits draw from a counter of their own and store it negated, so they never
		// take one of the office's gapless digital numbers.
		next := map[int]int{}
		for y, n := range perYear {
			if next[y], err = c.q.ReservePermitSeqs("paper:"+unit, y, n); err != nil {
				return err
			}
		}
		apps := make([]store.Application, len(todo))
		permits := make([]store.Permit, len(todo))
		for i, row := range todo {
			day, err := time.ParseInLocation(time.DateOnly, row.IssuedOn, vietnam)
			if err != nil {
				return fmt.Errorf("row %d issue date: %w", row.Line, err)
			}
			in := row.Application
			apps[i] = store.Application{
				ID: newID(), Version: 1, OfficeUnitCode: unit, Status: string(domain.StatusApproved), FullName: in.FullName,
				SearchText: domain.FoldForSearch(in.FullName) + " " + in.IDNumber, BirthDate: in.BirthDate, Gender: string(in.Gender),
				IDNumber: in.IDNumber, Phone: in.Phone, ResidenceCommuneCode: in.ResidenceCommuneCode, ResidenceStreet: in.ResidenceStreet,
				Workplace: in.Workplace, PurposeCode: in.PurposeCode, RouteFrom: in.RouteFrom, RouteTo: in.RouteTo,
				VehicleType: string(in.VehicleType), VehiclePlate: in.VehiclePlate, ValidFrom: in.ValidFrom, ValidTo: in.ValidTo,
				Note: in.Note, RulesVersion: rulesVersion, CreatedBy: actor.UserID, CreatedAt: c.at, UpdatedAt: c.at,
			}
			seq := next[day.Year()]
			next[day.Year()]++
			at := day.UTC()
			permits[i] = store.Permit{
				ID: newID(), Version: 1, Number: fmt.Sprintf("TC/%s/%s", row.IssuedOn, row.PaperNumber), UnitCode: unit,
				Year: day.Year(), Seq: -seq, ApplicationID: apps[i].ID, Status: string(domain.PermitIssued), SignatureKind: "hand",
				SignerName: row.SignerName, SignerTitle: row.SignerTitle, IssuedAt: at, IssuedBy: actor.UserID,
				HandSignedAt: &at, HandedOverAt: &at, Channel: ChannelPaperBackfill, PaperNumber: row.PaperNumber,
				IssuedOn: row.IssuedOn, PurposeCode: in.PurposeCode, CreatedAt: c.at, UpdatedAt: c.at,
			}
		}
		if err := c.q.InsertPaperPermits(apps, permits); err != nil {
			return err
		}
		// The same events and outbox records as c.record per row, in the same order, written
		// a batch at a time (one audit head update per batch).
		events := make([]audit.Item, len(todo))
		recs := make([]syncwire.Record, 0, 2*len(todo))
		for i, row := range todo {
			p := permits[i]
			events[i] = audit.Item{Action: "permit.backfill", Entity: "permit", EntityID: p.ID, Data: map[string]any{
				"number": p.Number, "paper_number": row.PaperNumber, "issued_on": row.IssuedOn, "row": row.Line, "application_id": apps[i].ID,
			}}
			recs = append(recs, apps[i].Wire(), p.Wire())
		}
		if err := c.q.AuditBatch(c.at, c.actor, events); err != nil {
			return err
		}
		if err := c.q.QueueBatch(c.at, recs); err != nil {
			return err
		}
		added = len(todo)
		if then != nil {
			return then(c, permits)
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return added, nil
}

// atoiYear is the year of a YYYY-MM-DD date the reader already checked.
func atoiYear(iso string) int {
	y := 0
	for _, c := range iso[:4] {
		y = y*10 + int(c-'0')
	}
	return y
}

// unitsOnDay looks units up as they were on one day.
type unitsOnDay struct {
	a   *App
	day string
}

func (u unitsOnDay) Unit(code string) (domain.Unit, bool) { return u.a.UnitOn(code, u.day) }

// lastThreeLevelDay is the last day of the lists with districts (30 June 2025).
const lastThreeLevelDay = "2025-06-30"

// unitsOfBothEras lists today's units, then those in force on the last day of the three-level
// lists whose code and name are not among them.
func (a *App) unitsOfBothEras() []domain.Unit {
	ix := a.unitsNow().ix
	out := ix.List(a.today(), "")
	seen := make(map[string]bool, len(out))
	for _, u := range out {
		seen[u.Code+"\x00"+u.Name] = true
	}
	for _, u := range ix.List(lastThreeLevelDay, "") {
		if !seen[u.Code+"\x00"+u.Name] {
			out = append(out, u)
		}
	}
	return out
}
