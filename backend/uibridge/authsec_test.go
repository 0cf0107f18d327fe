package uibridge_test

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"giaydiduong/backend/app"
	"giaydiduong/backend/auth"
	"giaydiduong/backend/uibridge"
)

// Finding 4 through the bridge: ten browsers guessing at once get five password checks.
func TestFinding4_ParallelGuessesLockAfterFiveThroughBridge(t *testing.T) {
	b := newBridge(t, true, "")
	const guesses = 10
	statuses := make([]int, guesses)
	clients := make([]*http.Client, guesses)
	for i := range clients {
		clients[i] = b.browser(t)
	}
	var wg sync.WaitGroup
	for i := range guesses {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, _ := http.NewRequest(http.MethodPost, b.srv.URL+"/api/AuthService/Login", strings.NewReader(`["canbo","wrong password"]`))
			resp, err := clients[i].Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			resp.Body.Close()
			statuses[i] = resp.StatusCode
		}()
	}
	wg.Wait()
	wrong := 0
	for _, s := range statuses {
		switch s {
		case http.StatusUnauthorized:
			wrong++
		case http.StatusLocked:
		default:
			t.Errorf("status %d", s)
		}
	}
	if wrong != auth.MaxFailedLogins-1 {
		t.Errorf("%d of %d parallel guesses answered \"wrong password\", want %d then locked: %v", wrong, guesses, auth.MaxFailedLogins-1, statuses)
	}
	b.fails(t, b.browser(t), http.StatusLocked, "AuthService/Login", "canbo", app.DemoPassword)
}

// Finding 5: the bridge answers only to a loopback Host on its own port (DNS rebinding), to
// holders of the launch secret, and only on loopback.
func TestFinding5_BridgeRefusesForeignHostAndMissingSecret(t *testing.T) {
	b := newBridge(t, true, "")
	c := b.browser(t)
	port := b.srv.URL[strings.LastIndex(b.srv.URL, ":")+1:]
	for _, host := range []string{"attacker.example:" + port, "attacker.example", "127.0.0.1:1", "192.168.1.5:" + port, "localhost.attacker.example:" + port} {
		req, _ := http.NewRequest(http.MethodPost, b.srv.URL+"/api/AuthService/Status", strings.NewReader(`[]`))
		req.Host = host
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusMisdirectedRequest {
			t.Errorf("Host %s: status %d, want 421", host, resp.StatusCode)
		}
	}
	for _, host := range []string{"127.0.0.1:" + port, "localhost:" + port} {
		req, _ := http.NewRequest(http.MethodPost, b.srv.URL+"/api/AuthService/Status", strings.NewReader(`[]`))
		req.Host = host
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		// localhost is another cookie host than 127.0.0.1: without the secret there, refused.
		if want := map[bool]int{true: 200, false: 403}[strings.HasPrefix(host, "127.")]; resp.StatusCode != want {
			t.Errorf("Host %s: status %d, want %d", host, resp.StatusCode, want)
		}
	}

	// A local process that did not see the printed URL gets nothing: not the API, not a page.
	stranger := b.stranger(t)
	b.fails(t, stranger, http.StatusForbidden, "AuthService/Status")
	b.fails(t, stranger, http.StatusForbidden, "AuthService/Login", "canbo", app.DemoPassword)
	resp, err := stranger.Get(b.srv.URL + "/?key=" + strings.Repeat("0", len(b.secret)))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("a wrong key: %d, want 403", resp.StatusCode)
	}
	// The printed URL carries the secret, which becomes an HttpOnly, SameSite=Strict cookie.
	if u := b.server.URL(b.srv.Listener.Addr()); !strings.HasSuffix(u, "/?key="+b.secret) {
		t.Errorf("printed URL %s does not carry the secret", u)
	}
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err = noFollow.Get(b.srv.URL + "/?key=" + b.secret)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	ck := resp.Cookies()
	if resp.StatusCode != http.StatusSeeOther || len(ck) != 1 || ck[0].Value != b.secret || !ck[0].HttpOnly || ck[0].SameSite != http.SameSiteStrictMode {
		t.Errorf("opening the printed URL: %d, cookies %+v", resp.StatusCode, ck)
	}
	if loc := resp.Header.Get("Location"); strings.Contains(loc, b.secret) {
		t.Errorf("redirect %s keeps the secret in the address bar", loc)
	}
}

func TestFinding5_ListensOnLoopbackOnly(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:0", ":0", "[::]:0", "192.0.2.1:0", "example.com:0"} {
		if ln, err := uibridge.Listen(addr); err == nil {
			ln.Close()
			t.Errorf("Listen(%s) accepted a non-loopback address", addr)
		}
	}
	for _, addr := range []string{"127.0.0.1:0", "localhost:0"} {
		ln, err := uibridge.Listen(addr)
		if err != nil {
			t.Errorf("Listen(%s): %v", addr, err)
			continue
		}
		ln.Close()
	}
}

// Finding 5: a fresh install is set up from the window or gddctl, never over the bridge.
func TestFinding5_SetupRefusedOverBridge(t *testing.T) {
	b := newBridge(t, false, "")
	c := b.browser(t)
	in := map[string]any{"office_name": "UBND xã Tân Hòa", "agency_kind": "commune_pc", "unit_code": app.DemoUnitCode,
		"admin_username": "quantri", "admin_full_name": "Nguyễn Quản Trị", "admin_password": "matkhau-2026"}
	b.fails(t, c, http.StatusForbidden, "AuthService/Setup", in)
	var st struct {
		Initialized bool `json:"initialized"`
	}
	b.ok(t, c, &st, "AuthService/Status")
	if st.Initialized {
		t.Error("the bridge set the office up")
	}
}

// Finding 5: browser sessions are capped (the least recently used goes) and expire when idle.
func TestFinding5_BridgeSessionsExpireAndAreCapped(t *testing.T) {
	b := newBridge(t, true, "")
	now := time.Now()
	b.server.Now = func() time.Time { return now }
	first := b.browser(t)
	b.login(t, first, "canbo")
	for range uibridge.MaxSessions {
		now = now.Add(time.Second)
		b.ok(t, b.browser(t), nil, "AuthService/Status")
	}
	b.fails(t, first, http.StatusUnauthorized, "ApplicationService/List", map[string]any{})

	idle := b.browser(t)
	b.login(t, idle, "canbo")
	now = now.Add(uibridge.SessionIdle + time.Minute)
	b.fails(t, idle, http.StatusUnauthorized, "ApplicationService/List", map[string]any{})
}

// Finding 6 through the bridge: a browser signed in as a user the admin disables is signed
// out at its next call.
func TestFinding6_DisablingEndsBridgeSessions(t *testing.T) {
	b := newBridge(t, true, "")
	c := b.browser(t)
	b.login(t, c, "lanhdao")
	b.ok(t, c, nil, "ApplicationService/List", map[string]any{})
	ctx := context.Background()
	admin, err := b.app.Login(ctx, "quantri", app.DemoPassword)
	if err != nil {
		t.Fatal(err)
	}
	users, err := b.app.Users(ctx, admin)
	if err != nil {
		t.Fatal(err)
	}
	id := ""
	for _, u := range users {
		if u.Username == "lanhdao" {
			id = u.ID
		}
	}
	if _, err := b.app.SetUserActive(ctx, admin, id, false); err != nil {
		t.Fatal(err)
	}
	b.fails(t, c, http.StatusUnauthorized, "ApplicationService/List", map[string]any{})
}
