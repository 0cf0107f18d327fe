package version

import "testing"

func TestStringPrefersTheLinkedVersion(t *testing.T) {
	old := Version
	t.Cleanup(func() { Version = old })
	for _, tc := range []struct{ linked, want string }{
		{"v1.2.3", "v1.2.3"},
		{"v1.2.3-4-gabcdef0-dirty", "v1.2.3-4-gabcdef0-dirty"},
	} {
		Version = tc.linked
		if got := String(); got != tc.want {
			t.Errorf("String() with Version=%q = %q, want %q", tc.linked, got, tc.want)
		}
	}
	Version = ""
	if got := String(); got == "" {
		t.Error("String() without a linked version is empty; want the commit or dev")
	}
}
