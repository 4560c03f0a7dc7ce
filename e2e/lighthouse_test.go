package e2e_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/bylinenews/byline"
	"github.com/bylinenews/byline/captcha"
	"github.com/bylinenews/byline/e2e"
	"github.com/bylinenews/byline/internal/demo"
	"github.com/bylinenews/byline/internal/testenv"
	"github.com/bylinenews/byline/sqlite"
	"github.com/bylinenews/byline/web"
)

// TestLighthouse audits the reader's pages of the demo site (articles with
// pictures) with Lighthouse, on a phone and on a desktop: accessibility
// and best practices 100 on every page, SEO 100 on every page meant to be
// indexed, and a cumulative layout shift under 0.05. Performance depends
// on the machine's load: it is printed, not checked. bench/lighthouse.sh
// runs it and prints the table; BYLINE_LIGHTHOUSE_REPORT names a file to
// write the table to as well.
func TestLighthouse(t *testing.T) {
	if _, err := os.Stat(e2e.LighthousePath(t)); err != nil {
		testenv.Skip(t, testenv.Lighthouse, e2e.ErrNoLighthouse.Error())
	}
	if e2e.ChromiumPath() == "" {
		testenv.Skip(t, testenv.Chromium, "no Chromium is installed")
	}
	site := e2e.StartSite(t, e2e.WithoutSeed(), e2e.WithServer(func(s *web.Server, db *sqlite.DB) {
		s.Messages = sqlite.NewMessageService(db)
		s.Captcha = captcha.New(sqlite.NewChallengeStore(db))
		s.Limiter = sqlite.NewRateLimiter(db)
		s.Settings = sqlite.NewSettingsService(db)
	}))
	if _, err := demo.Fill(t.Context(), site.PublicDir, sqlite.NewServices(site.DB)); err != nil {
		t.Fatal(err)
	}
	if err := demo.FillProfiles(t.Context(), filepath.Join(site.PublicDir, "uploads"), sqlite.NewAuthorService(site.DB)); err != nil {
		t.Fatal(err)
	}
	list, _, err := site.ArticleService.Find(t.Context(), byline.ArticleFilter{Limit: 50})
	if err != nil || len(list) == 0 {
		t.Fatalf("the demo's articles: %d, %v", len(list), err)
	}
	var pictured *byline.Article
	for _, a := range list {
		if a.FeatureImageURL != "" && len(a.Tags) > 0 && len(a.Authors) > 0 && len(a.Sections) > 0 {
			pictured = a
			break
		}
	}
	if pictured == nil {
		t.Fatal("no demo article has a picture, a tag and an author")
	}
	pages := []struct {
		name, path string
		indexed    bool // meant for search engines: SEO must be 100
	}{
		{"home", "/", true},
		{"article", pictured.URL(), true},
		{"tag", "/tag/" + pictured.Tags[0].Slug + "/", true},
		{"author", "/author/" + pictured.Authors[0].Slug + "/", true},
		{"section", pictured.Sections[0].URL(), true},
		{"page", "/about/", true},
		// Search results are noindex, and robots.txt keeps crawlers off
		// /contact and /search: each visit there draws a captcha or runs
		// a query.
		{"search", "/search?q=" + strings.Fields(pictured.Headline)[0], false},
		{"contact", "/contact", false},
	}
	var rows []string
	for _, p := range pages {
		for _, form := range []string{"mobile", "desktop"} {
			// Lighthouse sometimes fails to record a trace on a loaded
			// machine (NO_NAVSTART): that is Lighthouse's failure, not
			// the page's, so it gets two more tries.
			var r *e2e.LighthouseReport
			var err error
			for try := 0; try < 3; try++ {
				if r, err = e2e.RunLighthouse(t.Context(), t, site.URLOf(p.path), form); err == nil || errors.Is(err, e2e.ErrNoLighthouse) {
					break
				}
				t.Logf("%s (%s), try %d: %v", p.name, form, try+1, err)
			}
			if errors.Is(err, e2e.ErrNoLighthouse) {
				testenv.Skip(t, testenv.Lighthouse, err.Error())
			}
			if err != nil {
				t.Errorf("%s (%s): %v", p.name, form, err)
				continue
			}
			row := fmt.Sprintf("| %s | %s | %d | %d | %d | %d | %.3f |", p.name, form,
				r.Scores["performance"], r.Scores["accessibility"], r.Scores["best-practices"], r.Scores["seo"], r.CLS)
			rows = append(rows, row)
			t.Log("lighthouse:", row)
			want := []string{"accessibility", "best-practices"}
			if p.indexed {
				want = append(want, "seo")
			}
			for _, c := range want {
				if r.Scores[c] != 100 {
					t.Errorf("%s (%s): %s %d, want 100; failing: %s", p.name, form, c, r.Scores[c], strings.Join(r.Failed, "; "))
				}
			}
			if r.CLS >= 0.05 {
				t.Errorf("%s (%s): cumulative layout shift %.3f, want < 0.05", p.name, form, r.CLS)
			}
		}
	}
	sort.Strings(rows)
	table := "| page | form factor | performance | accessibility | best practices | SEO | CLS |\n|---|---|---:|---:|---:|---:|---:|\n" +
		strings.Join(rows, "\n") + "\n"
	if out := os.Getenv("BYLINE_LIGHTHOUSE_REPORT"); out != "" {
		if err := os.WriteFile(out, []byte(table), 0o644); err != nil {
			t.Error(err)
		}
	}
}
