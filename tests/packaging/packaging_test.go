//go:build packaging

// Package packaging checks what `make package` wrote to build/bin: the Windows installer and
// binaries (size, version resource, icon, manifest) and the .deb (file list, control fields,
// the systemd unit when gdd-server is built, the packaged binaries' --version). Run by
// `make package-test`; the installer's own file list is checked by installing it under Wine
// (tests/windows).
package packaging

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func env(t *testing.T) (bin, version string) {
	t.Helper()
	bin, version = os.Getenv("GDD_BIN"), os.Getenv("GDD_VERSION")
	if bin == "" || version == "" {
		t.Fatal("GDD_BIN and GDD_VERSION must be set (make package-test sets them)")
	}
	return bin, version
}

func one(t *testing.T, pattern string) string {
	t.Helper()
	m, _ := filepath.Glob(pattern)
	if len(m) != 1 {
		t.Fatalf("want one %s, found %v", pattern, m)
	}
	return m[0]
}

func run(t *testing.T, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

// resources reads an .exe's version resource through scripts/winres show.
func resources(t *testing.T, exe string) map[string]string {
	t.Helper()
	cmd := exec.Command("go", "run", "./scripts/winres", "show", exe)
	cmd.Dir = "../.."
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("winres show %s: %v\n%s", exe, err, out)
	}
	kv := map[string]string{}
	sc := bufio.NewScanner(strings.NewReader(string(out)))
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), "="); ok {
			kv[k] = v
		}
	}
	return kv
}

func TestWindowsInstaller(t *testing.T) {
	bin, version := env(t)
	setup := one(t, filepath.Join(bin, "giaydiduong-*-windows-amd64-setup.exe"))
	if want := "giaydiduong-" + version + "-windows-amd64-setup.exe"; filepath.Base(setup) != want {
		t.Errorf("installer is named %s, want %s", filepath.Base(setup), want)
	}
	fi, err := os.Stat(setup)
	if err != nil {
		t.Fatal(err)
	}
	// The bound, without the WebView2 runtime: a USB stick, an old PC, 3G.
	if fi.Size() > 25<<20 {
		t.Errorf("installer is %.1f MB, over 25 MB", float64(fi.Size())/(1<<20))
	}
	r := resources(t, setup)
	if r["ProductName"] != "Giấy đi đường" || r["ProductVersion"] != version {
		t.Errorf("installer version resource: %v", r)
	}
	for exe, desc := range map[string]string{"giaydiduong.exe": "Giấy đi đường", "gddctl.exe": "gddctl - công cụ dòng lệnh Giấy đi đường"} {
		r := resources(t, filepath.Join(bin, exe))
		want := map[string]string{"ProductName": "Giấy đi đường", "CompanyName": "GiayDiDuong", "ProductVersion": version,
			"FileVersion": version, "OriginalFilename": exe, "FileDescription": desc, "IconGroups": "1", "Manifests": "1"}
		for k, v := range want {
			if r[k] != v {
				t.Errorf("%s: %s = %q, want %q", exe, k, r[k], v)
			}
		}
		if r["FixedFileVersion"] == "" || r["FixedFileVersion"] == "0.0.0.0" {
			t.Errorf("%s: no numeric file version (%q)", exe, r["FixedFileVersion"])
		}
	}
}

func TestDeb(t *testing.T) {
	bin, version := env(t)
	deb := one(t, filepath.Join(bin, "giaydiduong_*_amd64.deb"))
	fields := map[string]string{}
	for _, f := range []string{"Package", "Version", "Architecture", "Depends"} {
		fields[f] = strings.TrimSpace(run(t, "dpkg-deb", "-f", deb, f))
	}
	if fields["Package"] != "giaydiduong" || fields["Architecture"] != "amd64" || !strings.Contains(fields["Depends"], "libwebkit2gtk-4.1-0") {
		t.Errorf("control fields: %v", fields)
	}
	if fields["Version"] == "" || (fields["Version"][0] < '0' || fields["Version"][0] > '9') {
		t.Errorf("Debian version %q must start with a digit", fields["Version"])
	}
	list := run(t, "dpkg-deb", "-c", deb)
	want := []string{"./usr/bin/giaydiduong", "./usr/bin/gddctl", "./usr/share/applications/giaydiduong.desktop",
		"./usr/share/icons/hicolor/256x256/apps/giaydiduong.png", "./usr/share/icons/hicolor/48x48/apps/giaydiduong.png"}
	server := []string{"./usr/bin/gdd-server", "./lib/systemd/system/gdd-server.service", "./usr/lib/sysusers.d/giaydiduong.conf"}
	_, err := os.Stat(filepath.Join(bin, "gdd-server"))
	hasServer := err == nil
	if hasServer {
		want = append(want, server...)
	}
	for _, f := range want {
		if !strings.Contains(list, " "+f+"\n") {
			t.Errorf(".deb lacks %s:\n%s", f, list)
		}
	}
	if !hasServer {
		// gdd-server is not built yet: neither it nor its unit may be half-shipped.
		for _, f := range server {
			if strings.Contains(list, " "+f+"\n") {
				t.Errorf(".deb has %s without gdd-server", f)
			}
		}
	}
	for _, line := range strings.Split(list, "\n") {
		if strings.HasPrefix(line, "-") && !strings.Contains(line, "root/root") {
			t.Errorf("file not owned by root: %s", line)
		}
	}

	dir := t.TempDir()
	run(t, "dpkg-deb", "-x", deb, dir)
	if out := run(t, filepath.Join(dir, "usr/bin/gddctl"), "--version"); !strings.Contains(out, version) {
		t.Errorf("packaged gddctl --version = %q, want %s", out, version)
	}
	if out := run(t, filepath.Join(dir, "usr/bin/giaydiduong"), "--version"); !strings.Contains(out, version) {
		t.Errorf("packaged giaydiduong --version = %q, want %s", out, version)
	}
	if hasServer {
		if out := run(t, filepath.Join(dir, "usr/bin/gdd-server"), "--version"); !strings.Contains(out, version) {
			t.Errorf("packaged gdd-server --version = %q, want %s", out, version)
		}
		unit, err := os.ReadFile(filepath.Join(dir, "lib/systemd/system/gdd-server.service"))
		if err != nil || !strings.Contains(string(unit), "User=gdd-server") {
			t.Errorf("packaged unit: %v\n%s", err, unit)
		}
		for _, f := range []string{"postinst", "prerm"} {
			if out := run(t, "dpkg-deb", "-I", deb, f); !strings.Contains(out, "gdd-server") {
				t.Errorf("maintainer script %s does not handle gdd-server:\n%s", f, out)
			}
		}
	}
	desktop, err := os.ReadFile(filepath.Join(dir, "usr/share/applications/giaydiduong.desktop"))
	if err != nil || !strings.Contains(string(desktop), "Name=Giấy đi đường") || !strings.Contains(string(desktop), "Exec=giaydiduong") {
		t.Errorf("desktop entry: %v\n%s", err, desktop)
	}
}

// TestServerUnit checks the unit the .deb ships with gdd-server: its own system user, data
// in /var/lib/giaydiduong (systemd's StateDirectory, owner-only), hardened.
func TestServerUnit(t *testing.T) {
	raw, err := os.ReadFile("../../build/linux/gdd-server.service")
	if err != nil {
		t.Fatal(err)
	}
	unit := map[string]string{}
	for _, line := range strings.Split(string(raw), "\n") {
		if k, v, ok := strings.Cut(line, "="); ok && !strings.HasPrefix(line, "#") {
			unit[k] = v
		}
	}
	for k, v := range map[string]string{
		"User": "gdd-server", "Group": "gdd-server", "StateDirectory": "giaydiduong", "StateDirectoryMode": "0700",
		"ExecStart": "/usr/bin/gdd-server serve --data /var/lib/giaydiduong", "EnvironmentFile": "-/etc/default/gdd-server", "NoNewPrivileges": "yes", "ProtectSystem": "strict",
		"WantedBy": "multi-user.target",
	} {
		if unit[k] != v {
			t.Errorf("gdd-server.service: %s=%q, want %q", k, unit[k], v)
		}
	}
	users, err := os.ReadFile("../../build/linux/giaydiduong.sysusers")
	if err != nil || !strings.Contains(string(users), "u gdd-server - ") || !strings.Contains(string(users), "/var/lib/giaydiduong") {
		t.Errorf("sysusers entry: %v\n%s", err, users)
	}
	if path, err := exec.LookPath("systemd-analyze"); err == nil {
		// Where systemd is installed, it checks the unit's syntax too.
		if out, err := exec.Command(path, "verify", "--man=no", "../../build/linux/gdd-server.service").CombinedOutput(); err != nil &&
			!strings.Contains(string(out), "gdd-server: No such file") && !strings.Contains(string(out), "/usr/bin/gdd-server") {
			t.Errorf("systemd-analyze verify: %v\n%s", err, out)
		}
	}
}
