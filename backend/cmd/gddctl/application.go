package main

import (
	"context"
	"encoding/json"
	"errors"
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
	var draft, allowDuplicate bool
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
				res, err := a.AddApplicationWith(ctx, actor, in, app.AddOptions{Draft: draft, AllowDuplicate: allowDuplicate})
				if err != nil {
					return withDuplicateHint(err)
				}
				return printApp(res)
			})
		},
	}
	add.Flags().StringVar(&cccdQR, "cccd-qr", "", "the citizen ID card's QR text; its fields win over FILE's")
	add.Flags().BoolVar(&draft, "draft", false, "save as a draft instead of submitting")
	add.Flags().BoolVar(&allowDuplicate, "allow-duplicate", false,
		"save even though the citizen has an open application or an overlapping permit (recorded in the audit log)")

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
	var editDraft, editAllow bool
	edit := &cobra.Command{
		Use: "edit ID FILE", Args: cobra.ExactArgs(2), Short: "replace a draft's content from FILE (JSON) and submit it (--draft keeps it a draft)",
		RunE: func(cmd *cobra.Command, args []string) error {
			var in domain.ApplicationInput
			if err := readJSONFile(args[1], &in); err != nil {
				return err
			}
			return c.asUser(cmd, func(ctx context.Context, a *app.App, actor app.Actor) error {
				res, err := a.UpdateDraft(ctx, actor, args[0], in, app.AddOptions{Draft: editDraft, AllowDuplicate: editAllow})
				if err != nil {
					return withDuplicateHint(err)
				}
				return printApp(res)
			})
		},
	}
	edit.Flags().BoolVar(&editDraft, "draft", false, "keep it a draft")
	edit.Flags().BoolVar(&editAllow, "allow-duplicate", false, "save even though the citizen has an open application or an overlapping permit")
	cp := &cobra.Command{
		Use: "copy ID", Args: cobra.ExactArgs(1),
		Short: "print an application's content (a rejected one, to correct) as JSON for application add",
		RunE: func(cmd *cobra.Command, args []string) error {
			return c.asUser(cmd, func(ctx context.Context, a *app.App, actor app.Actor) error {
				in, err := a.CopyApplication(ctx, actor, args[0])
				if err != nil {
					return err
				}
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				return enc.Encode(in)
			})
		},
	}
	cmd.AddCommand(add, list, reject, edit, cp,
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

// withDuplicateHint adds to a duplicate refusal the flag that confirms it.
func withDuplicateHint(err error) error {
	var e *app.Error
	if !errors.As(err, &e) || e.Code != app.CodeDuplicate {
		return err
	}
	hinted := *e
	hinted.VI += " (--allow-duplicate)"
	hinted.EN += " (--allow-duplicate)"
	return &hinted
}
