package main

import (
	"context"
	"crypto"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"time"

	"github.com/spf13/cobra"

	"giaydiduong/backend/app"
	"giaydiduong/backend/datadir"
	"giaydiduong/backend/permit"
)

func (c *cli) permitCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "permit", Short: "issued travel permits"}
	printPermit := func(p app.Permit) error {
		return c.print(p, func(w io.Writer) {
			fmt.Fprintf(w, "%s\t%s\t%s\t%s → %s\n", p.Number, p.Status, p.Application.FullName, p.Application.ValidFrom, p.Application.ValidTo)
		})
	}
	step := func(use, short string, fn func(ctx context.Context, a *app.App, actor app.Actor, arg string) (app.Permit, error)) *cobra.Command {
		return &cobra.Command{
			Use: use, Short: short, Args: cobra.ExactArgs(1),
			RunE: func(cmd *cobra.Command, args []string) error {
				return c.asUser(cmd, func(ctx context.Context, a *app.App, actor app.Actor) error {
					p, err := fn(ctx, a, actor, args[0])
					if err != nil {
						return err
					}
					return printPermit(p)
				})
			},
		}
	}
	var reason string
	revoke := step("revoke NUMBER", "revoke a permit (approver); --reason is required", func(ctx context.Context, a *app.App, actor app.Actor, n string) (app.Permit, error) {
		return a.RevokePermit(ctx, actor, n, reason)
	})
	revoke.Flags().StringVar(&reason, "reason", "", "why it is revoked")
	show := &cobra.Command{
		Use: "show NUMBER", Short: "show a permit", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return c.asReader(cmd, func(ctx context.Context, a *app.App, actor app.Actor) error {
				p, err := a.GetPermit(ctx, actor, args[0])
				if err != nil {
					return err
				}
				return printPermit(p)
			})
		},
	}
	cmd.AddCommand(c.permitPrintCmds()...)
	cmd.AddCommand(c.permitSignCmds()...)
	cmd.AddCommand(c.permitAttachmentsCmd())
	cmd.AddCommand(c.permitReadyCmds()...)
	cmd.AddCommand(show, revoke,
		step("issue APPLICATION_ID", "issue the permit of an approved application", func(ctx context.Context, a *app.App, actor app.Actor, id string) (app.Permit, error) {
			return a.IssuePermit(ctx, actor, id)
		}),
		step("hand-signed NUMBER", "record that the leader signed and stamped the printed permit", func(ctx context.Context, a *app.App, actor app.Actor, n string) (app.Permit, error) {
			return a.MarkHandSigned(ctx, actor, n)
		}))
	return cmd
}

func (c *cli) trustCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "trust", Short: "the provincial trust and revocation lists"}
	var out string
	export := &cobra.Command{
		Use: "export", Short: "write the trust and revocation lists for checkpoint verifiers", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return c.asReader(cmd, func(ctx context.Context, a *app.App, actor app.Actor) error {
				data, err := a.ExportTrustBundle(ctx, actor)
				if err != nil {
					return err
				}
				return writeOut(out, data)
			})
		},
	}
	export.Flags().StringVarP(&out, "output", "o", "-", "file to write (- for standard output)")
	var rootOut string
	root := &cobra.Command{
		Use: "root", Short: "write the pinned provincial root public key (PEM), for verifiers", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return c.withApp(cmd, func(ctx context.Context, a *app.App) error {
				data, err := a.ProvinceRootPEM(ctx)
				if err != nil {
					return err
				}
				return writeOut(rootOut, data)
			})
		},
	}
	root.Flags().StringVarP(&rootOut, "output", "o", "-", "file to write (- for standard output)")
	var reqOut string
	request := &cobra.Command{
		Use: "request", Short: "write this office's keys as trust-list requests for the province (office admin)", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return c.asUser(cmd, func(ctx context.Context, a *app.App, actor app.Actor) error {
				data, err := a.EnrollmentRequests(ctx, actor)
				if err != nil {
					return err
				}
				return writeOut(reqOut, append(data, '\n'))
			})
		},
	}
	request.Flags().StringVarP(&reqOut, "output", "o", "-", "file to write (- for standard output)")
	cmd.AddCommand(export, root, request,
		&cobra.Command{
			Use: "status", Short: "show the current lists and their age", Args: cobra.NoArgs,
			RunE: func(cmd *cobra.Command, _ []string) error {
				return c.asReader(cmd, func(ctx context.Context, a *app.App, actor app.Actor) error {
					st, err := a.TrustStatus(ctx, actor)
					if err != nil {
						return err
					}
					return c.print(st, func(w io.Writer) {
						fmt.Fprintf(w, "%d keys, %d revoked, lists %.0f h old (stale: %v)\n", st.Entries, st.Revoked, st.AgeHours, st.Stale)
					})
				})
			},
		},
		&cobra.Command{
			Use: "pin-root FILE", Short: "install the provincial root public key (office admin)", Args: cobra.ExactArgs(1),
			RunE: func(cmd *cobra.Command, args []string) error {
				data, err := os.ReadFile(args[0])
				if err != nil {
					return err
				}
				return c.asUser(cmd, func(ctx context.Context, a *app.App, actor app.Actor) error {
					return a.PinProvinceRoot(ctx, actor, data)
				})
			},
		},
		&cobra.Command{
			Use: "import FILE", Short: "import a provincial trust bundle (office admin)", Args: cobra.ExactArgs(1),
			RunE: func(cmd *cobra.Command, args []string) error {
				data, err := os.ReadFile(args[0])
				if err != nil {
					return err
				}
				return c.asUser(cmd, func(ctx context.Context, a *app.App, actor app.Actor) error {
					st, err := a.ImportTrustBundle(ctx, actor, data)
					if err != nil {
						return err
					}
					return c.print(st, func(w io.Writer) { fmt.Fprintf(w, "imported: %d keys, %d revoked\n", st.Entries, st.Revoked) })
				})
			},
		})
	return cmd
}

func writeOut(path string, data []byte) error {
	if path == "-" || path == "" {
		_, err := os.Stdout.Write(data)
		return err
	}
	// Permit PDFs carry citizens' personal data: owner-only, whatever the file was before.
	open, err := datadir.WritePrivateFile(path, data)
	if err != nil {
		return err
	}
	if open {
		fmt.Fprintf(os.Stderr, "cảnh báo: thư mục của %s cho tài khoản khác đọc được / warning: other accounts can list the folder of %s\n", path, path)
	}
	return nil
}

func (c *cli) verifyCmd() *cobra.Command {
	var text, imageFile, pdfFile, trustFile, rootFile, stateFile string
	cmd := &cobra.Command{
		Use:   "verify",
		Short: "verify a permit offline; exits 0 only for VALID",
		Long: "Verifies a permit's QR (--text, --image or --pdf) against the --data directory's lists, or against " +
			"a trust bundle (--trust) whose provincial root is pinned by --root or by the --data directory.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			n := 0
			for _, s := range []string{text, imageFile, pdfFile} {
				if s != "" {
					n++
				}
			}
			if n != 1 {
				return fmt.Errorf("give exactly one of --text, --image, --pdf")
			}
			ctx := cmd.Context()
			results, err := c.verify(ctx, text, imageFile, pdfFile, trustFile, rootFile, stateFile)
			if err != nil {
				return err
			}
			var v any = results
			if len(results) == 1 {
				v = results[0]
			}
			if err := c.print(v, func(w io.Writer) {
				for _, r := range results {
					line := string(r.Status)
					if r.Payload != nil {
						line += fmt.Sprintf("\t%s\t%s\t%s → %s", r.Payload.Number, r.Payload.FullName, r.Payload.ValidFrom, r.Payload.ValidTo)
					}
					fmt.Fprintln(w, line)
					if s := signerLine(r); s != "" {
						fmt.Fprintln(w, "\t"+s)
					}
					if r.Trust != nil {
						fmt.Fprintf(w, "\tlists %d/%d, %.0f h old, expire %s%s\n", r.Trust.TrustSequence, r.Trust.RevocationSequence, r.Trust.AgeHours,
							r.Trust.ExpiresAt.Format(time.DateTime), map[bool]string{true: " — STALE: get the province's new lists", false: ""}[r.Trust.Stale])
					}
				}
			}); err != nil {
				return err
			}
			for _, r := range results {
				if r.Status != permit.StatusValid {
					return fmt.Errorf("permit not valid: %s", r.Status)
				}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&text, "text", "", "the QR text (GDD1:…)")
	cmd.Flags().StringVar(&imageFile, "image", "", "a photo or scan of the permit (PNG or JPEG)")
	cmd.Flags().StringVar(&pdfFile, "pdf", "", "a permit PDF (every page is checked)")
	cmd.Flags().StringVar(&trustFile, "trust", "", "a trust bundle file (from `trust export`) instead of the data directory's lists")
	cmd.Flags().StringVar(&rootFile, "root", "", "the provincial root public key (PEM) that must have signed --trust")
	cmd.Flags().StringVar(&stateFile, "state", "", "with --trust: a file remembering the highest list sequences seen; older lists are refused")
	return cmd
}

func (c *cli) verify(ctx context.Context, text, imageFile, pdfFile, trustFile, rootFile, stateFile string) ([]app.Verification, error) {
	if trustFile == "" {
		var out []app.Verification
		err := c.withAppCtx(ctx, func(a *app.App) error {
			actor, err := c.printActor(ctx, a)
			if err != nil {
				return err
			}
			switch {
			case text != "":
				v, err := a.Verify(ctx, actor, text)
				out = []app.Verification{v}
				return err
			case imageFile != "":
				data, err := os.ReadFile(imageFile)
				if err != nil {
					return err
				}
				v, err := a.VerifyImage(ctx, actor, data)
				out = []app.Verification{v}
				return err
			default:
				data, err := os.ReadFile(pdfFile)
				if err != nil {
					return err
				}
				out, err = a.VerifyPDF(ctx, actor, data)
				return err
			}
		})
		return out, err
	}
	bundle, err := os.ReadFile(trustFile)
	if err != nil {
		return nil, err
	}
	var rootPEM []byte
	if rootFile != "" {
		if rootPEM, err = os.ReadFile(rootFile); err != nil {
			return nil, err
		}
	} else if err := c.withAppCtx(ctx, func(a *app.App) error {
		rootPEM, err = a.ProvinceRootPEM(ctx)
		return err
	}); err != nil {
		return nil, fmt.Errorf("--trust needs the provincial root that signed it: give --root FILE or a --data directory that has it pinned: %w", err)
	}
	if stateFile != "" {
		root, err := permit.ParsePublicKeyPEM(rootPEM)
		if err != nil {
			return nil, fmt.Errorf("read --root: %w", err)
		}
		if err := advanceVerifierState(stateFile, bundle, root); err != nil {
			return nil, err
		}
	}
	in := app.BundleCheck{Text: text, Bundle: bundle, RootPEM: rootPEM, Now: time.Now()}
	switch {
	case imageFile != "":
		if in.Image, err = os.ReadFile(imageFile); err != nil {
			return nil, err
		}
	case pdfFile != "":
		if in.PDF, err = os.ReadFile(pdfFile); err != nil {
			return nil, err
		}
	}
	return app.VerifyAgainstBundle(ctx, in)
}

// withAppCtx opens the --data office for a command that may also run without one.
func (c *cli) withAppCtx(ctx context.Context, fn func(a *app.App) error) error {
	dir, err := datadir.Resolve(c.dataFlag)
	if err != nil {
		return err
	}
	a, err := app.Open(ctx, dir)
	if err != nil {
		return err
	}
	defer a.Close()
	return fn(a)
}

// signerLine says what the signature vouches for: an office key only that the office's
// system issued the permit (the paper's handwritten signature and red seal are the leader's
// act), a token the named leader's signature. Nothing for a verdict that vouches for no one.
func signerLine(r app.Verification) string {
	if r.Signer == nil || r.Payload == nil {
		return ""
	}
	switch r.Status {
	case permit.StatusValid, permit.StatusExpired, permit.StatusNotYetValid, permit.StatusRevoked:
	default:
		return ""
	}
	if r.Signer.Kind.Personal() {
		line := "Ký số bởi: " + r.Signer.Officer
		if r.Signer.OfficerTitle != "" {
			line += ", " + r.Signer.OfficerTitle
		}
		return line
	}
	return "Cấp bởi hệ thống của " + r.Signer.Officer + ": Kiểm tra chữ ký tay và con dấu đỏ trên giấy"
}

// advanceVerifierState refuses a bundle older than the lists this verifier has already
// accepted (a replayed bundle hiding a revocation), and remembers the new ones.
func advanceVerifierState(path string, bundle []byte, root crypto.PublicKey) error {
	tl, rl, err := permit.ParseBundle(bundle, root)
	if err != nil {
		return fmt.Errorf("--trust: %w", err)
	}
	var st permit.VerifierState
	if data, err := os.ReadFile(path); err == nil {
		if err := json.Unmarshal(data, &st); err != nil {
			return fmt.Errorf("--state %s: %w", path, err)
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("--state: %w", err)
	}
	next, err := st.Advance(tl, rl)
	if err != nil {
		return fmt.Errorf("Danh sách tin cậy cũ hơn danh sách máy này đã dùng: không kiểm tra (%w)", err)
	}
	if next == st {
		return nil
	}
	data, err := json.Marshal(next)
	if err != nil {
		return err
	}
	// Written aside and renamed, so a crash leaves the old state or the new, never half.
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("--state: %w", err)
	}
	_, err = f.Write(append(data, '\n'))
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("--state: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("--state: %w", err)
	}
	return nil
}
