package token_test

import (
	"context"
	"testing"

	"giaydiduong/backend/permit"
	"giaydiduong/backend/token"
	"giaydiduong/backend/token/softfido"
)

// BenchmarkHubPoll measures one poll (enumerate, recognise, diff). At one poll a second, the
// share of one core is ns/op / 1e9; the "%core@1Hz" metric reports it (target < 1%).
func BenchmarkHubPoll(b *testing.B) {
	ctx := context.Background()
	bench := func(b *testing.B, bus token.Bus) {
		hub := token.NewHub(bus, token.HubOptions{Logger: quiet})
		if _, err := hub.Refresh(ctx); err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			if _, err := hub.Refresh(ctx); err != nil {
				b.Fatal(err)
			}
		}
		perPoll := float64(b.Elapsed().Nanoseconds()) / float64(b.N)
		b.ReportMetric(perPoll/1e9*100, "%core@1Hz")
	}
	b.Run("system", func(b *testing.B) { bench(b, token.SystemBus{}) })
	b.Run("soft/usage-page", func(b *testing.B) {
		bus := softfido.NewBus()
		attach(b, bus, softfido.Config{})
		bench(b, bus)
	})
	b.Run("soft/ids+probe", func(b *testing.B) {
		bus := softfido.NewBus()
		attach(b, bus, softfido.Config{VendorID: 0x1050, ProductID: 0x0407, NoUsagePage: true})
		bench(b, bus)
	})
}

// BenchmarkBatchSign signs batches of 80 through the whole hid.Device path (CTAPHID framing
// both ways, the soft key's CBOR or APDU handling, ECDSA on both sides) and reports permits/s.
// The soft key touches itself at once, so the figures are the software's cost, not an
// officer's.
func BenchmarkBatchSign(b *testing.B) {
	const batch = 80
	tests := []struct {
		name     string
		cfg      softfido.Config
		pin      string
		presence token.BatchPresence
	}{
		{"ctap2/touch-each", softfido.Config{}, "", token.TouchEach},
		{"ctap2/pin/touch-once", softfido.Config{}, "2468", token.TouchOnce},
		{"u2f/touch-each", softfido.Config{U2FOnly: true}, "", token.TouchEach},
		{"ctap2/touch-each/state-on-disk", softfido.Config{Dir: "<temp>"}, "", token.TouchEach},
	}
	for _, tt := range tests {
		b.Run(tt.name, func(b *testing.B) {
			ctx := context.Background()
			if tt.cfg.Dir != "" {
				tt.cfg.Dir = b.TempDir()
			}
			k := plugIn(b, tt.cfg)
			if tt.pin != "" {
				if err := k.dev.SetPIN(ctx, tt.pin); err != nil {
					b.Fatal(err)
				}
			}
			cred, err := token.Enroll(ctx, k.dev, token.EnrollOptions{PIN: tt.pin})
			if err != nil {
				b.Fatal(err)
			}
			s, err := token.NewFIDOSigner(ctx, k.dev, cred, token.SignerOptions{Logger: quiet, Batch: tt.presence, PIN: tt.pin})
			if err != nil {
				b.Fatal(err)
			}
			msgs := batchMessages(batch)
			for b.Loop() {
				if _, err := s.SignBatch(ctx, msgs, nil, nil); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(batch*b.N)/b.Elapsed().Seconds(), "permits/s")
		})
	}
	b.Run("encode-batch/ctap2", func(b *testing.B) {
		ctx := context.Background()
		k := plugIn(b, softfido.Config{})
		cred, err := token.Enroll(ctx, k.dev, token.EnrollOptions{})
		if err != nil {
			b.Fatal(err)
		}
		s, err := token.NewFIDOSigner(ctx, k.dev, cred, token.SignerOptions{Logger: quiet})
		if err != nil {
			b.Fatal(err)
		}
		payloads := make([]permit.Payload, batch)
		for i := range payloads {
			payloads[i] = samplePayload(i + 1)
		}
		for b.Loop() {
			if _, err := s.EncodeBatch(ctx, payloads, nil, nil); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(batch*b.N)/b.Elapsed().Seconds(), "permits/s")
	})
}
