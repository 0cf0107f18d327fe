package pki

import (
	"testing"
	"time"
)

func TestSealRoundTrip(t *testing.T) {
	k, err := NewKey()
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	sealed, err := EncryptKey(k, "correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("seal %v", time.Since(start))
	got, err := DecryptKey(sealed, "correct horse battery")
	if err != nil || !got.Equal(k) {
		t.Fatalf("round trip: %v", err)
	}
	if _, err := DecryptKey(sealed, "wrong horse battery!"); err != ErrWrongPassphrase {
		t.Fatalf("wrong passphrase: %v", err)
	}
}
