package permit_test

import (
	"context"
	"testing"

	"giaydiduong/backend/permit"
	"giaydiduong/backend/permit/permittest"
)

// FuzzDecodeVerify feeds arbitrary text to Decode and Verify. Neither may panic, and no text
// other than the seeds may pass the signature check: a permit has exactly one valid text.
func FuzzDecodeVerify(f *testing.F) {
	fx := permit.NewFuzzFixture(f)
	seeds := map[string]permit.Status{fx.Text: permit.StatusValid}
	fidoText, err := permit.Encode(context.Background(), fx.Sample, fx.FIDO)
	if err != nil {
		f.Fatal(err)
	}
	seeds[fidoText] = permit.StatusValid
	gen := permittest.NewGenerator(7)
	for range 4 {
		p := gen.Next()
		p.UnitCode, p.Number = "28249", "28249/2026/00000"+string(rune('1'+len(seeds)))
		p.ValidFrom, p.ValidTo, p.IssuedAt = fx.Sample.ValidFrom, fx.Sample.ValidTo, fx.Sample.IssuedAt
		text, err := permit.Encode(context.Background(), p, fx.Office)
		if err != nil {
			f.Fatal(err)
		}
		seeds[text] = permit.StatusValid
	}
	for text, want := range seeds {
		if res := fx.Verify(text); res.Status != want {
			f.Fatalf("seed verifies as %s (%s), want %s", res.Status, res.Detail, want)
		}
		f.Add(text)
	}
	for _, s := range []string{"", permit.Prefix, "GDD1:0", "GDD1:000", "GDD1:FGW", "HC1:6BFOXN%TS3DH0YOJ58S S-W5HDC *M0II5XHC9B5G2+$N IOP-IA%NFQGRJPC%OQHIZC4.OI1RM8ZA.A5:S9MKN4NN3F85QNCY0O%0VZ001HOC9JU0D0HT0HB2PL/IB*09B9LW4T*8+DCMH0LDK2%K:XFE70*LP$V25$0Q:J:4MO1P0%0L0HD+9E/HY+4J6TH48S%4K.GJ2PT3QY:GQ3TE2I+-CPHN6D7LLK*2HG%89UV-0LZ 2ZJJ524-LH/CJTK96L6SR9MU9DHGZ%P WUQRENS431T1XCNCF+47AY0-IFO0500TGPN8F5G.41Q2E4T8ALW.INSV$ 07UV5SR+BNQHNML7 /KD3TU 4V*CAT3ZGLQMI/XI%ZJNSBBXK2:UG%UJMI:TU+MMPZ5$/PMX19UE:-PSR3/$NU44CBE6DQ3D7B0FBOFX0DV2DGMB$YPF62I$60/F$Z2I6IFX21XNI-LM%3/DF/U6Z9FEOJVRLVW6K$UG+BKK57:1+D10%4K83F+1VWD1NE"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		_, _, _ = permit.Decode(text)
		res := fx.Verify(text)
		if _, isSeed := seeds[text]; isSeed {
			return
		}
		switch res.Status {
		case permit.StatusMalformed, permit.StatusUnknownSigner, permit.StatusBadSignature:
		default:
			t.Fatalf("altered text %q verifies as %s", text, res.Status)
		}
	})
}
