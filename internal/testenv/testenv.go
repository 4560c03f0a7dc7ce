// Package testenv skips the tests that need something a fresh machine may
// lack (a PostgreSQL server, Chromium, axe-core, the shared sample data),
// and says so where a plain `go test ./...` shows it: one line per package
// naming the suites that did not run and the command that runs them.
//
// With BYLINE_REQUIRE_ALL=1 (as in .ci/run) such a skip is a failure
// instead, so that CI cannot pass having tested less than everything.
//
// A package whose tests may skip this way has
//
//	func TestMain(m *testing.M) { testenv.Main(m) }
//
// in a main_test.go file.
package testenv

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

// RequireAllEnv names the variable that turns every skip of a [Suite] into
// a failure.
const RequireAllEnv = "BYLINE_REQUIRE_ALL"

// Suite is a group of tests that needs something outside Go.
type Suite struct {
	// Name says what did not run, e.g. "the PostgreSQL suite".
	Name string
	// Setup is the shell command that, put before `go test PACKAGE`,
	// runs the suite, e.g. "BYLINE_TEST_POSTGRES=postgres://...". It
	// ends with "&&" when it is a step of its own.
	Setup string
}

// The suites a fresh machine may not run.
var (
	Postgres   = Suite{"the PostgreSQL suite", "BYLINE_TEST_POSTGRES=postgres://postgres@127.0.0.1:5432/postgres"}
	Chromium   = Suite{"the browser tests", "sudo apt-get install chromium &&"}
	Axe        = Suite{"the accessibility tests", "(cd e2e && npm ci) &&"}
	Lighthouse = Suite{"the Lighthouse audits", "(cd e2e && npm ci) &&"}
	SharedData = Suite{"the tests on the shared sample data", "BYLINE_SHARED_DATA=/path/to/shared/data"}
)

// Command is the command that runs the suite in the package at pkg, a
// path such as ./postgres.
func (s Suite) Command(pkg string) string {
	return s.Setup + " go test " + pkg
}

// tally is what the tests of this process skipped, for Main to report.
var tally = struct {
	sync.Mutex
	main    bool          // Main is running the tests
	skipped map[Suite]int // tests skipped, by suite
	why     map[Suite]string
	stamp   string // a file whose fresh time keeps go test from caching the result
}{skipped: map[Suite]int{}, why: map[Suite]string{}}

// Skip skips the test, which cannot run for the reason why (a sentence
// fragment, e.g. "BYLINE_TEST_POSTGRES is not set"), saying how to run it;
// Main reports it once more at the end. With BYLINE_REQUIRE_ALL=1 the test
// fails instead.
func Skip(t testing.TB, s Suite, why string) {
	t.Helper()
	if os.Getenv(RequireAllEnv) == "1" {
		t.Fatalf("%s did not run: %s. %s=1 forbids skipping it; run it with: %s", s.Name, why, RequireAllEnv, s.Command("./..."))
	}
	tally.Lock()
	inMain := tally.main
	tally.skipped[s]++
	tally.why[s] = why
	if tally.stamp == "" {
		tally.stamp = stamp()
	}
	tally.Unlock()
	if !inMain {
		t.Fatalf("%s would be skipped (%s), but this package has no TestMain to say so: add func TestMain(m *testing.M) { testenv.Main(m) } to its main_test.go", s.Name, why)
	}
	t.Skipf("%s skipped: %s. Run it with: %s", s.Name, why, s.Command("./..."))
}

// Main runs the tests and exits. If any test was skipped with [Skip], it
// writes one line that names the suites and the command that runs them,
// where `go test` shows it even for a package that passed.
func Main(m *testing.M) {
	tally.Lock()
	tally.main = true
	tally.Unlock()
	code := m.Run()
	tally.Lock()
	line := report(packagePath())
	stamp := tally.stamp
	tally.Unlock()
	if line != "" {
		// go test caches a passing package and then shows only its ok
		// line: a file the run opened that changed a moment ago makes
		// it run the package again next time, and say this again.
		if stamp != "" {
			now := time.Now()
			os.Chtimes(stamp, now, now)
		}
		w := visible()
		fmt.Fprintln(w, line)
		w.Close()
	}
	os.Exit(code)
}

// report is the line for the suites skipped in the package at pkg, or "".
func report(pkg string) string {
	if len(tally.skipped) == 0 {
		return ""
	}
	suites := make([]Suite, 0, len(tally.skipped))
	for s := range tally.skipped {
		suites = append(suites, s)
	}
	sort.Slice(suites, func(i, j int) bool { return suites[i].Name < suites[j].Name })
	var parts []string
	for _, s := range suites {
		n := tally.skipped[s]
		tests := "tests"
		if n == 1 {
			tests = "test"
		}
		parts = append(parts, fmt.Sprintf("%s did not run (%d %s: %s); run it with: %s", s.Name, n, tests, tally.why[s], s.Command(pkg)))
	}
	return "SKIP\t" + pkg + ": " + strings.Join(parts, "; ")
}

// packagePath is the directory of the package under test (where go test
// runs its binary) relative to the module's root, e.g. ./postgres.
func packagePath() string {
	wd, err := os.Getwd()
	if err != nil {
		return "."
	}
	root := moduleRoot(wd)
	if root == "" {
		return wd
	}
	rel, err := filepath.Rel(root, wd)
	if err != nil {
		return wd
	}
	return "./" + filepath.ToSlash(rel)
}

// moduleRoot is the directory at or above dir that holds go.mod, or "".
func moduleRoot(dir string) string {
	for ; ; dir = filepath.Dir(dir) {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		if filepath.Dir(dir) == dir {
			return ""
		}
	}
}

// StampFile is the file, at the module's root, that a run which skipped
// something opens and leaves freshly touched: go test takes it for an
// input of the tests that changed a moment ago, so it does not cache the
// result, and the next run says again what it skipped. It is git-ignored.
const StampFile = ".byline-tests-skipped"

// stamp opens the StampFile, so that go test records it among the
// test's inputs, and returns its name.
func stamp() string {
	wd, err := os.Getwd()
	if err != nil {
		return ""
	}
	root := moduleRoot(wd)
	if root == "" {
		return ""
	}
	name := filepath.Join(root, StampFile)
	if f, err := os.OpenFile(name, os.O_RDONLY|os.O_CREATE, 0o600); err == nil {
		f.Close()
	}
	return name
}

// visible is where a line is seen by whoever ran go test. go test keeps
// all the output of a package that passed from the screen unless -v, so
// the line goes to the go command's own standard output, where its ok
// lines go, if that is a terminal or a pipe (or a file opened to append);
// else to its standard error on the same terms, else to the terminal;
// failing all, to the test's standard error, which -v shows. (A line added
// to a file that go test writes from its own offset would be overwritten.)
func visible() io.WriteCloser {
	if testing.Verbose() {
		return nopCloser{os.Stdout}
	}
	if same(fmt.Sprintf("/proc/%d/fd/1", os.Getppid()), "/proc/self/fd/1") {
		return nopCloser{os.Stdout} // the test binary was run by hand
	}
	for _, fd := range []int{1, 2} {
		parent := fmt.Sprintf("/proc/%d/fd/%d", os.Getppid(), fd)
		if !appendable(parent) {
			continue
		}
		if f, err := os.OpenFile(parent, os.O_WRONLY|os.O_APPEND, 0); err == nil {
			return f
		}
	}
	if f, err := os.OpenFile("/dev/tty", os.O_WRONLY, 0); err == nil {
		return f
	}
	return nopCloser{os.Stderr}
}

// appendable reports whether a line can be added to the open file at path
// (a /proc/PID/fd/N link) without overwriting what its owner writes next:
// a terminal or a pipe, or a regular file opened to append.
func appendable(path string) bool {
	info, err := os.Stat(path)
	if err != nil {
		return false
	}
	if info.Mode()&(os.ModeCharDevice|os.ModeNamedPipe|os.ModeSocket) != 0 {
		return true
	}
	if !info.Mode().IsRegular() {
		return false
	}
	// /proc/PID/fdinfo/N says how the file was opened: flags in octal,
	// O_APPEND being 02000.
	fdinfo, err := os.ReadFile(strings.Replace(path, "/fd/", "/fdinfo/", 1))
	if err != nil {
		return false
	}
	for line := range bytes.Lines(fdinfo) {
		if flags, ok := bytes.CutPrefix(line, []byte("flags:")); ok {
			var f int
			if _, err := fmt.Sscanf(string(bytes.TrimSpace(flags)), "%o", &f); err == nil {
				return f&0o2000 != 0
			}
		}
	}
	return false
}

// same reports whether two paths name the same open file.
func same(a, b string) bool {
	ia, err := os.Stat(a)
	if err != nil {
		return false
	}
	ib, err := os.Stat(b)
	return err == nil && os.SameFile(ia, ib)
}

type nopCloser struct{ io.Writer }

func (nopCloser) Close() error { return nil }
