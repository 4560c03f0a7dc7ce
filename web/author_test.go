package web_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/bylinenews/byline"
)

// TestAuthorProfiles edits a profile in the newsroom and reads it back on
// the author's page and at the foot of their article, through the page
// cache.
func TestAuthorProfiles(t *testing.T) {
	t.Parallel()
	n := newNewsroom(t)
	ctx := t.Context()
	a := &byline.Article{Headline: "Talks resume in Geneva", Body: "The talks resumed.", Status: byline.Published,
		PublishedAt: n.now.Add(-time.Hour), Authors: []byline.Author{{Name: "Jane Doe"}, {Name: "The author"}}}
	if err := n.articles.Create(ctx, a); err != nil {
		t.Fatal(err)
	}
	jane, err := n.articles.FindAuthor(ctx, "jane-doe")
	if err != nil {
		t.Fatal(err)
	}
	public := n.browser(t)
	get := func(path string) *http.Response {
		t.Helper()
		resp := public.get(t, path)
		wantStatus(t, "GET "+path, resp, http.StatusOK)
		return resp
	}
	// Warm the page cache: the edit below must reach these pages anyway.
	if doc(t, get(a.URL())).Find(".author-box").Length() != 0 {
		t.Error("the article shows an author box for authors with no profile")
	}
	if got := strings.TrimSpace(doc(t, get("/author/jane-doe/")).Find("main h1").Text()); got != "Articles by Jane Doe" {
		t.Errorf("author page h1 before a profile = %q", got)
	}

	editor := n.signedIn(t, n.editor)
	list := doc(t, editor.get(t, "/newsroom/authors"))
	if got := texts(list.Find("#authors tbody th a")); len(got) != 2 || got[0] != "Jane Doe" {
		t.Errorf("newsroom authors = %q, want Jane Doe and The author", got)
	}
	form := url.Values{
		"name": {"Jane Doe"}, "job_title": {"Geneva correspondent"},
		"bio":       {"Jane Doe reports on diplomacy from Geneva. Before that, Beirut.\n\nShe speaks four languages."},
		"photo_url": {"/files/uploads/0123456789abcdef-400.png"}, "website": {"https://janedoe.example/"},
		"link_label_0": {"Mastodon"}, "link_url_0": {"https://social.example/@jane"},
	}
	path := "/newsroom/authors/" + strconv.FormatInt(jane.ID, 10)
	resp := editor.post(t, path, form)
	wantStatus(t, "save the profile", resp, http.StatusSeeOther)

	t.Run("the author page shows the profile", func(t *testing.T) {
		page := doc(t, get("/author/jane-doe/"))
		p := page.Find(".author-profile")
		if got := strings.TrimSpace(p.Find("h1").Text()); got != "Jane Doe" {
			t.Errorf("profile h1 = %q, want Jane Doe", got)
		}
		if got := strings.TrimSpace(p.Find(".author-profile__title").Text()); got != "Geneva correspondent" {
			t.Errorf("job title = %q", got)
		}
		if got := texts(p.Find(".author-profile__bio")); len(got) != 2 || got[1] != "She speaks four languages." {
			t.Errorf("bio paragraphs = %q", got)
		}
		if src, _ := p.Find("img").Attr("src"); src != "/files/uploads/0123456789abcdef-400.png" {
			t.Errorf("photo src = %q", src)
		}
		if srcset, _ := p.Find("img").Attr("srcset"); !strings.Contains(srcset, "-400.png 400w") {
			t.Errorf("photo srcset = %q, want the stored widths", srcset)
		}
		links := p.Find(".author-links a")
		if got := texts(links); len(got) != 2 || got[0] != "Website" || got[1] != "Mastodon" {
			t.Errorf("links = %q, want Website, Mastodon", got)
		}
		links.Each(func(_ int, a *goquery.Selection) {
			if rel, _ := a.Attr("rel"); rel != "me noopener" {
				t.Errorf("link rel = %q, want me noopener", rel)
			}
		})
		if page.Find(".summary").Length() != 1 {
			t.Errorf("the author page lists %d articles, want 1", page.Find(".summary").Length())
		}
		var ld struct {
			Type       string `json:"@type"`
			MainEntity struct {
				Type           string `json:"@type"`
				Name, JobTitle string
				SameAs         []string
			}
		}
		if err := json.Unmarshal([]byte(page.Find(`script[type="application/ld+json"]`).Text()), &ld); err != nil ||
			ld.Type != "ProfilePage" || ld.MainEntity.Type != "Person" || ld.MainEntity.JobTitle != "Geneva correspondent" || len(ld.MainEntity.SameAs) != 2 {
			t.Errorf("JSON-LD = %+v, %v; want a ProfilePage of a Person with two sameAs", ld, err)
		}
		if d, _ := page.Find(`meta[name=description]`).Attr("content"); d != "Jane Doe reports on diplomacy from Geneva." {
			t.Errorf("description = %q, want the bio's first sentence", d)
		}
	})
	t.Run("the article's foot has a box per author with a profile", func(t *testing.T) {
		boxes := doc(t, get(a.URL())).Find(".author-box")
		if boxes.Length() != 1 {
			t.Fatalf("%d author boxes, want 1 (The author has no profile)", boxes.Length())
		}
		if href, _ := boxes.Find("h2 a").Attr("href"); href != "/author/jane-doe/" {
			t.Errorf("box links to %q", href)
		}
		if got := strings.TrimSpace(boxes.Find(".author-box__bio").Text()); got != "Jane Doe reports on diplomacy from Geneva." {
			t.Errorf("box bio = %q, want the first sentence", got)
		}
	})
	t.Run("bad input is refused with a sentence and changes nothing", func(t *testing.T) {
		bad := url.Values{}
		for k, v := range form {
			bad[k] = v
		}
		bad.Set("link_url_0", "javascript:alert(document.cookie)")
		resp := editor.post(t, path, bad)
		if resp.StatusCode != http.StatusBadRequest {
			t.Fatalf("save with a javascript: link: status %d, want 400", resp.StatusCode)
		}
		if got := strings.TrimSpace(doc(t, resp).Find(".nr-error").Text()); !strings.Contains(got, "Link 1 must be a web address") {
			t.Errorf("error = %q, want a sentence about link 1", got)
		}
		body, _ := io.ReadAll(get("/author/jane-doe/").Body)
		if strings.Contains(string(body), "javascript:") {
			t.Error("the refused link reached the author page")
		}
	})
	t.Run("an author edits their own profile and no one else's", func(t *testing.T) {
		b := n.signedIn(t, n.author)
		own := doc(t, b.get(t, "/newsroom/authors")).Find("#authors tbody th a")
		href, _ := own.Attr("href")
		if got := texts(own); len(got) != 1 || got[0] != "The author" {
			t.Fatalf("an author's list = %q, want only their own", got)
		}
		resp := b.post(t, href, url.Values{"name": {"The author"}, "bio": {"Writes about markets."}})
		wantStatus(t, "an author saves their own profile", resp, http.StatusSeeOther)
		if got := doc(t, get(a.URL())).Find(".author-box").Length(); got != 2 {
			t.Errorf("after the author's edit, %d boxes, want 2", got)
		}
		resp = b.post(t, path, form)
		wantStatus(t, "an author saves someone else's profile", resp, http.StatusForbidden)
	})
}
