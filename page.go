package byline

import (
	"context"
	"iter"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Page is a static page of the site (About, Masthead, Privacy,
// Corrections): no date, no byline, outside the feeds and Recent Posts. A
// page may sit under another (one level): /about/ and /about/team/.
type Page struct {
	ID       int64
	Slug     string
	ParentID int64
	// ParentSlug is the parent's slug, set by the store on reading; an
	// import names a parent by it.
	ParentSlug string
	Title      string

	// Body is the Markdown source; BodyHTML its sanitized rendering and
	// BodyText its plain text, made by the store on save, as an article's.
	Body     string
	BodyHTML string
	BodyText string

	Status    Status // Draft or Published
	Position  int    // order among its siblings, lowest first
	CreatedAt time.Time
	UpdatedAt time.Time
	Version   int // incremented on each save, for edit-conflict checks
}

// URL returns the page's path: /{slug}/, or /{parent}/{slug}/ under a
// parent.
func (p *Page) URL() string {
	if p.ParentSlug != "" {
		return "/" + p.ParentSlug + "/" + p.Slug + "/"
	}
	return "/" + p.Slug + "/"
}

// IsVisible reports whether readers can see the page.
func (p *Page) IsVisible() bool { return p.Status == Published }

// ReservedPageSlugs are the first segments of the site's own addresses:
// no top-level page may take one, so a page never hides a route. Article
// permalinks have three segments (/{yyyy}/{mm}/{slug}/) and pages at most
// two, so the two never meet.
var ReservedPageSlugs = []string{
	"api", "author", "captcha", "category", "contact", "feed", "files", "healthz",
	"newsroom", "page", "robots-txt", "search", "section", "sitemap", "sitemap-news-xml",
	"sitemap-xml", "static", "subscribe", "tag", "wp-admin", "wp-content", "wp-json", "wp-login-php",
}

// MaxPages bounds a site's pages, so that a menu editor can list them all.
const MaxPages = 1000

// Validate checks the fields an editor controls and returns an Invalid
// error naming the first problem.
func (p *Page) Validate() error {
	switch {
	case strings.TrimSpace(p.Title) == "":
		return Errorf(Invalid, "A page needs a title.")
	case !utf8.ValidString(p.Title + p.Body + p.Slug):
		return Errorf(Invalid, "The page's text is not valid UTF-8.")
	case strings.ContainsRune(p.Title+p.Body+p.Slug, 0):
		return Errorf(Invalid, "The page's text contains a NUL character.")
	case utf8.RuneCountInString(p.Title) > MaxHeadlineRunes:
		return Errorf(Invalid, "The title is longer than %d characters.", MaxHeadlineRunes)
	case len(p.Body) > MaxBodyBytes:
		return Errorf(Invalid, "The body is larger than %d MB.", MaxBodyBytes>>20)
	case p.Status != Draft && p.Status != Published:
		return Errorf(Invalid, "A page is a draft or published, not %q.", p.Status)
	case p.Slug != "" && Slugify(p.Slug) != p.Slug:
		return Errorf(Invalid, "The slug %q may hold only lower-case letters, digits and single hyphens.", p.Slug)
	case p.ParentID == 0 && p.ParentSlug == "" && p.Slug != "" && slices.Contains(ReservedPageSlugs, p.Slug):
		return Errorf(Conflict, "The address /%s/ belongs to the site itself; give the page another slug.", p.Slug)
	}
	return nil
}

// PageRevision is a page as one save left it.
type PageRevision struct {
	ID        int64
	PageID    int64
	Version   int
	Title     string
	Slug      string
	Body      string
	Status    Status
	UserID    int64 // who saved it; 0 for an import
	UserName  string
	CreatedAt time.Time
}

// PageRecord is a page with what an import or export keeps about where it
// came from.
type PageRecord struct {
	Page *Page
	// ImportKey is the page's identity where it came from (a WordPress
	// page's guid); a re-import updates the page with the same key.
	ImportKey string
	// OldPaths are addresses the page had on the old site (as made by
	// [RedirectPath]), each answering with a 301 to its URL.
	OldPaths []string
}

// PageService reads and writes pages. Implementations are safe for
// concurrent use; every write moves the site's version.
type PageService interface {
	// List returns every page, drafts too, by parent, position and title,
	// with ParentSlug set and without bodies.
	List(ctx context.Context) ([]*Page, error)

	// FindByPath returns the published page at path ("/about/",
	// "/about/team/"), or NotFound.
	FindByPath(ctx context.Context, path string) (*Page, error)

	// FindByID returns the page, visible or not, or NotFound.
	FindByID(ctx context.Context, id int64) (*Page, error)

	// Create validates, renders and stores a new page, saved by the user
	// with ID by (0 for none), with its first revision; an empty slug is
	// made from the title. A slug taken by a sibling, a reserved one, or a
	// top-level slug that a section has, is a Conflict; a parent that is
	// not a top-level page is Invalid.
	Create(ctx context.Context, p *Page, by int64) error

	// Update stores p over the page with ID p.ID if its version is still
	// expectedVersion (else Conflict, changing nothing), with a revision;
	// an empty slug keeps the current one. The errors of Create apply.
	Update(ctx context.Context, p *Page, expectedVersion int, by int64) error

	// Delete removes a page; its subpages move to the top level. It
	// returns NotFound if there is none.
	Delete(ctx context.Context, id int64) error

	// Revisions returns the page's revisions, newest first.
	Revisions(ctx context.Context, pageID int64) ([]*PageRevision, error)

	// Import creates or updates (matched by import key, else by parent and
	// slug) the pages in one transaction, parents named by ParentSlug,
	// and adds their old paths as redirects.
	Import(ctx context.Context, records iter.Seq[*PageRecord]) error

	// Export calls each with every page, parents first, with its import
	// key and old paths.
	Export(ctx context.Context, each func(*PageRecord) error) error

	// FindRedirect returns the published page an old address leads to, or
	// NotFound.
	FindRedirect(ctx context.Context, path string) (*Page, error)
}

// SplitPagePath splits a page's path, "/about/" or "/about/team/", into
// its parent's slug ("" at the top) and its own. ok is false for a path
// that no page can have.
func SplitPagePath(path string) (parent, slug string, ok bool) {
	inner, leading := strings.CutPrefix(path, "/")
	inner, trailing := strings.CutSuffix(inner, "/")
	if !leading || !trailing || inner == "" {
		return "", "", false
	}
	parts := strings.Split(inner, "/")
	for _, p := range parts {
		if p == "" || Slugify(p) != p {
			return "", "", false
		}
	}
	switch len(parts) {
	case 1:
		return "", parts[0], true
	case 2:
		return parts[0], parts[1], true
	}
	return "", "", false
}

// PagesParentsFirst orders records so that each top-level page comes
// before the pages under it, keeping the order otherwise.
func PagesParentsFirst(records []*PageRecord) []*PageRecord {
	out := make([]*PageRecord, 0, len(records))
	for _, r := range records {
		if r.Page.ParentSlug == "" {
			out = append(out, r)
		}
	}
	for _, r := range records {
		if r.Page.ParentSlug != "" {
			out = append(out, r)
		}
	}
	return out
}

// MovePageOffReserved gives an imported top-level page whose slug is
// reserved, or a section's (sectionTaken), the slug with "-page" added,
// keeping its old address as a redirect: an import puts a site's pages
// somewhere rather than refusing them.
func MovePageOffReserved(rec *PageRecord, sectionTaken bool) {
	p := rec.Page
	if !sectionTaken && !slices.Contains(ReservedPageSlugs, p.Slug) {
		return
	}
	rec.OldPaths = append(rec.OldPaths, "/"+p.Slug+"/")
	p.Slug += "-page"
}
