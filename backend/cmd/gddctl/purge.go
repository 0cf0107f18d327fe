package main

import (
	"context"
	"fmt"
	"io"
	"strconv"

	"github.com/spf13/cobra"

	"giaydiduong/backend/app"
)

// purgeCmd is the retention purge of personal data (office admin).
func (c *cli) purgeCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "purge", Short: "retention: remove personal data of permits expired long ago"}
	run := &cobra.Command{
		Use: "run", Short: "purge now what the retention setting says is due", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return c.asUser(cmd, func(ctx context.Context, a *app.App, actor app.Actor) error {
				r, err := a.RunPurge(ctx, actor)
				if err != nil {
					return err
				}
				return c.print(r, func(w io.Writer) { fmt.Fprintln(w, r.MessageVI) })
			})
		},
	}
	retention := &cobra.Command{
		Use: "retention [DAYS]", Short: "show or set how many days after expiry personal data is kept", Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return c.asUser(cmd, func(ctx context.Context, a *app.App, actor app.Actor) error {
				var days int
				var err error
				if len(args) == 1 {
					n, perr := strconv.Atoi(args[0])
					if perr != nil {
						return fmt.Errorf("DAYS must be a number: %w", perr)
					}
					days, err = a.SetRetentionDays(ctx, actor, n)
				} else {
					days, err = a.RetentionDays(ctx, actor)
				}
				if err != nil {
					return err
				}
				return c.print(map[string]int{"retention_days": days}, func(w io.Writer) {
					fmt.Fprintf(w, "Dữ liệu cá nhân được giữ %d ngày sau khi giấy hết hiệu lực\n", days)
				})
			})
		},
	}
	cmd.AddCommand(run, retention)
	return cmd
}
