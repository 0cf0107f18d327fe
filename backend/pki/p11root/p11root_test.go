package p11root

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"giaydiduong/backend/pki"
	"giaydiduong/backend/token/pkcs11/softhsmtest"
)

var hsm *softhsmtest.Env

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "gdd-p11root-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	hsm, err = softhsmtest.Setup(context.Background(), dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, "p11root tests: SoftHSM2 setup failed:", err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func TestRootKeyMadeAndUsedInTheToken(t *testing.T) {
	cfg := Config{Lib: hsm.Lib, TokenLabel: hsm.TokenLabel, PIN: hsm.PIN, KeyLabel: "root " + t.Name()}
	if _, err := Open(cfg); err == nil {
		t.Fatal("Open found a key before Create made it")
	}
	k, err := Create(cfg)
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	exportable, err := k.Exportable()
	if err != nil || exportable {
		t.Fatalf("the root key can leave the token (exportable=%v, err=%v)", exportable, err)
	}
	root, err := pki.NewRoot(k, "Đồng Tháp", time.Now())
	if err != nil {
		t.Fatalf("root certificate signed in the token: %v", err)
	}
	if err := root.CheckSignatureFrom(root); err != nil {
		t.Fatalf("self-signature: %v", err)
	}
	msg := []byte("receipt")
	sig, err := pki.SignWithRoot(k, msg)
	if err != nil {
		t.Fatal(err)
	}
	if err := pki.VerifyRootSignature(root.PublicKey, msg, sig); err != nil {
		t.Fatal(err)
	}
	if err := pki.VerifyRootSignature(root.PublicKey, []byte("other"), sig); err == nil {
		t.Fatal("a signature verified over another message")
	}
	if k.Store() != "pkcs11:"+hsm.TokenLabel+"/"+cfg.KeyLabel {
		t.Fatalf("store %q", k.Store())
	}
	k.Close()

	// Another process (serve after init) finds the same key; Create again reuses it.
	again, err := Create(cfg)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := pki.KeyHash(again.Public())
	b, _ := pki.KeyHash(root.PublicKey)
	again.Close()
	if a != b {
		t.Fatal("a second Create made another key")
	}
	if _, err := Open(Config{Lib: hsm.Lib, TokenLabel: hsm.TokenLabel, PIN: "000000", KeyLabel: cfg.KeyLabel}); err == nil {
		t.Fatal("a wrong PIN opened the key")
	}
}
