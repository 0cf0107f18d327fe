package pkcs11

import (
	"context"
	"testing"

	"giaydiduong/backend/permit"
)

// BenchmarkBatchSign is the end-of-day batch through SoftHSM2: encode and sign 100 permits
// in one session (one PIN entry), reported as permits per second.
func BenchmarkBatchSign(b *testing.B) {
	d := openDriver(b)
	s := openSession(b, d)
	k, err := s.Signer(certOf(b, s, KeyEC))
	if err != nil {
		b.Fatal(err)
	}
	ps, err := k.PermitSigner()
	if err != nil {
		b.Fatal(err)
	}
	const batch = 100
	payloads := make([]permit.Payload, batch)
	for i := range payloads {
		payloads[i] = payload(i)
	}
	ctx := context.Background()
	for b.Loop() {
		for _, p := range payloads {
			if _, err := permit.Encode(ctx, p, ps); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(batch*b.N)/b.Elapsed().Seconds(), "permits/s")
}
