package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"giaydiduong/backend/app"
	"giaydiduong/backend/backfill"
)

// writeDoc renders the whole document first, so a failure leaves no half-written file; the
// file is owner-only like every export with personal data (writeOut).
func writeDoc(path string, write func(w io.Writer) error) error {
	var b bytes.Buffer
	if err := write(&b); err != nil {
		return err
	}
	return writeOut(path, b.Bytes())
}

func (c *cli) backfillCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "backfill", Short: "enter permits the office issued on paper, from the Excel template"}
	var out string
	template := &cobra.Command{
		Use: "template -o FILE.xlsx", Short: "write the Excel import template", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if out == "" {
				return fmt.Errorf("give the output file with -o FILE.xlsx")
			}
			return c.asReader(cmd, func(ctx context.Context, a *app.App, actor app.Actor) error {
				return writeDoc(out, func(w io.Writer) error { return a.BackfillTemplate(ctx, actor, w) })
			})
		},
	}
	template.Flags().StringVarP(&out, "output", "o", "", "output file (.xlsx)")
	var commit bool
	imp := &cobra.Command{
		Use: "import FILE.xlsx", Short: "check a filled-in template row by row; --commit stores the valid rows", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			f, err := os.Open(args[0])
			if err != nil {
				return fmt.Errorf("open %s: %w", args[0], err)
			}
			defer f.Close()
			return c.asUser(cmd, func(ctx context.Context, a *app.App, actor app.Actor) error {
				rep, err := a.ImportBackfill(ctx, actor, f, commit, nil)
				if err != nil {
					return err
				}
				return c.print(rep, func(w io.Writer) {
					for _, p := range rep.Problems {
						fmt.Fprintf(w, "dòng %d, cột %s (%s): %s\n", p.Row, p.Column, strings.TrimSuffix(p.Header, " (*)"), p.VI)
					}
					fmt.Fprintln(w, rep.VerdictVI)
				})
			})
		},
	}
	imp.Flags().BoolVar(&commit, "commit", false, "store the valid rows (without it the file is only checked)")
	var formFile, scanFile string
	add := &cobra.Command{
		Use: "add --form FORM.json [--scan COPY.jpg]", Short: "enter one paper permit (the window's form as JSON) with its scanned copy", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			raw, err := os.ReadFile(formFile)
			if err != nil {
				return fmt.Errorf("read the form: %w", err)
			}
			var form backfill.Form
			if err := json.Unmarshal(raw, &form); err != nil {
				return fmt.Errorf("the form %s is not JSON of a paper permit: %w", formFile, err)
			}
			var paper *app.PaperScan
			if scanFile != "" {
				data, err := os.ReadFile(scanFile)
				if err != nil {
					return fmt.Errorf("read the scan: %w", err)
				}
				paper = &app.PaperScan{Name: filepath.Base(scanFile), Data: data}
			}
			return c.asUser(cmd, func(ctx context.Context, a *app.App, actor app.Actor) error {
				p, err := a.BackfillPermit(ctx, actor, form, paper)
				if err != nil {
					return err
				}
				return c.print(p, func(w io.Writer) { fmt.Fprintf(w, "Đã nhập %s (%s)\n", p.Number, p.Mark) })
			})
		},
	}
	add.Flags().StringVar(&formFile, "form", "", "the paper permit as JSON (paper_number, issued_on, signer_name, signer_title, application{…})")
	add.Flags().StringVar(&scanFile, "scan", "", "the scanned paper copy (one page: JPEG, PNG, TIFF or PDF)")
	cmd.AddCommand(template, imp, add)
	return cmd
}

func (c *cli) reportCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "report", Short: "figures and the daily register"}
	var day, out string
	daily := &cobra.Command{
		Use: "daily --date YYYY-MM-DD (-o FILE.pdf | -o FILE.xlsx | --json)", Short: "the register book of one day", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return c.asReader(cmd, func(ctx context.Context, a *app.App, actor app.Actor) error {
				switch strings.ToLower(filepath.Ext(out)) {
				case ".pdf":
					return writeDoc(out, func(w io.Writer) error { return a.WriteDailyRegisterPDF(ctx, actor, day, w) })
				case ".xlsx":
					return writeDoc(out, func(w io.Writer) error { return a.WriteDailyRegisterXLSX(ctx, actor, day, w) })
				case "":
					if out != "" {
						return fmt.Errorf("-o must name a .pdf or .xlsx file")
					}
				default:
					return fmt.Errorf("-o must name a .pdf or .xlsx file")
				}
				r, err := a.DailyRegister(ctx, actor, day)
				if err != nil {
					return err
				}
				return c.print(r, func(w io.Writer) {
					for _, l := range r.Lines {
						fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%s\n", l.STT, l.Number, l.FullName, l.IssuedOn, l.Note)
					}
				})
			})
		},
	}
	daily.Flags().StringVar(&day, "date", "", "the day, YYYY-MM-DD")
	daily.Flags().StringVarP(&out, "output", "o", "", "write the register to FILE.pdf or FILE.xlsx")
	var from, to string
	summary := &cobra.Command{
		Use: "summary --from D --to D", Short: "permits by day, unit, purpose, status and channel", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return c.asReader(cmd, func(ctx context.Context, a *app.App, actor app.Actor) error {
				s, err := a.ReportSummary(ctx, actor, from, to)
				if err != nil {
					return err
				}
				return c.print(s, func(w io.Writer) {
					fmt.Fprintf(w, "Tổng số giấy %s – %s: %d\n", s.From, s.To, s.Total)
					for _, b := range s.ByChannel {
						fmt.Fprintf(w, "  %s: %d\n", b.Label, b.Count)
					}
				})
			})
		},
	}
	summary.Flags().StringVar(&from, "from", "", "first day, YYYY-MM-DD")
	summary.Flags().StringVar(&to, "to", "", "last day, YYYY-MM-DD")
	cmd.AddCommand(daily, summary)
	return cmd
}
