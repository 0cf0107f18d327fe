package province

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode"

	"gorm.io/gorm"

	"giaydiduong/backend/pki"
)

// DefaultCodeTTL is how long an enrollment code can be used.
const DefaultCodeTTL = 72 * time.Hour

// NewOfficeInput creates an office for a unit.
type NewOfficeInput struct {
	UnitCode string        `json:"unit_code"`
	Name     string        `json:"name"`
	CodeTTL  time.Duration `json:"-"`
}

// NewOffice is the office created and its one-time code, shown once and never stored.
type NewOffice struct {
	OfficeID    string    `json:"office_id"`
	UnitCode    string    `json:"unit_code"`
	Name        string    `json:"name"`
	Code        string    `json:"code"`
	ExpiresAt   time.Time `json:"expires_at"`
	RootKeyHash string    `json:"root_key_hash"`
}

// Office is an office as the admin lists it.
type Office struct {
	ID           string        `json:"id"`
	UnitCode     string        `json:"unit_code"`
	Name         string        `json:"name"`
	Status       string        `json:"status"`
	CreatedAt    time.Time     `json:"created_at"`
	RevokedAt    *time.Time    `json:"revoked_at,omitempty"`
	Certificates []Certificate `json:"certificates"`
}

// Certificate is an issued office certificate.
type Certificate struct {
	Serial       string     `json:"serial"`
	KeyHash      string     `json:"key_hash"`
	NotBefore    time.Time  `json:"not_before"`
	NotAfter     time.Time  `json:"not_after"`
	RevokedAt    *time.Time `json:"revoked_at,omitempty"`
	RevokeReason string     `json:"revoke_reason,omitempty"`
}

// validUnitCode: the national code of a unit is 2 to 5 digits. Whether the unit exists is
// the unit feed's business (a later issue); the format catches typos now.
func validUnitCode(code string) bool {
	if len(code) < 2 || len(code) > 5 {
		return false
	}
	for _, r := range code {
		if !unicode.IsDigit(r) {
			return false
		}
	}
	return true
}

// AddOffice creates an office for a unit and its one-time enrollment code.
func (s *Service) AddOffice(ctx context.Context, actor string, in NewOfficeInput) (NewOffice, error) {
	in.UnitCode = strings.TrimSpace(in.UnitCode)
	if !validUnitCode(in.UnitCode) {
		return NewOffice{}, newErr(KindInvalid, "Mã đơn vị hành chính (--unit) phải gồm 2 đến 5 chữ số", "The unit code (--unit) must be 2 to 5 digits")
	}
	if in.CodeTTL <= 0 {
		in.CodeTTL = DefaultCodeTTL
	}
	if in.CodeTTL > 30*24*time.Hour {
		return NewOffice{}, newErr(KindInvalid, "Thời hạn mã đăng ký tối đa 30 ngày", "An enrollment code lasts at most 30 days")
	}
	rootHash, err := s.RootKeyHash(ctx)
	if err != nil {
		return NewOffice{}, err
	}
	code, err := pki.NewEnrollmentCode(rootHash)
	if err != nil {
		return NewOffice{}, err
	}
	out := NewOffice{OfficeID: newID(), UnitCode: in.UnitCode, Name: strings.TrimSpace(in.Name), Code: code.String(), RootKeyHash: rootHash}
	if out.Name == "" {
		out.Name = "Văn phòng " + in.UnitCode
	}
	err = s.write(ctx, func(tx *gorm.DB, at time.Time) error {
		out.ExpiresAt = at.Add(in.CodeTTL)
		if err := tx.Create(&officeRow{ID: out.OfficeID, UnitCode: out.UnitCode, Name: out.Name, Status: OfficePending, CreatedAt: at}).Error; err != nil {
			return fmt.Errorf("create office: %w", err)
		}
		c := enrollmentCodeRow{Selector: code.Selector, SecretHash: code.SecretHash(), OfficeID: out.OfficeID, CreatedAt: at, ExpiresAt: out.ExpiresAt}
		if err := tx.Create(&c).Error; err != nil {
			return fmt.Errorf("save enrollment code: %w", err)
		}
		return s.audit(tx, at, actor, "office.create", "office", out.OfficeID, map[string]any{"unit_code": out.UnitCode, "name": out.Name, "code_expires_at": out.ExpiresAt})
	})
	if err != nil {
		return NewOffice{}, err
	}
	return out, nil
}

// Offices lists the offices (of one unit, or all) with their certificates.
func (s *Service) Offices(ctx context.Context, unit string) ([]Office, error) {
	db := s.db.WithContext(ctx)
	rows, err := listOffices(db, unit)
	if err != nil {
		return nil, err
	}
	out := make([]Office, 0, len(rows))
	for _, r := range rows {
		o := Office{ID: r.ID, UnitCode: r.UnitCode, Name: r.Name, Status: r.Status, CreatedAt: r.CreatedAt, RevokedAt: r.RevokedAt, Certificates: []Certificate{}}
		certs, err := certsOfOffice(db, r.ID)
		if err != nil {
			return nil, err
		}
		for _, c := range certs {
			o.Certificates = append(o.Certificates, Certificate{Serial: c.Serial, KeyHash: c.KeyHash, NotBefore: c.NotBefore, NotAfter: c.NotAfter, RevokedAt: c.RevokedAt, RevokeReason: c.RevokeReason})
		}
		out = append(out, o)
	}
	return out, nil
}

// RevokeOffice revokes an office and every certificate it holds; its next request is refused,
// on an open connection too.
func (s *Service) RevokeOffice(ctx context.Context, actor, officeID, reason string) (int64, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return 0, newErr(KindInvalid, "Cần nêu lý do thu hồi (--reason)", "A reason for the revocation is required (--reason)")
	}
	var n int64
	err := s.write(ctx, func(tx *gorm.DB, at time.Time) error {
		o, ok, err := findOffice(tx, officeID)
		if err != nil {
			return err
		}
		if !ok {
			return newErr(KindNotFound, "Không tìm thấy văn phòng "+officeID, "No office "+officeID)
		}
		if o.Status == OfficeRevoked {
			return newErr(KindConflict, "Văn phòng đã bị thu hồi", "The office is already revoked")
		}
		if n, err = revokeCerts(tx, officeID, reason, at); err != nil {
			return err
		}
		if err := setOfficeStatus(tx, officeID, OfficeRevoked, &at); err != nil {
			return err
		}
		return s.audit(tx, at, actor, "office.revoke", "office", officeID, map[string]any{"reason": reason, "certificates": n})
	})
	return n, err
}

// RevokeCertificate revokes one office certificate (a lost or replaced key); the office
// stays and may enroll again with a new code.
func (s *Service) RevokeCertificate(ctx context.Context, actor, serial, reason string) error {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return newErr(KindInvalid, "Cần nêu lý do thu hồi (--reason)", "A reason for the revocation is required (--reason)")
	}
	serial = strings.ToLower(strings.TrimSpace(serial))
	return s.write(ctx, func(tx *gorm.DB, at time.Time) error {
		c, ok, err := findCert(tx, serial)
		if err != nil {
			return err
		}
		if !ok {
			return newErr(KindNotFound, "Không tìm thấy chứng thư "+serial, "No certificate "+serial)
		}
		if c.RevokedAt != nil {
			return newErr(KindConflict, "Chứng thư đã bị thu hồi", "The certificate is already revoked")
		}
		if err := revokeCert(tx, serial, reason, at); err != nil {
			return err
		}
		return s.audit(tx, at, actor, "certificate.revoke", "office_certificate", serial, map[string]string{"office_id": c.OfficeID, "reason": reason})
	})
}
