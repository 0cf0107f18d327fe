//go:build !windows

package officekey

import (
	"context"
	"testing"

	"giaydiduong/backend/officekey/swtpmtest"
)

// BenchmarkOfficeKeySign: one permit-sized ES256 signature with the office key held by swtpm
// (every signature a TPM2_Sign over a Unix socket) against the 0600 file key, in one run.
func BenchmarkOfficeKeySign(b *testing.B) {
	ctx := context.Background()
	msg := make([]byte, 220) // about a GDD1 Sig_structure
	for _, c := range []struct {
		name string
		opts func() Options
	}{
		{"file", func() Options { return Options{TPM: "none"} }},
		{"swtpm", func() Options { return Options{TPM: swtpmtest.Start(b)} }},
	} {
		b.Run(c.name, func(b *testing.B) {
			k, err := Create(ctx, b.TempDir(), c.opts())
			if err != nil {
				b.Fatal(err)
			}
			defer k.Close()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := k.Sign(ctx, msg); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
