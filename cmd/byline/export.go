package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/bylinenews/byline/importer"
)

type exportConfig struct {
	Config
	format string
	out    string
}

func exportFlags(c *exportConfig) *flag.FlagSet {
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	c.storageFlags(fs)
	fs.StringVar(&c.format, "format", "jsonl", "output format: "+strings.Join(importer.ExportFormats, " or "))
	fs.StringVar(&c.out, "out", "", "file to write (default: standard output); written whole or not at all")
	fs.StringVar(&c.BaseURL, "base-url", envOr("base-url", "http://127.0.0.1:8080"), "public URL of the site, for the links in a WXR file")
	fs.StringVar(&c.SiteTitle, "site-title", envOr("site-title", "Byline"), "the site's name, for a WXR file")
	return fs
}

// runExport writes every article, visible or not, in a format that
// `byline import` (and, for wxr, WordPress) reads back.
func runExport(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	var c exportConfig
	fs := exportFlags(&c)
	if err := parseFlags(fs, args, stderr); err != nil {
		return err
	}
	if err := c.validate(); err != nil {
		return err
	}
	if !slices.Contains(importer.ExportFormats, c.format) {
		return usageError{fmt.Sprintf("--format must be %s, not %q", strings.Join(importer.ExportFormats, " or "), c.format)}
	}
	if fs.NArg() > 0 {
		return usageError{"export takes no arguments; name the file with --out"}
	}
	db, err := c.openBackend(ctx, c.logger(stderr))
	if err != nil {
		return err
	}
	defer db.Close()

	// A file is written beside its final name and renamed when complete,
	// so a failed export never leaves half a file under that name.
	var (
		w   io.Writer = stdout
		tmp *os.File
	)
	if c.out != "" {
		tmp, err = os.CreateTemp(filepath.Dir(c.out), "."+filepath.Base(c.out)+".*")
		if err != nil {
			return fmt.Errorf("export: %w", err)
		}
		defer os.Remove(tmp.Name())
		defer tmp.Close()
		w = tmp
	}
	ew, err := importer.NewWriter(c.format, w, importer.Site{Title: c.SiteTitle, BaseURL: c.BaseURL})
	if err != nil {
		return err
	}
	n, err := importer.ExportSite(ctx, importer.Source{Articles: db.Articles, Sections: db.Sections, Pages: db.Pages, Authors: db.Authors}, ew)
	if cerr := ew.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	if tmp != nil {
		if err := tmp.Sync(); err != nil {
			return fmt.Errorf("export: %w", err)
		}
		if err := tmp.Close(); err != nil {
			return fmt.Errorf("export: %w", err)
		}
		if err := os.Rename(tmp.Name(), c.out); err != nil {
			return fmt.Errorf("export: %w", err)
		}
		fmt.Fprintf(stderr, "exported %d article(s) to %s\n", n, c.out)
	}
	return nil
}
