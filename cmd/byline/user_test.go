package main

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestUserCommand(t *testing.T) {
	t.Parallel()
	data := filepath.Join(t.TempDir(), "data")
	code, out, errOut := runByline(t, "first password\n", "user", "add", "--data", data,
		"--email", "Ed@Example.com", "--name", "Ed Itor", "--role", "admin")
	if code != 0 || !strings.Contains(out, "Added Ed Itor <ed@example.com>, admin") {
		t.Fatalf("user add: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	code, _, errOut = runByline(t, "other password\n", "user", "add", "--data", data, "--email", "ed@example.com", "--name", "Again")
	if code != 1 || !strings.Contains(errOut, "already has the email address") {
		t.Errorf("adding the same address again: exit %d, stderr %q", code, errOut)
	}
	code, _, errOut = runByline(t, "short\n", "user", "add", "--data", data, "--email", "b@example.com", "--name", "B")
	if code != 1 || !strings.Contains(errOut, "at least 10 characters") {
		t.Errorf("a short password: exit %d, stderr %q", code, errOut)
	}
	code, _, errOut = runByline(t, "x\n", "user", "add", "--data", data, "--email", "c@example.com", "--name", "C", "--role", "root")
	if code != 2 || !strings.Contains(errOut, "Unknown role") {
		t.Errorf("an unknown role: exit %d, stderr %q", code, errOut)
	}
	code, out, errOut = runByline(t, "second password\n", "user", "reset-password", "--data", data, "--email", "ED@example.com")
	if code != 0 || !strings.Contains(out, "Password set for ed@example.com") {
		t.Errorf("reset-password: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	code, out, _ = runByline(t, "", "user", "list", "--data", data)
	if code != 0 || !strings.Contains(out, "ed@example.com") {
		t.Errorf("user list: exit %d, stdout %q", code, out)
	}
	if code, _, _ := runByline(t, "", "user"); code != 2 {
		t.Errorf("user without a command: exit %d, want 2", code)
	}
}
