package importer

import (
	"bufio"
	"io"
	"path/filepath"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/bylinenews/byline"
)

// Text reads a scraped page saved as plain text: the first non-empty line is
// the headline, every following non-empty line a paragraph. The source
// site's page chrome at the end ("Recent Posts", "Contact Us", the captcha
// and search widgets) is dropped. Re-importing a page matches it by the
// headline's slug.
type Text struct{}

// Name implements Format.
func (Text) Name() string { return "text" }

// Detect implements Format: a .txt file, or a file with no extension that is
// valid UTF-8 text and not markup.
func (Text) Detect(name string, head []byte) bool {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".txt", ".text":
		return true
	case "":
		trimmed := strings.TrimSpace(string(head))
		return utf8.Valid(head) && !strings.HasPrefix(trimmed, "<") && !strings.HasPrefix(trimmed, "{")
	}
	return false
}

// chromeLines are the source site's widgets, found at the end of its pages.
var chromeLines = map[string]bool{
	"recent posts": true,
	"contact us":   true,
	"drop us a note and we will get in touch soon!": true,
	"not readable? change text.":                    true,
	"not readable? change text. captcha txt":        true,
	"captcha txt":                                   true,
	"start typing and press enter to search":        true,
	"search":                                        true,
}

// maxChromeTitleWords: under "Recent Posts" a page lists other headlines;
// lines that short after a chrome marker are taken as that list.
const maxChromeTitleWords = 16

// Read reads one page as a bare article, for callers that want no more
// than that; a bad page is a *ParseError.
func (t Text) Read(name string, r io.Reader, emit func(*byline.Article) error) error {
	return t.ReadItems(name, r, func(it *Item) error {
		if it.Err != nil {
			return &ParseError{File: name, Line: it.Line, Item: it.Label, Err: it.Err}
		}
		return emit(it.Record.Article)
	})
}

// ReadItems implements Format.
func (Text) ReadItems(name string, r io.Reader, emit func(*Item) error) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), byline.MaxBodyBytes)
	type line struct {
		n    int
		text string
	}
	var lines []line
	for n := 1; sc.Scan(); n++ {
		raw := sc.Bytes()
		if !utf8.Valid(raw) {
			return &ParseError{File: name, Line: n, Err: byline.Errorf(byline.Invalid, "This line is not valid UTF-8 text.")}
		}
		text := strings.TrimSpace(strings.ReplaceAll(string(raw), "\u00a0", " "))
		if text != "" {
			lines = append(lines, line{n, text})
		}
	}
	if err := sc.Err(); err != nil {
		if err == bufio.ErrTooLong {
			return &ParseError{File: name, Line: len(lines) + 1, Err: byline.Errorf(byline.Invalid, "A line is longer than %d MB.", byline.MaxBodyBytes>>20)}
		}
		return &ParseError{File: name, Err: err}
	}
	if len(lines) == 0 {
		return &ParseError{File: name, Err: byline.Errorf(byline.Invalid, "The file is empty: it needs a headline on its first line.")}
	}
	body := lines[1:]
	body = body[:chromeStart(len(body), func(i int) string { return body[i].text })]
	paragraphs := make([]string, len(body))
	for i, l := range body {
		paragraphs[i] = escapeMarkdown(l.text)
	}
	a := &byline.Article{
		Headline: lines[0].text,
		Body:     strings.Join(paragraphs, "\n\n"),
		Status:   byline.Published,
	}
	it := &Item{Record: &byline.ArticleRecord{Article: a}, Line: lines[0].n, Label: a.Headline}
	if err := a.Validate(); err != nil {
		it.Record, it.Err = nil, err
	}
	return emit(it)
}

// chromeStart returns the index of the first line of the page chrome at the
// end of n lines, or n if there is none: the earliest chrome marker after
// which every line is a marker or a short title.
func chromeStart(n int, text func(int) string) int {
	start := n
	for i := n - 1; i >= 0; i-- {
		t := text(i)
		if chromeLines[strings.ToLower(t)] {
			start = i
			continue
		}
		if len(strings.Fields(t)) > maxChromeTitleWords || start == n {
			break
		}
	}
	return start
}

// markdownLineStart matches text that Markdown would read as syntax at the
// start of a paragraph: a heading, quote, list item, rule or code fence.
var (
	markdownLineStart = regexp.MustCompile(`^(#{1,6}(\s|$)|>|[-+*](\s|$)|[-*_]{3,}|` + "```" + `|~~~|=+$)`)
	orderedListStart  = regexp.MustCompile(`^\d{1,9}([.)])(\s|$)`)
)

// escapeMarkdown makes a plain-text paragraph read as the same text in
// Markdown: inline syntax characters and line-start syntax are escaped.
func escapeMarkdown(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '\\', '`', '*', '_', '[', ']', '<', '>', '|', '~', '&':
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	out := b.String()
	if m := orderedListStart.FindStringSubmatchIndex(out); m != nil {
		// "2015. A year" would start a list; a backslash before a digit is
		// no escape in Markdown, so escape the dot instead.
		return out[:m[2]] + "\\" + out[m[2]:]
	}
	if markdownLineStart.MatchString(out) {
		out = "\\" + out
	}
	return out
}
