package units

import (
	"sort"
	"strings"
	"sync"
	"time"

	"giaydiduong/backend/domain"
)

// Index answers lookups by code and date over every version held. It is read-only once
// built; a newer list builds a new one.
type Index struct {
	byCode map[string][]domain.Unit // versions of a code, oldest first
	all    []entry                  // every version, by code then start
	// The folded names are made on the first search, not at start: start-up only needs
	// lookups by code.
	foldOnce sync.Once
}

type entry struct {
	unit   domain.Unit
	folded string // name without diacritics, lower case
	bare   string // the same without the type word ("my tho")
}

// NewIndex indexes versions.
func NewIndex(versions []domain.Unit) *Index {
	ix := &Index{byCode: make(map[string][]domain.Unit, len(versions))}
	ix.all = make([]entry, 0, len(versions))
	for _, v := range versions {
		ix.all = append(ix.all, entry{unit: v})
	}
	sort.SliceStable(ix.all, func(i, j int) bool {
		a, b := ix.all[i].unit, ix.all[j].unit
		if a.Code != b.Code {
			return a.Code < b.Code
		}
		return a.ValidFrom < b.ValidFrom
	})
	for _, e := range ix.all {
		ix.byCode[e.unit.Code] = append(ix.byCode[e.unit.Code], e.unit)
	}
	return ix
}

// Len is the number of versions held.
func (ix *Index) Len() int { return len(ix.all) }

// On is the unit under code on day (YYYY-MM-DD).
func (ix *Index) On(code, day string) (domain.Unit, bool) {
	for _, v := range ix.byCode[code] {
		if v.InForceOn(day) {
			return v, true
		}
	}
	return domain.Unit{}, false
}

// Versions lists what code meant over time, oldest first.
func (ix *Index) Versions(code string) []domain.Unit { return ix.byCode[code] }

// Last is the newest version of code, in force or not.
func (ix *Index) Last(code string) (domain.Unit, bool) {
	vs := ix.byCode[code]
	if len(vs) == 0 {
		return domain.Unit{}, false
	}
	return vs[len(vs)-1], true
}

// List is every unit in force on day, by code; with province set, that province and the
// units under it.
func (ix *Index) List(day, province string) []domain.Unit {
	var out []domain.Unit
	for _, e := range ix.all {
		if e.unit.InForceOn(day) && (province == "" || ix.provinceOf(e.unit, day) == province) {
			out = append(out, e.unit)
		}
	}
	return out
}

// Children lists the units in force on day directly under parent ("" for the provinces).
func (ix *Index) Children(parent, day string) []domain.Unit {
	var out []domain.Unit
	for _, e := range ix.all {
		if e.unit.ParentCode == parent && e.unit.InForceOn(day) {
			out = append(out, e.unit)
		}
	}
	return out
}

// Chain is the unit under code on day and its parents up to the province.
func (ix *Index) Chain(code, day string) []domain.Unit {
	var out []domain.Unit
	for c := code; c != "" && len(out) < 4; {
		u, ok := ix.On(c, day)
		if !ok {
			break
		}
		out = append(out, u)
		c = u.ParentCode
	}
	return out
}

func (ix *Index) provinceOf(u domain.Unit, day string) string {
	for i := 0; i < 4 && u.Level != domain.LevelProvince; i++ {
		p, ok := ix.On(u.ParentCode, day)
		if !ok {
			return ""
		}
		u = p
	}
	return u.Code
}

// Search finds the communes in force on day whose name contains query, ignoring case,
// diacritics and đ ("my tho" finds Phường Mỹ Tho), in every province or in one. Names
// starting with the query come first, then names with a word starting with it.
func (ix *Index) Search(query, province, day string, limit int) []domain.Unit {
	q := fold(query)
	if q == "" {
		return nil
	}
	ix.foldOnce.Do(func() {
		for i := range ix.all {
			e := &ix.all[i]
			e.folded = fold(e.unit.Name)
			e.bare = e.folded
			if t := fold(e.unit.Type); t != "" {
				e.bare = strings.TrimPrefix(e.folded, t+" ")
			}
		}
	})
	var ranked [3][]domain.Unit
	for i := range ix.all {
		e := &ix.all[i]
		if e.unit.Level != domain.LevelCommune || !strings.Contains(e.folded, q) || !e.unit.InForceOn(day) {
			continue
		}
		if province != "" && ix.provinceOf(e.unit, day) != province {
			continue
		}
		rank := 2
		switch {
		case strings.HasPrefix(e.bare, q) || strings.HasPrefix(e.folded, q):
			rank = 0
		case strings.Contains(" "+e.folded, " "+q):
			rank = 1
		}
		ranked[rank] = append(ranked[rank], e.unit)
		if limit > 0 && len(ranked[0]) >= limit {
			break // the best-ranked are enough: a one-letter query matches nearly all
		}
	}
	out := append(append(ranked[0], ranked[1]...), ranked[2]...)
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out
}

// Today finds which units in force on today a unit of an earlier day (code as it was on day)
// stands for now: itself when still in force, else its successors, followed as far as the
// province's lists name them. None means the lists do not say.
func (ix *Index) Today(code, day, today string) []domain.Unit {
	u, ok := ix.On(code, day)
	if !ok {
		return nil
	}
	seen := map[string]bool{}
	var out []domain.Unit
	var follow func(u domain.Unit, depth int)
	follow = func(u domain.Unit, depth int) {
		if u.InForceOn(today) {
			if !seen[u.Code] {
				seen[u.Code] = true
				out = append(out, u)
			}
			return
		}
		if depth > 8 || u.ValidTo == "" {
			return
		}
		for _, s := range u.Successors {
			// A successor begins the day its predecessor ends.
			if next, ok := ix.On(s, u.ValidTo); ok {
				follow(next, depth+1)
			}
		}
	}
	follow(u, 0)
	return out
}

// Version is the version of code that records naming it name on day meant: the one with
// that name in force on day, else the newest with that name (records of an office that
// kept an old list after a change), else the one in force on day.
func (ix *Index) Version(code, name, day string) (domain.Unit, bool) {
	var named *domain.Unit
	for i, v := range ix.byCode[code] {
		if name != "" && v.Name == name {
			if v.InForceOn(day) {
				return v, true
			}
			named = &ix.byCode[code][i]
		}
	}
	if named != nil {
		return *named, true
	}
	return ix.On(code, day)
}

// Regroup adds up records by today's units, following successors; a record whose unit has
// no known unit today (or several, when it was split) is returned in unmapped.
func (ix *Index) Regroup(refs []domain.UnitRef, today string) (counts map[string]int64, unmapped []domain.UnitRef) {
	counts = map[string]int64{}
	for _, r := range refs {
		v, ok := ix.Version(r.Code, r.Name, r.Day)
		if !ok {
			unmapped = append(unmapped, r)
			continue
		}
		now := ix.Today(v.Code, firstDay(v, r.Day), today)
		if len(now) != 1 {
			unmapped = append(unmapped, r)
			continue
		}
		counts[now[0].Code] += r.Count
	}
	return counts, unmapped
}

// firstDay is a day on which v was in force: day itself when it was, else v's own start.
func firstDay(v domain.Unit, day string) string {
	if v.InForceOn(day) {
		return day
	}
	if v.ValidFrom != "" {
		return v.ValidFrom
	}
	// Open start: the day before its end is in force.
	end, _ := time.Parse(time.DateOnly, v.ValidTo)
	return end.AddDate(0, 0, -1).Format(time.DateOnly)
}
