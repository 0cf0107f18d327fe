//go:build !windows

package scanner

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// Scan runs scanimage in batch mode and returns the pages it finished. A jam, an empty
// feeder or an open cover stops the batch: the pages before it stay in the Stack, and the
// *Error says which sheet to go on from. A partly transferred page is dropped, never
// returned (scanimage removes it; a leftover is removed here).
func Scan(ctx context.Context, opt Options) (Stack, error) {
	tool, err := exec.LookPath("scanimage")
	if err != nil {
		return Stack{}, &Error{Code: "no_device", VI: "Chưa cài SANE (scanimage); cài gói sane-utils", EN: "SANE's scanimage is not installed (Debian package sane-utils)"}
	}
	if opt.DPI == 0 {
		opt.DPI = 200
	}
	if opt.Mode == "" {
		opt.Mode = "Color"
	}
	if opt.StartPage == 0 {
		opt.StartPage = 1
	}
	st := Stack{Dir: opt.Dir}
	if st.Dir == "" {
		if st.Dir, err = os.MkdirTemp("", "gdd-scan-"); err != nil {
			return Stack{}, fmt.Errorf("scan: %w", err)
		}
		st.temp = true
	}
	args := []string{}
	if opt.Device != "" {
		args = append(args, "-d", opt.Device)
	}
	args = append(args, "--format=jpeg", "--resolution", strconv.Itoa(opt.DPI), "--mode", opt.Mode,
		"--batch="+filepath.Join(st.Dir, "page-%04d.jpg"), "--batch-start="+strconv.Itoa(opt.StartPage), "--batch-print")
	if opt.Source != "" {
		args = append(args, "--source", opt.Source)
	}
	args = append(args, opt.Extra...)
	cmd := exec.CommandContext(ctx, tool, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	runErr := cmd.Run()

	// Pages scanimage announced as finished (--batch-print prints each name when done).
	done := map[string]bool{}
	for _, l := range strings.Split(stdout.String(), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			done[filepath.Clean(l)] = true
		}
	}
	files, _ := filepath.Glob(filepath.Join(st.Dir, "page-*.jpg"))
	sort.Strings(files)
	for _, f := range files {
		var n int
		if _, err := fmt.Sscanf(filepath.Base(f), "page-%d.jpg", &n); err != nil || n < opt.StartPage {
			continue // an earlier run's page, kept as it is
		}
		if done[filepath.Clean(f)] {
			st.Pages = append(st.Pages, f)
		} else {
			os.Remove(f) // interrupted mid-transfer
		}
	}
	msg := stderr.String()
	next := opt.StartPage + len(st.Pages)
	switch {
	case ctx.Err() != nil:
		return st, ctx.Err()
	case strings.Contains(msg, "jammed"):
		return st, stopped("jammed", len(st.Pages), next, "")
	case strings.Contains(msg, "cover"):
		return st, stopped("cover_open", len(st.Pages), next, "")
	case strings.Contains(msg, "out of documents") || strings.Contains(msg, "no documents"):
		if len(st.Pages) == 0 {
			return st, stopped("no_documents", 0, next, "")
		}
		return st, nil // the feeder ran empty: the normal end of a stack
	case strings.Contains(msg, "busy"):
		return st, stopped("busy", len(st.Pages), next, "")
	case strings.Contains(msg, "no SANE devices") || strings.Contains(msg, "open of device") && strings.Contains(msg, "failed"):
		return st, stopped("no_device", len(st.Pages), next, "")
	}
	var exit *exec.ExitError
	if runErr != nil && !(errors.As(runErr, &exit) && len(st.Pages) > 0 && !strings.Contains(msg, "sane_read")) {
		return st, stopped("failed", len(st.Pages), next, strings.TrimSpace(lastLine(msg)))
	}
	return st, nil
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		if strings.HasPrefix(lines[i], "scanimage:") {
			return lines[i]
		}
	}
	return lines[len(lines)-1]
}
