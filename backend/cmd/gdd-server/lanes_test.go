package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"giaydiduong/backend/audit"
	"giaydiduong/backend/pki"
	"giaydiduong/backend/pki/p11root"
	"giaydiduong/backend/province"
	"giaydiduong/backend/syncclient"
	"giaydiduong/backend/syncwire"
	"giaydiduong/backend/token/pkcs11/softhsmtest"
)

// auditChain is n events of an office's chain from the start, hashed as backend/audit does.
func auditChain(n int) []syncwire.AuditEvent {
	prev := strings.Repeat("0", 64)
	var out []syncwire.AuditEvent
	for i := 1; i <= n; i++ {
		e := audit.Event{Seq: int64(i), ID: fmt.Sprintf("ev-%d", i), At: "2026-12-01T01:02:03Z", Actor: "canbo", Action: "permit.issue", Entity: "permit", EntityID: "p1", Data: "{}", PrevHash: prev}
		b, _ := json.Marshal(e)
		sum := sha256.Sum256(b)
		e.Hash = hex.EncodeToString(sum[:])
		prev = e.Hash
		out = append(out, syncwire.AuditEvent{Seq: e.Seq, ID: e.ID, At: e.At, Actor: e.Actor, Action: e.Action, Entity: e.Entity, EntityID: e.EntityID, Data: e.Data, PrevHash: e.PrevHash, Hash: e.Hash})
	}
	return out
}

// The provincial root made and kept in a PKCS#11 token (SoftHSM2): init signs the office CA
// through it, serve signs audit receipts through it, no key file is ever written, and the
// token refuses to let the key out. audit check and permit count read what arrived.
func TestRootKeyInPKCS11Token(t *testing.T) {
	pki.Cost = pki.TestSealCost
	hsm, err := softhsmtest.Setup(context.Background(), t.TempDir())
	if err != nil {
		t.Fatalf("SoftHSM2: %v", err)
	}
	data := t.TempDir()
	args := func(a ...string) []string { return append([]string{"--data", data}, a...) }
	t.Setenv(envPassword, "admin-password")
	t.Setenv(envRootPassphrase, "")
	t.Setenv(envCAPassphrase, "ca-passphrase-test")
	t.Setenv(envRootPIN, hsm.PIN)
	token := []string{"--root-pkcs11", hsm.Lib, "--root-token", hsm.TokenLabel}

	var initRes province.InitResult
	runJSON(t, &initRes, args(append([]string{"init", "--admin", "quantri", "--json"}, token...)...)...)
	if initRes.RootKeyStore != "pkcs11:"+hsm.TokenLabel+"/"+p11root.DefaultKeyLabel || initRes.RootKeyFile != "" {
		t.Fatalf("init: %+v", initRes)
	}
	if _, err := os.Stat(filepath.Join(data, province.RootKeyFile)); !os.IsNotExist(err) {
		t.Fatalf("a root key file was written: %v", err)
	}
	var o province.NewOffice
	runJSON(t, &o, args("office", "add", "--unit", "28261", "--json")...)

	addr, ops := freeAddr(t), freeAddr(t)
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		c := &cli{out: io.Discard, log: slog.New(slog.NewTextHandler(io.Discard, nil))}
		root := c.root()
		root.SetArgs(args(append([]string{"serve", "--listen", addr, "--ops-listen", ops}, token[:2]...)...))
		done <- root.ExecuteContext(ctx)
	}()
	waitReady(t, "http://"+ops+"/readyz")
	dir := t.TempDir()
	if _, err := syncclient.Enroll(context.Background(), dir, "https://"+addr, o.Code, "28261"); err != nil {
		t.Fatalf("enroll (the office CA signed by the token's root): %v", err)
	}
	client, err := syncclient.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	var items []syncwire.PushItem
	for _, e := range auditChain(3) {
		it, _ := syncclient.Item(e)
		items = append(items, it)
	}
	pm, _ := syncclient.Item(syncwire.Permit{ID: "p1", Version: 1, Number: "28261-2026-000001", UnitCode: "28261", Status: "issued", Channel: "walk_in"})
	items = append(items, pm)
	if _, err := client.Push(context.Background(), items); err != nil {
		t.Fatal(err)
	}
	rs := client.TakeReceipts()
	if len(rs) != 1 || rs[0].Seq != 3 {
		t.Fatalf("receipts %+v", rs)
	}
	if err := client.VerifyReceipt(rs[0]); err != nil {
		t.Fatalf("the token-signed receipt: %v", err)
	}

	var checks []province.OfficeAuditCheck
	runJSON(t, &checks, args("audit", "check", "--unit", "28261", "--json")...)
	if len(checks) != 1 || !checks[0].OK || checks[0].AnchoredSeq != 3 || checks[0].Events != 3 {
		t.Fatalf("audit check: %+v", checks)
	}
	var count province.PermitCount
	runJSON(t, &count, args("permit", "count", "--unit", "28261", "--json")...)
	if count.Total != 1 || len(count.Units) != 1 || count.Units[0].ByStatus["issued"] != 1 {
		t.Fatalf("permit count: %+v", count)
	}
	// A second event for a receipted place: audit check exits non-zero naming the fork.
	fork := auditChain(2)[1]
	fork.ID, fork.Data = "ev-forged", `{"x":1}`
	it, _ := syncclient.Item(fork)
	if _, err := client.Push(context.Background(), []syncwire.PushItem{it}); err != nil {
		t.Fatal(err)
	}
	out, err := run(t, args("audit", "check", "--unit", "28261", "--json")...)
	if err == nil || !strings.Contains(out, `"fork"`) {
		t.Fatalf("fork not flagged: %v\n%s", err, out)
	}

	stop()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve: %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not stop")
	}
	k, err := p11root.Open(p11root.Config{Lib: hsm.Lib, TokenLabel: hsm.TokenLabel, PIN: hsm.PIN})
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	if exportable, err := k.Exportable(); err != nil || exportable {
		t.Fatalf("the root key can leave the token: %v %v", exportable, err)
	}
	if h, _ := pki.KeyHash(k.Public()); h != initRes.RootKeyHash {
		t.Fatal("the token's key is not the root init certified")
	}
}
