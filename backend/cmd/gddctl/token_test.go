package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"giaydiduong/backend/app"
	"giaydiduong/backend/token/pkcs11/softhsmtest"
	"giaydiduong/backend/token/softfido"
)

type signResultJSON struct {
	Signed    []string `json:"signed"`
	Unsigned  []string `json:"unsigned"`
	Stopped   string   `json:"stopped"`
	MessageVI string   `json:"message_vi"`
}

func issuedPermits(t *testing.T, dir string, n int) []string {
	t.Helper()
	out := make([]string, n)
	for i := range out {
		var p permitJSON
		runOK(t, &p, "--data", dir, "--user", "canbo", "permit", "issue", approvedApplication(t, dir, appInput()), "--json")
		out[i] = p.Number
	}
	return out
}

// TestSoftFIDOEnrollThenSign: enrolling and signing are two gddctl runs; the software key
// keeps its state in the data directory, so the second finds the credential of the first.
func TestSoftFIDOEnrollThenSign(t *testing.T) {
	dir := demoDir(t)
	t.Setenv("GDD_PASSWORD", app.DemoPassword)
	var tokens []app.TokenInfo
	runOK(t, &tokens, "--data", dir, "token", "list", "--soft-fido", "--json")
	if len(tokens) != 1 || tokens[0].Kind != app.TokenFIDO || !tokens[0].Software {
		t.Fatalf("token list: %+v", tokens)
	}
	if msg := runFail(t, "--data", dir, "--user", "canbo", "token", "enroll", "--officer", "lanhdao", "--soft-fido"); !strings.Contains(msg, "không có quyền") {
		t.Errorf("a clerk enrolls: %s", msg)
	}
	if msg := runFail(t, "--data", dir, "--user", "quantri", "token", "enroll", "--officer", "lanhdao"); !strings.Contains(msg, "--soft-fido") {
		t.Errorf("no token chosen: %s", msg)
	}
	var key app.SigningKey
	runOK(t, &key, "--data", dir, "--user", "quantri", "token", "enroll", "--officer", "lanhdao", "--soft-fido", "--json")
	if key.Kind != "fido" || key.Username != "lanhdao" || !key.Trusted {
		t.Fatalf("enrolled %+v", key)
	}
	st, err := os.Stat(filepath.Join(dir, softfido.StateFile))
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("software key state: %v %v", st, err)
	}

	numbers := issuedPermits(t, dir, 3)
	if msg := runFail(t, append([]string{"--data", dir, "--user", "canbo", "permit", "sign", "--soft-fido"}, numbers...)...); !strings.Contains(msg, "không có quyền") {
		t.Errorf("a clerk signs: %s", msg)
	}
	var res signResultJSON
	runOK(t, &res, append([]string{"--data", dir, "--user", "lanhdao", "permit", "sign", "--soft-fido", "--json"}, numbers...)...)
	if len(res.Signed) != 3 || res.Stopped != "" {
		t.Fatalf("sign: %+v", res)
	}
	for _, n := range numbers {
		var p permitJSON
		runOK(t, &p, "--data", dir, "permit", "show", n, "--json")
		if p.Status != "signed" {
			t.Errorf("%s: %s", n, p.Status)
		}
		if v, err := runVerify(t, "--data", dir, "verify", "--text", p.QR); err != nil || v.Result != "VALID" {
			t.Errorf("%s: %+v %v", n, v, err)
		}
	}
	var keys []app.SigningKey
	runOK(t, &keys, "--data", dir, "--user", "lanhdao", "token", "keys", "--json")
	kinds := map[string]string{}
	for _, k := range keys {
		kinds[k.KeyID] = k.Kind
	}
	if len(keys) != 2 || kinds[key.KeyID] != "fido" {
		t.Errorf("keys %+v", keys)
	}
}

// TestPKCS11EnrollSignPDF drives a SoftHSM2 certificate token through gddctl: the PIN from
// GDD_TOKEN_PIN, a wrong one refused, the signed PDF exported and checked by pdfsig.
func TestPKCS11EnrollSignPDF(t *testing.T) {
	hsm, err := softhsmtest.Setup(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	dir := demoDir(t)
	t.Setenv("GDD_PASSWORD", app.DemoPassword)
	tok := []string{"--pkcs11", hsm.Lib, "--slot", strconv.FormatUint(uint64(hsm.Slot), 10)}
	var tokens []app.TokenInfo
	runOK(t, &tokens, append([]string{"--data", dir, "token", "list", "--json"}, tok[:2]...)...)
	if len(tokens) == 0 || tokens[len(tokens)-1].Label != hsm.TokenLabel {
		t.Fatalf("token list: %+v", tokens)
	}
	t.Setenv("GDD_TOKEN_PIN", "000000")
	if msg := runFail(t, append([]string{"--data", dir, "--user", "quantri", "token", "enroll", "--officer", "lanhdao"}, tok...)...); !strings.HasPrefix(msg, "Mã PIN không đúng") {
		t.Errorf("wrong PIN: %s", msg)
	}
	t.Setenv("GDD_TOKEN_PIN", hsm.PIN)
	var certs []app.TokenCertificate
	runOK(t, &certs, append([]string{"--data", dir, "--user", "quantri", "token", "certs", "--json"}, tok...)...)
	ecFP := ""
	for _, ce := range certs {
		if ce.SignsQR && ce.Usable {
			ecFP = ce.Fingerprint
		}
	}
	if len(certs) != 2 || ecFP == "" {
		t.Fatalf("certs: %+v", certs)
	}
	var key app.SigningKey
	runOK(t, &key, append([]string{"--data", dir, "--user", "quantri", "token", "enroll", "--officer", "lanhdao", "--cert", ecFP, "--json"}, tok...)...)
	if key.Algorithm != "ES256" || !key.Trusted {
		t.Fatalf("enrolled %+v", key)
	}
	numbers := issuedPermits(t, dir, 2)
	var res signResultJSON
	runOK(t, &res, append(append([]string{"--data", dir, "--user", "lanhdao", "permit", "sign", "--json"}, tok...), numbers...)...)
	if len(res.Signed) != 2 {
		t.Fatalf("sign: %+v", res)
	}
	pdf := filepath.Join(t.TempDir(), "signed.pdf")
	runOK(t, nil, "--data", dir, "permit", "signed-pdf", numbers[1], "-o", pdf)
	out, _ := exec.Command(tool(t, "pdfsig", "poppler-utils"), pdf).CombinedOutput()
	if !strings.Contains(string(out), "Signature Validation: Signature is Valid.") {
		t.Errorf("pdfsig:\n%s", out)
	}
}
