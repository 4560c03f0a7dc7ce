package importer

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/bylinenews/byline"
	"github.com/bylinenews/byline/markdown"
)

func names[T byline.Author | byline.Tag](list []T) []string {
	out := []string{}
	for _, x := range list {
		switch v := any(x).(type) {
		case byline.Author:
			out = append(out, v.Name)
		case byline.Tag:
			out = append(out, v.Name)
		}
	}
	return out
}

// Every row of the shared news sample imports, its authors and tags split
// into people and subjects, its URL kept as the source.
func TestCSV_NewsSample(t *testing.T) {
	items, err := readItems(t, CSV{}, newsSample(t))
	if err != nil {
		t.Fatal(err)
	}
	recs, skips, bad := articles(items)
	if len(bad) > 0 || len(skips) > 0 {
		t.Fatalf("%d bad rows (first: %v), skipped %v; want none", len(bad), bad[0].Err, skips)
	}
	if len(recs) != 250 {
		t.Fatalf("%d articles, want 250", len(recs))
	}
	byURL := map[string]*byline.Article{}
	r := markdown.New()
	for _, rec := range recs {
		a := rec.Article
		if !strings.HasPrefix(a.SourceURL, "http") {
			t.Errorf("%q: source URL %q", a.Headline, a.SourceURL)
		}
		byURL[a.SourceURL] = a
		for _, au := range a.Authors {
			if strings.Contains(au.Name, ",") || strings.HasSuffix(au.Name, "Editor") || strings.Contains(au.Name, "Free World") {
				t.Errorf("%q: author %q is not one person", a.Headline, au.Name)
			}
		}
		if a.PublishedAt.IsZero() || a.Status != byline.Published {
			t.Errorf("%q: %s at %v, want published at its scraped_at", a.Headline, a.Status, a.PublishedAt)
		}
		if err := a.Validate(); err != nil {
			t.Errorf("%q: %v", a.Headline, err)
		}
		if _, err := r.Render(a.Body); err != nil {
			t.Errorf("%q: render: %v", a.Headline, err)
		}
	}
	if len(byURL) != 250 {
		t.Errorf("%d distinct source URLs, want 250", len(byURL))
	}

	first := byURL["http://awm.com/church-congregation-brings-gift-to-waitresses-working-on-christmas-eve-has-them-crying-video/"]
	if first == nil {
		t.Fatal("the first row's URL is not a source URL")
	}
	if first.Headline != "Church Congregation Brings Gift to Waitresses Working on Christmas Eve, Has Them Crying (video)" {
		t.Errorf("headline = %q", first.Headline)
	}
	if got := names(first.Authors); !reflect.DeepEqual(got, []string{"Ruth Harris"}) {
		t.Errorf("authors = %q", got)
	}
	if !strings.HasPrefix(first.Body, "Sometimes the power of Christmas") || strings.Count(first.Body, "\n\n") < 5 {
		t.Errorf("body = %.120q..., want its paragraphs", first.Body)
	}
	if want := time.Date(2018, 1, 25, 16, 17, 44, 789555000, time.UTC); !first.PublishedAt.Equal(want) {
		t.Errorf("published = %v, want %v (scraped_at)", first.PublishedAt, want)
	}

	// Rows whose bylines hold more than names.
	tests := []struct {
		headlinePrefix string
		authors        []string
	}{
		{"Black Agenda Report", []string{"Margaret Kimberley", "Glen Ford", "Nellie Bailey", "Kyle Fraser", "Nellie Bailiey"}},
	}
	for _, tt := range tests {
		found := false
		for _, a := range byURL {
			if strings.HasPrefix(a.Headline, tt.headlinePrefix) {
				found = true
				if got := names(a.Authors); !reflect.DeepEqual(got, tt.authors) {
					t.Errorf("%q: authors = %q, want %q", a.Headline, got, tt.authors)
				}
			}
		}
		if !found {
			t.Errorf("no article headlined %q...", tt.headlinePrefix)
		}
	}
	tagged := 0
	for _, a := range byURL {
		if len(a.Tags) > 0 {
			tagged++
		}
		for _, tg := range a.Tags {
			if strings.Contains(tg.Name, ",") || strings.Contains(tg.Name, "://") || byline.Slugify(tg.Name) == "" {
				t.Errorf("%q: tag %q", a.Headline, tg.Name)
			}
		}
	}
	if tagged != 27 {
		t.Errorf("%d articles with tags, want the 27 rows with a tags column", tagged)
	}
}

func TestCSV_OtherColumns(t *testing.T) {
	items, err := readItems(t, CSV{}, "testdata/csv/other-columns.csv")
	if err != nil {
		t.Fatal(err)
	}
	recs, _, bad := articles(items)
	if len(bad) > 0 || len(recs) != 1 {
		t.Fatalf("%d good, %d bad", len(recs), len(bad))
	}
	a := recs[0].Article
	if a.Headline != "Headline, with comma" || a.SourceURL != "https://b.example/x" || a.FeatureImageURL != "https://b.example/x.jpg" {
		t.Errorf("article = %+v", a)
	}
	if got := names(a.Authors); !reflect.DeepEqual(got, []string{"Ann Lee", "Bo Chan"}) {
		t.Errorf("authors = %q", got)
	}
	if got := names(a.Tags); !reflect.DeepEqual(got, []string{"World", "Asia"}) {
		t.Errorf("tags = %q", got)
	}
	html, _ := markdown.New().Render(a.Body)
	if !strings.Contains(html.HTML, "<strong>HTML</strong>") {
		t.Errorf("HTML body renders as %q", html.HTML)
	}
	if want := time.Date(2016, 3, 1, 9, 30, 0, 0, time.UTC); !a.PublishedAt.Equal(want) {
		t.Errorf("published = %v, want %v", a.PublishedAt, want)
	}
}

func TestCSV_Errors(t *testing.T) {
	tests := []struct {
		name, file string
		good       int
		badLine    int    // the bad item's line, or the file's error line
		want       string // in the message
		fatal      bool   // the rest of the file cannot be read
	}{
		{"a ragged row is a bad item", "ragged.csv", 2, 5, "The row has 3 fields where the header has 6", false},
		{"an impossible date", "impossible-date.csv", 1, 3, `The date "2018-02-30 10:00:00" is impossible. (column scraped_at)`, false},
		{"invalid UTF-8 names the column", "invalid-utf8.csv", 1, 3, "The title column is not valid UTF-8", false},
		{"a misplaced quote stops the file", "bad-quote.csv", 1, 3, "quote in field", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			items, err := readItems(t, CSV{}, filepath.Join("testdata/csv", tt.file))
			recs, _, bad := articles(items)
			if len(recs) != tt.good {
				t.Errorf("%d good rows, want %d", len(recs), tt.good)
			}
			if tt.fatal {
				var pe *ParseError
				if !errors.As(err, &pe) || pe.Line != tt.badLine || !strings.Contains(err.Error(), tt.want) {
					t.Errorf("error = %v, want line %d and %q", err, tt.badLine, tt.want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(bad) != 1 || bad[0].Line != tt.badLine || !strings.Contains(byline.ErrorMessage(bad[0].Err), tt.want) {
				for _, b := range bad {
					t.Logf("bad: line %d: %v", b.Line, b.Err)
				}
				t.Errorf("want one bad item at line %d saying %q", tt.badLine, tt.want)
			}
		})
	}
	t.Run("a 50 MB field stops the file with a clear message", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "huge.csv")
		f, _ := os.Create(path)
		f.WriteString("url,title,content\nhttps://a.example/1,Fine,Body.\nhttps://a.example/2,Huge,\"")
		chunk := strings.Repeat("x", 1<<20)
		for range 50 {
			f.WriteString(chunk)
		}
		f.WriteString("\"\n")
		f.Close()
		items, err := readItems(t, CSV{}, path)
		if recs, _, _ := articles(items); len(recs) != 1 {
			t.Errorf("%d good rows, want 1", len(recs))
		}
		var pe *ParseError
		if !errors.As(err, &pe) || pe.Line != 3 || !strings.Contains(err.Error(), "larger than") {
			t.Errorf("error = %v, want line 3 and a size message", err)
		}
	})
}

func TestSplitAuthors(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"Ruth Harris", []string{"Ruth Harris"}},
		{"", []string{}},
		{"Margaret Kimberley, Bar Editor, Senior Columnist, Glen Ford, Bar Executive Editor, Nellie Bailey", []string{"Margaret Kimberley", "Glen Ford", "Nellie Bailey"}},
		{"J.J. Jackson, Because Without America, There Is No Free World.", []string{"J.J. Jackson"}},
		{"Because Without America, There Is No Free World.", []string{}},
		{"Friday, September, Vicki Batts", []string{"Vicki Batts"}},
		{"Posted On, Sam Oconnel, President Ron Paul", []string{"Sam Oconnel", "President Ron Paul"}},
		{"Please Enter Your Name Here", []string{}},
		{"Caroline'S Breast Cancer Blog", []string{"Caroline's Breast Cancer Blog"}},
		{"Adrienne, 'S Corner", []string{"Adrienne's Corner"}},
		{"Anatoly Karlin, Sayed Hasan, A. Graham", []string{"Anatoly Karlin", "Sayed Hasan", "A. Graham"}},
		{"By Ann Lee and Bo Chan", []string{"Ann Lee", "Bo Chan"}},
		{"Washington Examiner Staff, Joana Suleiman", []string{"Washington Examiner Staff", "Joana Suleiman"}},
		{"Jane Roe, jane roe", []string{"Jane Roe"}},
	}
	for _, tt := range tests {
		if got := names(splitAuthors(tt.in)); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("splitAuthors(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestSplitTags(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"Brexit, TTIP, smart power", []string{"Brexit", "TTIP", "smart power"}},
		{`Digital Philosophy, 9/11 Articles, "Digital Philosophy" Items, &udarr;, http://www.unz.com/x/`, []string{"Digital Philosophy", "9/11 Articles", `Digital Philosophy" Items`}},
		{"News, news, NEWS", []string{"News"}},
		{"World; Asia | Europe", []string{"World", "Asia", "Europe"}},
		{"", []string{}},
	}
	for _, tt := range tests {
		if got := names(splitTags(tt.in)); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("splitTags(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestParseDate(t *testing.T) {
	tests := []struct {
		in   string
		want time.Time
		err  string
	}{
		{"2018-01-25 16:17:44.789555", time.Date(2018, 1, 25, 16, 17, 44, 789555000, time.UTC), ""},
		{"2015-10-08T12:00:00+02:00", time.Date(2015, 10, 8, 10, 0, 0, 0, time.UTC), ""},
		{"Thu, 08 Oct 2015 12:00:00 +0000", time.Date(2015, 10, 8, 12, 0, 0, 0, time.UTC), ""},
		{"2015-10-08", time.Date(2015, 10, 8, 0, 0, 0, 0, time.UTC), ""},
		{"0000-00-00 00:00:00", time.Time{}, ""},
		{"", time.Time{}, ""},
		{"2015-02-30 10:00:00", time.Time{}, "impossible"},
		{"2015-13-01", time.Time{}, "impossible"},
		{"yesterday", time.Time{}, "not in a form"},
	}
	for _, tt := range tests {
		got, err := parseDate(tt.in)
		if tt.err != "" {
			if err == nil || !strings.Contains(byline.ErrorMessage(err), tt.err) {
				t.Errorf("parseDate(%q) error = %v, want %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || !got.Equal(tt.want) {
			t.Errorf("parseDate(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
}
