package main

import (
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"
)

// errAuditFlagged makes `audit check` exit 1 when a chain has a gap or a fork.
var errAuditFlagged = errors.New("an office's audit chain has a gap or a fork (see the flags)")

func (c *cli) auditCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "audit", Short: "offices' audit chains as received by the province"}
	var unit string
	check := &cobra.Command{
		Use:   "check",
		Short: "check each office's audit chain for gaps and forks (exit 1 when one is flagged)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			svc, closeDB, err := c.open(cmd.Context())
			if err != nil {
				return err
			}
			defer closeDB()
			res, err := svc.AuditCheck(cmd.Context(), unit)
			if err != nil {
				return err
			}
			if err := c.print(res, func(w io.Writer) {
				for _, o := range res {
					state := "ok"
					if !o.OK {
						state = "FLAGGED"
					}
					fmt.Fprintf(w, "%s %s (%s): %s; %d events received, receipted up to %d\n", o.UnitCode, o.OfficeID, o.Name, state, o.Events, o.AnchoredSeq)
					for _, f := range o.Flags {
						fmt.Fprintf(w, "  %s at %d: %s\n", f.Kind, f.Seq, f.Detail)
					}
				}
			}); err != nil {
				return err
			}
			for _, o := range res {
				if !o.OK {
					return errAuditFlagged
				}
			}
			return nil
		},
	}
	check.Flags().StringVar(&unit, "unit", "", "only this unit's offices")
	cmd.AddCommand(check)
	return cmd
}
