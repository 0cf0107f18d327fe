//go:build wine

// Package windows runs the Windows build under Wine (Debian's wine64 8.0): the installer made
// by `make package`, then gddctl.exe from where it installed, through a whole walk-in on one
// data directory across many invocations, the CA library probe, and the uninstaller. The
// window (WebView2) cannot run under Wine and is not started. Run by `make wine-test`:
//
//	GDD_BIN=build/bin GDD_VERSION=$(git describe --tags --always --dirty) go test -tags wine ./tests/windows/
package windows

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

const wine64 = "/usr/lib/wine/wine64"

// The install folder and the user's data folder inside the prefix, as Windows names them.
const (
	installDir = `C:\GiayDiDuong`
	gddctl     = installDir + `\gddctl.exe`
)

var (
	prefix string // the Wine prefix, made once per machine by scripts/wine-prefix.sh
	binDir string
)

func TestMain(m *testing.M) {
	binDir = os.Getenv("GDD_BIN")
	if binDir == "" {
		fmt.Fprintln(os.Stderr, "GDD_BIN must name the directory with the installer (make wine-test sets it)")
		os.Exit(1)
	}
	// Wine 8 keeps no file access lists: it turns a DACL into Unix mode bits and reports one
	// made from them (others' read bits become "Everyone: read"). A 077 umask for wineserver,
	// which creates the files, makes new files look as in a real %AppData%: the account and
	// SYSTEM only. A wineserver left from an earlier run is stopped for that.
	syscall.Umask(0o077)
	out, err := exec.Command("../../scripts/wine-prefix.sh").Output()
	if err != nil {
		fmt.Fprintf(os.Stderr, "scripts/wine-prefix.sh: %v\n", err)
		os.Exit(1)
	}
	prefix = strings.TrimSpace(string(out))
	// One wineserver for the whole run, started here under the umask above (one left from
	// an earlier run is stopped first): started per command it costs ~3 s a step (see
	// docs/BENCHMARKS.md); kept, ~0.3 s.
	stop := exec.Command("/usr/lib/wine/wineserver64", "-k")
	stop.Env = append(os.Environ(), "WINEPREFIX="+prefix)
	_ = stop.Run()
	server := exec.Command("/usr/lib/wine/wineserver64", "-p")
	server.Env = stop.Env
	if err := server.Run(); err != nil {
		fmt.Fprintf(os.Stderr, "wineserver -p: %v\n", err)
		os.Exit(1)
	}
	code := m.Run()
	stop = exec.Command("/usr/lib/wine/wineserver64", "-k")
	stop.Env = server.Env
	_ = stop.Run()
	os.Exit(code)
}

// wine runs a Windows program in the prefix and returns its stdout; stderr goes into err.
func wine(t *testing.T, env []string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(wine64, args...)
	cmd.Env = append(os.Environ(), "WINEPREFIX="+prefix, "WINEDEBUG=-all", "WINEDLLOVERRIDES=mscoree,mshtml=")
	cmd.Env = append(cmd.Env, env...)
	cmd.Dir = t.TempDir()
	// Files, not pipes: the services Wine starts (winedevice) inherit the output and outlive
	// the program while wineserver is kept, so a pipe would never see its end.
	stdout, err := os.Create(filepath.Join(cmd.Dir, "stdout"))
	if err != nil {
		t.Fatal(err)
	}
	stderr, err := os.Create(filepath.Join(cmd.Dir, "stderr"))
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = stdout, stderr
	err = cmd.Run()
	stdout.Close()
	stderr.Close()
	outb, _ := os.ReadFile(stdout.Name())
	errb, _ := os.ReadFile(stderr.Name())
	if err != nil {
		err = fmt.Errorf("%s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(string(errb)))
	}
	return string(outb), err
}

// ctl runs the installed gddctl.exe as user (when not ""), decoding --json output into v.
func ctl(t *testing.T, v any, user string, args ...string) string {
	t.Helper()
	out, err := ctlRun(t, user, args...)
	if err != nil {
		t.Fatalf("gddctl.exe: %v", err)
	}
	if v != nil {
		if err := json.Unmarshal([]byte(out), v); err != nil {
			t.Fatalf("gddctl.exe %s: not JSON (%v):\n%s", strings.Join(args, " "), err, out)
		}
	}
	return out
}

func ctlRun(t *testing.T, user string, args ...string) (string, error) {
	t.Helper()
	var env []string
	if user != "" {
		args = append([]string{"--user", user}, args...)
		env = append(env, "GDD_PASSWORD=demo1234")
	}
	return wine(t, env, append([]string{gddctl}, args...)...)
}

// unixPath is where a C:\ path of the prefix lies on this machine.
func unixPath(win string) string {
	rest := strings.ReplaceAll(strings.TrimPrefix(win, `C:\`), `\`, "/")
	return filepath.Join(prefix, "drive_c", rest)
}

// winPath names a file of this machine for a Windows program (Wine maps / to Z:).
func winPath(unix string) string { return `Z:` + strings.ReplaceAll(unix, "/", `\`) }

// appData is %AppData% of the prefix's user.
func appData(t *testing.T) string {
	t.Helper()
	out, err := wine(t, nil, "cmd", "/c", "echo %APPDATA%")
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(out)
}

func waitGone(t *testing.T, path string) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if _, err := os.Stat(path); os.IsNotExist(err) {
			return
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("%s still there after uninstalling", path)
}

func setupExe(t *testing.T) string {
	t.Helper()
	m, _ := filepath.Glob(filepath.Join(binDir, "giaydiduong-*-windows-amd64-setup.exe"))
	if len(m) != 1 {
		t.Fatalf("want one Windows installer in %s, found %v (run make package)", binDir, m)
	}
	return m[0]
}

func install(t *testing.T) {
	t.Helper()
	// NSIS: /S silent, /D the folder (last, unquoted). Silent mode answers the WebView2
	// message with OK, so a prefix without WebView2 still installs.
	if _, err := wine(t, nil, setupExe(t), "/S", `/D=`+installDir); err != nil {
		t.Fatalf("installer: %v", err)
	}
	for _, f := range []string{"giaydiduong.exe", "gddctl.exe", "uninstall.exe", "giaydiduong.ico"} {
		if _, err := os.Stat(unixPath(installDir + `\` + f)); err != nil {
			t.Errorf("installer did not write %s: %v", f, err)
		}
	}
	menu := unixPath(`C:\ProgramData\Microsoft\Windows\Start Menu\Programs\Giấy đi đường`)
	for _, f := range []string{"Giấy đi đường.lnk", "Gỡ cài đặt Giấy đi đường.lnk"} {
		if _, err := os.Stat(filepath.Join(menu, f)); err != nil {
			t.Errorf("Start menu entry %q missing: %v", f, err)
		}
	}
	// reg prints in the console's code page, so the Vietnamese name is not compared here.
	out, err := wine(t, nil, "reg", "query", `HKLM\Software\Microsoft\Windows\CurrentVersion\Uninstall\GiayDiDuong`)
	if err != nil || !strings.Contains(out, "DisplayVersion    REG_SZ    "+os.Getenv("GDD_VERSION")) ||
		!strings.Contains(out, `UninstallString    REG_SZ    "`+installDir+`\uninstall.exe"`) {
		t.Errorf("Apps & features entry: %v\n%s", err, out)
	}
}

// uninstall runs the uninstaller silently; it copies itself to %TEMP% and returns at once,
// so the test waits for the install folder to go.
func uninstall(t *testing.T, args ...string) {
	t.Helper()
	if _, err := wine(t, nil, append([]string{installDir + `\uninstall.exe`, "/S"}, args...)...); err != nil {
		t.Fatalf("uninstaller: %v", err)
	}
	waitGone(t, unixPath(installDir+`\gddctl.exe`))
	waitGone(t, unixPath(installDir))
}

type appJSON struct {
	ID     string `json:"id"`
	Status string `json:"status"`
}

type permitJSON struct {
	Number string `json:"number"`
	Status string `json:"status"`
	QR     string `json:"qr"`
}

type verdictJSON struct {
	Result string `json:"result"`
	Permit *struct {
		Number string `json:"number"`
	} `json:"permit"`
}

// TestInstallWalkInUninstall is the Wine run, in order: install; gddctl.exe --version;
// a walk-in on the default data directory (%AppData%\GiayDiDuong), one process per step, so
// every step reopens the database the last one left (the "Sharing violation" bug: chmod on
// the open -shm file); uninstall keeps the data; reinstall reads it; /PURGE deletes it.
func TestInstallWalkInUninstall(t *testing.T) {
	data := appData(t) + `\GiayDiDuong`
	_ = os.RemoveAll(unixPath(data))
	if _, err := os.Stat(unixPath(installDir + `\uninstall.exe`)); err == nil {
		uninstall(t, "/PURGE") // a run that stopped half-way
	}
	install(t)

	if out := ctl(t, nil, "", "--version"); !strings.Contains(out, os.Getenv("GDD_VERSION")) {
		t.Errorf("gddctl.exe --version = %q, want %q", out, os.Getenv("GDD_VERSION"))
	}

	tmp := t.TempDir()
	ctl(t, nil, "", "init", "--demo")
	if _, err := os.Stat(unixPath(data + `\office.db`)); err != nil {
		t.Fatalf("the data directory is not %s: %v", data, err)
	}
	// The owner-only DACL that init set on the directory and the keys comes out of Wine's
	// DACL-to-mode mapping as 0775 (Wine stores no DACL); on Windows the DACL itself stays.
	// Its Unix equivalent stands in for it here, so the key check below reads what Windows
	// would report: the account and SYSTEM only.
	// The office key is DPAPI-sealed where Windows has no TPM (office-key.dpapi), else a file.
	for _, f := range []string{"", `\office-key.pem`, `\office-key.dpapi`, `\demo-province-root-key.pem`} {
		err := os.Chmod(unixPath(data+f), map[bool]os.FileMode{true: 0o700, false: 0o600}[f == ""])
		if err != nil && !(f != "" && f != `\demo-province-root-key.pem` && os.IsNotExist(err)) {
			t.Fatal(err)
		}
	}
	if out := ctl(t, nil, "", "unit", "list"); !strings.Contains(out, "Đồng Tháp") {
		t.Errorf("unit list does not name Đồng Tháp:\n%.300s", out)
	}
	in := map[string]string{
		"full_name": "Nguyễn Văn Dũng", "birth_date": "1995-03-15", "gender": "male",
		"id_number": "082095001234", "phone": "0912345678", "residence_commune_code": "28261",
		"residence_street": "Khu phố 1", "workplace": "Công ty TNHH Thủy sản Mỹ Tho",
		"purpose_code": "work", "route_from": "Khu phố 1, Phường Mỹ Tho", "route_to": "Phường 5, Thành phố Mỹ Tho",
		"vehicle_type": "motorbike", "vehicle_plate": "63-B1 123.45",
		"valid_from": vnDay(0), "valid_to": vnDay(6),
	}
	b, _ := json.Marshal(in)
	appFile := filepath.Join(tmp, "app.json")
	if err := os.WriteFile(appFile, b, 0o600); err != nil {
		t.Fatal(err)
	}
	var a appJSON
	ctl(t, &a, "canbo", "application", "add", "--json", winPath(appFile))
	if a.ID == "" || a.Status != "submitted" {
		t.Fatalf("application add: %+v", a)
	}
	ctl(t, &a, "lanhdao", "application", "approve", a.ID, "--json")
	if a.Status != "approved" {
		t.Fatalf("approve: %+v", a)
	}
	var p permitJSON
	ctl(t, &p, "canbo", "permit", "issue", a.ID, "--json")
	if p.Number == "" || !strings.HasPrefix(p.QR, "GDD1:") {
		t.Fatalf("permit issue: %+v", p)
	}
	pdf := filepath.Join(tmp, "permit.pdf")
	ctl(t, nil, "", "permit", "pdf", p.Number, "-o", winPath(pdf))
	if raw, err := os.ReadFile(pdf); err != nil || !bytes.HasPrefix(raw, []byte("%PDF-")) {
		t.Fatalf("permit pdf wrote no PDF: %v", err)
	}
	var v verdictJSON
	ctl(t, &v, "", "verify", "--text", p.QR, "--json")
	if v.Result != "VALID" || v.Permit == nil || v.Permit.Number != p.Number {
		t.Errorf("verify --text: %+v, want VALID for %s", v, p.Number)
	}
	// Reading a QR out of a PDF needs poppler's pdftoppm, which the installer does not ship:
	// on Windows (and here) verify --pdf says so instead of guessing.
	if _, err := ctlRun(t, "", "verify", "--pdf", winPath(pdf)); err == nil || !strings.Contains(err.Error(), "pdftoppm") {
		t.Errorf("verify --pdf without poppler: %v, want the message naming pdftoppm", err)
	}
	var audit struct {
		OK     bool `json:"ok"`
		Events int  `json:"events"`
	}
	ctl(t, &audit, "", "audit", "verify", "--json")
	if !audit.OK || audit.Events < 15 {
		t.Errorf("audit verify: %+v, want an intact chain with the walk-in's events", audit)
	}
	var check struct {
		OK bool `json:"ok"`
	}
	ctl(t, &check, "", "db", "check", "--json")
	if !check.OK {
		t.Errorf("db check: %+v", check)
	}
	// permit issue loaded the office key: its access list passed the owner-only check. One
	// that lets Everyone read it is refused, with the reason, and nothing is issued.
	var page struct {
		Items []appJSON `json:"items"`
	}
	ctl(t, &page, "canbo", "application", "list", "--status", "approved", "--json")
	var waiting string
	for _, it := range page.Items {
		if it.ID != a.ID {
			waiting = it.ID
		}
	}
	if waiting == "" {
		t.Fatalf("the demo has no other approved application: %+v", page)
	}
	if _, err := os.Stat(unixPath(data + `\office-key.dpapi`)); err == nil {
		// Sealed by DPAPI for this account: no clear key file exists to leak.
		var st struct {
			Protection string `json:"office_key_protection"`
		}
		ctl(t, &st, "quantri", "settings", "show", "--json")
		if st.Protection != "dpapi" {
			t.Errorf("office key protection %q, want dpapi", st.Protection)
		}
		if _, err := os.Stat(unixPath(data + `\office-key.pem`)); err == nil {
			t.Error("a DPAPI office also left a clear office-key.pem")
		}
	} else {
		key := unixPath(data + `\office-key.pem`)
		if err := os.Chmod(key, 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := ctlRun(t, "canbo", "permit", "issue", waiting); err == nil || !strings.Contains(err.Error(), "Không đọc được khóa ký của văn phòng") {
			t.Errorf("permit issue with a key Everyone can read: %v, want the refusal", err)
		}
		if err := os.Chmod(key, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	ctl(t, &p, "canbo", "permit", "issue", waiting, "--json")

	uninstall(t)
	if _, err := os.Stat(unixPath(data + `\office.db`)); err != nil {
		t.Fatalf("uninstalling without /PURGE lost the data: %v", err)
	}
	install(t)
	ctl(t, &v, "", "verify", "--text", p.QR, "--json")
	if v.Result != "VALID" {
		t.Errorf("after reinstalling, verify: %+v", v)
	}
	uninstall(t, "/PURGE")
	if _, err := os.Stat(unixPath(data)); !os.IsNotExist(err) {
		t.Errorf("uninstall /PURGE kept %s (%v)", data, err)
	}
}

var labelRE = regexp.MustCompile(`WINE FIXTURE`)

// TestPKCS11Probe checks the CA library probe's paths on Windows: with no library set, the
// probe looks in %SystemRoot%\System32 under the vendors' names; a module found there is
// loaded (LoadLibrary, C_GetFunctionList) and its token listed.
func TestPKCS11Probe(t *testing.T) {
	data := winPath(t.TempDir())
	ctl := func(v any, args ...string) string {
		t.Helper()
		return ctlAt(t, v, append([]string{"--data", data}, args...)...)
	}
	ctl(nil, "init", "--demo")
	var libs []struct {
		Vendor string `json:"vendor"`
		Path   string `json:"path"`
		Found  bool   `json:"found"`
	}
	ctl(&libs, "token", "libraries", "--json")
	want := map[string]bool{
		`C:\windows\System32\vnptca_p11_v10.dll`: false, `C:\windows\System32\viettel-ca_v6.dll`: false,
		`C:\windows\System32\BkavCA.dll`: false, `C:\windows\System32\fpt-ca.dll`: false,
		`C:\windows\System32\gclib.dll`: false, `C:\windows\System32\eps2003csp11.dll`: false,
	}
	for _, l := range libs {
		if _, ok := want[l.Path]; ok {
			want[l.Path] = true
		}
		if l.Found {
			t.Errorf("%s found in a fresh prefix", l.Path)
		}
	}
	for p, seen := range want {
		if !seen {
			t.Errorf("the probe does not look for %s; it lists %+v", p, libs)
		}
	}

	var tokens []struct {
		Kind    string `json:"kind"`
		Library string `json:"library"`
		Label   string `json:"label"`
	}
	ctl(&tokens, "token", "list", "--json")
	for _, tk := range tokens {
		if tk.Kind == "pkcs11" {
			t.Errorf("a PKCS#11 token with no CA library installed: %+v", tk)
		}
	}

	// A CA's module installed: the fixture under VNPT-CA's name.
	dll := filepath.Join(prefix, "drive_c", "windows", "system32", "vnptca_p11_v10.dll")
	raw, err := os.ReadFile(filepath.Join(prefix, ".gdd-fixtures", "gdd-fixture-pkcs11.dll"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dll, raw, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Remove(dll) })
	ctl(&libs, "token", "libraries", "--json")
	if len(libs) == 0 || !libs[0].Found || !strings.HasSuffix(libs[0].Path, `\vnptca_p11_v10.dll`) || libs[0].Vendor != "VNPT-CA" {
		t.Errorf("with vnptca_p11_v10.dll installed, the probe lists first %+v", libs[0])
	}
	out := ctl(&tokens, "token", "list", "--json")
	if len(tokens) != 1 || tokens[0].Kind != "pkcs11" || !labelRE.MatchString(tokens[0].Label) || !strings.HasSuffix(tokens[0].Library, `\vnptca_p11_v10.dll`) {
		t.Errorf("token list with the VNPT-CA module installed: %s", out)
	}
}

// ctlAt runs the gddctl.exe of build/bin (not the installed one: this test stands alone).
func ctlAt(t *testing.T, v any, args ...string) string {
	t.Helper()
	out, err := wine(t, nil, append([]string{winPath(filepath.Join(absBin(t), "gddctl.exe"))}, args...)...)
	if err != nil {
		t.Fatalf("gddctl.exe: %v", err)
	}
	if v != nil {
		if err := json.Unmarshal([]byte(out), v); err != nil {
			t.Fatalf("gddctl.exe %s: not JSON (%v):\n%s", strings.Join(args, " "), err, out)
		}
	}
	return out
}

func absBin(t *testing.T) string {
	t.Helper()
	p, err := filepath.Abs(binDir)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// vnDay is today plus n days in Vietnam (UTC+7), as the office's calendar counts.
func vnDay(n int) string {
	return time.Now().In(time.FixedZone("ICT", 7*3600)).AddDate(0, 0, n).Format(time.DateOnly)
}
