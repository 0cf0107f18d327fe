//go:build !windows

// Package swtpmtest starts a software TPM 2.0 (swtpm) for tests through
// scripts/start-swtpm.sh, which installs swtpm when missing. A test that needs a TPM fails
// (never skips) when it cannot start one.
package swtpmtest

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Start runs a fresh TPM (its own state, so its own storage root key) for the rest of t and
// returns the officekey.Options.TPM value that reaches it ("unix:PATH").
func Start(t testing.TB) string {
	t.Helper()
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("swtpm: cannot locate the source tree")
	}
	script := filepath.Join(filepath.Dir(file), "..", "..", "..", "scripts", "start-swtpm.sh")
	// A short directory: a Unix socket path must fit in 108 bytes, and t.TempDir's may not.
	dir, err := os.MkdirTemp("", "gdd-swtpm-")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute) // apt-get may run the first time
	defer cancel()
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, "bash", script, dir)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("scripts/start-swtpm.sh: %v\n%s", err, stderr.String())
	}
	sock := strings.TrimSpace(stdout.String())
	t.Cleanup(func() {
		if data, err := os.ReadFile(filepath.Join(dir, "swtpm.pid")); err == nil {
			if pid, err := strconv.Atoi(strings.TrimSpace(string(data))); err == nil {
				_ = syscall.Kill(pid, syscall.SIGTERM)
			}
		}
		_ = os.RemoveAll(dir)
	})
	return "unix:" + sock
}
