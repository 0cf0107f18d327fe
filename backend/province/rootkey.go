package province

import (
	"context"
	"crypto/x509"

	"giaydiduong/backend/pki"
)

// UseRoot gives this instance the provincial root key for signing (audit receipts; the
// signed feeds). The key must be the one init certified: another key is refused.
func (s *Service) UseRoot(ctx context.Context, k pki.RootKey) error {
	a, ok, err := readAuthority(s.db.WithContext(ctx))
	if err != nil {
		return err
	}
	if !ok {
		return newErr(KindUnavailable, "Máy chủ tỉnh chưa được khởi tạo (gdd-server init)", "The provincial server is not set up yet (gdd-server init)")
	}
	h, err := pki.KeyHash(k.Public())
	if err != nil {
		return err
	}
	if h != a.RootKeyHash {
		return newErr(KindUnauthenticated, "Khóa gốc mở được không phải khóa gốc của tỉnh này", "The root key opened is not this province's root key")
	}
	s.setRoot(k)
	return nil
}

func (s *Service) setRoot(k pki.RootKey) {
	s.mu.Lock()
	s.root = k
	s.mu.Unlock()
}

// RootKeyStore says where init put the root key ("file" or "pkcs11:<token>/<label>"), so
// serve knows what to open.
func (s *Service) RootKeyStore(ctx context.Context) (string, error) {
	a, ok, err := readAuthority(s.db.WithContext(ctx))
	if err != nil {
		return "", err
	}
	if !ok {
		return "", newErr(KindUnavailable, "Máy chủ tỉnh chưa được khởi tạo (gdd-server init)", "The provincial server is not set up yet (gdd-server init)")
	}
	return a.RootKeyStore, nil
}

// RootSigner is the root key for signing, or KindUnavailable when this instance was started
// without it. What the province signs for offices and verifiers goes through here.
func (s *Service) RootSigner() (pki.RootKey, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.root == nil {
		return nil, newErr(KindUnavailable, "Máy chủ chưa mở khóa gốc của tỉnh (GDD_ROOT_PASSPHRASE hoặc --root-pkcs11)", "The server has not opened the provincial root key (GDD_ROOT_PASSPHRASE or --root-pkcs11)")
	}
	return s.root, nil
}

// RootCertificate is the provincial root certificate.
func (s *Service) RootCertificate(ctx context.Context) (*x509.Certificate, error) {
	a, ok, err := readAuthority(s.db.WithContext(ctx))
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, newErr(KindUnavailable, "Máy chủ tỉnh chưa được khởi tạo (gdd-server init)", "The provincial server is not set up yet (gdd-server init)")
	}
	return pki.ParseCert([]byte(a.RootCert))
}
