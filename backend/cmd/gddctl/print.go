package main

import (
	"context"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"giaydiduong/backend/app"
	"giaydiduong/backend/render"
)

// printActor is --user when given, else the local OS account (see app.LocalOperator).
func (c *cli) printActor(ctx context.Context, a *app.App) (app.Actor, error) {
	if c.user == "" {
		return app.LocalOperator(), nil
	}
	return c.actor(ctx, a)
}

func paperOf(a4 bool) render.Paper {
	if a4 {
		return render.A4
	}
	return render.A5
}

func (c *cli) permitPrintCmds() []*cobra.Command {
	var out string
	var a4 bool
	pdf := &cobra.Command{
		Use: "pdf NUMBER...", Short: "write permits to one PDF, a page each (counts as a copy handed out)", Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if out == "" {
				return fmt.Errorf("give the output file with -o FILE")
			}
			return c.withApp(cmd, func(ctx context.Context, a *app.App) error {
				actor, err := c.printActor(ctx, a)
				if err != nil {
					return err
				}
				data, err := a.PermitsPDF(ctx, actor, args, paperOf(a4), app.ForExport)
				if err != nil {
					return err
				}
				return writeOut(out, data)
			})
		},
	}
	pdf.Flags().StringVarP(&out, "output", "o", "", "PDF file to write")
	pdf.Flags().BoolVar(&a4, "a4", false, "A4 paper instead of A5")

	var printer string
	var a4p bool
	print := &cobra.Command{
		Use: "print NUMBER...", Short: "print permits (on --printer, else the office default)", Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return c.withApp(cmd, func(ctx context.Context, a *app.App) error {
				actor, err := c.printActor(ctx, a)
				if err != nil {
					return err
				}
				job, err := a.PrintPermits(ctx, actor, args, printer, paperOf(a4p))
				if err != nil {
					return err
				}
				return c.print(job, func(w io.Writer) { fmt.Fprintf(w, "sent to %s as job %s\n", job.Printer, job.ID) })
			})
		},
	}
	print.Flags().StringVar(&printer, "printer", "", "printer name (see `gddctl printer list`)")
	print.Flags().BoolVar(&a4p, "a4", false, "A4 paper instead of A5")
	return []*cobra.Command{pdf, print}
}

func (c *cli) printerCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "printer", Short: "the printers this PC can use"}
	cmd.AddCommand(&cobra.Command{
		Use: "list", Short: "list printers", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return c.withApp(cmd, func(ctx context.Context, a *app.App) error {
				list, err := a.Printers(ctx)
				if err != nil {
					return err
				}
				return c.print(list, func(w io.Writer) {
					for _, p := range list {
						fmt.Fprintf(w, "%s\t%s\taccepting=%v default=%v\n", p.Name, p.State, p.Accepting, p.Default)
					}
				})
			})
		},
	})
	return cmd
}

func (c *cli) formCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "form", Short: "the blank paper application form (mẫu đơn đề nghị)"}
	var out, printer string
	var a4 bool
	var copies int
	pdf := &cobra.Command{
		Use: "pdf", Short: "write the blank form to a PDF", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return c.withApp(cmd, func(ctx context.Context, a *app.App) error {
				data, err := a.ApplicationFormPDF(ctx, paperOf(a4))
				if err != nil {
					return err
				}
				return writeOut(out, data)
			})
		},
	}
	pdf.Flags().StringVarP(&out, "output", "o", "-", "PDF file to write")
	pdf.Flags().BoolVar(&a4, "a4", false, "A4 paper instead of A5")
	print := &cobra.Command{
		Use: "print", Short: "print blank forms", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return c.withApp(cmd, func(ctx context.Context, a *app.App) error {
				actor, err := c.printActor(ctx, a)
				if err != nil {
					return err
				}
				job, err := a.PrintApplicationForm(ctx, actor, printer, copies, paperOf(a4))
				if err != nil {
					return err
				}
				return c.print(job, func(w io.Writer) { fmt.Fprintf(w, "sent to %s as job %s\n", job.Printer, job.ID) })
			})
		},
	}
	print.Flags().StringVar(&printer, "printer", "", "printer name")
	print.Flags().IntVar(&copies, "copies", 1, "how many forms")
	print.Flags().BoolVar(&a4, "a4", false, "A4 paper instead of A5")
	cmd.AddCommand(pdf, print)
	return cmd
}
