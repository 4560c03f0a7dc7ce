package sqlite_test

import (
	"strings"
	"testing"

	"github.com/bylinenews/byline"
	"github.com/bylinenews/byline/internal/dbtest"
	"github.com/bylinenews/byline/sqlite"
)

func ptr[T any](v T) *T { return &v }

func setupDesk(t *testing.T) (*sqlite.DeskService, *sqlite.ArticleService, *byline.User, *testClock) {
	t.Helper()
	db := dbtest.OpenSQLite(t)
	clock := newTestClock()
	db.Now = clock.Now
	users := sqlite.NewUserService(db)
	u := mustCreateUser(t, users, "author@example.com", byline.RoleAuthor)
	return sqlite.NewDeskService(db), sqlite.NewArticleService(db), u, clock
}

func TestDeskService_UpdateArticle(t *testing.T) {
	t.Parallel()
	desk, articles, u, clock := setupDesk(t)
	ctx := t.Context()
	a := &byline.Article{Headline: "Talks resume in Geneva", Body: "First draft.", Authors: []byline.Author{{Name: u.Name}}}
	if err := desk.CreateArticle(ctx, a, u.ID); err != nil {
		t.Fatal(err)
	}
	d, err := desk.FindDeskArticle(ctx, a.ID)
	if err != nil || d.OwnerID != u.ID || d.OwnerName != u.Name || d.Status != byline.Draft {
		t.Fatalf("FindDeskArticle = %+v, %v; want a draft owned by %d", d, err, u.ID)
	}

	clock.Advance(1000)
	saved, err := desk.UpdateArticle(ctx, a.ID, byline.ArticleUpdate{Body: ptr("Second draft.\n\n> A pull quote.")}, 1, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if saved.Version != 2 || !strings.Contains(saved.BodyHTML, `class="pull-quote"`) {
		t.Errorf("after the update: version %d, HTML %q; want version 2 and a rendered pull quote", saved.Version, saved.BodyHTML)
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
	})

	t.Run("every save is a revision, and an old one can be restored", func(t *testing.T) {
		revs, err := desk.Revisions(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(revs) != 2 || revs[0].Version != 2 || revs[1].Version != 1 || revs[1].UserName != u.Name {
			t.Fatalf("Revisions = %d (%+v); want versions 2 and 1 by %s", len(revs), revs, u.Name)
		}
		first, err := desk.FindRevision(ctx, a.ID, revs[1].ID)
		if err != nil || first.Body != "First draft." {
			t.Fatalf("FindRevision = %+v, %v; want the first draft", first, err)
		}
		restored, err := desk.RestoreRevision(ctx, a.ID, first.ID, 2, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		if restored.Body != "First draft." || restored.Version != 3 {
			t.Errorf("restored: body %q version %d; want the first draft at version 3", restored.Body, restored.Version)
		}
		if revs, _ := desk.Revisions(ctx, a.ID); len(revs) != 3 {
			t.Errorf("after restoring: %d revisions, want 3", len(revs))
		}
	})

	t.Run("an imported article gets a revision of its state before the first edit", func(t *testing.T) {
		imp := &byline.Article{Headline: "Imported", Body: "As imported.", Status: byline.Published, PublishedAt: t0}
		if err := articles.Create(ctx, imp); err != nil {
			t.Fatal(err)
		}
		if _, err := desk.UpdateArticle(ctx, imp.ID, byline.ArticleUpdate{Body: ptr("Edited.")}, imp.Version, u.ID); err != nil {
			t.Fatal(err)
		}
		revs, _ := desk.Revisions(ctx, imp.ID)
		if len(revs) != 2 {
			t.Fatalf("imported then edited: %d revisions, want 2", len(revs))
		}
		orig, _ := desk.FindRevision(ctx, imp.ID, revs[1].ID)
		if orig.Body != "As imported." || orig.UserID != 0 {
			t.Errorf("first revision: body %q by %d; want the imported text by nobody", orig.Body, orig.UserID)
		}
	})
}

func TestDeskService_FindDesk(t *testing.T) {
	t.Parallel()
	desk, articles, u, clock := setupDesk(t)
	ctx := t.Context()
	now := clock.Now()
	for _, a := range []*byline.Article{
		{Headline: "Draft about Syria", Status: byline.Draft},
		{Headline: "Published about Iraq", Status: byline.Published, PublishedAt: now.Add(-1e12)},
		{Headline: "Scheduled about Syria", Status: byline.Scheduled, PublishedAt: now.Add(1e12)},
	} {
		if err := desk.CreateArticle(ctx, a, u.ID); err != nil {
			t.Fatal(err)
		}
	}
	if err := articles.Create(ctx, &byline.Article{Headline: "Imported 100% news", Status: byline.Draft}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		f    byline.DeskFilter
		want []string
	}{
		{"drafts", byline.DeskFilter{Status: ptr(byline.Draft), Sort: byline.SortHeadline}, []string{"Draft about Syria", "Imported 100% news"}},
		{"scheduled", byline.DeskFilter{Status: ptr(byline.Scheduled)}, []string{"Scheduled about Syria"}},
		{"published", byline.DeskFilter{Status: ptr(byline.Published)}, []string{"Published about Iraq"}},
		{"search ignores case", byline.DeskFilter{Query: "syria", Sort: byline.SortHeadline}, []string{"Draft about Syria", "Scheduled about Syria"}},
		{"percent is a plain character", byline.DeskFilter{Query: "100%"}, []string{"Imported 100% news"}},
		{"by owner", byline.DeskFilter{OwnerID: ptr(u.ID), Sort: byline.SortHeadline}, []string{"Draft about Syria", "Published about Iraq", "Scheduled about Syria"}},
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
			if strings.Join(got, "|") != strings.Join(tt.want, "|") || total != len(tt.want) {
				t.Errorf("FindDesk(%+v) = %q (total %d), want %q", tt.f, got, total, tt.want)
			}
		})
	}

	t.Run("submitting marks the article", func(t *testing.T) {
		list, _, _ := desk.FindDesk(ctx, byline.DeskFilter{Status: ptr(byline.Draft), OwnerID: ptr(u.ID)})
		if err := desk.SetSubmitted(ctx, list[0].ID, true); err != nil {
			t.Fatal(err)
		}
		sub, n, _ := desk.FindDesk(ctx, byline.DeskFilter{Submitted: ptr(true)})
		if n != 1 || sub[0].ID != list[0].ID || !sub[0].Submitted() {
			t.Errorf("submitted articles: %d, want article %d", n, list[0].ID)
		}
	})
}
