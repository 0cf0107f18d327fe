// Command winres makes the Windows resources of the build from build/ (Wails' project
// layout) with github.com/tc-hib/winres, the library Wails itself uses, so that `make windows`
// can cross-compile with plain `go build` and still get the icon, the manifest and the
// version resource:
//
//	go run ./scripts/winres icon -in build/appicon.png -out build/windows/icon.ico
//	go run ./scripts/winres syso -version V -desc TEXT -file NAME.exe -out DIR/rsrc_windows_amd64.syso
//	go run ./scripts/winres show FILE.exe    # prints the version resource, for tests
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"image/png"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"text/template"

	"github.com/tc-hib/winres"
	"github.com/tc-hib/winres/version"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: winres icon|syso|show ...")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "icon":
		err = icon(os.Args[2:])
	case "syso":
		err = syso(os.Args[2:])
	case "show":
		err = show(os.Args[2:])
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "winres:", err)
		os.Exit(1)
	}
}

// icon writes a multi-size .ico from the 1024x1024 app icon: the sizes Explorer, the taskbar
// and the Start menu ask for, at 100 % to 200 % scaling.
func icon(args []string) error {
	fs := flag.NewFlagSet("icon", flag.ExitOnError)
	in := fs.String("in", "build/appicon.png", "source PNG")
	out := fs.String("out", "build/windows/icon.ico", "destination .ico")
	_ = fs.Parse(args)
	f, err := os.Open(*in)
	if err != nil {
		return err
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		return fmt.Errorf("decode %s: %w", *in, err)
	}
	ico, err := winres.NewIconFromResizedImage(img, []int{256, 128, 64, 48, 40, 32, 24, 20, 16})
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := ico.SaveICO(&buf); err != nil {
		return err
	}
	return os.WriteFile(*out, buf.Bytes(), 0o644)
}

// project is what build/windows/info.json and wails.exe.manifest may refer to, named as
// Wails names it ({{.Info.ProductVersion}}, {{.Name}}), so `wails build` reads them too.
type project struct {
	Name string
	Info struct {
		CompanyName    string `json:"companyName"`
		ProductName    string `json:"productName"`
		ProductVersion string `json:"productVersion"`
		Copyright      string `json:"copyright"`
		Comments       string `json:"comments"`
	} `json:"info"`
}

func syso(args []string) error {
	fs := flag.NewFlagSet("syso", flag.ExitOnError)
	dir := fs.String("build", "build", "the Wails build directory")
	wailsJSON := fs.String("project", "wails.json", "the Wails project file")
	ver := fs.String("version", "", "the build's version (git describe)")
	desc := fs.String("desc", "", "FileDescription (default: the product name)")
	file := fs.String("file", "", "OriginalFilename, e.g. gddctl.exe")
	out := fs.String("out", "", "the .syso to write (name it *_windows_amd64.syso)")
	_ = fs.Parse(args)
	if *out == "" || *ver == "" {
		return errors.New("syso needs -version and -out")
	}
	var p project
	raw, err := os.ReadFile(*wailsJSON)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(raw, &p); err != nil {
		return fmt.Errorf("%s: %w", *wailsJSON, err)
	}
	if err := json.Unmarshal(raw, &struct{ Name *string }{&p.Name}); err != nil {
		return err
	}
	// The version resource's fixed part is four numbers: the tag's, else the project's
	// productVersion, with the commits since the tag as the fourth.
	numeric := NumericVersion(*ver, p.Info.ProductVersion)

	rs := winres.ResourceSet{}
	icoFile, err := os.Open(filepath.Join(*dir, "windows", "icon.ico"))
	if err != nil {
		return err
	}
	defer icoFile.Close()
	ico, err := winres.LoadICO(icoFile)
	if err != nil {
		return fmt.Errorf("icon.ico: %w", err)
	}
	if err := rs.SetIcon(winres.RT_ICON, ico); err != nil {
		return err
	}

	tp := p
	tp.Info.ProductVersion = numeric
	manifest, err := render(filepath.Join(*dir, "windows", "wails.exe.manifest"), tp)
	if err != nil {
		return err
	}
	m, err := winres.AppManifestFromXML(manifest)
	if err != nil {
		return fmt.Errorf("wails.exe.manifest: %w", err)
	}
	rs.SetManifest(m)

	infoJSON, err := render(filepath.Join(*dir, "windows", "info.json"), tp)
	if err != nil {
		return err
	}
	var vi version.Info
	if err := vi.UnmarshalJSON(infoJSON); err != nil {
		return fmt.Errorf("info.json: %w", err)
	}
	vi.SetFileVersion(numeric)
	vi.SetProductVersion(numeric)
	d := *desc
	if d == "" {
		d = p.Info.ProductName
	}
	for key, val := range map[string]string{"ProductVersion": *ver, "FileVersion": *ver, "FileDescription": d, "OriginalFilename": *file, "InternalName": *file} {
		if val == "" {
			continue
		}
		if err := vi.Set(0, key, val); err != nil {
			return err
		}
	}
	rs.SetVersionInfo(vi)
	f, err := os.Create(*out)
	if err != nil {
		return err
	}
	if err := rs.WriteObject(f, winres.ArchAMD64); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// render fills a Wails template file with the project's values.
func render(path string, p project) ([]byte, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	t, err := template.New(filepath.Base(path)).Option("missingkey=error").Parse(string(raw))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, p); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return buf.Bytes(), nil
}

var describeRE = regexp.MustCompile(`^v?(\d+)\.(\d+)\.(\d+)(?:-(\d+)-g[0-9a-f]+)?`)

// NumericVersion turns `git describe` output into the a.b.c.d Windows wants: v1.2.3-4-gabc
// is 1.2.3.4; a bare commit (no tag yet) takes the fallback (the project's productVersion).
func NumericVersion(describe, fallback string) string {
	if m := describeRE.FindStringSubmatch(describe); m != nil {
		build := m[4]
		if build == "" {
			build = "0"
		}
		return m[1] + "." + m[2] + "." + m[3] + "." + build
	}
	parts := regexp.MustCompile(`\d+`).FindAllString(fallback, 3)
	for len(parts) < 3 {
		parts = append(parts, "0")
	}
	return parts[0] + "." + parts[1] + "." + parts[2] + ".0"
}

// show prints an executable's version strings as KEY=VALUE lines, sorted, and its fixed
// file version, so a test can check what Explorer will show.
func show(args []string) error {
	if len(args) != 1 {
		return errors.New("show needs one .exe")
	}
	f, err := os.Open(args[0])
	if err != nil {
		return err
	}
	defer f.Close()
	rs, err := winres.LoadFromEXE(f)
	if err != nil {
		return fmt.Errorf("%s: %w", args[0], err)
	}
	data := rs.Get(winres.RT_VERSION, winres.ID(1), 0)
	if data == nil {
		rs.WalkType(winres.RT_VERSION, func(_ winres.Identifier, _ uint16, d []byte) bool { data = d; return false })
	}
	if data == nil {
		return fmt.Errorf("%s has no version resource", args[0])
	}
	vi, err := version.FromBytes(data)
	if err != nil {
		return err
	}
	fv := vi.FileVersion
	fmt.Printf("FixedFileVersion=%s\n", strconv.Itoa(int(fv[0]))+"."+strconv.Itoa(int(fv[1]))+"."+strconv.Itoa(int(fv[2]))+"."+strconv.Itoa(int(fv[3])))
	table := vi.Table().GetMainTranslation()
	keys := make([]string, 0, len(table))
	for k := range table {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Printf("%s=%s\n", k, table[k])
	}
	icons := 0
	rs.WalkType(winres.RT_GROUP_ICON, func(winres.Identifier, uint16, []byte) bool { icons++; return true })
	fmt.Printf("IconGroups=%d\n", icons)
	manifests := 0
	rs.WalkType(winres.RT_MANIFEST, func(winres.Identifier, uint16, []byte) bool { manifests++; return true })
	fmt.Printf("Manifests=%d\n", manifests)
	return nil
}
