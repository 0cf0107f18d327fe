package app

import (
	"bytes"
	"context"
	"crypto"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"path/filepath"
	"time"

	"giaydiduong/backend/auth"
	"giaydiduong/backend/permit"
	"giaydiduong/backend/store"
	"giaydiduong/backend/units"
)

const keyProvinceRoot = "province_root_pem"

// TrustStatus is what every verifying screen shows about the lists it checks against.
type TrustStatus struct {
	RootFingerprint    string    `json:"root_fingerprint"`
	TrustIssuedAt      time.Time `json:"trust_issued_at"`
	RevocationIssuedAt time.Time `json:"revocation_issued_at"`
	ImportedAt         time.Time `json:"imported_at"`
	Entries            int       `json:"entries"`
	Revoked            int       `json:"revoked"`
	AgeHours           float64   `json:"age_hours"`
	Stale              bool      `json:"stale"`
	MaxAgeHours        int       `json:"max_age_hours"`
}

// MaxTrustAge is how old the lists may be before verification warns.
const MaxTrustAge = 7 * 24 * time.Hour

// provinceRoot is the pinned provincial root public key.
func (a *App) provinceRoot(ctx context.Context) (crypto.PublicKey, error) {
	s, err := a.read(ctx).Setting(keyProvinceRoot)
	if err != nil {
		if isNotFound(err) {
			dept := units.DefaultDepartment
			if o, err := a.Office(ctx); err == nil && o != nil {
				dept = o.Department
			}
			return nil, newError(CodeConflict, "Chưa cài khoá gốc của tỉnh: hãy nhập tệp khoá gốc do "+dept+" cấp", "The provincial root key is not installed")
		}
		return nil, err
	}
	return permit.ParsePublicKeyPEM([]byte(s.Value))
}

// PinProvinceRoot installs the provincial root public key (office admin, once).
func (a *App) PinProvinceRoot(ctx context.Context, actor Actor, pemData []byte) error {
	if err := a.require(actor, auth.ManageSettings); err != nil {
		return err
	}
	pub, err := permit.ParsePublicKeyPEM(pemData)
	if err != nil {
		return invalid("root", "bad_key", "Tệp khoá gốc không hợp lệ", "Not a valid root public key")
	}
	return a.write(ctx, actor.Username, func(c *change) error { return c.pinRoot(pub) })
}

func (c *change) pinRoot(pub crypto.PublicKey) error {
	pemData, err := permit.MarshalPublicKeyPEM(pub)
	if err != nil {
		return err
	}
	cur, err := c.q.Setting(keyProvinceRoot)
	if err == nil && cur.Value != string(pemData) {
		return newError(CodeConflict, "Khoá gốc của tỉnh đã được cài và khác khoá này", "A different provincial root key is already installed")
	}
	if err == nil {
		return nil
	}
	if !isNotFound(err) {
		return err
	}
	row := store.Setting{Key: keyProvinceRoot, Value: string(pemData), Version: 1, UpdatedAt: c.at}
	if err := c.q.InsertSetting(&row); err != nil {
		return err
	}
	fp, _ := permit.Fingerprint(pub)
	return c.record("trust.pin_root", "setting", keyProvinceRoot, nil, map[string]string{"fingerprint": fp})
}

// ImportTrustBundle checks a provincial bundle against the pinned root and makes it current
// (office admin). An older bundle than the current one is refused, so lists never go back.
func (a *App) ImportTrustBundle(ctx context.Context, actor Actor, data []byte) (TrustStatus, error) {
	if err := a.require(actor, auth.ManageSettings); err != nil {
		return TrustStatus{}, err
	}
	root, err := a.provinceRoot(ctx)
	if err != nil {
		return TrustStatus{}, err
	}
	tl, rl, err := permit.ParseBundle(data, root)
	if err != nil {
		return TrustStatus{}, &Error{Code: CodeValidation, VI: "Tệp danh sách tin cậy không hợp lệ hoặc không do tỉnh ký", EN: "The trust bundle is invalid or not signed by the province",
			Fields: nil, cause: err}
	}
	err = a.write(ctx, actor.Username, func(c *change) error { return c.storeBundle(data, root, tl, rl) })
	if err != nil {
		return TrustStatus{}, err
	}
	return a.trustStatus(ctx)
}

func (c *change) storeBundle(data []byte, root crypto.PublicKey, tl *permit.TrustList, rl *permit.RevocationList) error {
	cur, err := c.q.LatestTrustBundle()
	if err != nil && !isNotFound(err) {
		return err
	}
	if err == nil && bytes.Equal(cur.Bundle, data) {
		return nil // the same file again: nothing changes
	}
	if err == nil && (tl.IssuedAt.Before(cur.TrustIssuedAt) || rl.IssuedAt.Before(cur.RevocationIssuedAt)) {
		return newError(CodeConflict, "Tệp danh sách cũ hơn danh sách đang dùng", "The bundle is older than the current lists")
	}
	fp, _ := permit.Fingerprint(root)
	b := store.TrustBundle{RootFingerprint: fp, Bundle: data, TrustIssuedAt: tl.IssuedAt.UTC(), RevocationIssuedAt: rl.IssuedAt.UTC(), ImportedAt: c.at, ImportedBy: c.actor}
	if err := c.q.InsertTrustBundle(&b); err != nil {
		return err
	}
	return c.record("trust.import", "trust_bundle", fmt.Sprint(b.ID), nil,
		map[string]any{"trust_issued_at": b.TrustIssuedAt, "revocation_issued_at": b.RevocationIssuedAt, "entries": len(tl.Entries), "revoked": len(rl.Entries)})
}

// lists returns the current provincial lists with the office's own revocations added: the
// office knows its own revocations before the province republishes.
func (a *App) lists(ctx context.Context) (*permit.TrustList, *permit.RevocationList, *store.TrustBundle, error) {
	root, err := a.provinceRoot(ctx)
	if err != nil {
		return nil, nil, nil, err
	}
	q := a.read(ctx)
	b, err := q.LatestTrustBundle()
	if err != nil {
		if isNotFound(err) {
			return nil, nil, nil, newError(CodeConflict, "Chưa có danh sách tin cậy của tỉnh: hãy nhập tệp danh sách", "No provincial trust list has been imported")
		}
		return nil, nil, nil, err
	}
	tl, rl, err := permit.ParseBundle(b.Bundle, root)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("stored trust bundle: %w", err)
	}
	local, err := q.RevokedPermits()
	if err != nil {
		return nil, nil, nil, err
	}
	merged := *rl
	merged.Entries = append([]permit.RevocationEntry(nil), rl.Entries...)
	for _, p := range local {
		if _, ok := rl.Lookup(p.Number); !ok && p.RevokedAt != nil {
			merged.Entries = append(merged.Entries, permit.RevocationEntry{Number: p.Number, Reason: p.RevokeReason, RevokedAt: *p.RevokedAt})
		}
	}
	return tl, &merged, &b, nil
}

// TrustStatus reports the current lists and their age.
func (a *App) TrustStatus(ctx context.Context, actor Actor) (TrustStatus, error) {
	if err := a.require(actor, auth.ViewApplications); err != nil {
		return TrustStatus{}, err
	}
	return a.trustStatus(ctx)
}

func (a *App) trustStatus(ctx context.Context) (TrustStatus, error) {
	tl, rl, b, err := a.lists(ctx)
	if err != nil {
		return TrustStatus{}, err
	}
	age := a.Now().Sub(tl.IssuedAt)
	return TrustStatus{RootFingerprint: b.RootFingerprint, TrustIssuedAt: tl.IssuedAt, RevocationIssuedAt: rl.IssuedAt, ImportedAt: b.ImportedAt,
		Entries: len(tl.Entries), Revoked: len(rl.Entries), AgeHours: age.Hours(), Stale: age > MaxTrustAge, MaxAgeHours: int(MaxTrustAge.Hours())}, nil
}

// ExportTrustBundle writes the lists for verifiers. The demo office holds its own stand-in
// root, so it re-signs with its local revocations; a real office passes on the province's file.
func (a *App) ExportTrustBundle(ctx context.Context, actor Actor) ([]byte, error) {
	if err := a.require(actor, auth.ViewApplications); err != nil {
		return nil, err
	}
	tl, rl, b, err := a.lists(ctx)
	if err != nil {
		return nil, err
	}
	rootKey := filepath.Join(a.dir, DemoRootKeyFile)
	if !keyFileExists(rootKey) {
		return b.Bundle, nil
	}
	root, err := permit.LoadSoftwareSigner(rootKey)
	if err != nil {
		return nil, err
	}
	rl.IssuedAt = a.Now().UTC().Truncate(time.Second)
	tl.IssuedAt = rl.IssuedAt
	return permit.BuildBundle(ctx, *tl, *rl, root, root.Public())
}

// EnrollmentRequest is what an office sends the province so its key joins the trust list.
type EnrollmentRequest struct {
	KeyID     string `json:"key_id"`
	Kind      string `json:"kind"`
	Algorithm string `json:"algorithm"`
	PublicKey string `json:"public_key"`
	Officer   string `json:"officer"`
	// OfficerUsername is the approver's account at the office (empty for the office key).
	OfficerUsername string `json:"officer_username,omitempty"`
	UnitCode        string `json:"unit_code"`
	// Certificate is the PKCS#11 token's X.509 certificate (DER, base64 in JSON).
	Certificate []byte `json:"certificate,omitempty"`
	TokenLabel  string `json:"token_label,omitempty"`
	// AttestationFormat is the FIDO key's attestation format at enrolment ("none" is usual
	// for software keys), so the province can tell software keys from hardware.
	AttestationFormat string     `json:"attestation_format,omitempty"`
	ValidFrom         *time.Time `json:"valid_from,omitempty"`
	ValidTo           *time.Time `json:"valid_to,omitempty"`
	CreatedAt         time.Time  `json:"created_at"`
}

// EnrollmentRequests lists the office's keys as trust-list requests for the province
// (office admin, who sends them).
func (a *App) EnrollmentRequests(ctx context.Context, actor Actor) ([]byte, error) {
	if err := a.require(actor, auth.ManageSettings); err != nil {
		return nil, err
	}
	keys, err := a.read(ctx).SigningKeys()
	if err != nil {
		return nil, err
	}
	_, usernames, err := a.read(ctx).UserNames(keyUsers(keys))
	if err != nil {
		return nil, err
	}
	out := make([]EnrollmentRequest, len(keys))
	for i, k := range keys {
		out[i] = EnrollmentRequest{KeyID: k.KeyID, Kind: k.Kind, Algorithm: k.Algorithm, PublicKey: k.PublicKey, Officer: k.Officer, UnitCode: k.UnitCode,
			Certificate: k.Certificate, TokenLabel: k.TokenLabel, AttestationFormat: k.AttestationFormat, ValidFrom: k.ValidFrom, ValidTo: k.ValidTo, CreatedAt: k.CreatedAt}
		if k.UserID != nil {
			out[i].OfficerUsername = usernames[*k.UserID]
		}
	}
	return json.MarshalIndent(out, "", "  ")
}

// seedDemoTrust makes the demo office its own province: a stand-in root signs a trust list
// holding the office key, so issuing and verifying work out of the box.
func (a *App) seedDemoTrust(ctx context.Context, actor string) error {
	root, err := loadOrCreateKey(filepath.Join(a.dir, DemoRootKeyFile))
	if err != nil {
		return err
	}
	keys, err := a.read(ctx).SigningKeys()
	if err != nil {
		return err
	}
	now := a.Now().UTC().Truncate(time.Second)
	tl := permit.TrustList{IssuedAt: now}
	for _, k := range keys {
		if k.Algorithm != "ES256" {
			continue // an RSA certificate signs PDFs, never a QR
		}
		pub, err := permit.ParsePublicKeyPEM([]byte(k.PublicKey))
		if err != nil {
			return err
		}
		der, err := x509.MarshalPKIXPublicKey(pub)
		if err != nil {
			return err
		}
		kid, _ := permit.KeyIDOf(pub)
		from, to := k.CreatedAt, k.CreatedAt.AddDate(5, 0, 0)
		if k.ValidFrom != nil && k.ValidTo != nil {
			from, to = *k.ValidFrom, *k.ValidTo
		}
		tl.Entries = append(tl.Entries, permit.TrustEntry{KeyID: kid, PublicKey: der, Officer: k.Officer, UnitCode: k.UnitCode,
			ValidFrom: from.UTC().Truncate(time.Second), ValidTo: to.UTC().Truncate(time.Second)})
	}
	rl := permit.RevocationList{IssuedAt: now}
	if _, cur, _, err := a.lists(ctx); err == nil {
		rl.Entries = cur.Entries // re-signing for a new key keeps every revocation
	}
	data, err := permit.BuildBundle(ctx, tl, rl, root, root.Public())
	if err != nil {
		return err
	}
	return a.write(ctx, actor, func(c *change) error {
		if err := c.pinRoot(root.Public()); err != nil {
			return err
		}
		return c.storeBundle(data, root.Public(), &tl, &rl)
	})
}
