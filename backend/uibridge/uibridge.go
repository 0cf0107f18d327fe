// Package uibridge serves the window's bound services over local HTTP, the way tiny-rdm's
// web build does, so that a browser (end-to-end tests, remote support on the same PC) drives
// exactly the code the desktop window drives. Each browser gets its own session.
package uibridge

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"

	"giaydiduong/backend/app"
	"giaydiduong/backend/desktop"
)

const cookieName = "gdd_session"

// Server is the bridge: POST /api/<Service>/<Method> with a JSON array of arguments, and
// the built frontend for everything else.
type Server struct {
	app    *app.App
	static http.Handler
	dir    string

	mu       sync.Mutex
	sessions map[string]map[string]reflect.Value // session id → service name → service
}

// New serves the frontend build in dir (may be empty: API only).
func New(a *app.App, dir string) *Server {
	s := &Server{app: a, dir: dir, sessions: map[string]map[string]reflect.Value{}}
	if dir != "" {
		s.static = http.FileServer(http.Dir(dir))
	}
	return s
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
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
	if c, err := r.Cookie(cookieName); err == nil {
		if svc, ok := s.sessions[c.Value]; ok {
			return svc
		}
	}
	var b [16]byte
	rand.Read(b[:])
	id := hex.EncodeToString(b[:])
	svc := map[string]reflect.Value{}
	for _, v := range desktop.New(context.Background(), s.app, s.app.NewSession()).All() {
		rv := reflect.ValueOf(v)
		svc[rv.Elem().Type().Name()] = rv
	}
	s.sessions[id] = svc
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
