package pkcs11

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/x509"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"
)

// Session is a logged-in session on one token. PKCS#11 sessions are not thread-safe, so every
// call on it holds mu: a batch signer and a UI asking for certificates take turns.
type Session struct {
	d     *Driver
	slot  uint
	token Token
	log   *slog.Logger

	mu    sync.Mutex
	h     sessionHandle
	state error // nil while usable; ErrSessionClosed or a removal error after
}

// Slot is the slot the session is on.
func (s *Session) Slot() uint { return s.slot }

// Token is the token as it was when the session was opened.
func (s *Session) Token() Token { return s.token }

// Close logs out and closes the session. A token already removed is not an error.
func (s *Session) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if errors.Is(s.state, ErrSessionClosed) {
		return nil
	}
	gone := s.state != nil
	s.state = ErrSessionClosed
	s.forget()
	if err := s.d.enter(); err != nil {
		return nil // the library is gone, and its sessions with it
	}
	defer s.d.leave()
	if gone {
		// After a removal the slot may already serve a new Session: C_Logout would log that
		// one out too (login state is per token, not per session), so only free the handle.
		_ = s.d.mod.CloseSession(s.h)
		return nil
	}
	lerr := s.d.mod.Logout(s.h)
	cerr := s.d.mod.CloseSession(s.h)
	s.log.Info("token session closed")
	for _, err := range []error{lerr, cerr} {
		if err != nil && !isRemoval(err) {
			if code, ok := asCode(err); ok && code == ckrUserNotLoggedIn {
				continue
			}
			return opError("close session", err)
		}
	}
	return nil
}

// forget frees the slot for another Open.
func (s *Session) forget() {
	s.d.mu.Lock()
	if s.d.sessions[s.slot] == s {
		delete(s.d.sessions, s.slot)
	}
	s.d.mu.Unlock()
}

// do runs f on the session handle under the session lock. A failure that means the token is
// gone (by its code, or because the slot is now empty, holds another token or no longer
// answers) becomes ErrTokenRemoved and ends the session, so later calls fail at once instead
// of talking to a missing device.
func (s *Session) do(ctx context.Context, op string, f func(h sessionHandle) error) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("pkcs11: %s: %w", op, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.state != nil {
		return fmt.Errorf("pkcs11: %s: %w", op, s.state)
	}
	if err := s.d.enter(); err != nil {
		return fmt.Errorf("pkcs11: %s: %w", op, err)
	}
	defer s.d.leave()
	err := f(s.h)
	if err == nil {
		return nil
	}
	if isRemoval(err) || !s.d.stillThere(s.slot, s.token) {
		s.state = fmt.Errorf("%w: %w", ErrTokenRemoved, err)
		s.forget()
		s.log.Warn("token removed during use", "op", op, "err", err)
		if isRemoval(err) {
			return opError(op, err)
		}
		return fmt.Errorf("pkcs11: %s: %w: %w", op, ErrTokenRemoved, err)
	}
	return opError(op, err)
}

// KeyType is the kind of key behind a certificate.
type KeyType string

// Key types.
const (
	KeyEC  KeyType = "EC"
	KeyRSA KeyType = "RSA"
)

// Certificate is an X.509 certificate on the token.
type Certificate struct {
	Label     string            `json:"label"`
	ID        []byte            `json:"id"` // CKA_ID, shared with the private key
	SubjectCN string            `json:"subject_cn"`
	SubjectO  string            `json:"subject_o"`
	Issuer    string            `json:"issuer"`
	NotBefore time.Time         `json:"not_before"`
	NotAfter  time.Time         `json:"not_after"`
	KeyType   KeyType           `json:"key_type"`
	HasKey    bool              `json:"has_key"` // a matching private key is on the token
	Cert      *x509.Certificate `json:"-"`

	key objectHandle // valid in the session that listed it
}

// Certificates lists the X.509 certificates on the token and finds each one's private key.
func (s *Session) Certificates(ctx context.Context) ([]Certificate, error) {
	var certs []Certificate
	err := s.do(ctx, "list certificates", func(h sessionHandle) error {
		m := s.d.mod
		objs, err := m.FindObjects(h, []attribute{{ckaClass, uint(ckoCertificate)}, {ckaCertificateType, uint(ckcX509)}})
		if err != nil {
			return err
		}
		keys, err := m.FindObjects(h, []attribute{{ckaClass, uint(ckoPrivateKey)}})
		if err != nil {
			return err
		}
		type keyInfo struct {
			h    objectHandle
			id   []byte
			kind KeyType
		}
		var keyInfos []keyInfo
		for _, k := range keys {
			v, err := m.GetAttributes(h, k, []uint{ckaID, ckaKeyType})
			if err != nil {
				return err
			}
			ki := keyInfo{h: k, id: v[0]}
			switch ulongOf(v[1]) {
			case ckkEC:
				ki.kind = KeyEC
			case ckkRSA:
				ki.kind = KeyRSA
			}
			keyInfos = append(keyInfos, ki)
		}
		for _, o := range objs {
			v, err := m.GetAttributes(h, o, []uint{ckaLabel, ckaID, ckaValue})
			if err != nil {
				return err
			}
			xc, err := x509.ParseCertificate(v[2])
			if err != nil {
				// Tokens carry odd objects (CA certificates in vendor formats); skip, but say so.
				s.log.Warn("unparsable certificate on token", "label", string(v[0]), "err", err)
				continue
			}
			c := Certificate{
				Label: string(v[0]), ID: v[1], Cert: xc,
				SubjectCN: xc.Subject.CommonName, SubjectO: strings.Join(xc.Subject.Organization, ", "),
				Issuer: xc.Issuer.String(), NotBefore: xc.NotBefore, NotAfter: xc.NotAfter,
			}
			switch xc.PublicKey.(type) {
			case *ecdsa.PublicKey:
				c.KeyType = KeyEC
			case *rsa.PublicKey:
				c.KeyType = KeyRSA
			default:
				continue // nothing this package can sign with
			}
			// Keys and certificates are paired by CKA_ID; a token with a single key of the
			// right type but mismatched ids (seen on some vendor tokens) still works.
			var same []keyInfo
			for _, k := range keyInfos {
				if k.kind == c.KeyType {
					same = append(same, k)
					if len(c.ID) > 0 && bytes.Equal(k.id, c.ID) {
						c.key, c.HasKey = k.h, true
					}
				}
			}
			if !c.HasKey && len(same) == 1 {
				c.key, c.HasKey = same[0].h, true
			}
			certs = append(certs, c)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return certs, nil
}

// Signer returns a signer for c's private key; c must come from this session's Certificates.
func (s *Session) Signer(c Certificate) (*Signer, error) {
	if !c.HasKey || c.Cert == nil {
		return nil, fmt.Errorf("pkcs11: certificate %q: %w", c.Label, ErrNoPrivateKey)
	}
	return &Signer{s: s, key: c.key, cert: c.Cert, kind: c.KeyType}, nil
}

// ulongOf reads a CK_ULONG attribute value, which has the platform's C long size.
func ulongOf(b []byte) uint64 {
	switch len(b) {
	case 4:
		return uint64(binary.NativeEndian.Uint32(b))
	case 8:
		return binary.NativeEndian.Uint64(b)
	}
	return ^uint64(0)
}
