package permit

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"
)

func TestBundleRoundTrip(t *testing.T) {
	f := newFixture(t)
	data, err := BuildBundle(context.Background(), *f.trust, *f.revoked, f.root, f.root.Public())
	if err != nil {
		t.Fatal(err)
	}
	tl, rl, err := ParseBundle(data, f.root.Public())
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(tl, f.trust) {
		t.Errorf("trust list:\n got %+v\nwant %+v", tl, f.trust)
	}
	if !reflect.DeepEqual(rl, f.revoked) {
		t.Errorf("revocation list:\n got %+v\nwant %+v", rl, f.revoked)
	}
	if res := Verify(f.text, f.now, tl, rl, VerifyOptions{}); res.Status != StatusValid {
		t.Errorf("permit against imported lists: %s (%s)", res.Status, res.Detail)
	}
	var env map[string]any
	if err := json.Unmarshal(data, &env); err != nil {
		t.Fatal(err)
	}
	if fp, _ := Fingerprint(f.root.Public()); env["root_fingerprint"] != fp || env["format"] != BundleFormat {
		t.Errorf("envelope %v", env)
	}
}

func TestForgedBundleRefused(t *testing.T) {
	f := newFixture(t)
	forger := newSigner(t)
	ctx := context.Background()
	// The forger enrols their own key.
	forgedTrust := *f.trust
	forgedTrust.Entries = append(forgedTrust.Entries, trustEntryFor(t, forger, "28249"))
	genuine, err := BuildBundle(ctx, *f.trust, *f.revoked, f.root, f.root.Public())
	if err != nil {
		t.Fatal(err)
	}
	var env bundleFile
	if err := json.Unmarshal(genuine, &env); err != nil {
		t.Fatal(err)
	}
	forged := func(change func(*bundleFile)) []byte {
		e := env
		change(&e)
		b, err := json.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	signedByForger, err := SignTrustList(ctx, forgedTrust, forger)
	if err != nil {
		t.Fatal(err)
	}
	ownBundle, err := BuildBundle(ctx, forgedTrust, *f.revoked, forger, forger.Public())
	if err != nil {
		t.Fatal(err)
	}
	tampered := bytes.Clone(env.TrustList)
	tampered[len(tampered)/2] ^= 1
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"bundle of another root", ownBundle, "pinned root"},
		{"trust list signed by a non-root key, root fingerprint copied", forged(func(e *bundleFile) { e.TrustList = signedByForger }), "not signed by the pinned root"},
		{"revocation list in the trust list's place", forged(func(e *bundleFile) { e.TrustList = env.RevocationList }), "not signed by the pinned root"},
		{"trust list in the revocation list's place", forged(func(e *bundleFile) { e.RevocationList = env.TrustList }), "not signed by the pinned root"},
		{"one byte changed", forged(func(e *bundleFile) { e.TrustList = tampered }), "trust list"},
		{"other format", forged(func(e *bundleFile) { e.Format = "gdd-trust-bundle/2" }), "format"},
		{"not JSON", []byte("GDD1:..."), "read trust bundle"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := ParseBundle(tt.data, f.root.Public())
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want one mentioning %q", err, tt.want)
			}
		})
	}
	if _, err := ParseTrustList(signedByForger, f.root.Public()); err == nil {
		t.Error("ParseTrustList accepted a list signed by a non-root key")
	}
	// Each list is bound to its type by its external AAD.
	if _, err := ParseRevocationList(env.TrustList, f.root.Public()); err == nil {
		t.Error("a trust list parsed as a revocation list")
	}
}

func TestTrustListValidate(t *testing.T) {
	a, b := newSigner(t), newSigner(t)
	tests := []struct {
		name   string
		change func(*TrustList)
		ok     bool
	}{
		{"good", func(*TrustList) {}, true},
		{"no issue time", func(tl *TrustList) { tl.IssuedAt = time.Time{} }, false},
		{"key id of another key", func(tl *TrustList) { tl.Entries[0].KeyID = b.KeyID() }, false},
		{"key id twice", func(tl *TrustList) { tl.Entries[1] = tl.Entries[0] }, false},
		{"not a P-256 key", func(tl *TrustList) { tl.Entries[0].PublicKey = []byte{0x30, 0x00} }, false},
		{"empty validity", func(tl *TrustList) { tl.Entries[0].ValidTo = tl.Entries[0].ValidFrom }, false},
		{"no unit", func(tl *TrustList) { tl.Entries[0].UnitCode = "" }, false},
		{"no sequence", func(tl *TrustList) { tl.Sequence = 0 }, false},
		{"no expiry", func(tl *TrustList) { tl.ExpiresAt = time.Time{} }, false},
		{"expires before issue", func(tl *TrustList) { tl.ExpiresAt = tl.IssuedAt }, false},
		{"no key kind", func(tl *TrustList) { tl.Entries[0].Kind = "" }, false},
		{"unknown key kind", func(tl *TrustList) { tl.Entries[0].Kind = "usb" }, false},
		{"key revoked twice", func(tl *TrustList) {
			tl.RevokedKeys = []KeyRevocation{{KeyID: a.KeyID(), RevokedAt: tl.IssuedAt}, {KeyID: a.KeyID(), RevokedAt: tl.IssuedAt}}
		}, false},
		{"key revoked", func(tl *TrustList) {
			tl.RevokedKeys = []KeyRevocation{{KeyID: a.KeyID(), Reason: "retired", RevokedAt: tl.IssuedAt}}
		}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tl := TrustList{Sequence: 1, IssuedAt: time.Unix(1_773_000_000, 0), ExpiresAt: time.Unix(1_774_000_000, 0), Entries: []TrustEntry{trustEntryFor(t, a, "28249"), trustEntryFor(t, b, "28252")}}
			tt.change(&tl)
			if err := tl.Validate(); (err == nil) != tt.ok {
				t.Errorf("Validate() = %v, want ok=%v", err, tt.ok)
			}
			if _, err := SignTrustList(context.Background(), tl, a); (err == nil) != tt.ok {
				t.Errorf("SignTrustList error = %v, want ok=%v", err, tt.ok)
			}
		})
	}
	rl := RevocationList{IssuedAt: time.Unix(1_773_000_000, 0), Entries: []RevocationEntry{{Number: "", RevokedAt: time.Unix(1, 0)}}}
	if err := rl.Validate(); err == nil {
		t.Error("revocation without a number accepted")
	}
}

func TestSoftwareSignerSaveLoad(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "office-key.pem")
	s := newSigner(t)
	if err := s.Save(path); err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" {
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("mode %v, want 0600", fi.Mode().Perm())
		}
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(data, []byte("-----BEGIN PRIVATE KEY-----")) {
		t.Errorf("not a PKCS#8 PEM file: %.40q", data)
	}
	loaded, err := LoadSoftwareSigner(path)
	if err != nil {
		t.Fatal(err)
	}
	if loaded.KeyID() != s.KeyID() {
		t.Errorf("loaded key id %x, want %x", loaded.KeyID(), s.KeyID())
	}
	// The loaded key signs permits the original's trust entry accepts.
	f := newFixture(t)
	f.trust.Entries = []TrustEntry{trustEntryFor(t, s, "28249")}
	text, err := Encode(context.Background(), samplePayload(), loaded)
	if err != nil {
		t.Fatal(err)
	}
	if res := f.verify(text); res.Status != StatusValid {
		t.Errorf("permit signed by the loaded key: %s", res.Status)
	}

	if err := newSigner(t).Save(path); err == nil {
		t.Error("Save overwrote an existing key")
	}
	if again, err := LoadSoftwareSigner(path); err != nil || again.KeyID() != s.KeyID() {
		t.Errorf("key changed after a refused overwrite: %v", err)
	}
	if runtime.GOOS != "windows" {
		if err := os.Chmod(path, 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := LoadSoftwareSigner(path); err == nil || !strings.Contains(err.Error(), "0600") {
			t.Errorf("loaded a world-readable key: %v", err)
		}
	}
	if _, err := LoadSoftwareSigner(filepath.Join(dir, "missing.pem")); err == nil {
		t.Error("loaded a missing file")
	}
	bad := filepath.Join(dir, "bad.pem")
	if err := os.WriteFile(bad, []byte("not a key"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadSoftwareSigner(bad); err == nil {
		t.Error("loaded a file without a key")
	}
}

func TestPublicKeyHelpers(t *testing.T) {
	s := newSigner(t)
	pemBytes, err := MarshalPublicKeyPEM(s.Public())
	if err != nil {
		t.Fatal(err)
	}
	pub, err := ParsePublicKeyPEM(pemBytes)
	if err != nil {
		t.Fatal(err)
	}
	if kid, _ := KeyIDOf(pub); kid != s.KeyID() {
		t.Errorf("key id after PEM round trip %s, want %s", kid, KeyID(s.KeyID()))
	}
	fp, err := Fingerprint(pub)
	if err != nil || len(fp) != 64 || !strings.HasPrefix(fp, KeyID(s.KeyID()).String()) {
		t.Errorf("fingerprint %q (%v) should be 64 hex digits starting with the key id", fp, err)
	}
	if _, err := ParsePublicKeyPEM([]byte("-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n")); err == nil {
		t.Error("parsed a certificate block as a public key")
	}
	if _, err := KeyIDOf("not a key"); err == nil {
		t.Error("KeyIDOf accepted a string")
	}
}
