package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"giaydiduong/backend/app"
	"giaydiduong/backend/domain"
)

// unitRow is one unit version as `unit list --json` prints it; an open end is null.
type unitRow struct {
	Code      string           `json:"code"`
	Name      string           `json:"name"`
	Type      string           `json:"type"`
	Level     domain.UnitLevel `json:"level"`
	Parent    string           `json:"parent"`
	ValidFrom *string          `json:"valid_from"`
	ValidTo   *string          `json:"valid_to"`
}

func rowOf(u domain.Unit) unitRow {
	r := unitRow{Code: u.Code, Name: u.Name, Type: u.Type, Level: u.Level, Parent: u.ParentCode}
	if u.ValidFrom != "" {
		r.ValidFrom = &u.ValidFrom
	}
	if u.ValidTo != "" {
		r.ValidTo = &u.ValidTo
	}
	return r
}

func printUnits(c *cli, list []domain.Unit) error {
	rows := make([]unitRow, len(list))
	for i, u := range list {
		rows[i] = rowOf(u)
	}
	return c.print(rows, func(w io.Writer) {
		tw := tabwriter.NewWriter(w, 0, 2, 2, ' ', 0)
		for _, r := range rows {
			from, to := "…", "…"
			if r.ValidFrom != nil {
				from = *r.ValidFrom
			}
			if r.ValidTo != nil {
				to = *r.ValidTo
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s–%s\n", r.Code, r.Name, r.Level, r.Parent, from, to)
		}
		tw.Flush()
	})
}

func (c *cli) unitCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "unit", Short: "administrative units, today's and earlier ones"}
	var on, province string
	list := &cobra.Command{
		Use:   "list",
		Short: "list the units in force on a day (default today), optionally of one province",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return c.withApp(cmd, func(ctx context.Context, a *app.App) error {
				list, err := a.UnitList(on, province)
				if err != nil {
					return err
				}
				return printUnits(c, list)
			})
		},
	}
	list.Flags().StringVar(&on, "on", "", "the day, YYYY-MM-DD (default today)")
	list.Flags().StringVar(&province, "province", "", "only this province (code) and its units")

	show := &cobra.Command{
		Use: "show CODE", Short: "what a code meant over time", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return c.withApp(cmd, func(ctx context.Context, a *app.App) error {
				vs := a.UnitVersions(args[0])
				if len(vs) == 0 {
					return app.ErrUnitNotFound(args[0])
				}
				return printUnits(c, vs)
			})
		},
	}

	var searchProvince string
	search := &cobra.Command{
		Use: "search NAME", Short: "find today's communes by name (diacritics optional)", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return c.withApp(cmd, func(ctx context.Context, a *app.App) error {
				hits := a.SearchCommunes(args[0], searchProvince, 50)
				return c.print(hits, func(w io.Writer) {
					for _, h := range hits {
						fmt.Fprintf(w, "%s\t%s, %s\n", h.Code, h.Name, h.ProvinceName)
					}
				})
			})
		},
	}
	search.Flags().StringVar(&searchProvince, "province", "", "only this province (code)")

	imp := &cobra.Command{
		Use:   "import FILE",
		Short: "take in a newer unit list from the province (office admin; the reference JSON format)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			data, err := os.ReadFile(args[0])
			if err != nil {
				return fmt.Errorf("read %s: %w", args[0], err)
			}
			return c.asUser(cmd, func(ctx context.Context, a *app.App, actor app.Actor) error {
				res, err := a.ImportUnits(ctx, actor, data)
				if err != nil {
					return err
				}
				return c.print(res, func(w io.Writer) {
					if res.Unchanged {
						fmt.Fprintf(w, "unit list of %s already in use; nothing changed\n", res.EffectiveFrom)
						return
					}
					fmt.Fprintf(w, "unit list of %s: %d units, %d ended, %d new, %d unchanged\n", res.EffectiveFrom, res.Units, res.Closed, res.Added, res.Kept)
					if res.OfficeUnitEnded {
						fmt.Fprintln(w, "the office's own unit is not in the new list: choose its commune with `gddctl unit set-office CODE`")
					}
				})
			})
		},
	}

	setOffice := &cobra.Command{
		Use:   "set-office CODE",
		Short: "set the office's own commune to one of today's (office admin), when its unit was merged or renamed",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return c.asUser(cmd, func(ctx context.Context, a *app.App, actor app.Actor) error {
				o, err := a.ChangeOfficeUnit(ctx, actor, args[0])
				if err != nil {
					return err
				}
				return c.print(o, func(w io.Writer) { fmt.Fprintf(w, "office: %s (%s %s)\n", o.Name, o.UnitCode, o.UnitName) })
			})
		},
	}
	cmd.AddCommand(list, show, search, imp, setOffice)
	return cmd
}
