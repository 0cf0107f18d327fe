package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"giaydiduong/backend/app"
	"giaydiduong/backend/scanner"
	"giaydiduong/backend/scanwatch"
	"giaydiduong/backend/store"
)

func (c *cli) scanCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "scan", Short: "signed copies scanned back: import, review queue, watched folder, scanner"}
	importCmd := &cobra.Command{
		Use: "import FILE…", Short: "import scanned files (PDF, TIFF, JPEG, PNG): each page is matched to its permit by the QR or queued for review",
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return c.asUser(cmd, func(ctx context.Context, a *app.App, actor app.Actor) error {
				var results []app.ScanImport
				var firstErr error
				for _, name := range args {
					res, err := importFile(ctx, a, actor, name)
					if err != nil {
						// A refused file is reported and the others still imported.
						if firstErr == nil {
							firstErr = err
						}
						e := app.AsError(err)
						results = append(results, app.ScanImport{File: name, Error: e})
						continue
					}
					results = append(results, res)
				}
				if err := c.print(results, func(w io.Writer) { printImports(w, results) }); err != nil {
					return err
				}
				return firstErr
			})
		},
	}
	review := &cobra.Command{
		Use: "review", Short: "list the pages waiting for a clerk, with the reason", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return c.asUser(cmd, func(ctx context.Context, a *app.App, actor app.Actor) error {
				pages, err := a.ScanReview(ctx, actor)
				if err != nil {
					return err
				}
				return c.print(pages, func(w io.Writer) {
					for _, p := range pages {
						fmt.Fprintf(w, "%s\t%s p.%d\t%s\t%s\n", p.ID, p.SourceName, p.SourcePage, p.Reason, p.ReasonVI)
					}
				})
			})
		},
	}
	assign := &cobra.Command{
		Use: "assign PAGE_ID NUMBER", Short: "attach a page from the review queue to a permit (marks it hand-signed)", Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return c.asUser(cmd, func(ctx context.Context, a *app.App, actor app.Actor) error {
				p, err := a.AssignScan(ctx, actor, args[0], args[1])
				if err != nil {
					return err
				}
				return c.print(p, func(w io.Writer) { fmt.Fprintf(w, "%s\t%s\t%s\n", p.ID, p.Status, args[1]) })
			})
		},
	}
	find := &cobra.Command{
		Use: "find QUERY", Short: "permits a review page may be attached to, by name (diacritics optional) or number", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return c.asUser(cmd, func(ctx context.Context, a *app.App, actor app.Actor) error {
				list, err := a.ScanCandidates(ctx, actor, args[0])
				if err != nil {
					return err
				}
				return c.print(list, func(w io.Writer) {
					for _, p := range list {
						fmt.Fprintf(w, "%s\t%s\t%s\n", p.Number, p.Status, p.Application.FullName)
					}
				})
			})
		},
	}
	var reason string
	discard := &cobra.Command{
		Use: "discard PAGE_ID --reason TEXT", Short: "take a page out of the review queue", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return c.asUser(cmd, func(ctx context.Context, a *app.App, actor app.Actor) error {
				p, err := a.DiscardScan(ctx, actor, args[0], reason)
				if err != nil {
					return err
				}
				return c.print(p, func(w io.Writer) { fmt.Fprintf(w, "%s\t%s\n", p.ID, p.Status) })
			})
		},
	}
	discard.Flags().StringVar(&reason, "reason", "", "why the page is discarded")
	var out string
	var thumb bool
	image := &cobra.Command{
		Use: "image PAGE_ID -o FILE", Short: "write a stored page (or --thumb its thumbnail) as JPEG", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return c.asUser(cmd, func(ctx context.Context, a *app.App, actor app.Actor) error {
				b, err := a.ScanImage(ctx, actor, args[0], thumb)
				if err != nil {
					return err
				}
				return os.WriteFile(out, b, 0o600)
			})
		},
	}
	image.Flags().StringVarP(&out, "output", "o", "page.jpg", "output file")
	image.Flags().BoolVar(&thumb, "thumb", false, "the thumbnail instead of the page")

	var wo scanwatch.Options
	watch := &cobra.Command{
		Use: "watch DIR", Short: "import files a network scanner drops into DIR (moved to processing/, done/, failed/); runs until stopped",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return c.asUser(cmd, func(ctx context.Context, a *app.App, actor app.Actor) error {
				wo.Log = func(name string, res any, err error) {
					if err != nil {
						fmt.Fprintf(os.Stderr, "gddctl: %s: %s\n", name, oneLine(err))
						return
					}
					if r, ok := res.(app.ScanImport); ok {
						c.print(r, func(w io.Writer) { printImports(w, []app.ScanImport{r}) })
					}
				}
				wo.Check = func(name string, size int64) error { return a.CheckScanFileSize(ctx, name, size) }
				return scanwatch.Watch(ctx, args[0], wo, func(ctx context.Context, name string, data []byte) (any, error) {
					return a.ImportScan(ctx, actor, name, data, nil)
				})
			})
		},
	}
	watch.Flags().DurationVar(&wo.Stable, "stable", 2*time.Second, "a file must keep its size and time this long before it is read")
	watch.Flags().DurationVar(&wo.Rescan, "poll", 0, "how often the folder is listed besides file events (default 30s, or 1s with --no-events)")
	watch.Flags().BoolVar(&wo.NoEvents, "no-events", false, "list the folder only every --poll (a network share mounted from another machine sends no file events)")
	watch.Flags().DurationVar(&wo.GiveUp, "give-up", 10*time.Minute, "a file still incomplete after this long is moved to failed/")

	var so scanner.Options
	device := &cobra.Command{
		Use: "scanner", Short: "scan a stack from a SANE scanner (Linux; `scanimage`) and import it",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return c.asUser(cmd, func(ctx context.Context, a *app.App, actor app.Actor) error {
				st, scanErr := scanner.Scan(ctx, so)
				var results []app.ScanImport
				for _, p := range st.Pages {
					data, err := os.ReadFile(p)
					if err != nil {
						return err
					}
					res, err := a.ImportScan(ctx, actor, filepath.Base(p), data, nil)
					if err != nil {
						results = append(results, app.ScanImport{File: p, Error: app.AsError(err)})
						continue
					}
					results = append(results, res)
				}
				st.Cleanup()
				if err := c.print(results, func(w io.Writer) { printImports(w, results) }); err != nil {
					return err
				}
				return scanErr
			})
		},
	}
	device.Flags().StringVar(&so.Device, "device", "", "SANE device name (scanimage -L); empty for the default")
	device.Flags().IntVar(&so.DPI, "resolution", 200, "dpi (200 or more reads the QR reliably)")
	device.Flags().StringVar(&so.Source, "source", "", "e.g. \"Automatic Document Feeder\"; empty for the device's default")
	device.Flags().StringVar(&so.Mode, "mode", "Color", "Color or Gray")
	device.Flags().StringArrayVar(&so.Extra, "option", nil, "extra scanimage option, repeatable (e.g. --option=--read-limit=yes)")

	cmd.AddCommand(importCmd, review, find, assign, discard, image, watch, device)
	return cmd
}

func importFile(ctx context.Context, a *app.App, actor app.Actor, name string) (app.ScanImport, error) {
	st, err := os.Stat(name)
	if err != nil {
		return app.ScanImport{}, fmt.Errorf("open %s: %w", name, err)
	}
	if err := a.CheckScanFileSize(ctx, filepath.Base(name), st.Size()); err != nil {
		return app.ScanImport{}, err // refused before reading it into memory
	}
	data, err := os.ReadFile(name)
	if err != nil {
		return app.ScanImport{}, fmt.Errorf("read %s: %w", name, err)
	}
	return a.ImportScan(ctx, actor, filepath.Base(name), data, nil)
}

func printImports(w io.Writer, results []app.ScanImport) {
	for _, r := range results {
		if r.Error != nil {
			fmt.Fprintf(w, "%s\trefused\t%s (%s)\n", r.File, r.Error.VI, r.Error.EN)
			continue
		}
		for _, p := range r.Pages {
			switch p.Status {
			case store.ScanAttached:
				fmt.Fprintf(w, "%s p.%d\tattached\t%s\n", r.File, p.Page, p.PermitNumber)
			default:
				fmt.Fprintf(w, "%s p.%d\t%s\t%s\t%s\n", r.File, p.Page, p.Status, p.Reason, p.MessageVI)
			}
		}
		if !r.Complete {
			fmt.Fprintf(w, "%s\tstopped after page %d of %d\n", r.File, len(r.Pages), r.Total)
		}
	}
}
