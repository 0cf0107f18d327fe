package permit

import (
	"context"
	"testing"
)

// FuzzDecodeVerify feeds arbitrary text to Decode and Verify. Neither may panic, and no text
// other than the seeds may pass the signature check: a permit has exactly one valid text.
func FuzzDecodeVerify(f *testing.F) {
	fx := newFixture(f)
	fido := newFIDOSigner(f)
	der, err := marshalP256(&fido.key.PublicKey)
	if err != nil {
		f.Fatal(err)
	}
	e := trustEntryFor(f, fx.office, "28249")
	e.KeyID, e.PublicKey = fido.KeyID(), der
	fx.trust.Entries = append(fx.trust.Entries, e)

	seeds := map[string]Status{fx.text: StatusValid}
	fidoText, err := Encode(context.Background(), samplePayload(), fido)
	if err != nil {
		f.Fatal(err)
	}
	seeds[fidoText] = StatusValid
	gen := newPermitGen(7)
	for range 4 {
		p := gen.next()
		p.UnitCode, p.Number = "28249", "28249/2026/00000"+string(rune('1'+len(seeds)))
		p.ValidFrom, p.ValidTo, p.IssuedAt = samplePayload().ValidFrom, samplePayload().ValidTo, samplePayload().IssuedAt
		text, err := Encode(context.Background(), p, fx.office)
		if err != nil {
			f.Fatal(err)
		}
		seeds[text] = StatusValid
	}
	for text, want := range seeds {
		if res := fx.verify(text); res.Status != want {
			f.Fatalf("seed verifies as %s (%s), want %s", res.Status, res.Detail, want)
		}
		f.Add(text)
	}
	for _, s := range []string{"", Prefix, "GDD1:0", "GDD1:000", "GDD1:FGW", "HC1:6BFOXN%TS3DH0YOJ58S S-W5HDC *M0II5XHC9B5G2+$N IOP-IA%NFQGRJPC%OQHIZC4.OI1RM8ZA.A5:S9MKN4NN3F85QNCY0O%0VZ001HOC9JU0D0HT0HB2PL/IB*09B9LW4T*8+DCMH0LDK2%K:XFE70*LP$V25$0Q:J:4MO1P0%0L0HD+9E/HY+4J6TH48S%4K.GJ2PT3QY:GQ3TE2I+-CPHN6D7LLK*2HG%89UV-0LZ 2ZJJ524-LH/CJTK96L6SR9MU9DHGZ%P WUQRENS431T1XCNCF+47AY0-IFO0500TGPN8F5G.41Q2E4T8ALW.INSV$ 07UV5SR+BNQHNML7 /KD3TU 4V*CAT3ZGLQMI/XI%ZJNSBBXK2:UG%UJMI:TU+MMPZ5$/PMX19UE:-PSR3/$NU44CBE6DQ3D7B0FBOFX0DV2DGMB$YPF62I$60/F$Z2I6IFX21XNI-LM%3/DF/U6Z9FEOJVRLVW6K$UG+BKK57:1+D10%4K83F+1VWD1NE"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		_, _, _ = Decode(text)
		res := fx.verify(text)
		if _, isSeed := seeds[text]; isSeed {
			return
		}
		switch res.Status {
		case StatusMalformed, StatusUnknownSigner, StatusBadSignature:
		default:
			t.Fatalf("altered text %q verifies as %s", text, res.Status)
		}
	})
}

// FuzzTextCodec checks the hand-written text codec: every string survives a round trip, and
// any bit stream the decoder accepts means the same after re-encoding.
func FuzzTextCodec(f *testing.F) {
	for _, s := range []string{"Nguyễn Thị Hoàng Phương Thảo", "Ấp 3, xã Tân Hòa, TP Mỹ Tho", "H'Hen Niê", "a  b", "ĐẶNG \u212a 🐟"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if b, err := encodeText(s); err == nil {
			if back, err := decodeText(b); err != nil || back != s {
				t.Fatalf("round trip %q: %q, %v", s, back, err)
			}
		}
		if d, err := decodeText([]byte(s)); err == nil {
			b, err := encodeText(d)
			if err != nil {
				t.Fatalf("decoded %x to %q, which does not encode: %v", s, d, err)
			}
			if again, err := decodeText(b); err != nil || again != d {
				t.Fatalf("%x: %q then %q, %v", s, d, again, err)
			}
		}
	})
}
