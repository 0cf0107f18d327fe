package pdfsign

import (
	"context"
	"fmt"
	"os"
	"testing"

	"giaydiduong/backend/token/pkcs11/softhsmtest"
)

// hsm is the SoftHSM2 token the PDF tests sign with, set up by scripts/softhsm-setup.sh; the
// run fails (never skips) when it cannot be set up.
var hsm *softhsmtest.Env

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	dir, err := os.MkdirTemp("", "gdd-pdfsign-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "pdfsign tests:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	if hsm, err = softhsmtest.Setup(context.Background(), dir); err != nil {
		fmt.Fprintln(os.Stderr, "pdfsign tests: SoftHSM2 setup failed:", err)
		return 1
	}
	return m.Run()
}
