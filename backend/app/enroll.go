package app

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"path/filepath"
	"time"

	"giaydiduong/backend/auth"
	"giaydiduong/backend/domain"
	"giaydiduong/backend/permit"
	"giaydiduong/backend/store"
	"giaydiduong/backend/token"
	"giaydiduong/backend/token/pkcs11"
)

// Signing key kinds, beside officeKeyKind.
const (
	fidoKeyKind   = string(TokenFIDO)
	pkcs11KeyKind = string(TokenPKCS11)
)

// fidoKeyYears is how long a FIDO credential is enrolled for; a certificate's own validity
// bounds a PKCS#11 key.
const fidoKeyYears = 3

// SigningKey is an enrolled key as screens and gddctl show it.
type SigningKey struct {
	KeyID      string  `json:"key_id"`
	Kind       string  `json:"kind"`
	Algorithm  string  `json:"algorithm"`
	Officer    string  `json:"officer"`
	UserID     *string `json:"user_id"`
	Username   string  `json:"username"`
	UnitCode   string  `json:"unit_code"`
	TokenLabel string  `json:"token_label"`
	// AttestationFormat: a FIDO key's attestation format at enrolment.
	AttestationFormat string     `json:"attestation_format"`
	CertSubject       string     `json:"cert_subject"`
	CertIssuer        string     `json:"cert_issuer"`
	ValidFrom         *time.Time `json:"valid_from"`
	ValidTo           *time.Time `json:"valid_to"`
	CreatedAt         time.Time  `json:"created_at"`
	// Trusted says the current provincial trust list holds the key, so checkpoints accept
	// what it signs.
	Trusted bool `json:"trusted"`
}

// EnrollInput binds a token key to an approver.
type EnrollInput struct {
	Officer string   `json:"officer"` // the approver's username
	Token   TokenRef `json:"token"`
	PIN     string   `json:"pin"`
	// Certificate chooses a PKCS#11 certificate by its fingerprint (TokenCertificates); empty
	// takes the token's current ECDSA P-256 certificate, else its RSA one.
	Certificate string `json:"certificate,omitempty"`
}

// TokenCertificate is a certificate on a PKCS#11 token, as the enrollment dialog offers it.
type TokenCertificate struct {
	Fingerprint string    `json:"fingerprint"` // SHA-256 of the certificate, hex
	Label       string    `json:"label"`
	SubjectCN   string    `json:"subject_cn"`
	SubjectO    string    `json:"subject_o"`
	Issuer      string    `json:"issuer"`
	NotBefore   time.Time `json:"not_before"`
	NotAfter    time.Time `json:"not_after"`
	KeyType     string    `json:"key_type"` // EC or RSA
	// SignsQR: an ECDSA P-256 key signs the permit QR as well as the PDF; RSA only the PDF.
	SignsQR bool `json:"signs_qr"`
	// Usable: current, with its private key on the token.
	Usable bool `json:"usable"`
}

func fingerprint(der []byte) string {
	sum := sha256.Sum256(der)
	return hex.EncodeToString(sum[:])
}

// TokenCertificates lists the certificates on a PKCS#11 token (office admin, to choose one
// to enroll). Most tokens keep certificates behind the PIN, so it logs in.
func (a *App) TokenCertificates(ctx context.Context, actor Actor, ref TokenRef, pin string) ([]TokenCertificate, error) {
	if err := a.require(actor, auth.ManageUsers); err != nil {
		return nil, err
	}
	sess, err := a.openPKCS11(ctx, ref, pin)
	if err != nil {
		return nil, err
	}
	defer sess.Close()
	certs, err := sess.Certificates(ctx)
	if err != nil {
		return nil, tokenError(err)
	}
	now := a.Now()
	out := make([]TokenCertificate, 0, len(certs))
	for _, c := range certs {
		pub, isEC := c.Cert.PublicKey.(*ecdsa.PublicKey)
		out = append(out, TokenCertificate{Fingerprint: fingerprint(c.Cert.Raw), Label: c.Label, SubjectCN: c.SubjectCN, SubjectO: c.SubjectO, Issuer: c.Issuer,
			NotBefore: c.NotBefore, NotAfter: c.NotAfter, KeyType: string(c.KeyType), SignsQR: isEC && pub.Curve == elliptic.P256(),
			Usable: c.HasKey && !now.Before(c.NotBefore) && !now.After(c.NotAfter)})
	}
	return out, nil
}

// EnrollToken binds the key on a token to an approver (office admin): a new FIDO credential,
// or the certificate on a PKCS#11 token (its ECDSA P-256 one when it has one, which signs the
// QR too; an RSA certificate signs only the PDF). The record is what EnrollmentRequests
// sends the province. onTouch is called when a FIDO key waits for a touch.
func (a *App) EnrollToken(ctx context.Context, actor Actor, in EnrollInput, onTouch func()) (SigningKey, error) {
	if err := a.require(actor, auth.ManageUsers); err != nil {
		return SigningKey{}, err
	}
	officer, err := a.read(ctx).UserByUsername(in.Officer)
	if err != nil {
		if isNotFound(err) {
			return SigningKey{}, invalid("officer", "unknown", "Không có tài khoản "+in.Officer, "No account "+in.Officer)
		}
		return SigningKey{}, err
	}
	if officer.Role != string(domain.RoleApprover) || !officer.Active {
		return SigningKey{}, invalid("officer", "not_approver", "Chỉ gắn khóa ký cho lãnh đạo (tài khoản người duyệt đang hoạt động)", "Only an active approver can be given a signing key")
	}
	office, err := a.officeOrErr(ctx)
	if err != nil {
		return SigningKey{}, err
	}
	now := a.Now().UTC().Truncate(time.Second)
	rec := store.SigningKey{Version: 1, Officer: officer.FullName, UnitCode: office.UnitCode, UserID: &officer.ID, CreatedAt: now}
	switch in.Token.Kind {
	case TokenFIDO:
		dev, err := a.openFIDO(ctx, in.Token, nil)
		if err != nil {
			return SigningKey{}, err
		}
		defer dev.Close()
		cred, err := token.Enroll(ctx, dev, token.EnrollOptions{PIN: in.PIN, UserID: []byte(officer.ID), UserName: officer.Username, OnTouch: onTouch, Logger: a.log})
		if err != nil {
			return SigningKey{}, tokenError(err)
		}
		pub, err := cred.Key()
		if err != nil {
			return SigningKey{}, err
		}
		until := now.AddDate(fidoKeyYears, 0, 0)
		rec.Kind, rec.Algorithm, rec.CredentialID, rec.Protocol = fidoKeyKind, "ES256", cred.ID, string(cred.Protocol)
		rec.AttestationFormat = cred.AttestationFormat
		rec.TokenLabel, rec.ValidFrom, rec.ValidTo = a.tokens().FIDOLabel(in.Token.Path), &now, &until
		if err := setPublic(&rec, pub); err != nil {
			return SigningKey{}, err
		}
	case TokenPKCS11:
		sess, err := a.openPKCS11(ctx, in.Token, in.PIN)
		if err != nil {
			return SigningKey{}, err
		}
		defer sess.Close()
		cert, err := enrollableCertificate(ctx, sess, now, in.Certificate)
		if err != nil {
			return SigningKey{}, err
		}
		rec.Kind, rec.Certificate, rec.TokenLabel = pkcs11KeyKind, cert.Cert.Raw, sess.Token().Label
		rec.Algorithm = "ES256"
		if cert.KeyType == pkcs11.KeyRSA {
			rec.Algorithm = "RS256"
		}
		from, to := cert.NotBefore.UTC(), cert.NotAfter.UTC()
		rec.ValidFrom, rec.ValidTo = &from, &to
		if err := setPublic(&rec, cert.Cert.PublicKey); err != nil {
			return SigningKey{}, err
		}
	default:
		return SigningKey{}, invalid("token.kind", "unknown", "Chọn loại khóa: khóa ký số USB hoặc thiết bị ký số có chứng thư số", "Choose a FIDO key or a PKCS#11 token")
	}
	err = a.write(ctx, actor.Username, func(c *change) error {
		if prev, err := c.q.SigningKeyByID(rec.KeyID); err == nil {
			return newError(CodeConflict, "Khóa này đã được đăng ký cho "+prev.Officer, "This key is already enrolled for "+prev.Officer)
		} else if !isNotFound(err) {
			return err
		}
		if err := c.q.InsertSigningKey(&rec); err != nil {
			return err
		}
		return c.record("key.enroll", "signing_key", rec.KeyID, rec.Wire(),
			map[string]string{"kind": rec.Kind, "key_id": rec.KeyID, "officer": officer.Username, "algorithm": rec.Algorithm, "token": rec.TokenLabel})
	})
	if err != nil {
		return SigningKey{}, err
	}
	// The demo office is its own province: its trust list takes the key at once.
	if keyFileExists(filepath.Join(a.dir, DemoRootKeyFile)) {
		if err := a.seedDemoTrust(ctx, actor.Username); err != nil {
			return SigningKey{}, fmt.Errorf("add key to the demo trust list: %w", err)
		}
	}
	return a.signingKey(ctx, rec.KeyID)
}

// setPublic records pub and its key id: the permit key id for a P-256 key; for an RSA key
// (which signs PDFs only) the same recipe over its SubjectPublicKeyInfo.
func setPublic(rec *store.SigningKey, pub crypto.PublicKey) error {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return fmt.Errorf("public key: %w", err)
	}
	sum := sha256.Sum256(der)
	rec.KeyID = hex.EncodeToString(sum[:8])
	rec.PublicKey = string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
	return nil
}

// enrollableCertificate picks the token's certificate for permits: the one chosen by
// fingerprint, else a current ECDSA P-256 one (it signs the QR and the PDF), else a current
// RSA one (the PDF only).
func enrollableCertificate(ctx context.Context, sess *pkcs11.Session, now time.Time, chosen string) (pkcs11.Certificate, error) {
	certs, err := sess.Certificates(ctx)
	if err != nil {
		return pkcs11.Certificate{}, tokenError(err)
	}
	usable := func(c pkcs11.Certificate) bool { return c.HasKey && !now.Before(c.NotBefore) && !now.After(c.NotAfter) }
	if chosen != "" {
		for _, c := range certs {
			if fingerprint(c.Cert.Raw) != chosen {
				continue
			}
			if !usable(c) {
				return pkcs11.Certificate{}, invalid("certificate", "unusable", "Chứng thư số đã chọn đã hết hạn, chưa có hiệu lực hoặc không có khóa bí mật trên thiết bị", "The chosen certificate is not current or has no private key on the token")
			}
			return c, nil
		}
		return pkcs11.Certificate{}, invalid("certificate", "unknown", "Thiết bị ký số không có chứng thư số đã chọn", "The token has no such certificate")
	}
	var rsaCert *pkcs11.Certificate
	for i, c := range certs {
		if !usable(c) {
			continue
		}
		if pub, ok := c.Cert.PublicKey.(*ecdsa.PublicKey); ok && pub.Curve == elliptic.P256() {
			return c, nil
		}
		if _, ok := c.Cert.PublicKey.(*rsa.PublicKey); ok && rsaCert == nil {
			rsaCert = &certs[i]
		}
	}
	if rsaCert != nil {
		return *rsaCert, nil
	}
	return pkcs11.Certificate{}, invalid("token", "no_certificate", "Thiết bị ký số không có chứng thư số còn hạn kèm khóa bí mật", "The token has no current certificate with its private key")
}

// openPKCS11 logs in to the token ref names. The PIN is passed on, never kept or logged.
func (a *App) openPKCS11(ctx context.Context, ref TokenRef, pin string) (*pkcs11.Session, error) {
	if pin == "" {
		return nil, invalid("pin", "required", "Cần nhập mã PIN của thiết bị ký số", "Enter the token's PIN")
	}
	lib, err := a.pkcs11Library(ctx, ref)
	if err != nil {
		return nil, err
	}
	d, err := a.pkcs11Driver(ctx, lib)
	if err != nil {
		return nil, err
	}
	sess, err := d.Open(ctx, ref.Slot, pin)
	if err != nil {
		return nil, tokenError(err)
	}
	return sess, nil
}

func (a *App) signingKey(ctx context.Context, keyID string) (SigningKey, error) {
	rec, err := a.read(ctx).SigningKeyByID(keyID)
	if err != nil {
		if isNotFound(err) {
			return SigningKey{}, notFound("khóa ký " + keyID)
		}
		return SigningKey{}, err
	}
	keys, err := a.signingKeyViews(ctx, []store.SigningKey{rec})
	if err != nil {
		return SigningKey{}, err
	}
	return keys[0], nil
}

// SigningKeys lists the office's enrolled keys (office admin and approvers).
func (a *App) SigningKeys(ctx context.Context, actor Actor) ([]SigningKey, error) {
	if !auth.Allowed(actor.Role, auth.ManageUsers) && !auth.Allowed(actor.Role, auth.DecideApplication) {
		return nil, forbidden()
	}
	recs, err := a.read(ctx).SigningKeys()
	if err != nil {
		return nil, err
	}
	return a.signingKeyViews(ctx, recs)
}

// signingKeyViews adds the approver's username, the certificate's names and whether the
// trust list holds each key.
func (a *App) signingKeyViews(ctx context.Context, recs []store.SigningKey) ([]SigningKey, error) {
	_, usernames, err := a.read(ctx).UserNames(keyUsers(recs))
	if err != nil {
		return nil, err
	}
	var trusted *permit.TrustList
	if tl, _, _, err := a.lists(ctx); err == nil {
		trusted = tl
	}
	out := make([]SigningKey, len(recs))
	for i, r := range recs {
		k := SigningKey{KeyID: r.KeyID, Kind: r.Kind, Algorithm: r.Algorithm, Officer: r.Officer, UserID: r.UserID, UnitCode: r.UnitCode,
			TokenLabel: r.TokenLabel, AttestationFormat: r.AttestationFormat, ValidFrom: r.ValidFrom, ValidTo: r.ValidTo, CreatedAt: r.CreatedAt}
		if r.UserID != nil {
			k.Username = usernames[*r.UserID]
		}
		if len(r.Certificate) > 0 {
			if c, err := x509.ParseCertificate(r.Certificate); err == nil {
				k.CertSubject, k.CertIssuer = c.Subject.String(), c.Issuer.String()
			}
		}
		if trusted != nil {
			var kid permit.KeyID
			if kid.UnmarshalText([]byte(r.KeyID)) == nil {
				_, k.Trusted = trusted.Lookup(kid)
			}
		}
		out[i] = k
	}
	return out, nil
}

// keyUsers lists the accounts the keys are bound to.
func keyUsers(keys []store.SigningKey) []string {
	seen := map[string]bool{}
	var out []string
	for _, k := range keys {
		if k.UserID != nil && !seen[*k.UserID] {
			seen[*k.UserID] = true
			out = append(out, *k.UserID)
		}
	}
	return out
}

// credentialOf is the FIDO credential an enrollment recorded.
func credentialOf(k store.SigningKey) (token.Credential, error) {
	pub, err := permit.ParsePublicKeyPEM([]byte(k.PublicKey))
	if err != nil {
		return token.Credential{}, err
	}
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return token.Credential{}, err
	}
	return token.Credential{ID: k.CredentialID, PublicKey: der, RPID: token.RelyingParty, Protocol: token.Protocol(k.Protocol)}, nil
}
