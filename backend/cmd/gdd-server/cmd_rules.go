package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"giaydiduong/backend/province"
)

func (c *cli) rulesCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "rules", Short: "locality rules, published to the unit's offices ahead of the day they take effect"}
	var unit string
	var urgent bool
	var rf rootFlags
	set := &cobra.Command{
		Use:   "set FILE",
		Short: "publish FILE (JSON: permits_required, purposes, max_days, curfew_start, curfew_end, effective_from YYYY-MM-DD) as the unit's next rules version",
		Long:  "effective_from must be at least 48 hours ahead unless --urgent. Needs the root key's passphrase in $" + envRootPassphrase + ".",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			data, err := os.ReadFile(args[0])
			if err != nil {
				return fmt.Errorf("read %s: %w", args[0], err)
			}
			var f province.RulesFile
			dec := json.NewDecoder(bytes.NewReader(data))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&f); err != nil {
				return fmt.Errorf("%s is not a rules file: %w", args[0], err)
			}
			svc, closeDB, err := c.openSigning(cmd.Context(), &rf)
			if err != nil {
				return err
			}
			defer closeDB()
			r, err := svc.SetRules(cmd.Context(), actor(), unit, f, urgent)
			if err != nil {
				return err
			}
			return c.print(r, func(w io.Writer) {
				fmt.Fprintf(w, "rules version %d for unit %s published, in force from %s\n", r.RuleVersion, r.UnitCode, r.EffectiveFrom)
			})
		},
	}
	set.Flags().StringVar(&unit, "unit", "", "the unit the rules are for")
	set.Flags().BoolVar(&urgent, "urgent", false, "allow less than 48 hours' notice")
	rf.register(set)
	cmd.AddCommand(set)
	return cmd
}
