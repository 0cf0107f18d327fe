// Package softhsmtest sets up a SoftHSM2 token for tests through scripts/softhsm-setup.sh, so
// every package that signs with a PKCS#11 token tests against the same real library.
package softhsmtest

import (
	"bufio"
	"bytes"
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// Env is what the setup script prints.
type Env struct {
	Dir                     string // the script's DIR
	Conf                    string // SOFTHSM2_CONF
	Lib                     string // the PKCS#11 library path
	Slot                    uint
	TokenLabel              string
	SOPIN, PIN              string
	CACert                  *x509.Certificate
	ECCertPath, RSACertPath string
	Vars                    map[string]string // every line, as printed
}

// Setup runs scripts/softhsm-setup.sh dir, exports SOFTHSM2_CONF for the library (which reads
// it at C_Initialize), and parses the result. Call it from TestMain before loading the library.
func Setup(ctx context.Context, dir string) (*Env, error) {
	script, err := scriptPath()
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Minute) // apt-get may run the first time
	defer cancel()
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, "bash", script, dir)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("softhsm setup %s: %w\n%s", script, err, stderr.String())
	}
	vars := map[string]string{}
	sc := bufio.NewScanner(&stdout)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), "=")
		if !ok {
			continue
		}
		if len(v) >= 2 && v[0] == '\'' && v[len(v)-1] == '\'' {
			v = v[1 : len(v)-1]
		}
		vars[k] = v
	}
	env := &Env{Dir: dir, Vars: vars, Conf: vars["SOFTHSM2_CONF"], Lib: vars["GDD_PKCS11_LIB"],
		TokenLabel: vars["GDD_PKCS11_TOKEN_LABEL"], SOPIN: vars["GDD_PKCS11_SO_PIN"], PIN: vars["GDD_PKCS11_PIN"],
		ECCertPath: vars["GDD_PKCS11_EC_CERT"], RSACertPath: vars["GDD_PKCS11_RSA_CERT"]}
	if env.Conf == "" || env.Lib == "" || env.PIN == "" {
		return nil, fmt.Errorf("softhsm setup: incomplete output:\n%s", stdout.String())
	}
	slot, err := strconv.ParseUint(vars["GDD_PKCS11_SLOT"], 10, 64)
	if err != nil {
		return nil, fmt.Errorf("softhsm setup: slot %q: %w", vars["GDD_PKCS11_SLOT"], err)
	}
	env.Slot = uint(slot)
	if env.CACert, err = readCert(vars["GDD_PKCS11_CA_CERT"]); err != nil {
		return nil, err
	}
	if err := os.Setenv("SOFTHSM2_CONF", env.Conf); err != nil {
		return nil, fmt.Errorf("softhsm setup: %w", err)
	}
	return env, nil
}

func readCert(path string) (*x509.Certificate, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("softhsm setup: %w", err)
	}
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, fmt.Errorf("softhsm setup: %s: no PEM block", path)
	}
	c, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("softhsm setup: %s: %w", path, err)
	}
	return c, nil
}

// scriptPath finds scripts/softhsm-setup.sh from this source file, so tests in any package
// (run from their own directory) reach it.
func scriptPath() (string, error) {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		return "", errors.New("softhsm setup: cannot locate the source tree")
	}
	p := filepath.Join(filepath.Dir(file), "..", "..", "..", "..", "scripts", "softhsm-setup.sh")
	if _, err := os.Stat(p); err != nil {
		return "", fmt.Errorf("softhsm setup: %w", err)
	}
	return p, nil
}
