package app

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"giaydiduong/backend/auth"
	"giaydiduong/backend/domain"
	"giaydiduong/backend/store"
	"giaydiduong/backend/units"
)

// unitState is the unit index and the list it came from, swapped whole on a change.
type unitState struct {
	ix   *units.Index
	list store.UnitList
}

func (a *App) unitsNow() unitState {
	a.unitsMu.RLock()
	defer a.unitsMu.RUnlock()
	return a.unitState
}

// today is the calendar day in Vietnam, YYYY-MM-DD.
func (a *App) today() string { return a.Now().In(vietnam).Format(time.DateOnly) }

// ensureUnits brings the database's units up to the lists this release ships: a new
// database gets the March 2025 lists and today's, an older one today's on top of what it
// has. A list the province sent that is newer than the shipped one stays.
func (a *App) ensureUnits(ctx context.Context) error {
	cur, err := a.read(ctx).CurrentUnitList()
	if err != nil {
		return err
	}
	if cur != nil && cur.EffectiveFrom >= units.ShippedEffectiveFrom {
		return nil // the usual start: no need to parse the shipped file
	}
	shipped, err := units.Current()
	if err != nil {
		return err
	}
	return a.write(ctx, "system", func(c *change) error {
		// Re-read inside the write: another process may have done it meanwhile.
		cur, err := c.q.CurrentUnitList()
		if err != nil || (cur != nil && cur.EffectiveFrom >= shipped.EffectiveFrom) {
			return err
		}
		versions, err := c.q.UnitVersions()
		if err != nil {
			return err
		}
		if cur == nil {
			legacy, err := units.Legacy()
			if err != nil {
				return err
			}
			versions = units.Start(legacy)
			if err := c.q.SaveUnitList(listRow(legacy, "", c), nil, versions); err != nil {
				return err
			}
		}
		ch, err := units.Apply(versions, shipped)
		if err != nil {
			return fmt.Errorf("apply the shipped unit list: %w", err)
		}
		if err := c.q.SaveUnitList(listRow(shipped, "", c), ch.Closed, ch.Added); err != nil {
			return err
		}
		return c.record("units.import", "unit_list", shipped.EffectiveFrom, nil,
			map[string]any{"effective_from": shipped.EffectiveFrom, "shipped": true, "closed": len(ch.Closed), "added": len(ch.Added), "kept": ch.Kept})
	})
}

func listRow(l units.List, sum string, c *change) store.UnitList {
	return store.UnitList{EffectiveFrom: l.EffectiveFrom, InForceFrom: l.From, Source: l.Source, Department: l.Department,
		SHA256: sum, Units: len(l.Units), ImportedAt: c.at, ImportedBy: c.actor}
}

func (a *App) loadUnits(ctx context.Context) error {
	q := a.read(ctx)
	versions, err := q.UnitVersions()
	if err != nil {
		return err
	}
	cur, err := q.CurrentUnitList()
	if err != nil {
		return err
	}
	st := unitState{ix: units.NewIndex(versions)}
	if cur != nil {
		st.list = *cur
	}
	a.unitsMu.Lock()
	a.unitState = st
	a.unitsMu.Unlock()
	return nil
}

// Unit finds the unit in force today under code; App is the domain's unit lookup.
func (a *App) Unit(code string) (domain.Unit, bool) { return a.unitsNow().ix.On(code, a.today()) }

// LastVersion is the newest version of code, in force or not (for "no longer exists since").
func (a *App) LastVersion(code string) (domain.Unit, bool) { return a.unitsNow().ix.Last(code) }

// UnitOn is the unit under code on day (YYYY-MM-DD).
func (a *App) UnitOn(code, day string) (domain.Unit, bool) { return a.unitsNow().ix.On(code, day) }

// UnitVersions lists what code meant over time.
func (a *App) UnitVersions(code string) []domain.Unit { return a.unitsNow().ix.Versions(code) }

// UnitList lists the units in force on day ("" = today), optionally one province's.
func (a *App) UnitList(day, province string) ([]domain.Unit, error) {
	if day == "" {
		day = a.today()
	} else if _, err := time.Parse(time.DateOnly, day); err != nil {
		return nil, invalid("on", "format", "Ngày phải có dạng YYYY-MM-DD", "Date must be YYYY-MM-DD")
	}
	return a.unitsNow().ix.List(day, province), nil
}

// UnitListInfo is the current list of units: when it took effect and who runs the system for
// the province.
func (a *App) UnitListInfo() store.UnitList { return a.unitsNow().list }

// CommuneHit is a commune found by name, with its province for the picker.
type CommuneHit struct {
	domain.Unit
	ProvinceName string `json:"province_name"`
}

// SearchCommunes finds communes in force today by name, ignoring diacritics, in every
// province or in one.
func (a *App) SearchCommunes(query, province string, limit int) []CommuneHit {
	if limit <= 0 || limit > 100 {
		limit = 50
	}
	st, today := a.unitsNow(), a.today()
	found := st.ix.Search(query, province, today, limit)
	out := make([]CommuneHit, len(found))
	for i, u := range found {
		out[i] = CommuneHit{Unit: u}
		if chain := st.ix.Chain(u.Code, today); len(chain) > 0 {
			out[i].ProvinceName = chain[len(chain)-1].Name
		}
	}
	return out
}

// place is a unit's name and its parents' ("Phường Mỹ Tho, Tỉnh Đồng Tháp") as the unit stood
// when it was in force: code and name pick the version (an office may hold an old name).
func (a *App) place(code, name string) (unitName, place string, ok bool) {
	ix, today := a.unitsNow().ix, a.today()
	v, ok := ix.Version(code, name, today)
	if !ok {
		return name, name, false
	}
	day := today
	if !v.InForceOn(today) {
		day = v.ValidTo
		if end, err := time.Parse(time.DateOnly, v.ValidTo); err == nil {
			day = end.AddDate(0, 0, -1).Format(time.DateOnly)
		}
	}
	var names []string
	for _, u := range ix.Chain(code, day) {
		names = append(names, u.Name)
	}
	return v.Name, strings.Join(names, ", "), true
}

// UnitImport is what taking in a newer list did.
type UnitImport struct {
	EffectiveFrom string `json:"effective_from"`
	Units         int    `json:"units"`
	Closed        int    `json:"closed"`
	Added         int    `json:"added"`
	Kept          int    `json:"kept"`
	Unchanged     bool   `json:"unchanged"`
	// OfficeUnitEnded says the office's own unit is not in the new list.
	OfficeUnitEnded bool `json:"office_unit_ended"`
}

// ImportUnits takes in a newer list of units from the province (office admin): it replaces
// the units in force from its effective date and keeps every earlier version. A malformed
// file, duplicate codes, an unknown parent or predecessor, or a list older than the current
// one is refused whole, with its first problems, and nothing changes.
func (a *App) ImportUnits(ctx context.Context, actor Actor, data []byte) (UnitImport, error) {
	if err := a.require(actor, auth.ManageSettings); err != nil {
		return UnitImport{}, err
	}
	l, err := units.ParseList(data)
	var fe *units.FileError
	if errors.As(err, &fe) {
		return UnitImport{}, unitFileError(fe)
	}
	if err != nil {
		return UnitImport{}, err
	}
	sum := sha256.Sum256(data)
	digest := hex.EncodeToString(sum[:])
	var out UnitImport
	err = a.write(ctx, actor.Username, func(c *change) error {
		cur, err := c.q.CurrentUnitList()
		if err != nil {
			return err
		}
		if cur != nil && cur.SHA256 == digest {
			out = UnitImport{EffectiveFrom: l.EffectiveFrom, Units: len(l.Units), Unchanged: true}
			return nil
		}
		if cur != nil && l.EffectiveFrom <= cur.EffectiveFrom {
			return invalid("file", "unit_file_older",
				fmt.Sprintf("Danh sách đơn vị hành chính có hiệu lực từ %s, không mới hơn danh sách đang dùng (từ %s); không có gì thay đổi.", ddmmyyyy(l.EffectiveFrom), ddmmyyyy(cur.EffectiveFrom)),
				fmt.Sprintf("The unit list takes effect on %s, not after the current one (%s); nothing changed.", l.EffectiveFrom, cur.EffectiveFrom))
		}
		versions, err := c.q.UnitVersions()
		if err != nil {
			return err
		}
		known := map[string]bool{}
		for _, v := range versions {
			if v.ValidTo == "" {
				known[v.Code] = true
			}
		}
		p := &units.FileError{}
		for old := range l.MergedInto {
			if !known[old] {
				p.Total++
				if len(p.Problems) < units.MaxProblems {
					p.Problems = append(p.Problems, fmt.Sprintf("merged_from %s: no unit in force has this code", old))
				}
			}
		}
		if p.Total > 0 {
			return unitFileError(p)
		}
		ch, err := units.Apply(versions, l)
		if err != nil {
			return invalid("file", "unit_file_dates", "Danh sách đơn vị hành chính không khớp ngày hiệu lực: "+err.Error(), "The unit list's dates do not fit: "+err.Error())
		}
		if err := c.q.SaveUnitList(listRow(l, digest, c), ch.Closed, ch.Added); err != nil {
			return err
		}
		out = UnitImport{EffectiveFrom: l.EffectiveFrom, Units: len(l.Units), Closed: len(ch.Closed), Added: len(ch.Added), Kept: ch.Kept}
		return c.record("units.import", "unit_list", l.EffectiveFrom, nil,
			map[string]any{"effective_from": l.EffectiveFrom, "sha256": digest, "closed": out.Closed, "added": out.Added, "kept": out.Kept})
	})
	if err != nil {
		return UnitImport{}, err
	}
	if err := a.loadUnits(ctx); err != nil {
		return out, err
	}
	if o, err := a.Office(ctx); err == nil && o != nil {
		out.OfficeUnitEnded = o.UnitEnded != nil
	}
	return out, nil
}

func unitFileError(fe *units.FileError) error {
	more := ""
	if fe.Total > len(fe.Problems) {
		more = fmt.Sprintf(" (và %d lỗi khác)", fe.Total-len(fe.Problems))
	}
	vi := "Tệp danh sách đơn vị hành chính bị từ chối, không có gì thay đổi: " + strings.Join(fe.Problems, "; ") + more
	return invalid("file", "unit_file", vi, fe.Error()+"; nothing changed")
}

// ResidenceByToday counts the applications created in [from, to) by today's commune of
// residence, following successors; what the lists cannot place is returned as it was stored.
func (a *App) ResidenceByToday(ctx context.Context, from, to time.Time) (map[string]int64, []domain.UnitRef, error) {
	refs, err := a.read(ctx).ResidenceUnitsOfApplications(from, to)
	if err != nil {
		return nil, nil, err
	}
	counts, unmapped := a.unitsNow().ix.Regroup(refs, a.today())
	return counts, unmapped, nil
}
