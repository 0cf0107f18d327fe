package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"giaydiduong/backend/accountlist"
	"giaydiduong/backend/app"
)

// accountsCmd is the office's account-registration list for the province.
func (c *cli) accountsCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "accounts", Short: "the account-registration list sent to the province"}
	var out string
	template := &cobra.Command{
		Use: "template -o FILE.xlsx", Short: "write the province's empty registration template", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if out == "" {
				return fmt.Errorf("give the output file with -o FILE.xlsx")
			}
			return writeDoc(out, accountlist.Template)
		},
	}
	template.Flags().StringVarP(&out, "output", "o", "", "output file (.xlsx)")

	var h app.AccountListHeader
	export := &cobra.Command{
		Use: "export -o FILE.xlsx --signer NAME", Short: "write the list on the province's template, with the sending unit, signer and date", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if out == "" {
				return fmt.Errorf("give the output file with -o FILE.xlsx")
			}
			return c.asUser(cmd, func(ctx context.Context, a *app.App, actor app.Actor) error {
				var got app.AccountListHeader
				err := writeDoc(out, func(w io.Writer) error {
					var err error
					got, err = a.ExportAccountList(ctx, actor, h, w)
					return err
				})
				if err != nil {
					return err
				}
				return c.print(got, func(w io.Writer) {
					fmt.Fprintf(w, "Đã ghi danh sách của %s (người ký %s, ngày %s) vào %s\n", got.SendingUnit, got.Signer, got.Date, out)
				})
			})
		},
	}
	export.Flags().StringVarP(&out, "output", "o", "", "output file (.xlsx)")
	export.Flags().StringVar(&h.Signer, "signer", "", "who signs the list")
	export.Flags().StringVar(&h.SignerTitle, "signer-title", "", "the signer's title")
	export.Flags().StringVar(&h.SendingUnit, "unit", "", "sending unit (default: the office)")
	export.Flags().StringVar(&h.Date, "date", "", "date of the list, YYYY-MM-DD (default: today)")

	list := &cobra.Command{
		Use: "list", Short: "show the list", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return c.asUser(cmd, func(ctx context.Context, a *app.App, actor app.Actor) error {
				regs, err := a.AccountRegistrations(ctx, actor)
				if err != nil {
					return err
				}
				return c.print(regs, func(w io.Writer) {
					for i, r := range regs {
						fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%s\n", i+1, r.FullName, r.IDNumber, r.RoleVI, strings.Join(r.ActsFor, ","))
					}
				})
			})
		},
	}
	var e accountlist.Entry
	var role string
	add := &cobra.Command{
		Use: "add --name N --cccd ID --unit U --role tiếp-nhận|xét-duyệt|ký|quản-trị", Short: "add a person to the list", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			e.Role = accountlist.Role(strings.ReplaceAll(role, "-", " "))
			return c.asUser(cmd, func(ctx context.Context, a *app.App, actor app.Actor) error {
				r, err := a.SaveAccountRegistration(ctx, actor, app.AccountRegistration{Entry: e})
				if err != nil {
					return err
				}
				return c.print(r, func(w io.Writer) { fmt.Fprintf(w, "Đã thêm %s (%s)\n", r.FullName, r.RoleVI) })
			})
		},
	}
	add.Flags().StringVar(&e.FullName, "name", "", "full name")
	add.Flags().StringVar(&e.IDNumber, "cccd", "", "CCCD number")
	add.Flags().StringVar(&e.Title, "title", "", "title (chức vụ)")
	add.Flags().StringVar(&e.Unit, "unit", "", "unit the person works in")
	add.Flags().StringVar(&e.Phone, "phone", "", "phone")
	add.Flags().StringVar(&e.Email, "email", "", "email")
	add.Flags().StringVar(&role, "role", "", "tiếp-nhận, xét-duyệt, ký or quản-trị (or receive, review, sign, admin)")
	add.Flags().StringSliceVar(&e.ActsFor, "acts-for", nil, "unit codes the person acts for")
	add.Flags().BoolVar(&e.HasToken, "token", false, "the person has a signing token")

	check := &cobra.Command{
		Use: "check FILE.xlsx", Short: "read a registration list and judge every row (what the province does on import)", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			f, err := os.Open(args[0])
			if err != nil {
				return fmt.Errorf("open %s: %w", args[0], err)
			}
			defer f.Close()
			res, err := accountlist.Read(f, accountlist.Options{})
			if err != nil {
				return err
			}
			if c.asJSON {
				enc := json.NewEncoder(c.out)
				enc.SetIndent("", "  ")
				if err := enc.Encode(res); err != nil {
					return err
				}
			} else {
				for _, p := range res.Problems {
					fmt.Fprintf(c.out, "dòng %d, cột %s (%s): %s\n", p.Row, p.Column, strings.TrimSuffix(p.Header, " (*)"), p.VI)
				}
				fmt.Fprintf(c.out, "%d người: %d hợp lệ, %d có lỗi\n", res.Total, res.Valid, res.Invalid)
			}
			if !res.OK() {
				return fmt.Errorf("danh sách có %d lỗi", len(res.Problems))
			}
			return nil
		},
	}
	cmd.AddCommand(template, export, list, add, check)
	return cmd
}
