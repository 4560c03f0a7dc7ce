package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/bylinenews/byline"
	"github.com/bylinenews/byline/importer"
	"github.com/bylinenews/byline/media"
)

type importConfig struct {
	Config
	format  string
	dryRun  bool
	skipBad bool
	// allowDuplicates creates the same story from another source again
	// instead of updating the article already on the site.
	allowDuplicates bool
	// fetchMedia copies the images articles link to on other hosts into
	// the media library; fetchPrivate lets it reach private addresses.
	fetchMedia   bool
	fetchPrivate bool
	fetchTimeout time.Duration
}

func importFlags(c *importConfig) *flag.FlagSet {
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	c.storageFlags(fs)
	fs.StringVar(&c.format, "format", "auto", "input format: auto (detect each file), "+strings.Join(importer.FormatNames(), ", "))
	fs.BoolVar(&c.dryRun, "dry-run", false, "read and check everything, report what would happen, write nothing")
	fs.BoolVar(&c.skipBad, "skip-bad", false, "import the good articles and list the bad ones, instead of importing nothing")
	fs.BoolVar(&c.allowDuplicates, "allow-duplicates", false,
		"create an article even when the site has the same story from another source (the same headline on the same day), instead of updating that one")
	fs.BoolVar(&c.fetchMedia, "fetch-media", envOr("fetch-media", "true") == "true",
		"copy the images that articles link to on other hosts into the media library and link to the copies (false: leave the links)")
	fs.BoolVar(&c.fetchPrivate, "fetch-private", envOr("fetch-private", "false") == "true",
		"let --fetch-media reach loopback, private and link-local addresses (an old site on this network)")
	fs.DurationVar(&c.fetchTimeout, "fetch-timeout", 30*time.Second, "the longest one image may take to copy")
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
	db, err := c.openBackend(ctx, c.logger(stderr))
	if err != nil {
		return err
	}
	defer db.Close()
	im := &importer.Importer{Articles: db.Articles, Sections: db.Sections, Uploads: db.Uploads, Pages: db.Pages, Authors: db.Authors}
	opts := importer.Options{Format: c.format, DryRun: c.dryRun, SkipBad: c.skipBad, AllowDuplicates: c.allowDuplicates}
	// The same story is looked for on the day the site shows.
	if st, err := db.Settings.Settings(ctx); err != nil {
		return err
	} else if opts.Zone, err = byline.LoadZone(st.TimeZone); err != nil {
		return fmt.Errorf("the site's time zone: %w", err)
	}
	if c.fetchMedia {
		// The same folder serve publishes at /files/uploads/.
		opts.Media = &media.Fetcher{Dir: filepath.Join(c.DataDir, "public", "uploads"), AllowPrivate: c.fetchPrivate,
			Timeout: c.fetchTimeout, UserAgent: "Byline-import (+https://github.com/bylinenews/byline)"}
	}
	if isTerminal(stderr) {
		opts.Progress = &progressBar{w: stderr}
	}
	start := time.Now()
	report, err := im.Run(ctx, fs.Args(), stdin, opts)
	if err != nil {
		var bad *importer.BadInputError
		if errors.As(err, &bad) {
			return &hintError{err, "Nothing was imported. Fix the input, or run again with --skip-bad to import the good articles."}
		}
		return &hintError{err, "Nothing was imported."}
	}
	if db.TidySearch != nil && !c.dryRun {
		// An import leaves the search index in many pieces; one is faster.
		if _, err := db.TidySearch(ctx, 1); err != nil {
			fmt.Fprintf(stderr, "byline import: the articles are imported, but tidying the search index failed (serve retries it hourly): %v\n", err)
		}
	}
	printReport(stdout, report, c.dryRun, time.Since(start))
	return nil
}

// printReport writes the summary of an import: counts, the first articles,
// what was skipped and why, remarks, and each bad item.
func printReport(w io.Writer, r *importer.Report, dryRun bool, took time.Duration) {
	verb := "imported"
	if dryRun {
		verb = "would import (dry run, nothing written)"
	}
	passed := 0
	for _, s := range r.Skipped {
		passed += s.N
	}
	fmt.Fprintf(w, "%s %d file(s): %d created, %d updated, %d skipped (%d bad, %d passed over)",
		verb, r.Files, r.Created, r.Updated, len(r.Bad)+passed, len(r.Bad), passed)
	if !dryRun {
		fmt.Fprintf(w, " in %.1fs", took.Seconds())
	}
	fmt.Fprintln(w)
	if line := matchedLine(r.Matched, dryRun); line != "" {
		fmt.Fprintln(w, line)
	}
	for _, o := range r.Listed {
		what := "updated"
		if o.Created {
			what = "created"
		}
		fmt.Fprintf(w, "  %s  %s  %s\n", what, o.URL, o.Headline)
	}
	if more := r.Created + r.Updated - len(r.Listed); more > 0 {
		fmt.Fprintf(w, "  ... and %d more\n", more)
	}
	if r.Sections > 0 || r.Pages > 0 {
		fmt.Fprintf(w, "site: %d sections, %d pages\n", r.Sections, r.Pages)
	}
	if len(r.Skipped) > 0 {
		fmt.Fprintln(w, "passed over:")
		for _, s := range r.Skipped {
			fmt.Fprintf(w, "  %6d  %s\n", s.N, s.What)
		}
	}
	if len(r.Notes) > 0 {
		fmt.Fprintln(w, "notes:")
		for _, n := range r.Notes {
			fmt.Fprintf(w, "  %6d  %s\n", n.N, n.What)
		}
	}
	if m := r.Media; m.Found > 0 {
		if dryRun {
			fmt.Fprintf(w, "images on other hosts: %d, to copy into the media library\n", m.Found)
		} else {
			fmt.Fprintf(w, "images on other hosts: %d copied into the media library, %d not (links left as they were)\n", m.Copied, m.Found-m.Copied)
		}
		for i, f := range m.Failed {
			if i == maxMediaFailuresShown {
				fmt.Fprintf(w, "  ... and %d more\n", len(m.Failed)-i)
				break
			}
			fmt.Fprintf(w, "  not copied: %s\n", f)
		}
	}
	if len(r.Bad) > 0 {
		fmt.Fprintf(w, "skipped, bad (%d):\n", len(r.Bad))
		for _, b := range r.Bad {
			fmt.Fprintf(w, "  %s\n", b)
		}
	}
}

// matchedLine says how the updated articles were found, "" for none.
func matchedLine(m importer.Matched, dryRun bool) string {
	var parts []string
	for _, c := range []struct {
		n    int
		what string
	}{
		{m.ImportKey, "by import key"},
		{m.SourceURL, "by source URL"},
		{m.Slug, "by slug (made in the newsroom)"},
		{m.SameStory, "by headline and date (the same story from another source)"},
	} {
		if c.n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", c.n, c.what))
		}
	}
	if len(parts) == 0 {
		return ""
	}
	verb := "matched"
	if dryRun {
		verb = "would match"
	}
	return fmt.Sprintf("%s existing articles: %s", verb, strings.Join(parts, ", "))
}

// maxMediaFailuresShown bounds the list of images not copied in a summary.
const maxMediaFailuresShown = 100

// isTerminal reports whether w is a terminal, where a progress bar belongs.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// progressBar shows an import's progress on a terminal: bytes read while
// checking, then articles with their rate and the time left.
type progressBar struct {
	w   io.Writer
	bar *progressbar.ProgressBar
}

func (p *progressBar) Start(stage string, total int64) {
	opts := []progressbar.Option{
		progressbar.OptionSetWriter(p.w),
		progressbar.OptionSetDescription(stage),
		progressbar.OptionSetWidth(30),
		progressbar.OptionThrottle(100 * time.Millisecond),
		progressbar.OptionShowCount(),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionClearOnFinish(),
	}
	if stage == "checking" {
		opts = append(opts, progressbar.OptionShowBytes(true))
	} else if stage == "copying images" {
		opts = append(opts, progressbar.OptionShowIts(), progressbar.OptionSetItsString("images"))
	} else {
		opts = append(opts, progressbar.OptionShowIts(), progressbar.OptionSetItsString("articles"))
	}
	p.bar = progressbar.NewOptions64(total, opts...)
}

func (p *progressBar) Add(n int64) { p.bar.Add64(n) }

func (p *progressBar) Done() { p.bar.Finish() }
