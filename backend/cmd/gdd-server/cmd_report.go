package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"giaydiduong/backend/province"
)

// reportCmd is the province's reports over what every office synced.
func (c *cli) reportCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "report", Short: "permits of every office, from the synced records"}
	var f province.ReportFilter
	var from, to string
	summary := &cobra.Command{
		Use: "summary --from D --to D [--unit CODE]", Short: "permits by day, unit, purpose, status and channel", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			svc, closeDB, err := c.open(cmd.Context())
			if err != nil {
				return err
			}
			defer closeDB()
			s, err := svc.ReportSummary(cmd.Context(), from, to, f)
			if err != nil {
				return err
			}
			return c.print(s, func(w io.Writer) {
				fmt.Fprintf(w, "Tổng số giấy %s – %s: %d\n", s.From, s.To, s.Total)
				for _, b := range s.ByUnit {
					fmt.Fprintf(w, "  %s: %d\n", b.Label, b.Count)
				}
				for _, b := range s.ByChannel {
					fmt.Fprintf(w, "  %s: %d\n", b.Label, b.Count)
				}
			})
		},
	}
	summary.Flags().StringVar(&from, "from", "", "first day, YYYY-MM-DD")
	summary.Flags().StringVar(&to, "to", "", "last day, YYYY-MM-DD")
	summary.Flags().StringVar(&f.UnitCode, "unit", "", "only this office's unit")
	var day, out string
	daily := &cobra.Command{
		Use: "daily --date YYYY-MM-DD [--unit CODE] (-o FILE.xlsx | --json)", Short: "the register book of one day", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if out != "" && strings.ToLower(filepath.Ext(out)) != ".xlsx" {
				return fmt.Errorf("-o must name a .xlsx file (the register PDF is made at the office, which holds the fonts)")
			}
			svc, closeDB, err := c.open(cmd.Context())
			if err != nil {
				return err
			}
			defer closeDB()
			r, err := svc.DailyRegister(cmd.Context(), day, f)
			if err != nil {
				return err
			}
			if out != "" {
				var b bytes.Buffer
				if err := r.WriteXLSX(&b); err != nil {
					return err
				}
				// Personal data: owner-only, like the office's exports.
				return os.WriteFile(out, b.Bytes(), 0o600)
			}
			return c.print(r, func(w io.Writer) {
				for _, l := range r.Lines {
					fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%s\n", l.STT, l.Number, l.FullName, l.IssuedOn, l.Note)
				}
			})
		},
	}
	daily.Flags().StringVar(&day, "date", "", "the day, YYYY-MM-DD")
	daily.Flags().StringVar(&f.UnitCode, "unit", "", "only this office's unit")
	daily.Flags().StringVarP(&out, "output", "o", "", "write the register to FILE.xlsx")
	cmd.AddCommand(summary, daily)
	return cmd
}
