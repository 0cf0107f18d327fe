// Package version names the build: the git tag or commit it was made from, set by the
// Makefile with -ldflags "-X giaydiduong/backend/version.Version=$(git describe --tags --always --dirty)".
package version

import "runtime/debug"

// Version is set at link time; empty in a plain `go build` or `go test`.
var Version string

// String is the build's version: the linked one, else the commit Go recorded (a plain
// `go build` in a checkout), else "dev".
func String() string {
	if Version != "" {
		return Version
	}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "dev"
	}
	rev, dirty := "", false
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if rev == "" {
		return "dev"
	}
	if len(rev) > 7 {
		rev = rev[:7]
	}
	if dirty {
		rev += "-dirty"
	}
	return rev
}
