package store

import (
	"encoding/json"
	"fmt"

	"giaydiduong/backend/audit"
	"giaydiduong/backend/domain"
	"giaydiduong/backend/syncwire"
)

// The wire form of each synced row: what the outbox queues. Kept beside the rows so a column
// added to a table is seen next to the record it must (or must not) reach.

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// Wire is the application's sync record.
func (a Application) Wire() syncwire.Application {
	return syncwire.Application{
		ID: a.ID, Version: a.Version, OfficeUnitCode: a.OfficeUnitCode, Status: a.Status, FullName: a.FullName, BirthDate: a.BirthDate,
		Gender: a.Gender, IDNumber: a.IDNumber, Phone: a.Phone, ResidenceCommuneCode: a.ResidenceCommuneCode, ResidenceStreet: a.ResidenceStreet,
		Workplace: a.Workplace, PurposeCode: a.PurposeCode, RouteFrom: a.RouteFrom, RouteTo: a.RouteTo, VehicleType: a.VehicleType,
		VehiclePlate: a.VehiclePlate, ValidFrom: a.ValidFrom, ValidTo: a.ValidTo, Note: a.Note, RejectReason: a.RejectReason,
		RulesVersion: a.RulesVersion, CreatedBy: a.CreatedBy, DecidedBy: str(a.DecidedBy), DecidedAt: syncwire.TimePtr(a.DecidedAt),
		CreatedAt: syncwire.Time(a.CreatedAt), UpdatedAt: syncwire.Time(a.UpdatedAt),
	}
}

// Wire is the permit's sync record (the copy count is local and not in it).
func (p Permit) Wire() syncwire.Permit {
	return syncwire.Permit{
		ID: p.ID, Version: p.Version, Number: p.Number, UnitCode: p.UnitCode, Year: p.Year, Seq: p.Seq, ApplicationID: p.ApplicationID,
		Status: p.Status, QR: p.QR, KeyID: p.KeyID, SignatureKind: p.SignatureKind, SignerName: p.SignerName, SignerTitle: p.SignerTitle,
		IssuedAt: syncwire.Time(p.IssuedAt), IssuedBy: p.IssuedBy, HandSignedAt: syncwire.TimePtr(p.HandSignedAt),
		HandedOverAt: syncwire.TimePtr(p.HandedOverAt), HandSignedBy: str(p.HandSignedBy), HandSignedPage: str(p.HandSignedPage), HandedOverBy: str(p.HandedOverBy), RevokedAt: syncwire.TimePtr(p.RevokedAt), RevokeReason: p.RevokeReason,
		RevokedBy: str(p.RevokedBy), SignedAt: syncwire.TimePtr(p.SignedAt), SignedBy: str(p.SignedBy), SignedPDF: p.SignedPDF,
		Channel: p.Channel, PaperNumber: p.PaperNumber, IssuedOn: p.IssuedOn, PurposeCode: p.PurposeCode,
		CreatedAt: syncwire.Time(p.CreatedAt), UpdatedAt: syncwire.Time(p.UpdatedAt),
	}
}

// Wire is the account's sync record, without the password hash or the sign-in counters.
func (u User) Wire() syncwire.Account {
	return syncwire.Account{ID: u.ID, Version: u.Version, Username: u.Username, FullName: u.FullName, Title: u.Title, Role: u.Role,
		Active: u.Active, CreatedAt: syncwire.Time(u.CreatedAt), UpdatedAt: syncwire.Time(u.UpdatedAt)}
}

// Wire is the key's trust-list request.
func (k SigningKey) Wire() syncwire.SigningKeyRequest {
	return syncwire.SigningKeyRequest{KeyID: k.KeyID, Version: k.Version, Kind: k.Kind, Algorithm: k.Algorithm, PublicKey: k.PublicKey,
		Officer: k.Officer, UnitCode: k.UnitCode, UserID: str(k.UserID), CredentialID: k.CredentialID, Protocol: k.Protocol,
		Certificate: k.Certificate, TokenLabel: k.TokenLabel, ValidFrom: syncwire.TimePtr(k.ValidFrom), ValidTo: syncwire.TimePtr(k.ValidTo),
		CreatedAt: syncwire.Time(k.CreatedAt)}
}

// Wire is the office's sync record.
func (o Office) Wire() syncwire.Office {
	return syncwire.Office{ID: o.ID, Version: o.Version, Name: o.Name, AgencyKind: o.AgencyKind, UnitCode: o.UnitCode, Demo: o.Demo,
		CreatedAt: syncwire.Time(o.CreatedAt), UpdatedAt: syncwire.Time(o.UpdatedAt)}
}

// Wire is the setting's sync record.
func (s Setting) Wire() syncwire.Setting {
	return syncwire.Setting{Name: s.Key, Value: s.Value, Version: s.Version, UpdatedAt: syncwire.Time(s.UpdatedAt)}
}

// Wire is the rules version's sync record.
func (r RulesRow) Wire() (syncwire.Rules, error) {
	var purposes []syncwire.Purpose
	if err := json.Unmarshal([]byte(r.Purposes), &purposes); err != nil {
		return syncwire.Rules{}, fmt.Errorf("rules v%d purposes: %w", r.RuleVersion, err)
	}
	if purposes == nil {
		purposes = []syncwire.Purpose{}
	}
	return syncwire.Rules{ID: r.ID, Version: r.Version, UnitCode: r.UnitCode, RuleVersion: r.RuleVersion, PermitsRequired: r.PermitsRequired,
		Purposes: purposes, MaxDays: r.MaxDays, CurfewStart: r.CurfewStart, CurfewEnd: r.CurfewEnd, UpdatedBy: r.UpdatedBy,
		CreatedAt: syncwire.Time(r.CreatedAt), EffectiveFrom: r.EffectiveFrom}, nil
}

// AuditWire is an audit event's sync record, exactly as chained (its hash still checks).
func AuditWire(e audit.Event) syncwire.AuditEvent {
	return syncwire.AuditEvent{Seq: e.Seq, ID: e.ID, At: e.At, Actor: e.Actor, Action: e.Action, Entity: e.Entity, EntityID: e.EntityID,
		Data: e.Data, PrevHash: e.PrevHash, Hash: e.Hash}
}

// Wire is the imported bundle's sync record (the signed file itself, as the province issued it).
func (b TrustBundle) Wire() syncwire.TrustList {
	return syncwire.TrustList{ID: fmt.Sprint(b.ID), Version: 1, RootFingerprint: b.RootFingerprint, Bundle: b.Bundle,
		TrustIssuedAt: syncwire.Time(b.TrustIssuedAt), RevocationIssuedAt: syncwire.Time(b.RevocationIssuedAt)}
}

// Revocation is a revoked permit's revocation record; ok is false for a permit not revoked.
func (p Permit) Revocation() (syncwire.Revocation, bool) {
	if p.RevokedAt == nil {
		return syncwire.Revocation{}, false
	}
	return syncwire.Revocation{Number: p.Number, Version: p.Version, UnitCode: p.UnitCode, Reason: p.RevokeReason,
		RevokedAt: syncwire.TimePtr(p.RevokedAt), RevokedBy: str(p.RevokedBy)}, true
}

// UnitWire is an administrative unit's sync record.
func UnitWire(u domain.Unit) syncwire.Unit {
	return syncwire.Unit{Code: u.Code, Version: 1, Name: u.Name, Level: string(u.Level), ParentCode: u.ParentCode, Type: u.Type}
}
