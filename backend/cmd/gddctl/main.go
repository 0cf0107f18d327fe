// Command gddctl does headless everything the office window does, for support staff,
// scripts and tests. It calls the same service layer as the window.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"

	"github.com/spf13/cobra"

	"giaydiduong/backend/app"
	"giaydiduong/backend/version"
)

// cli carries the global flags to every command.
type cli struct {
	dataFlag string
	user     string
	asJSON   bool
	out      io.Writer
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	c := &cli{out: os.Stdout}
	root := c.root()
	if err := root.ExecuteContext(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "gddctl: "+oneLine(err))
		os.Exit(1)
	}
}

// oneLine is the failure reason for stderr: Vietnamese first, then English.
func oneLine(err error) string {
	e := app.AsError(err)
	msg := e.Error()
	switch e.Code {
	case app.CodeInternal:
		msg = err.Error() // usage mistakes and file errors say best what went wrong themselves
	case app.CodeValidation:
		// Scripts want the fields by their keys, which the window's messages leave out.
		keys := make([]string, 0, len(e.Fields))
		for _, f := range e.Fields {
			keys = append(keys, f.Field)
		}
		if len(keys) > 0 {
			msg += " [" + strings.Join(keys, ", ") + "]"
		}
	default:
		msg += " (" + e.EN + ")"
	}
	return strings.ReplaceAll(msg, "\n", " ")
}

func (c *cli) root() *cobra.Command {
	root := &cobra.Command{
		Use:           "gddctl",
		Version:       version.String(),
		Short:         "GiayDiDuong office tool: everything the window does, from the command line",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.PersistentFlags().StringVar(&c.dataFlag, "data", "", "data directory (default $GDD_DATA or the OS user data directory)")
	root.PersistentFlags().StringVar(&c.user, "user", "", "act as this user; the password comes from $GDD_PASSWORD")
	root.PersistentFlags().BoolVar(&c.asJSON, "json", false, "print machine-readable JSON")
	root.AddCommand(c.initCmd(), c.unitCmd(), c.rulesCmd(), c.applicationCmd(), c.auditCmd(), c.userCmd(), c.settingsCmd(), c.uiCmd(), c.dbCmd(), c.permitCmd(), c.trustCmd(), c.verifyCmd(), c.printerCmd(), c.formCmd(), c.tokenCmd(), c.enrollCmd(), c.officeCmd(), c.scanCmd(), c.syncCmd(), c.backfillCmd(), c.reportCmd())
	root.AddCommand(c.accountsCmd(), c.purgeCmd())
	return root
}

// actor signs in as --user with $GDD_PASSWORD.
func (c *cli) actor(ctx context.Context, a *app.App) (app.Actor, error) {
	if c.user == "" {
		return app.Actor{}, fmt.Errorf("this command acts as a user: give --user NAME and the password in GDD_PASSWORD")
	}
	return a.Login(ctx, c.user, os.Getenv("GDD_PASSWORD"))
}

// withApp opens the office, runs fn, closes.
func (c *cli) withApp(cmd *cobra.Command, fn func(ctx context.Context, a *app.App) error) error {
	ctx := cmd.Context()
	return c.withAppCtx(ctx, func(a *app.App) error { return fn(ctx, a) })
}

// asUser opens the office, signs in, runs fn.
func (c *cli) asUser(cmd *cobra.Command, fn func(ctx context.Context, a *app.App, actor app.Actor) error) error {
	return c.withApp(cmd, func(ctx context.Context, a *app.App) error {
		actor, err := c.actor(ctx, a)
		if err != nil {
			return err
		}
		return fn(ctx, a, actor)
	})
}

// asReader opens the office and runs fn as --user, or else as the local OS operator (see
// app.LocalOperator): reading needs no password from whoever already holds the files.
func (c *cli) asReader(cmd *cobra.Command, fn func(ctx context.Context, a *app.App, actor app.Actor) error) error {
	return c.withApp(cmd, func(ctx context.Context, a *app.App) error {
		actor, err := c.printActor(ctx, a)
		if err != nil {
			return err
		}
		return fn(ctx, a, actor)
	})
}

// print writes v as JSON with --json, else the human text.
func (c *cli) print(v any, human func(w io.Writer)) error {
	if c.asJSON {
		enc := json.NewEncoder(c.out)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	}
	human(c.out)
	return nil
}

// readJSONFile decodes FILE ("-" for standard input) strictly: an unknown field is an error,
// so a typo in a script is not silently dropped.
func readJSONFile(path string, v any) error {
	var r io.Reader = os.Stdin
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return fmt.Errorf("open %s: %w", path, err)
		}
		defer f.Close()
		r = f
	}
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("read %s: %w", path, err)
	}
	return nil
}
