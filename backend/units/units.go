// Package units ships the General Statistics Office list of administrative units (as of
// 1 March 2025) as the default data. The province may replace it, since units change.
package units

import (
	_ "embed"
	"encoding/json"
	"fmt"

	"giaydiduong/backend/domain"
)

//go:embed data/dvhc-provinces.json
var provincesJSON []byte

//go:embed data/dvhc-tien-giang.json
var tienGiangJSON []byte

type provincesFile struct {
	Provinces []struct {
		Code string `json:"code"`
		Name string `json:"name"`
		Type string `json:"type"`
	} `json:"provinces"`
}

type provinceFile struct {
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

// Default returns every province plus the districts and communes of the provinces whose
// full lists are shipped (Tiền Giang).
func Default() ([]domain.Unit, error) {
	var pf provincesFile
	if err := json.Unmarshal(provincesJSON, &pf); err != nil {
		return nil, fmt.Errorf("parse province list: %w", err)
	}
	out := make([]domain.Unit, 0, len(pf.Provinces)+200)
	for _, p := range pf.Provinces {
		out = append(out, domain.Unit{Code: p.Code, Name: p.Name, Level: domain.LevelProvince, Type: p.Type})
	}
	detail, err := ParseProvince(tienGiangJSON)
	if err != nil {
		return nil, err
	}
	for _, u := range detail {
		if u.Level != domain.LevelProvince {
			out = append(out, u)
		}
	}
	return out, nil
}

// ParseProvince reads one province's full list (the dvhcvn layout) into units.
func ParseProvince(data []byte) ([]domain.Unit, error) {
	var f provinceFile
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
