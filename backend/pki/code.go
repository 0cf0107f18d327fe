package pki

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base32"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// An enrollment code is what the provincial admin hands to an office, once: 28 base32
// characters shown in groups of four.
//
//	SSSS KKKKKKKKKKKK PPPPPPPPPPPP
//	selector (20 bits): finds the code's record, so wrong guesses count against that code;
//	secret (60 bits): only its hash is stored;
//	root pin (60 bits): the start of the provincial root's key hash, so that the office can
//	check it talks to its own province before it has the root, a man in the middle
//	needing a 60-bit second preimage within the code's lifetime.
const (
	codeSelectorLen = 4
	codeSecretLen   = 12
	codePinLen      = 12
	codeLen         = codeSelectorLen + codeSecretLen + codePinLen
)

var codeEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// EnrollmentCode is a parsed code.
type EnrollmentCode struct {
	Selector string
	Secret   string
	Pin      string
}

// ErrMalformedCode is a code that is not 28 base32 characters.
var ErrMalformedCode = errors.New("the enrollment code must be 28 letters and digits (groups of 4)")

// NewEnrollmentCode makes a fresh code pinned to root's key hash (KeyHash, hex).
func NewEnrollmentCode(rootKeyHash string) (EnrollmentCode, error) {
	buf := make([]byte, 10) // 80 bits: selector + secret
	if _, err := rand.Read(buf); err != nil {
		return EnrollmentCode{}, fmt.Errorf("random code: %w", err)
	}
	s := codeEncoding.EncodeToString(buf) // 16 characters
	pin, err := RootPin(rootKeyHash)
	if err != nil {
		return EnrollmentCode{}, err
	}
	return EnrollmentCode{Selector: s[:codeSelectorLen], Secret: s[codeSelectorLen:], Pin: pin}, nil
}

// RootPin is the code's pin part for a root key hash (hex).
func RootPin(rootKeyHash string) (string, error) {
	raw, err := hex.DecodeString(rootKeyHash)
	if err != nil || len(raw) != sha256.Size {
		return "", errors.New("bad root key hash")
	}
	return codeEncoding.EncodeToString(raw)[:codePinLen], nil
}

// String is the code in groups of four.
func (c EnrollmentCode) String() string {
	all := c.Selector + c.Secret + c.Pin
	var b strings.Builder
	for i := 0; i < len(all); i += 4 {
		if i > 0 {
			b.WriteByte('-')
		}
		b.WriteString(all[i:min(i+4, len(all))])
	}
	return b.String()
}

// ParseEnrollmentCode accepts the code with or without dashes and spaces, in either case;
// the digits 0, 1 and 8, which base32 does not use, are read as the letters O, I and B.
func ParseEnrollmentCode(s string) (EnrollmentCode, error) {
	s = strings.Map(func(r rune) rune {
		switch r {
		case '-', ' ', '\t':
			return -1
		case '0':
			return 'O'
		case '1':
			return 'I'
		case '8':
			return 'B'
		}
		return r
	}, strings.ToUpper(strings.TrimSpace(s)))
	if len(s) != codeLen {
		return EnrollmentCode{}, ErrMalformedCode
	}
	for _, r := range s {
		if !(r >= 'A' && r <= 'Z' || r >= '2' && r <= '7') {
			return EnrollmentCode{}, ErrMalformedCode
		}
	}
	return EnrollmentCode{Selector: s[:codeSelectorLen], Secret: s[codeSelectorLen : codeSelectorLen+codeSecretLen], Pin: s[codeSelectorLen+codeSecretLen:]}, nil
}

// SecretHash is what the server stores for the code: the secret has 60 random bits, so a
// fast hash is enough; the selector is bound in so a hash cannot be moved to another record.
func (c EnrollmentCode) SecretHash() string {
	sum := sha256.Sum256([]byte("gdd-enroll-v1:" + c.Selector + ":" + c.Secret))
	return hex.EncodeToString(sum[:])
}

// MatchesSecret compares in constant time.
func (c EnrollmentCode) MatchesSecret(storedHash string) bool {
	return subtle.ConstantTimeCompare([]byte(c.SecretHash()), []byte(storedHash)) == 1
}

// PinMatches reports whether the root with key hash rootKeyHash is the one the code pins.
func (c EnrollmentCode) PinMatches(rootKeyHash string) bool {
	pin, err := RootPin(rootKeyHash)
	return err == nil && subtle.ConstantTimeCompare([]byte(pin), []byte(c.Pin)) == 1
}
