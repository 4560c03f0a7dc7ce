package importer

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// Fuzz targets for every reader of outside input. Seeds: the fixtures, and
// the corpora in testdata/fuzz. Run one with, e.g.,
//
//	go test ./importer -run '^$' -fuzz FuzzWXR -fuzztime 1m

// addFiles adds the files matching pattern as seeds.
func addFiles(f *testing.F, pattern string) {
	paths, _ := filepath.Glob(pattern)
	for _, p := range paths {
		if data, err := os.ReadFile(p); err == nil {
			f.Add(data)
		}
	}
}

// checkItems reads data with format and checks what every reader promises:
// no panic, an item is an article, a skip or a bad item, and an error that
// stops the file is located.
func checkItems(t *testing.T, format Format, data []byte) []*Item {
	var items []*Item
	err := format.ReadItems("fuzz", bytes.NewReader(data), func(it *Item) error {
		items = append(items, it)
		return nil
	})
	for _, it := range items {
		kinds := 0
		if it.Record != nil {
			kinds++
			if it.Record.Article == nil || it.Record.Article.Headline == "" {
				t.Fatalf("an article without a headline: %+v", it.Record)
			}
		}
		if it.Skip != "" {
			kinds++
		}
		if it.Err != nil {
			kinds++
		}
		if it.Section != nil {
			kinds++
		}
		if it.Page != nil {
			kinds++
		}
		if it.Author != nil {
			kinds++
		}
		if kinds != 1 {
			t.Fatalf("item %+v is not exactly one of article, section, page, author, skip, error", it)
		}
	}
	var pe *ParseError
	if err != nil && !errors.As(err, &pe) {
		t.Fatalf("error %v (%T) is not a ParseError", err, err)
	}
	return items
}

func FuzzWXR(f *testing.F) {
	addFiles(f, "testdata/wxr/*.xml")
	addFiles(f, "testdata/export.wxr.golden")
	f.Fuzz(func(t *testing.T, data []byte) {
		w := &WXR{}
		first := checkItems(t, w, data)
		// A second reading (as an import's write pass) gives the same items.
		second := checkItems(t, w, data)
		if len(first) != len(second) {
			t.Fatalf("read twice: %d then %d items", len(first), len(second))
		}
	})
}

func FuzzCSV(f *testing.F) {
	addFiles(f, "testdata/csv/*.csv")
	f.Add([]byte("title,content\n\"a\"\"b\",c\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		checkItems(t, CSV{}, data)
	})
}

func FuzzFrontMatter(f *testing.F) {
	addFiles(f, "testdata/markdown/*/*.md")
	addFiles(f, "testdata/markdown/*/*/*.md")
	addFiles(f, "testdata/markdown/*/*/*.markdown")
	f.Fuzz(func(t *testing.T, data []byte) {
		items := checkItems(t, Markdown{}, data)
		if len(items) != 1 {
			t.Fatalf("%d items from one file, want 1", len(items))
		}
	})
}

// A line that reads as an article writes back as the same article.
func FuzzJSONL(f *testing.F) {
	addFiles(f, "testdata/jsonl/*.jsonl")
	f.Fuzz(func(t *testing.T, line []byte) {
		rec, err := decodeJSONArticle(line)
		if err != nil {
			return
		}
		var buf bytes.Buffer
		w := NewJSONLWriter(&buf)
		if err := w.Write(rec); err != nil {
			t.Fatal(err)
		}
		w.Close()
		again, err := decodeJSONArticle(bytes.TrimSpace(buf.Bytes()))
		if err != nil {
			t.Fatalf("written %q, read back: %v", buf.String(), err)
		}
		if !reflect.DeepEqual(toJSONArticle(rec), toJSONArticle(again)) {
			t.Fatalf("%q read back as %+v, want %+v", buf.String(), toJSONArticle(again), toJSONArticle(rec))
		}
	})
}
