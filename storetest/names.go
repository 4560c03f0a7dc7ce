package storetest

import (
	"slices"
	"testing"

	"github.com/bylinenews/byline"
)

func testNameSuggestions(t *testing.T, open Opener) {
	b, _, u := setupDesk(t, open)
	desk, ctx := b.Desk, t.Context()
	credits := []struct {
		authors []string
		tags    []string
	}{
		{[]string{"Eda Editor", "Émile Zola"}, []string{"Syria", "Foreign policy"}},
		{[]string{"Eda Editor"}, []string{"Syria"}},
		{[]string{"Edgar Allan", "Fred 100%_Real"}, []string{"Sports"}},
	}
	for i, c := range credits {
		a := &byline.Article{Headline: "Article " + string(rune('A'+i))}
		for _, n := range c.authors {
			a.Authors = append(a.Authors, byline.Author{Name: n})
		}
		for _, n := range c.tags {
			a.Tags = append(a.Tags, byline.Tag{Name: n})
		}
		if err := desk.CreateArticle(ctx, a, u.ID); err != nil {
			t.Fatal(err)
		}
	}
	names := func(as []byline.Author) []string {
		var out []string
		for _, a := range as {
			out = append(out, a.Name)
		}
		return out
	}
	tests := []struct {
		name  string
		query string
		limit int
		want  []string
	}{
		{"the start of a name, most credited first", "ed", 0, []string{"Eda Editor", "Edgar Allan"}},
		{"whatever the case", "EDA", 0, []string{"Eda Editor"}},
		{"the start of a later word", "zol", 0, []string{"Émile Zola"}},
		{"without the accent", "emile", 0, []string{"Émile Zola"}},
		{"with it", "Ém", 0, []string{"Émile Zola"}},
		{"the start of a word inside the name, written out", "eda edi", 0, []string{"Eda Editor"}},
		{"LIKE's wildcards are plain text", "%", 0, nil},
		{"and match themselves", "fred 100%_", 0, []string{"Fred 100%_Real"}},
		{"an empty query lists all, most credited first", "", 0, []string{"Eda Editor", "Edgar Allan", "Émile Zola", "Fred 100%_Real"}},
		{"up to the limit", "", 2, []string{"Eda Editor", "Edgar Allan"}},
		{"nothing matches", "nobody", 0, nil},
	}
	for _, tt := range tests {
		got, err := desk.FindAuthors(ctx, byline.NameFilter{Query: tt.query, Limit: tt.limit})
		if err != nil {
			t.Fatalf("FindAuthors(%q): %v", tt.query, err)
		}
		if !slices.Equal(names(got), tt.want) {
			t.Errorf("%s: FindAuthors(%q, limit %d) = %q, want %q", tt.name, tt.query, tt.limit, names(got), tt.want)
		}
	}
	for _, a := range func() []byline.Author { got, _ := desk.FindAuthors(ctx, byline.NameFilter{}); return got }() {
		if a.ID == 0 || a.Slug == "" {
			t.Errorf("FindAuthors gave %+v, want its ID and slug", a)
		}
	}
	tags, err := desk.FindTags(ctx, byline.NameFilter{Query: "s"})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, tg := range tags {
		got = append(got, tg.Name)
	}
	if want := []string{"Syria", "Sports"}; !slices.Equal(got, want) {
		t.Errorf("FindTags(%q) = %q, want %q", "s", got, want)
	}
	if tags, _ := desk.FindTags(ctx, byline.NameFilter{Query: "pol"}); len(tags) != 1 || tags[0].Name != "Foreign policy" {
		t.Errorf("FindTags(%q) = %+v, want Foreign policy", "pol", tags)
	}
}
