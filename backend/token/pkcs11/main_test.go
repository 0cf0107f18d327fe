package pkcs11

import (
	"context"
	"fmt"
	"os"
	"testing"

	"giaydiduong/backend/token/pkcs11/softhsmtest"
)

// hsm is the SoftHSM2 token every integration test uses; TestMain sets it up with
// scripts/softhsm-setup.sh and fails the run (never skips) when it cannot.
var hsm *softhsmtest.Env

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	dir, err := os.MkdirTemp("", "gdd-pkcs11-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "pkcs11 tests:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	hsm, err = softhsmtest.Setup(context.Background(), dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, "pkcs11 tests: SoftHSM2 setup failed:", err)
		return 1
	}
	return m.Run()
}
