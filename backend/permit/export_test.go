package permit

import "testing"

// Internals for the external tests (package permit_test): those import permittest, which
// imports this package, so they cannot be in it.

const Base45Alphabet = base45Alphabet

var (
	WellKnownPurposes = wellKnownPurposes
	IsVNLetter        = isVNLetter
)

// InVNDictionary reports whether the text codec has w in its word list.
func InVNDictionary(w string) bool {
	_, ok := vnDictIndex[w]
	return ok
}

// FuzzFixture is the internal test fixture (a province, its office key and one permit) with a
// simulated FIDO authenticator enrolled beside the office key.
type FuzzFixture struct {
	Office, FIDO Signer
	Sample       Payload // the fixture permit, as issued
	Text         string  // its QR text, signed by Office
	// Verify checks a text against the fixture's lists, at a time inside the sample's window.
	Verify func(text string) Result
}

func NewFuzzFixture(t testing.TB) FuzzFixture {
	t.Helper()
	fx := newFixture(t)
	fido := newFIDOSigner(t)
	der, err := marshalP256(&fido.key.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	e := trustEntryFor(t, fx.office, "28249")
	e.KeyID, e.PublicKey = fido.KeyID(), der
	fx.trust.Entries = append(fx.trust.Entries, e)
	return FuzzFixture{Office: fx.office, FIDO: fido, Sample: samplePayload(), Text: fx.text, Verify: fx.verify}
}
