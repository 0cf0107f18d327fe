// Package pdfsign puts a standard PDF signature on a permit PDF: an adbe.pkcs7.detached CMS
// signature with the signer's X.509 chain, added by incremental update (the signed bytes of
// the original file are kept as they are), with a visible signature block on the page. It is
// the legally recognised electronic form of a token-signed permit; pdfsig (poppler) and Adobe
// Reader check it. The signing key stays wherever the crypto.Signer keeps it (a PKCS#11
// token in production).
package pdfsign

import (
	"bytes"
	"context"
	"crypto"
	"crypto/x509"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf16"

	"github.com/digitorus/pdf"
	"github.com/digitorus/pdfsign/sign"
	"golang.org/x/text/unicode/norm"
)

// DefaultReason is the signing reason written when Appearance.Reason is empty.
const DefaultReason = "Ký giấy đi đường"

// Appearance is what the signature says about itself and where its visible block goes.
type Appearance struct {
	Name     string // signer's name; default the certificate's common name
	Reason   string // default DefaultReason
	Location string // e.g. "UBND xã Tân Mỹ Chánh"
	// Page is the 1-based page the block is drawn on; 0 means 1.
	Page int
	// Rect is the block in PDF user space, in points from the lower-left corner of the page:
	// {llx, lly, urx, ury}.
	Rect [4]float64
	// Time is the signing time written in the signature and the block; zero means now.
	Time time.Time
}

// contextSigner is a crypto.Signer that can bind a context (pkcs11.Signer has it), so that a
// cancelled request stops before the token is asked to sign.
type contextSigner interface {
	WithContext(ctx context.Context) crypto.Signer
}

// vietnamTime is UTC+7 without a tz database, which Windows installs may lack.
var vietnamTime = time.FixedZone("ICT", 7*3600)

// Sign signs the PDF with signer, whose certificate is chain[0]; the rest of chain
// (intermediates, optionally the root) is embedded for verifiers. It returns the whole signed
// file: the original bytes followed by the incremental update.
func Sign(ctx context.Context, doc []byte, signer crypto.Signer, chain []*x509.Certificate, ap Appearance) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("sign pdf: %w", err)
	}
	if signer == nil || len(chain) == 0 || chain[0] == nil {
		return nil, errors.New("sign pdf: a signer and its certificate are required")
	}
	cert := chain[0]
	if pub, ok := signer.Public().(interface{ Equal(crypto.PublicKey) bool }); !ok || !pub.Equal(cert.PublicKey) {
		return nil, errors.New("sign pdf: the certificate is not the signer's")
	}
	if cs, ok := signer.(contextSigner); ok {
		signer = cs.WithContext(ctx)
	}
	if ap.Page <= 0 {
		ap.Page = 1
	}
	if ap.Name == "" {
		ap.Name = cert.Subject.CommonName
	}
	if ap.Reason == "" {
		ap.Reason = DefaultReason
	}
	if ap.Time.IsZero() {
		ap.Time = time.Now()
	}
	ap.Time = ap.Time.Truncate(time.Second)
	w, h := ap.Rect[2]-ap.Rect[0], ap.Rect[3]-ap.Rect[1]
	if w < 20 || h < 10 {
		return nil, fmt.Errorf("sign pdf: signature block %.0f×%.0f pt is too small", w, h)
	}

	rdr, err := pdf.NewReader(bytes.NewReader(doc), int64(len(doc)))
	if err != nil {
		return nil, fmt.Errorf("sign pdf: read document: %w", err)
	}
	if n := rdr.NumPage(); ap.Page > n {
		return nil, fmt.Errorf("sign pdf: page %d of a %d-page document", ap.Page, n)
	}
	img, err := blockImage(ap, cert, w, h)
	if err != nil {
		return nil, fmt.Errorf("sign pdf: draw signature block: %w", err)
	}
	data := sign.SignData{
		Signature: sign.SignDataSignature{
			// An approval signature (not a certification one) is what allows a visible
			// widget in this library, and leaves room for a second signer later.
			CertType:   sign.ApprovalSignature,
			DocMDPPerm: sign.AllowFillingExistingFormFieldsAndSignaturesPerms,
			Info: sign.SignDataSignatureInfo{
				Name:     pdfText(ap.Name),
				Location: pdfText(ap.Location),
				Reason:   pdfText(ap.Reason),
				Date:     ap.Time,
			},
		},
		Signer:            signer,
		DigestAlgorithm:   crypto.SHA256,
		Certificate:       cert,
		CertificateChains: [][]*x509.Certificate{chain},
		Appearance: sign.Appearance{
			Visible: true,
			Page:    uint32(ap.Page),
			// The library's own text uses Times-Roman, which has no Vietnamese letters, so
			// the block is drawn as an image with an embedded Vietnamese font instead.
			LowerLeftX: ap.Rect[0], LowerLeftY: ap.Rect[1], UpperRightX: ap.Rect[2], UpperRightY: ap.Rect[3],
			Image: img,
		},
	}
	var out bytes.Buffer
	if err := sign.Sign(bytes.NewReader(doc), &out, rdr, int64(len(doc)), data); err != nil {
		if cerr := ctx.Err(); cerr != nil {
			return nil, fmt.Errorf("sign pdf: %w: %w", cerr, err)
		}
		return nil, fmt.Errorf("sign pdf: %w", err)
	}
	return out.Bytes(), nil
}

// pdfText makes s safe for the library's string writer. For non-ASCII text it writes UTF-16
// inside a literal string "( … )" without escaping, so any UTF-16 byte equal to '(' ')' '\'
// or CR breaks the signature dictionary. In Vietnamese only ĩ and Ĩ (U+0129, U+0128) have
// such a byte; they are written decomposed (i + combining tilde), which displays the same.
// Backslashes, line breaks and unbalanced parentheses in ASCII characters of non-ASCII text
// are replaced.
func pdfText(s string) string {
	s = norm.NFC.String(strings.TrimSpace(s))
	if isASCII(s) {
		return s // written with proper escapes
	}
	var b strings.Builder
	depth, balanced := 0, true
	for _, r := range s {
		switch r {
		case '(':
			depth++
		case ')':
			depth--
			balanced = balanced && depth >= 0
		}
	}
	balanced = balanced && depth == 0
	for _, r := range s {
		switch {
		case r == '\\':
			b.WriteRune('/')
		case r == '\r' || r == '\n':
			b.WriteRune(' ')
		case !balanced && r == '(':
			b.WriteRune('[')
		case !balanced && r == ')':
			b.WriteRune(']')
		case r > 0x7F && !utf16Safe(r):
			d := norm.NFD.String(string(r))
			if allSafe(d) {
				b.WriteString(d)
			} else {
				b.WriteRune('?')
			}
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] > 0x7F {
			return false
		}
	}
	return true
}

// utf16Safe reports whether r's UTF-16 code units hold no byte a PDF literal string treats
// specially.
func utf16Safe(r rune) bool {
	for _, u := range utf16.Encode([]rune{r}) {
		for _, by := range []byte{byte(u >> 8), byte(u)} {
			if by == '(' || by == ')' || by == '\\' || by == '\r' {
				return false
			}
		}
	}
	return true
}

func allSafe(s string) bool {
	for _, r := range s {
		if r > 0x7F && !utf16Safe(r) {
			return false
		}
	}
	return true
}
