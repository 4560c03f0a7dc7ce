package storetest

import (
	"strings"
	"testing"

	"github.com/bylinenews/byline"
)

// RunMenuTests checks a backend's byline.MenuService.
func RunMenuTests(t *testing.T, open Opener) {
	t.Run("ReplaceAndGet", func(t *testing.T) { t.Parallel(); testMenuReplace(t, open) })
	t.Run("Validation", func(t *testing.T) { t.Parallel(); testMenuValidation(t, open) })
	t.Run("Import", func(t *testing.T) { t.Parallel(); testMenuImport(t, open) })
}

// menuSite fills b with what menus lead to: sections politics and world,
// pages /about/ (with /about/team/) and a draft /corrections/, and the tag
// elections.
func menuSite(t *testing.T, b Backend) (politics *byline.Section, about *byline.Page) {
	t.Helper()
	ctx := t.Context()
	politics = &byline.Section{Name: "Politics"}
	for _, s := range []*byline.Section{politics, {Name: "World"}} {
		if err := b.Sections.Create(ctx, s); err != nil {
			t.Fatalf("Create section %s: %v", s.Name, err)
		}
	}
	about = &byline.Page{Title: "About us", Slug: "about", Status: byline.Published}
	if err := b.Pages.Create(ctx, about, 0); err != nil {
		t.Fatal(err)
	}
	for _, p := range []*byline.Page{
		{Title: "The team", Slug: "team", ParentID: about.ID, Status: byline.Published},
		{Title: "Corrections", Slug: "corrections"},
	} {
		if err := b.Pages.Create(ctx, p, 0); err != nil {
			t.Fatal(err)
		}
	}
	a := newArticle("The vote is called", t0)
	a.Tags = []byline.Tag{{Slug: "elections", Name: "Elections"}}
	if err := b.Articles.Create(ctx, a); err != nil {
		t.Fatal(err)
	}
	return politics, about
}

// menuOutline writes a menu as "text=url" entries, a submenu in brackets
// and a hidden item with a "-" in front: enough to compare in one line.
func menuOutline(items []*byline.MenuItem) string {
	var parts []string
	for _, it := range items {
		s := it.Text() + "=" + it.URL
		if !it.Visible {
			s = "-" + s
		}
		if len(it.Children) > 0 {
			s += " [" + menuOutline(it.Children) + "]"
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, ", ")
}

func testMenuReplace(t *testing.T, open Opener) {
	b, clock := openAt(t, open, t0)
	ctx, m := t.Context(), b.Menus
	politics, about := menuSite(t, b)

	if got, err := m.Get(ctx, byline.HeaderMenu); err != nil || got != nil {
		t.Fatalf("Get(header) on a new site = %v, %v; want nil, no error", got, err)
	}
	header := []*byline.MenuItem{
		{Kind: byline.MenuSection, Target: "politics", Children: []*byline.MenuItem{
			{Kind: byline.MenuSection, Target: "world", Label: "The world"},
			{Kind: byline.MenuTag, Target: "elections"},
		}},
		{Kind: byline.MenuPage, Target: "/about/", Label: "About", Children: []*byline.MenuItem{
			{Kind: byline.MenuPage, Target: "/about/team/"},
			{Kind: byline.MenuPage, Target: "/corrections/"},
		}},
		{Kind: byline.MenuLink, Target: "https://shop.example.com/", Label: "Shop"},
	}
	before, _ := b.Articles.LastModified(ctx)
	if err := m.Replace(ctx, byline.HeaderMenu, header); err != nil {
		t.Fatalf("Replace(header): %v", err)
	}
	footer := []*byline.MenuItem{{Kind: byline.MenuLink, Target: "/contact", Label: "Contact us"}, {Kind: byline.MenuPage, Target: "/about/team/", Label: "Staff"}}
	if err := m.Replace(ctx, byline.FooterMenu, footer); err != nil {
		t.Fatalf("Replace(footer): %v", err)
	}
	if after, err := b.Articles.LastModified(ctx); err != nil || !after.After(before) {
		t.Errorf("LastModified went from %v to %v (%v), want later: every cached page shows the menus", before, after, err)
	}

	want := "Politics=/section/politics/ [The world=/section/world/, Elections=/tag/elections/], " +
		"About=/about/ [The team=/about/team/, -Corrections=/corrections/], Shop=https://shop.example.com/"
	got, err := m.Get(ctx, byline.HeaderMenu)
	if err != nil || menuOutline(got) != want {
		t.Errorf("Get(header) = %s (%v)\nwant             %s", menuOutline(got), err, want)
	}
	if v := menuOutline(byline.VisibleMenu(got)); strings.Contains(v, "Corrections") {
		t.Errorf("VisibleMenu(header) = %s, want the draft page left out", v)
	}
	if got, err := m.Get(ctx, byline.FooterMenu); err != nil || menuOutline(got) != "Contact us=/contact, Staff=/about/team/" {
		t.Errorf("Get(footer) = %s (%v)", menuOutline(got), err)
	}

	t.Run("a renamed slug follows and a deleted target is hidden", func(t *testing.T) {
		clock.Advance(1)
		politics.Slug, politics.Name = "government", "Government"
		if err := b.Sections.Update(ctx, politics); err != nil {
			t.Fatal(err)
		}
		about.Slug = "who-we-are"
		if err := b.Pages.Update(ctx, about, about.Version, 0); err != nil {
			t.Fatal(err)
		}
		world, err := b.Sections.FindBySlug(ctx, "world")
		if err != nil {
			t.Fatal(err)
		}
		if err := b.Sections.Delete(ctx, world.ID); err != nil {
			t.Fatal(err)
		}
		got, err := m.Get(ctx, byline.HeaderMenu)
		want := "Government=/section/government/ [-The world=, Elections=/tag/elections/], " +
			"About=/who-we-are/ [The team=/who-we-are/team/, -Corrections=/corrections/], Shop=https://shop.example.com/"
		if err != nil || menuOutline(got) != want {
			t.Errorf("Get(header) = %s (%v)\nwant             %s", menuOutline(got), err, want)
		}
		if v := menuOutline(byline.VisibleMenu(got)); v != "Government=/section/government/ [Elections=/tag/elections/], About=/who-we-are/ [The team=/who-we-are/team/], Shop=https://shop.example.com/" {
			t.Errorf("VisibleMenu(header) = %s", v)
		}
	})
	t.Run("order is the order given, and nil empties a menu", func(t *testing.T) {
		// What Get returns goes back into Replace: the newsroom's editor.
		current, err := m.Get(ctx, byline.FooterMenu)
		if err != nil || len(current) != 2 {
			t.Fatalf("Get(footer) = %s, %v", menuOutline(current), err)
		}
		if err := m.Replace(ctx, byline.FooterMenu, []*byline.MenuItem{current[1], current[0]}); err != nil {
			t.Fatal(err)
		}
		if got, err := m.Get(ctx, byline.FooterMenu); err != nil || menuOutline(got) != "Staff=/who-we-are/team/, Contact us=/contact" {
			t.Errorf("Get(footer) after reordering = %s (%v)", menuOutline(got), err)
		}
		if err := m.Replace(ctx, byline.FooterMenu, nil); err != nil {
			t.Fatal(err)
		}
		if got, err := m.Get(ctx, byline.FooterMenu); err != nil || got != nil {
			t.Errorf("Get(footer) after Replace(nil) = %s (%v), want none", menuOutline(got), err)
		}
		if got, _ := m.Get(ctx, byline.HeaderMenu); len(got) != 3 {
			t.Errorf("emptying the footer left the header with %d items, want 3", len(got))
		}
	})
}

func testMenuValidation(t *testing.T, open Opener) {
	b, _ := openAt(t, open, t0)
	ctx, m := t.Context(), b.Menus
	menuSite(t, b)
	link := func(url string) *byline.MenuItem {
		return &byline.MenuItem{Kind: byline.MenuLink, Target: url, Label: "A link"}
	}
	many := make([]*byline.MenuItem, byline.MaxMenuItems+1)
	for i := range many {
		many[i] = link("/x")
	}
	tests := []struct {
		name  string
		loc   byline.MenuLocation
		items []*byline.MenuItem
		want  string // in the message
	}{
		{"a javascript: URL", byline.HeaderMenu, []*byline.MenuItem{link("javascript:alert(1)")}, "must start with"},
		{"a data: URL", byline.HeaderMenu, []*byline.MenuItem{link("data:text/html,hi")}, "must start with"},
		{"a protocol-relative URL", byline.HeaderMenu, []*byline.MenuItem{link("//evil.example/")}, "must start with"},
		{"a URL with a space", byline.HeaderMenu, []*byline.MenuItem{link("https://a.example/ b")}, "space"},
		{"a link without a label", byline.HeaderMenu, []*byline.MenuItem{{Kind: byline.MenuLink, Target: "/x"}}, "needs a label"},
		{"an unknown kind", byline.HeaderMenu, []*byline.MenuItem{{Kind: "author", Target: "jo"}}, "section, a page, a tag or a link"},
		{"an unknown location", "sidebar", []*byline.MenuItem{link("/x")}, "header menu and a footer menu"},
		{"a submenu in the footer", byline.FooterMenu, []*byline.MenuItem{{Kind: byline.MenuSection, Target: "politics", Children: []*byline.MenuItem{link("/x")}}}, "only the header menu"},
		{"two levels of submenu", byline.HeaderMenu, []*byline.MenuItem{{Kind: byline.MenuSection, Target: "politics",
			Children: []*byline.MenuItem{{Kind: byline.MenuSection, Target: "world", Children: []*byline.MenuItem{link("/x")}}}}}, "one level only"},
		{"too many items", byline.FooterMenu, many, "at most"},
		{"a long label", byline.HeaderMenu, []*byline.MenuItem{{Kind: byline.MenuLink, Target: "/x", Label: strings.Repeat("a", byline.MaxMenuLabelRunes+1)}}, "longer than"},
		{"a missing section", byline.HeaderMenu, []*byline.MenuItem{{Kind: byline.MenuSection, Target: "sport"}}, "no section"},
		{"a missing page", byline.HeaderMenu, []*byline.MenuItem{{Kind: byline.MenuPage, Target: "/team/"}}, "no page"},
		{"a missing tag", byline.HeaderMenu, []*byline.MenuItem{{Kind: byline.MenuTag, Target: "weather"}}, "no tag"},
		{"a NUL in a label", byline.HeaderMenu, []*byline.MenuItem{{Kind: byline.MenuLink, Target: "/x", Label: "a\x00b"}}, "control character"},
	}
	if err := m.Replace(ctx, byline.HeaderMenu, []*byline.MenuItem{link("/kept")}); err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name+" is refused", func(t *testing.T) {
			err := m.Replace(ctx, tt.loc, tt.items)
			if byline.ErrorKind(err) != byline.Invalid || !strings.Contains(byline.ErrorMessage(err), tt.want) {
				t.Errorf("Replace = %v, want Invalid saying %q", err, tt.want)
			}
		})
	}
	if got, err := m.Get(ctx, byline.HeaderMenu); err != nil || menuOutline(got) != "A link=/kept" {
		t.Errorf("after the refusals Get(header) = %s (%v), want the menu as it was", menuOutline(got), err)
	}
	for _, ok := range []string{"https://a.example/", "http://a.example/x?y=1#z", "/contact", "/section/politics/"} {
		if err := m.Replace(ctx, byline.FooterMenu, []*byline.MenuItem{link(ok)}); err != nil {
			t.Errorf("Replace(link %q) = %v, want it stored", ok, err)
		}
	}
}

func testMenuImport(t *testing.T, open Opener) {
	b, _ := openAt(t, open, t0)
	ctx, m := t.Context(), b.Menus
	menuSite(t, b)
	items := []*byline.MenuItem{
		{Kind: byline.MenuSection, Target: "politics", Children: []*byline.MenuItem{
			{Kind: byline.MenuTag, Target: "weather"}, // not on the site
			{Kind: byline.MenuTag, Target: "elections"},
		}},
		{Kind: byline.MenuSection, Target: "sport", Children: []*byline.MenuItem{{Kind: byline.MenuLink, Target: "/x", Label: "Gone with its item"}}},
		{Kind: byline.MenuLink, Target: "javascript:alert(1)", Label: "Refused"},
		{Kind: byline.MenuPage, Target: "/about/team/"},
	}
	n, err := m.Import(ctx, byline.FooterMenu, items)
	if err != nil || n != 2 {
		t.Fatalf("Import(footer) = %d, %v; want the 2 top-level items on the site, submenus dropped in the footer", n, err)
	}
	if got, _ := m.Get(ctx, byline.FooterMenu); menuOutline(got) != "Politics=/section/politics/, The team=/about/team/" {
		t.Errorf("imported footer = %s", menuOutline(got))
	}
	n, err = m.Import(ctx, byline.HeaderMenu, items)
	if err != nil || n != 3 {
		t.Fatalf("Import(header) = %d, %v; want 3", n, err)
	}
	if got, _ := m.Get(ctx, byline.HeaderMenu); menuOutline(got) != "Politics=/section/politics/ [Elections=/tag/elections/], The team=/about/team/" {
		t.Errorf("imported header = %s", menuOutline(got))
	}
}
