package importer

import (
	"bytes"
	"encoding/xml"
	"flag"
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bylinenews/byline"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// xmlNode is any element, for checking a file's structure.
type xmlNode struct {
	XMLName  xml.Name
	Attrs    []xml.Attr `xml:",any,attr"`
	Text     string     `xml:",chardata"`
	Children []xmlNode  `xml:",any"`
}

func (n *xmlNode) child(space, local string) *xmlNode {
	for i := range n.Children {
		c := &n.Children[i]
		if c.XMLName.Local == local && c.XMLName.Space == space {
			return c
		}
	}
	return nil
}

func (n *xmlNode) all(space, local string) []*xmlNode {
	var out []*xmlNode
	for i := range n.Children {
		if c := &n.Children[i]; c.XMLName.Local == local && c.XMLName.Space == space {
			out = append(out, c)
		}
	}
	return out
}

func (n *xmlNode) attr(local string) string {
	for _, a := range n.Attrs {
		if a.Name.Local == local {
			return a.Value
		}
	}
	return ""
}

const (
	nsWP      = "http://wordpress.org/export/1.2/"
	nsContent = "http://purl.org/rss/1.0/modules/content/"
	nsExcerpt = "http://wordpress.org/export/1.2/excerpt/"
)

// The WXR export has what WordPress's importer reads: WXR 1.2 with its
// namespaces, the authors before the items, and per post the fields the
// importer maps (wordpress-importer's parsers/class-wxr-parser-simplexml.php).
func TestWXRWriter_Structure(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	if _, err := runImport(t, s, Options{}, sampleFolder(t)); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	w, _ := NewWXRWriter(&buf, Site{Title: "The Daily Example", BaseURL: "https://news.example.com/"})
	if _, err := ExportSite(t.Context(), s.source(), w); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, ns := range []string{`xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"`, `xmlns:content="http://purl.org/rss/1.0/modules/content/"`,
		`xmlns:wfw="http://wellformedweb.org/CommentAPI/"`, `xmlns:dc="http://purl.org/dc/elements/1.1/"`, `xmlns:wp="http://wordpress.org/export/1.2/"`} {
		if !strings.Contains(out, ns) {
			t.Errorf("the file does not declare %s", ns)
		}
	}
	var rss xmlNode
	if err := xml.Unmarshal(buf.Bytes(), &rss); err != nil {
		t.Fatalf("the export is not well-formed XML: %v", err)
	}
	if rss.XMLName.Local != "rss" || rss.attr("version") != "2.0" {
		t.Fatalf("root <%s version=%q>, want <rss version=\"2.0\">", rss.XMLName.Local, rss.attr("version"))
	}
	ch := rss.child("", "channel")
	if ch == nil {
		t.Fatal("no <channel>")
	}
	if v := ch.child(nsWP, "wxr_version"); v == nil || v.Text != "1.2" {
		t.Errorf("wp:wxr_version = %v, want 1.2", v)
	}
	for _, name := range []string{"base_site_url", "base_blog_url"} {
		if v := ch.child(nsWP, name); v == nil || v.Text != "https://news.example.com" {
			t.Errorf("wp:%s = %v", name, v)
		}
	}
	logins := map[string]bool{}
	for _, a := range ch.all(nsWP, "author") {
		login, display := a.child(nsWP, "author_login"), a.child(nsWP, "author_display_name")
		if login == nil || display == nil || login.Text == "" || display.Text == "" || a.child(nsWP, "author_id") == nil {
			t.Errorf("wp:author without login, display name or ID: %+v", a)
			continue
		}
		logins[login.Text] = true
	}
	if !logins["jdoe"] || !logins["ruth-harris"] {
		t.Errorf("authors %v lack jdoe and ruth-harris", logins)
	}

	tagSlugs, categorySlugs := map[string]bool{}, map[string]bool{}
	for _, tag := range ch.all(nsWP, "tag") {
		tagSlugs[tag.child(nsWP, "tag_slug").Text] = true
	}
	for _, c := range ch.all(nsWP, "category") {
		nice, name := c.child(nsWP, "category_nicename"), c.child(nsWP, "cat_name")
		if nice == nil || name == nil || nice.Text == "" || name.Text == "" || c.child(nsWP, "term_id") == nil {
			t.Errorf("wp:category without nicename, name or term ID: %+v", c)
			continue
		}
		if p := c.child(nsWP, "category_parent"); p != nil && p.Text != "" && !categorySlugs[p.Text] {
			t.Errorf("wp:category %s comes before its parent %s", nice.Text, p.Text)
		}
		categorySlugs[nice.Text] = true
	}
	if !categorySlugs["world"] {
		t.Errorf("categories %v lack world", categorySlugs)
	}

	posts, attachments, pages := map[string]*xmlNode{}, map[string]*xmlNode{}, map[string]*xmlNode{}
	for _, item := range ch.all("", "item") {
		for _, f := range []struct{ space, local string }{
			{"", "title"}, {"", "link"}, {"", "pubDate"}, {"http://purl.org/dc/elements/1.1/", "creator"}, {"", "guid"},
			{nsContent, "encoded"}, {nsExcerpt, "encoded"}, {nsWP, "post_id"}, {nsWP, "post_date"}, {nsWP, "post_date_gmt"},
			{nsWP, "comment_status"}, {nsWP, "post_name"}, {nsWP, "status"}, {nsWP, "post_parent"}, {nsWP, "post_type"}, {nsWP, "is_sticky"},
		} {
			if item.child(f.space, f.local) == nil {
				t.Fatalf("item %q lacks <%s>", item.child("", "title").Text, f.local)
			}
		}
		id := item.child(nsWP, "post_id").Text
		if _, err := strconv.Atoi(id); err != nil || posts[id] != nil || attachments[id] != nil || pages[id] != nil {
			t.Errorf("post_id %q is not a unique number", id)
		}
		switch typ := item.child(nsWP, "post_type").Text; typ {
		case "post":
			posts[id] = item
			if st := item.child(nsWP, "status").Text; st != "publish" && st != "draft" && st != "future" {
				t.Errorf("post %s: status %q", id, st)
			}
			if c := item.child("http://purl.org/dc/elements/1.1/", "creator").Text; c != "" && !logins[c] {
				t.Errorf("post %s: dc:creator %q is not among the wp:author logins", id, c)
			}
			for _, c := range item.all("", "category") {
				declared := tagSlugs
				if c.attr("domain") == "category" {
					declared = categorySlugs
				}
				if !declared[c.attr("nicename")] || c.Text == "" {
					t.Errorf("post %s: category %+v is not a declared wp:tag or wp:category", id, c)
				}
			}
			if _, err := time.Parse("2006-01-02 15:04:05", item.child(nsWP, "post_date").Text); err != nil {
				t.Errorf("post %s: post_date: %v", id, err)
			}
		case "page":
			pages[id] = item
			if st := item.child(nsWP, "status").Text; st != "publish" && st != "draft" {
				t.Errorf("page %s: status %q", id, st)
			}
			if parent := item.child(nsWP, "post_parent").Text; parent != "0" && pages[parent] == nil {
				t.Errorf("page %s comes before its parent %s", id, parent)
			}
		case "attachment":
			attachments[id] = item
			if item.child(nsWP, "attachment_url") == nil {
				t.Errorf("attachment %s has no wp:attachment_url", id)
			}
		default:
			t.Errorf("item %s of type %q", id, typ)
		}
	}
	if len(posts) != sampleStories || len(pages) != 1 {
		t.Errorf("%d posts and %d pages, want %d and the sample's one page", len(posts), len(pages), sampleStories)
	}
	thumbs := 0
	for id, p := range posts {
		for _, m := range p.all(nsWP, "postmeta") {
			if m.child(nsWP, "meta_key").Text != "_thumbnail_id" {
				continue
			}
			thumbs++
			att := attachments[m.child(nsWP, "meta_value").Text]
			if att == nil || att.child(nsWP, "post_parent").Text != id {
				t.Errorf("post %s: _thumbnail_id names no attachment of this post", id)
			}
		}
	}
	if thumbs == 0 || thumbs != len(attachments) {
		t.Errorf("%d thumbnails, %d attachments; want one attachment per feature image", thumbs, len(attachments))
	}
}

// A small export, byte for byte: testdata/export.wxr.golden and
// testdata/export.jsonl.golden (go test -update rewrites them).
func TestWriters_Golden(t *testing.T) {
	t.Parallel()
	at := time.Date(2015, 10, 8, 12, 0, 0, 0, time.UTC)
	recs := []*byline.ArticleRecord{
		{Article: &byline.Article{ID: 1, Slug: "syria-talks", Headline: "Syria talks & “cooperation”", Dek: "A <dek>.",
			Body: "Talks **resumed**.\n\n> A quote.", BodyHTML: "<p>Talks <strong>resumed</strong>.</p>\n<blockquote class=\"pull-quote\"><p>A quote.</p></blockquote>\n",
			Status: byline.Published, PublishedAt: at, CreatedAt: at, UpdatedAt: at.Add(time.Hour),
			Authors:   []byline.Author{{Slug: "jdoe", Name: "Jane Doe"}, {Slug: "ivan", Name: "Иван Петров"}},
			Tags:      []byline.Tag{{Slug: "syria", Name: "Syria"}},
			SourceURL: "https://old.example.com/2015/10/syria-talks/", FeatureImageURL: "https://old.example.com/talks.jpg"},
			ImportKey: "wxr:https://old.example.com/?p=12", OldPaths: []string{"/?p=12"}},
		{Article: &byline.Article{ID: 2, Slug: "draft", Headline: "A draft", Dek: "Ends ]]> early", Body: "CDATA ends ]]> here.\x01",
			BodyHTML: "<p>CDATA ends ]]&gt; here.</p>\n", Status: byline.Draft, CreatedAt: at, UpdatedAt: at},
			ImportKey: "slug:draft"},
	}
	for _, format := range ExportFormats {
		t.Run(format, func(t *testing.T) {
			var buf bytes.Buffer
			w, err := NewWriter(format, &buf, Site{Title: "The Daily Example", BaseURL: "https://news.example.com", Now: at})
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range recs {
				if err := w.Write(r); err != nil {
					t.Fatal(err)
				}
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			golden := "testdata/export." + format + ".golden"
			if *update {
				os.WriteFile(golden, buf.Bytes(), 0o644)
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(buf.Bytes(), want) {
				t.Errorf("export differs from %s (run go test -update after checking):\n%s", golden, buf.String())
			}
			// And reads back as the same records.
			var f Format = JSONL{}
			if format == "wxr" {
				f = &WXR{}
			}
			var got []*byline.ArticleRecord
			err = f.ReadItems(golden, bytes.NewReader(buf.Bytes()), func(it *Item) error {
				if it.Err != nil {
					t.Errorf("read back: %v", it.Err)
				}
				if it.Record != nil {
					got = append(got, it.Record)
				}
				return nil
			})
			if err != nil || len(got) != len(recs) {
				t.Fatalf("read back %d records, %v; want %d", len(got), err, len(recs))
			}
			for i := range recs {
				w, g := toJSONArticle(recs[i]), toJSONArticle(got[i])
				if !reflect.DeepEqual(w, g) {
					t.Errorf("record %d read back as\n%+v\nwant\n%+v", i, g, w)
				}
			}
		})
	}
}
