package importer

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/pelletier/go-toml/v2"
	"go.yaml.in/yaml/v3"

	"github.com/bylinenews/byline"
)

// Markdown reads a Markdown file with YAML (---) or TOML (+++) front
// matter, in the layout of Hugo and Jekyll: one article per file.
//
// Front matter fields: title; slug (else the file's name, without a
// Jekyll date prefix, or a Hugo bundle's folder); date, publishDate (the
// publication time; else a Jekyll file name's date); lastmod; draft, or
// Jekyll's published: false; tags and categories (both Byline tags);
// section or sections (the article's sections by name, the first its
// primary);
// author or authors; description, summary or excerpt (the dek); image,
// featured_image or cover; source_url or canonical; aliases, redirect_from,
// permalink and url (old addresses, redirected to the article). Other fields
// are ignored and counted. A post dated in the future is scheduled.
// Re-importing a file matches the article by its slug (or source URL).
type Markdown struct {
	// Now decides whether a dated post is in the future; time.Now when nil.
	Now func() time.Time
}

// Name implements Format.
func (Markdown) Name() string { return "markdown" }

// Detect implements Format: a .md or .markdown file.
func (Markdown) Detect(name string, head []byte) bool {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".md", ".markdown", ".mdown", ".mkd":
		return true
	case "":
		return bytes.HasPrefix(head, []byte("---\n")) || bytes.HasPrefix(head, []byte("+++\n"))
	}
	return false
}

// ReadItems implements Format.
func (m Markdown) ReadItems(name string, r io.Reader, emit func(*Item) error) error {
	if filepath.Base(name) == "_index.md" {
		return emit(&Item{Skip: "section index (_index.md)"})
	}
	src, err := io.ReadAll(io.LimitReader(r, byline.MaxBodyBytes+1<<20+1))
	if err != nil {
		return &ParseError{File: name, Err: err}
	}
	if len(src) > byline.MaxBodyBytes+1<<20 {
		return emit(&Item{Line: 1, Label: filepath.Base(name), Err: byline.Errorf(byline.Invalid, "The file is larger than %d MB.", byline.MaxBodyBytes>>20)})
	}
	it := &Item{Line: 1, Label: filepath.Base(name)}
	rec, notes, err := m.article(name, src)
	it.Notes = notes
	if err != nil {
		var pe *ParseError
		if errors.As(err, &pe) {
			it.Line, err = pe.Line, pe.Err
		}
		it.Err = err
	} else {
		it.Record, it.Label = rec, rec.Article.Headline
	}
	return emit(it)
}

// article reads one file's front matter and body.
func (m Markdown) article(name string, src []byte) (*byline.ArticleRecord, []string, error) {
	src = bytes.TrimPrefix(src, []byte("\ufeff"))
	if !utf8.Valid(src) {
		line := 1 + bytes.Count(src[:invalidAt(src)], []byte("\n"))
		return nil, nil, &ParseError{Line: line, Err: byline.Errorf(byline.Invalid, "This line is not valid UTF-8 text.")}
	}
	src = bytes.ReplaceAll(src, []byte("\r\n"), []byte("\n"))
	fm, body, kind := splitFrontMatter(src)
	fields := map[string]any{}
	switch kind {
	case "yaml":
		if err := yaml.Unmarshal(fm, &fields); err != nil {
			msg := yamlLineRE.ReplaceAllString(strings.TrimPrefix(err.Error(), "yaml: "), "")
			return nil, nil, &ParseError{Line: 1 + yamlErrorLine(err), Err: byline.Errorf(byline.Invalid, "The YAML front matter is broken: %s.", msg)}
		}
	case "toml":
		if err := toml.Unmarshal(fm, &fields); err != nil {
			line := 1
			var de *toml.DecodeError
			if errors.As(err, &de) {
				row, _ := de.Position()
				line += row
			}
			return nil, nil, &ParseError{Line: line, Err: byline.Errorf(byline.Invalid, "The TOML front matter is broken: %s.", err)}
		}
	case "unclosed":
		return nil, nil, &ParseError{Line: 1, Err: byline.Errorf(byline.Invalid, "The front matter is not closed: end it with a line of --- (or +++ for TOML).")}
	}
	fm2 := newFrontMatter(fields)
	var notes []string
	a := &byline.Article{Body: strings.TrimSpace(string(body))}
	rec := &byline.ArticleRecord{Article: a}
	a.Headline = fm2.str("title")
	if a.Headline == "" {
		return nil, nil, &ParseError{Line: 1, Err: byline.Errorf(byline.Invalid, "The front matter has no title.")}
	}
	a.Headline = plainLine(a.Headline)
	a.Dek = plainLine(fm2.str("description", "summary", "excerpt", "subtitle", "dek"))

	fileSlug, fileDate := markdownFileName(name)
	a.Slug = byline.Slugify(fm2.str("slug"))
	if a.Slug == "" {
		a.Slug = fileSlug
	}
	var err error
	for _, d := range []struct {
		t    *time.Time
		keys []string
	}{{&a.PublishedAt, []string{"publishdate", "pubdate", "published_at", "date"}}, {&a.UpdatedAt, []string{"lastmod", "updated", "modified", "last_modified_at"}}} {
		key, v := fm2.first(d.keys...)
		if *d.t, err = fm2.date(key, v); err != nil {
			return nil, nil, &ParseError{Line: 1, Err: err}
		}
	}
	if a.PublishedAt.IsZero() {
		a.PublishedAt = fileDate
	}
	a.CreatedAt = a.PublishedAt

	now := time.Now
	if m.Now != nil {
		now = m.Now
	}
	switch {
	case fm2.bool("draft") || fm2.has("published") && !fm2.bool("published"):
		a.Status = byline.Draft
	case a.PublishedAt.After(now()):
		a.Status = byline.Scheduled
	default:
		a.Status = byline.Published
	}

	for _, key := range []string{"authors", "author"} {
		for _, name := range fm2.list(key) {
			a.Authors = append(a.Authors, splitAuthors(name)...)
		}
	}
	var tags []string
	for _, key := range []string{"tags", "categories"} {
		list := fm2.list(key)
		if len(list) == 1 && !fileDate.IsZero() && !strings.Contains(list[0], ",") {
			list = strings.Fields(list[0]) // Jekyll: "categories: law europe"
		}
		tags = append(tags, list...)
	}
	a.Tags = splitTags(strings.Join(tags, ","))
	for _, key := range []string{"sections", "section"} {
		for _, name := range fm2.list(key) {
			name = strings.TrimSpace(name)
			if slug := byline.Slugify(name); slug != "" && !slices.ContainsFunc(a.Sections, func(s byline.Section) bool { return s.Slug == slug }) {
				a.Sections = append(a.Sections, byline.Section{Name: name, Slug: slug})
			}
		}
	}
	if img := fm2.str("image", "featured_image", "feature_image", "featureimage", "cover", "thumbnail"); img != "" {
		a.FeatureImageURL = img
	} else if imgs := fm2.list("images"); len(imgs) > 0 {
		a.FeatureImageURL = imgs[0]
	}
	a.SourceURL = fm2.str("source_url", "canonical", "canonicalurl")
	for _, key := range []string{"aliases", "redirect_from", "permalink", "url"} {
		for _, p := range fm2.list(key) {
			if path := byline.RedirectPath(p); path != "" {
				rec.OldPaths = append(rec.OldPaths, path)
			}
		}
	}
	for key := range fm2.unused() {
		notes = append(notes, fmt.Sprintf("front matter field %q ignored", key))
	}
	sort.Strings(notes)
	notes = append(notes, templateNotes(a.Body)...)
	return rec, notes, nil
}

// splitFrontMatter separates the front matter from the body. kind is
// "yaml", "toml", "" when there is none, or "unclosed".
func splitFrontMatter(src []byte) (fm, body []byte, kind string) {
	var fence string
	switch {
	case bytes.HasPrefix(src, []byte("---\n")):
		fence, kind = "---", "yaml"
	case bytes.HasPrefix(src, []byte("+++\n")):
		fence, kind = "+++", "toml"
	default:
		return nil, src, ""
	}
	rest := src[len(fence)+1:]
	for off := 0; off <= len(rest); {
		end := bytes.IndexByte(rest[off:], '\n')
		var l []byte
		if end < 0 {
			l = rest[off:]
		} else {
			l = rest[off : off+end]
		}
		if t := string(bytes.TrimRight(l, " \t")); t == fence || (kind == "yaml" && t == "...") {
			next := len(rest)
			if end >= 0 {
				next = off + end + 1
			}
			return rest[:off], rest[next:], kind
		}
		if end < 0 {
			break
		}
		off += end + 1
	}
	return nil, nil, "unclosed"
}

var yamlLineRE = regexp.MustCompile(`line (\d+): `)

// yamlErrorLine returns the line of the front matter a YAML error names.
func yamlErrorLine(err error) int {
	if m := yamlLineRE.FindStringSubmatch(err.Error()); m != nil {
		n, _ := strconv.Atoi(m[1])
		return n
	}
	return 0
}

// invalidAt returns the offset of the first byte of src that is not valid
// UTF-8.
func invalidAt(src []byte) int {
	for i := 0; i < len(src); {
		r, size := utf8.DecodeRune(src[i:])
		if r == utf8.RuneError && size <= 1 {
			return i
		}
		i += size
	}
	return len(src)
}

var jekyllName = regexp.MustCompile(`^(\d{4}-\d{2}-\d{2})-(.+)$`)

// markdownFileName returns the slug and date a file's name gives:
// "2015-10-08-syria-talks.md" (Jekyll), "syria-talks.md", or
// "syria-talks/index.md" (a Hugo bundle).
func markdownFileName(name string) (string, time.Time) {
	base := strings.TrimSuffix(filepath.Base(name), filepath.Ext(name))
	if base == "index" {
		base = filepath.Base(filepath.Dir(name))
	}
	var date time.Time
	if m := jekyllName.FindStringSubmatch(base); m != nil {
		if t, err := time.Parse("2006-01-02", m[1]); err == nil {
			date, base = t, m[2]
		}
	}
	return byline.Slugify(base), date
}

var (
	hugoShortcodeRE = regexp.MustCompile(`\{\{[<%]\s*/?\s*([\w-]+)`)
	liquidTagRE     = regexp.MustCompile(`\{%-?\s*([\w-]+)`)
)

// templateNotes counts the Hugo shortcodes and Liquid tags in a body: they
// stay as text.
func templateNotes(body string) []string {
	var notes []string
	for _, m := range hugoShortcodeRE.FindAllStringSubmatch(body, -1) {
		notes = append(notes, fmt.Sprintf("Hugo shortcode {{< %s >}} left as text", m[1]))
	}
	for _, m := range liquidTagRE.FindAllStringSubmatch(body, -1) {
		notes = append(notes, fmt.Sprintf("Liquid tag {%% %s %%} left as text", m[1]))
	}
	return notes
}

// frontMatter reads fields by name, case-insensitively, remembering which
// were used.
type frontMatter struct {
	fields map[string]any
	used   map[string]bool
}

func newFrontMatter(fields map[string]any) *frontMatter {
	return &frontMatter{fields: fields, used: map[string]bool{}}
}

func (f *frontMatter) lookup(key string) (any, bool) {
	for k, v := range f.fields {
		if strings.EqualFold(k, key) {
			f.used[k] = true
			return v, true
		}
	}
	return nil, false
}

func (f *frontMatter) has(key string) bool { _, ok := f.lookup(key); return ok }

// first returns the first of keys that is set, and its value.
func (f *frontMatter) first(keys ...string) (string, any) {
	for _, k := range keys {
		if v, ok := f.lookup(k); ok && v != nil && v != "" {
			return k, v
		}
	}
	return "", nil
}

// str returns the first of keys that holds a string (or a map with an
// "image" or "url" in it, as Hugo's cover does).
func (f *frontMatter) str(keys ...string) string {
	for _, k := range keys {
		v, ok := f.lookup(k)
		if !ok {
			continue
		}
		switch v := v.(type) {
		case string:
			if s := strings.TrimSpace(v); s != "" {
				return s
			}
		case map[string]any:
			for _, inner := range []string{"image", "url", "src"} {
				if s, ok := v[inner].(string); ok && s != "" {
					return strings.TrimSpace(s)
				}
			}
		case nil:
		default:
			if s := strings.TrimSpace(fmt.Sprint(v)); s != "" {
				return s
			}
		}
	}
	return ""
}

// list returns a field that is a list of strings, or one string.
func (f *frontMatter) list(key string) []string {
	v, ok := f.lookup(key)
	if !ok {
		return nil
	}
	switch v := v.(type) {
	case string:
		if strings.TrimSpace(v) == "" {
			return nil
		}
		return []string{v}
	case []any:
		var out []string
		for _, e := range v {
			if s := strings.TrimSpace(fmt.Sprint(e)); s != "" && e != nil {
				out = append(out, s)
			}
		}
		return out
	case []string:
		return v
	case nil:
		return nil
	}
	return []string{fmt.Sprint(v)}
}

func (f *frontMatter) bool(key string) bool {
	v, ok := f.lookup(key)
	if !ok {
		return false
	}
	switch v := v.(type) {
	case bool:
		return v
	case string:
		b, _ := strconv.ParseBool(strings.TrimSpace(v))
		return b
	}
	return false
}

// date reads a date field: a YAML or TOML date, or a string.
func (f *frontMatter) date(key string, v any) (time.Time, error) {
	var (
		t   time.Time
		err error
	)
	switch v := v.(type) {
	case nil:
		return time.Time{}, nil
	case time.Time:
		return v.UTC(), nil
	case toml.LocalDate:
		t, err = parseDate(v.String())
	case toml.LocalDateTime:
		t, err = parseDate(v.String())
	case string:
		t, err = parseDate(v)
	default:
		t, err = parseDate(fmt.Sprint(v))
	}
	if err != nil {
		return time.Time{}, byline.Errorf(byline.Invalid, "%s: %s", key, byline.ErrorMessage(err))
	}
	return t, nil
}

// unused returns the fields no reader looked at.
func (f *frontMatter) unused() map[string]bool {
	out := map[string]bool{}
	for k := range f.fields {
		if !f.used[k] {
			out[k] = true
		}
	}
	return out
}
