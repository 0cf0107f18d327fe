package app

import (
	"bytes"
	"context"
	"crypto"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strconv"
	"time"

	"giaydiduong/backend/auth"
	"giaydiduong/backend/permit"
	"giaydiduong/backend/store"
	"giaydiduong/backend/syncwire"
	"giaydiduong/backend/units"
)

const keyProvinceRoot = "province_root_pem"

// TrustStatus is what every verifying screen shows about the lists it checks against.
type TrustStatus struct {
	RootFingerprint    string    `json:"root_fingerprint"`
	TrustSequence      uint64    `json:"trust_sequence"`
	RevocationSequence uint64    `json:"revocation_sequence"`
	TrustIssuedAt      time.Time `json:"trust_issued_at"`
	RevocationIssuedAt time.Time `json:"revocation_issued_at"`
	// ExpiresAt is the earlier of the two lists' expiries; after it nothing verifies.
	ExpiresAt   time.Time `json:"expires_at"`
	Expired     bool      `json:"expired"`
	ImportedAt  time.Time `json:"imported_at"`
	Entries     int       `json:"entries"`
	Revoked     int       `json:"revoked"`
	AgeHours    float64   `json:"age_hours"`
	Stale       bool      `json:"stale"`
	MaxAgeHours int       `json:"max_age_hours"`
	// The province's revocations feed: how many it holds and when it was last pulled (nil:
	// never, the office is not enrolled or has not synced).
	ProvinceRevoked     int64      `json:"province_revoked"`
	RevocationsPulledAt *time.Time `json:"revocations_pulled_at"`
}

// MaxTrustAge is how old the lists may be before verification warns.
const MaxTrustAge = 7 * 24 * time.Hour

// demoListValidity is how long the demo office's own lists stay valid.
const demoListValidity = 90 * 24 * time.Hour

// trustStatusOf describes tl and rl at now.
func trustStatusOf(fp string, tl *permit.TrustList, rl *permit.RevocationList, now time.Time) TrustStatus {
	age := now.Sub(tl.IssuedAt)
	exp := tl.ExpiresAt
	if rl.ExpiresAt.Before(exp) {
		exp = rl.ExpiresAt
	}
	return TrustStatus{RootFingerprint: fp, TrustSequence: tl.Sequence, RevocationSequence: rl.Sequence, TrustIssuedAt: tl.IssuedAt, RevocationIssuedAt: rl.IssuedAt,
		ExpiresAt: exp, Expired: !now.Before(exp), Entries: len(tl.Entries), Revoked: len(rl.Entries),
		AgeHours: age.Hours(), Stale: age > MaxTrustAge, MaxAgeHours: int(MaxTrustAge.Hours())}
}

// provinceRoot is the pinned provincial root public key.
func (a *App) provinceRoot(ctx context.Context) (crypto.PublicKey, error) {
	s, err := a.read(ctx).Setting(keyProvinceRoot)
	if err != nil {
		if isNotFound(err) {
			dept := units.DefaultDepartment
			if o, err := a.Office(ctx); err == nil && o != nil {
				dept = o.Department
			}
			return nil, newError(CodeConflict, "Chưa cài khóa gốc của tỉnh: hãy nhập tệp khóa gốc do "+dept+" cấp", "The provincial root key is not installed")
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
		return invalid("root", "bad_key", "Tệp khóa gốc không hợp lệ", "Not a valid root public key")
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
		return newError(CodeConflict, "Khóa gốc của tỉnh đã được cài và khác khóa này", "A different provincial root key is already installed")
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
	if err := permit.CheckExpiry(tl, rl, a.Now()); err != nil {
		return TrustStatus{}, &Error{Code: CodeValidation, VI: "Tệp danh sách tin cậy đã hết hạn: hãy lấy tệp mới của tỉnh", EN: "The trust bundle has expired: get a new one from the province", cause: err}
	}
	err = a.write(ctx, actor.Username, func(c *change) error { return c.storeBundle(data, root, tl, rl) })
	if err != nil {
		return TrustStatus{}, err
	}
	return a.trustStatus(ctx)
}

func (c *change) storeBundle(data []byte, root crypto.PublicKey, tl *permit.TrustList, rl *permit.RevocationList) error {
	cur, err := c.q.LatestTrustBundle()
	switch {
	case err == nil && bytes.Equal(cur.Bundle, data):
		return nil // the same file again: nothing changes
	case err == nil && (tl.Sequence < cur.TrustSequence || rl.Sequence < cur.RevocationSequence):
		return newError(CodeConflict, fmt.Sprintf("Tệp danh sách cũ hơn danh sách đang dùng (số thứ tự %d/%d, đang dùng %d/%d)", tl.Sequence, rl.Sequence, cur.TrustSequence, cur.RevocationSequence),
			fmt.Sprintf("The bundle is older than the current lists (sequence %d/%d, current %d/%d)", tl.Sequence, rl.Sequence, cur.TrustSequence, cur.RevocationSequence))
	case err == nil && tl.Sequence == cur.TrustSequence && rl.Sequence == cur.RevocationSequence:
		// Same numbers, other content: one of the two files is not what the province published.
		return newError(CodeConflict, "Tệp danh sách có cùng số thứ tự với danh sách đang dùng nhưng nội dung khác", "The bundle has the current lists' sequence numbers but other content")
	case err != nil && !isNotFound(err):
		return fmt.Errorf("read trust bundle: %w", err)
	}
	fp, _ := permit.Fingerprint(root)
	texp, rexp := tl.ExpiresAt.UTC(), rl.ExpiresAt.UTC()
	b := store.TrustBundle{RootFingerprint: fp, Bundle: data, TrustIssuedAt: tl.IssuedAt.UTC(), RevocationIssuedAt: rl.IssuedAt.UTC(), ImportedAt: c.at, ImportedBy: c.actor,
		TrustSequence: tl.Sequence, RevocationSequence: rl.Sequence, TrustExpiresAt: &texp, RevocationExpiresAt: &rexp}
	if err := c.q.InsertTrustBundle(&b); err != nil {
		return fmt.Errorf("store trust bundle: %w", err)
	}
	return c.record("trust.import", "trust_bundle", fmt.Sprint(b.ID), nil,
		map[string]any{"trust_sequence": tl.Sequence, "revocation_sequence": rl.Sequence, "trust_issued_at": b.TrustIssuedAt, "revocation_issued_at": b.RevocationIssuedAt,
			"entries": len(tl.Entries), "revoked": len(rl.Entries), "revoked_keys": len(tl.RevokedKeys)})
}

// lists returns the current provincial lists with the office's own revocations added: the
// office knows its own revocations before the province republishes.
func (a *App) lists(ctx context.Context) (*permit.TrustList, *permit.RevocationList, *store.TrustBundle, error) {
	root, err := a.provinceRoot(ctx)
	if err != nil {
		return nil, nil, nil, err
	}
	b, err := a.read(ctx).LatestTrustBundle()
	if err != nil {
		if isNotFound(err) {
			return nil, nil, nil, newError(CodeConflict, "Chưa có danh sách tin cậy của tỉnh: hãy nhập tệp danh sách", "No provincial trust list has been imported")
		}
		return nil, nil, nil, fmt.Errorf("read trust bundle: %w", err)
	}
	tl, rl, err := permit.ParseBundle(b.Bundle, root)
	if err != nil {
		return nil, nil, nil, &Error{Code: CodeConflict, VI: "Danh sách tin cậy đang lưu không đọc được (định dạng cũ?): hãy nhập tệp danh sách mới của tỉnh",
			EN: "The stored trust bundle cannot be read (an older format?): import a new bundle from the province", cause: err}
	}
	local, err := a.read(ctx).RevokedPermits()
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
	st := trustStatusOf(b.RootFingerprint, tl, rl, a.Now())
	st.ImportedAt = b.ImportedAt
	if st.ProvinceRevoked, err = a.read(ctx).CountPulledRevocations(); err != nil {
		return TrustStatus{}, err
	}
	cur, err := a.read(ctx).PullCursorOf(string(syncwire.FeedRevocations))
	if err != nil {
		return TrustStatus{}, err
	}
	st.RevocationsPulledAt = cur.LastPullAt
	return st, nil
}

// ExportTrustBundle writes the lists for verifiers. The demo office holds its own stand-in
// root, so it publishes the next lists (the next demo sequence number) with its local
// revocations, as the province would; a real office passes on the province's file.
func (a *App) ExportTrustBundle(ctx context.Context, actor Actor) ([]byte, error) {
	if err := a.require(actor, auth.ViewApplications); err != nil {
		return nil, err
	}
	if keyFileExists(filepath.Join(a.dir, DemoRootKeyFile)) {
		data, _, _, _, err := a.demoBundle(ctx, "demo-province")
		return data, err
	}
	_, _, b, err := a.lists(ctx)
	if err != nil {
		return nil, err
	}
	return b.Bundle, nil
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

// seedDemoTrust makes the demo office its own province: it publishes the next lists
// (demoBundle) and makes them current.
func (a *App) seedDemoTrust(ctx context.Context, actor string) error {
	data, tl, rl, root, err := a.demoBundle(ctx, actor)
	if err != nil {
		return err
	}
	return a.write(ctx, actor, func(c *change) error {
		if err := c.pinRoot(root); err != nil {
			return err
		}
		return c.storeBundle(data, root, tl, rl)
	})
}

const keyDemoListSequence = "demo_list_sequence"

// nextDemoSequence is the demo province's next list sequence number, above floor and above
// every number it handed out before, so that no two published lists share one.
func (a *App) nextDemoSequence(ctx context.Context, actor string, floor uint64) (uint64, error) {
	var n uint64
	err := a.write(ctx, actor, func(c *change) error {
		cur, err := c.q.Setting(keyDemoListSequence)
		if err != nil && !isNotFound(err) {
			return fmt.Errorf("read demo list sequence: %w", err)
		}
		last, _ := strconv.ParseUint(cur.Value, 10, 64)
		n = max(last, floor) + 1
		row := store.Setting{Key: keyDemoListSequence, Value: strconv.FormatUint(n, 10), Version: cur.Version + 1, UpdatedAt: c.at}
		if err := c.q.SaveSetting(&row); err != nil {
			return fmt.Errorf("save demo list sequence: %w", err)
		}
		return c.record("trust.demo_sequence", "setting", keyDemoListSequence, nil, map[string]uint64{"sequence": n})
	})
	return n, err
}

// demoBundle signs, with the demo's stand-in root, the next trust list (every ES256 key,
// each with its kind, and a key revocation for each retired office key) and the next
// revocation list (every revocation so far, the office's own included), bound to it. Both
// take the next demo sequence number.
func (a *App) demoBundle(ctx context.Context, actor string) ([]byte, *permit.TrustList, *permit.RevocationList, crypto.PublicKey, error) {
	root, err := loadOrCreateKey(filepath.Join(a.dir, DemoRootKeyFile))
	if err != nil {
		return nil, nil, nil, nil, err
	}
	keys, err := a.read(ctx).SigningKeys()
	if err != nil {
		return nil, nil, nil, nil, fmt.Errorf("read signing keys: %w", err)
	}
	titles, err := a.read(ctx).UserTitles()
	if err != nil {
		return nil, nil, nil, nil, fmt.Errorf("read titles: %w", err)
	}
	now := a.Now().UTC().Truncate(time.Second)
	tl := permit.TrustList{IssuedAt: now, ExpiresAt: now.Add(demoListValidity)}
	rl := permit.RevocationList{IssuedAt: now, ExpiresAt: now.Add(demoListValidity)}
	var floor uint64
	if cur, curRL, _, err := a.lists(ctx); err == nil {
		floor = max(cur.Sequence, curRL.Sequence)
		rl.Entries = curRL.Entries // re-signing keeps every revocation, the local ones included
		tl.RevokedKeys = cur.RevokedKeys
	} else if b, err := a.read(ctx).LatestTrustBundle(); err == nil {
		floor = max(b.TrustSequence, b.RevocationSequence) // a stored bundle this version cannot read
	}
	seq, err := a.nextDemoSequence(ctx, actor, floor)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	tl.Sequence, rl.Sequence, rl.TrustSequence = seq, seq, seq
	for _, k := range keys {
		if k.Algorithm != "ES256" {
			continue // an RSA certificate signs PDFs, never a QR
		}
		pub, err := permit.ParsePublicKeyPEM([]byte(k.PublicKey))
		if err != nil {
			return nil, nil, nil, nil, err
		}
		der, err := x509.MarshalPKIXPublicKey(pub)
		if err != nil {
			return nil, nil, nil, nil, err
		}
		kid, _ := permit.KeyIDOf(pub)
		from, to := k.CreatedAt, k.CreatedAt.AddDate(5, 0, 0)
		if k.ValidFrom != nil && k.ValidTo != nil {
			from, to = *k.ValidFrom, *k.ValidTo
		}
		e := permit.TrustEntry{KeyID: kid, PublicKey: der, Kind: permit.KeyKind(k.Kind), Officer: k.Officer, UnitCode: k.UnitCode,
			ValidFrom: from.UTC().Truncate(time.Second), ValidTo: to.UTC().Truncate(time.Second)}
		if k.UserID != nil {
			e.OfficerTitle = titles[*k.UserID]
		}
		tl.Entries = append(tl.Entries, e)
		if _, revoked := tl.KeyRevoked(kid); k.RetiredAt != nil && !revoked {
			tl.RevokedKeys = append(tl.RevokedKeys, permit.KeyRevocation{KeyID: kid, Reason: "Khóa văn phòng đã được thay", RevokedAt: k.RetiredAt.UTC().Truncate(time.Second)})
		}
	}
	data, err := permit.BuildBundle(ctx, tl, rl, root, root.Public())
	if err != nil {
		return nil, nil, nil, nil, err
	}
	return data, &tl, &rl, root.Public(), nil
}
