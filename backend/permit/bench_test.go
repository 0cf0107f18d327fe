package permit

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// BenchmarkEncode signs and encodes one permit with the software key, including Encode's check
// of the fresh signature.
func BenchmarkEncode(b *testing.B) {
	signer := newSigner(b)
	p := samplePayload()
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		text, err := Encode(ctx, p, signer)
		if err != nil || len(text) < 100 {
			b.Fatalf("Encode: %q, %v", text, err)
		}
	}
}

// BenchmarkVerify verifies one text against a province-sized trust list (200 keys, the
// signer's last) and 5,000 revocations.
func BenchmarkVerify(b *testing.B) {
	f := newFixture(b)
	own := f.trust.Entries[0]
	f.trust.Entries = f.trust.Entries[:0]
	for range 199 {
		f.trust.Entries = append(f.trust.Entries, trustEntryFor(b, newSigner(b), "28252"))
	}
	f.trust.Entries = append(f.trust.Entries, own)
	for i := range 5000 {
		f.revoked.Entries = append(f.revoked.Entries, RevocationEntry{Number: fmt.Sprintf("28252/2026/%06d", i), Reason: "x", RevokedAt: f.now.Add(-time.Hour)})
	}
	b.ReportAllocs()
	for b.Loop() {
		if res := f.verify(f.text); res.Status != StatusValid {
			b.Fatalf("status %s", res.Status)
		}
	}
}
