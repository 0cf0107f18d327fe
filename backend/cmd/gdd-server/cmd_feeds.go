package main

import (
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"giaydiduong/backend/province"
)

func (c *cli) feedsCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "feeds", Short: "the province-owned feeds offices pull"}
	newEpoch := &cobra.Command{
		Use:   "new-epoch",
		Short: "after restoring the database from a backup: make every office pull a fresh snapshot",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			svc, closeDB, err := c.open(cmd.Context())
			if err != nil {
				return err
			}
			defer closeDB()
			e, err := svc.NewEpoch(cmd.Context(), actor())
			if err != nil {
				return err
			}
			return c.print(map[string]string{"epoch": e}, func(w io.Writer) { fmt.Fprintf(w, "new epoch %s\n", e) })
		},
	}
	var horizon time.Duration
	prune := &cobra.Command{
		Use:   "prune",
		Short: "drop superseded versions and tombstones older than the horizon (cursors older than it get a snapshot)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			svc, closeDB, err := c.open(cmd.Context())
			if err != nil {
				return err
			}
			defer closeDB()
			n, err := svc.PruneFeeds(cmd.Context(), actor(), horizon)
			if err != nil {
				return err
			}
			return c.print(map[string]int64{"pruned": n}, func(w io.Writer) { fmt.Fprintf(w, "%d entries pruned\n", n) })
		},
	}
	prune.Flags().DurationVar(&horizon, "horizon", province.DefaultTombstoneHorizon, "the tombstone horizon (at least 180 days)")
	cmd.AddCommand(newEpoch, prune)
	return cmd
}
