package pdfsign

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"log/slog"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"giaydiduong/backend/permit"
	"giaydiduong/backend/render"
	"giaydiduong/backend/token/pkcs11"
)

// tokenSigners opens the SoftHSM2 token and returns its EC and RSA signers.
func tokenSigners(t testing.TB) map[pkcs11.KeyType]*pkcs11.Signer {
	t.Helper()
	ctx := context.Background()
	d, err := pkcs11.New(ctx, hsm.Lib, pkcs11.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = d.Close() })
	s, err := d.Open(ctx, hsm.Slot, hsm.PIN)
	if err != nil {
		t.Fatal(err)
	}
	certs, err := s.Certificates(ctx)
	if err != nil {
		t.Fatal(err)
	}
	out := map[pkcs11.KeyType]*pkcs11.Signer{}
	for _, c := range certs {
		k, err := s.Signer(c)
		if err != nil {
			t.Fatal(err)
		}
		out[c.KeyType] = k
	}
	if out[pkcs11.KeyEC] == nil || out[pkcs11.KeyRSA] == nil {
		t.Fatalf("token certificates: %+v", certs)
	}
	return out
}

// permitPDF renders a one-page A5 permit whose QR the token's EC key signed, as the app does
// before the PDF signature.
func permitPDF(t testing.TB, ec *pkcs11.Signer) []byte {
	t.Helper()
	ps, err := ec.PermitSigner()
	if err != nil {
		t.Fatal(err)
	}
	vn := permit.VietnamTime
	p := permit.Payload{
		Number: "28249/2026/000123", FullName: "Nguyễn Thị Hoàng Phương Thảo", BirthYear: 1987, IDLast4: "0417",
		PurposeCode: "essential_goods", RouteFrom: "Ấp Mỹ Lợi A, xã Mỹ Đức Tây, huyện Cái Bè",
		RouteTo: "Bệnh viện Đa khoa Trung tâm Tiền Giang, TP Mỹ Tho", VehiclePlate: "63B1-234.56",
		ValidFrom: permit.Date{Year: 2026, Month: time.March, Day: 10}, ValidTo: permit.Date{Year: 2026, Month: time.March, Day: 12},
		UnitCode: "28249", IssuedAt: time.Date(2026, 3, 9, 15, 4, 5, 0, vn).UTC(),
	}
	text, err := permit.Encode(context.Background(), p, ps)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	err = render.Permits(&buf, []render.Permit{{
		Number: p.Number, AuthorityName: "UBND THÀNH PHỐ MỸ THO", IssuingUnitName: "UBND XÃ TÂN MỸ CHÁNH",
		PlaceName: "Tân Mỹ Chánh", FullName: p.FullName, BirthDate: "12/05/1987", Gender: "Nữ",
		IDNumber: "082187000417", Residence: p.RouteFrom, Purpose: "Mua lương thực, thực phẩm",
		RouteFrom: p.RouteFrom, RouteTo: p.RouteTo, Vehicle: "Xe mô tô, xe máy — 63-B1 234.56",
		ValidFrom: "10/03/2026", ValidTo: "12/03/2026", IssuedAt: p.IssuedAt,
		Signature: render.Signature{Kind: render.SignatureDigital, SignerName: "Lê Văn Đức", SignerTitle: "Chủ tịch", SignedAt: p.IssuedAt},
		QR:        text,
	}}, render.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// run runs a poppler tool and returns its combined output.
func runTool(t testing.TB, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	// pdfsig exits non-zero when the certificate is not trusted, which a test CA never is;
	// the verdict is read from its output.
	if err != nil && name != "pdfsig" {
		t.Fatalf("%s %v: %v\n%s", name, args, err, out)
	}
	return string(out)
}

// A5 is 420×595 pt; the block sits in the blank band above the page's own signature area,
// clear of the QR code and the "Đã ký số" box render draws.
var blockRect = [4]float64{190, 175, 400, 245}

func TestSignWithToken(t *testing.T) {
	keys := tokenSigners(t)
	doc := permitPDF(t, keys[pkcs11.KeyEC])
	dir := t.TempDir()
	for _, tc := range []struct {
		kind     pkcs11.KeyType
		name     string
		hashAlgo string
	}{
		{pkcs11.KeyEC, "Lê Văn Đức", "SHA-256"},
		{pkcs11.KeyRSA, "Trần Văn Nghĩa (Phó Chủ tịch)", "SHA-256"}, // ĩ and parentheses: see pdfText
	} {
		t.Run(string(tc.kind), func(t *testing.T) {
			k := keys[tc.kind]
			signed, err := Sign(context.Background(), doc, k, []*x509.Certificate{k.Certificate(), hsm.CACert}, Appearance{
				Name: tc.name, Location: "UBND xã Tân Mỹ Chánh", Rect: blockRect,
			})
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.HasPrefix(signed, doc) {
				t.Fatal("the signed file does not start with the original bytes (not an incremental update)")
			}
			path := filepath.Join(dir, string(tc.kind)+".pdf")
			if err := os.WriteFile(path, signed, 0o600); err != nil {
				t.Fatal(err)
			}
			out := runTool(t, "pdfsig", path)
			t.Logf("pdfsig %s:\n%s", tc.kind, out)
			for _, want := range []string{
				"Signature Validation: Signature is Valid.",
				"Signer Certificate Common Name: Lê Văn Đức",
				"Signature Type: adbe.pkcs7.detached",
				"Signing Hash Algorithm: " + tc.hashAlgo,
				"Total document signed",
			} {
				if !strings.Contains(out, want) {
					t.Errorf("pdfsig output lacks %q", want)
				}
			}
			info := runTool(t, "pdfinfo", path)
			if !strings.Contains(info, "Pages:           1") {
				t.Errorf("pdfinfo:\n%s", info)
			}
			if os.Getenv("GDD_KEEP_PDF") != "" {
				_ = os.WriteFile(filepath.Join(os.Getenv("GDD_KEEP_PDF"), string(tc.kind)+".pdf"), signed, 0o644)
			}
		})
	}
}

// TestTamperedPDFIsInvalid changes one byte of the signed range; pdfsig must say so, or the
// valid verdicts above would prove nothing.
func TestTamperedPDFIsInvalid(t *testing.T) {
	keys := tokenSigners(t)
	doc := permitPDF(t, keys[pkcs11.KeyEC])
	k := keys[pkcs11.KeyEC]
	signed, err := Sign(context.Background(), doc, k, []*x509.Certificate{k.Certificate()}, Appearance{Rect: blockRect})
	if err != nil {
		t.Fatal(err)
	}
	i := bytes.Index(signed, []byte("/Title"))
	if i < 0 {
		t.Fatal("no /Title to alter")
	}
	signed[i+8] ^= 0x01
	path := filepath.Join(t.TempDir(), "tampered.pdf")
	if err := os.WriteFile(path, signed, 0o600); err != nil {
		t.Fatal(err)
	}
	if out := runTool(t, "pdfsig", path); strings.Contains(out, "Signature is Valid.") {
		t.Errorf("pdfsig accepts a tampered file:\n%s", out)
	}
}

func TestSignErrors(t *testing.T) {
	keys := tokenSigners(t)
	k := keys[pkcs11.KeyEC]
	doc := permitPDF(t, k)
	other, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(9), Subject: pkix.Name{CommonName: "x"}, NotBefore: time.Now(), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &other.PublicKey, other)
	if err != nil {
		t.Fatal(err)
	}
	otherCert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	chain := []*x509.Certificate{k.Certificate()}
	for _, tc := range []struct {
		name  string
		ctx   context.Context
		doc   []byte
		chain []*x509.Certificate
		ap    Appearance
		want  error
	}{
		{"not a PDF", context.Background(), []byte("hello"), chain, Appearance{Rect: blockRect}, nil},
		{"no chain", context.Background(), doc, nil, Appearance{Rect: blockRect}, nil},
		{"someone else's certificate", context.Background(), doc, []*x509.Certificate{otherCert}, Appearance{Rect: blockRect}, nil},
		{"page out of range", context.Background(), doc, chain, Appearance{Rect: blockRect, Page: 2}, nil},
		{"empty rectangle", context.Background(), doc, chain, Appearance{}, nil},
		{"cancelled", cancelled, doc, chain, Appearance{Rect: blockRect}, context.Canceled},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := Sign(tc.ctx, tc.doc, k, tc.chain, tc.ap)
			if err == nil || out != nil {
				t.Fatalf("Sign succeeded")
			}
			if tc.want != nil && !errors.Is(err, tc.want) {
				t.Errorf("error %v, want %v", err, tc.want)
			}
		})
	}
}

func TestPDFText(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Lê Văn Đức", "Lê Văn Đức"},
		{"Ký giấy đi đường", "Ký giấy đi đường"},
		{"Trần Văn Nghĩa", "Trần Văn Nghi\u0303a"},
		{"ĨNH (Phó Chủ tịch)", "I\u0303NH (Phó Chủ tịch)"},
		{"Đức) x (", "Đức] x ["},
		{`Đức\Mỹ` + "\r\n", "Đức/Mỹ"},
		{"plain (ASCII) \\ stays", "plain (ASCII) \\ stays"},
	} {
		if got := pdfText(tc.in); got != tc.want {
			t.Errorf("pdfText(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
