package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/bylinenews/byline/internal/sitecopy"
	"github.com/bylinenews/byline/postgres"
)

type migrateDBConfig struct {
	from, to string
}

func migrateDBFlags(c *migrateDBConfig) *flag.FlagSet {
	fs := flag.NewFlagSet("migrate-db", flag.ContinueOnError)
	fs.StringVar(&c.from, "from", "", "the site's SQLite database, sqlite:PATH")
	fs.StringVar(&c.to, "to", "", "an empty PostgreSQL database, postgres://user@host/dbname")
	return fs
}

// runMigrateDB copies a whole site from SQLite to PostgreSQL, verified by
// row counts and checksums; on any error PostgreSQL is left as it was.
func runMigrateDB(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	var c migrateDBConfig
	if err := parseFlags(migrateDBFlags(&c), args, stderr); err != nil {
		return err
	}
	path, ok := strings.CutPrefix(c.from, "sqlite:")
	if !ok || path == "" {
		return usageError{"--from must name the SQLite database as sqlite:PATH"}
	}
	if !strings.HasPrefix(c.to, "postgres://") && !strings.HasPrefix(c.to, "postgresql://") {
		return usageError{"--to must be a PostgreSQL URL, postgres://user@host/dbname"}
	}
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("--from: %w", err)
	}
	dst, err := postgres.Open(ctx, c.to)
	if err != nil {
		return fmt.Errorf("--to: %w", err)
	}
	defer dst.Close()
	res, err := sitecopy.Copy(ctx, path, dst.Pool())
	if err != nil {
		return &hintError{err, "Nothing was written to PostgreSQL."}
	}
	fmt.Fprintf(stdout, "copied %s to PostgreSQL, verified:\n", path)
	for _, t := range res.Tables {
		fmt.Fprintf(stdout, "  %-18s %8d rows  checksum %s\n", t.Name, t.Rows, t.Checksum)
	}
	return nil
}
