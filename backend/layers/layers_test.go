package layers

import (
	"go/ast"
	"go/types"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/tools/go/packages"
)

const module = "giaydiduong/backend/"

// serverPackages are the packages the provincial server will use. A package named here that
// does not exist yet (pki) is skipped until it does.
var serverPackages = []string{"domain", "permit", "syncwire", "syncpack", "units", "auth", "audit", "store", "outbox", "pki", "province", "server", "syncclient", "cmd/gdd-server", "report", "backfill"}

// officeOnly are the packages that only make sense on an office PC: the use cases over the
// office database, the window, the HTTP bridge, USB tokens, printers and the permit PDF.
var officeOnly = []string{"app", "desktop", "uibridge", "token", "printing", "render"}

func TestServerPackagesImportNoOfficeOnlyPackage(t *testing.T) {
	checked := 0
	for _, p := range serverPackages {
		if _, err := exec.Command("go", "list", "./../"+p).Output(); err != nil {
			t.Logf("%s does not exist yet: skipped", p)
			continue
		}
		checked++
		out, err := exec.Command("go", "list", "-deps", "./../"+p).Output()
		if err != nil {
			t.Fatalf("go list -deps %s: %v", p, err)
		}
		for _, dep := range strings.Fields(string(out)) {
			if bad := officeOnlyPackage(dep); bad != "" {
				t.Errorf("backend/%s imports the office-only package %s (through %s): the server cannot link it", p, bad, dep)
			}
			if strings.HasPrefix(dep, "github.com/wailsapp/") {
				t.Errorf("backend/%s imports the window toolkit %s", p, dep)
			}
		}
	}
	if checked < 8 {
		t.Fatalf("only %d server packages found: the list above is out of date", checked)
	}
}

// officeOnlyPackage names the office-only package dep is (or lies under), or "".
func officeOnlyPackage(dep string) string {
	rest, ok := strings.CutPrefix(dep, module)
	if !ok {
		return ""
	}
	for _, o := range officeOnly {
		if rest == o || strings.HasPrefix(rest, o+"/") {
			return "backend/" + o
		}
	}
	return ""
}

func TestOfficeOnlyMatch(t *testing.T) {
	for dep, want := range map[string]string{
		"giaydiduong/backend/app":            "backend/app",
		"giaydiduong/backend/token/pkcs11":   "backend/token",
		"giaydiduong/backend/tokenizer":      "",
		"giaydiduong/backend/store":          "",
		"github.com/someone/backend/app":     "",
		"giaydiduong/backend/render/nothing": "backend/render",
	} {
		if got := officeOnlyPackage(dep); got != want {
			t.Errorf("officeOnlyPackage(%s) = %q, want %q", dep, got, want)
		}
	}
}

// gormCall is a method called on a value of one of gorm's types.
type gormCall struct {
	pos, method, recv string
}

// gormCalls lists every call of a method of a gorm type (the *gorm.DB of a query chain:
// Where, First, Find, Model, Updates, Create, Raw, Exec, Joins, Order, Preload, Transaction...)
// in the non-test files of the package at dir. Types decide, not names, so a chain reached
// through a variable, a field or a function result is found as well.
func gormCalls(t *testing.T, dir string) []gormCall {
	t.Helper()
	cfg := &packages.Config{Mode: packages.NeedName | packages.NeedFiles | packages.NeedSyntax | packages.NeedTypes | packages.NeedTypesInfo, Dir: dir}
	pkgs, err := packages.Load(cfg, ".")
	if err != nil {
		t.Fatalf("load %s: %v", dir, err)
	}
	if len(pkgs) != 1 || len(pkgs[0].Errors) > 0 {
		t.Fatalf("load %s: %v", dir, pkgs[0].Errors)
	}
	p := pkgs[0]
	var out []gormCall
	for _, f := range p.Syntax {
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			s := p.TypesInfo.Selections[sel]
			if s == nil || s.Kind() != types.MethodVal {
				return true
			}
			if recv := namedOf(s.Recv()); recv != nil && recv.Obj().Pkg() != nil && strings.HasPrefix(recv.Obj().Pkg().Path(), "gorm.io/") {
				out = append(out, gormCall{pos: p.Fset.Position(call.Pos()).String(), method: sel.Sel.Name, recv: recv.String()})
			}
			return true
		})
	}
	return out
}

func namedOf(t types.Type) *types.Named {
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem()
	}
	n, _ := t.(*types.Named)
	return n
}

func TestAppBuildsNoQueryChain(t *testing.T) {
	for _, c := range gormCalls(t, filepath.Join("..", "app")) {
		t.Errorf("%s: backend/app calls %s on %s: put the query in backend/store as a named query", c.pos, c.method, c.recv)
	}
}

// TestQueryChainIsSeen runs the same check on backend/store, which is made of query chains:
// if it found none there, the check above could not fail.
func TestQueryChainIsSeen(t *testing.T) {
	methods := map[string]bool{}
	for _, c := range gormCalls(t, filepath.Join("..", "store")) {
		methods[c.method] = true
	}
	for _, m := range []string{"Where", "First", "Find", "Model", "Updates", "Create", "Raw", "Order", "Transaction"} {
		if !methods[m] {
			t.Errorf("the check did not see %s in backend/store", m)
		}
	}
}
