package province

import (
	"context"
	"crypto/x509"

	"giaydiduong/backend/pki"
)

// OfficeSession is the office a request speaks for, decided per request.
type OfficeSession struct {
	OfficeID string `json:"office_id"`
	UnitCode string `json:"unit_code"`
	Serial   string `json:"serial"`
}

// AuthorizeOffice decides whether a client certificate (already verified to chain to the
// office CA by the TLS layer) still speaks for its office: issued by this province, not
// revoked, inside its validity now, and its office active. It runs on every request, not
// only at the handshake: Go does not re-verify a resumed session, and a kept-alive
// connection outlives a revocation.
func (s *Service) AuthorizeOffice(ctx context.Context, cert *x509.Certificate) (OfficeSession, error) {
	refused := func(vi, en string) (OfficeSession, error) {
		return OfficeSession{}, newErr(KindUnauthenticated, vi, en)
	}
	if cert == nil {
		return refused("Cần chứng thư của văn phòng (TLS hai chiều)", "An office certificate is required (mutual TLS)")
	}
	id, err := pki.OfficeIdentityOf(cert)
	if err != nil {
		return refused("Chứng thư không phải của một văn phòng", "Not an office certificate")
	}
	db := s.db.WithContext(ctx)
	row, ok, err := findCert(db, SerialOf(cert))
	if err != nil {
		return OfficeSession{}, err
	}
	if !ok || row.OfficeID != id.OfficeID {
		return refused("Chứng thư không do tỉnh cấp", "The certificate was not issued by this province")
	}
	if row.RevokedAt != nil {
		return refused("Chứng thư của văn phòng đã bị thu hồi", "The office certificate has been revoked")
	}
	now := s.now()
	if now.Before(row.NotBefore) || now.After(row.NotAfter) {
		return refused("Chứng thư của văn phòng đã hết hạn hoặc chưa có hiệu lực", "The office certificate has expired or is not yet valid")
	}
	o, ok, err := findOffice(db, row.OfficeID)
	if err != nil {
		return OfficeSession{}, err
	}
	if !ok || o.Status != OfficeActive || o.UnitCode != id.UnitCode {
		return refused("Văn phòng không còn hoạt động", "The office is not active")
	}
	return OfficeSession{OfficeID: o.ID, UnitCode: o.UnitCode, Serial: row.Serial}, nil
}
