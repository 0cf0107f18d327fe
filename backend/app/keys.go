package app

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"giaydiduong/backend/auth"
	"giaydiduong/backend/officekey"
	"giaydiduong/backend/permit"
	"giaydiduong/backend/store"
)

// Key files in the data directory. The office key is held by officekey (TPM, DPAPI or a
// 0600 file); OfficeKeyFile is the last of those, kept where a PC has neither.
const (
	OfficeKeyFile = officekey.FilePEM
	// DemoRootKeyFile is the demo office's stand-in for the provincial root key, so the demo
	// can sign its own trust list; a real office never holds the root key.
	DemoRootKeyFile = "demo-province-root-key.pem"
	officeKeyKind   = "office"
)

// loadOrCreateKey loads the software key at path, or creates it (the demo root). A key left
// by a set-up that failed before its database commit is reused rather than refused.
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

// openOrCreateOfficeKey opens the office key, or makes one with the best protection the PC
// has. A key left by a set-up that failed before its commit is reused. The App keeps it
// open (a TPM key stays loaded) until Close.
func (a *App) openOrCreateOfficeKey(ctx context.Context) (officekey.Key, error) {
	a.officeKeyMu.Lock()
	defer a.officeKeyMu.Unlock()
	if a.officeKey != nil {
		return a.officeKey, nil
	}
	k, err := officekey.Open(ctx, a.dir, a.KeyOptions)
	if errors.Is(err, officekey.ErrNoKey) {
		k, err = officekey.Create(ctx, a.dir, a.KeyOptions)
	}
	if err != nil {
		return nil, fmt.Errorf("office key: %w", err)
	}
	a.officeKey = k
	return k, nil
}

// closeOfficeKey releases the office key (a TPM connection).
func (a *App) closeOfficeKey() error {
	a.officeKeyMu.Lock()
	defer a.officeKeyMu.Unlock()
	if a.officeKey == nil {
		return nil
	}
	err := a.officeKey.Close()
	a.officeKey = nil
	return err
}

// enrollOfficeKey records the office key's public half, inside the set-up transaction.
func (c *change) enrollOfficeKey(k officekey.Key, officer, unit string) (store.SigningKey, error) {
	pemKey, err := permit.MarshalPublicKeyPEM(k.Public())
	if err != nil {
		return store.SigningKey{}, err
	}
	rec := store.SigningKey{KeyID: permit.KeyID(k.KeyID()).String(), Version: 1, Kind: officeKeyKind, Algorithm: "ES256", PublicKey: string(pemKey),
		Officer: officer, UnitCode: unit, Protection: string(k.Protection()), CreatedAt: c.at}
	if err := c.q.InsertSigningKey(&rec); err != nil {
		return store.SigningKey{}, err
	}
	return rec, c.record("key.enroll", "signing_key", rec.KeyID, rec.Wire(),
		map[string]string{"kind": rec.Kind, "key_id": rec.KeyID, "protection": rec.Protection})
}

// officeSigner returns the office key, checking it is the one the database enrolled and has
// not been retired.
func (a *App) officeSigner(ctx context.Context) (officekey.Key, store.SigningKey, error) {
	k, err := a.openOrCreateOfficeKey(ctx)
	if err != nil {
		if errors.Is(err, officekey.ErrNotThisMachine) {
			return nil, store.SigningKey{}, &Error{Code: CodeConflict,
				VI: "Khóa ký của văn phòng được tạo trên máy khác (dữ liệu được sao chép hoặc khôi phục): quản trị cần tạo khóa mới (gddctl office renew-key) và gửi yêu cầu đăng ký cho tỉnh",
				EN: "The office key was made on another machine (copied or restored data): an office admin must enroll a new key (gddctl office renew-key) and send the request to the province", cause: err}
		}
		return nil, store.SigningKey{}, &Error{Code: CodeConflict, VI: "Không mở được khóa ký của văn phòng", EN: "Cannot open the office signing key", cause: err}
	}
	rec, err := a.read(ctx).ActiveOfficeKey(permit.KeyID(k.KeyID()).String())
	if err != nil {
		return nil, store.SigningKey{}, &Error{Code: CodeConflict, VI: "Khóa ký trong thư mục dữ liệu không phải khóa đang dùng của văn phòng", EN: "The key is not the office's current enrolled key", cause: err}
	}
	return k, rec, nil
}

// OfficeKeyProtection says how this office's key is held: tpm, dpapi or file.
func (a *App) OfficeKeyProtection(ctx context.Context) (string, error) {
	rec, err := a.read(ctx).CurrentOfficeKey()
	if err != nil {
		if isNotFound(err) {
			return "", nil
		}
		return "", err
	}
	if rec.Protection == "" {
		return string(officekey.ProtectionFile), nil // enrolled before protections were recorded
	}
	return rec.Protection, nil
}

// RenewOfficeKey enrolls a new office key (office admin): after the data was restored onto
// another PC, whose TPM or account cannot open the old key, or to replace a key. The old key
// is retired (its file moved aside, its record marked); permits it signed stay verifiable
// until the province revokes its key id. The new key must reach the province (EnrollmentRequests)
// before its permits verify elsewhere; the demo office re-signs its own lists at once.
func (a *App) RenewOfficeKey(ctx context.Context, actor Actor) (store.SigningKey, error) {
	if err := a.require(actor, auth.ManageSettings); err != nil {
		return store.SigningKey{}, err
	}
	office, err := a.Office(ctx)
	if err != nil {
		return store.SigningKey{}, err
	}
	if err := a.closeOfficeKey(); err != nil {
		a.log.Warn("close old office key", "err", err)
	}
	at := a.Now()
	if err := officekey.Retire(a.dir, at); err != nil {
		return store.SigningKey{}, err
	}
	k, err := a.openOrCreateOfficeKey(ctx)
	if err != nil {
		return store.SigningKey{}, err
	}
	var rec store.SigningKey
	err = a.write(ctx, actor.Username, func(c *change) error {
		retired, err := c.q.RetireOfficeKeys(c.at)
		if err != nil {
			return err
		}
		for _, k := range retired {
			if err := c.record("key.retire", "signing_key", k.KeyID, k.Wire(), map[string]string{"key_id": k.KeyID, "reason": "renewed"}); err != nil {
				return err
			}
		}
		rec, err = c.enrollOfficeKey(k, office.Name, office.UnitCode)
		return err
	})
	if err != nil {
		return store.SigningKey{}, err
	}
	if office.Demo {
		if err := a.seedDemoTrust(ctx, actor.Username); err != nil {
			return store.SigningKey{}, err
		}
	}
	return rec, nil
}

func keyFileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
