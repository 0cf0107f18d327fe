// Package cupstest starts the real CUPS that printing tests print on: scripts/start-cups.sh
// installs CUPS and cups-pdf when missing, starts cupsd and makes the queue GDD-PDF, whose
// output is a PDF file per job in the directory the script prints last.
package cupstest

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// Queue is the cups-pdf queue the script sets up.
const Queue = "GDD-PDF"

var (
	once   sync.Once
	outDir string
	err    error
)

// Start runs scripts/start-cups.sh once per test binary and returns where cups-pdf writes
// what Queue prints.
func Start() (string, error) {
	once.Do(func() { outDir, err = start() })
	return outDir, err
}

// OutDir is Start for a test, which fails if CUPS cannot be started.
func OutDir(t testing.TB) string {
	t.Helper()
	dir, err := Start()
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

func start() (string, error) {
	root, err := moduleRoot()
	if err != nil {
		return "", err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(root, "scripts", "start-cups.sh"), "--test-tools")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	began := time.Now()
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("scripts/start-cups.sh: %v\n%s%s", err, stdout.String(), stderr.String())
	}
	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	dir := strings.TrimSpace(lines[len(lines)-1])
	if st, err := os.Stat(dir); err != nil || !st.IsDir() || !filepath.IsAbs(dir) {
		return "", fmt.Errorf("scripts/start-cups.sh printed %q, not an output directory (%v)", dir, err)
	}
	fmt.Fprintf(os.Stderr, "start-cups.sh: %s in %v\n", dir, time.Since(began).Round(time.Millisecond))
	return dir, nil
}

// moduleRoot is the directory of go.mod above the test's working directory (its package).
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.mod above the test's directory")
		}
		dir = parent
	}
}
