package officekey

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"

	"github.com/google/go-tpm/tpm2"
	"github.com/google/go-tpm/tpm2/transport"
	"github.com/veraison/go-cose"

	"giaydiduong/backend/permit"
)

const tpmFileFormat = "gdd-office-key-tpm/1"

// tpmFile is office-key.tpm: the key's public area and the private area as the TPM wrapped
// it under its storage root key. Only the TPM that made it can load it.
type tpmFile struct {
	Format  string `json:"format"`
	Parent  string `json:"parent"`  // the parent's template: the TCG ECC P-256 SRK
	Public  []byte `json:"public"`  // TPM2B_PUBLIC
	Private []byte `json:"private"` // TPM2B_PRIVATE, encrypted by the TPM
}

// signingTemplate is a P-256 ECDSA-SHA256 signing key that the TPM generates itself
// (SensitiveDataOrigin) and will never export or duplicate (FixedTPM, FixedParent).
var signingTemplate = tpm2.TPMTPublic{
	Type:    tpm2.TPMAlgECC,
	NameAlg: tpm2.TPMAlgSHA256,
	ObjectAttributes: tpm2.TPMAObject{
		FixedTPM: true, FixedParent: true, SensitiveDataOrigin: true, UserWithAuth: true, SignEncrypt: true,
	},
	Parameters: tpm2.NewTPMUPublicParms(tpm2.TPMAlgECC, &tpm2.TPMSECCParms{
		Scheme: tpm2.TPMTECCScheme{
			Scheme:  tpm2.TPMAlgECDSA,
			Details: tpm2.NewTPMUAsymScheme(tpm2.TPMAlgECDSA, &tpm2.TPMSSigSchemeECDSA{HashAlg: tpm2.TPMAlgSHA256}),
		},
		CurveID: tpm2.TPMECCNistP256,
	}),
}

// tpmKey signs through the TPM. The storage root key and the signing key stay loaded (as
// transient objects) for the key's lifetime; mu serialises commands on the one connection.
type tpmKey struct {
	mu     sync.Mutex
	tpm    transport.TPMCloser
	srk    tpm2.TPMHandle
	key    tpm2.NamedHandle
	pub    *ecdsa.PublicKey
	kid    [8]byte
	closed bool
}

var _ Key = (*tpmKey)(nil)

// openTransport opens the TPM that opts names.
func openTransport(opts Options) (transport.TPMCloser, error) {
	if path, ok := strings.CutPrefix(opts.TPM, "unix:"); ok {
		return openUnixTPM(path)
	}
	if opts.TPM == "none" {
		return nil, ErrNoTPM
	}
	return openPlatformTPM(opts.TPM)
}

func createTPMKey(ctx context.Context, path string, opts Options) (Key, error) {
	tpm, err := openTransport(opts)
	if err != nil {
		return nil, err
	}
	srk, err := loadSRK(tpm)
	if err != nil {
		tpm.Close()
		return nil, err
	}
	flushSRK := func() { _, _ = (tpm2.FlushContext{FlushHandle: srk.Handle}).Execute(tpm) }
	created, err := tpm2.Create{ParentHandle: srk, InPublic: tpm2.New2B(signingTemplate)}.Execute(tpm)
	if err != nil {
		flushSRK()
		tpm.Close()
		return nil, fmt.Errorf("create office key in the TPM: %w", err)
	}
	f := tpmFile{Format: tpmFileFormat, Parent: "tcg-ecc-p256-srk", Public: tpm2.Marshal(created.OutPublic), Private: tpm2.Marshal(created.OutPrivate)}
	data, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		flushSRK()
		tpm.Close()
		return nil, err
	}
	if err := writeNew(path, append(data, '\n')); err != nil {
		flushSRK()
		tpm.Close()
		return nil, fmt.Errorf("create office key: %w", err)
	}
	k, err := loadTPMKey(tpm, srk, f)
	if err != nil {
		_ = os.Remove(path)
		return nil, err
	}
	return k, ctx.Err()
}

func openTPMKey(ctx context.Context, path string, opts Options) (Key, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("office key: %w", err)
	}
	var f tpmFile
	if err := json.Unmarshal(data, &f); err != nil || f.Format != tpmFileFormat {
		return nil, fmt.Errorf("office key %s: not a %s file", path, tpmFileFormat)
	}
	tpm, err := openTransport(opts)
	if err != nil {
		return nil, fmt.Errorf("office key is held by a TPM, which cannot be reached: %w", err)
	}
	srk, err := loadSRK(tpm)
	if err != nil {
		tpm.Close()
		return nil, err
	}
	k, err := loadTPMKey(tpm, srk, f)
	if err != nil {
		return nil, err
	}
	return k, ctx.Err()
}

// loadSRK recreates the storage root key from the owner hierarchy's seed: the same template
// gives the same key on the same TPM, and a different one on any other.
func loadSRK(tpm transport.TPM) (tpm2.NamedHandle, error) {
	rsp, err := tpm2.CreatePrimary{PrimaryHandle: tpm2.TPMRHOwner, InPublic: tpm2.New2B(tpm2.ECCSRKTemplate)}.Execute(tpm)
	if err != nil {
		return tpm2.NamedHandle{}, fmt.Errorf("TPM storage root key: %w", err)
	}
	return tpm2.NamedHandle{Handle: rsp.ObjectHandle, Name: rsp.Name}, nil
}

// loadTPMKey loads the key under srk; it owns tpm and srk from here on (closing both on error).
func loadTPMKey(tpm transport.TPMCloser, srk tpm2.NamedHandle, f tpmFile) (*tpmKey, error) {
	fail := func(err error) (*tpmKey, error) {
		_, _ = (tpm2.FlushContext{FlushHandle: srk.Handle}).Execute(tpm)
		tpm.Close()
		return nil, err
	}
	pub2b, err := tpm2.Unmarshal[tpm2.TPM2BPublic](f.Public)
	if err != nil {
		return fail(fmt.Errorf("office key: public area: %w", err))
	}
	priv2b, err := tpm2.Unmarshal[tpm2.TPM2BPrivate](f.Private)
	if err != nil {
		return fail(fmt.Errorf("office key: private area: %w", err))
	}
	loaded, err := tpm2.Load{ParentHandle: srk, InPrivate: *priv2b, InPublic: *pub2b}.Execute(tpm)
	if err != nil {
		// Another TPM's storage root key cannot unwrap the blob: a copied data directory.
		return fail(fmt.Errorf("office key: %w: the TPM refused the key: %w", ErrNotThisMachine, err))
	}
	pub, err := pub2b.Contents()
	if err == nil {
		var parms *tpm2.TPMSECCParms
		var point *tpm2.TPMSECCPoint
		if parms, err = pub.Parameters.ECCDetail(); err == nil {
			if point, err = pub.Unique.ECC(); err == nil {
				var ep *ecdsa.PublicKey
				if ep, err = tpm2.ECDSAPub(parms, point); err == nil {
					kid, kerr := permit.KeyIDOf(ep)
					if kerr == nil {
						return &tpmKey{tpm: tpm, srk: srk.Handle, key: tpm2.NamedHandle{Handle: loaded.ObjectHandle, Name: loaded.Name}, pub: ep, kid: kid}, nil
					}
					err = kerr
				}
			}
		}
	}
	_, _ = (tpm2.FlushContext{FlushHandle: loaded.ObjectHandle}).Execute(tpm)
	return fail(fmt.Errorf("office key: public key: %w", err))
}

func (k *tpmKey) KeyID() [8]byte            { return k.kid }
func (k *tpmKey) Algorithm() cose.Algorithm { return cose.AlgorithmES256 }
func (k *tpmKey) Public() crypto.PublicKey  { return k.pub }
func (k *tpmKey) Protection() Protection    { return ProtectionTPM }

// Sign hashes message and has the TPM sign the digest. It returns r||s; permit.Encode puts S
// in its low form, which a TPM does not promise.
func (k *tpmKey) Sign(ctx context.Context, message []byte) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("sign: %w", err)
	}
	digest := sha256.Sum256(message)
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.closed {
		return nil, errors.New("sign: office key closed")
	}
	rsp, err := tpm2.Sign{
		KeyHandle: k.key,
		Digest:    tpm2.TPM2BDigest{Buffer: digest[:]},
		InScheme: tpm2.TPMTSigScheme{
			Scheme:  tpm2.TPMAlgECDSA,
			Details: tpm2.NewTPMUSigScheme(tpm2.TPMAlgECDSA, &tpm2.TPMSSchemeHash{HashAlg: tpm2.TPMAlgSHA256}),
		},
		// An unrestricted key signs an external digest with the null ticket.
		Validation: tpm2.TPMTTKHashCheck{Tag: tpm2.TPMSTHashCheck, Hierarchy: tpm2.TPMRHNull},
	}.Execute(k.tpm)
	if err != nil {
		return nil, fmt.Errorf("sign with the TPM: %w", err)
	}
	sig, err := rsp.Signature.Signature.ECDSA()
	if err != nil {
		return nil, fmt.Errorf("sign with the TPM: %w", err)
	}
	out := make([]byte, 64)
	r, s := sig.SignatureR.Buffer, sig.SignatureS.Buffer
	if len(r) > 32 || len(s) > 32 {
		return nil, fmt.Errorf("sign with the TPM: signature of %d+%d bytes", len(r), len(s))
	}
	copy(out[32-len(r):32], r)
	copy(out[64-len(s):], s)
	return out, nil
}

// Close flushes the TPM's transient objects and closes the connection.
func (k *tpmKey) Close() error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.closed {
		return nil
	}
	k.closed = true
	_, _ = (tpm2.FlushContext{FlushHandle: k.key.Handle}).Execute(k.tpm)
	_, _ = (tpm2.FlushContext{FlushHandle: k.srk}).Execute(k.tpm)
	return k.tpm.Close()
}

// writeNew writes a new file, mode 0600, synced, never over an existing one.
func writeNew(path string, data []byte) (err error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			_ = os.Remove(path)
		}
	}()
	if _, err = f.Write(data); err != nil {
		return err
	}
	return f.Sync()
}
