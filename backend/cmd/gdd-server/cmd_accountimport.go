package main

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/spf13/cobra"
)

func (c *cli) accountImportCmd() *cobra.Command {
	var rf rootFlags
	var dryRun bool
	cmd := &cobra.Command{
		Use:   "import FILE.xlsx",
		Short: "create the accounts of a unit's registration list (the province's template): each row is checked, the valid rows become accounts",
		Long: "Each account signs in with its holder's ID number (CCCD); its first password is printed once, here. " +
			"A row that acts for several units gets an account at each. Importing the same list again adds nothing (the accounts are listed as existing). " +
			"Exits 1 when any row was refused. Needs the root key's passphrase in $" + envRootPassphrase + ".",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			f, err := os.Open(args[0])
			if err != nil {
				return fmt.Errorf("open the account list: %w", err)
			}
			defer f.Close()
			svc, closeDB, err := c.openSigning(cmd.Context(), &rf)
			if err != nil {
				return err
			}
			defer closeDB()
			rep, err := svc.ImportAccounts(cmd.Context(), actor(), f, dryRun, time.Now().In(vietnam))
			if err != nil {
				return err
			}
			if err := c.print(rep, func(w io.Writer) {
				for _, a := range rep.Created {
					fmt.Fprintf(w, "dòng %d: %s (%s, %s) tại đơn vị %s, mật khẩu đầu tiên %s\n", a.Row, a.Username, a.FullName, a.Role, a.UnitCode, a.Password)
				}
				for _, a := range rep.Existing {
					fmt.Fprintf(w, "dòng %d: đơn vị %s đã có tài khoản %s\n", a.Row, a.UnitCode, a.Username)
				}
				for _, r := range rep.Refused {
					fmt.Fprintf(w, "dòng %d %s: %s\n", r.Row, r.Column, r.VI)
				}
			}); err != nil {
				return err
			}
			if len(rep.Refused) > 0 {
				return fmt.Errorf("%d dòng bị từ chối / %d rows refused", len(rep.Refused), len(rep.Refused))
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "only check the list; create nothing")
	rf.register(cmd)
	return cmd
}

// vietnam is the day a list is judged in (its date cannot be after today there).
var vietnam = time.FixedZone("+07", 7*60*60)
