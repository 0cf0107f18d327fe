// Package uibridge serves the window's bound services over local HTTP, the way tiny-rdm's
// web build does, so that a browser (end-to-end tests, remote support on the same PC) drives
// exactly the code the desktop window drives. Each browser gets its own session.
//
// It is for this PC only: it listens on loopback, answers only a Host naming loopback and its
// own port (a page rebound by DNS to 127.0.0.1 names its own host), and wants the per-launch
// secret, given once in the URL it prints and kept as a cookie, on every request. A local
// process that did not start the bridge does not know the secret.
package uibridge

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"

	"giaydiduong/backend/app"
	"giaydiduong/backend/desktop"
)

const (
	cookieName = "gdd_session"
	// keyParam carries the launch secret in the printed URL; the bridge moves it to a cookie.
	keyParam = "key"
	// MaxSessions bounds the browsers served at once; the least recently used goes first.
	MaxSessions = 16
	// SessionIdle ends a browser's session after this long without a request.
	SessionIdle = time.Hour
)

// Server is the bridge: POST /api/<Service>/<Method> with a JSON array of arguments, and
// the built frontend for everything else.
type Server struct {
	app    *app.App
	static http.Handler
	dir    string
	secret string
	// Now is the clock of session expiry; tests move it.
	Now func() time.Time

	mu       sync.Mutex
	sessions map[string]*browserSession
}

type browserSession struct {
	services map[string]reflect.Value // service name → service
	lastUsed time.Time
}

// New serves the frontend build in dir (may be empty: API only), with a new launch secret.
func New(a *app.App, dir string) *Server {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(fmt.Sprintf("uibridge: no randomness for the launch secret: %v", err)) // crypto/rand does not fail on supported systems
	}
	s := &Server{app: a, dir: dir, secret: hex.EncodeToString(b[:]), Now: time.Now, sessions: map[string]*browserSession{}}
	if dir != "" {
		s.static = http.FileServer(http.Dir(dir))
	}
	return s
}

// Secret is this launch's secret.
func (s *Server) Secret() string { return s.secret }

// URL is the address to open in the browser on this PC: it carries the launch secret.
func (s *Server) URL(addr net.Addr) string {
	return "http://" + addr.String() + "/?" + keyParam + "=" + s.secret
}

// Listen opens addr for the bridge, refusing any address that is not loopback: the bridge
// serves this PC's office to whoever reaches it.
func Listen(addr string) (net.Listener, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", addr, err)
	}
	if host != "localhost" {
		ip := net.ParseIP(host)
		if ip == nil || !ip.IsLoopback() {
			return nil, fmt.Errorf("listen on %s: the bridge listens on loopback only (127.0.0.1, ::1 or localhost)", addr)
		}
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", addr, err)
	}
	if tcp, ok := ln.Addr().(*net.TCPAddr); !ok || !tcp.IP.IsLoopback() {
		ln.Close()
		return nil, fmt.Errorf("listen on %s: %s is not loopback", addr, ln.Addr())
	}
	return ln, nil
}

// hostAllowed accepts only a Host naming loopback and the port the request came in on.
func hostAllowed(r *http.Request) bool {
	host, port, err := net.SplitHostPort(r.Host)
	if err != nil {
		return false
	}
	if host != "localhost" && host != "127.0.0.1" && host != "::1" {
		return false
	}
	local, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr)
	if !ok {
		return false
	}
	tcp, ok := local.(*net.TCPAddr)
	return ok && strconv.Itoa(tcp.Port) == port
}

// keyCookie is per port: browsers share cookies between ports of one host.
func keyCookie(r *http.Request) string {
	_, port, _ := net.SplitHostPort(r.Host)
	return "gdd_key_" + port
}

func (s *Server) secretIs(v string) bool {
	return subtle.ConstantTimeCompare([]byte(v), []byte(s.secret)) == 1
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !hostAllowed(r) {
		writeError(w, http.StatusMisdirectedRequest, app.CodeForbidden, "Chỉ mở bằng địa chỉ 127.0.0.1 hoặc localhost trên máy này", "Open the bridge as 127.0.0.1 or localhost on this PC")
		return
	}
	if k := r.URL.Query().Get(keyParam); k != "" {
		if !s.secretIs(k) {
			writeError(w, http.StatusForbidden, app.CodeForbidden, "Khóa phiên không đúng: mở đường dẫn gddctl vừa in ra", "Wrong launch key: open the link gddctl printed")
			return
		}
		http.SetCookie(w, &http.Cookie{Name: keyCookie(r), Value: s.secret, Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode})
		q := r.URL.Query()
		q.Del(keyParam)
		u := *r.URL
		u.RawQuery = q.Encode()
		http.Redirect(w, r, u.RequestURI(), http.StatusSeeOther)
		return
	}
	if c, err := r.Cookie(keyCookie(r)); err != nil || !s.secretIs(c.Value) {
		writeError(w, http.StatusForbidden, app.CodeForbidden, "Cần khóa phiên: mở đường dẫn gddctl in ra khi khởi động", "The launch key is missing: open the link gddctl printed when it started")
		return
	}
	if rest, ok := strings.CutPrefix(r.URL.Path, "/api/"); ok {
		s.serveAPI(w, r, rest)
		return
	}
	if s.static == nil {
		http.NotFound(w, r)
		return
	}
	if _, err := os.Stat(filepath.Join(s.dir, filepath.FromSlash(r.URL.Path))); err != nil {
		r.URL.Path = "/" // a client-side route: hand over the app
	}
	s.static.ServeHTTP(w, r)
}

func (s *Server) services(w http.ResponseWriter, r *http.Request) map[string]reflect.Value {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.Now()
	for id, bs := range s.sessions {
		if now.Sub(bs.lastUsed) > SessionIdle {
			delete(s.sessions, id)
		}
	}
	if c, err := r.Cookie(cookieName); err == nil {
		if bs, ok := s.sessions[c.Value]; ok {
			bs.lastUsed = now
			return bs.services
		}
	}
	if len(s.sessions) >= MaxSessions {
		oldest := ""
		for id, bs := range s.sessions {
			if oldest == "" || bs.lastUsed.Before(s.sessions[oldest].lastUsed) {
				oldest = id
			}
		}
		delete(s.sessions, oldest)
	}
	var b [16]byte
	rand.Read(b[:])
	id := hex.EncodeToString(b[:])
	svc := map[string]reflect.Value{}
	for _, v := range desktop.New(context.Background(), s.app, s.app.NewBridgeSession()).All() {
		rv := reflect.ValueOf(v)
		svc[rv.Elem().Type().Name()] = rv
	}
	s.sessions[id] = &browserSession{services: svc, lastUsed: now}
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: id, Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode})
	return svc
}

// sameOrigin refuses cross-site calls: a page elsewhere must not drive a signed-in office.
func sameOrigin(r *http.Request) bool {
	o := r.Header.Get("Origin")
	if o == "" {
		return true
	}
	u, err := url.Parse(o)
	return err == nil && u.Host == r.Host
}

func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request, path string) {
	if r.Method != http.MethodPost || !sameOrigin(r) {
		writeError(w, http.StatusForbidden, app.CodeForbidden, "Yêu cầu không hợp lệ", "Request refused")
		return
	}
	svcName, method, ok := strings.Cut(path, "/")
	svc, found := s.services(w, r)[svcName]
	if !ok || !found {
		writeError(w, http.StatusNotFound, app.CodeNotFound, "Không có dịch vụ "+path, "No such service: "+path)
		return
	}
	m := svc.MethodByName(method)
	if !m.IsValid() || method == "SetContext" {
		writeError(w, http.StatusNotFound, app.CodeNotFound, "Không có dịch vụ "+path, "No such service: "+path)
		return
	}
	var raw []json.RawMessage
	body, err := io.ReadAll(io.LimitReader(r.Body, 32<<20))
	if err == nil && len(body) > 0 {
		err = json.Unmarshal(body, &raw)
	}
	if err != nil || len(raw) != m.Type().NumIn() {
		writeError(w, http.StatusBadRequest, app.CodeValidation, "Tham số không hợp lệ", fmt.Sprintf("%s takes %d arguments", path, m.Type().NumIn()))
		return
	}
	args := make([]reflect.Value, len(raw))
	for i, a := range raw {
		p := reflect.New(m.Type().In(i))
		if err := json.Unmarshal(a, p.Interface()); err != nil {
			writeError(w, http.StatusBadRequest, app.CodeValidation, "Tham số không hợp lệ", fmt.Sprintf("argument %d: %v", i+1, err))
			return
		}
		args[i] = p.Elem()
	}
	var result any
	for _, v := range m.Call(args) {
		if v.Type() == errorType {
			if !v.IsNil() {
				writeWireError(w, v.Interface().(error).Error())
				return
			}
			continue
		}
		result = v.Interface()
	}
	w.Header().Set("Content-Type", "application/json")
	if err := json.NewEncoder(w).Encode(result); err != nil {
		slog.Warn("write api response", "path", path, "err", err)
	}
}

var errorType = reflect.TypeFor[error]()

var statusOf = map[app.Code]int{
	app.CodeValidation: 422, app.CodeForbidden: 403, app.CodeUnauthenticated: 401, app.CodeNotFound: 404,
	app.CodeConflict: 409, app.CodeLocked: 423, app.CodeInvalidTransition: 409, app.CodeScreenLocked: 423,
}

func writeWireError(w http.ResponseWriter, body string) {
	var e app.Error
	status := http.StatusInternalServerError
	if json.Unmarshal([]byte(body), &e) == nil {
		if s, ok := statusOf[e.Code]; ok {
			status = s
		}
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	io.WriteString(w, body)
}

func writeError(w http.ResponseWriter, status int, code app.Code, vi, en string) {
	b, _ := json.Marshal(app.Error{Code: code, VI: vi, EN: en})
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(b)
}
