package province

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"giaydiduong/backend/pki"
)

// Enrollment limits: a code dies after five wrong secrets; a client address that failed
// twenty times in fifteen minutes waits (counted in the database, so across instances).
const (
	MaxCodeAttempts   = 5
	FailureWindow     = 15 * time.Minute
	MaxClientFailures = 20
)

// EnrollRequest is what an office sends with its one-time code.
type EnrollRequest struct {
	Code string `json:"code"`
	// CSR is a PEM certificate request signed by the office's own new key.
	CSR string `json:"csr"`
	// UnitCode is the office's own unit; a code made for another unit is refused before it is
	// used, so a mix-up at the province does not burn the code.
	UnitCode string `json:"unit_code"`
}

// Enrollment is the answer: the office's certificate, the CA that issued it and the root to
// pin. The same key asking again gets the same answer.
type Enrollment struct {
	OfficeID    string    `json:"office_id"`
	UnitCode    string    `json:"unit_code"`
	Serial      string    `json:"serial"`
	NotAfter    time.Time `json:"not_after"`
	Certificate string    `json:"certificate"`
	CA          string    `json:"ca"`
	Root        string    `json:"root"`
	RootKeyHash string    `json:"root_key_hash"`
}

var errLostRace = errors.New("another request claimed the code first")

func errWrongCode() *Error {
	return newErr(KindUnauthenticated, "Mã đăng ký không đúng", "Wrong enrollment code")
}

// Enroll exchanges a one-time code and a certificate request for an office certificate.
// client identifies the caller (its address) for the rate limit.
func (s *Service) Enroll(ctx context.Context, req EnrollRequest, client string) (Enrollment, error) {
	keys, err := s.keys()
	if err != nil {
		return Enrollment{}, err
	}
	now := s.now()
	db := s.db.WithContext(ctx)
	n, err := countFailuresSince(db, client, now.Add(-FailureWindow))
	if err != nil {
		return Enrollment{}, err
	}
	if n >= MaxClientFailures {
		return Enrollment{}, newErr(KindRateLimited, "Quá nhiều lần nhập sai mã đăng ký; thử lại sau 15 phút", "Too many failed enrollments; try again in 15 minutes")
	}
	code, err := pki.ParseEnrollmentCode(req.Code)
	if err != nil {
		s.countFailure(ctx, client, "", now)
		return Enrollment{}, newErr(KindInvalid, "Mã đăng ký phải gồm 28 chữ và số (các nhóm 4 ký tự)", "The enrollment code must be 28 letters and digits (groups of 4)")
	}
	csr, err := pki.ParseCSR([]byte(req.CSR))
	if err != nil {
		return Enrollment{}, &Error{Kind: KindInvalid, VI: "Yêu cầu cấp chứng thư (CSR) không hợp lệ", EN: "Invalid certificate signing request", cause: err}
	}
	keyHash, err := pki.KeyHash(csr.PublicKey)
	if err != nil {
		return Enrollment{}, err
	}
	for range 2 { // a second pass only after losing a race to claim the code
		out, wrongSecret, err := s.enrollOnce(ctx, keys, code, csr, keyHash, strings.TrimSpace(req.UnitCode))
		if wrongSecret {
			s.countFailure(ctx, client, code.Selector, now)
		}
		if errors.Is(err, errLostRace) {
			continue
		}
		if err == nil {
			s.Log.Info("office enrolled", "office", out.OfficeID, "unit", out.UnitCode, "serial", out.Serial)
		}
		return out, err
	}
	return Enrollment{}, fmt.Errorf("enroll: %w", errLostRace)
}

func (s *Service) enrollOnce(ctx context.Context, keys *onlineKeys, code pki.EnrollmentCode, csr *x509.CertificateRequest, keyHash, unit string) (out Enrollment, wrongSecret bool, err error) {
	err = s.write(ctx, func(tx *gorm.DB, at time.Time) error {
		c, ok, err := findCode(tx, code.Selector)
		if err != nil {
			return err
		}
		if !ok {
			wrongSecret = true
			return errWrongCode()
		}
		if c.FailedAttempts >= MaxCodeAttempts {
			return newErr(KindGone, "Mã đăng ký đã bị khóa vì nhập sai quá nhiều lần; xin tỉnh cấp mã mới", "The code is locked after too many wrong tries; ask the province for a new one")
		}
		if !code.MatchesSecret(c.SecretHash) {
			wrongSecret = true
			return errWrongCode()
		}
		o, ok, err := findOffice(tx, c.OfficeID)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("enrollment code %s names a missing office", c.Selector)
		}
		if o.Status == OfficeRevoked {
			return newErr(KindForbidden, "Văn phòng này đã bị thu hồi", "This office has been revoked")
		}
		if unit != "" && unit != o.UnitCode {
			return newErr(KindUnprocessable, fmt.Sprintf("Mã đăng ký này cấp cho đơn vị %s, không phải đơn vị %s của văn phòng", o.UnitCode, unit), fmt.Sprintf("This code is for unit %s, not the office's unit %s", o.UnitCode, unit))
		}
		if c.UsedAt != nil {
			if c.KeyHash == nil || *c.KeyHash != keyHash || c.CertSerial == nil {
				return newErr(KindConflict, "Mã đăng ký đã được dùng cho một khóa khác", "The code was already used with another key")
			}
			// The same key again: the answer was lost on the way; give it again.
			cert, ok, err := findCert(tx, *c.CertSerial)
			if err != nil {
				return err
			}
			if !ok {
				return fmt.Errorf("enrollment code %s names a missing certificate", c.Selector)
			}
			if cert.RevokedAt != nil {
				return newErr(KindForbidden, "Chứng thư cấp theo mã này đã bị thu hồi", "The certificate issued for this code has been revoked")
			}
			out = s.enrollment(keys, o, cert)
			return nil
		}
		if at.After(c.ExpiresAt) {
			return newErr(KindGone, "Mã đăng ký đã hết hạn; xin tỉnh cấp mã mới", "The enrollment code has expired; ask the province for a new one")
		}
		cert, err := pki.IssueOffice(keys.ca, csr.PublicKey, pki.OfficeIdentity{OfficeID: o.ID, UnitCode: o.UnitCode}, at, pki.OfficeValidity)
		if err != nil {
			return err
		}
		row := officeCertRow{Serial: SerialOf(cert), OfficeID: o.ID, KeyHash: keyHash, Cert: string(pki.EncodeCerts(cert)), NotBefore: cert.NotBefore.UTC(), NotAfter: cert.NotAfter.UTC(), IssuedAt: at}
		claimed, err := claimCode(tx, c.Selector, keyHash, row.Serial, at)
		if err != nil {
			return err
		}
		if !claimed {
			return errLostRace
		}
		if err := tx.Create(&row).Error; err != nil {
			return fmt.Errorf("save office certificate: %w", err)
		}
		if err := setOfficeStatus(tx, o.ID, OfficeActive, nil); err != nil {
			return err
		}
		if err := s.audit(tx, at, "office:"+o.ID, "office.enroll", "office_certificate", row.Serial, map[string]any{"office_id": o.ID, "unit_code": o.UnitCode, "key_hash": keyHash, "not_after": row.NotAfter}); err != nil {
			return err
		}
		out = s.enrollment(keys, o, row)
		return nil
	})
	return out, wrongSecret, err
}

func (s *Service) enrollment(keys *onlineKeys, o officeRow, c officeCertRow) Enrollment {
	return Enrollment{OfficeID: o.ID, UnitCode: o.UnitCode, Serial: c.Serial, NotAfter: c.NotAfter, Certificate: c.Cert,
		CA: string(pki.EncodeCerts(keys.ca.Cert)), Root: string(pki.EncodeCerts(keys.root)), RootKeyHash: keys.rootHash}
}

// countFailure records a failed attempt for the client (and the code, when one was named),
// outside the refused request's transaction, which rolled back.
func (s *Service) countFailure(ctx context.Context, client, selector string, at time.Time) {
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := pruneFailures(tx, at.Add(-FailureWindow)); err != nil {
			return err
		}
		if err := recordFailure(tx, newID(), client, at); err != nil {
			return err
		}
		if selector != "" {
			return countCodeFailure(tx, selector)
		}
		return nil
	})
	if err != nil {
		s.Log.Error("count failed enrollment", "err", err)
	}
}

// SerialOf is how certificates are named in the database: lower-case hex.
func SerialOf(c *x509.Certificate) string { return c.SerialNumber.Text(16) }
