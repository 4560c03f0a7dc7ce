package web_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/bylinenews/byline"
)

// menuForm is the menu editor's form for rows of (choice, ref, label,
// sub), numbered 10, 20, ...
func menuForm(rows ...[4]string) url.Values {
	f := url.Values{"rows": {strconv.Itoa(len(rows))}}
	for i, r := range rows {
		p := "item-" + strconv.Itoa(i) + "-"
		f.Set(p+"position", strconv.Itoa((i+1)*10))
		f.Set(p+"choice", r[0])
		f.Set(p+"ref", r[1])
		f.Set(p+"label", r[2])
		if r[3] != "" {
			f.Set(p+"sub", "1")
		}
	}
	return f
}

// headerMenu writes the wide header menu of a page as "text=href" with a
// submenu in brackets.
func headerMenu(d *goquery.Document) string {
	var parts []string
	d.Find(".site-nav__wide > .site-nav__list > li").Each(func(_ int, li *goquery.Selection) {
		if sum := li.Find("summary"); sum.Length() > 0 {
			var subs []string
			li.Find(".site-nav__sublist a").Each(func(_ int, a *goquery.Selection) {
				href, _ := a.Attr("href")
				subs = append(subs, strings.TrimSpace(a.Text())+"="+href)
			})
			parts = append(parts, strings.TrimSpace(sum.Text())+" ["+strings.Join(subs, ", ")+"]")
			return
		}
		a := li.Find("a")
		href, _ := a.Attr("href")
		parts = append(parts, strings.TrimSpace(a.Text())+"="+href)
	})
	return strings.Join(parts, ", ")
}

func TestMenus(t *testing.T) {
	t.Parallel()
	n := newNewsroom(t)
	ctx := t.Context()
	politics := &byline.Section{Name: "Politics"}
	for _, s := range []*byline.Section{politics, {Name: "World"}} {
		if err := n.sections.Create(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range []*byline.Page{{Title: "About us", Slug: "about", Status: byline.Published}, {Title: "Corrections", Slug: "corrections"}} {
		if err := n.pages.Create(ctx, p, 0); err != nil {
			t.Fatal(err)
		}
	}
	a := &byline.Article{Headline: "The vote is called", Body: "Today.", Status: byline.Published, PublishedAt: n.now.Add(-time.Hour),
		Authors: []byline.Author{{Name: "Jo Reporter"}}, Tags: []byline.Tag{{Name: "Elections"}}}
	if err := n.articles.Create(ctx, a); err != nil {
		t.Fatal(err)
	}
	reader, editor := n.browser(t), n.signedIn(t, n.editor)

	home := doc(t, reader.get(t, "/"))
	if got := headerMenu(home); got != "Politics=/section/politics/, World=/section/world/" {
		t.Errorf("header without a menu = %q, want the top-level sections", got)
	}
	if home.Find(".footer-nav").Length() != 0 {
		t.Error("a footer menu is shown, but none was made")
	}
	if got := doc(t, editor.get(t, "/newsroom/menus/header")).Find("#menu-fallback").Length(); got != 1 {
		t.Error("the editor of an empty header menu does not say the header lists the sections")
	}

	n.advance(time.Second)
	resp := editor.post(t, "/newsroom/menus/header", menuForm(
		[4]string{"section:politics", "", "", ""},
		[4]string{"section:world", "", "The world", "sub"},
		[4]string{"tag", "Elections", "", "sub"},
		[4]string{"page:/corrections/", "", "", "sub"}, // a draft: readers do not see it
		[4]string{"page:/about/", "", "", ""},
		[4]string{"link", "https://shop.example.com/", "Shop", ""},
	))
	wantStatus(t, "save the header menu", resp, http.StatusSeeOther)
	if loc := resp.Header.Get("Location"); loc != "/newsroom/menus/header?done=menu-saved" {
		t.Errorf("after saving: to %q", loc)
	}
	resp = editor.post(t, "/newsroom/menus/footer", menuForm([4]string{"link", "/contact", "Contact us", ""}, [4]string{"page:/about/", "", "Who we are", ""}))
	wantStatus(t, "save the footer menu", resp, http.StatusSeeOther)

	// The home page was cached above; the edit must show at once.
	home = doc(t, reader.get(t, "/"))
	want := "Politics [Politics=/section/politics/, The world=/section/world/, Elections=/tag/elections/], About us=/about/, Shop=https://shop.example.com/"
	if got := headerMenu(home); got != want {
		t.Errorf("header after the edit = %q\nwant                        %q", got, want)
	}
	if got := home.Find(".site-nav__narrow summary.site-nav__toggle").Length(); got != 1 {
		t.Errorf("the phone's Menu button appears %d times, want 1", got)
	}
	if got := texts(home.Find(".footer-nav a")); strings.Join(got, "|") != "Contact us|Who we are" {
		t.Errorf("footer menu = %q", got)
	}
	if home.Find("script:not([type='application/ld+json'])").FilterFunction(func(_ int, s *goquery.Selection) bool {
		src, _ := s.Attr("src")
		return strings.Contains(src, "menu")
	}).Length() != 0 {
		t.Error("the menu loads a script; it must work without JavaScript")
	}
	about := doc(t, reader.get(t, "/about/"))
	if cur, _ := about.Find(".site-nav__wide a[aria-current=page]").Attr("href"); cur != "/about/" {
		t.Errorf("on /about/ the current menu item is %q, want /about/", cur)
	}

	t.Run("the editor shows the menu as saved", func(t *testing.T) {
		d := doc(t, editor.get(t, "/newsroom/menus/header"))
		if v, _ := d.Find("#item-1-label").Attr("value"); v != "The world" {
			t.Errorf("row 2's label = %q", v)
		}
		if _, ok := d.Find("#item-2-sub").Attr("checked"); !ok {
			t.Error("row 3 is not marked as in the submenu")
		}
		if v, _ := d.Find("#item-2-ref").Attr("value"); v != "elections" {
			t.Errorf("row 3's tag = %q", v)
		}
		if v, _ := d.Find("#item-4-choice option[selected]").Attr("value"); v != "page:/about/" {
			t.Errorf("row 5 leads to %q", v)
		}
		if got := d.Find("#menu-items tbody tr").Length(); got != 6+4 {
			t.Errorf("the editor has %d rows, want the 6 items and 4 empty ones", got)
		}
	})
	t.Run("a renamed section's address follows", func(t *testing.T) {
		n.advance(time.Second)
		politics.Slug = "government"
		if err := n.sections.Update(ctx, politics); err != nil {
			t.Fatal(err)
		}
		if got := headerMenu(doc(t, reader.get(t, "/"))); !strings.Contains(got, "Politics=/section/government/") {
			t.Errorf("header after renaming = %q, want the new address", got)
		}
	})
	t.Run("bad input is a 400 with a sentence, and the menu stays", func(t *testing.T) {
		for name, tt := range map[string]struct {
			form url.Values
			want string
		}{
			"a javascript: link":   {menuForm([4]string{"link", "javascript:alert(1)", "Click", ""}), "must start with https://"},
			"a submenu first":      {menuForm([4]string{"section:world", "", "", "sub"}), "no item comes before it"},
			"a missing tag":        {menuForm([4]string{"tag", "weather", "", ""}), "no tag"},
			"a link with no label": {menuForm([4]string{"link", "/x", "", ""}), "needs a label"},
			"a bad order":          {url.Values{"rows": {"1"}, "item-0-choice": {"link"}, "item-0-ref": {"/x"}, "item-0-label": {"X"}, "item-0-position": {"first"}}, "not a whole number"},
			"an unknown choice":    {menuForm([4]string{"author:jo", "", "", ""}), "not a section, a page, a tag or a link"},
		} {
			resp := editor.post(t, "/newsroom/menus/header", tt.form)
			if resp.StatusCode != http.StatusBadRequest {
				t.Errorf("%s: status %d, want 400", name, resp.StatusCode)
				continue
			}
			if msg := doc(t, resp).Find(".nr-error").Text(); !strings.Contains(msg, tt.want) {
				t.Errorf("%s: error shown = %q, want it to say %q", name, msg, tt.want)
			}
		}
		resp := editor.post(t, "/newsroom/menus/footer", menuForm([4]string{"section:world", "", "", ""}, [4]string{"link", "/x", "X", "sub"}))
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("a submenu in the footer: status %d, want 400", resp.StatusCode)
		}
		if got := headerMenu(doc(t, reader.get(t, "/"))); !strings.Contains(got, "Shop=") {
			t.Errorf("after the refusals the header is %q, want it unchanged", got)
		}
	})
	t.Run("authors may not edit menus", func(t *testing.T) {
		b := n.signedIn(t, n.author)
		wantStatus(t, "an author opens the editor", b.get(t, "/newsroom/menus/header"), http.StatusForbidden)
		wantStatus(t, "an author saves a menu", b.post(t, "/newsroom/menus/header", menuForm()), http.StatusForbidden)
		wantStatus(t, "an unknown menu", editor.get(t, "/newsroom/menus/sidebar"), http.StatusNotFound)
	})
	t.Run("a cross-origin post is refused", func(t *testing.T) {
		resp := editor.post(t, "/newsroom/menus/header", menuForm(), "Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site")
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("cross-origin save: status %d, want 403", resp.StatusCode)
		}
		if got := headerMenu(doc(t, reader.get(t, "/"))); !strings.Contains(got, "Shop=") {
			t.Errorf("after a cross-origin post the header is %q, want it unchanged", got)
		}
	})
	t.Run("an emptied header menu lists the sections again", func(t *testing.T) {
		n.advance(time.Second)
		wantStatus(t, "empty the header menu", editor.post(t, "/newsroom/menus/header", menuForm()), http.StatusSeeOther)
		if got := headerMenu(doc(t, reader.get(t, "/"))); got != "Politics=/section/government/, World=/section/world/" {
			t.Errorf("header after emptying = %q", got)
		}
	})
}
