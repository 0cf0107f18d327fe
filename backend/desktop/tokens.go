package desktop

import (
	"encoding/base64"

	"giaydiduong/backend/app"
)

// TokenService lists the signing tokens, enrolls them and signs permits with them.
type TokenService struct{ base }

// List returns the tokens plugged in now; the signing screen polls it.
func (s *TokenService) List() ([]app.TokenInfo, error) {
	return poll(s.base, func(app.Actor) ([]app.TokenInfo, error) { return s.app.ListTokens(s.ctx, "") })
}

func (s *TokenService) Keys() ([]app.SigningKey, error) {
	return call(s.base, func(a app.Actor) ([]app.SigningKey, error) { return s.app.SigningKeys(s.ctx, a) })
}

func (s *TokenService) Enroll(in app.EnrollInput) (app.SigningKey, error) {
	return call(s.base, func(a app.Actor) (app.SigningKey, error) { return s.app.EnrollToken(s.ctx, a, in, nil) })
}

func (s *TokenService) StartSign(in app.SignInput) (string, error) {
	return call(s.base, func(a app.Actor) (string, error) { return s.app.StartSigning(s.ctx, a, in) })
}

func (s *TokenService) SignStatus(id string) (app.SignJob, error) {
	return poll(s.base, func(a app.Actor) (app.SignJob, error) { return s.app.SigningJob(a, id) })
}

func (s *TokenService) CancelSign(id string) error {
	_, err := call(s.base, func(a app.Actor) (struct{}, error) { return struct{}{}, s.app.CancelSigning(a, id) })
	return err
}

// SoftKey reports the demo's software key.
func (s *TokenService) SoftKey() (app.SoftKeyState, error) {
	return poll(s.base, func(app.Actor) (app.SoftKeyState, error) { return s.app.Tokens.SoftKey(), nil })
}

// SetSoftKeyPlugged plugs the demo's software key in or pulls it out.
func (s *TokenService) SetSoftKeyPlugged(plugged bool) (app.SoftKeyState, error) {
	return call(s.base, func(a app.Actor) (app.SoftKeyState, error) { return s.app.SetSoftKeyPlugged(a, plugged) })
}

// Certificates lists a PKCS#11 token's certificates, for the office admin to choose one.
func (s *TokenService) Certificates(ref app.TokenRef, pin string) ([]app.TokenCertificate, error) {
	return call(s.base, func(a app.Actor) ([]app.TokenCertificate, error) { return s.app.TokenCertificates(s.ctx, a, ref, pin) })
}

// TrustRequests is the office's keys as the trust-list request file for the province (JSON).
func (s *TokenService) TrustRequests() (string, error) {
	return call(s.base, func(a app.Actor) (string, error) {
		b, err := s.app.EnrollmentRequests(s.ctx, a)
		return string(b), err
	})
}

// ImportTrust imports the province's trust bundle file (base64), office admin only.
func (s *TokenService) ImportTrust(b64 string) (app.TrustStatus, error) {
	return call(s.base, func(a app.Actor) (app.TrustStatus, error) {
		data, err := base64.StdEncoding.DecodeString(b64)
		if err != nil {
			return app.TrustStatus{}, badFile("bundle")
		}
		return s.app.ImportTrustBundle(s.ctx, a, data)
	})
}
