package storetest

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/bylinenews/byline"
	"github.com/bylinenews/byline/query"
)

// RunSearchTests checks a backend's byline.SearchService: the query
// language, ranking, marks, paging, typeahead, related articles and "Did
// you mean", and that the index follows the articles. Most tests read one
// shared fixture; those that write get their own.
func RunSearchTests(t *testing.T, open Opener) {
	t.Run("Read", func(t *testing.T) {
		t.Parallel()
		f := newSearchFixture(t, open)
		for _, tt := range []struct {
			name string
			test func(*testing.T, *searchFixture)
		}{
			{"Search", testSearchQueries},
			{"Question", testSearchQuestion},
			{"Scores", testSearchScores},
			{"Paging", testSearchPaging},
			{"Marks", testSearchMarks},
			{"Hostile", testSearchHostile},
			{"Suggest", testSuggest},
			{"Related", testRelated},
			{"DidYouMean", testDidYouMean},
		} {
			t.Run(tt.name, func(t *testing.T) { t.Parallel(); tt.test(t, f) })
		}
	})
	t.Run("IndexFollowsArticles", func(t *testing.T) {
		t.Parallel()
		testSearchIndexFollowsArticles(t, newSearchFixture(t, open))
	})
	t.Run("StopWords", func(t *testing.T) { t.Parallel(); testSearchStopWords(t, open) })
	t.Run("Visibility", func(t *testing.T) { t.Parallel(); testSearchVisibility(t, open) })
	t.Run("RareWords", func(t *testing.T) { t.Parallel(); testSearchRareWords(t, open) })
}

// searchFixture is a small newsroom to search, with the articles by a
// short name.
type searchFixture struct {
	articles byline.ArticleService
	search   byline.SearchService
	byName   map[string]*byline.Article
}

func newSearchFixture(t *testing.T, open Opener) *searchFixture {
	t.Helper()
	b := open(t, func() time.Time { return t0.AddDate(0, 6, 0) })
	f := &searchFixture{articles: b.Articles, search: b.Search, byName: map[string]*byline.Article{}}
	day := func(n int) time.Time { return t0.AddDate(0, 0, n) }
	for _, a := range []struct {
		name string
		byline.Article
	}{
		{"syria", byline.Article{Headline: "Russian, US Relationship In Syria Remains Complicated", Dek: "Moscow offers Washington broader cooperation.",
			Body: "With Russia's increased involvement in the war in Syria, an already tense relationship has become more complicated. Russia is offering the United States far broader cooperation.",
			Tags: []byline.Tag{{Name: "Middle East"}}, Authors: []byline.Author{{Name: "Jane Doe"}}, PublishedAt: day(0)}},
		{"syria-body", byline.Article{Headline: "Talks in Geneva stall", Body: "Diplomats said the war in Syria was not on the agenda. Russia declined to comment.",
			Tags: []byline.Tag{{Name: "Europe"}}, Authors: []byline.Author{{Name: "John Roe"}}, PublishedAt: day(30)}},
		{"russia", byline.Article{Headline: "Russia raises interest rates", Body: "The central bank in Moscow raised rates again.",
			Tags: []byline.Tag{{Name: "Economy"}}, Authors: []byline.Author{{Name: "Jane Doe"}}, PublishedAt: day(60)}},
		{"elections", byline.Article{Headline: "Local elections draw record turnout", Body: "Voters elected a new council. The election was calm.",
			Tags: []byline.Tag{{Name: "Politics"}}, PublishedAt: day(90)}},
		{"cafe", byline.Article{Headline: "A café reopens in Zürich", Body: "The Café Odeon serves coffee again.", PublishedAt: day(100)}},
		{"united-states", byline.Article{Headline: "Trade with the United States grows", Body: "Exports to the states of the union rose, officials said.", PublishedAt: day(110)}},
		{"states-united", byline.Article{Headline: "Rival states united against tariff", Body: "Several states, united, filed suit.", PublishedAt: day(111)}},
		{"hostile", byline.Article{Headline: "Markup <script>alert(1)</script> in a headline", Body: "A body with <b>tags</b> & ampersands about markup.", PublishedAt: day(120)}},
		{"draft", byline.Article{Headline: "Secret Syria draft", Body: "Not yet about Syria.", Status: byline.Draft}},
		{"scheduled", byline.Article{Headline: "Syria report scheduled", Body: "Coming about Syria.", Status: byline.Scheduled, PublishedAt: t0.AddDate(1, 0, 0)}},
	} {
		art := a.Article
		if art.Status == "" {
			art.Status = byline.Published
		}
		if err := f.articles.Create(t.Context(), &art); err != nil {
			t.Fatalf("Create(%q): %v", art.Headline, err)
		}
		f.byName[a.name] = &art
	}
	return f
}

// names returns the fixture names of the hits, in order.
func (f *searchFixture) names(hits []*byline.SearchHit) []string {
	var out []string
	for _, h := range hits {
		out = append(out, f.name(h.Article))
	}
	return out
}

func (f *searchFixture) name(a *byline.Article) string {
	for n, b := range f.byName {
		if b.ID == a.ID {
			return n
		}
	}
	return fmt.Sprintf("article %d", a.ID)
}

func (f *searchFixture) find(t *testing.T, text string) *byline.SearchResult {
	t.Helper()
	res, err := f.search.Search(t.Context(), query.Parse(text))
	if err != nil {
		t.Fatalf("Search(%q): %v", text, err)
	}
	return res
}

func testSearchQueries(t *testing.T, f *searchFixture) {
	tests := []struct {
		name, query string
		want        []string // names in order
	}{
		{"a headline match ranks above a body match", "syria", []string{"syria", "syria-body"}},
		{"drafts and scheduled articles are not found", "secret draft", nil},
		{"articles with every word come before those with some", "russia syria", []string{"syria", "syria-body", "russia"}},
		{"words are stemmed", "election", []string{"elections"}},
		{"diacritics are folded", "cafe zurich", []string{"cafe"}},
		{"case is folded", "SYRIA", []string{"syria", "syria-body"}},
		{"a phrase is strict", `"united states"`, []string{"united-states", "syria"}},
		{"an exclusion is strict", "syria -geneva", []string{"syria"}},
		{"an excluded phrase", `states -"united states"`, []string{"states-united"}},
		{"tag filter", "syria tag:europe", []string{"syria-body"}},
		{"author filter", "russia author:jane-doe", []string{"russia", "syria"}},
		{"after filter", "syria after:2015-10-08", []string{"syria-body"}},
		{"before filter", "russia before:2015-11", []string{"syria"}},
		{"filters alone list newest first", "author:jane-doe", []string{"russia", "syria"}},
		{"an exclusion alone lists the rest", "-syria -russia -states -markup -cafe", []string{"elections"}},
		{"a filter that matches nothing", "syria tag:nothing-here", nil},
		{"an unknown word", "zyxwvut", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := f.find(t, tt.query)
			got := f.names(res.Hits)
			if strings.Join(got, ",") != strings.Join(tt.want, ",") {
				t.Errorf("Search(%q) = %q, want %q", tt.query, got, tt.want)
			}
			if res.Total != len(tt.want) {
				t.Errorf("Search(%q).Total = %d, want %d", tt.query, res.Total, len(tt.want))
			}
		})
	}
}

func testSearchQuestion(t *testing.T, f *searchFixture) {
	const q = "what did russia offer the united states in syria"
	res := f.find(t, q)
	if got := f.names(res.Hits); len(got) != 5 || got[0] != "syria" {
		t.Errorf("Search(%q) = %q, want the Syria story first, then the 4 others with some of the words", q, got)
	}
}

func testSearchScores(t *testing.T, f *searchFixture) {
	res := f.find(t, "russia syria")
	if len(res.Hits) != 3 {
		t.Fatalf("Search(russia syria) = %q, want 3 hits", f.names(res.Hits))
	}
	for i, h := range res.Hits {
		if h.Score < 0 || h.Score >= 2 {
			t.Errorf("hit %d score = %v, want in [0, 2)", i, h.Score)
		}
		if i > 0 && h.Score > res.Hits[i-1].Score {
			t.Errorf("hit %d score %v > hit %d score %v: scores must not rise down the list", i, h.Score, i-1, res.Hits[i-1].Score)
		}
	}
	if res.Hits[1].Score < 1 || res.Hits[2].Score >= 1 {
		t.Errorf("scores %v, %v: want the hits with both words at 1 or more, the other below 1", res.Hits[1].Score, res.Hits[2].Score)
	}
}

func testSearchPaging(t *testing.T, f *searchFixture) {
	ctx := t.Context()
	all, err := f.search.Search(ctx, query.Parse("russia syria states"))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for off := 0; off < all.Total; off += 2 {
		q := query.Parse("russia syria states")
		q.Limit, q.Offset = 2, off
		page, err := f.search.Search(ctx, q)
		if err != nil {
			t.Fatalf("Search(offset %d): %v", off, err)
		}
		if page.Total != all.Total {
			t.Errorf("Search(offset %d).Total = %d, want %d", off, page.Total, all.Total)
		}
		got = append(got, f.names(page.Hits)...)
	}
	if want := f.names(all.Hits); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("pages of 2 = %q, want %q", got, want)
	}

	q := query.Parse("syria")
	q.Offset = 50
	past, err := f.search.Search(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	if len(past.Hits) != 0 || past.Total != 2 {
		t.Errorf("Search(syria, offset 50) = %d hits, total %d; want 0 hits, total 2", len(past.Hits), past.Total)
	}

	q = query.Parse("syria")
	q.Sort = byline.SortNewest
	newest, err := f.search.Search(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	if got := f.names(newest.Hits); strings.Join(got, ",") != "syria-body,syria" {
		t.Errorf("Search(syria, newest first) = %q, want [syria-body syria]", got)
	}
}

func testSearchMarks(t *testing.T, f *searchFixture) {
	res := f.find(t, "relationship syria")
	if len(res.Hits) == 0 {
		t.Fatal("Search(relationship syria) found nothing")
	}
	h := res.Hits[0]
	if got, want := h.Headline.HTML(), "Russian, US <mark>Relationship</mark> In <mark>Syria</mark> Remains Complicated"; got != want {
		t.Errorf("headline = %q, want %q", got, want)
	}
	if !strings.Contains(h.Snippet.HTML(), "<mark>Syria</mark>") || !strings.Contains(h.Snippet.HTML(), "<mark>relationship</mark>") {
		t.Errorf("snippet = %q, want Syria and relationship marked", h.Snippet.HTML())
	}

	res = f.find(t, "markup")
	if len(res.Hits) != 1 {
		t.Fatalf("Search(markup) = %q, want one hit", f.names(res.Hits))
	}
	for _, html := range []string{res.Hits[0].Headline.HTML(), res.Hits[0].Snippet.HTML()} {
		if strings.Contains(html, "<script") || strings.Contains(html, "<b>") {
			t.Errorf("marked text %q lets markup through", html)
		}
		if !strings.Contains(html, "<mark>") {
			t.Errorf("marked text %q has no mark", html)
		}
	}

	res = f.find(t, "tag:politics")
	if len(res.Hits) != 1 || res.Hits[0].Snippet.String() == "" {
		t.Fatalf("Search(tag:politics) = %+v, want one hit with a plain snippet", res.Hits)
	}
}

// testSearchHostile feeds text that means something to FTS5,
// or to nobody, through the parser: none of it may be an error.
func testSearchHostile(t *testing.T, f *searchFixture) {
	inputs := []string{
		`*`, `"`, `""`, `"syria`, `syria"`, `(syria`, `syria)`, `^syria`, `syria*`, `syria:`, `headline:syria`,
		`{headline}: syria`, `NEAR(syria russia)`, `NEAR`, `AND`, `OR`, `NOT`, `syria AND`, `OR syria`, `syria NOT`,
		`- -- ---`, `-"`, `+syria`, `syria + russia`, `'syria'`, `syria;DROP TABLE articles`, `' OR 1=1 --`,
		`the of and`, `a`, "\x00", "\xff\xfe", `\"`, `"" ""`, `𝔰𝔶𝔯𝔦𝔞`, `ߦ`, "\u202esyria", `syria\u0301`, `ǃ`,
		strings.Repeat("syria ", 3000), strings.Repeat(`"(`, 5000), strings.Repeat("x", 10<<10),
		`tag:`, `tag:""`, `author:*`, `before:9999-99-99`, `after:0000`, `after:2015 before:2015`,
	}
	for _, in := range inputs {
		q := query.Parse(in)
		for _, sort := range []byline.SearchSort{byline.SortRelevance, byline.SortNewest} {
			q.Sort = sort
			if _, err := f.search.Search(t.Context(), q); err != nil {
				t.Errorf("Search(Parse(%.40q)) error: %v", in, err)
			}
		}
		if _, err := f.search.Suggest(t.Context(), q, 8); err != nil {
			t.Errorf("Suggest(Parse(%.40q)) error: %v", in, err)
		}
		if _, err := f.search.DidYouMean(t.Context(), q); err != nil {
			t.Errorf("DidYouMean(Parse(%.40q)) error: %v", in, err)
		}
	}
	// Queries no parser would make, straight to the store.
	odd := "\x00\xff"
	for _, q := range []byline.Query{
		{Words: []string{`"`, `*`, ``, ` `}},
		{Phrases: []string{`" OR "`, ``}},
		{Exclude: []string{`*`, ``}},
		{Words: []string{"syria"}, Exclude: []string{""}},
		{Words: []string{"syria"}, Limit: -5, Offset: -3},
		{Words: []string{"syria"}, Limit: 1 << 30, Offset: 1 << 30},
		{Words: []string{"syria", "\xff\xfe"}, Phrases: []string{"a\xff b"}, Exclude: []string{"\xfe"}},
		{Words: []string{"syria"}, Tag: &odd, Author: &odd},
		{Tag: &odd},
	} {
		if _, err := f.search.Search(t.Context(), q); err != nil {
			t.Errorf("Search(%+v) error: %v", q, err)
		}
		if _, err := f.search.Suggest(t.Context(), q, 8); err != nil {
			t.Errorf("Suggest(%+v) error: %v", q, err)
		}
	}
}

func testSearchIndexFollowsArticles(t *testing.T, f *searchFixture) {
	ctx := t.Context()

	// Re-importing an article with a new headline reindexes it.
	a := f.byName["elections"]
	edited := &byline.Article{Slug: a.Slug, Headline: "Local referendum draws record turnout", Body: "Voters chose.", Status: byline.Published, PublishedAt: a.PublishedAt}
	if _, err := byline.ImportArticles(ctx, f.articles, []*byline.Article{edited}); err != nil {
		t.Fatalf("Import: %v", err)
	}
	if res := f.find(t, "referendum"); len(res.Hits) != 1 || res.Hits[0].Article.ID != a.ID {
		t.Errorf("after edit, Search(referendum) = %q, want the edited article", f.names(res.Hits))
	}
	if res := f.find(t, "election"); len(res.Hits) != 0 {
		t.Errorf("after edit, Search(election) = %q, want nothing", f.names(res.Hits))
	}

	if err := f.articles.Delete(ctx, f.byName["cafe"].ID); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if res := f.find(t, "cafe"); len(res.Hits) != 0 {
		t.Errorf("after delete, Search(cafe) = %q, want nothing", f.names(res.Hits))
	}
}

func testSuggest(t *testing.T, f *searchFixture) {
	tests := []struct {
		name, text string
		n          int
		want       []string // headlines, marked
	}{
		{"the last word is a prefix", "syri", 8, []string{"Russian, US Relationship In <mark>Syria</mark> Remains Complicated"}},
		{"a prefix of an unstemmed word", "electi", 8, []string{"Local <mark>elections</mark> draw record turnout"}},
		{"every word must be in the headline", "russia rat", 8, []string{"<mark>Russia</mark> raises interest <mark>rates</mark>"}},
		{"a finished word is no prefix", "rat ", 8, nil},
		{"one letter suggests nothing", "s", 8, nil},
		{"body words are not suggested", "geneva diplomats", 8, nil},
		{"n bounds the list", "stat", 1, []string{"Rival <mark>states</mark> united against tariff"}},
		{"diacritics are folded", "zur", 8, []string{"A café reopens in <mark>Zürich</mark>"}},
		{"drafts are not suggested", "secret", 8, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := f.search.Suggest(t.Context(), query.Parse(tt.text), tt.n)
			if err != nil {
				t.Fatalf("Suggest(%q): %v", tt.text, err)
			}
			var heads []string
			for _, s := range got {
				heads = append(heads, s.Headline.HTML())
				if s.Article.Slug == "" {
					t.Errorf("Suggest(%q) returned an article without its slug", tt.text)
				}
			}
			if strings.Join(heads, "|") != strings.Join(tt.want, "|") {
				t.Errorf("Suggest(%q, %d) = %q, want %q", tt.text, tt.n, heads, tt.want)
			}
		})
	}
}

func testRelated(t *testing.T, f *searchFixture) {
	a := f.byName["syria"]
	related, err := f.search.Related(t.Context(), a, 3)
	if err != nil {
		t.Fatalf("Related: %v", err)
	}
	if len(related) == 0 {
		t.Fatal("Related(syria article) = nothing, want the other Syria and Russia stories")
	}
	for _, r := range related {
		if r.ID == a.ID {
			t.Errorf("Related(%q) includes the article itself", a.Headline)
		}
		if r.Status != byline.Published {
			t.Errorf("Related(%q) includes %q, which is %s", a.Headline, r.Headline, r.Status)
		}
	}
	if got := f.name(related[0]); got != "syria-body" && got != "russia" {
		t.Errorf("Related(%q)[0] = %s, want a Syria or Russia story", a.Headline, got)
	}
	if len(related) > 3 {
		t.Errorf("Related(n=3) returned %d", len(related))
	}
}

func testDidYouMean(t *testing.T, f *searchFixture) {
	tests := []struct{ in, want string }{
		{"Syira", "Syria"},
		{"russa syira", "russia syria"},
		{`"relationshp in syria"`, `"relationship in syria"`},
		{"syria", ""},              // nothing to correct
		{"qqqqqqq", ""},            // nothing near
		{"secrt", ""},              // near only a draft's word: not offered
		{"the", ""},                // stop words are left alone
		{"elections", ""},          // known through its stem
		{"syira tag:politics", ""}, // corrected, but the filter leaves nothing
	}
	for _, tt := range tests {
		got, err := f.search.DidYouMean(t.Context(), query.Parse(tt.in))
		if err != nil {
			t.Fatalf("DidYouMean(%q): %v", tt.in, err)
		}
		gotText := ""
		if got != nil {
			gotText = got.String()
		}
		if gotText != tt.want {
			t.Errorf("DidYouMean(%q) = %q, want %q", tt.in, gotText, tt.want)
		}
	}
}

// testSearchStopWords: stop words do not decide a search that has other
// words, but a search of nothing else finds them.
func testSearchStopWords(t *testing.T, open Opener) {
	b := open(t, func() time.Time { return t0.AddDate(0, 1, 0) })
	ctx := t.Context()
	for i, headline := range []string{"The Who play Hyde Park", "Who will pay for the park?", "Parks reopen"} {
		a := &byline.Article{Headline: headline, Body: "Text.", Status: byline.Published, PublishedAt: t0.AddDate(0, 0, i)}
		if err := b.Articles.Create(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	for _, tt := range []struct {
		query string
		want  []string
	}{
		{"the who", []string{"The Who play Hyde Park", "Who will pay for the park?"}},
		{"the park", []string{"Parks reopen", "Who will pay for the park?", "The Who play Hyde Park"}},
	} {
		res, err := b.Search.Search(ctx, query.Parse(tt.query))
		if err != nil {
			t.Fatalf("Search(%q): %v", tt.query, err)
		}
		var got []string
		for _, h := range res.Hits {
			got = append(got, h.Article.Headline)
		}
		if len(got) != len(tt.want) || (len(got) > 0 && got[0] != tt.want[0]) {
			t.Errorf("Search(%q) = %q, want %q (the first as given)", tt.query, got, tt.want)
		}
	}
	// Suggestions are the newest matching headlines.
	sugg, err := b.Search.Suggest(ctx, query.Parse("par"), 2)
	if err != nil {
		t.Fatal(err)
	}
	var heads []string
	for _, s := range sugg {
		heads = append(heads, s.Headline.String())
	}
	if want := []string{"Parks reopen", "Who will pay for the park?"}; fmt.Sprint(heads) != fmt.Sprint(want) {
		t.Errorf("Suggest(par, 2) = %q, want %q", heads, want)
	}
}

// testSearchVisibility: a scheduled article is found once it is due, by
// every kind of search, and a deleted one no more.
func testSearchVisibility(t *testing.T, open Opener) {
	b, clock := openAt(t, open, t0)
	ctx := t.Context()
	now := &byline.Article{Headline: "Volcano erupts in Iceland", Body: "Ash over Reykjavik.", Status: byline.Published, PublishedAt: t0.Add(-time.Hour)}
	later := &byline.Article{Headline: "Volcano calms down", Body: "Flights resume over Iceland.", Status: byline.Scheduled, PublishedAt: t0.Add(time.Hour)}
	for _, a := range []*byline.Article{now, later} {
		if err := b.Articles.Create(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	check := func(t *testing.T, wantSearch, wantSuggest, wantRelated int) {
		t.Helper()
		res, err := b.Search.Search(ctx, query.Parse("volcano"))
		if err != nil || res.Total != wantSearch || len(res.Hits) != wantSearch {
			t.Errorf("Search(volcano) = %d hits of %d, %v; want %d", len(res.Hits), res.Total, err, wantSearch)
		}
		sugg, err := b.Search.Suggest(ctx, query.Parse("volc"), 8)
		if err != nil || len(sugg) != wantSuggest {
			t.Errorf("Suggest(volc) = %d, %v; want %d", len(sugg), err, wantSuggest)
		}
		rel, err := b.Search.Related(ctx, now, 5)
		if err != nil || len(rel) != wantRelated {
			t.Errorf("Related(%q) = %d, %v; want %d", now.Headline, len(rel), err, wantRelated)
		}
	}
	t.Run("before it is due", func(t *testing.T) { check(t, 1, 1, 0) })
	clock.Set(t0.Add(2 * time.Hour))
	t.Run("once it is due", func(t *testing.T) { check(t, 2, 2, 1) })
	if err := b.Articles.Delete(ctx, later.ID); err != nil {
		t.Fatal(err)
	}
	t.Run("once deleted", func(t *testing.T) { check(t, 1, 1, 0) })
}

// testSearchRareWords: ranking weighs a word by how rare it is (BM25's
// idf), on every backend. "harbour" is in most of the archive, three times
// in each body; "zeppelin" in one article, once, and that the oldest. A
// count of weighted matches (ts_rank_cd) puts the harbour stories first;
// BM25 puts the zeppelin first, after the one article holding both words.
func testSearchRareWords(t *testing.T, open Opener) {
	b := open(t, func() time.Time { return t0.AddDate(0, 2, 0) })
	ctx := t.Context()
	create := func(headline, body string, day int) {
		t.Helper()
		a := &byline.Article{Headline: headline, Body: body, Status: byline.Published, PublishedAt: t0.AddDate(0, 0, day)}
		if err := b.Articles.Create(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	create("A sighting at dawn", "Walkers saw a zeppelin over the hills.", 0)
	for i := range 20 {
		create(fmt.Sprintf("Council report %d", i), "The harbour wall, the harbour steps and the harbour lights were discussed.", 1+i)
	}
	create("Night flight", "A zeppelin moored at the harbour.", 30)
	for _, text := range []string{"harbour zeppelin", "zeppelin harbour"} {
		res, err := b.Search.Search(ctx, query.Parse(text))
		if err != nil {
			t.Fatalf("Search(%q): %v", text, err)
		}
		var got []string
		for _, h := range res.Hits[:min(3, len(res.Hits))] {
			got = append(got, h.Article.Headline)
		}
		if want := []string{"Night flight", "A sighting at dawn"}; len(got) < 2 || got[0] != want[0] || got[1] != want[1] {
			t.Errorf("Search(%q) begins %q, want %q (the rare word's article before the common word's)", text, got, want)
		}
	}
}
