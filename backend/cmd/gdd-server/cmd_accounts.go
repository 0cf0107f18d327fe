package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"giaydiduong/backend/domain"
	"giaydiduong/backend/province"
)

// openSigning opens the database and the root key (its sealed file, or its token with
// --root-pkcs11) that signs what the command publishes.
func (c *cli) openSigning(ctx context.Context, rf *rootFlags) (*province.Service, func(), error) {
	svc, closeDB, err := c.open(ctx)
	if err != nil {
		return nil, nil, err
	}
	closeRoot, err := rf.openRoot(ctx, c, svc)
	if err != nil {
		closeDB()
		return nil, nil, err
	}
	if _, err := svc.RootSigner(); err != nil {
		closeRoot()
		closeDB()
		return nil, nil, err
	}
	return svc, func() { closeRoot(); closeDB() }, nil
}

func (c *cli) accountCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "account", Short: "accounts of commune offices, created at the province and synced down signed"}
	var in province.AccountInput
	var role string
	var rf rootFlags
	add := &cobra.Command{
		Use:   "add",
		Short: "create an office account (password from $" + envPassword + "); it can sign in at the unit's offices after their next sync",
		Long:  "Needs the root key's passphrase in $" + envRootPassphrase + ": the account travels signed by the provincial root.",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			svc, closeDB, err := c.openSigning(cmd.Context(), &rf)
			if err != nil {
				return err
			}
			defer closeDB()
			in.Role = domain.Role(role)
			in.Password = os.Getenv(envPassword)
			a, err := svc.CreateAccount(cmd.Context(), actor(), in)
			if err != nil {
				return err
			}
			return c.print(a, func(w io.Writer) {
				fmt.Fprintf(w, "account %s (%s, %s) created for unit %s\n", a.Username, a.FullName, a.Role, a.UnitCode)
			})
		},
	}
	add.Flags().StringVar(&in.UnitCode, "unit", "", "the unit whose offices the account signs in at")
	add.Flags().StringVar(&in.Username, "username", "", "the username")
	add.Flags().StringVar(&role, "role", "", "clerk, approver or office_admin")
	add.Flags().StringVar(&in.FullName, "full-name", "", "the holder's full name")
	add.Flags().StringVar(&in.Title, "title", "", "the holder's title (shown under a leader's signature)")
	rf.register(add)
	cmd.AddCommand(add, c.accountImportCmd())
	return cmd
}
