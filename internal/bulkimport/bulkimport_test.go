package bulkimport

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"testing"

	"github.com/bylinenews/byline"
)

// records yields n records headed "Article 0", "Article 1"…, then err if
// it is not nil.
func records(n int, err error) iter.Seq2[*byline.ArticleRecord, error] {
	return func(yield func(*byline.ArticleRecord, error) bool) {
		for i := range n {
			if !yield(&byline.ArticleRecord{Article: &byline.Article{Headline: fmt.Sprintf("Article %d", i)}}, nil) {
				return
			}
		}
		if err != nil {
			yield(nil, err)
		}
	}
}

func TestRenderAhead(t *testing.T) {
	t.Parallel()
	bad := errors.New("not valid")
	prepare := func(a *byline.Article) error {
		if a.Headline == "Article 7" {
			return bad
		}
		a.BodyText = "rendered " + a.Headline
		return nil
	}

	t.Run("every record, prepared, in order", func(t *testing.T) {
		var got []string
		err := RenderAhead(t.Context(), records(3*batchSize+5, nil), prepare, func(p Prepared) error {
			want := fmt.Sprintf("Article %d", len(got))
			if p.Rec.Article.Headline != want {
				t.Fatalf("record %d is %q, want %q", len(got), p.Rec.Article.Headline, want)
			}
			switch {
			case want == "Article 7" && !errors.Is(p.Err, bad):
				t.Errorf("Article 7 came with error %v, want prepare's", p.Err)
			case want != "Article 7" && (p.Err != nil || p.Rec.Article.BodyText != "rendered "+want):
				t.Errorf("%s was not prepared: %v, %q", want, p.Err, p.Rec.Article.BodyText)
			}
			got = append(got, want)
			return nil
		})
		if err != nil || len(got) != 3*batchSize+5 {
			t.Errorf("RenderAhead = %v after %d records, want nil after %d", err, len(got), 3*batchSize+5)
		}
	})

	t.Run("a write error stops it", func(t *testing.T) {
		full := errors.New("disk full")
		n := 0
		err := RenderAhead(t.Context(), records(10*batchSize, nil), prepare, func(p Prepared) error {
			n++
			if n == 3 {
				return full
			}
			return nil
		})
		if !errors.Is(err, full) || n != 3 {
			t.Errorf("RenderAhead = %v after %d writes, want the write's error after 3", err, n)
		}
	})

	t.Run("a read error is returned after the records before it", func(t *testing.T) {
		broken := errors.New("file.xml:12: broken")
		n := 0
		err := RenderAhead(t.Context(), records(5, broken), prepare, func(Prepared) error { n++; return nil })
		if !errors.Is(err, broken) {
			t.Errorf("RenderAhead = %v, want the reading's error", err)
		}
		if n > 5 {
			t.Errorf("%d writes, want at most the 5 records before the error", n)
		}
	})

	t.Run("a record without an article is an error", func(t *testing.T) {
		nilRecord := func(yield func(*byline.ArticleRecord, error) bool) { yield(&byline.ArticleRecord{}, nil) }
		if err := RenderAhead(t.Context(), nilRecord, prepare, func(Prepared) error { return nil }); err == nil {
			t.Error("RenderAhead of a record without an article = nil, want an error")
		}
	})

	t.Run("cancellation stops it", func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		n := 0
		err := RenderAhead(ctx, records(10*batchSize, nil), prepare, func(Prepared) error {
			if n++; n == 2 {
				cancel()
			}
			return nil
		})
		if !errors.Is(err, context.Canceled) || n != 2 {
			t.Errorf("RenderAhead = %v after %d writes, want context.Canceled after 2", err, n)
		}
	})
}

func TestKeys(t *testing.T) {
	t.Parallel()
	bySlug := &byline.ArticleRecord{Article: &byline.Article{Headline: "Floods in Riverton!"}}
	KeyBySlug(bySlug)
	if bySlug.ImportKey != "slug:floods-in-riverton" || !IsSlugKey(bySlug.ImportKey) {
		t.Errorf("KeyBySlug: import key %q, want slug:floods-in-riverton", bySlug.ImportKey)
	}
	bySource := &byline.ArticleRecord{ImportKey: "wp:12", Article: &byline.Article{Headline: "X", SourceURL: "https://old.example/x"}}
	KeyBySlug(bySource)
	if bySource.ImportKey != "wp:12" || IsSlugKey(bySource.ImportKey) {
		t.Errorf("KeyBySlug changed a record's own key to %q", bySource.ImportKey)
	}
	if got := fmt.Sprint(MatchKeys(bySource)); got != "[key:wp:12 url:https://old.example/x]" {
		t.Errorf("MatchKeys = %s, want the key, then the source URL", got)
	}
}
