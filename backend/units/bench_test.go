package units

import "testing"

// BenchmarkLoadShippedLists is the start-up cost of the embedded lists: parse both, work out
// the 2025 change and index every version.
func BenchmarkLoadShippedLists(b *testing.B) {
	reportCPU(b, func() {
		all, _, err := Default()
		if err != nil {
			b.Fatal(err)
		}
		NewIndex(all)
	})
}

// BenchmarkLoadLegacyList is the baseline: what the release before loaded at start (the
// March 2025 lists only).
func BenchmarkLoadLegacyList(b *testing.B) {
	reportCPU(b, func() {
		if _, err := Legacy(); err != nil {
			b.Fatal(err)
		}
	})
}

// BenchmarkIndexVersions is the index alone, as the app builds it from the database rows.
func BenchmarkIndexVersions(b *testing.B) {
	all, _, err := Default()
	if err != nil {
		b.Fatal(err)
	}
	reportCPU(b, func() { NewIndex(all) })
}

// BenchmarkSearchCommunes is one keystroke in the picker: every province's 3,321 communes.
func BenchmarkSearchCommunes(b *testing.B) {
	ix := defaultIndex(b)
	for _, q := range []string{"my tho", "phuong", "x"} {
		b.Run(q, func(b *testing.B) {
			reportCPU(b, func() {
				if len(ix.Search(q, "", "2026-12-01", 50)) == 0 {
					b.Fatal("nothing found")
				}
			})
		})
	}
}
