package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// openPTY returns the two ends of a new pseudo-terminal: the program's end
// (a terminal to it) and the end a person would type into.
func openPTY(t *testing.T) (program, person *os.File) {
	t.Helper()
	person, err := os.OpenFile("/dev/ptmx", os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminal on this machine (%v): the password prompt is not tested", err)
	}
	t.Cleanup(func() { person.Close() })
	if err := unix.IoctlSetPointerInt(int(person.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		t.Fatal(err)
	}
	n, err := unix.IoctlGetUint32(int(person.Fd()), unix.TIOCGPTN)
	if err != nil {
		t.Fatal(err)
	}
	program, err = os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { program.Close() })
	return program, person
}

// On a terminal, user add asks for the password twice, without echo, and
// then says where to sign in.
func TestUserCommand_Terminal(t *testing.T) {
	t.Parallel()
	tty, keyboard := openPTY(t)
	// Whatever the terminal echoes is read away, so that it never fills.
	go io.Copy(io.Discard, keyboard)
	prompts, stderr, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer prompts.Close()
	var out bytes.Buffer
	done := make(chan int, 1)
	go func() {
		defer stderr.Close()
		done <- run(t.Context(), []string{"user", "add", "--data", filepath.Join(t.TempDir(), "data"),
			"--email", "ann@example.com", "--name", "Ann", "--role", "admin"}, tty, &out, stderr)
	}()
	seen := bufio.NewReader(prompts)
	for _, prompt := range []string{"Password for ann@example.com (at least 10 characters): ", "Again: "} {
		got, err := readUntil(seen, prompt, 10*time.Second)
		if err != nil {
			t.Fatalf("waiting for the prompt %q: %v (seen %q)", prompt, err, got)
		}
		io.WriteString(keyboard, "a long password\r")
	}
	select {
	case code := <-done:
		if want := "Sign in at http://127.0.0.1:8080/newsroom/sign-in\n"; code != 0 || !strings.HasSuffix(out.String(), want) {
			rest, _ := io.ReadAll(seen)
			t.Errorf("user add on a terminal: exit %d, stdout %q, stderr %q; want 0 and %q", code, out.String(), rest, want)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("user add on a terminal did not finish")
	}
}

// readUntil reads r until what it read ends with want.
func readUntil(r *bufio.Reader, want string, timeout time.Duration) (string, error) {
	type result struct {
		s   string
		err error
	}
	c := make(chan result, 1)
	go func() {
		var b strings.Builder
		for !strings.HasSuffix(b.String(), want) {
			ch, err := r.ReadByte()
			if err != nil {
				c <- result{b.String(), err}
				return
			}
			b.WriteByte(ch)
		}
		c <- result{b.String(), nil}
	}()
	select {
	case res := <-c:
		return res.s, res.err
	case <-time.After(timeout):
		return "", fmt.Errorf("nothing after %v", timeout)
	}
}
