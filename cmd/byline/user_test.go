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
	if want := "Sign in at http://127.0.0.1:8080/newsroom/sign-in\n"; !strings.HasSuffix(out, want) {
		t.Errorf("user add: stdout %q, want it to end with %q", out, want)
	}
	code, out, errOut = runByline(t, "", "user", "add", "--data", data, "--email", "d@example.com", "--name", "D")
	if code != 2 || !strings.Contains(errOut, "first line") || !strings.Contains(errOut, "terminal") || !strings.Contains(errOut, "| byline user") {
		t.Errorf("user add with nothing on standard input: exit %d, stdout %q, stderr %q; want 2 and how to give the password", code, out, errOut)
	}
	code, out, errOut = runByline(t, "a password here\n", "user", "add", "--data", data, "--email", "e@example.com", "--name", "E",
		"--base-url", "https://news.example.com/")
	if want := "Sign in at https://news.example.com/newsroom/sign-in\n"; code != 0 || !strings.HasSuffix(out, want) {
		t.Errorf("user add --base-url: exit %d, stdout %q, stderr %q; want it to end with %q", code, out, errOut, want)
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

func TestSignInURL(t *testing.T) {
	tests := []struct{ name, baseURL, addr, want string }{
		{"the base URL wins", "https://news.example.com", "0.0.0.0:80", "https://news.example.com/newsroom/sign-in"},
		{"the default address", "", "127.0.0.1:8080", "http://127.0.0.1:8080/newsroom/sign-in"},
		{"every address is reached on localhost", "", "0.0.0.0:8080", "http://localhost:8080/newsroom/sign-in"},
		{"no host is every address", "", ":9000", "http://localhost:9000/newsroom/sign-in"},
		{"IPv6", "", "[::1]:8080", "http://[::1]:8080/newsroom/sign-in"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := signInURL(tt.baseURL, tt.addr); got != tt.want {
				t.Errorf("signInURL(%q, %q) = %q, want %q", tt.baseURL, tt.addr, got, tt.want)
			}
		})
	}
}
