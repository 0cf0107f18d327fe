package main

import (
	"strings"
	"testing"

	"giaydiduong/backend/app"
)

// TestApplicationAddDuplicate: a second application for a citizen with an open one is refused
// (naming it, and the flag) until --allow-duplicate; a draft is edited; a rejected one copied.
func TestApplicationAddDuplicate(t *testing.T) {
	dir := demoDir(t)
	t.Setenv("GDD_PASSWORD", app.DemoPassword)
	as := func(user string, args ...string) []string {
		return append([]string{"--data", dir, "--user", user}, args...)
	}
	in := appInput()
	in["id_number"] = "082095004444"
	file := writeJSON(t, in)
	var first appJSON
	runOK(t, &first, as("canbo", "application", "add", "--json", file)...)

	msg := runFail(t, as("canbo", "application", "add", "--json", file)...)
	if !strings.Contains(msg, "082095004444") || !strings.Contains(msg, "--allow-duplicate") {
		t.Fatalf("duplicate refusal says %q", msg)
	}
	var list pageJSON
	runOK(t, &list, as("canbo", "application", "list", "--search", "082095004444", "--json")...)
	if list.Total != 1 {
		t.Fatalf("a refused duplicate was saved: %d applications", list.Total)
	}
	var second appJSON
	runOK(t, &second, as("canbo", "application", "add", "--allow-duplicate", "--json", file)...)
	if second.ID == "" || second.ID == first.ID {
		t.Fatalf("--allow-duplicate printed %+v", second)
	}

	// A draft of another citizen, edited and submitted; the first one rejected and copied.
	other := appInput()
	other["id_number"] = "082095005555"
	var draft appJSON
	runOK(t, &draft, as("canbo", "application", "add", "--draft", "--json", writeJSON(t, other))...)
	other["note"] = "Ca chiều"
	var edited appJSON
	runOK(t, &edited, as("canbo", "application", "edit", draft.ID, writeJSON(t, other), "--json")...)
	if edited.ID != draft.ID || edited.Status != "submitted" {
		t.Fatalf("edit printed %+v", edited)
	}
	runOK(t, nil, as("lanhdao", "application", "reject", first.ID, "--reason", "Sai nơi đến")...)
	out := runOK(t, nil, as("canbo", "application", "copy", first.ID)...)
	if !strings.Contains(out, `"id_number": "082095004444"`) {
		t.Fatalf("copy printed %s", out)
	}
}
