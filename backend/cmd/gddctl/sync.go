package main

import (
	"context"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"giaydiduong/backend/app"
)

func (c *cli) syncCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "sync",
		Short: "push the office's waiting records to the provincial server once; exit 0 only when everything is in sync",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return c.withApp(cmd, func(ctx context.Context, a *app.App) error {
				rep, err := a.SyncNow(ctx)
				if perr := c.print(rep, func(w io.Writer) {
					fmt.Fprintf(w, "pushed %d, duplicates %d, conflicts %d, rejected %d, to retry %d; %d waiting, %d need attention\n",
						rep.Pushed, rep.Duplicates, rep.Conflicts, rep.Rejected, rep.Retry, rep.Pending, rep.Failed)
				}); perr != nil {
					return perr
				}
				if err != nil {
					return err
				}
				if !rep.InSync {
					return notInSync(rep.Pending, rep.Failed)
				}
				return nil
			})
		},
	}
	cmd.AddCommand(&cobra.Command{
		Use:   "status",
		Short: "show what waits to be pushed, the last success and the records the province refused",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return c.withApp(cmd, func(ctx context.Context, a *app.App) error {
				st, err := a.SyncStatus(ctx)
				if err != nil {
					return err
				}
				return c.print(st, func(w io.Writer) {
					last := "never"
					if st.LastSuccessAt != nil {
						last = st.LastSuccessAt.Local().Format("02/01/2006 15:04")
					}
					fmt.Fprintf(w, "enrolled %v; %d waiting; last success %s\n", st.Enrolled, st.Pending, last)
					if st.LastError != "" {
						fmt.Fprintf(w, "last error: %s\n", st.LastError)
					}
					for _, f := range st.Failed {
						fmt.Fprintf(w, "lỗi: %s %s v%d (%s): %s\n", f.Entity, f.EntityID, f.Version, f.Status, f.Reason)
					}
				})
			})
		},
	})
	cmd.AddCommand(c.syncPanelCmds()...)
	return cmd
}

func notInSync(pending, failed int) error {
	return &app.Error{Code: app.CodeConflict,
		VI: fmt.Sprintf("Chưa đồng bộ xong: %d bản ghi chờ gửi, %d bản ghi lỗi", pending, failed),
		EN: fmt.Sprintf("Not in sync: %d records waiting, %d records failed", pending, failed)}
}
