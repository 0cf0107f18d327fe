package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"giaydiduong/backend/app"
)

// permitReadyCmds are the counter's "Sẵn sàng trả kết quả" panel: the same use cases the
// window's panel calls.
func (c *cli) permitReadyCmds() []*cobra.Command {
	ready := &cobra.Command{
		Use: "ready", Short: "list citizens whose result is ready: approved without a permit, waiting for the signature, or for the hand-over (newest first)", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return c.asReader(cmd, func(ctx context.Context, a *app.App, actor app.Actor) error {
				items, err := a.ReadyPermits(ctx, actor)
				if err != nil {
					return err
				}
				return c.print(items, func(w io.Writer) {
					for _, it := range items {
						number := "-"
						if it.Permit != nil {
							number = it.Permit.Number
						}
						fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", it.Stage, number, it.Application.ID, it.Application.FullName, it.Application.IDNumber)
					}
				})
			})
		},
	}
	var printer string
	var a4 bool
	issuePrint := &cobra.Command{
		Use: "issue-print APPLICATION_ID", Short: "issue an approved application's permit and print it (on the office default printer unless --printer)", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return c.asUser(cmd, func(ctx context.Context, a *app.App, actor app.Actor) error {
				res, err := a.IssueAndPrint(ctx, actor, args[0], printer, paperOf(a4))
				if err != nil {
					return err
				}
				return c.print(res, func(w io.Writer) {
					fmt.Fprintf(w, "%s\t%s\tsent to %s as job %s\n", res.Permit.Number, res.Permit.Application.FullName, res.Job.Printer, res.Job.ID)
				})
			})
		},
	}
	var opts app.HandOverOptions
	handOver := &cobra.Command{
		Use: "hand-over NUMBER", Aliases: []string{"handover"}, Args: cobra.ExactArgs(1),
		Short: "record that the citizen received the permit; --hand-signed confirms the leader signed a permit still waiting for it",
		RunE: func(cmd *cobra.Command, args []string) error {
			return c.asUser(cmd, func(ctx context.Context, a *app.App, actor app.Actor) error {
				p, err := a.HandOverReady(ctx, actor, args[0], opts)
				if err != nil {
					return err
				}
				return c.print(p, func(w io.Writer) {
					fmt.Fprintf(w, "%s\t%s\t%s\t%s → %s\n", p.Number, p.Status, p.Application.FullName, p.Application.ValidFrom, p.Application.ValidTo)
				})
			})
		},
	}
	handOver.Flags().BoolVar(&opts.HandSigned, "hand-signed", false, "the leader has signed and stamped the printed permit (marks it hand-signed first)")
	handOver.Flags().BoolVar(&opts.PrintCopy, "print-copy", false, "print a copy for the citizen first (not marked handed over if the printer refuses it)")
	handOver.Flags().StringVar(&opts.Printer, "printer", "", "printer for the copy (default: the office's)")
	handOver.Flags().BoolVar(&opts.A4, "a4", false, "print the copy on A4 (default A5)")
	printReady := &cobra.Command{
		Use: "print-ready", Short: "print every ready permit not printed yet in one job, issuing those of approved applications first", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return c.asUser(cmd, func(ctx context.Context, a *app.App, actor app.Actor) error {
				res, err := a.PrintReady(ctx, actor, printer, paperOf(a4))
				if err != nil {
					return err
				}
				return c.print(res, func(w io.Writer) {
					fmt.Fprintf(w, "issued %d, printed %d (%s) on %s as job %s\n", len(res.Issued), len(res.Printed), strings.Join(res.Printed, ", "), res.Job.Printer, res.Job.ID)
				})
			})
		},
	}
	for _, cmd := range []*cobra.Command{issuePrint, printReady} {
		cmd.Flags().StringVar(&printer, "printer", "", "printer name (default: the office's default printer)")
		cmd.Flags().BoolVar(&a4, "a4", false, "A4 paper instead of A5")
	}
	return []*cobra.Command{ready, issuePrint, handOver, printReady}
}
