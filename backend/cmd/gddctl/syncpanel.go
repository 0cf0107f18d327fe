package main

import (
	"context"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"giaydiduong/backend/app"
)

// The window's sync panel and record states, headless (`sync panel`, `sync state`).
func (c *cli) syncPanelCmds() []*cobra.Command {
	panel := &cobra.Command{
		Use:   "panel",
		Short: "what the window's sync panel shows: progress, what waits, what needs a person (with the record), the lists' age",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return c.asUser(cmd, func(ctx context.Context, a *app.App, actor app.Actor) error {
				p, err := a.SyncPanel(ctx, actor)
				if err != nil {
					return err
				}
				return c.print(p, func(w io.Writer) {
					fmt.Fprintf(w, "enrolled %v (%s); %d waiting (%d bytes); in sync %v\n", p.Enrolled, p.ServerURL, p.Pending, p.PendingBytes, p.InSync)
					for _, f := range p.Attention {
						fmt.Fprintf(w, "lỗi: %s %q (%s v%d, %s): %s\n", f.Entity, f.Label, f.EntityID, f.Version, f.Status, f.Reason)
					}
				})
			})
		},
	}
	var entity string
	state := &cobra.Command{
		Use:   "state ID…",
		Short: "each record's sync state, as the lists show it: waiting (chờ gửi), sent (đã gửi), error (lỗi) with the reason",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, ids []string) error {
			return c.asUser(cmd, func(ctx context.Context, a *app.App, actor app.Actor) error {
				st, err := a.RecordSyncStates(ctx, actor, entity, ids)
				if err != nil {
					return err
				}
				return c.print(st, func(w io.Writer) {
					for _, id := range ids {
						s, ok := st[id]
						if !ok {
							fmt.Fprintf(w, "%s: not queued\n", id)
							continue
						}
						fmt.Fprintf(w, "%s: %s v%d %s\n", id, s.State, s.Version, s.Reason)
					}
				})
			})
		},
	}
	state.Flags().StringVar(&entity, "entity", "application", "the records' kind: application or permit")
	return []*cobra.Command{panel, state}
}
