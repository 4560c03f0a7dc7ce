// Package importer reads articles from other systems' files (plain-text
// scraped pages first; WordPress, CSV, HTML, Markdown and JSON lines plug in
// as further formats) and stores them through a byline.ArticleService.
//
// A run is all or nothing: every input is read and checked before the first
// write, and the articles are stored in one transaction, so a bad file never
// leaves a half-imported site.
package importer

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/bylinenews/byline"
)

// Format reads one kind of file into articles.
type Format interface {
	// Name is the format's name on the command line, e.g. "text".
	Name() string
	// Detect reports whether a file with this name, starting with head,
	// looks like this format.
	Detect(name string, head []byte) bool
	// Read parses r, calling emit for each article in order. name is used
	// in error messages. Errors are *ParseError where a place is known.
	Read(name string, r io.Reader, emit func(*byline.Article) error) error
}

// ParseError is a bad input, located for a person to fix it.
type ParseError struct {
	File string
	Line int    // 1-based; 0 if unknown
	Item string // the item's title or number, if known
	Err  error
}

func (e *ParseError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	if e.Item != "" {
		fmt.Fprintf(&b, " (%s)", e.Item)
	}
	b.WriteString(": ")
	b.WriteString(byline.ErrorMessage(e.Err))
	if byline.ErrorKind(e.Err) == byline.Internal {
		b.WriteString(" " + e.Err.Error())
	}
	return b.String()
}

func (e *ParseError) Unwrap() error { return e.Err }

// Formats are the formats the importer knows, in detection order.
func Formats() []Format { return []Format{Text{}} }

// FormatByName returns the format called name, or nil.
func FormatByName(name string) Format {
	for _, f := range Formats() {
		if f.Name() == name {
			return f
		}
	}
	return nil
}

// Options control a run.
type Options struct {
	Format string // "" or "auto" to detect per file
	DryRun bool   // read and check everything, write nothing
}

// Report says what a run did (or, in a dry run, would do).
type Report struct {
	Files   int
	Created []*byline.Article
	Updated []*byline.Article
}

// Importer stores articles read from files.
type Importer struct {
	Articles byline.ArticleService
}

// Run reads every path (a file, a directory walked in name order, or "-" for
// standard input given as stdin) and imports all articles in one transaction.
// On any error nothing is written.
func (im *Importer) Run(ctx context.Context, paths []string, stdin io.Reader, opts Options) (*Report, error) {
	files, err := expand(paths)
	if err != nil {
		return nil, err
	}
	report := &Report{Files: len(files)}
	var articles []*byline.Article
	for _, path := range files {
		err := im.readFile(path, stdin, opts.Format, func(a *byline.Article) error {
			articles = append(articles, a)
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	if opts.DryRun {
		// Report every article as new; a dry run has no transaction to look in.
		report.Created = articles
		return report, nil
	}
	results, err := im.Articles.Import(ctx, articles)
	if err != nil {
		return nil, fmt.Errorf("import: %w", err)
	}
	for _, r := range results {
		if r.Created {
			report.Created = append(report.Created, r.Article)
		} else {
			report.Updated = append(report.Updated, r.Article)
		}
	}
	return report, nil
}

func (im *Importer) readFile(path string, stdin io.Reader, formatName string, emit func(*byline.Article) error) error {
	var (
		r    io.Reader
		name = path
	)
	if path == "-" {
		r, name = stdin, "standard input"
	} else {
		f, err := os.Open(path)
		if err != nil {
			return fmt.Errorf("open %s: %w", path, err)
		}
		defer f.Close()
		r = f
	}
	head := make([]byte, 4096)
	n, err := io.ReadFull(r, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return fmt.Errorf("read %s: %w", name, err)
	}
	head = head[:n]
	format, err := pickFormat(formatName, name, head)
	if err != nil {
		return err
	}
	return format.Read(name, io.MultiReader(bytes.NewReader(head), r), emit)
}

func pickFormat(formatName, name string, head []byte) (Format, error) {
	if formatName != "" && formatName != "auto" {
		if f := FormatByName(formatName); f != nil {
			return f, nil
		}
		return nil, byline.Errorf(byline.Invalid, "Unknown format %q.", formatName)
	}
	for _, f := range Formats() {
		if f.Detect(name, head) {
			return f, nil
		}
	}
	return nil, &ParseError{File: name, Err: byline.Errorf(byline.Invalid, "Cannot tell the format of this file; name it with --format.")}
}

// expand turns the paths into the list of files to read, walking directories
// in a stable order and skipping hidden files in them.
func expand(paths []string) ([]string, error) {
	var files []string
	for _, p := range paths {
		if p == "-" {
			files = append(files, p)
			continue
		}
		info, err := os.Stat(p)
		if err != nil {
			return nil, fmt.Errorf("import: %w", err)
		}
		if !info.IsDir() {
			files = append(files, p)
			continue
		}
		var found []string
		err = filepath.WalkDir(p, func(path string, d os.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if strings.HasPrefix(d.Name(), ".") && path != p {
				if d.IsDir() {
					return filepath.SkipDir
				}
				return nil
			}
			if !d.IsDir() {
				found = append(found, path)
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("import: walk %s: %w", p, err)
		}
		sort.Strings(found)
		files = append(files, found...)
	}
	if len(files) == 0 {
		return nil, byline.Errorf(byline.Invalid, "No files to import.")
	}
	return files, nil
}
