package importer

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/bylinenews/byline"
)

// CSV reads a table of articles with a header row, such as the
// FakeNewsCorpus layout (url, title, content, authors, tags, keywords,
// meta_description, summary, scraped_at, ...). Columns are found by name,
// in any order and case; unknown columns are ignored:
//
//	headline      title, headline
//	body          content, body, text (plain text, or HTML when it holds HTML tags)
//	source URL    url, link, source_url (re-imports match on it)
//	authors       authors, author, byline (comma-separated; job titles and slogans left out)
//	tags          tags, tag, categories, keywords (comma-separated; keywords when tags is empty)
//	dek           dek, excerpt, summary, description, meta_description (the first not empty)
//	published at  published_at, published, date, pubdate, publish_date, scraped_at (the first not empty)
//	created at    created_at, inserted_at
//	slug, status, feature image (image, top_image, feature_image_url)
//
// A row with a different number of fields from the header is a bad item;
// a quoting error stops the file, since where the next row starts is lost.
type CSV struct{}

// Name implements Format.
func (CSV) Name() string { return "csv" }

// Detect implements Format: a .csv file, or one whose first line names a
// title and a content column.
func (CSV) Detect(name string, head []byte) bool {
	if strings.ToLower(filepath.Ext(name)) == ".csv" {
		return true
	}
	first, _, _ := bytes.Cut(head, []byte("\n"))
	first = bytes.ToLower(first)
	return bytes.Contains(first, []byte(",")) && bytes.Contains(first, []byte("title")) &&
		(bytes.Contains(first, []byte("content")) || bytes.Contains(first, []byte("body")))
}

// csvColumns maps each field to the header names that hold it, by priority.
var csvColumns = map[string][]string{
	"headline":  {"title", "headline"},
	"body":      {"content", "body", "text", "article"},
	"url":       {"url", "link", "source_url", "permalink"},
	"authors":   {"authors", "author", "byline", "creator"},
	"tags":      {"tags", "tag", "categories", "category"},
	"keywords":  {"keywords"},
	"dek":       {"dek", "excerpt", "summary", "description", "meta_description", "standfirst"},
	"published": {"published_at", "published", "date", "pubdate", "publish_date", "scraped_at"},
	"created":   {"created_at", "inserted_at"},
	"updated":   {"updated_at", "modified_at"},
	"slug":      {"slug"},
	"status":    {"status"},
	"image":     {"feature_image_url", "image", "top_image", "image_url"},
}

// ReadItems implements Format.
func (CSV) ReadItems(name string, r io.Reader, emit func(*Item) error) error {
	lim := &itemLimiter{r: r}
	cr := csv.NewReader(lim)
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return &ParseError{File: name, Err: byline.Errorf(byline.Invalid, "The file is empty: it needs a header row naming its columns.")}
		}
		return csvError(name, err)
	}
	cols := map[string][]int{} // field → column indexes, by priority
	names := make([]string, len(header))
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		names[i] = h
	}
	for field, candidates := range csvColumns {
		for _, c := range candidates {
			for i, h := range names {
				if h == c {
					cols[field] = append(cols[field], i)
				}
			}
		}
	}
	if cols["headline"] == nil {
		return &ParseError{File: name, Line: 1, Err: byline.Errorf(byline.Invalid, "No title column: the header row must name one (title or headline).")}
	}
	// next is the line the next row starts on, for errors that stop the
	// reading before the reader can say.
	next := func(row []string) int {
		if len(row) == 0 {
			return 0
		}
		l, _ := cr.FieldPos(len(row) - 1)
		return l + strings.Count(row[len(row)-1], "\n") + 1
	}
	nextLine := next(header)
	for n := 1; ; n++ {
		lim.reset()
		row, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if errors.Is(err, errItemTooLarge) {
			return &ParseError{File: name, Line: nextLine, Item: fmt.Sprintf("row %d", n), Err: errItemTooLarge}
		}
		it := &Item{Label: fmt.Sprintf("row %d", n)}
		var pe *csv.ParseError
		switch {
		case errors.As(err, &pe) && errors.Is(pe.Err, csv.ErrFieldCount):
			it.Line = pe.StartLine
			it.Err = byline.Errorf(byline.Invalid, "The row has %d fields where the header has %d.", len(row), len(header))
			nextLine = next(row)
		case err != nil:
			return csvError(name, err)
		default:
			it.Line, _ = cr.FieldPos(0)
			nextLine = next(row)
			it.Record, it.Err = csvArticle(row, cols, names)
			if it.Record != nil {
				it.Label = it.Record.Article.Headline
			} else if h := field(row, cols["headline"]); h != "" && utf8.ValidString(h) {
				it.Label = h
			}
		}
		if err := emit(it); err != nil {
			return err
		}
	}
}

// csvError locates an error that stops the reading of a CSV file.
func csvError(name string, err error) error {
	if errors.Is(err, errItemTooLarge) {
		return &ParseError{File: name, Err: err}
	}
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		if errors.Is(pe.Err, errItemTooLarge) {
			return &ParseError{File: name, Line: pe.StartLine, Err: errItemTooLarge}
		}
		msg := pe.Err.Error()
		switch {
		case errors.Is(pe.Err, csv.ErrQuote):
			msg = fmt.Sprintf("A quote in field %d is misplaced: a quoted field must be quoted whole, with inner quotes doubled (\"\").", pe.Column)
		case errors.Is(pe.Err, csv.ErrBareQuote):
			msg = fmt.Sprintf("A bare quote in field %d: quote the whole field and double the inner quotes (\"\").", pe.Column)
		}
		return &ParseError{File: name, Line: pe.Line, Err: byline.Errorf(byline.Invalid, "%s The rest of the file cannot be read.", msg)}
	}
	return &ParseError{File: name, Err: err}
}

// field returns the first non-empty of the row's columns at idx.
func field(row []string, idx []int) string {
	for _, i := range idx {
		if i < len(row) {
			if v := strings.TrimSpace(row[i]); v != "" {
				return v
			}
		}
	}
	return ""
}

// csvArticle makes the article of one row.
func csvArticle(row []string, cols map[string][]int, names []string) (*byline.ArticleRecord, error) {
	for i, v := range row {
		if !utf8.ValidString(v) {
			return nil, byline.Errorf(byline.Invalid, "The %s column is not valid UTF-8 text.", names[i])
		}
	}
	get := func(f string) string { return field(row, cols[f]) }
	a := &byline.Article{
		Headline:        plainLine(get("headline")),
		Dek:             plainLine(get("dek")),
		SourceURL:       get("url"),
		Slug:            get("slug"),
		Status:          byline.Status(strings.ToLower(get("status"))),
		FeatureImageURL: get("image"),
		Authors:         splitAuthors(get("authors")),
	}
	if a.Status == "" {
		a.Status = byline.Published
	}
	body := get("body")
	if looksLikeHTML(body) {
		a.Body, _ = htmlBody(body)
	} else {
		a.Body = textBody(body)
	}
	tags := get("tags")
	if tags == "" {
		tags = get("keywords")
	}
	a.Tags = splitTags(tags)
	var err error
	for _, d := range []struct {
		field string
		t     *time.Time
	}{{"published", &a.PublishedAt}, {"created", &a.CreatedAt}, {"updated", &a.UpdatedAt}} {
		if *d.t, err = parseDate(get(d.field)); err != nil {
			return nil, byline.Errorf(byline.Invalid, "%s (column %s)", byline.ErrorMessage(err), names[firstSet(row, cols[d.field])])
		}
	}
	if err := a.Validate(); err != nil {
		return nil, err
	}
	return &byline.ArticleRecord{Article: a}, nil
}

// firstSet returns the index of the first non-empty column of idx.
func firstSet(row []string, idx []int) int {
	for _, i := range idx {
		if i < len(row) && strings.TrimSpace(row[i]) != "" {
			return i
		}
	}
	return idx[0]
}
