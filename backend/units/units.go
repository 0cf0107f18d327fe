// Package units holds Vietnam's administrative units as they are today and as they were: a
// unit is a code, a name, a type, a parent and the days it was in force, since codes are
// reused (28261 was "Phường 1, Thành phố Mỹ Tho" and is "Phường Mỹ Tho" since 1 July 2025).
// It ships the General Statistics Office lists as default data, reads the lists a province
// sends, works out what a newer list changes, and answers lookups by date.
package units

import (
	_ "embed"
	"encoding/json"
	"fmt"

	"giaydiduong/backend/domain"
)

// The shipped lists. They stay plain JSON: compressed they would save about 180 KB of a
// binary of tens of megabytes (docs/BENCHMARKS.md), not worth an unreadable diff.
var (
	//go:embed data/dvhc-provinces.json
	provincesJSON []byte
	//go:embed data/dvhc-tien-giang.json
	tienGiangJSON []byte
	//go:embed data/dvhc-2026.json
	currentJSON []byte
)

// ReformDate is when the two-level system (province, commune) took effect and the
// March 2025 lists stopped being in force.
const ReformDate = "2025-07-01"

// ShippedEffectiveFrom is the date of the shipped current list (dvhc-2026.json), so that
// start-up can tell whether the database has it without parsing the file.
const ShippedEffectiveFrom = "2026-04-30"

// LegacyEffectiveFrom is the date of the March 2025 lists.
const LegacyEffectiveFrom = "2025-03-01"

// DefaultDepartment is the provincial department that runs the system for the province
// (accounts, trust lists): Sở Thông tin và Truyền thông was merged into it on 1 March 2025.
const DefaultDepartment = "Sở Khoa học và Công nghệ"

// List is one published list of units: all the units in force from From on.
type List struct {
	Source        string
	EffectiveFrom string // the date the list names
	// From is the first day its units are in force. It is EffectiveFrom, except for the
	// shipped current list: no list of 1 July 2025 ships, so the 30 April 2026 list stands
	// for the whole two-level period.
	From       string
	Department string
	Units      []domain.Unit
	// MergedInto maps a code of the list before to the codes of this list it was merged
	// into, when the file says so (its units' "merged_from").
	MergedInto map[string][]string
}

// Legacy is the March 2025 list: 63 provinces, and the districts and communes of Tiền Giang,
// in force until the 2025 reform. Its start is unknown (""), so records of 2021 find it.
func Legacy() (List, error) {
	var pf struct {
		Source    string `json:"source"`
		Provinces []struct {
			Code, Name, Type string
		} `json:"provinces"`
	}
	if err := json.Unmarshal(provincesJSON, &pf); err != nil {
		return List{}, fmt.Errorf("parse the 2025 province list: %w", err)
	}
	l := List{Source: pf.Source, EffectiveFrom: LegacyEffectiveFrom, Department: DefaultDepartment}
	for _, p := range pf.Provinces {
		l.Units = append(l.Units, domain.Unit{Code: p.Code, Name: p.Name, Level: domain.LevelProvince, Type: p.Type})
	}
	detail, err := parseDVHCProvince(tienGiangJSON)
	if err != nil {
		return List{}, err
	}
	for _, u := range detail {
		if u.Level != domain.LevelProvince {
			l.Units = append(l.Units, u)
		}
	}
	return l, nil
}

// Current is the shipped list in force today (34 provinces, 3,321 communes).
func Current() (List, error) {
	l, err := ParseList(currentJSON)
	if err != nil {
		return List{}, fmt.Errorf("shipped unit list: %w", err)
	}
	l.From = ReformDate
	return l, nil
}

// Default is the shipped history: the March 2025 lists until the reform, then the current
// list. Its last list is the one recorded as current.
func Default() ([]domain.Unit, []List, error) {
	legacy, err := Legacy()
	if err != nil {
		return nil, nil, err
	}
	cur, err := Current()
	if err != nil {
		return nil, nil, err
	}
	versions := Start(legacy)
	ch, err := Apply(versions, cur)
	if err != nil {
		return nil, nil, err
	}
	return ch.All, []List{legacy, cur}, nil
}

// Start turns a first list into versions open at both ends.
func Start(l List) []domain.Unit {
	out := make([]domain.Unit, len(l.Units))
	for i, u := range l.Units {
		u.ValidFrom, u.ValidTo = l.From, ""
		out[i] = u
	}
	return out
}

// Changes is what applying a newer list does to the versions held.
type Changes struct {
	Closed []domain.Unit // versions that stop being in force on the list's first day, with successors
	Added  []domain.Unit // new versions from that day
	Kept   int           // versions in force that the list repeats unchanged
	All    []domain.Unit // every version after the change
}

// Apply replaces the versions in force with list l from l.From on: a unit the list repeats
// unchanged (code, name, type, level, parent) stays one version; any other unit in force
// ends the day before l.From, and the list's other units begin on it. History is kept.
func Apply(versions []domain.Unit, l List) (Changes, error) {
	if l.From == "" {
		l.From = l.EffectiveFrom
	}
	next := map[string]domain.Unit{}
	for _, u := range l.Units {
		next[u.Code] = u
	}
	var ch Changes
	kept := map[string]bool{}
	for _, v := range versions {
		if v.ValidTo != "" {
			ch.All = append(ch.All, v)
			continue
		}
		if n, ok := next[v.Code]; ok && same(v, n) {
			kept[v.Code] = true
			ch.Kept++
			ch.All = append(ch.All, v)
			continue
		}
		if v.ValidFrom != "" && v.ValidFrom >= l.From {
			return Changes{}, fmt.Errorf("unit %s (%s) is in force from %s, not before the new list's %s", v.Code, v.Name, v.ValidFrom, l.From)
		}
		v.ValidTo = l.From
		v.Successors = append([]string(nil), l.MergedInto[v.Code]...)
		ch.Closed = append(ch.Closed, v)
		ch.All = append(ch.All, v)
	}
	for _, u := range l.Units {
		if kept[u.Code] {
			continue
		}
		u.ValidFrom, u.ValidTo, u.Successors = l.From, "", nil
		ch.Added = append(ch.Added, u)
		ch.All = append(ch.All, u)
	}
	return ch, nil
}

func same(a, b domain.Unit) bool {
	return a.Name == b.Name && a.Type == b.Type && a.Level == b.Level && a.ParentCode == b.ParentCode
}

// parseDVHCProvince reads one province's full three-level list (the dvhcvn layout).
func parseDVHCProvince(data []byte) ([]domain.Unit, error) {
	var f struct {
		Province struct {
			ID      string `json:"level1_id"`
			Name    string `json:"name"`
			Type    string `json:"type"`
			Level2s []struct {
				ID      string `json:"level2_id"`
				Name    string `json:"name"`
				Type    string `json:"type"`
				Level3s []struct {
					ID   string `json:"level3_id"`
					Name string `json:"name"`
					Type string `json:"type"`
				} `json:"level3s"`
			} `json:"level2s"`
		} `json:"province"`
	}
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("parse province units: %w", err)
	}
	p := f.Province
	if p.ID == "" {
		return nil, fmt.Errorf("parse province units: no level1_id")
	}
	out := []domain.Unit{{Code: p.ID, Name: p.Name, Level: domain.LevelProvince, Type: p.Type}}
	for _, d := range p.Level2s {
		out = append(out, domain.Unit{Code: d.ID, Name: d.Name, Level: domain.LevelDistrict, ParentCode: p.ID, Type: d.Type})
		for _, c := range d.Level3s {
			out = append(out, domain.Unit{Code: c.ID, Name: c.Name, Level: domain.LevelCommune, ParentCode: d.ID, Type: c.Type})
		}
	}
	return out, nil
}
