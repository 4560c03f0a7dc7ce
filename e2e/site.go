package e2e

import (
	"context"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/bylinenews/byline"
	"github.com/bylinenews/byline/importer"
	"github.com/bylinenews/byline/internal/dbtest"
	"github.com/bylinenews/byline/internal/shareddata"
	"github.com/bylinenews/byline/sqlite"
	"github.com/bylinenews/byline/web"
)

// SeedHeadline is the headline of the scraped page the site is seeded with,
// ../shared/data/seed-article.txt beside the repository.
const SeedHeadline = "Russian, US Relationship In Syria Remains Complicated"

// SeedPublished is when the seed article was published: after every
// generated article, so it leads the home page and would lead Recent Posts
// everywhere but on its own page.
var SeedPublished = time.Date(2015, 10, 14, 9, 30, 0, 0, time.UTC)

// Site is the real reader's site under test: [web.Server] on a real SQLite
// file in t.TempDir(), served by an httptest server on loopback.
type Site struct {
	// URL is the site's origin, http://127.0.0.1:PORT, without a slash.
	URL string
	// DB is the site's database, for tests that add services of their own
	// (search, contact) or read what a page wrote.
	DB *sqlite.DB
	// ArticleService is the store the site serves articles from.
	ArticleService *sqlite.ArticleService
	// Server is the web server, already serving: do not change its fields.
	Server *web.Server
	// PublicDir is the folder served at /files/.
	PublicDir string
	// Articles are the articles the site was seeded with, newest first.
	Articles []*byline.Article
}

// SiteOption changes how [StartSite] builds the site.
type SiteOption func(*siteConfig)

type siteConfig struct {
	seed      bool
	articles  []*byline.Article
	configure []func(*web.Server, *sqlite.DB)
}

// WithServer calls configure with the server and its database before the
// site starts serving, so a test can plug in more services (the site has
// the article and search services already), e.g.
//
//	e2e.StartSite(t, e2e.WithServer(func(s *web.Server, db *sqlite.DB) {
//		s.Messages = sqlite.NewMessageService(db)
//	}))
//
// It may also set db.Now, to fix the clock. Options apply in order.
func WithServer(configure func(s *web.Server, db *sqlite.DB)) SiteOption {
	return func(c *siteConfig) { c.configure = append(c.configure, configure) }
}

// WithArticles stores these articles as well as (or, after [WithoutSeed],
// instead of) the seed articles. Each must be valid; a Published article
// without PublishedAt is published at the time of the import.
func WithArticles(articles ...*byline.Article) SiteOption {
	return func(c *siteConfig) { c.articles = append(c.articles, articles...) }
}

// WithoutSeed starts the site without the seed articles: with no other
// option it is a brand-new, empty site showing its first-run page.
func WithoutSeed() SiteOption {
	return func(c *siteConfig) { c.seed = false }
}

// StartSite starts the reader's site on a fresh SQLite database seeded with
// the scraped page shared/data/seed-article.txt beside the checkout (the
// test is skipped without it), read with the importer's text format, and
// [SeedArticles]: twelve articles with dates,
// authors, tags and pull quotes. It stops the site when the test ends.
func StartSite(t testing.TB, opts ...SiteOption) *Site {
	t.Helper()
	cfg := siteConfig{seed: true}
	for _, o := range opts {
		o(&cfg)
	}
	db := dbtest.OpenSQLite(t)
	articles := sqlite.NewArticleService(db)
	public := filepath.Join(t.TempDir(), "public")
	if err := os.MkdirAll(public, 0o750); err != nil {
		t.Fatalf("create public folder: %v", err)
	}
	srv := &web.Server{
		Articles:  articles,
		Authors:   sqlite.NewAuthorService(db),
		Sections:  sqlite.NewSectionService(db),
		Pages:     sqlite.NewPageService(db),
		Menus:     sqlite.NewMenuService(db),
		Search:    sqlite.NewSearchService(db), // as `byline serve` wires it
		Site:      web.Site{Title: "The Byline Times", Tagline: "News from the test bench"},
		Logger:    testLogger(t),
		PublicDir: os.DirFS(public),
		UploadDir: filepath.Join(public, "uploads"), // as `byline serve` wires it
		Health:    db.Ping,
	}
	for _, configure := range cfg.configure {
		configure(srv, db)
	}

	var seed []*byline.Article
	if cfg.seed {
		seed = append(readSeedArticle(t), SeedArticles()...)
	}
	seed = append(seed, cfg.articles...)
	if len(seed) > 0 {
		if _, err := byline.ImportArticles(t.Context(), articles, seed); err != nil {
			t.Fatalf("seed the site with %d articles: %v", len(seed), err)
		}
	}
	// Newest first, as the home page lists them.
	slices.SortStableFunc(seed, func(a, b *byline.Article) int { return b.PublishedAt.Compare(a.PublishedAt) })

	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	return &Site{URL: ts.URL, DB: db, ArticleService: articles, Server: srv, PublicDir: public, Articles: seed}
}

// URLOf returns the absolute URL of a path on the site.
func (s *Site) URLOf(path string) string { return s.URL + path }

// ArticleByHeadline returns the seeded article with the given headline; it
// fails the test if there is none.
func (s *Site) ArticleByHeadline(t testing.TB, headline string) *byline.Article {
	t.Helper()
	for _, a := range s.Articles {
		if a.Headline == headline {
			return a
		}
	}
	t.Fatalf("the site has no article headlined %q", headline)
	return nil
}

// Visit navigates the tab of ctx to path on the site, waits for the page to
// load and returns the main document's response. It fails the test if the
// page cannot be loaded; the status is the caller's to check.
func (s *Site) Visit(t testing.TB, ctx context.Context, path string) *network.Response {
	t.Helper()
	resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(s.URLOf(path)))
	if err != nil {
		t.Fatalf("visit %s: %v", path, err)
	}
	return resp
}

// readSeedArticle reads the scraped seed page with the importer's text
// format, as `byline import` would, and dates and tags it.
func readSeedArticle(t testing.TB) []*byline.Article {
	t.Helper()
	path := shareddata.Path(t, "seed-article.txt")
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("the browser tests seed the site with the shared sample page: %v", err)
	}
	defer f.Close()
	var out []*byline.Article
	err = importer.Text{}.Read(path, f, func(a *byline.Article) error {
		a.PublishedAt = SeedPublished
		a.Dek = "Moscow offers “far broader cooperation”; Washington is not ready for it."
		a.Tags = []byline.Tag{{Name: "Syria"}, {Name: "Russia"}, {Name: "Foreign policy"}}
		a.Authors = []byline.Author{{Name: "Staff Writer"}}
		out = append(out, a)
		return nil
	})
	if err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	if len(out) != 1 || out[0].Headline != SeedHeadline {
		t.Fatalf("read %s: got %d articles, want one headlined %q", path, len(out), SeedHeadline)
	}
	return out
}

// repoRoot is the repository's root folder, found from this file's place,
// so the helpers work whatever the test's working directory.
func repoRoot(t testing.TB) string {
	t.Helper()
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("cannot locate the e2e package's source")
	}
	return filepath.Dir(filepath.Dir(file))
}

// SeedArticles returns twelve generated, published articles, about a day
// apart in October 2015 before [SeedPublished], with deks, one to three authors, tags,
// pull quotes, a subheading, a list, a link and a footnote, so the pages show
// every part of the design. Each call returns new values.
func SeedArticles() []*byline.Article {
	type spec struct {
		headline, dek string
		authors       []string
		tags          []string
	}
	specs := []spec{
		{"City council approves the riverside housing plan", "After eleven hours of debate, 640 homes and a new school.", []string{"Maria Lopez"}, []string{"Local", "Housing"}},
		{"Drought tightens its grip on the valley’s farms", "", []string{"Sam Okafor", "Li Wei"}, []string{"Environment", "Farming"}},
		{"Café society: Zürich’s new coffee houses", "A century-old tradition finds a younger crowd.", []string{"Anna Müller"}, []string{"Culture"}},
		{"Talks resume on the Syrian ceasefire", "Diplomats meet in Geneva for a third round.", []string{"Luay Al-Khatteeb", "Abbas Kadhim"}, []string{"Syria", "Foreign policy"}},
		{"The night bus that keeps the city moving", "", []string{"Jo Brennan"}, []string{"Local", "Transport"}},
		{"School meals: what changed, and what did not", "A year after the reform, a look at the plates.", []string{"Priya Natarajan"}, []string{"Education"}},
		{"Library opens its archive of a century of local newspapers", "Every page since 1915, searchable and free.", []string{"Maria Lopez", "Tom Hale", "Ines Duarte"}, []string{"Local", "Culture", "History"}},
		{"Why the bridge repairs will take two more years", "", []string{"Sam Okafor"}, []string{"Transport"}},
		{"Hospital waiting times fall for the first time in five years", "The figures are better; the staff say they are tired.", []string{"Li Wei"}, []string{"Health"}},
		{"A season of open-air theatre in the old quarry", "", []string{"Anna Müller"}, []string{"Culture"}},
		{"Budget 2016: the numbers behind the headlines", "Where the money goes, line by line.", []string{"Tom Hale"}, []string{"Economy", "Politics"}},
		{"Fishermen and scientists count the returning salmon", "A river given up for dead is alive again.", []string{"Ines Duarte"}, []string{"Environment"}},
	}
	start := time.Date(2015, 10, 1, 7, 0, 0, 0, time.UTC)
	out := make([]*byline.Article, len(specs))
	for i, sp := range specs {
		var authors []byline.Author
		for _, name := range sp.authors {
			authors = append(authors, byline.Author{Name: name})
		}
		var tags []byline.Tag
		for _, name := range sp.tags {
			tags = append(tags, byline.Tag{Name: name})
		}
		out[i] = &byline.Article{
			Headline:    sp.headline,
			Dek:         sp.dek,
			Body:        seedBody(i, sp.headline),
			Authors:     authors,
			Tags:        tags,
			Status:      byline.Published,
			PublishedAt: start.Add(time.Duration(i) * 26 * time.Hour),
		}
	}
	return out
}

// seedBody is an article body in Markdown with the parts a real one has.
func seedBody(i int, headline string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: the story so far. Residents, officials and experts told us what they expect in the weeks ahead, "+
		"and what they fear. This is paragraph one of a report that runs to several hundred words.\n\n", headline)
	b.WriteString("The decision followed months of consultation. Supporters say the plan is overdue; critics say it is rushed, " +
		"and that the people most affected were asked last. Both sides agree that the next step will be the hardest.\n\n")
	b.WriteString("> “We have waited long enough. Now we have to get it right,” said one of those who spoke at the meeting.\n\n")
	if i%2 == 0 {
		b.WriteString("## What happens next\n\n")
		b.WriteString("- A public hearing next month\n- A vote before the end of the year\n- Work starting in the spring\n\n")
	}
	b.WriteString("Read our [earlier coverage](/) for the background. Figures come from the council’s own report.[^1]\n\n")
	b.WriteString("More detail will follow as it becomes available, and we will update this article when it does.\n\n")
	b.WriteString("[^1]: Published on the council’s website, October 2015.\n")
	return b.String()
}

// testLogger sends the server's warnings and errors to the test's output;
// the access log's lines would drown everything else.
func testLogger(t testing.TB) *slog.Logger {
	return slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
}
