package main

import (
	"context"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"giaydiduong/backend/app"
)

// permitAttachmentsCmd lists a permit's files (signed PDF, signed scan) and whether the
// province holds them.
func (c *cli) permitAttachmentsCmd() *cobra.Command {
	return &cobra.Command{
		Use: "attachments NUMBER", Short: "a permit's files and whether the province has received them", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return c.asReader(cmd, func(ctx context.Context, a *app.App, actor app.Actor) error {
				atts, err := a.PermitAttachments(ctx, actor, args[0])
				if err != nil {
					return err
				}
				return c.print(atts, func(w io.Writer) {
					if len(atts) == 0 {
						fmt.Fprintln(w, "no file of this permit has been sent yet")
					}
					for _, x := range atts {
						state := "đã gửi (received)"
						if !x.Present {
							state = "chờ gửi (waiting)"
							if x.LastError != "" {
								state = "lỗi: " + x.LastError
							}
						}
						fmt.Fprintf(w, "%s\t%s\n", x.SHA256, state)
					}
				})
			})
		},
	}
}
