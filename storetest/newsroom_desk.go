package storetest

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bylinenews/byline"
)

// setupDesk opens a backend with an author and an admin in it.
func setupDesk(t *testing.T, open Opener) (Backend, *Clock, *byline.User) {
	t.Helper()
	b, clock := openAt(t, open, newsroomT0)
	u := mustCreateUser(t, b.Users, "author@example.com", byline.RoleAuthor)
	mustCreateUser(t, b.Users, "admin@example.com", byline.RoleAdmin)
	return b, clock, u
}

func testDeskUpdate(t *testing.T, open Opener) {
	b, clock, u := setupDesk(t, open)
	desk, articles, ctx := b.Desk, b.Articles, t.Context()
	a := &byline.Article{Headline: "Talks resume in Geneva", Body: "First draft.",
		Authors: []byline.Author{{Name: u.Name}}, Tags: []byline.Tag{{Name: "Syria"}, {Name: "Diplomacy"}}}
	if err := desk.CreateArticle(ctx, a, u.ID); err != nil {
		t.Fatal(err)
	}
	d, err := desk.FindDeskArticle(ctx, a.ID)
	if err != nil || d.OwnerID != u.ID || d.OwnerName != u.Name || d.Status != byline.Draft || d.Submitted() {
		t.Fatalf("FindDeskArticle = %+v, %v; want an unsubmitted draft owned by %d", d, err, u.ID)
	}
	if d.Version != 1 || d.Body != "First draft." || len(d.Tags) != 2 || d.Tags[1].Slug != "diplomacy" {
		t.Errorf("FindDeskArticle = version %d, body %q, tags %+v; want the article as created", d.Version, d.Body, d.Tags)
	}
	if _, err := desk.FindDeskArticle(ctx, a.ID+1000); byline.ErrorKind(err) != byline.NotFound {
		t.Errorf("FindDeskArticle(unknown) = %v, want NotFound", err)
	}

	clock.Advance(time.Minute)
	saved, err := desk.UpdateArticle(ctx, a.ID, byline.ArticleUpdate{Body: ptr("Second draft.\n\n> A pull quote."),
		Tags: &[]byline.Tag{{Name: "Geneva"}}}, 1, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if saved.Version != 2 || !strings.Contains(saved.BodyHTML, `class="pull-quote"`) || !saved.UpdatedAt.Equal(clock.Now()) {
		t.Errorf("after the update: version %d, HTML %q, updated %v; want version 2, a rendered pull quote, updated now",
			saved.Version, saved.BodyHTML, saved.UpdatedAt)
	}
	if got, _ := articles.FindByID(ctx, a.ID); got == nil || got.Version != 2 || len(got.Tags) != 1 || got.Tags[0].Name != "Geneva" {
		t.Errorf("FindByID after the update = %+v, want version 2 tagged Geneva", got)
	}

	t.Run("a save from an old version is a conflict and changes nothing", func(t *testing.T) {
		_, err := desk.UpdateArticle(ctx, a.ID, byline.ArticleUpdate{Body: ptr("Overwrite!")}, 1, u.ID)
		if byline.ErrorKind(err) != byline.Conflict {
			t.Fatalf("UpdateArticle from version 1 when at 2: %v, want Conflict", err)
		}
		got, _ := articles.FindByID(ctx, a.ID)
		if got.Body != "Second draft.\n\n> A pull quote." || got.Version != 2 {
			t.Errorf("after the conflict: body %q version %d, want the second draft at version 2", got.Body, got.Version)
		}
		if revs, _ := desk.Revisions(ctx, a.ID); len(revs) != 2 {
			t.Errorf("after the conflict: %d revisions, want 2", len(revs))
		}
	})
	t.Run("an invalid save or a missing article changes nothing", func(t *testing.T) {
		if _, err := desk.UpdateArticle(ctx, a.ID, byline.ArticleUpdate{Headline: ptr("  ")}, 2, u.ID); byline.ErrorKind(err) != byline.Invalid {
			t.Errorf("UpdateArticle with a blank headline: %v, want Invalid", err)
		}
		if _, err := desk.UpdateArticle(ctx, a.ID+1000, byline.ArticleUpdate{Body: ptr("x")}, 1, u.ID); byline.ErrorKind(err) != byline.NotFound {
			t.Errorf("UpdateArticle(unknown) = %v, want NotFound", err)
		}
		if got, _ := articles.FindByID(ctx, a.ID); got.Version != 2 {
			t.Errorf("after the refused saves: version %d, want 2", got.Version)
		}
	})

	t.Run("every save is a revision, and an old one can be restored", func(t *testing.T) {
		revs, err := desk.Revisions(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(revs) != 2 || revs[0].Version != 2 || revs[1].Version != 1 || revs[1].UserName != u.Name || revs[1].UserID != u.ID {
			t.Fatalf("Revisions = %d (%+v); want versions 2 and 1 by %s", len(revs), revs, u.Name)
		}
		if revs[0].Body != "" || !revs[0].CreatedAt.Equal(clock.Now()) || !revs[1].CreatedAt.Equal(newsroomT0) {
			t.Errorf("Revisions[0] = body %q at %v, [1] at %v; want no bodies, saved at the clock's times", revs[0].Body, revs[0].CreatedAt, revs[1].CreatedAt)
		}
		first, err := desk.FindRevision(ctx, a.ID, revs[1].ID)
		if err != nil || first.Body != "First draft." || first.Headline != a.Headline || first.Status != byline.Draft || !first.PublishedAt.IsZero() {
			t.Fatalf("FindRevision = %+v, %v; want the first draft", first, err)
		}
		if len(first.Tags) != 2 || first.Tags[0].Slug != "syria" || first.Tags[1].Name != "Diplomacy" ||
			len(first.Authors) != 1 || first.Authors[0].Name != u.Name {
			t.Errorf("first revision's credits: authors %+v, tags %+v; want those of the first draft", first.Authors, first.Tags)
		}
		if _, err := desk.FindRevision(ctx, a.ID+1000, revs[1].ID); byline.ErrorKind(err) != byline.NotFound {
			t.Errorf("FindRevision of another article = %v, want NotFound", err)
		}
		clock.Advance(time.Minute)
		restored, err := desk.RestoreRevision(ctx, a.ID, first.ID, 2, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		if restored.Body != "First draft." || restored.Version != 3 || len(restored.Tags) != 2 || restored.Tags[0].Slug != "syria" {
			t.Errorf("restored: body %q version %d tags %+v; want the first draft and its tags at version 3", restored.Body, restored.Version, restored.Tags)
		}
		if revs, _ := desk.Revisions(ctx, a.ID); len(revs) != 3 || revs[0].Version != 3 {
			t.Errorf("after restoring: %d revisions, want 3, the newest at version 3", len(revs))
		}
		if _, err := desk.RestoreRevision(ctx, a.ID, first.ID, 2, u.ID); byline.ErrorKind(err) != byline.Conflict {
			t.Errorf("RestoreRevision from an old version: %v, want Conflict", err)
		}
	})

	t.Run("an imported article gets a revision of its state before the first edit", func(t *testing.T) {
		imp := &byline.Article{Headline: "Imported", Body: "As imported.", Status: byline.Published, PublishedAt: t0}
		if err := articles.Create(ctx, imp); err != nil {
			t.Fatal(err)
		}
		if d, err := desk.FindDeskArticle(ctx, imp.ID); err != nil || d.OwnerID != 0 || d.OwnerName != "" {
			t.Errorf("FindDeskArticle(imported) = %+v, %v; want no owner", d, err)
		}
		if revs, err := desk.Revisions(ctx, imp.ID); err != nil || len(revs) != 0 {
			t.Errorf("Revisions(imported) = %d, %v; want none", len(revs), err)
		}
		if _, err := desk.UpdateArticle(ctx, imp.ID, byline.ArticleUpdate{Body: ptr("Edited.")}, imp.Version, u.ID); err != nil {
			t.Fatal(err)
		}
		revs, _ := desk.Revisions(ctx, imp.ID)
		if len(revs) != 2 {
			t.Fatalf("imported then edited: %d revisions, want 2", len(revs))
		}
		orig, _ := desk.FindRevision(ctx, imp.ID, revs[1].ID)
		if orig.Body != "As imported." || orig.UserID != 0 || orig.UserName != "" || !orig.PublishedAt.Equal(t0) || orig.Status != byline.Published {
			t.Errorf("first revision: body %q by %d (%q), %s at %v; want the imported text by nobody, published at %v",
				orig.Body, orig.UserID, orig.UserName, orig.Status, orig.PublishedAt, t0)
		}
	})

	t.Run("a deleted user's articles and revisions stay, without them", func(t *testing.T) {
		gone := mustCreateUser(t, b.Users, "gone@example.com", byline.RoleAuthor)
		x := &byline.Article{Headline: "Left behind", Body: "Text."}
		if err := desk.CreateArticle(ctx, x, gone.ID); err != nil {
			t.Fatal(err)
		}
		if err := b.Users.DeleteUser(ctx, gone.ID); err != nil {
			t.Fatal(err)
		}
		d, err := desk.FindDeskArticle(ctx, x.ID)
		if err != nil || d.OwnerID != 0 || d.OwnerName != "" {
			t.Errorf("FindDeskArticle after the owner was deleted = %+v, %v; want it without an owner", d, err)
		}
		revs, err := desk.Revisions(ctx, x.ID)
		if err != nil || len(revs) != 1 || revs[0].UserID != 0 || revs[0].UserName != "" {
			t.Errorf("Revisions after the user was deleted = %+v, %v; want one by nobody", revs, err)
		}
	})
	t.Run("deleting an article deletes its revisions", func(t *testing.T) {
		revs, _ := desk.Revisions(ctx, a.ID)
		if err := articles.Delete(ctx, a.ID); err != nil {
			t.Fatal(err)
		}
		if got, err := desk.Revisions(ctx, a.ID); err != nil || len(got) != 0 {
			t.Errorf("Revisions of a deleted article = %d, %v; want none", len(got), err)
		}
		if _, err := desk.FindRevision(ctx, a.ID, revs[0].ID); byline.ErrorKind(err) != byline.NotFound {
			t.Errorf("FindRevision of a deleted article = %v, want NotFound", err)
		}
		if _, err := desk.RestoreRevision(ctx, a.ID, revs[0].ID, 3, u.ID); byline.ErrorKind(err) != byline.NotFound {
			t.Errorf("RestoreRevision of a deleted article = %v, want NotFound", err)
		}
	})
}

func testDeskFind(t *testing.T, open Opener) {
	b, clock, u := setupDesk(t, open)
	desk, articles, ctx := b.Desk, b.Articles, t.Context()
	now := clock.Now()
	for _, a := range []*byline.Article{
		{Headline: "Draft about Syria", Status: byline.Draft},
		{Headline: "Published about Iraq", Status: byline.Published, PublishedAt: now.Add(-time.Hour)},
		{Headline: "Scheduled about Syria", Status: byline.Scheduled, PublishedAt: now.Add(time.Hour)},
		{Headline: "earlier news from Égypte", Status: byline.Published, PublishedAt: now.Add(-2 * time.Hour)},
	} {
		clock.Advance(time.Second) // distinct updated_at times, for the default order
		if err := desk.CreateArticle(ctx, a, u.ID); err != nil {
			t.Fatal(err)
		}
	}
	clock.Advance(time.Second)
	if err := articles.Create(ctx, &byline.Article{Headline: "Imported 100% news_", Status: byline.Draft}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		f    byline.DeskFilter
		want []string
	}{
		{"last changed first by default", byline.DeskFilter{}, []string{"Imported 100% news_", "earlier news from Égypte",
			"Scheduled about Syria", "Published about Iraq", "Draft about Syria"}},
		{"drafts", byline.DeskFilter{Status: ptr(byline.Draft), Sort: byline.SortHeadline}, []string{"Draft about Syria", "Imported 100% news_"}},
		{"scheduled", byline.DeskFilter{Status: ptr(byline.Scheduled)}, []string{"Scheduled about Syria"}},
		{"published", byline.DeskFilter{Status: ptr(byline.Published), Sort: byline.SortPublished},
			[]string{"Published about Iraq", "earlier news from Égypte"}},
		{"publication order puts drafts last", byline.DeskFilter{Sort: byline.SortPublished}, []string{"Scheduled about Syria",
			"Published about Iraq", "earlier news from Égypte", "Imported 100% news_", "Draft about Syria"}},
		{"headline order ignores case", byline.DeskFilter{Sort: byline.SortHeadline}, []string{"Draft about Syria",
			"earlier news from Égypte", "Imported 100% news_", "Published about Iraq", "Scheduled about Syria"}},
		{"search ignores case", byline.DeskFilter{Query: "syria", Sort: byline.SortHeadline}, []string{"Draft about Syria", "Scheduled about Syria"}},
		{"every word must match", byline.DeskFilter{Query: "SYRIA draft"}, []string{"Draft about Syria"}},
		{"percent and underscore are plain characters", byline.DeskFilter{Query: "100% s_"}, []string{"Imported 100% news_"}},
		{"words that no database could hold match nothing", byline.DeskFilter{Query: "syria \xff\x00"}, nil},
		{"by owner", byline.DeskFilter{OwnerID: ptr(u.ID), Sort: byline.SortHeadline}, []string{"Draft about Syria",
			"earlier news from Égypte", "Published about Iraq", "Scheduled about Syria"}},
		{"not submitted", byline.DeskFilter{Submitted: ptr(false), Status: ptr(byline.Draft), Sort: byline.SortHeadline},
			[]string{"Draft about Syria", "Imported 100% news_"}},
		{"a page", byline.DeskFilter{Sort: byline.SortHeadline, Limit: 2, Offset: 1}, []string{"earlier news from Égypte", "Imported 100% news_"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			list, total, err := desk.FindDesk(ctx, tt.f)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, d := range list {
				got = append(got, d.Headline)
			}
			wantTotal := len(tt.want)
			if tt.f.Limit > 0 {
				wantTotal = 5
			}
			if !equalStrings(got, tt.want) || total != wantTotal {
				t.Errorf("FindDesk(%+v) = %q (total %d), want %q (total %d)", tt.f, got, total, tt.want, wantTotal)
			}
		})
	}
	t.Run("the list has credits and owners, not bodies", func(t *testing.T) {
		list, _, err := desk.FindDesk(ctx, byline.DeskFilter{Query: "Iraq"})
		if err != nil || len(list) != 1 {
			t.Fatalf("FindDesk(Iraq) = %d, %v", len(list), err)
		}
		if d := list[0]; d.Body != "" || d.OwnerID != u.ID || d.OwnerName != u.Name || d.Version != 1 || !d.PublishedAt.Equal(now.Add(-time.Hour)) {
			t.Errorf("FindDesk(Iraq)[0] = %+v; want no body, owned by %d, version 1", d, u.ID)
		}
	})
	t.Run("a page past the end still counts", func(t *testing.T) {
		list, total, err := desk.FindDesk(ctx, byline.DeskFilter{Limit: 10, Offset: 50})
		if err != nil || len(list) != 0 || total != 5 {
			t.Errorf("FindDesk(offset 50) = %d, total %d, %v; want none of 5", len(list), total, err)
		}
	})
	t.Run("an unknown status or order is invalid", func(t *testing.T) {
		if _, _, err := desk.FindDesk(ctx, byline.DeskFilter{Status: ptr(byline.Status("lost"))}); byline.ErrorKind(err) != byline.Invalid {
			t.Errorf("FindDesk(status lost) = %v, want Invalid", err)
		}
		if _, _, err := desk.FindDesk(ctx, byline.DeskFilter{Sort: "a.id; DROP TABLE articles"}); byline.ErrorKind(err) != byline.Invalid {
			t.Errorf("FindDesk(sort injection) = %v, want Invalid", err)
		}
	})

	t.Run("submitting marks the article", func(t *testing.T) {
		list, _, _ := desk.FindDesk(ctx, byline.DeskFilter{Status: ptr(byline.Draft), OwnerID: ptr(u.ID)})
		clock.Advance(time.Minute)
		if err := desk.SetSubmitted(ctx, list[0].ID, true); err != nil {
			t.Fatal(err)
		}
		sub, n, _ := desk.FindDesk(ctx, byline.DeskFilter{Submitted: ptr(true)})
		if n != 1 || sub[0].ID != list[0].ID || !sub[0].Submitted() || !sub[0].SubmittedAt.Equal(clock.Now()) {
			t.Fatalf("submitted articles: %d, want article %d submitted now", n, list[0].ID)
		}
		if err := desk.SetSubmitted(ctx, list[0].ID, false); err != nil {
			t.Fatal(err)
		}
		if d, _ := desk.FindDeskArticle(ctx, list[0].ID); d.Submitted() || d.OwnerID != u.ID {
			t.Errorf("after withdrawing: %+v, want it not submitted and still owned", d)
		}
	})
	t.Run("an imported article can be submitted", func(t *testing.T) {
		list, _, _ := desk.FindDesk(ctx, byline.DeskFilter{Query: "Imported"})
		if err := desk.SetSubmitted(ctx, list[0].ID, true); err != nil {
			t.Fatal(err)
		}
		if d, _ := desk.FindDeskArticle(ctx, list[0].ID); !d.Submitted() || d.OwnerID != 0 {
			t.Errorf("imported after submitting: %+v, want it submitted, without an owner", d)
		}
		if err := desk.SetSubmitted(ctx, 999999, true); byline.ErrorKind(err) != byline.NotFound {
			t.Errorf("SetSubmitted(unknown) = %v, want NotFound", err)
		}
	})
}

// testDeskConcurrentSaves has two editors, on two instances, save the same
// version of an article at once: one save wins, the other is a Conflict,
// never a silent overwrite.
func testDeskConcurrentSaves(t *testing.T, open Opener) {
	b, _, u := setupDesk(t, open)
	other := reopen(t, b)
	ctx := t.Context()
	a := &byline.Article{Headline: "Contested", Body: "Version one."}
	if err := b.Desk.CreateArticle(ctx, a, u.ID); err != nil {
		t.Fatal(err)
	}
	for version := 1; version <= 5; version++ {
		var (
			wg     sync.WaitGroup
			errs   [2]error
			bodies = [2]string{"Editor one's take.", "Editor two's take."}
		)
		for i, desk := range []byline.DeskService{b.Desk, other.Desk} {
			wg.Go(func() {
				_, errs[i] = desk.UpdateArticle(ctx, a.ID, byline.ArticleUpdate{Body: &bodies[i]}, version, u.ID)
			})
		}
		wg.Wait()
		winner := -1
		for i, err := range errs {
			switch {
			case err == nil:
				winner = i
			case byline.ErrorKind(err) != byline.Conflict:
				t.Fatalf("version %d: UpdateArticle: %v", version, err)
			}
		}
		if (errs[0] == nil) == (errs[1] == nil) {
			t.Fatalf("version %d: two saves at once: %v; want one saved and one Conflict", version, errs)
		}
		got, err := b.Articles.FindByID(ctx, a.ID)
		if err != nil || got.Version != version+1 || got.Body != bodies[winner] {
			t.Fatalf("after the saves from version %d: %+v, %v; want version %d with the winner's body", version, got, err, version+1)
		}
	}
	if revs, _ := b.Desk.Revisions(ctx, a.ID); len(revs) != 6 {
		t.Errorf("Revisions = %d, want 6: the first and one per round", len(revs))
	}
}
