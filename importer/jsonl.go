package importer

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/bylinenews/byline"
)

// JSONL reads Byline's JSON-lines format, the one `byline export --format
// jsonl` writes: one article per line, as a JSON object with these fields
// (only headline is required):
//
//	headline           string  the headline ("title" is taken as its alias, as in CSV; giving both is an error)
//	slug               string  the permalink's last part; made from the headline when absent
//	dek                string  the standfirst shown under the headline
//	body               string  the body, Markdown (raw HTML allowed)
//	status             string  "published" (the default), "draft" or "scheduled"
//	published_at       string  RFC 3339 time of publication
//	created_at         string  RFC 3339; the import's time when absent
//	updated_at         string  RFC 3339; the import's time when absent
//	authors            array   of {"name": string, "slug": string (optional)}
//	tags               array   of {"name": string, "slug": string (optional)}
//	sections           array   of {"name": string, "slug": string (optional)}, the primary first
//	source_url         string  where the article came from; re-imports match on it
//	feature_image_url  string  the image shown with the article
//	import_key         string  the article's identity in the system it came from; re-imports match on it first
//	old_paths          array   of strings: old addresses that redirect to the article
//
// A line with a "type" is not an article but part of the site's
// structure, written before the articles:
//
//	{"type": "section", "slug": string, "name": string, "description": string, "parent": string (the parent's slug), "position": number}
//	{"type": "author", "slug": string, "name": string, "job_title": string, "bio": string (plain text),
//	 "photo_url": string (under /files/uploads/), "website": string, "links": array of {"label": string, "url": string}}
//	{"type": "page", "title": string, "slug": string, "parent": string (the parent page's slug), "body": string (Markdown),
//	 "status": "published" or "draft", "position": number, "import_key": string, "old_paths": array of strings}
//
// Unknown fields are an error, so that a misspelt one is not lost quietly.
// Blank lines are skipped.
type JSONL struct{}

// Name implements Format.
func (JSONL) Name() string { return "jsonl" }

// Detect implements Format: a .jsonl or .ndjson file, or one whose first
// line is a JSON object with a headline (or a title).
func (JSONL) Detect(name string, head []byte) bool {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".jsonl", ".ndjson":
		return true
	}
	first, _, _ := bytes.Cut(bytes.TrimLeft(head, " \t\r\n\ufeff"), []byte("\n"))
	return bytes.HasPrefix(first, []byte("{")) &&
		(bytes.Contains(first, []byte(`"headline"`)) || bytes.Contains(first, []byte(`"title"`)))
}

// jsonArticle is one line of the format.
type jsonArticle struct {
	Headline        string     `json:"headline"`
	Title           *string    `json:"title,omitempty"` // an alias of Headline
	Slug            string     `json:"slug,omitempty"`
	Dek             string     `json:"dek,omitempty"`
	Body            string     `json:"body"`
	Status          string     `json:"status,omitempty"`
	PublishedAt     string     `json:"published_at,omitempty"`
	CreatedAt       string     `json:"created_at,omitempty"`
	UpdatedAt       string     `json:"updated_at,omitempty"`
	Authors         []jsonName `json:"authors,omitempty"`
	Tags            []jsonName `json:"tags,omitempty"`
	Sections        []jsonName `json:"sections,omitempty"`
	SourceURL       string     `json:"source_url,omitempty"`
	FeatureImageURL string     `json:"feature_image_url,omitempty"`
	ImportKey       string     `json:"import_key,omitempty"`
	OldPaths        []string   `json:"old_paths,omitempty"`
}

// jsonSection is a line of type "section".
type jsonSection struct {
	Type        string `json:"type"`
	Slug        string `json:"slug"`
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	Parent      string `json:"parent,omitempty"`
	Position    int    `json:"position,omitempty"`
}

// jsonAuthor is a line of type "author": an author's name and profile.
type jsonAuthor struct {
	Type     string           `json:"type"`
	Slug     string           `json:"slug"`
	Name     string           `json:"name"`
	JobTitle string           `json:"job_title,omitempty"`
	Bio      string           `json:"bio,omitempty"`
	PhotoURL string           `json:"photo_url,omitempty"`
	Website  string           `json:"website,omitempty"`
	Links    []jsonAuthorLink `json:"links,omitempty"`
}

// jsonAuthorLink is one of an author's links.
type jsonAuthorLink struct {
	Label string `json:"label"`
	URL   string `json:"url"`
}

func toJSONAuthor(au *byline.Author) jsonAuthor {
	j := jsonAuthor{Type: "author", Slug: au.Slug, Name: au.Name, JobTitle: au.JobTitle, Bio: au.Bio, PhotoURL: au.PhotoURL, Website: au.Website}
	for _, l := range au.Links {
		j.Links = append(j.Links, jsonAuthorLink(l))
	}
	return j
}

// jsonPage is a line of type "page".
type jsonPage struct {
	Type      string   `json:"type"`
	Title     string   `json:"title"`
	Slug      string   `json:"slug,omitempty"`
	Parent    string   `json:"parent,omitempty"`
	Body      string   `json:"body"`
	Status    string   `json:"status,omitempty"`
	Position  int      `json:"position,omitempty"`
	ImportKey string   `json:"import_key,omitempty"`
	OldPaths  []string `json:"old_paths,omitempty"`
}

func toJSONPage(rec *byline.PageRecord) jsonPage {
	p := rec.Page
	return jsonPage{Type: "page", Title: p.Title, Slug: p.Slug, Parent: p.ParentSlug, Body: p.Body, Status: string(p.Status),
		Position: p.Position, ImportKey: rec.ImportKey, OldPaths: rec.OldPaths}
}

// decodeJSONPage reads a line of type "page".
func decodeJSONPage(line []byte) (*byline.PageRecord, error) {
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.DisallowUnknownFields()
	var j jsonPage
	if err := dec.Decode(&j); err != nil {
		return nil, jsonError(err)
	}
	if (j.Slug != "" && byline.Slugify(j.Slug) != j.Slug) || (j.Parent != "" && byline.Slugify(j.Parent) != j.Parent) {
		return nil, byline.Errorf(byline.Invalid, "A page's slug, and its parent's, may hold only lower-case letters, digits and single hyphens.")
	}
	status := byline.Status(j.Status)
	if status == "" {
		status = byline.Published
	}
	return &byline.PageRecord{Page: &byline.Page{Title: j.Title, Slug: j.Slug, ParentSlug: j.Parent, Body: j.Body, Status: status, Position: j.Position},
		ImportKey: j.ImportKey, OldPaths: j.OldPaths}, nil
}

// jsonType is what a line says it is: "" for an article.
type jsonType struct {
	Type string `json:"type"`
}

type jsonName struct {
	Name string `json:"name"`
	Slug string `json:"slug,omitempty"`
}

// ReadItems implements Format.
func (JSONL) ReadItems(name string, r io.Reader, emit func(*Item) error) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), maxItemBytes)
	n := 0
	for sc.Scan() {
		n++
		line := bytes.TrimSpace(sc.Bytes())
		if n == 1 {
			line = bytes.TrimPrefix(line, []byte("\ufeff"))
		}
		if len(line) == 0 {
			continue
		}
		it := &Item{Line: n, Label: fmt.Sprintf("line %d", n)}
		var kind jsonType
		if bytes.Contains(line, []byte(`"type"`)) && json.Unmarshal(line, &kind) == nil && kind.Type != "" {
			decodeStructure(it, kind.Type, line)
		} else if rec, err := decodeJSONArticle(line); err != nil {
			it.Err = err
		} else {
			it.Record, it.Label = rec, rec.Article.Headline
		}
		if err := emit(it); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return &ParseError{File: name, Line: n + 1, Err: errItemTooLarge}
		}
		return &ParseError{File: name, Line: n + 1, Err: err}
	}
	return nil
}

// decodeStructure reads a line of the site's structure into it.
func decodeStructure(it *Item, kind string, line []byte) {
	if !utf8.Valid(line) {
		it.Err = byline.Errorf(byline.Invalid, "This line is not valid UTF-8 text.")
		return
	}
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.DisallowUnknownFields()
	switch kind {
	case "section":
		var j jsonSection
		if err := dec.Decode(&j); err != nil {
			it.Err = jsonError(err)
			return
		}
		if j.Slug == "" || byline.Slugify(j.Slug) != j.Slug || (j.Parent != "" && byline.Slugify(j.Parent) != j.Parent) {
			it.Err = byline.Errorf(byline.Invalid, "A section needs a slug of lower-case letters, digits and single hyphens, and so does its parent.")
			return
		}
		it.Label = "section “" + j.Name + "”"
		it.Section = &byline.Section{Slug: j.Slug, Name: j.Name, Description: j.Description, ParentSlug: j.Parent, Position: j.Position}
	case "author":
		var j jsonAuthor
		if err := dec.Decode(&j); err != nil {
			it.Err = jsonError(err)
			return
		}
		if j.Slug == "" || byline.Slugify(j.Slug) != j.Slug {
			it.Err = byline.Errorf(byline.Invalid, "An author needs a slug of lower-case letters, digits and single hyphens.")
			return
		}
		it.Label = "author “" + j.Name + "”"
		it.Author = &byline.Author{Slug: j.Slug, Name: j.Name, JobTitle: j.JobTitle, Bio: j.Bio, PhotoURL: j.PhotoURL, Website: j.Website}
		for _, l := range j.Links {
			it.Author.Links = append(it.Author.Links, byline.AuthorLink(l))
		}
	case "page":
		rec, err := decodeJSONPage(line)
		if err != nil {
			it.Err = err
			return
		}
		it.Label = "page “" + rec.Page.Title + "”"
		it.Page = &PageItem{Record: rec}
	default:
		it.Err = byline.Errorf(byline.Invalid, "Unknown type %q: a line is an article (no type), a section, an author or a page.", kind)
	}
}

// decodeJSONArticle reads one line of the format.
func decodeJSONArticle(line []byte) (*byline.ArticleRecord, error) {
	if !utf8.Valid(line) {
		return nil, byline.Errorf(byline.Invalid, "This line is not valid UTF-8 text.")
	}
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.DisallowUnknownFields()
	var j jsonArticle
	if err := dec.Decode(&j); err != nil {
		return nil, jsonError(err)
	}
	if dec.More() {
		return nil, byline.Errorf(byline.Invalid, "The line holds more than one JSON value; put each article on a line of its own.")
	}
	if j.Title != nil {
		if j.Headline != "" {
			return nil, byline.Errorf(byline.Invalid, "The line has both a headline and a title; give one of them.")
		}
		j.Headline = *j.Title
	}
	a := &byline.Article{
		Headline:        j.Headline,
		Slug:            j.Slug,
		Dek:             j.Dek,
		Body:            j.Body,
		Status:          byline.Status(j.Status),
		SourceURL:       j.SourceURL,
		FeatureImageURL: j.FeatureImageURL,
	}
	if a.Status == "" {
		a.Status = byline.Published
	}
	var err error
	for _, d := range []struct {
		field string
		s     string
		t     *time.Time
	}{{"published_at", j.PublishedAt, &a.PublishedAt}, {"created_at", j.CreatedAt, &a.CreatedAt}, {"updated_at", j.UpdatedAt, &a.UpdatedAt}} {
		if *d.t, err = parseDate(d.s); err != nil {
			return nil, byline.Errorf(byline.Invalid, "%s: %s", d.field, byline.ErrorMessage(err))
		}
	}
	for _, p := range j.Authors {
		a.Authors = append(a.Authors, byline.Author{Name: p.Name, Slug: p.Slug})
	}
	for _, p := range j.Tags {
		a.Tags = append(a.Tags, byline.Tag{Name: p.Name, Slug: p.Slug})
	}
	var sectionSlugs []string
	for _, p := range j.Sections {
		a.Sections = append(a.Sections, byline.Section{Name: p.Name, Slug: p.Slug})
		sectionSlugs = append(sectionSlugs, p.Slug)
	}
	for _, slug := range append(append(authorSlugs(a), tagSlugs(a)...), sectionSlugs...) {
		if slug != "" && byline.Slugify(slug) != slug {
			return nil, byline.Errorf(byline.Invalid, "The slug %q may hold only lower-case letters, digits and single hyphens.", slug)
		}
	}
	return &byline.ArticleRecord{Article: a, ImportKey: j.ImportKey, OldPaths: j.OldPaths}, nil
}

func authorSlugs(a *byline.Article) []string {
	var s []string
	for _, au := range a.Authors {
		s = append(s, au.Slug)
	}
	return s
}

func tagSlugs(a *byline.Article) []string {
	var s []string
	for _, t := range a.Tags {
		s = append(s, t.Slug)
	}
	return s
}

// jsonError turns a decoding error into a sentence for the person fixing
// the file.
func jsonError(err error) error {
	var (
		syntax *json.SyntaxError
		typ    *json.UnmarshalTypeError
	)
	switch {
	case errors.As(err, &syntax):
		return byline.Errorf(byline.Invalid, "This line is not valid JSON (at byte %d: %s).", syntax.Offset, syntax.Error())
	case errors.As(err, &typ):
		return byline.Errorf(byline.Invalid, "The field %q should be a %s, not a JSON %s.", typ.Field, typ.Type, typ.Value)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return byline.Errorf(byline.Invalid, "Unknown field %s: see the JSON-lines schema in the README.", strings.TrimPrefix(err.Error(), "json: unknown field "))
	case errors.Is(err, io.ErrUnexpectedEOF):
		return byline.Errorf(byline.Invalid, "This line ends in the middle of a JSON object.")
	}
	return byline.Errorf(byline.Invalid, "This line is not a JSON article: %v.", err)
}

// JSONLWriter writes articles in the JSONL format, one line each.
type JSONLWriter struct {
	w   *bufio.Writer
	enc *json.Encoder
}

// NewJSONLWriter returns a writer to w. Call Close to flush it.
func NewJSONLWriter(w io.Writer) *JSONLWriter {
	bw := bufio.NewWriterSize(w, 64<<10)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	return &JSONLWriter{w: bw, enc: enc}
}

// Write writes one article as a line.
func (jw *JSONLWriter) Write(rec *byline.ArticleRecord) error {
	return jw.enc.Encode(toJSONArticle(rec))
}

// WriteSections writes a line per section, parents before their
// subsections.
func (jw *JSONLWriter) WriteSections(sections []*byline.Section) error {
	ordered, _ := byline.SectionTree(sections)
	for _, sec := range ordered {
		if err := jw.enc.Encode(jsonSection{Type: "section", Slug: sec.Slug, Name: sec.Name, Description: sec.Description,
			Parent: sec.ParentSlug, Position: sec.Position}); err != nil {
			return err
		}
	}
	return nil
}

// WriteAuthors writes a line per author.
func (jw *JSONLWriter) WriteAuthors(authors []*byline.Author) error {
	for _, au := range authors {
		if err := jw.enc.Encode(toJSONAuthor(au)); err != nil {
			return err
		}
	}
	return nil
}

// WritePage writes a line for a page.
func (jw *JSONLWriter) WritePage(rec *byline.PageRecord) error {
	return jw.enc.Encode(toJSONPage(rec))
}

// Close flushes what is buffered; it does not close the underlying writer.
func (jw *JSONLWriter) Close() error { return jw.w.Flush() }

func toJSONArticle(rec *byline.ArticleRecord) jsonArticle {
	a := rec.Article
	j := jsonArticle{
		Headline:        a.Headline,
		Slug:            a.Slug,
		Dek:             a.Dek,
		Body:            a.Body,
		Status:          string(a.Status),
		PublishedAt:     formatTime(a.PublishedAt),
		CreatedAt:       formatTime(a.CreatedAt),
		UpdatedAt:       formatTime(a.UpdatedAt),
		SourceURL:       a.SourceURL,
		FeatureImageURL: a.FeatureImageURL,
		ImportKey:       rec.ImportKey,
		OldPaths:        rec.OldPaths,
	}
	for _, au := range a.Authors {
		j.Authors = append(j.Authors, jsonName{Name: au.Name, Slug: au.Slug})
	}
	for _, t := range a.Tags {
		j.Tags = append(j.Tags, jsonName{Name: t.Name, Slug: t.Slug})
	}
	for _, sec := range a.Sections {
		j.Sections = append(j.Sections, jsonName{Name: sec.Name, Slug: sec.Slug})
	}
	return j
}

// formatTime writes t as RFC 3339 in UTC, "" for the zero time.
func formatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}
