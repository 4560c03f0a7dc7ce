package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/bylinenews/byline/importer"
	"github.com/bylinenews/byline/sqlite"
)

type importConfig struct {
	Config
	format string
	dryRun bool
}

func importFlags(c *importConfig) *flag.FlagSet {
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	c.storageFlags(fs)
	names := []string{"auto"}
	for _, f := range importer.Formats() {
		names = append(names, f.Name())
	}
	fs.StringVar(&c.format, "format", "auto", "input format: "+strings.Join(names, ", "))
	fs.BoolVar(&c.dryRun, "dry-run", false, "read and check everything, report what would happen, write nothing")
	return fs
}

// runImport imports articles from files, all or nothing.
func runImport(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	var c importConfig
	fs := importFlags(&c)
	if err := parseFlags(fs, args, stderr); err != nil {
		return err
	}
	if err := c.validate(); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return usageError{"name at least one file or folder to import (or - for standard input)"}
	}
	db, err := c.openDB(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	im := &importer.Importer{Articles: sqlite.NewArticleService(db)}
	report, err := im.Run(ctx, fs.Args(), stdin, importer.Options{Format: c.format, DryRun: c.dryRun})
	if err != nil {
		return fmt.Errorf("%w\nNothing was imported.", err)
	}
	verb := "imported"
	if c.dryRun {
		verb = "would import (dry run, nothing written)"
	}
	fmt.Fprintf(stdout, "%s %d file(s): %d created, %d updated\n", verb, report.Files, len(report.Created), len(report.Updated))
	for _, a := range report.Created {
		fmt.Fprintf(stdout, "  created  %s  %s\n", a.URL(), a.Headline)
	}
	for _, a := range report.Updated {
		fmt.Fprintf(stdout, "  updated  %s  %s\n", a.URL(), a.Headline)
	}
	return nil
}
