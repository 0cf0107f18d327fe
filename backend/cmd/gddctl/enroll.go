package main

import (
	"context"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"giaydiduong/backend/app"
)

func (c *cli) enrollCmd() *cobra.Command {
	var server, code string
	cmd := &cobra.Command{
		Use:   "enroll",
		Short: "enroll the office with the provincial server, with the one-time code the province gave (office admin)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return c.asUser(cmd, func(ctx context.Context, a *app.App, actor app.Actor) error {
				id, err := a.EnrollWithProvince(ctx, actor, server, code)
				if err != nil {
					return err
				}
				return c.print(id, func(w io.Writer) {
					fmt.Fprintf(w, "enrolled with %s as office %s (unit %s); certificate %s valid until %s\n", id.ServerURL, id.OfficeID, id.UnitCode, id.Serial, id.NotAfter.Local().Format("02/01/2006"))
				})
			})
		},
	}
	cmd.Flags().StringVar(&server, "server", "", "the provincial server, https://HOST[:PORT]")
	cmd.Flags().StringVar(&code, "code", "", "the one-time enrollment code")
	cmd.AddCommand(&cobra.Command{
		Use:   "status",
		Short: "show the office's enrollment with the provincial server",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return c.withApp(cmd, func(ctx context.Context, a *app.App) error {
				id, err := a.ProvinceEnrollmentStatus()
				if err != nil {
					return err
				}
				return c.print(map[string]any{"enrolled": id != nil, "enrollment": id}, func(w io.Writer) {
					if id == nil {
						fmt.Fprintln(w, "not enrolled with the provincial server")
						return
					}
					fmt.Fprintf(w, "enrolled with %s as office %s (unit %s) until %s\n", id.ServerURL, id.OfficeID, id.UnitCode, id.NotAfter.Local().Format("02/01/2006"))
				})
			})
		},
	})
	return cmd
}
