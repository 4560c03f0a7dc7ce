package storetest

import (
	"testing"
	"time"

	"github.com/bylinenews/byline"
)

// testNextDue: the page cache keeps LastModified in memory until NextDue,
// so NextDue must name the first scheduled article after the given time,
// ignore drafts and what is live already, and be zero with nothing ahead.
func testNextDue(t *testing.T, open Opener) {
	b, _ := openAt(t, open, t0)
	s, ctx := b.Articles, t.Context()
	next := func(after time.Time) time.Time {
		t.Helper()
		got, err := s.NextDue(ctx, after)
		if err != nil {
			t.Fatalf("NextDue(%v): %v", after, err)
		}
		return got
	}
	if got := next(t0); !got.IsZero() {
		t.Errorf("NextDue on an empty site = %v, want the zero time", got)
	}
	draft := newArticle("A draft", time.Time{})
	draft.Status = byline.Draft
	for _, a := range []*byline.Article{
		newArticle("Out already", t0.Add(-time.Hour)),
		newArticle("Embargoed until two", t0.Add(2*time.Hour)),
		newArticle("Embargoed until one", t0.Add(time.Hour)),
		draft,
	} {
		if err := s.Create(ctx, a); err != nil {
			t.Fatalf("Create %q: %v", a.Headline, err)
		}
	}
	for _, tt := range []struct {
		after, want time.Time
	}{
		{t0, t0.Add(time.Hour)},
		{t0.Add(time.Hour), t0.Add(2 * time.Hour)}, // strictly after
		{t0.Add(2 * time.Hour), time.Time{}},
	} {
		if got := next(tt.after); !got.Equal(tt.want) {
			t.Errorf("NextDue(%v) = %v, want %v", tt.after, got, tt.want)
		}
	}
}
