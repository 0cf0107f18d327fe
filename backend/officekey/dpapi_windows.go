//go:build windows

package officekey

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/x509"
	"fmt"
	"os"
	"unsafe"

	"golang.org/x/sys/windows"

	"giaydiduong/backend/permit"
)

const dpapiAvailable = true

// dpapiEntropy is mixed into the encryption, so another program of the same account that
// calls CryptUnprotectData on the file without it gets nothing. It is no secret from code
// running as the account that has read this source: DPAPI protects against a copied file
// (another machine, another account, an offline disk), not against the account itself.
var dpapiEntropy = []byte("GiayDiDuong office key v1")

func blob(b []byte) *windows.DataBlob {
	if len(b) == 0 {
		return &windows.DataBlob{}
	}
	return &windows.DataBlob{Size: uint32(len(b)), Data: &b[0]}
}

func dpapiProtect(plain []byte) ([]byte, error) {
	var out windows.DataBlob
	if err := windows.CryptProtectData(blob(plain), windows.StringToUTF16Ptr("GiayDiDuong office key"), blob(dpapiEntropy), 0, nil, windows.CRYPTPROTECT_UI_FORBIDDEN, &out); err != nil {
		return nil, fmt.Errorf("DPAPI protect: %w", err)
	}
	defer windows.LocalFree(windows.Handle(unsafe.Pointer(out.Data)))
	return append([]byte(nil), unsafe.Slice(out.Data, out.Size)...), nil
}

func dpapiUnprotect(sealed []byte) ([]byte, error) {
	var out windows.DataBlob
	if err := windows.CryptUnprotectData(blob(sealed), nil, blob(dpapiEntropy), 0, nil, windows.CRYPTPROTECT_UI_FORBIDDEN, &out); err != nil {
		return nil, fmt.Errorf("DPAPI unprotect: %w: %w", ErrNotThisMachine, err)
	}
	defer windows.LocalFree(windows.Handle(unsafe.Pointer(out.Data)))
	return append([]byte(nil), unsafe.Slice(out.Data, out.Size)...), nil
}

func createDPAPIKey(path string) (Key, error) {
	s, err := permit.GenerateSoftwareSigner()
	if err != nil {
		return nil, err
	}
	der, err := s.MarshalPKCS8()
	if err != nil {
		return nil, err
	}
	sealed, err := dpapiProtect(der)
	if err != nil {
		return nil, err
	}
	if err := writeNew(path, sealed); err != nil {
		return nil, fmt.Errorf("create office key: %w", err)
	}
	return dpapiKey{s}, nil
}

func openDPAPIKey(path string) (Key, error) {
	sealed, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("office key: %w", err)
	}
	der, err := dpapiUnprotect(sealed)
	if err != nil {
		return nil, fmt.Errorf("office key %s: %w", path, err)
	}
	k, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, fmt.Errorf("office key %s: %w", path, err)
	}
	ek, ok := k.(*ecdsa.PrivateKey)
	if !ok || ek.Curve != elliptic.P256() {
		return nil, fmt.Errorf("office key %s: not an ECDSA P-256 key", path)
	}
	s, err := permit.NewSoftwareSigner(ek)
	if err != nil {
		return nil, err
	}
	return dpapiKey{s}, nil
}

// dpapiKey signs in this process's memory; at rest the key is DPAPI-encrypted.
type dpapiKey struct{ *permit.SoftwareSigner }

func (dpapiKey) Protection() Protection { return ProtectionDPAPI }
func (dpapiKey) Close() error           { return nil }
