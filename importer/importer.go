// Package importer reads articles from other systems' files and stores them
// through a byline.ArticleService, and writes a site's articles back out.
//
// Formats: WordPress export files (WXR), CSV, plain-text and HTML pages
// saved from a news site, Markdown with front matter (Hugo, Jekyll), and
// JSON lines in Byline's own schema, the one `byline export` writes.
//
// A run is all or nothing. A first pass reads and checks every input without
// touching the database, so a bad item is found before the first write; a
// second pass reads the inputs again and streams the articles into one
// transaction, so memory stays flat however large the site, and a failure
// half-way leaves the database as it was. With SkipBad the bad items are
// left out and listed instead.
package importer

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/bylinenews/byline"
)

// Format reads one kind of file into articles.
//
// A Format may remember what it learned from one Read for a later Read of
// the same file (WordPress attachments listed after the posts that use
// them): use one set of formats, from [Formats], for one run.
type Format interface {
	// Name is the format's name on the command line, e.g. "text".
	Name() string
	// Detect reports whether a file with this name, starting with head,
	// looks like this format.
	Detect(name string, head []byte) bool
	// ReadItems parses r, calling emit for each item in order; name is used in
	// messages. An item may be bad (Item.Err) while the rest of the file is
	// good; an error returned means the rest of the file cannot be read,
	// and is a *ParseError where the place is known. r is an io.ReadSeeker
	// when the input is a file.
	ReadItems(name string, r io.Reader, emit func(*Item) error) error
}

// Item is one thing a Format read: an article to import, something passed
// over on purpose, or an article that cannot be imported.
type Item struct {
	// Record is the article, nil when Skip or Err is set.
	Record *byline.ArticleRecord
	// Line is where the item starts in its file, 1-based; 0 if unknown.
	Line int
	// Label names the item for a person: its title, or "item 7".
	Label string
	// Skip says why this is not an article, e.g. "comment", "menu item".
	Skip string
	// Section, when set, is not an article but one of the site's sections
	// (a WordPress category, with its parent), imported after the
	// articles.
	Section *byline.Section
	// Page, when set, is not an article but a static page, imported after
	// the articles and sections.
	Page *PageItem
	// Author, when set, is not an article but an author's name and
	// profile (a WordPress wp:author), imported after the articles so
	// that its name is the one the byline shows.
	Author *byline.Author
	// Notes are remarks counted in the report, e.g. "shortcode [gallery]
	// left as text".
	Notes []string
	// Err is why the article cannot be imported.
	Err error
}

// PageItem is a static page a Format read. Its parent may be named by the
// page's Record.Page.ParentSlug, or, where the source names parents by its
// own IDs (WordPress), by ParentRef, another PageItem's Ref in the same
// run: a page under a page under a page goes under the top one, since
// pages nest one level deep.
type PageItem struct {
	Record    *byline.PageRecord
	Ref       string
	ParentRef string
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

// BadInputError is the error of a run that found bad items and was not told
// to skip them. Nothing was written.
type BadInputError struct {
	Bad []*ParseError
}

// maxErrorsShown bounds the list in BadInputError's message.
const maxErrorsShown = 50

func (e *BadInputError) Error() string {
	var b strings.Builder
	if len(e.Bad) == 1 {
		return e.Bad[0].Error()
	}
	fmt.Fprintf(&b, "%d bad items:", len(e.Bad))
	for i, pe := range e.Bad {
		if i == maxErrorsShown {
			fmt.Fprintf(&b, "\n  ... and %d more", len(e.Bad)-i)
			break
		}
		b.WriteString("\n  " + pe.Error())
	}
	return b.String()
}

// Formats returns a fresh set of the formats the importer knows, in
// detection order.
func Formats() []Format {
	return []Format{JSONL{}, &WXR{}, CSV{}, Markdown{}, HTML{}, Text{}}
}

// FormatNames lists the formats' names, for help.
func FormatNames() []string {
	var names []string
	for _, f := range Formats() {
		names = append(names, f.Name())
	}
	return names
}

func formatByName(formats []Format, name string) Format {
	for _, f := range formats {
		if f.Name() == name {
			return f
		}
	}
	return nil
}

// Options control a run.
type Options struct {
	Format  string // "" or "auto" to detect per file
	DryRun  bool   // read and check everything, look up what would happen, write nothing
	SkipBad bool   // import the good items, list the bad ones, instead of importing nothing
	// Progress, if set, is told how the run advances.
	Progress Progress
	// Media, if set, copies the images the articles link to on other
	// hosts into the media library, and the links are rewritten to the
	// copies; nil leaves every link as it is.
	Media MediaFetcher
	// AllowDuplicates creates an article for a story the site has from
	// another source, instead of updating it (byline.ImportOptions).
	AllowDuplicates bool
	// Zone is the site's time zone, whose days the same story is looked
	// for in; nil is UTC.
	Zone *time.Location
}

// Progress is told how a run advances, for a progress bar. Its methods are
// called from one goroutine at a time.
type Progress interface {
	// Start begins a stage: "checking" counts bytes read, "importing"
	// counts articles stored; total is what there is to do.
	Start(stage string, total int64)
	// Add records n more done.
	Add(n int64)
	// Done ends the stage.
	Done()
}

// MaxListed is how many created or updated articles a Report lists by name.
const MaxListed = 20

// Report says what a run did (or, in a dry run, would do).
type Report struct {
	Files   int
	Created int
	Updated int
	// Matched says how the updated articles were found.
	Matched Matched
	// Listed are the first MaxListed articles created or updated.
	Listed []Outcome
	// Skipped counts what was passed over on purpose, by reason.
	Skipped []Count
	// Notes counts remarks about what was imported, e.g. shortcodes left
	// as text.
	Notes []Count
	// Bad are the items left out, with SkipBad, in input order.
	Bad []*ParseError
	// Sections and Pages are how many sections and pages were created or
	// updated.
	Sections int
	Pages    int
	// Authors is how many authors' names and profiles were stored.
	Authors int
	// Media says what became of the images on other hosts.
	Media MediaReport
}

// Matched counts the articles updated, by what found them: Updated is
// their sum.
type Matched struct {
	ImportKey int // a re-import of the same source
	SourceURL int
	Slug      int // an article made in the newsroom
	// SameStory were the same story from another source: the same
	// headline on the same day (byline.MatchSameStory).
	SameStory int
}

// Outcome is one article a run created or updated.
type Outcome struct {
	Created  bool
	URL      string
	Headline string
}

// Count is a number of things of one kind.
type Count struct {
	What string
	N    int
}

// Importer stores articles read from files, and the site's structure
// that comes with them: sections and pages (into Sections and Pages;
// without them, those are passed over).
type Importer struct {
	Articles byline.ArticleService
	Sections byline.SectionService
	Pages    byline.PageService
	// Authors stores the authors' names and profiles the files carry;
	// nil passes them over (the articles still credit them by name).
	Authors byline.AuthorService
	// Uploads records the images copied in (Options.Media), once the
	// articles are stored; nil records none.
	Uploads byline.UploadService
}

// input is one file of a run.
type input struct {
	path string // "-" for standard input
	name string // for messages
	size int64
	// explicit is true for a file named on the command line, false for
	// one found in a folder: a file in a folder that no format claims is
	// skipped, a named one is an error.
	explicit bool
}

// Run reads every path (a file, a folder walked in name order, or "-" for
// stdin) and imports the articles in one transaction. Bad items make it
// return a *BadInputError and write nothing, unless opts.SkipBad.
func (im *Importer) Run(ctx context.Context, paths []string, stdin io.Reader, opts Options) (*Report, error) {
	files, err := expand(paths)
	if err != nil {
		return nil, err
	}
	for i, f := range files {
		if f.path != "-" {
			continue
		}
		// Standard input is read twice, like a file: keep a copy.
		spool, size, err := spoolStdin(stdin)
		if err != nil {
			return nil, err
		}
		defer os.Remove(spool)
		files[i].path, files[i].size = spool, size
	}
	formats := Formats()
	if opts.Format != "" && opts.Format != "auto" && formatByName(formats, opts.Format) == nil {
		return nil, byline.Errorf(byline.Invalid, "Unknown format %q: use one of %s.", opts.Format, strings.Join(FormatNames(), ", "))
	}
	r := &run{files: files, formats: formats, opts: opts, report: &Report{Files: len(files)},
		skipped: map[string]int{}, notes: map[string]int{}, bad: map[int]bool{}}
	if err := r.check(ctx); err != nil {
		return nil, err
	}
	if len(r.report.Bad) > 0 && !opts.SkipBad {
		return nil, &BadInputError{Bad: r.report.Bad}
	}
	if r.good > 0 {
		// Images are fetched before the articles' transaction, which must
		// not wait on other hosts.
		uploads, err := r.copyMediaIfAsked(ctx)
		if err != nil {
			return nil, err
		}
		if err := r.store(ctx, im.Articles); err != nil {
			return nil, err
		}
		if im.Uploads != nil {
			for _, up := range uploads {
				if err := im.Uploads.CreateUpload(ctx, up); err != nil {
					return nil, fmt.Errorf("the articles are imported, but recording their images in the media library failed: %w", err)
				}
			}
		}
	}
	if err := r.storeStructure(ctx, im); err != nil {
		return nil, err
	}
	r.report.Skipped, r.report.Notes = counts(r.skipped), counts(r.notes)
	return r.report, nil
}

// run is the state of one Run.
type run struct {
	files   []input
	formats []Format
	opts    Options
	report  *Report

	local   map[string]string // image on another host → its copy
	good    int               // articles that passed the check
	skipped map[string]int    // reason → count
	notes   map[string]int
	bad     map[int]bool // sequence numbers of the items left out
	// fatal maps a file to the error that stopped its reading in the
	// check, so the second pass expects it rather than failing on it.
	fatal map[string]bool

	// sections are the site's sections the files declare, by slug, in
	// the order first seen; the last declaration of a slug wins.
	sections     []*byline.Section
	sectionIndex map[string]int
	pages        []*PageItem
	// authors are the authors the files name with a profile, by slug, in
	// the order first seen; the last of a slug wins.
	authors     []*byline.Author
	authorIndex map[string]int
}

// addAuthor keeps an author the check read.
func (r *run) addAuthor(au *byline.Author) {
	if r.authorIndex == nil {
		r.authorIndex = map[string]int{}
	}
	if i, ok := r.authorIndex[au.Slug]; ok {
		r.authors[i] = au
		return
	}
	r.authorIndex[au.Slug] = len(r.authors)
	r.authors = append(r.authors, au)
}

// addSection keeps a section the check read.
func (r *run) addSection(sec *byline.Section) {
	if r.sectionIndex == nil {
		r.sectionIndex = map[string]int{}
	}
	if i, ok := r.sectionIndex[sec.Slug]; ok {
		r.sections[i] = sec
		return
	}
	r.sectionIndex[sec.Slug] = len(r.sections)
	r.sections = append(r.sections, sec)
}

// storeStructure writes the sections the files declared, after the
// articles: an article names its sections by slug (and creates one it
// names that does not exist yet), and this sets their names, descriptions,
// order and nesting. A dry run writes nothing.
func (r *run) storeStructure(ctx context.Context, im *Importer) error {
	switch {
	case len(r.sections) == 0:
	case im.Sections == nil:
		r.skipped["section (no section service)"] += len(r.sections)
	case !r.opts.DryRun:
		if err := im.Sections.Import(ctx, r.sections); err != nil {
			return fmt.Errorf("import sections: %w", err)
		}
		fallthrough
	default:
		r.report.Sections = len(r.sections)
	}
	switch {
	case len(r.authors) == 0:
	case im.Authors == nil:
		r.skipped["author profile (no author service)"] += len(r.authors)
	case !r.opts.DryRun:
		if err := im.Authors.Import(ctx, r.authors); err != nil {
			return fmt.Errorf("import authors: %w", err)
		}
		fallthrough
	default:
		r.report.Authors = len(r.authors)
	}
	switch {
	case len(r.pages) == 0:
	case im.Pages == nil:
		r.skipped["page (no page service)"] += len(r.pages)
	case !r.opts.DryRun:
		if err := im.Pages.Import(ctx, slices.Values(pageRecords(r.pages))); err != nil {
			return fmt.Errorf("import pages: %w", err)
		}
		fallthrough
	default:
		r.report.Pages = len(r.pages)
	}
	return nil
}

// pageRecords resolves the pages' parents named by ParentRef to their
// top-level ancestor's slug.
func pageRecords(items []*PageItem) []*byline.PageRecord {
	byRef := map[string]*PageItem{}
	for _, it := range items {
		if it.Ref != "" {
			byRef[it.Ref] = it
		}
	}
	out := make([]*byline.PageRecord, len(items))
	for i, it := range items {
		top := it
		for steps := 0; top.ParentRef != "" && byRef[top.ParentRef] != nil && steps < len(items); steps++ {
			top = byRef[top.ParentRef]
		}
		if top != it {
			it.Record.Page.ParentSlug = top.Record.Page.Slug
			if it.Record.Page.ParentSlug == "" {
				it.Record.Page.ParentSlug = byline.SlugOrUntitled(top.Record.Page.Title)
			}
		}
		out[i] = it.Record
	}
	return out
}

// check reads every file, checking each item, without writing anything.
func (r *run) check(ctx context.Context) error {
	var total int64
	for _, f := range r.files {
		total += f.size
	}
	if p := r.opts.Progress; p != nil {
		p.Start("checking", total)
		defer p.Done()
	}
	r.fatal = map[string]bool{}
	seq := 0
	for _, f := range r.files {
		err := r.readFile(ctx, f, true, func(it *Item) error {
			if it.Skip != "" {
				r.skipped[it.Skip]++
				return nil
			}
			if it.Section != nil {
				if err := it.Section.Validate(); err != nil {
					r.report.Bad = append(r.report.Bad, &ParseError{File: f.name, Line: it.Line, Item: it.Label, Err: err})
					return nil
				}
				r.addSection(it.Section)
				return nil
			}
			if it.Author != nil {
				if it.Author.Slug == "" {
					it.Author.Slug = byline.SlugOrUntitled(it.Author.Name)
				}
				it.Author.Normalize()
				if err := it.Author.Validate(); err != nil {
					r.report.Bad = append(r.report.Bad, &ParseError{File: f.name, Line: it.Line, Item: it.Label, Err: err})
					return nil
				}
				r.addAuthor(it.Author)
				return nil
			}
			if it.Page != nil {
				if err := checkPage(it); err != nil {
					r.report.Bad = append(r.report.Bad, &ParseError{File: f.name, Line: it.Line, Item: it.Label, Err: err})
					return nil
				}
				r.pages = append(r.pages, it.Page)
				return nil
			}
			seq++
			for _, n := range it.Notes {
				r.notes[n]++
			}
			err := it.Err
			if err == nil {
				err = checkArticle(it.Record)
			}
			if err != nil {
				r.bad[seq] = true
				r.report.Bad = append(r.report.Bad, &ParseError{File: f.name, Line: it.Line, Item: it.Label, Err: err})
				return nil
			}
			r.good++
			return nil
		})
		if errors.Is(err, errNotClaimed) {
			continue
		}
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			var pe *ParseError
			if !errors.As(err, &pe) {
				pe = &ParseError{File: f.name, Err: err}
			}
			if r.opts.SkipBad && byline.ErrorKind(pe.Err) != byline.Internal && !errors.Is(pe.Err, errEmpty) {
				pe = &ParseError{File: pe.File, Line: pe.Line, Item: pe.Item,
					Err: byline.Errorf(byline.ErrorKind(pe.Err), "%s (The rest of the file was not read.)", byline.ErrorMessage(pe.Err))}
			}
			r.report.Bad = append(r.report.Bad, pe)
			r.fatal[f.path] = true
		}
	}
	return nil
}

// checkPage checks what the store would refuse of a page, but for a
// reserved slug, which the import moves aside.
func checkPage(it *Item) error {
	p := *it.Page.Record.Page
	if p.Status == "" {
		p.Status = byline.Draft
	}
	p.ParentSlug = "checked" // a reserved slug is no error here
	return p.Validate()
}

// errNotClaimed is a file in a folder that no format reads: skipped.
var errNotClaimed = errors.New("no format claims this file")

// checkArticle checks what the store would refuse, before any write.
func checkArticle(rec *byline.ArticleRecord) error {
	if rec == nil || rec.Article == nil {
		return byline.Errorf(byline.Invalid, "The item has no article.")
	}
	a := rec.Article
	if a.Status == "" {
		a.Status = byline.Draft
	}
	return a.Validate()
}

// store reads the files again and streams their good articles to the store.
func (r *run) store(ctx context.Context, articles byline.ArticleService) error {
	if p := r.opts.Progress; p != nil {
		p.Start("importing", int64(r.good))
		defer p.Done()
	}
	// The store reports on the records in the order it gets them, from
	// another goroutine: where each came from waits in a queue, so that an
	// article the store refuses is named by its file and line.
	var (
		mu     sync.Mutex
		places []ParseError
	)
	push := func(pe ParseError) {
		mu.Lock()
		places = append(places, pe)
		mu.Unlock()
	}
	pop := func() (ParseError, bool) {
		mu.Lock()
		defer mu.Unlock()
		if len(places) == 0 {
			return ParseError{File: "database"}, false
		}
		pe := places[0]
		places = places[1:]
		return pe, true
	}
	records := func(yield func(*byline.ArticleRecord, error) bool) {
		seq := 0
		stopped := errors.New("stopped")
		for _, f := range r.files {
			err := r.readFile(ctx, f, false, func(it *Item) error {
				if it.Skip != "" || it.Section != nil || it.Page != nil || it.Author != nil {
					return nil
				}
				seq++
				if r.bad[seq] {
					return nil
				}
				push(ParseError{File: f.name, Line: it.Line, Item: it.Label})
				useCopies(it.Record.Article, r.local)
				if !yield(it.Record, nil) {
					return stopped
				}
				return nil
			})
			switch {
			case errors.Is(err, stopped):
				return
			case errors.Is(err, errNotClaimed), err != nil && r.fatal[f.path]:
				continue
			case err != nil:
				// The check read this file to the end: the input changed.
				yield(nil, fmt.Errorf("%s changed while it was being imported: %w", f.name, err))
				return
			}
		}
	}
	opts := byline.ImportOptions{SkipBad: r.opts.SkipBad, DryRun: r.opts.DryRun, AllowDuplicates: r.opts.AllowDuplicates, Zone: r.opts.Zone}
	err := articles.Import(ctx, records, opts,
		func(res byline.ImportResult) error {
			if p := r.opts.Progress; p != nil {
				p.Add(1)
			}
			place, _ := pop()
			if res.Err != nil {
				place.Err = res.Err
				r.report.Bad = append(r.report.Bad, &place)
				return nil
			}
			if res.Created {
				r.report.Created++
			} else {
				r.report.Updated++
				switch res.Match {
				case byline.MatchImportKey:
					r.report.Matched.ImportKey++
				case byline.MatchSourceURL:
					r.report.Matched.SourceURL++
				case byline.MatchSlug:
					r.report.Matched.Slug++
				case byline.MatchSameStory:
					r.report.Matched.SameStory++
				}
			}
			if len(r.report.Listed) < MaxListed {
				r.report.Listed = append(r.report.Listed, Outcome{Created: res.Created, URL: res.Article.URL(), Headline: res.Article.Headline})
			}
			return nil
		})
	if err != nil {
		// The store stops at the first article it refuses, the oldest it
		// has not reported on.
		if place, ok := pop(); ok && byline.ErrorKind(err) != byline.Internal {
			place.Err = err
			return &place
		}
		return fmt.Errorf("import: %w", err)
	}
	return nil
}

// copyMediaIfAsked copies the articles' images from other hosts, with
// opts.Media, or in a dry run counts them; it returns the uploads to record.
func (r *run) copyMediaIfAsked(ctx context.Context) ([]*byline.Upload, error) {
	if r.opts.Media == nil {
		return nil, nil
	}
	local, uploads, err := r.copyMedia(ctx, r.opts.Media)
	if err != nil {
		return nil, err
	}
	r.local = local
	return uploads, nil
}

// headSize is how much of a file format detection looks at.
const headSize = 4096

// readFile reads one file with its format. In the check (counting),
// progress counts the bytes read.
func (r *run) readFile(ctx context.Context, f input, counting bool, emit func(*Item) error) error {
	file, err := os.Open(f.path)
	if err != nil {
		return fmt.Errorf("open %s: %w", f.name, err)
	}
	defer file.Close()
	head := make([]byte, headSize)
	n, err := io.ReadFull(file, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return fmt.Errorf("read %s: %w", f.name, err)
	}
	head = head[:n]
	if blank, err := isBlank(head, file); err != nil {
		return fmt.Errorf("read %s: %w", f.name, err)
	} else if blank {
		return r.emptyFile(f, counting)
	}
	format, err := r.pickFormat(f, head, counting)
	if err != nil {
		return err
	}
	if _, err := file.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("read %s: %w", f.name, err)
	}
	var in io.Reader = file
	if p := r.opts.Progress; counting && p != nil {
		in = &progressReader{ReadSeeker: file, p: p}
	}
	return format.ReadItems(f.name, in, func(it *Item) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		return emit(it)
	})
}

// pickFormat returns the format of a file; a file in a folder that no
// format claims is skipped (and counted, in the check).
func (r *run) pickFormat(f input, head []byte, counting bool) (Format, error) {
	skip := func(reason string) (Format, error) {
		if counting {
			r.skipped[reason]++
		}
		return nil, errNotClaimed
	}
	if name := r.opts.Format; name != "" && name != "auto" {
		format := formatByName(r.formats, name)
		if !f.explicit && !format.Detect(f.name, head) {
			return skip("file not in " + name + " format")
		}
		return format, nil
	}
	for _, format := range r.formats {
		if format.Detect(f.name, head) {
			return format, nil
		}
	}
	if !f.explicit {
		return skip("file of no known format")
	}
	return nil, &ParseError{File: f.name, Err: byline.Errorf(byline.Invalid, "Cannot tell the format of this file; name it with --format.")}
}

// errEmpty is the one message for an empty input, whatever its format.
var errEmpty = byline.Errorf(byline.Invalid, "The file is empty: there is nothing to import.")

// emptyFile refuses an empty file named on the command line, or found in a
// folder under a name that a format claims (an empty news.jsonl is a
// mistake worth hearing of); another empty file in a folder, such as a
// README, is passed over.
func (r *run) emptyFile(f input, counting bool) error {
	ext := filepath.Ext(f.name)
	claimed := f.explicit
	for _, format := range r.formats {
		if claimed || ext == "" {
			break
		}
		if name := r.opts.Format; name != "" && name != "auto" && format.Name() != name {
			continue
		}
		claimed = format.Detect(f.name, nil)
	}
	if !claimed {
		if counting {
			r.skipped["empty file"]++
		}
		return errNotClaimed
	}
	return &ParseError{File: f.name, Err: errEmpty}
}

// isBlank reports whether a file holds nothing but white space (and a byte
// order mark), given its head; it reads on from file when the head is full.
func isBlank(head []byte, file io.Reader) (bool, error) {
	blank := func(b []byte) bool {
		return len(bytes.TrimLeft(bytes.TrimPrefix(b, []byte("\ufeff")), " \t\r\n")) == 0
	}
	if !blank(head) {
		return false, nil
	}
	if len(head) < headSize {
		return true, nil
	}
	buf := make([]byte, 32<<10)
	for {
		n, err := file.Read(buf)
		if !blank(buf[:n]) {
			return false, nil
		}
		if errors.Is(err, io.EOF) {
			return true, nil
		}
		if err != nil {
			return false, err
		}
	}
}

// progressReader tells a Progress of every byte read.
type progressReader struct {
	io.ReadSeeker
	p Progress
}

func (pr *progressReader) Read(b []byte) (int, error) {
	n, err := pr.ReadSeeker.Read(b)
	pr.p.Add(int64(n))
	return n, err
}

// spoolStdin copies standard input to a temporary file, so that it can be
// read twice like any other input.
func spoolStdin(stdin io.Reader) (path string, size int64, err error) {
	if stdin == nil {
		return "", 0, byline.Errorf(byline.Invalid, "There is no standard input to read.")
	}
	f, err := os.CreateTemp("", "byline-import-*")
	if err != nil {
		return "", 0, fmt.Errorf("spool standard input: %w", err)
	}
	size, err = io.Copy(f, stdin)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
		return "", 0, fmt.Errorf("spool standard input: %w", err)
	}
	return f.Name(), size, nil
}

// expand turns the paths into the list of files to read, walking folders in
// a stable order and skipping hidden files in them.
func expand(paths []string) ([]input, error) {
	var files []input
	for _, p := range paths {
		if p == "-" {
			files = append(files, input{path: p, name: "standard input", explicit: true})
			continue
		}
		info, err := os.Stat(p)
		if err != nil {
			return nil, fmt.Errorf("import: %w", err)
		}
		if !info.IsDir() {
			files = append(files, input{path: p, name: p, size: info.Size(), explicit: true})
			continue
		}
		var found []input
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
			if d.Type().IsRegular() {
				info, err := d.Info()
				if err != nil {
					return err
				}
				found = append(found, input{path: path, name: path, size: info.Size()})
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("import: walk %s: %w", p, err)
		}
		sort.Slice(found, func(i, j int) bool { return found[i].path < found[j].path })
		files = append(files, found...)
	}
	if len(files) == 0 {
		return nil, byline.Errorf(byline.Invalid, "No files to import.")
	}
	return files, nil
}

// counts turns a tally into a list, largest first, then by name.
func counts(m map[string]int) []Count {
	list := make([]Count, 0, len(m))
	for what, n := range m {
		list = append(list, Count{What: what, N: n})
	}
	sort.Slice(list, func(i, j int) bool {
		if list[i].N != list[j].N {
			return list[i].N > list[j].N
		}
		return list[i].What < list[j].What
	})
	return list
}
