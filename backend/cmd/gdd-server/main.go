// Command gdd-server is the provincial server: it enrolls offices and serves the sync API
// over mutual TLS. Configuration comes from flags, each with an environment variable as its
// default; secrets come from the environment only.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"os/user"
	"path/filepath"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"giaydiduong/backend/province"
	"giaydiduong/backend/server"
	"giaydiduong/backend/version"
)

// Environment variables.
const (
	envData           = "GDD_SERVER_DATA"
	envDB             = "GDD_DB"
	envListen         = "GDD_LISTEN"
	envOpsListen      = "GDD_OPS_LISTEN"
	envPassword       = "GDD_PASSWORD"
	envRootPassphrase = "GDD_ROOT_PASSPHRASE"
	envCAPassphrase   = "GDD_CA_PASSPHRASE"
	envLogFormat      = "GDD_LOG_FORMAT"
)

// DBFile is the default SQLite database inside the data directory.
const DBFile = "server.db"

type cli struct {
	data   string
	db     string
	asJSON bool
	out    io.Writer
	log    *slog.Logger
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	c := &cli{out: os.Stdout, log: newLogger(os.Stderr)}
	slog.SetDefault(c.log)
	if err := c.root().ExecuteContext(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "gdd-server: "+strings.ReplaceAll(err.Error(), "\n", " "))
		os.Exit(1)
	}
}

// newLogger writes JSON lines (GDD_LOG_FORMAT=text for people).
func newLogger(w io.Writer) *slog.Logger {
	if os.Getenv(envLogFormat) == "text" {
		return slog.New(slog.NewTextHandler(w, nil))
	}
	return slog.New(slog.NewJSONHandler(w, nil))
}

func (c *cli) root() *cobra.Command {
	root := &cobra.Command{
		Use:           "gdd-server",
		Version:       version.String(),
		Short:         "GiayDiDuong provincial server",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.PersistentFlags().StringVar(&c.data, "data", os.Getenv(envData), "data directory (the sealed root key; the SQLite database by default) [$"+envData+"]")
	root.PersistentFlags().StringVar(&c.db, "db", os.Getenv(envDB), "database: a SQLite file path (default DATA/"+DBFile+") or postgres://… [$"+envDB+"]")
	root.PersistentFlags().BoolVar(&c.asJSON, "json", false, "print machine-readable JSON")
	root.AddCommand(c.initCmd(), c.serveCmd(), c.officeCmd(), c.quarantineCmd())
	root.AddCommand(c.auditCmd(), c.permitCmd())
	root.AddCommand(c.accountCmd(), c.revokeCmd(), c.rulesCmd(), c.feedsCmd())
	root.AddCommand(c.reportCmd())
	return root
}

func (c *cli) dataDir() (string, error) {
	if c.data == "" {
		return "", errors.New("give the data directory with --data (or $" + envData + ")")
	}
	if err := os.MkdirAll(c.data, 0o700); err != nil {
		return "", fmt.Errorf("create data directory: %w", err)
	}
	return c.data, nil
}

// open opens and migrates the database.
func (c *cli) open(ctx context.Context) (*province.Service, func(), error) {
	dir, err := c.dataDir()
	if err != nil {
		return nil, nil, err
	}
	dsn := c.db
	if dsn == "" {
		dsn = filepath.Join(dir, DBFile)
	}
	db, err := province.OpenDB(ctx, dsn)
	if err != nil {
		return nil, nil, err
	}
	svc := province.New(db, province.DialectOf(dsn))
	svc.Log = c.log
	return svc, func() { province.CloseDB(db) }, nil
}

// actor names who ran a CLI command in the audit log.
func actor() string {
	name := "unknown"
	if u, err := user.Current(); err == nil {
		name = u.Username
	}
	return "cli:" + name
}

func (c *cli) print(v any, human func(w io.Writer)) error {
	if c.asJSON {
		enc := json.NewEncoder(c.out)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	}
	human(c.out)
	return nil
}

func (c *cli) initCmd() *cobra.Command {
	var in province.InitInput
	var rf rootFlags
	cmd := &cobra.Command{
		Use:   "init",
		Short: "create the provincial root key, the office CA, the server certificate and the first provincial admin",
		Long: "The admin's password comes from $" + envPassword + ", the root key's passphrase from $" + envRootPassphrase +
			" (the root key is sealed in DATA/" + province.RootKeyFile + "), the online CA's from $" + envCAPassphrase + ".",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			svc, closeDB, err := c.open(cmd.Context())
			if err != nil {
				return err
			}
			defer closeDB()
			in.AdminPassword = os.Getenv(envPassword)
			in.RootPassphrase = os.Getenv(envRootPassphrase)
			in.CAPassphrase = os.Getenv(envCAPassphrase)
			in.RootKeyPath = filepath.Join(c.data, province.RootKeyFile)
			if in.Root, err = rf.createRoot(); err != nil {
				return err
			} else if in.Root != nil {
				defer in.Root.Close()
			}
			res, err := svc.Init(cmd.Context(), in)
			if err != nil {
				return err
			}
			return c.print(res, func(w io.Writer) {
				fmt.Fprintf(w, "province %s ready; admin %s; root key hash %s\n", res.ProvinceName, res.Admin, res.RootKeyHash)
			})
		},
	}
	cmd.Flags().StringVar(&in.AdminUsername, "admin", "", "the first provincial admin's username")
	cmd.Flags().StringVar(&in.AdminFullName, "admin-name", "", "the admin's full name")
	cmd.Flags().StringVar(&in.ProvinceName, "province", "", "the province's name, shown in the certificates")
	cmd.Flags().StringSliceVar(&in.ServerHosts, "host", []string{"localhost", "127.0.0.1"}, "host names and addresses offices reach the server by (repeat or comma-separate)")
	rf.register(cmd)
	return cmd
}

func (c *cli) serveCmd() *cobra.Command {
	listen := os.Getenv(envListen)
	if listen == "" {
		listen = "127.0.0.1:8443"
	}
	opsListen := os.Getenv(envOpsListen)
	var grace time.Duration
	var rf rootFlags
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "serve enrollment and the sync API over mutual TLS until SIGINT/SIGTERM",
		Long:  "The online CA's passphrase comes from $" + envCAPassphrase + ". Any number of instances may serve one PostgreSQL database.",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			svc, closeDB, err := c.open(ctx)
			if err != nil {
				return err
			}
			defer closeDB()
			if err := svc.Unlock(ctx, os.Getenv(envCAPassphrase)); err != nil {
				return err
			}
			closeRoot, err := rf.openRoot(ctx, c, svc)
			if err != nil {
				return err
			}
			defer closeRoot()
			return serve(ctx, c.log, svc, listen, opsListen, grace, func(addr string) {
				c.log.Info("serving", "addr", addr, "db", string(svc.Dialect()))
			})
		},
	}
	cmd.Flags().StringVar(&listen, "listen", listen, "address of the TLS listener [$"+envListen+"]")
	cmd.Flags().StringVar(&opsListen, "ops-listen", opsListen, "also serve /healthz, /readyz and /metrics over plain HTTP here (they are on the TLS listener too) [$"+envOpsListen+"]")
	cmd.Flags().DurationVar(&grace, "shutdown-timeout", 30*time.Second, "how long in-flight requests may finish after SIGTERM")
	rf.register(cmd)
	return cmd
}

// serve runs the listeners until ctx ends, then lets in-flight requests finish.
func serve(ctx context.Context, log *slog.Logger, svc *province.Service, listen, opsListen string, grace time.Duration, ready func(addr string)) error {
	h := server.New(svc, log)
	tlsCfg, err := h.TLSConfig()
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", listen, err)
	}
	srv := &http.Server{
		Handler:           h.Handler(),
		TLSConfig:         tlsCfg,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       2 * time.Minute, // a batch on 3G
		WriteTimeout:      2 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    16 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	servers := []*http.Server{srv}
	errs := make(chan error, 2)
	go func() { errs <- srv.ServeTLS(ln, "", "") }()
	if opsListen != "" {
		oln, err := net.Listen("tcp", opsListen)
		if err != nil {
			ln.Close()
			return fmt.Errorf("listen on %s: %w", opsListen, err)
		}
		ops := &http.Server{Handler: h.OpsHandler(), ReadHeaderTimeout: 5 * time.Second}
		servers = append(servers, ops)
		go func() { errs <- ops.Serve(oln) }()
		log.Info("ops listener", "addr", oln.Addr().String())
	}
	ready(ln.Addr().String())
	select {
	case err := <-errs:
		return fmt.Errorf("server stopped: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down", "grace", grace.String())
	sctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	var firstErr error
	for _, s := range servers {
		if err := s.Shutdown(sctx); err != nil && firstErr == nil {
			firstErr = fmt.Errorf("shutdown: %w", err)
		}
	}
	log.Info("stopped")
	return firstErr
}

func (c *cli) officeCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "office", Short: "offices: create with a one-time enrollment code, list, revoke"}
	var in province.NewOfficeInput
	add := &cobra.Command{
		Use:   "add",
		Short: "create an office for a unit and print its one-time enrollment code (shown once)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			svc, closeDB, err := c.open(cmd.Context())
			if err != nil {
				return err
			}
			defer closeDB()
			o, err := svc.AddOffice(cmd.Context(), actor(), in)
			if err != nil {
				return err
			}
			return c.print(o, func(w io.Writer) {
				fmt.Fprintf(w, "office %s for unit %s\none-time code: %s (valid until %s)\n", o.OfficeID, o.UnitCode, o.Code, o.ExpiresAt.Local().Format("02/01/2006 15:04"))
			})
		},
	}
	add.Flags().StringVar(&in.UnitCode, "unit", "", "the office's unit code")
	add.Flags().StringVar(&in.Name, "name", "", "the office's name")
	add.Flags().DurationVar(&in.CodeTTL, "ttl", province.DefaultCodeTTL, "how long the code can be used")

	var unit string
	list := &cobra.Command{
		Use:   "list",
		Short: "list offices and their certificates",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			svc, closeDB, err := c.open(cmd.Context())
			if err != nil {
				return err
			}
			defer closeDB()
			offices, err := svc.Offices(cmd.Context(), unit)
			if err != nil {
				return err
			}
			return c.print(offices, func(w io.Writer) {
				tw := tabwriter.NewWriter(w, 0, 2, 2, ' ', 0)
				for _, o := range offices {
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d certificate(s)\n", o.ID, o.UnitCode, o.Status, o.Name, len(o.Certificates))
				}
				tw.Flush()
			})
		},
	}
	list.Flags().StringVar(&unit, "unit", "", "only this unit's offices")

	var reason string
	revoke := &cobra.Command{
		Use:   "revoke OFFICE_ID",
		Short: "revoke an office and all its certificates (refused on its next request)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			svc, closeDB, err := c.open(cmd.Context())
			if err != nil {
				return err
			}
			defer closeDB()
			n, err := svc.RevokeOffice(cmd.Context(), actor(), args[0], reason)
			if err != nil {
				return err
			}
			return c.print(map[string]any{"office_id": args[0], "certificates_revoked": n}, func(w io.Writer) {
				fmt.Fprintf(w, "office %s revoked (%d certificate(s))\n", args[0], n)
			})
		},
	}
	revoke.Flags().StringVar(&reason, "reason", "", "why (kept in the audit log)")
	revokeCert := &cobra.Command{
		Use:   "revoke-cert SERIAL",
		Short: "revoke one office certificate (a lost or replaced key)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			svc, closeDB, err := c.open(cmd.Context())
			if err != nil {
				return err
			}
			defer closeDB()
			if err := svc.RevokeCertificate(cmd.Context(), actor(), args[0], reason); err != nil {
				return err
			}
			return c.print(map[string]any{"serial": args[0], "revoked": true}, func(w io.Writer) {
				fmt.Fprintf(w, "certificate %s revoked\n", args[0])
			})
		},
	}
	revokeCert.Flags().StringVar(&reason, "reason", "", "why (kept in the audit log)")
	cmd.AddCommand(add, list, revoke, revokeCert)
	return cmd
}

func (c *cli) quarantineCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "quarantine", Short: "pushed records kept aside for a person (conflicts and rejects)"}
	var office string
	list := &cobra.Command{
		Use:   "list",
		Short: "list quarantined records",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			svc, closeDB, err := c.open(cmd.Context())
			if err != nil {
				return err
			}
			defer closeDB()
			items, err := svc.Quarantine(cmd.Context(), office)
			if err != nil {
				return err
			}
			return c.print(items, func(w io.Writer) {
				tw := tabwriter.NewWriter(w, 0, 2, 2, ' ', 0)
				for _, q := range items {
					fmt.Fprintf(tw, "%s\t%s\t%s %s v%d\t%s\n", q.ReceivedAt.Local().Format("02/01/2006 15:04"), q.Status, q.Entity, q.EntityID, q.Version, q.Reason)
				}
				tw.Flush()
			})
		},
	}
	list.Flags().StringVar(&office, "office", "", "only this office's")
	cmd.AddCommand(list)
	return cmd
}
