package app

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"giaydiduong/backend/permit"
	"giaydiduong/backend/store"
)

// Key files in the data directory, readable by the office OS account only.
const (
	OfficeKeyFile = "office-key.pem"
	// DemoRootKeyFile is the demo office's stand-in for the provincial root key, so the demo
	// can sign its own trust list; a real office never holds the root key.
	DemoRootKeyFile = "demo-province-root-key.pem"
	officeKeyKind   = "office"
)

// loadOrCreateKey loads the key at path, or creates it. A key left by a set-up that failed
// before its database commit is reused rather than refused.
func loadOrCreateKey(path string) (*permit.SoftwareSigner, error) {
	s, err := permit.LoadSoftwareSigner(path)
	if err == nil {
		return s, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("load key %s: %w", filepath.Base(path), err)
	}
	if s, err = permit.GenerateSoftwareSigner(); err != nil {
		return nil, err
	}
	if err := s.Save(path); err != nil {
		return nil, fmt.Errorf("save key %s: %w", filepath.Base(path), err)
	}
	return s, nil
}

// enrollOfficeKey records the office key's public half, inside the set-up transaction.
func (c *change) enrollOfficeKey(s *permit.SoftwareSigner, officer, unit string) (store.SigningKey, error) {
	pemKey, err := permit.MarshalPublicKeyPEM(s.Public())
	if err != nil {
		return store.SigningKey{}, err
	}
	k := store.SigningKey{KeyID: permit.KeyID(s.KeyID()).String(), Version: 1, Kind: officeKeyKind, Algorithm: "ES256", PublicKey: string(pemKey), Officer: officer, UnitCode: unit, CreatedAt: c.at}
	if err := c.q.InsertSigningKey(&k); err != nil {
		return store.SigningKey{}, err
	}
	return k, c.record("key.enroll", "signing_key", k.KeyID, k.Wire(), map[string]string{"kind": k.Kind, "key_id": k.KeyID})
}

// officeSigner loads the office key, checking it is the one the database enrolled.
func (a *App) officeSigner(ctx context.Context) (*permit.SoftwareSigner, error) {
	s, err := permit.LoadSoftwareSigner(filepath.Join(a.dir, OfficeKeyFile))
	if err != nil {
		return nil, &Error{Code: CodeConflict, VI: "Không đọc được khoá ký của văn phòng (" + OfficeKeyFile + ")", EN: "Cannot read the office signing key", cause: err}
	}
	if _, err := a.read(ctx).OfficeKey(permit.KeyID(s.KeyID()).String(), officeKeyKind); err != nil {
		return nil, &Error{Code: CodeConflict, VI: "Khoá ký trong thư mục dữ liệu không phải khoá đã đăng ký của văn phòng", EN: "The key file is not the office's enrolled key", cause: err}
	}
	return s, nil
}

func keyFileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
