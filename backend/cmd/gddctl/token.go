package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"giaydiduong/backend/app"
)

// tokenFlags choose the token a command uses.
type tokenFlags struct {
	softFIDO   bool
	touchDelay time.Duration
	fidoPath   string
	pkcs11Lib  string
	slot       uint
}

func (f *tokenFlags) add(cmd *cobra.Command) {
	cmd.Flags().BoolVar(&f.softFIDO, "soft-fido", false, "use the software FIDO key kept in the data directory (demo and tests)")
	cmd.Flags().DurationVar(&f.touchDelay, "touch-delay", 0, "with --soft-fido: the simulated officer touches the key after this long (0: at once)")
	cmd.Flags().StringVar(&f.fidoPath, "fido", "", "use the FIDO key at this device path (from `token list`); --fido '' picks the only one")
	cmd.Flags().StringVar(&f.pkcs11Lib, "pkcs11", "", "use a certificate token through this PKCS#11 library")
	cmd.Flags().UintVar(&f.slot, "slot", 0, "with --pkcs11: the token's slot id")
}

// attach gives the app its tokens: the software key when asked for, and the PC's bus.
func (f *tokenFlags) attach(a *app.App) (func(), error) {
	ts := app.NewTokens(nil, nil)
	if f.softFIDO {
		k, err := app.NewSoftKey(a.DataDir(), f.touchDelay)
		if err != nil {
			return nil, err
		}
		ts = app.NewTokens(k, nil)
	}
	a.Tokens = ts
	return ts.Close, nil
}

// ref is the token the flags name.
func (f *tokenFlags) ref(cmd *cobra.Command, a *app.App) (app.TokenRef, error) {
	switch {
	case f.pkcs11Lib != "":
		return app.TokenRef{Kind: app.TokenPKCS11, Library: f.pkcs11Lib, Slot: f.slot}, nil
	case f.softFIDO:
		return app.TokenRef{Kind: app.TokenFIDO, Path: a.Tokens.Soft.Info().Path}, nil
	case cmd.Flags().Changed("fido"):
		return app.TokenRef{Kind: app.TokenFIDO, Path: f.fidoPath}, nil
	}
	return app.TokenRef{}, errors.New("choose the token: --soft-fido, --fido PATH or --pkcs11 LIBRARY --slot N")
}

// withTokens opens the office with the flags' tokens attached.
func (c *cli) withTokens(cmd *cobra.Command, f *tokenFlags, fn func(ctx context.Context, a *app.App) error) error {
	return c.withApp(cmd, func(ctx context.Context, a *app.App) error {
		done, err := f.attach(a)
		if err != nil {
			return err
		}
		defer done()
		return fn(ctx, a)
	})
}

// touchPrompt tells the person at the keyboard to touch the key, once per wait.
func (c *cli) touchPrompt() func() {
	return func() { fmt.Fprintln(os.Stderr, "Chạm vào khóa để ký… (touch the key)") }
}

func (c *cli) tokenCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "token", Short: "leaders' signing tokens: FIDO keys and PKCS#11 certificate tokens"}
	var lf tokenFlags
	list := &cobra.Command{
		Use: "list", Args: cobra.NoArgs, Short: "list the tokens plugged in now",
		RunE: func(cmd *cobra.Command, _ []string) error {
			return c.withTokens(cmd, &lf, func(ctx context.Context, a *app.App) error {
				ts, err := a.ListTokens(ctx, lf.pkcs11Lib)
				if err != nil {
					return err
				}
				return c.print(ts, func(w io.Writer) {
					if len(ts) == 0 {
						fmt.Fprintln(w, "no token plugged in")
					}
					for _, t := range ts {
						where := t.Path
						if t.Kind == app.TokenPKCS11 {
							where = fmt.Sprintf("%s slot %d", t.Library, t.Slot)
						}
						fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", t.Kind, t.Label, t.Serial, where)
					}
				})
			})
		},
	}
	lf.add(list)

	libraries := &cobra.Command{
		Use: "libraries", Args: cobra.NoArgs, Short: "the CA PKCS#11 libraries this PC is probed for, installed ones first",
		RunE: func(cmd *cobra.Command, _ []string) error {
			return c.withApp(cmd, func(_ context.Context, a *app.App) error {
				libs := a.PKCS11Libraries()
				return c.print(libs, func(w io.Writer) {
					for _, l := range libs {
						state := "missing"
						if l.Found {
							state = "found"
						}
						fmt.Fprintf(w, "%s\t%s\t%s\n", state, l.Vendor, l.Path)
					}
				})
			})
		},
	}

	var ef tokenFlags
	var officer, certFP string
	enroll := &cobra.Command{
		Use: "enroll", Args: cobra.NoArgs, Short: "bind a token's key to an approver (office admin); the PIN comes from $GDD_TOKEN_PIN",
		RunE: func(cmd *cobra.Command, _ []string) error {
			return c.withTokens(cmd, &ef, func(ctx context.Context, a *app.App) error {
				actor, err := c.actor(ctx, a)
				if err != nil {
					return err
				}
				ref, err := ef.ref(cmd, a)
				if err != nil {
					return err
				}
				k, err := a.EnrollToken(ctx, actor, app.EnrollInput{Officer: officer, Token: ref, PIN: os.Getenv("GDD_TOKEN_PIN"), Certificate: certFP}, c.touchPrompt())
				if err != nil {
					return err
				}
				return c.print(k, func(w io.Writer) {
					fmt.Fprintf(w, "enrolled %s key %s (%s) for %s; send `gddctl trust request` to the province\n", k.Kind, k.KeyID, k.Algorithm, k.Officer)
				})
			})
		},
	}
	ef.add(enroll)
	enroll.Flags().StringVar(&officer, "officer", "", "the approver's username")
	enroll.Flags().StringVar(&certFP, "cert", "", "with --pkcs11: the certificate's fingerprint from `token certs` (default: its ECDSA P-256 one, else RSA)")
	_ = enroll.MarkFlagRequired("officer")

	keys := &cobra.Command{
		Use: "keys", Args: cobra.NoArgs, Short: "list the enrolled signing keys",
		RunE: func(cmd *cobra.Command, _ []string) error {
			return c.asUser(cmd, func(ctx context.Context, a *app.App, actor app.Actor) error {
				ks, err := a.SigningKeys(ctx, actor)
				if err != nil {
					return err
				}
				return c.print(ks, func(w io.Writer) {
					for _, k := range ks {
						fmt.Fprintf(w, "%s\t%s\t%s\t%s\ttrusted=%v\n", k.KeyID, k.Kind, k.Algorithm, k.Officer, k.Trusted)
					}
				})
			})
		},
	}
	var cf tokenFlags
	certs := &cobra.Command{
		Use: "certs", Args: cobra.NoArgs, Short: "list the certificates on a PKCS#11 token (office admin); the PIN comes from $GDD_TOKEN_PIN",
		RunE: func(cmd *cobra.Command, _ []string) error {
			return c.withTokens(cmd, &cf, func(ctx context.Context, a *app.App) error {
				actor, err := c.actor(ctx, a)
				if err != nil {
					return err
				}
				if cf.pkcs11Lib == "" {
					return errors.New("give the token: --pkcs11 LIBRARY --slot N")
				}
				ref, err := cf.ref(cmd, a)
				if err != nil {
					return err
				}
				cs, err := a.TokenCertificates(ctx, actor, ref, os.Getenv("GDD_TOKEN_PIN"))
				if err != nil {
					return err
				}
				return c.print(cs, func(w io.Writer) {
					for _, ce := range cs {
						fmt.Fprintf(w, "%s\t%s\t%s\t%s → %s\tusable=%v signs_qr=%v\n", ce.Fingerprint, ce.KeyType, ce.SubjectCN,
							ce.NotBefore.Format("2006-01-02"), ce.NotAfter.Format("2006-01-02"), ce.Usable, ce.SignsQR)
					}
				})
			})
		},
	}
	cf.add(certs)
	cmd.AddCommand(list, libraries, enroll, keys, certs)
	return cmd
}

// permitSignCmds sign permits with the approver's token and export what a certificate
// token signed.
func (c *cli) permitSignCmds() []*cobra.Command {
	var f tokenFlags
	sign := &cobra.Command{
		Use: "sign NUMBER...", Args: cobra.MinimumNArgs(1), Short: "sign permits with your token (approver); the PIN comes from $GDD_TOKEN_PIN",
		RunE: func(cmd *cobra.Command, args []string) error {
			return c.withTokens(cmd, &f, func(ctx context.Context, a *app.App) error {
				actor, err := c.actor(ctx, a)
				if err != nil {
					return err
				}
				ref, err := f.ref(cmd, a)
				if err != nil {
					return err
				}
				waiting := false
				res, err := a.SignPermits(ctx, actor, app.SignInput{Numbers: args, Token: ref, PIN: os.Getenv("GDD_TOKEN_PIN")}, func(p app.SignProgress) {
					if p.WaitingTouch && !waiting {
						fmt.Fprintf(os.Stderr, "Chạm vào khóa để ký giấy %s (%d/%d)\n", p.Current, p.Done+1, p.Total)
					}
					waiting = p.WaitingTouch
				})
				if err != nil {
					return err
				}
				if perr := c.print(res, func(w io.Writer) {
					fmt.Fprintln(w, res.MessageVI)
					if len(res.Unsigned) > 0 {
						fmt.Fprintln(w, "chưa ký: "+strings.Join(res.Unsigned, " "))
					}
				}); perr != nil {
					return perr
				}
				if res.Stopped != "" {
					return errors.New(res.MessageVI)
				}
				return nil
			})
		},
	}
	f.add(sign)
	var out string
	pdf := &cobra.Command{
		Use: "signed-pdf NUMBER", Args: cobra.ExactArgs(1), Short: "write the PDF a certificate token signed for a permit",
		RunE: func(cmd *cobra.Command, args []string) error {
			return c.withApp(cmd, func(ctx context.Context, a *app.App) error {
				actor, err := c.printActor(ctx, a)
				if err != nil {
					return err
				}
				b, err := a.SignedPermitPDF(ctx, actor, args[0])
				if err != nil {
					return err
				}
				return writeOut(out, b)
			})
		},
	}
	pdf.Flags().StringVarP(&out, "output", "o", "-", "file to write (- for standard output)")
	return []*cobra.Command{sign, pdf}
}
