package main

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/spf13/cobra"
)

func (c *cli) permitCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "permit", Short: "permits received from the offices"}
	var unit string
	count := &cobra.Command{
		Use:   "count",
		Short: "count the permits received, per unit, by status and channel, with their attachments",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			svc, closeDB, err := c.open(cmd.Context())
			if err != nil {
				return err
			}
			defer closeDB()
			res, err := svc.PermitCount(cmd.Context(), unit)
			if err != nil {
				return err
			}
			return c.print(res, func(w io.Writer) {
				tw := tabwriter.NewWriter(w, 0, 2, 2, ' ', 0)
				for _, u := range res.Units {
					fmt.Fprintf(tw, "%s\t%d permit(s)\t%d/%d attachment(s) received\n", u.UnitCode, u.Permits, u.AttachmentsPresent, u.AttachmentsExpected)
				}
				fmt.Fprintf(tw, "total\t%d\t\n", res.Total)
				tw.Flush()
			})
		},
	}
	count.Flags().StringVar(&unit, "unit", "", "only this unit")
	cmd.AddCommand(count)
	return cmd
}
