package province

import (
	"context"
	"fmt"
	"sort"

	"giaydiduong/backend/syncwire"
)

// UnitPermitCount is one unit's permits as received from its offices (each permit once, as
// its latest version says).
type UnitPermitCount struct {
	UnitCode  string         `json:"unit_code"`
	Permits   int64          `json:"permits"`
	ByStatus  map[string]int `json:"by_status"`
	ByChannel map[string]int `json:"by_channel"`
	// Attachments the unit's records refer to, and how many of them have arrived.
	AttachmentsExpected int64 `json:"attachments_expected"`
	AttachmentsPresent  int64 `json:"attachments_present"`
}

// PermitCount is the province's figure of permits.
type PermitCount struct {
	Total int64             `json:"total"`
	Units []UnitPermitCount `json:"units"`
}

// PermitCount counts the permits offices have pushed, per unit (one unit when unit is given).
func (s *Service) PermitCount(ctx context.Context, unit string) (PermitCount, error) {
	db := s.db.WithContext(ctx)
	bodies, err := latestPermitBodies(db, unit)
	if err != nil {
		return PermitCount{}, err
	}
	units := map[string]*UnitPermitCount{}
	get := func(code string) *UnitPermitCount {
		u := units[code]
		if u == nil {
			u = &UnitPermitCount{UnitCode: code, ByStatus: map[string]int{}, ByChannel: map[string]int{}}
			units[code] = u
		}
		return u
	}
	if unit != "" {
		get(unit)
	}
	var out PermitCount
	for _, b := range bodies {
		u := get(b.UnitCode)
		u.Permits++
		out.Total++
		rec, err := syncwire.Decode(b.Body)
		if err != nil {
			return PermitCount{}, fmt.Errorf("stored permit of unit %s: %w", b.UnitCode, err)
		}
		if p, ok := rec.(*syncwire.Permit); ok {
			u.ByStatus[p.Status]++
			u.ByChannel[p.Channel]++
		}
	}
	atts, err := attachmentCounts(db, unit)
	if err != nil {
		return PermitCount{}, err
	}
	for _, a := range atts {
		u := get(a.UnitCode)
		u.AttachmentsExpected, u.AttachmentsPresent = a.Expected, a.Present
	}
	for _, u := range units {
		out.Units = append(out.Units, *u)
	}
	sort.Slice(out.Units, func(i, j int) bool { return out.Units[i].UnitCode < out.Units[j].UnitCode })
	return out, nil
}
