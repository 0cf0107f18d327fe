package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"

	"github.com/spf13/cobra"

	"giaydiduong/backend/app"
	"giaydiduong/backend/domain"
	"giaydiduong/backend/uibridge"
)

func (c *cli) initCmd() *cobra.Command {
	var demo bool
	var in app.SetupInput
	cmd := &cobra.Command{
		Use:   "init",
		Short: "set up the office (or, with --demo, the demo office)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return c.withApp(cmd, func(ctx context.Context, a *app.App) error {
				if demo {
					if err := a.SeedDemo(ctx); err != nil {
						return err
					}
				} else {
					in.AdminPassword = os.Getenv("GDD_PASSWORD")
					if _, err := a.Setup(ctx, in); err != nil {
						return err
					}
				}
				o, err := a.Office(ctx)
				if err != nil {
					return err
				}
				return c.print(o, func(w io.Writer) { fmt.Fprintf(w, "office ready: %s (%s)\n", o.Name, o.UnitName) })
			})
		},
	}
	cmd.Flags().BoolVar(&demo, "demo", false, "seed the demo office, UBND Phường Mỹ Tho, Tỉnh Đồng Tháp (users canbo, lanhdao, quantri; password demo1234)")
	cmd.Flags().StringVar(&in.OfficeName, "office-name", "", "office name")
	cmd.Flags().StringVar((*string)(&in.AgencyKind), "agency", string(domain.AgencyCommuneCommittee), "agency kind")
	cmd.Flags().StringVar(&in.UnitCode, "unit", "", "the office's commune code (today's list: gddctl unit list --json)")
	cmd.Flags().StringVar(&in.AdminUsername, "admin", "", "administrator username (password from GDD_PASSWORD)")
	cmd.Flags().StringVar(&in.AdminFullName, "admin-name", "", "administrator full name")
	return cmd
}

func (c *cli) rulesCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "rules", Short: "the locality's rules"}
	printRules := func(r domain.Rules) error {
		return c.print(r, func(w io.Writer) {
			fmt.Fprintf(w, "version %d, permits required: %v, max %d days, curfew %s–%s\n", r.Version, r.PermitsRequired, r.MaxDays, r.CurfewStart, r.CurfewEnd)
			for _, p := range r.Purposes {
				fmt.Fprintf(w, "  %-20s %s\n", p.Code, p.VI)
			}
		})
	}
	cmd.AddCommand(&cobra.Command{
		Use: "show", Short: "show the current rules", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return c.asReader(cmd, func(ctx context.Context, a *app.App, actor app.Actor) error {
				r, err := a.CurrentRules(ctx, actor)
				if err != nil {
					return err
				}
				return printRules(r)
			})
		},
	}, &cobra.Command{
		Use: "set FILE", Short: "save FILE (JSON: permits_required, purposes, max_days, curfew_start, curfew_end) as the next version", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var in app.RulesInput
			if err := readJSONFile(args[0], &in); err != nil {
				return err
			}
			return c.asUser(cmd, func(ctx context.Context, a *app.App, actor app.Actor) error {
				r, err := a.UpdateRules(ctx, actor, in)
				if err != nil {
					return err
				}
				return printRules(r)
			})
		},
	})
	return cmd
}

func (c *cli) auditCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "audit", Short: "the audit log"}
	cmd.AddCommand(&cobra.Command{
		Use: "verify", Short: "check the hash chain; exits non-zero naming the first bad event", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return c.withApp(cmd, func(ctx context.Context, a *app.App) error {
				r, err := a.VerifyAudit(ctx)
				if err != nil {
					return err
				}
				if err := c.print(r, func(w io.Writer) {
					if r.OK {
						fmt.Fprintf(w, "audit log intact: %d events\n", r.Events)
					}
				}); err != nil {
					return err
				}
				if !r.OK {
					return fmt.Errorf("audit log broken at event %d: %s", r.Problem.Seq, r.Problem.Reason)
				}
				return nil
			})
		},
	})
	return cmd
}

func (c *cli) userCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "user", Short: "local accounts (office admin)"}
	cmd.AddCommand(&cobra.Command{
		Use: "list", Args: cobra.NoArgs, Short: "list accounts",
		RunE: func(cmd *cobra.Command, _ []string) error {
			return c.asUser(cmd, func(ctx context.Context, a *app.App, actor app.Actor) error {
				users, err := a.Users(ctx, actor)
				if err != nil {
					return err
				}
				return c.print(users, func(w io.Writer) {
					for _, u := range users {
						fmt.Fprintf(w, "%s\t%s\t%s\tactive=%v\n", u.Username, u.Role, u.FullName, u.Active)
					}
				})
			})
		},
	}, &cobra.Command{
		Use: "add FILE", Args: cobra.ExactArgs(1), Short: "add an account from FILE (JSON: username, full_name, role, password)",
		RunE: func(cmd *cobra.Command, args []string) error {
			var in app.UserInput
			if err := readJSONFile(args[0], &in); err != nil {
				return err
			}
			return c.asUser(cmd, func(ctx context.Context, a *app.App, actor app.Actor) error {
				u, err := a.AddUser(ctx, actor, in)
				if err != nil {
					return err
				}
				return c.print(u, func(w io.Writer) { fmt.Fprintf(w, "added %s (%s)\n", u.Username, u.Role) })
			})
		},
	}, c.noticesCmd())
	return cmd
}

// noticesCmd is the login notice of the window: account changes an approver has not seen.
func (c *cli) noticesCmd() *cobra.Command {
	var ack bool
	cmd := &cobra.Command{
		Use: "notices", Args: cobra.NoArgs, Short: "account changes made by others that you (an approver) have not acknowledged",
		RunE: func(cmd *cobra.Command, _ []string) error {
			return c.asUser(cmd, func(ctx context.Context, a *app.App, actor app.Actor) error {
				list, err := a.AccountNotices(ctx, actor)
				if err != nil {
					return err
				}
				if ack && len(list) > 0 {
					if err := a.AcknowledgeAccountNotices(ctx, actor, list[len(list)-1].Seq); err != nil {
						return err
					}
				}
				return c.print(list, func(w io.Writer) {
					for _, n := range list {
						fmt.Fprintf(w, "#%d\t%s\t%s\t%s\t%s (%s)\t%s\n", n.Seq, n.At, n.Actor, n.Action, n.FullName, n.Username, n.Hash)
					}
				})
			})
		},
	}
	cmd.Flags().BoolVar(&ack, "ack", false, "mark the listed changes as seen")
	return cmd
}

func (c *cli) settingsCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "settings", Short: "office settings"}
	var s app.Settings
	set := &cobra.Command{
		Use: "set", Args: cobra.NoArgs, Short: "change the settings (office admin)",
		RunE: func(cmd *cobra.Command, _ []string) error {
			return c.asUser(cmd, func(ctx context.Context, a *app.App, actor app.Actor) error {
				cur, err := a.Settings(ctx, actor)
				if err != nil {
					return err
				}
				if cmd.Flags().Changed("idle-lock-minutes") {
					cur.IdleLockMinutes = s.IdleLockMinutes
				}
				if cmd.Flags().Changed("four-eyes") {
					cur.FourEyes = s.FourEyes
				}
				if cmd.Flags().Changed("default-printer") {
					cur.DefaultPrinter = s.DefaultPrinter
				}
				if cmd.Flags().Changed("pkcs11-library") {
					cur.PKCS11Library = s.PKCS11Library
				}
				if cmd.Flags().Changed("scan-max-file-mb") {
					cur.ScanMaxFileMB = s.ScanMaxFileMB
				}
				out, err := a.UpdateSettings(ctx, actor, cur)
				if err != nil {
					return err
				}
				return c.print(out, func(w io.Writer) {
					fmt.Fprintf(w, "idle lock %d min, four-eyes %v, printer %q\n", out.IdleLockMinutes, out.FourEyes, out.DefaultPrinter)
				})
			})
		},
	}
	set.Flags().IntVar(&s.IdleLockMinutes, "idle-lock-minutes", 5, "lock the screen after this many idle minutes")
	set.Flags().BoolVar(&s.FourEyes, "four-eyes", true, "an approver may not decide an application they entered")
	set.Flags().StringVar(&s.DefaultPrinter, "default-printer", "", "the printer permits go to when none is chosen")
	set.Flags().StringVar(&s.PKCS11Library, "pkcs11-library", "", "the certificate token's PKCS#11 library (the CA's driver)")
	set.Flags().IntVar(&s.ScanMaxFileMB, "scan-max-file-mb", app.DefaultSettings.ScanMaxFileMB, "the largest scanned file an import takes, in MB")
	cmd.AddCommand(&cobra.Command{
		Use: "show", Args: cobra.NoArgs, Short: "show the settings",
		RunE: func(cmd *cobra.Command, _ []string) error {
			return c.asReader(cmd, func(ctx context.Context, a *app.App, actor app.Actor) error {
				s, err := a.Settings(ctx, actor)
				if err != nil {
					return err
				}
				return c.print(s, func(w io.Writer) {
					fmt.Fprintf(w, "idle lock %d min, four-eyes %v, office key held by: %s, scanned files up to %d MB\n", s.IdleLockMinutes, s.FourEyes, s.OfficeKeyProtection, s.ScanMaxFileMB)
				})
			})
		},
	}, set)
	return cmd
}

// officeCmd: the office key's life. A restored office (whose TPM or Windows account cannot
// open the copied key) enrolls a new one.
func (c *cli) officeCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "office", Short: "the office's own signing key"}
	cmd.AddCommand(&cobra.Command{
		Use: "renew-key", Args: cobra.NoArgs, Short: "enroll a new office key and retire the old one (office admin)",
		Long: "Makes a new office key (in the TPM when there is one; GDD_TPM names it), retires the old one and records both in the audit log. " +
			"Send the key request (`trust request`) to the province: until its new list arrives, checkpoints do not know the new key.",
		RunE: func(cmd *cobra.Command, _ []string) error {
			return c.asUser(cmd, func(ctx context.Context, a *app.App, actor app.Actor) error {
				k, err := a.RenewOfficeKey(ctx, actor)
				if err != nil {
					return err
				}
				return c.print(k, func(w io.Writer) { fmt.Fprintf(w, "new office key %s, held by: %s\n", k.KeyID, k.Protection) })
			})
		},
	})
	return cmd
}

func (c *cli) uiCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "ui", Short: "the window's services over local HTTP"}
	var addr, dir string
	var tf tokenFlags
	serve := &cobra.Command{
		Use: "serve", Args: cobra.NoArgs, Short: "serve the UI and its services to a browser on this PC",
		RunE: func(cmd *cobra.Command, _ []string) error {
			return c.withTokens(cmd, &tf, func(ctx context.Context, a *app.App) error {
				ln, err := uibridge.Listen(addr)
				if err != nil {
					return err
				}
				bridge := uibridge.New(a, dir)
				srv := &http.Server{Handler: bridge, ReadHeaderTimeout: 10 * time.Second}
				go func() {
					<-ctx.Done()
					srv.Close()
				}()
				// The URL carries the launch secret: whoever can read this output may use the office.
				fmt.Fprintf(c.out, "listening on %s\n", bridge.URL(ln.Addr()))
				if err := srv.Serve(ln); err != nil && err != http.ErrServerClosed {
					return err
				}
				return nil
			})
		},
	}
	serve.Flags().StringVar(&addr, "addr", "127.0.0.1:34115", "listen address (loopback only: 127.0.0.1, ::1 or localhost)")
	serve.Flags().StringVar(&dir, "dir", "frontend/dist", "the built frontend")
	serve.Flags().BoolVar(&tf.softFIDO, "soft-fido", false, "plug in the software FIDO key kept in the data directory (demo and tests)")
	serve.Flags().DurationVar(&tf.touchDelay, "touch-delay", 0, "with --soft-fido: the simulated officer touches the key after this long")
	cmd.AddCommand(serve)
	return cmd
}

func (c *cli) dbCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "db", Short: "database maintenance"}
	cmd.AddCommand(&cobra.Command{
		Use: "check", Args: cobra.NoArgs, Short: "run SQLite's integrity check",
		RunE: func(cmd *cobra.Command, _ []string) error {
			return c.withApp(cmd, func(ctx context.Context, a *app.App) error {
				r, err := a.CheckDatabase(ctx)
				if err != nil {
					return err
				}
				if err := c.print(r, func(w io.Writer) { fmt.Fprintln(w, r.Result) }); err != nil {
					return err
				}
				if !r.OK {
					return fmt.Errorf("database damaged: %v", r.Result)
				}
				return nil
			})
		},
	})
	return cmd
}
