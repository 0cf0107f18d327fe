package main

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"giaydiduong/backend/app"
	"giaydiduong/backend/domain"
)

func (c *cli) applicationCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "application", Aliases: []string{"app"}, Short: "travel-permit applications"}
	printApp := func(a app.Application) error {
		return c.print(a, func(w io.Writer) { fmt.Fprintf(w, "%s\t%s\t%s\n", a.ID, a.Status, a.FullName) })
	}
	var cccdQR string
	var draft bool
	add := &cobra.Command{
		Use: "add FILE", Args: cobra.ExactArgs(1), Short: "enter an application from FILE (JSON; - for standard input)",
		RunE: func(cmd *cobra.Command, args []string) error {
			var in domain.ApplicationInput
			if err := readJSONFile(args[0], &in); err != nil {
				return err
			}
			return c.withApp(cmd, func(ctx context.Context, a *app.App) error {
				if cccdQR != "" {
					card, err := a.ParseCCCD(cccdQR)
					if err != nil {
						return err
					}
					app.FillFromCard(&in, card)
				}
				// Refuse bad input before signing in: the sign-in is itself audit-logged, and
				// a refused application must change nothing. AddApplication checks it again.
				if err := a.CheckApplication(ctx, in); err != nil {
					return err
				}
				actor, err := c.actor(ctx, a)
				if err != nil {
					return err
				}
				res, err := a.AddApplication(ctx, actor, in, draft)
				if err != nil {
					return err
				}
				return printApp(res)
			})
		},
	}
	add.Flags().StringVar(&cccdQR, "cccd-qr", "", "the citizen ID card's QR text; its fields win over FILE's")
	add.Flags().BoolVar(&draft, "draft", false, "save as a draft instead of submitting")

	var f app.ListFilter
	list := &cobra.Command{
		Use: "list", Args: cobra.NoArgs, Short: "list applications, newest first",
		RunE: func(cmd *cobra.Command, _ []string) error {
			return c.asUser(cmd, func(ctx context.Context, a *app.App, actor app.Actor) error {
				page, err := a.ListApplications(ctx, actor, f)
				if err != nil {
					return err
				}
				return c.print(page, func(w io.Writer) {
					tw := tabwriter.NewWriter(w, 0, 2, 2, ' ', 0)
					for _, it := range page.Items {
						fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s → %s\n", it.ID, it.Status, it.FullName, it.IDNumber, it.ValidFrom, it.ValidTo)
					}
					tw.Flush()
					fmt.Fprintf(w, "%d of %d (page %d)\n", len(page.Items), page.Total, page.Page)
				})
			})
		},
	}
	list.Flags().StringVar(&f.Status, "status", "", "draft|submitted|approved|rejected")
	list.Flags().StringVar(&f.Search, "search", "", "name or ID number; diacritics ignored")
	list.Flags().StringVar(&f.PurposeCode, "purpose", "", "purpose code")
	list.Flags().StringVar(&f.DateFrom, "from", "", "created on or after YYYY-MM-DD")
	list.Flags().StringVar(&f.DateTo, "to", "", "created on or before YYYY-MM-DD")
	list.Flags().IntVar(&f.Page, "page", 1, "page number")
	list.Flags().IntVar(&f.PageSize, "page-size", 50, "items per page (at most 200)")

	byID := func(use, short string, fn func(ctx context.Context, a *app.App, actor app.Actor, id string) (app.Application, error)) *cobra.Command {
		return &cobra.Command{
			Use: use + " ID", Args: cobra.ExactArgs(1), Short: short,
			RunE: func(cmd *cobra.Command, args []string) error {
				return c.asUser(cmd, func(ctx context.Context, a *app.App, actor app.Actor) error {
					res, err := fn(ctx, a, actor, args[0])
					if err != nil {
						return err
					}
					return printApp(res)
				})
			},
		}
	}
	var reason string
	reject := byID("reject", "reject a submitted application (approver); --reason is required",
		func(ctx context.Context, a *app.App, actor app.Actor, id string) (app.Application, error) {
			return a.RejectApplication(ctx, actor, id, reason)
		})
	reject.Flags().StringVar(&reason, "reason", "", "why it is rejected")
	cmd.AddCommand(add, list, reject,
		byID("show", "show one application", func(ctx context.Context, a *app.App, actor app.Actor, id string) (app.Application, error) {
			return a.GetApplication(ctx, actor, id)
		}),
		byID("submit", "submit a draft", func(ctx context.Context, a *app.App, actor app.Actor, id string) (app.Application, error) {
			return a.SubmitApplication(ctx, actor, id)
		}),
		byID("approve", "approve a submitted application (approver)", func(ctx context.Context, a *app.App, actor app.Actor, id string) (app.Application, error) {
			return a.ApproveApplication(ctx, actor, id)
		}))
	return cmd
}
