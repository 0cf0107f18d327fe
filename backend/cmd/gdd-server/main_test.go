package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"giaydiduong/backend/pki"
	"giaydiduong/backend/province"
	"giaydiduong/backend/province/provincetest"
	"giaydiduong/backend/syncclient"
	"giaydiduong/backend/syncwire"
)

func run(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	c := &cli{out: &out, log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	root := c.root()
	root.SetArgs(args)
	root.SetOut(&out)
	root.SetErr(io.Discard)
	err := root.ExecuteContext(context.Background())
	return out.String(), err
}

func runJSON(t *testing.T, v any, args ...string) {
	t.Helper()
	out, err := run(t, args...)
	if err != nil {
		t.Fatalf("gdd-server %s: %v", strings.Join(args, " "), err)
	}
	if err := json.Unmarshal([]byte(out), v); err != nil {
		t.Fatalf("gdd-server %s: not JSON: %v\n%s", strings.Join(args, " "), err, out)
	}
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// The whole CLI on each engine: init, office add, serve, an office enrolls and calls over
// mutual TLS, office revoke, and SIGTERM-style shutdown lets serve return cleanly.
func TestCommandLine(t *testing.T) {
	pki.Cost = pki.TestSealCost
	for _, e := range provincetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			data := t.TempDir()
			db := []string{}
			if e.Name == "postgres" {
				db = []string{"--db", e.DSN}
			}
			args := func(a ...string) []string { return append(append([]string{"--data", data}, db...), a...) }
			t.Setenv(envPassword, "admin-password")
			t.Setenv(envRootPassphrase, "root-passphrase-test")
			t.Setenv(envCAPassphrase, "ca-passphrase-test")

			var initRes province.InitResult
			runJSON(t, &initRes, args("init", "--admin", "quantri", "--province", "Đồng Tháp", "--json")...)
			if initRes.Admin != "quantri" || len(initRes.RootKeyHash) != 64 {
				t.Fatalf("init: %+v", initRes)
			}
			if _, err := os.Stat(filepath.Join(data, province.RootKeyFile)); err != nil {
				t.Fatalf("root key file: %v", err)
			}
			st, _ := os.Stat(filepath.Join(data, province.RootKeyFile))
			if st.Mode().Perm() != 0o600 {
				t.Fatalf("root key file mode %v", st.Mode())
			}
			if out, err := run(t, args("init", "--admin", "again", "--json")...); err == nil {
				t.Fatalf("second init succeeded: %s", out)
			}
			var o province.NewOffice
			runJSON(t, &o, args("office", "add", "--unit", "28261", "--json")...)
			if _, err := pki.ParseEnrollmentCode(o.Code); err != nil || o.OfficeID == "" {
				t.Fatalf("office add: %+v %v", o, err)
			}
			if o.RootKeyHash != initRes.RootKeyHash {
				t.Fatal("the code is not pinned to this root")
			}
			if _, err := run(t, args("office", "add", "--unit", "phường 1")...); err == nil {
				t.Fatal("a bad unit code was accepted")
			}

			addr, ops := freeAddr(t), freeAddr(t)
			ctx, stop := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() {
				c := &cli{out: io.Discard, log: slog.New(slog.NewTextHandler(io.Discard, nil))}
				root := c.root()
				root.SetArgs(args("serve", "--listen", addr, "--ops-listen", ops))
				done <- root.ExecuteContext(ctx)
			}()
			waitReady(t, "http://"+ops+"/readyz")

			dir := t.TempDir()
			id, err := syncclient.Enroll(context.Background(), dir, "https://"+addr, o.Code, "28261")
			if err != nil {
				t.Fatalf("enroll: %v", err)
			}
			client, err := syncclient.Open(dir)
			if err != nil {
				t.Fatal(err)
			}
			defer client.Close()
			if s, err := client.Office(context.Background()); err != nil || s.OfficeID != id.OfficeID {
				t.Fatalf("office call: %+v %v", s, err)
			}
			item, err := syncclient.Item(syncwire.Application{ID: "a1", Version: 1, OfficeUnitCode: "28264"})
			if err != nil {
				t.Fatal(err)
			}
			if res, err := client.Push(context.Background(), []syncwire.PushItem{item}); err != nil || res[0].Status != syncwire.Rejected {
				t.Fatalf("push of another unit's record: %+v %v", res, err)
			}
			var q []province.QuarantinedItem
			runJSON(t, &q, args("quarantine", "list", "--json")...)
			if len(q) != 1 || q[0].Status != "rejected" || q[0].EntityID != "a1" {
				t.Fatalf("quarantine %+v", q)
			}
			var offices []province.Office
			runJSON(t, &offices, args("office", "list", "--json")...)
			if len(offices) != 1 || offices[0].Status != province.OfficeActive || len(offices[0].Certificates) != 1 {
				t.Fatalf("offices %+v", offices)
			}
			if _, err := run(t, args("office", "revoke", o.OfficeID, "--reason", "test")...); err != nil {
				t.Fatal(err)
			}
			var se *syncclient.ServerError
			if _, err := client.Office(context.Background()); err == nil || !asServerError(err, &se) || se.Status != 401 {
				t.Fatalf("after revoke: %v", err)
			}
			stop()
			select {
			case err := <-done:
				if err != nil {
					t.Fatalf("serve returned %v", err)
				}
			case <-time.After(20 * time.Second):
				t.Fatal("serve did not shut down")
			}
		})
	}
}

func asServerError(err error, se **syncclient.ServerError) bool {
	e, ok := err.(*syncclient.ServerError)
	*se = e
	return ok
}

func waitReady(t *testing.T, url string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s never became ready", url)
}

func TestServeRefusesWithoutTheCAPassphrase(t *testing.T) {
	pki.Cost = pki.TestSealCost
	data := t.TempDir()
	t.Setenv(envPassword, "admin-password")
	t.Setenv(envRootPassphrase, "root-passphrase-test")
	t.Setenv(envCAPassphrase, "ca-passphrase-test")
	if _, err := run(t, "--data", data, "init", "--admin", "quantri"); err != nil {
		t.Fatal(err)
	}
	t.Setenv(envCAPassphrase, "wrong-passphrase-x")
	if _, err := run(t, "--data", data, "serve", "--listen", freeAddr(t)); err == nil || !strings.Contains(err.Error(), "GDD_CA_PASSPHRASE") {
		t.Fatalf("serve with a wrong passphrase: %v", err)
	}
}

// The server must not link the office's packages (the window, USB tokens, printing,
// rendering, the office service layer and its HTTP bridge).
func TestNoOfficeOnlyImports(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	for _, dep := range strings.Fields(string(out)) {
		for _, banned := range []string{"app", "desktop", "uibridge", "token", "printing", "render"} {
			p := "giaydiduong/backend/" + banned
			if dep == p || strings.HasPrefix(dep, p+"/") {
				t.Errorf("gdd-server imports %s", dep)
			}
		}
	}
}
