package uibridge_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"giaydiduong/backend/app"
	"giaydiduong/backend/uibridge"
)

// bridge is the HTTP bridge over a demo office on a real SQLite file.
type bridge struct {
	srv    *httptest.Server
	app    *app.App
	server *uibridge.Server
	secret string
}

func newBridge(t *testing.T, seed bool, dir string) *bridge {
	t.Helper()
	ctx := context.Background()
	a, err := app.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	if seed {
		if err := a.SeedDemo(ctx); err != nil {
			t.Fatal(err)
		}
	}
	server := uibridge.New(a, dir)
	srv := httptest.NewServer(server)
	t.Cleanup(srv.Close)
	return &bridge{srv: srv, app: a, server: server, secret: server.Secret()}
}

// browser is one browser: its own cookie jar, so its own session. It has opened the URL
// with the launch secret, as a user does from the printed link.
func (b *bridge) browser(t *testing.T) *http.Client {
	t.Helper()
	c := b.stranger(t)
	resp, err := c.Get(b.srv.URL + "/?key=" + b.secret)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return c
}

// stranger is a browser (or local process) that never saw the launch secret.
func (b *bridge) stranger(t *testing.T) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Jar: jar, Timeout: 30 * time.Second}
}

type wireError struct {
	Code   string `json:"code"`
	VI     string `json:"vi"`
	EN     string `json:"en"`
	Fields []struct {
		Field string `json:"field"`
		Code  string `json:"code"`
		VI    string `json:"vi"`
		EN    string `json:"en"`
	} `json:"fields"`
}

// post sends a raw body to path and returns the status and body.
func (b *bridge) post(t *testing.T, c *http.Client, path, body string, header map[string]string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, b.srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, out
}

// call invokes Service/Method with args as the JSON array the frontend sends.
func (b *bridge) call(t *testing.T, c *http.Client, method string, args ...any) (int, []byte) {
	t.Helper()
	if args == nil {
		args = []any{}
	}
	body, err := json.Marshal(args)
	if err != nil {
		t.Fatal(err)
	}
	return b.post(t, c, "/api/"+method, string(body), nil)
}

// ok calls and requires 200, decoding the result into v.
func (b *bridge) ok(t *testing.T, c *http.Client, v any, method string, args ...any) {
	t.Helper()
	status, body := b.call(t, c, method, args...)
	if status != http.StatusOK {
		t.Fatalf("%s: status %d, body %s", method, status, body)
	}
	if v != nil {
		if err := json.Unmarshal(body, v); err != nil {
			t.Fatalf("%s: %v in %s", method, err, body)
		}
	}
}

// fails calls and requires the status, returning the decoded error.
func (b *bridge) fails(t *testing.T, c *http.Client, status int, method string, args ...any) wireError {
	t.Helper()
	got, body := b.call(t, c, method, args...)
	return decodeError(t, method, status, got, body)
}

func decodeError(t *testing.T, what string, want, got int, body []byte) wireError {
	t.Helper()
	if got != want {
		t.Errorf("%s: status %d, want %d; body %s", what, got, want, body)
	}
	var e wireError
	if err := json.Unmarshal(body, &e); err != nil || e.Code == "" || e.VI == "" || e.EN == "" {
		t.Errorf("%s: body %s is not an error with code, vi and en (%v)", what, body, err)
	}
	return e
}

func (b *bridge) login(t *testing.T, c *http.Client, user string) {
	t.Helper()
	var actor struct {
		Username string `json:"username"`
		Role     string `json:"role"`
	}
	b.ok(t, c, &actor, "AuthService/Login", user, app.DemoPassword)
	if actor.Username != user {
		t.Fatalf("logged in as %+v, want %s", actor, user)
	}
}

type application struct {
	ID           string `json:"id"`
	Status       string `json:"status"`
	FullName     string `json:"full_name"`
	RejectReason string `json:"reject_reason"`
	CreatedBy    string `json:"created_by"`
	DecidedBy    string `json:"decided_by_name"`
}

type page struct {
	Items []application `json:"items"`
	Total int64         `json:"total"`
}

func vnDay(n int) string {
	return time.Now().In(time.FixedZone("ICT", 7*3600)).AddDate(0, 0, n).Format(time.DateOnly)
}

func input() map[string]string {
	return map[string]string{
		"full_name": "Nguyễn Văn Dũng", "birth_date": "1995-03-15", "gender": "male", "id_number": "082095001234",
		"phone": "0912345678", "residence_commune_code": app.DemoUnitCode, "residence_street": "Ấp Tân Hòa",
		"purpose_code": "work", "route_from": "Ấp Tân Hòa", "route_to": "Phường 5, Thành phố Mỹ Tho",
		"vehicle_type": "motorbike", "vehicle_plate": "63-B1 123.45", "valid_from": vnDay(0), "valid_to": vnDay(6),
	}
}

func (b *bridge) submitted(t *testing.T, c *http.Client) application {
	t.Helper()
	var p page
	b.ok(t, c, &p, "ApplicationService/List", map[string]any{"status": "submitted"})
	if len(p.Items) == 0 {
		t.Fatal("no submitted application")
	}
	return p.Items[0]
}

func TestCallsBeforeLoginAreRefused(t *testing.T) {
	b := newBridge(t, true, "")
	c := b.browser(t)

	// The window may ask who is signed in before anyone is.
	var st struct {
		Initialized bool            `json:"initialized"`
		User        json.RawMessage `json:"user"`
		Office      struct {
			Demo bool `json:"demo"`
		} `json:"office"`
	}
	b.ok(t, c, &st, "AuthService/Status")
	if !st.Initialized || !st.Office.Demo || string(st.User) != "null" {
		t.Errorf("status before login: %+v", st)
	}

	tests := []struct {
		method string
		args   []any
	}{
		{"ApplicationService/List", []any{map[string]any{}}},
		{"ApplicationService/Approve", []any{"any-id"}},
		{"ApplicationService/Add", []any{input()}},
		{"RulesService/Current", nil},
		{"UserService/List", nil},
		{"SettingsService/Get", nil},
	}
	for _, tc := range tests {
		t.Run(tc.method, func(t *testing.T) {
			e := b.fails(t, c, http.StatusUnauthorized, tc.method, tc.args...)
			if e.Code != string(app.CodeUnauthenticated) {
				t.Errorf("code %q, want unauthenticated", e.Code)
			}
		})
	}

	// A wrong password is refused the same way and does not sign the browser in.
	e := b.fails(t, c, http.StatusUnauthorized, "AuthService/Login", "canbo", "sai-mat-khau")
	if e.Code != string(app.CodeUnauthenticated) {
		t.Errorf("wrong password: code %q", e.Code)
	}
	b.fails(t, c, http.StatusUnauthorized, "ApplicationService/List", map[string]any{})

	// Nothing was added by the refused Add.
	b.login(t, c, "canbo")
	var p page
	b.ok(t, c, &p, "ApplicationService/List", map[string]any{})
	if p.Total != 4 {
		t.Errorf("%d applications, want the demo's 4", p.Total)
	}

	// Logging out ends the session for this browser.
	b.ok(t, c, nil, "AuthService/Logout")
	b.fails(t, c, http.StatusUnauthorized, "ApplicationService/List", map[string]any{})
}

func TestRolesAreEnforcedPerSession(t *testing.T) {
	b := newBridge(t, true, "")
	clerk, approver := b.browser(t), b.browser(t)
	b.login(t, clerk, "canbo")

	var p page
	b.ok(t, clerk, &p, "ApplicationService/List", map[string]any{"page_size": 2})
	if p.Total != 4 || len(p.Items) != 2 {
		t.Errorf("clerk's list: total %d, %d items; want 4 and a page of 2", p.Total, len(p.Items))
	}
	var found page
	b.ok(t, clerk, &found, "ApplicationService/List", map[string]any{"search": "dang thi hong nhung"})
	if found.Total != 1 || found.Items[0].FullName != "Đặng Thị Hồng Nhung" {
		t.Errorf("search without diacritics found %+v", found)
	}

	var added application
	b.ok(t, clerk, &added, "ApplicationService/Add", input())
	if added.ID == "" || added.Status != "submitted" {
		t.Fatalf("Add returned %+v", added)
	}

	// The clerk is refused by the service layer, whatever the UI shows.
	e := b.fails(t, clerk, http.StatusForbidden, "ApplicationService/Approve", added.ID)
	if e.Code != string(app.CodeForbidden) {
		t.Errorf("clerk approve: code %q, want forbidden", e.Code)
	}
	b.fails(t, clerk, http.StatusForbidden, "ApplicationService/Reject", added.ID, "Không đủ điều kiện")
	var got application
	b.ok(t, clerk, &got, "ApplicationService/Get", added.ID)
	if got.Status != "submitted" {
		t.Errorf("after the clerk's refused approval the application is %s", got.Status)
	}

	// The approver, in another browser, decides; the clerk's session is unaffected.
	b.login(t, approver, "lanhdao")
	var approved application
	b.ok(t, approver, &approved, "ApplicationService/Approve", added.ID)
	if approved.ID != added.ID || approved.Status != "approved" || approved.DecidedBy != "Lê Văn Đức" {
		t.Errorf("Approve returned %+v", approved)
	}
	var st struct {
		User struct {
			Username string `json:"username"`
		} `json:"user"`
	}
	b.ok(t, clerk, &st, "AuthService/Status")
	if st.User.Username != "canbo" {
		t.Errorf("the clerk's browser is now signed in as %q", st.User.Username)
	}
	b.fails(t, clerk, http.StatusForbidden, "ApplicationService/Approve", added.ID)

	// Approving twice is an illegal transition, refused as a conflict.
	if e := b.fails(t, approver, http.StatusConflict, "ApplicationService/Approve", added.ID); e.Code != string(app.CodeInvalidTransition) {
		t.Errorf("second approval: code %q", e.Code)
	}

	// The demo's own submitted application: rejected with a reason.
	pending := b.submitted(t, approver)
	reason := "Không thuộc trường hợp cấp thiết"
	var rejected application
	b.ok(t, approver, &rejected, "ApplicationService/Reject", pending.ID, reason)
	if rejected.Status != "rejected" || rejected.RejectReason != reason {
		t.Errorf("Reject returned %+v", rejected)
	}
	b.ok(t, clerk, &p, "ApplicationService/List", map[string]any{"status": "submitted"})
	if p.Total != 0 {
		t.Errorf("%d applications still submitted", p.Total)
	}
}

func TestValidationErrorsNameTheirFields(t *testing.T) {
	b := newBridge(t, true, "")
	c := b.browser(t)
	b.login(t, c, "canbo")
	tests := []struct {
		name  string
		edit  func(map[string]string)
		field string
	}{
		{"CCCD with no province", func(in map[string]string) { in["id_number"] = "000095001234" }, "id_number"},
		{"phone", func(in map[string]string) { in["phone"] = "0123" }, "phone"},
		{"plate", func(in map[string]string) { in["vehicle_plate"] = "ABC" }, "vehicle_plate"},
		{"past start", func(in map[string]string) { in["valid_from"] = vnDay(-2) }, "valid_from"},
		{"missing name", func(in map[string]string) { in["full_name"] = "" }, "full_name"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := input()
			tc.edit(in)
			e := b.fails(t, c, http.StatusUnprocessableEntity, "ApplicationService/Add", in)
			if e.Code != string(app.CodeValidation) {
				t.Errorf("code %q, want validation", e.Code)
			}
			named := false
			for _, f := range e.Fields {
				if f.Field != tc.field {
					continue
				}
				named = true
				if !utf8.ValidString(f.VI) || !hasVietnamese(f.VI) || f.EN == "" || f.VI == f.EN {
					t.Errorf("field %s: vi %q, en %q; want a Vietnamese message and an English one", f.Field, f.VI, f.EN)
				}
			}
			if !named {
				t.Errorf("fields %+v do not name %s", e.Fields, tc.field)
			}
		})
	}
	var p page
	b.ok(t, c, &p, "ApplicationService/List", map[string]any{})
	if p.Total != 4 {
		t.Errorf("%d applications after refused adds, want 4", p.Total)
	}

	approver := b.browser(t)
	b.login(t, approver, "lanhdao")
	e := b.fails(t, approver, http.StatusUnprocessableEntity, "ApplicationService/Reject", b.submitted(t, approver).ID, "")
	if len(e.Fields) != 1 || e.Fields[0].Field != "reason" || !hasVietnamese(e.Fields[0].VI) {
		t.Errorf("reject without reason: %+v", e)
	}
}

// hasVietnamese reports whether s has a letter outside ASCII, as any Vietnamese sentence has.
func hasVietnamese(s string) bool {
	for _, r := range s {
		if r > 0x7f {
			return true
		}
	}
	return false
}

func TestMalformedRequests(t *testing.T) {
	b := newBridge(t, false, "")
	c := b.browser(t)
	tests := []struct {
		name   string
		method string // HTTP method
		path   string
		body   string
		header map[string]string
		status int
		code   app.Code
	}{
		{"too few arguments", "POST", "/api/AuthService/Login", `["canbo"]`, nil, 400, app.CodeValidation},
		{"too many arguments", "POST", "/api/ApplicationService/Approve", `["a","b"]`, nil, 400, app.CodeValidation},
		{"no body for a method with arguments", "POST", "/api/ApplicationService/Get", ``, nil, 400, app.CodeValidation},
		{"not a JSON array", "POST", "/api/ApplicationService/Get", `{"id":"x"}`, nil, 400, app.CodeValidation},
		{"argument of the wrong type", "POST", "/api/ApplicationService/Get", `[42]`, nil, 400, app.CodeValidation},
		{"unknown service", "POST", "/api/TokenService/Sign", `[]`, nil, 404, app.CodeNotFound},
		{"unknown method", "POST", "/api/ApplicationService/Delete", `["x"]`, nil, 404, app.CodeNotFound},
		{"no method", "POST", "/api/ApplicationService", `[]`, nil, 404, app.CodeNotFound},
		{"unexported plumbing", "POST", "/api/ApplicationService/SetContext", `[null]`, nil, 404, app.CodeNotFound},
		{"GET of a service", "GET", "/api/AuthService/Status", ``, nil, 403, app.CodeForbidden},
		{"cross-site origin", "POST", "/api/AuthService/Login", `["canbo","demo1234"]`, map[string]string{"Origin": "http://evil.example"}, 403, app.CodeForbidden},
		{"cross-port origin", "POST", "/api/AuthService/Status", `[]`, map[string]string{"Origin": "http://127.0.0.1:1"}, 403, app.CodeForbidden},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req, err := http.NewRequest(tc.method, b.srv.URL+tc.path, strings.NewReader(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			for k, v := range tc.header {
				req.Header.Set(k, v)
			}
			resp, err := c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("content type %q", ct)
			}
			if e := decodeError(t, tc.name, tc.status, resp.StatusCode, body); e.Code != string(tc.code) {
				t.Errorf("code %q, want %q", e.Code, tc.code)
			}
		})
	}
	// The same origin is allowed.
	status, body := b.post(t, c, "/api/AuthService/Status", `[]`, map[string]string{"Origin": b.srv.URL})
	if status != http.StatusOK {
		t.Errorf("same-origin call: %d %s", status, body)
	}
}

func TestServesTheFrontend(t *testing.T) {
	dist := t.TempDir()
	index := `<!doctype html><title>Giấy đi đường</title><div id="app"></div>`
	if err := os.WriteFile(filepath.Join(dist, "index.html"), []byte(index), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dist, "assets"), 0o700); err != nil {
		t.Fatal(err)
	}
	script := "console.log('gdd')"
	if err := os.WriteFile(filepath.Join(dist, "assets", "app.js"), []byte(script), 0o600); err != nil {
		t.Fatal(err)
	}
	b := newBridge(t, false, dist)
	c := b.browser(t)
	tests := []struct {
		path, want string
	}{
		{"/", index},
		{"/applications", index},
		{"/applications/0190d2c4-0000-7000-8000-000000000000", index},
		{"/approvals?status=submitted", index},
		{"/assets/app.js", script},
	}
	for _, tc := range tests {
		t.Run(tc.path, func(t *testing.T) {
			resp, err := c.Get(b.srv.URL + tc.path)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK || string(body) != tc.want {
				t.Errorf("GET %s: %d %q, want %q", tc.path, resp.StatusCode, body, tc.want)
			}
		})
	}
	// The API still answers under /api/ with a frontend mounted.
	status, body := b.post(t, c, "/api/AuthService/Status", `[]`, nil)
	if status != http.StatusOK || !bytes.Contains(body, []byte(`"initialized":false`)) {
		t.Errorf("status with a frontend: %d %s", status, body)
	}

	// Without a frontend directory, only the API is served.
	api := newBridge(t, false, "")
	resp, err := api.browser(t).Get(api.srv.URL + "/applications")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("GET of a route without a frontend: %d, want 404", resp.StatusCode)
	}
}
