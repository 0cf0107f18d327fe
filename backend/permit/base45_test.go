package permit

import (
	"bytes"
	"errors"
	"testing"
)

func TestBase45RFC9285Vectors(t *testing.T) {
	// RFC 9285 sections 4.3 and 4.4.
	tests := []struct {
		raw, enc string
	}{
		{"AB", "BB8"},
		{"Hello!!", "%69 VD92EX0"},
		{"base-45", "UJCLQE7W581"},
		{"ietf!", "QED8WEX0"},
		{"", ""},
		{"\x00", "00"},
		{"\xff", "U5"},
		{"\xff\xff", "FGW"},
	}
	for _, tt := range tests {
		if got := base45Encode([]byte(tt.raw)); got != tt.enc {
			t.Errorf("encode(%q) = %q, want %q", tt.raw, got, tt.enc)
		}
		got, err := base45Decode(tt.enc)
		if err != nil || !bytes.Equal(got, []byte(tt.raw)) {
			t.Errorf("decode(%q) = %q, %v; want %q", tt.enc, got, err, tt.raw)
		}
	}
}

func TestBase45RejectsInvalid(t *testing.T) {
	tests := []struct {
		name, enc string
	}{
		{"group above 65535 (RFC 9285 example)", "GGW"},
		{"final pair above 255", "V5"},
		{"single dangling character", "BB8A"},
		{"lowercase", "bb8"},
		{"outside alphabet", "BB#"},
		{"non-ASCII", "BBé"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := base45Decode(tt.enc); !errors.Is(err, errBase45) {
				t.Fatalf("decode(%q) error = %v, want errBase45", tt.enc, err)
			}
		})
	}
}

func TestBase45RoundTripAllPairs(t *testing.T) {
	buf := make([]byte, 0, 3)
	for n := 0; n < 1<<16; n++ {
		buf = append(buf[:0], byte(n>>8), byte(n), byte(n))
		for _, src := range [][]byte{buf[:1], buf[:2], buf[:3]} {
			got, err := base45Decode(base45Encode(src))
			if err != nil || !bytes.Equal(got, src) {
				t.Fatalf("round trip %x: %x, %v", src, got, err)
			}
		}
	}
}
