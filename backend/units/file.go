package units

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"giaydiduong/backend/domain"
)

// MaxProblems is how many problems a refused file reports.
const MaxProblems = 10

// FileError refuses a unit list as a whole, with its first problems.
type FileError struct {
	Problems []string // at most MaxProblems, in file order
	Total    int
}

func (e *FileError) Error() string {
	more := ""
	if e.Total > len(e.Problems) {
		more = fmt.Sprintf(" (and %d more)", e.Total-len(e.Problems))
	}
	return "unit list refused: " + strings.Join(e.Problems, "; ") + more
}

type fileUnit struct {
	Code       string      `json:"code"`
	Name       string      `json:"name"`
	Type       string      `json:"type"`
	Level      string      `json:"level"`
	Parent     string      `json:"parent"`
	MergedFrom []string    `json:"merged_from"`
	Communes   []*fileUnit `json:"communes"`
}

// ParseList reads a list in the reference format (provinces, each with its communes, the
// layout of dvhc-2026.json) or the flat one (units with level and parent). A unit may name
// the codes of the list before that were merged into it ("merged_from"). Any problem refuses
// the whole file.
func ParseList(data []byte) (List, error) {
	var f struct {
		Source        string      `json:"source"`
		EffectiveFrom string      `json:"effective_from"`
		Department    string      `json:"department"`
		Provinces     []*fileUnit `json:"provinces"`
		Units         []*fileUnit `json:"units"`
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return List{}, &FileError{Problems: []string{"not a unit list (JSON): " + err.Error()}, Total: 1}
	}
	p := &problems{}
	if _, err := time.Parse(time.DateOnly, f.EffectiveFrom); err != nil {
		p.add("effective_from: want a date YYYY-MM-DD, got %q", f.EffectiveFrom)
	}
	l := List{Source: strings.TrimSpace(f.Source), EffectiveFrom: f.EffectiveFrom, From: f.EffectiveFrom,
		Department: strings.TrimSpace(f.Department), MergedInto: map[string][]string{}}
	if l.Department == "" {
		l.Department = DefaultDepartment
	}
	switch {
	case len(f.Provinces) > 0 && len(f.Units) > 0:
		p.add("give either provinces or units, not both")
	case len(f.Provinces) > 0:
		for _, pr := range f.Provinces {
			pr.Level = string(domain.LevelProvince)
			l.Units = append(l.Units, p.unit(pr, ""))
			for _, c := range pr.Communes {
				if c.Level == "" {
					c.Level = string(domain.LevelCommune)
				}
				l.Units = append(l.Units, p.unit(c, pr.Code))
			}
		}
	case len(f.Units) > 0:
		for _, u := range f.Units {
			if len(u.Communes) > 0 {
				p.add("unit %s: communes go under provinces, not in the flat list", u.Code)
			}
			l.Units = append(l.Units, p.unit(u, u.Parent))
		}
	default:
		p.add("the list has no units")
	}
	byCode := map[string]domain.Unit{}
	for _, u := range l.Units {
		if _, dup := byCode[u.Code]; dup && u.Code != "" {
			p.add("code %s appears twice", u.Code)
		}
		byCode[u.Code] = u
	}
	provinces := 0
	for _, u := range l.Units {
		if u.Level == domain.LevelProvince {
			provinces++
			if u.ParentCode != "" {
				p.add("province %s: a province has no parent", u.Code)
			}
			continue
		}
		parent, ok := byCode[u.ParentCode]
		switch {
		case u.ParentCode == "":
			p.add("%s %s (%s): no parent", u.Level, u.Code, u.Name)
		case !ok:
			p.add("%s %s (%s): parent %s is not in the list", u.Level, u.Code, u.Name, u.ParentCode)
		case u.Level == domain.LevelDistrict && parent.Level != domain.LevelProvince,
			u.Level == domain.LevelCommune && parent.Level == domain.LevelCommune:
			p.add("%s %s (%s): parent %s is a %s", u.Level, u.Code, u.Name, parent.Code, parent.Level)
		}
	}
	if provinces == 0 && len(l.Units) > 0 {
		p.add("the list has no province")
	}
	for _, fu := range append(append([]*fileUnit{}, f.Provinces...), f.Units...) {
		collectMerged(l.MergedInto, fu)
	}
	if err := p.err(); err != nil {
		return List{}, err
	}
	return l, nil
}

func collectMerged(m map[string][]string, u *fileUnit) {
	for _, old := range u.MergedFrom {
		m[old] = append(m[old], u.Code)
	}
	for _, c := range u.Communes {
		collectMerged(m, c)
	}
}

type problems struct {
	list  []string
	total int
}

func (p *problems) add(format string, args ...any) {
	p.total++
	if len(p.list) < MaxProblems {
		p.list = append(p.list, fmt.Sprintf(format, args...))
	}
}

func (p *problems) err() error {
	if p.total == 0 {
		return nil
	}
	return &FileError{Problems: p.list, Total: p.total}
}

// codeDigits is the length of a code at each level (GSO numbering).
var codeDigits = map[domain.UnitLevel]int{domain.LevelProvince: 2, domain.LevelDistrict: 3, domain.LevelCommune: 5}

func (p *problems) unit(fu *fileUnit, parent string) domain.Unit {
	u := domain.Unit{Code: strings.TrimSpace(fu.Code), Name: domain.NormalizeText(fu.Name), Type: domain.NormalizeText(fu.Type),
		Level: domain.UnitLevel(fu.Level), ParentCode: strings.TrimSpace(parent)}
	digits, ok := codeDigits[u.Level]
	if !ok {
		p.add("unit %s: level must be province, district or commune, not %q", u.Code, fu.Level)
	} else if len(u.Code) != digits || strings.Trim(u.Code, "0123456789") != "" {
		p.add("%s code %q: want %d digits", u.Level, u.Code, digits)
	}
	if u.Name == "" {
		p.add("unit %s: no name", u.Code)
	}
	for _, old := range fu.MergedFrom {
		if strings.Trim(old, "0123456789") != "" || old == "" {
			p.add("unit %s: merged_from %q is not a code", u.Code, old)
		}
	}
	return u
}
