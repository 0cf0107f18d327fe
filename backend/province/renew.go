package province

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"giaydiduong/backend/pki"
)

// RenewWindow is how long before its expiry an office certificate may be renewed. The old
// certificate stays valid until it expires, so offices switch over without a gap.
const RenewWindow = 90 * 24 * time.Hour

// Renew issues a fresh certificate for the key of the office certificate the request came
// with (sess), when that certificate is within RenewWindow of its expiry. The key stays the
// same: a new key comes with a new enrollment (or, later, the office key in the TPM).
func (s *Service) Renew(ctx context.Context, sess OfficeSession, csrPEM string) (Enrollment, error) {
	keys, err := s.keys()
	if err != nil {
		return Enrollment{}, err
	}
	csr, err := pki.ParseCSR([]byte(csrPEM))
	if err != nil {
		return Enrollment{}, &Error{Kind: KindInvalid, VI: "Yêu cầu cấp chứng thư (CSR) không hợp lệ", EN: "Invalid certificate signing request", cause: err}
	}
	keyHash, err := pki.KeyHash(csr.PublicKey)
	if err != nil {
		return Enrollment{}, err
	}
	var out Enrollment
	err = s.write(ctx, func(tx *gorm.DB, at time.Time) error {
		cur, ok, err := findCert(tx, sess.Serial)
		if err != nil {
			return err
		}
		if !ok || cur.RevokedAt != nil {
			return newErr(KindUnauthenticated, "Chứng thư của văn phòng đã bị thu hồi", "The office certificate has been revoked")
		}
		if cur.KeyHash != keyHash {
			return newErr(KindUnprocessable, "Gia hạn chứng thư phải dùng lại khóa hiện tại của văn phòng", "A renewal keeps the office's current key")
		}
		if at.Before(cur.NotAfter.Add(-RenewWindow)) {
			return newErr(KindConflict, fmt.Sprintf("Chưa đến hạn gia hạn: chứng thư còn hiệu lực đến %s", cur.NotAfter.Format("02/01/2006")), fmt.Sprintf("Not due for renewal: the certificate is valid until %s", cur.NotAfter.Format(time.DateOnly)))
		}
		o, ok, err := findOffice(tx, sess.OfficeID)
		if err != nil {
			return err
		}
		if !ok || o.Status != OfficeActive {
			return newErr(KindForbidden, "Văn phòng không còn hoạt động", "The office is not active")
		}
		cert, err := pki.IssueOffice(keys.ca, csr.PublicKey, pki.OfficeIdentity{OfficeID: o.ID, UnitCode: o.UnitCode}, at, pki.OfficeValidity)
		if err != nil {
			return err
		}
		row := officeCertRow{Serial: SerialOf(cert), OfficeID: o.ID, KeyHash: keyHash, Cert: string(pki.EncodeCerts(cert)), NotBefore: cert.NotBefore.UTC(), NotAfter: cert.NotAfter.UTC(), IssuedAt: at}
		if err := tx.Create(&row).Error; err != nil {
			return fmt.Errorf("save office certificate: %w", err)
		}
		if err := s.audit(tx, at, "office:"+o.ID, "office.renew", "office_certificate", row.Serial, map[string]any{"office_id": o.ID, "previous": cur.Serial, "not_after": row.NotAfter}); err != nil {
			return err
		}
		out = s.enrollment(keys, o, row)
		return nil
	})
	return out, err
}
