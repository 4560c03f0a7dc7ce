package web_test

import (
	"iter"
	"net/http"
	"testing"

	"github.com/bylinenews/byline"
)

// An imported site's old addresses answer with a 301 to the new permalink:
// WordPress's /?p=ID and ?page_id=, and the item's old link, whatever its
// shape.
func TestOldAddressesRedirect(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	published := &byline.ArticleRecord{
		Article: &byline.Article{Headline: "Talks resume", Body: "Body.", Status: byline.Published, PublishedAt: t0,
			SourceURL: "https://old.example.com/2015/10/08/talks-resume/"},
		ImportKey: "wxr:https://old.example.com/?p=12",
		OldPaths:  []string{"/?p=12", "/2015/10/08/talks-resume/", "/archives/12", "/old/переговоры.html"},
	}
	draft := &byline.ArticleRecord{
		Article:  &byline.Article{Headline: "Not yet", Body: "Body.", Status: byline.Draft},
		OldPaths: []string{"/?p=13"},
	}
	recs := iter.Seq2[*byline.ArticleRecord, error](func(yield func(*byline.ArticleRecord, error) bool) {
		_ = yield(published, nil) && yield(draft, nil)
	})
	if err := s.articles.Import(t.Context(), recs, byline.ImportOptions{}, func(byline.ImportResult) error { return nil }); err != nil {
		t.Fatal(err)
	}
	want := published.Article.URL()
	for _, path := range []string{"/?p=12", "/?p=12&utm_source=x", "/2015/10/08/talks-resume/", "/2015/10/08/talks-resume", "/archives/12", "/old/%D0%BF%D0%B5%D1%80%D0%B5%D0%B3%D0%BE%D0%B2%D0%BE%D1%80%D1%8B.html"} {
		resp := s.get(t, path)
		if resp.StatusCode != http.StatusMovedPermanently || resp.Header.Get("Location") != want {
			t.Errorf("GET %s: %d to %q, want 301 to %q", path, resp.StatusCode, resp.Header.Get("Location"), want)
		}
	}
	for _, path := range []string{"/?p=13", "/?p=99", "/archives/99", "/?page_id=1"} {
		if resp := s.get(t, path); resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404 (a draft or nothing)", path, resp.StatusCode)
		}
	}
	if resp := s.get(t, "/"); resp.StatusCode != http.StatusOK {
		t.Errorf("GET /: %d, want the home page", resp.StatusCode)
	}
	if resp := s.get(t, want); resp.StatusCode != http.StatusOK {
		t.Errorf("GET %s: %d, want the article", want, resp.StatusCode)
	}
}
