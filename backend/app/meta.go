package app

import (
	"giaydiduong/backend/domain"
	"giaydiduong/backend/version"
)

// Label is a code with its Vietnamese and English names.
type Label struct {
	Code       string `json:"code"`
	VI         string `json:"vi"`
	EN         string `json:"en"`
	NeedsPlate bool   `json:"needs_plate,omitempty"`
}

// Meta holds the fixed code lists the forms offer, and the build's version (the About box).
type Meta struct {
	Version      string  `json:"version"`
	AgencyKinds  []Label `json:"agency_kinds"`
	VehicleTypes []Label `json:"vehicle_types"`
	Statuses     []Label `json:"statuses"`
}

// GetMeta returns the code lists with their names.
func GetMeta() Meta {
	return Meta{
		Version: version.String(),
		AgencyKinds: []Label{
			{Code: string(domain.AgencyCommuneCommittee), VI: "UBND xã, phường, thị trấn", EN: "Commune People's Committee"},
			{Code: string(domain.AgencyDistrictCommittee), VI: "UBND huyện, thị xã, thành phố", EN: "District People's Committee"},
			{Code: string(domain.AgencySectorDepartment), VI: "Sở, ban, ngành, phòng chuyên môn", EN: "Sector department"},
			{Code: string(domain.AgencyPartyMass), VI: "Cơ quan Đảng, đoàn thể", EN: "Party or mass organisation"},
			{Code: string(domain.AgencyDistrictUnit), VI: "Đơn vị khác cấp huyện", EN: "Other district-level unit"},
		},
		VehicleTypes: []Label{
			{Code: string(domain.VehicleWalk), VI: "Đi bộ", EN: "On foot"},
			{Code: string(domain.VehicleBicycle), VI: "Xe đạp", EN: "Bicycle"},
			{Code: string(domain.VehicleMotorbike), VI: "Xe mô tô, xe máy", EN: "Motorbike", NeedsPlate: true},
			{Code: string(domain.VehicleCar), VI: "Ô tô con", EN: "Car", NeedsPlate: true},
			{Code: string(domain.VehicleTruck), VI: "Ô tô tải", EN: "Truck", NeedsPlate: true},
			{Code: string(domain.VehicleOther), VI: "Phương tiện khác", EN: "Other"},
		},
		Statuses: []Label{
			{Code: string(domain.StatusDraft), VI: "Nháp", EN: "Draft"},
			{Code: string(domain.StatusSubmitted), VI: "Chờ duyệt", EN: "Awaiting approval"},
			{Code: string(domain.StatusApproved), VI: "Đã duyệt", EN: "Approved"},
			{Code: string(domain.StatusRejected), VI: "Từ chối", EN: "Rejected"},
		},
	}
}
