// Command byline runs a Byline news site and manages its content.
//
//	byline serve            run the site
//	byline import FILE...   import articles
//	byline export           export every article
//	byline help [COMMAND]   explain commands, flags and environment variables
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	// The IANA time zones inside the binary (about 450 kB), so that a
	// site's zone loads on a machine without a zone database.
	_ "time/tzdata"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// usageError is a mistake in the command line: exit code 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// hintError is an error followed, on a line of its own, by a sentence that
// tells the operator what to do about it.
type hintError struct {
	err  error
	hint string
}

func (e *hintError) Error() string { return e.err.Error() + "\n" + e.hint }
func (e *hintError) Unwrap() error { return e.err }

// run is the whole program, so tests can run it; it returns the exit code.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	cmd, ok := commands()[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "byline: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
	err := cmd.run(ctx, args[1:], stdin, stdout, stderr)
	var ue usageError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "byline %s: %v\n", args[0], err)
		return 2
	default:
		fmt.Fprintf(stderr, "byline %s: %v\n", args[0], err)
		return 1
	}
}

type command struct {
	summary string
	run     func(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error
}

// commands lists the subcommands.
func commands() map[string]command {
	return map[string]command{
		"serve":      {"run the site", runServe},
		"import":     {"import articles from files", runImport},
		"export":     {"write every article to a file that import (or WordPress) reads back", runExport},
		"messages":   {"read the messages readers sent through Contact Us", runMessages},
		"user":       {"add newsroom users and reset their passwords", runUser},
		"migrate-db": {"copy a whole site from SQLite to PostgreSQL, verified", runMigrateDB},
		"help":       {"explain a command, its flags and environment variables", runHelp},
	}
}

const usage = `Byline runs a news site from one binary.

Usage:
  byline serve [flags]              run the site (http://127.0.0.1:8080 by default)
  byline serve --demo               run a sample site, to look around
  byline import [flags] PATH...     import articles (a file, a folder, or - for stdin)
  byline export [flags]             export every article (--format jsonl or wxr, --out FILE)
  byline messages list|show|export  read readers' messages (Contact Us)
  byline user add|reset-password|list  manage newsroom users (the first: --role admin)
  byline help [COMMAND]             explain a command, its flags and environment variables

Every flag can also be set with an environment variable (BYLINE_ADDR for --addr, ...);
a flag on the command line wins over the environment.
`
