package main

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"
)

func (c *cli) revokeCmd() *cobra.Command {
	var reason string
	var rf rootFlags
	cmd := &cobra.Command{
		Use:   "revoke NUMBER",
		Short: "revoke a permit province-wide: offices and checkpoints that sync verify it as revoked",
		Long:  "Needs the root key's passphrase in $" + envRootPassphrase + ": the revocation travels signed by the provincial root.",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			svc, closeDB, err := c.openSigning(cmd.Context(), &rf)
			if err != nil {
				return err
			}
			defer closeDB()
			r, err := svc.RevokePermit(cmd.Context(), actor(), args[0], reason)
			if err != nil {
				return err
			}
			return c.print(r, func(w io.Writer) {
				fmt.Fprintf(w, "permit %s revoked: %s\n", r.Number, r.Reason)
			})
		},
	}
	cmd.Flags().StringVar(&reason, "reason", "", "why (shown at every verification)")
	rf.register(cmd)
	return cmd
}
