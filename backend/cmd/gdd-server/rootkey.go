package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"giaydiduong/backend/pki"
	"giaydiduong/backend/pki/p11root"
	"giaydiduong/backend/province"
)

// Environment of the root key in a token.
const (
	envRootPKCS11 = "GDD_ROOT_PKCS11"
	envRootToken  = "GDD_ROOT_TOKEN"
	envRootPIN    = "GDD_ROOT_PIN"
)

// rootFlags say where the provincial root key is: a PKCS#11 library (and token) or, by
// default, the sealed file in the data directory.
type rootFlags struct {
	lib   string
	token string
	label string
}

func (f *rootFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.lib, "root-pkcs11", os.Getenv(envRootPKCS11), "keep the provincial root key in a PKCS#11 token through this library (PIN from $"+envRootPIN+") [$"+envRootPKCS11+"]")
	cmd.Flags().StringVar(&f.token, "root-token", os.Getenv(envRootToken), "the token's label, when the library has several [$"+envRootToken+"]")
	cmd.Flags().StringVar(&f.label, "root-key-label", p11root.DefaultKeyLabel, "the root key's label on the token")
}

// createRoot makes the root key in the token for init; nil means the sealed file.
func (f *rootFlags) createRoot() (pki.RootKey, error) {
	if f.lib == "" {
		return nil, nil
	}
	pin := os.Getenv(envRootPIN)
	if pin == "" {
		return nil, errors.New("the token's PIN is missing ($" + envRootPIN + ")")
	}
	k, err := p11root.Create(p11root.Config{Lib: f.lib, TokenLabel: f.token, PIN: pin, KeyLabel: f.label})
	if err != nil {
		return nil, fmt.Errorf("root key in the token: %w", err)
	}
	return k, nil
}

// openRoot gives serve the root key from where init put it. Without its secret (the file's
// passphrase or the token's PIN) the server still serves, but cannot sign receipts or lists;
// it says so in the log.
func (f *rootFlags) openRoot(ctx context.Context, c *cli, svc *province.Service) (func(), error) {
	store, err := svc.RootKeyStore(ctx)
	if err != nil {
		return nil, err
	}
	var k pki.RootKey
	if rest, ok := strings.CutPrefix(store, "pkcs11:"); ok {
		token, label, _ := strings.Cut(rest, "/")
		pin := os.Getenv(envRootPIN)
		if f.lib == "" || pin == "" {
			c.log.Warn("the root key is in a PKCS#11 token but --root-pkcs11 or $" + envRootPIN + " is missing: audit receipts and signed lists are off")
			return func() {}, nil
		}
		if k, err = p11root.Open(p11root.Config{Lib: f.lib, TokenLabel: token, PIN: pin, KeyLabel: label}); err != nil {
			return nil, fmt.Errorf("open the root key in the token: %w", err)
		}
	} else {
		pass := os.Getenv(envRootPassphrase)
		if pass == "" {
			c.log.Warn("$" + envRootPassphrase + " is not set: audit receipts and signed lists are off")
			return func() {}, nil
		}
		if k, err = pki.OpenFileRoot(filepath.Join(c.data, province.RootKeyFile), pass); err != nil {
			return nil, err
		}
	}
	if err := svc.UseRoot(ctx, k); err != nil {
		k.Close()
		return nil, err
	}
	c.log.Info("provincial root key open", "store", k.Store())
	return func() { k.Close() }, nil
}
