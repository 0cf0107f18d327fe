// Package officekey holds the office's own signing key (the hand-signed path's QR key) where
// it cannot be copied off the machine: in the TPM when there is one, else encrypted for the
// OS account with DPAPI on Windows, else (Linux without a TPM) in a 0600 PKCS#8 file as
// before. Protection says which; Settings shows it.
//
// Only the private key's wrapping is on disk, in the office's data directory:
//
//	office-key.tpm    the TPM's own encrypted blob of the key (useless on another TPM)
//	office-key.dpapi  the PKCS#8 key encrypted by DPAPI for this Windows account
//	office-key.pem    the PKCS#8 key in clear, mode 0600
//
// A copy of the data directory (a backup, a stolen disk) therefore holds no usable key in the
// first two cases: Open on another machine or account fails with ErrNotThisMachine, and the
// restored office enrolls a new key (Create after Retire).
package officekey

import (
	"context"
	"crypto"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"giaydiduong/backend/permit"
)

// Protection is how the office key's private half is held.
type Protection string

// Protections, strongest first.
const (
	ProtectionTPM   Protection = "tpm"   // non-exportable key inside the TPM; signs in the TPM
	ProtectionDPAPI Protection = "dpapi" // encrypted for this Windows account (DPAPI)
	ProtectionFile  Protection = "file"  // a 0600 file readable by this OS account
)

// File names in the data directory, one per protection.
const (
	FileTPM   = "office-key.tpm"
	FileDPAPI = "office-key.dpapi"
	FilePEM   = "office-key.pem"
)

var files = []struct {
	name string
	prot Protection
}{{FileTPM, ProtectionTPM}, {FileDPAPI, ProtectionDPAPI}, {FilePEM, ProtectionFile}}

// Errors callers tell apart.
var (
	ErrNoKey          = errors.New("no office key")
	ErrNotThisMachine = errors.New("the office key was made on another machine or for another account")
	ErrNoTPM          = errors.New("no TPM")
)

// Key is the office key: a permit.Signer whose private half never leaves its protection.
type Key interface {
	permit.Signer
	Public() crypto.PublicKey
	Protection() Protection
	Close() error
}

// Options say where the TPM is.
type Options struct {
	// TPM is "" for this platform's TPM (Linux /dev/tpmrm0, Windows TBS), "unix:PATH" for a
	// TPM simulator's socket (swtpm, in tests), or "none" to use no TPM.
	TPM string
}

// OptionsFromEnv reads GDD_TPM (same values as Options.TPM).
func OptionsFromEnv() Options { return Options{TPM: os.Getenv("GDD_TPM")} }

// Exists reports whether dir holds an office key in any form.
func Exists(dir string) bool {
	for _, f := range files {
		if _, err := os.Lstat(filepath.Join(dir, f.name)); err == nil {
			return true
		}
	}
	return false
}

// Open loads the office key in dir, in whatever form it is held.
func Open(ctx context.Context, dir string, opts Options) (Key, error) {
	for _, f := range files {
		path := filepath.Join(dir, f.name)
		if _, err := os.Lstat(path); err != nil {
			continue
		}
		switch f.prot {
		case ProtectionTPM:
			return openTPMKey(ctx, path, opts)
		case ProtectionDPAPI:
			return openDPAPIKey(path)
		default:
			s, err := permit.LoadSoftwareSigner(path)
			if err != nil {
				return nil, fmt.Errorf("office key: %w", err)
			}
			return fileKey{s}, nil
		}
	}
	return nil, fmt.Errorf("office key in %s: %w", dir, ErrNoKey)
}

// Create makes a new office key in dir with the strongest protection this machine offers:
// the TPM when one answers, DPAPI on Windows, else a 0600 file. It refuses when a key exists.
func Create(ctx context.Context, dir string, opts Options) (Key, error) {
	if Exists(dir) {
		return nil, fmt.Errorf("create office key in %s: %w", dir, fs.ErrExist)
	}
	if opts.TPM != "none" {
		k, err := createTPMKey(ctx, filepath.Join(dir, FileTPM), opts)
		switch {
		case err == nil:
			return k, nil
		case opts.TPM != "" || !errors.Is(err, ErrNoTPM):
			// A TPM that was named, or one that is there but fails, is an error to fix, not a
			// reason to fall back to a weaker protection silently.
			return nil, err
		}
	}
	if dpapiAvailable {
		return createDPAPIKey(filepath.Join(dir, FileDPAPI))
	}
	s, err := permit.GenerateSoftwareSigner()
	if err != nil {
		return nil, err
	}
	if err := s.Save(filepath.Join(dir, FilePEM)); err != nil {
		return nil, fmt.Errorf("create office key: %w", err)
	}
	return fileKey{s}, nil
}

// Retire moves the office key's file aside (renamed with the time), so that Create can
// enroll a new one: after a restore onto another machine, or when the key is replaced. The
// old file is kept rather than deleted, for the office admin to dispose of.
func Retire(dir string, at time.Time) error {
	for _, f := range files {
		path := filepath.Join(dir, f.name)
		if _, err := os.Lstat(path); err != nil {
			continue
		}
		if err := os.Rename(path, path+".retired-"+at.UTC().Format("20060102T150405Z")); err != nil {
			return fmt.Errorf("retire office key: %w", err)
		}
	}
	return nil
}

// fileKey is the 0600-file protection.
type fileKey struct{ *permit.SoftwareSigner }

func (fileKey) Protection() Protection { return ProtectionFile }
func (fileKey) Close() error           { return nil }
