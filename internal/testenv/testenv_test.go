package testenv

import (
	"bufio"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// goTest runs `go test` on a package of testdata as a person would, with
// or without BYLINE_REQUIRE_ALL=1, and returns what it printed.
func goTest(t *testing.T, requireAll bool, args ...string) (string, error) {
	t.Helper()
	goCmd, err := exec.LookPath("go")
	if err != nil {
		goCmd = filepath.Join(os.Getenv("GOROOT"), "bin", "go")
	}
	cmd := exec.CommandContext(t.Context(), goCmd, append([]string{"test"}, args...)...)
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, RequireAllEnv+"=") && !strings.HasPrefix(kv, "GOFLAGS=") {
			env = append(env, kv)
		}
	}
	if requireAll {
		env = append(env, RequireAllEnv+"=1")
	}
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// A plain go test, which shows nothing of a package that passed but its
// ok line, says in one line which suites did not run and how to run them;
// again on the next run, which go test would otherwise answer from its
// cache; and with BYLINE_REQUIRE_ALL=1 the skips are failures.
func TestMain_SaysWhatDidNotRun(t *testing.T) {
	t.Parallel()
	want := "SKIP\t./internal/testenv/testdata/skipper: " +
		"the PostgreSQL suite did not run (2 tests: BYLINE_TEST_POSTGRES is not set); run it with: BYLINE_TEST_POSTGRES=postgres://postgres@127.0.0.1:5432/postgres go test ./internal/testenv/testdata/skipper; " +
		"the accessibility tests did not run (1 test: axe-core is not installed); run it with: (cd e2e && npm ci) && go test ./internal/testenv/testdata/skipper"
	for _, run := range []string{"first run", "second run"} {
		out, err := goTest(t, false, "./testdata/skipper")
		if err != nil {
			t.Fatalf("%s: go test: %v\n%s", run, err, out)
		}
		var skips []string
		for line := range strings.Lines(out) {
			if strings.HasPrefix(line, "SKIP") {
				skips = append(skips, strings.TrimSuffix(line, "\n"))
			}
		}
		if len(skips) != 1 || skips[0] != want {
			t.Errorf("%s: go test printed\n%s\nwant the one line\n%s", run, out, want)
		}
		if strings.Contains(out, "(cached)") {
			t.Errorf("%s: go test answered from its cache, saying nothing of the skips:\n%s", run, out)
		}
	}
	out, err := goTest(t, true, "./testdata/skipper")
	if err == nil || !strings.Contains(out, "--- FAIL: TestNeedsPostgres") || !strings.Contains(out, "BYLINE_REQUIRE_ALL=1 forbids skipping it") {
		t.Errorf("with BYLINE_REQUIRE_ALL=1: go test = %v\n%s\nwant a failure for each skip", err, out)
	}
}

// A package that skips without the TestMain that reports it fails, so
// that its skips cannot go unsaid.
func TestSkip_WithoutMain(t *testing.T) {
	t.Parallel()
	out, err := goTest(t, false, "./testdata/nomain")
	if err == nil || !strings.Contains(out, "this package has no TestMain to say so") {
		t.Errorf("go test = %v\n%s\nwant a failure asking for a TestMain", err, out)
	}
}

// Every package whose tests may skip a suite (through dbtest, shareddata,
// e2e or Skip itself) has the TestMain that says so.
func TestEveryPackageThatSkipsHasMain(t *testing.T) {
	wd, _ := os.Getwd()
	root := moduleRoot(wd)
	mod := modulePath(t, root)
	// The functions that may skip, by package; nil: all of them.
	skipping := map[string]map[string]bool{
		mod + "/internal/dbtest":     {"PostgresURL": true, "OpenPostgres": true},
		mod + "/internal/shareddata": {"Path": true},
		mod + "/internal/testenv":    {"Skip": true},
		mod + "/e2e":                 nil,
	}
	checked := 0
	err := filepath.WalkDir(root, func(dir string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			return nil
		}
		if name := d.Name(); dir != root && (strings.HasPrefix(name, ".") || name == "testdata" || name == "node_modules") {
			return filepath.SkipDir
		}
		if dir == wd {
			return nil // this package's own tests call Skip, unqualified
		}
		files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
		var testsSkip, codeSkips, hasTests, hasMain bool
		for _, path := range files {
			f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.SkipObjectResolution)
			if err != nil {
				t.Fatal(err)
			}
			isTest := strings.HasSuffix(path, "_test.go")
			hasTests = hasTests || isTest
			imported := map[string]map[string]bool{} // local name → functions that skip
			testenvName := ""
			for _, imp := range f.Imports {
				p := strings.Trim(imp.Path.Value, `"`)
				names, ok := skipping[p]
				if !ok {
					continue
				}
				local := p[strings.LastIndex(p, "/")+1:]
				if imp.Name != nil {
					local = imp.Name.Name
				}
				imported[local] = names
				if p == mod+"/internal/testenv" {
					testenvName = local
				}
			}
			ast.Inspect(f, func(n ast.Node) bool {
				switch n := n.(type) {
				case *ast.SelectorExpr:
					if x, ok := n.X.(*ast.Ident); ok {
						if names, ok := imported[x.Name]; ok && (names == nil || names[n.Sel.Name]) {
							if isTest {
								testsSkip = true
							} else {
								codeSkips = true
							}
						}
					}
				case *ast.FuncDecl:
					if isTest && n.Name.Name == "TestMain" && calls(n, testenvName, "Main") {
						hasMain = true
					}
				}
				return true
			})
		}
		if testsSkip || codeSkips && hasTests {
			checked++
			if !hasMain {
				rel, _ := filepath.Rel(root, dir)
				t.Errorf("./%s: its tests may skip a suite, but it has no func TestMain(m *testing.M) { testenv.Main(m) } to say so", rel)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 6 {
		t.Errorf("found %d packages whose tests may skip, want at least 6 (postgres, sqlite, importer, cmd/byline, e2e, internal/sitecopy)", checked)
	}
}

// modulePath reads the module's path from go.mod in root.
func modulePath(t *testing.T, root string) string {
	t.Helper()
	f, err := os.Open(filepath.Join(root, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if p, ok := strings.CutPrefix(sc.Text(), "module "); ok {
			return strings.TrimSpace(p)
		}
	}
	t.Fatal("go.mod names no module")
	return ""
}

// calls reports whether fn calls pkg.name.
func calls(fn *ast.FuncDecl, pkg, name string) bool {
	found := false
	ast.Inspect(fn, func(n ast.Node) bool {
		if sel, ok := n.(*ast.SelectorExpr); ok {
			if x, ok := sel.X.(*ast.Ident); ok && pkg != "" && x.Name == pkg && sel.Sel.Name == name {
				found = true
			}
		}
		return !found
	})
	return found
}
