package storetest

import (
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/bylinenews/byline"
)

func testAutosaves(t *testing.T, open Opener) {
	b, clock, u := setupDesk(t, open)
	other := mustCreateUser(t, b.Users, "other@example.com", byline.RoleEditor)
	autosaves, desk, ctx := b.Autosaves, b.Desk, t.Context()
	a := &byline.Article{Headline: "Talks resume", Body: "Saved text.", Authors: []byline.Author{{Name: u.Name}}}
	if err := desk.CreateArticle(ctx, a, u.ID); err != nil {
		t.Fatal(err)
	}
	typed := map[string]string{"headline": "Talks resume in Geneva", "body": "Saved text, and more typed.", "authors": u.Name}

	clock.Advance(time.Minute)
	as := &byline.Autosave{ArticleID: a.ID, UserID: u.ID, BaseVersion: 1, Fields: typed}
	if err := autosaves.Save(ctx, as); err != nil {
		t.Fatalf("Save(%+v): %v", as, err)
	}
	if !as.SavedAt.Equal(clock.Now()) {
		t.Errorf("Save set SavedAt = %v, want the clock's %v", as.SavedAt, clock.Now())
	}

	t.Run("the autosave is found as saved, by another instance too", func(t *testing.T) {
		for name, s := range map[string]byline.AutosaveService{"this instance": autosaves, "another instance": reopen(t, b).Autosaves} {
			got, err := s.Find(ctx, u.ID, a.ID)
			if err != nil {
				t.Fatalf("%s: Find(user %d, article %d): %v", name, u.ID, a.ID, err)
			}
			if got.ArticleID != a.ID || got.UserID != u.ID || got.BaseVersion != 1 || !maps.Equal(got.Fields, typed) || !got.SavedAt.Equal(clock.Now()) {
				t.Errorf("%s: Find = %+v, want %+v saved at %v", name, got, typed, clock.Now())
			}
		}
	})
	t.Run("an autosave is not a revision and does not change the article", func(t *testing.T) {
		revs, err := desk.Revisions(ctx, a.ID)
		if err != nil || len(revs) != 1 {
			t.Errorf("Revisions after an autosave = %d, %v; want the one of the creation", len(revs), err)
		}
		got, _ := b.Articles.FindByID(ctx, a.ID)
		if got.Version != 1 || got.Body != "Saved text." {
			t.Errorf("article after an autosave: version %d, body %q; want version 1 as saved", got.Version, got.Body)
		}
	})
	t.Run("the next autosave replaces the last", func(t *testing.T) {
		clock.Advance(5 * time.Second)
		later := map[string]string{"headline": "Talks resume in Geneva", "body": "Even more typed."}
		if err := autosaves.Save(ctx, &byline.Autosave{ArticleID: a.ID, UserID: u.ID, BaseVersion: 1, Fields: later}); err != nil {
			t.Fatal(err)
		}
		got, err := autosaves.Find(ctx, u.ID, a.ID)
		if err != nil || !maps.Equal(got.Fields, later) || !got.SavedAt.Equal(clock.Now()) {
			t.Errorf("Find after a second autosave = %+v, %v; want %v at %v", got, err, later, clock.Now())
		}
		typed = later
	})
	t.Run("each user has their own, and a new article has one apart", func(t *testing.T) {
		theirs := map[string]string{"body": "The other editor's text."}
		if err := autosaves.Save(ctx, &byline.Autosave{ArticleID: a.ID, UserID: other.ID, BaseVersion: 1, Fields: theirs}); err != nil {
			t.Fatal(err)
		}
		fresh := map[string]string{"headline": "Not saved once"}
		if err := autosaves.Save(ctx, &byline.Autosave{UserID: u.ID, Fields: fresh}); err != nil {
			t.Fatal(err)
		}
		if got, err := autosaves.Find(ctx, other.ID, a.ID); err != nil || !maps.Equal(got.Fields, theirs) {
			t.Errorf("Find(other user) = %+v, %v; want %v", got, err, theirs)
		}
		if got, err := autosaves.Find(ctx, u.ID, 0); err != nil || !maps.Equal(got.Fields, fresh) || got.ArticleID != 0 {
			t.Errorf("Find(new article) = %+v, %v; want %v", got, err, fresh)
		}
		if got, err := autosaves.Find(ctx, u.ID, a.ID); err != nil || !maps.Equal(got.Fields, typed) {
			t.Errorf("Find(own) after the others = %+v, %v; want %v", got, err, typed)
		}
		if _, err := autosaves.Find(ctx, other.ID, 0); byline.ErrorKind(err) != byline.NotFound {
			t.Errorf("Find(other user's new article) = %v, want NotFound", err)
		}
	})
	t.Run("saving the article removes only the saving user's autosave", func(t *testing.T) {
		if _, err := desk.UpdateArticle(ctx, a.ID, byline.ArticleUpdate{Body: ptr(typed["body"])}, 1, u.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := autosaves.Find(ctx, u.ID, a.ID); byline.ErrorKind(err) != byline.NotFound {
			t.Errorf("Find(own) after saving = %v, want NotFound", err)
		}
		if _, err := autosaves.Find(ctx, other.ID, a.ID); err != nil {
			t.Errorf("Find(other user) after the first saved = %v, want theirs kept", err)
		}
		if _, err := autosaves.Find(ctx, u.ID, 0); err != nil {
			t.Errorf("Find(new article) after saving another = %v, want it kept", err)
		}
	})
	t.Run("a refused save keeps the autosave", func(t *testing.T) {
		if _, err := desk.UpdateArticle(ctx, a.ID, byline.ArticleUpdate{Body: ptr("x")}, 1, other.ID); byline.ErrorKind(err) != byline.Conflict {
			t.Fatalf("UpdateArticle from version 1 at 2: %v, want Conflict", err)
		}
		if _, err := autosaves.Find(ctx, other.ID, a.ID); err != nil {
			t.Errorf("Find after a conflicting save = %v, want the autosave kept", err)
		}
	})
	t.Run("creating an article removes the user's autosave of a new one", func(t *testing.T) {
		n := &byline.Article{Headline: "Not saved once"}
		if err := desk.CreateArticle(ctx, n, u.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := autosaves.Find(ctx, u.ID, 0); byline.ErrorKind(err) != byline.NotFound {
			t.Errorf("Find(new article) after creating one = %v, want NotFound", err)
		}
	})
	t.Run("delete removes it, twice without error", func(t *testing.T) {
		for range 2 {
			if err := autosaves.Delete(ctx, other.ID, a.ID); err != nil {
				t.Fatalf("Delete: %v", err)
			}
		}
		if _, err := autosaves.Find(ctx, other.ID, a.ID); byline.ErrorKind(err) != byline.NotFound {
			t.Errorf("Find after Delete = %v, want NotFound", err)
		}
	})
	t.Run("deleting the article deletes its autosaves", func(t *testing.T) {
		gone := &byline.Article{Headline: "To be deleted"}
		if err := desk.CreateArticle(ctx, gone, u.ID); err != nil {
			t.Fatal(err)
		}
		if err := autosaves.Save(ctx, &byline.Autosave{ArticleID: gone.ID, UserID: u.ID, BaseVersion: 1, Fields: typed}); err != nil {
			t.Fatal(err)
		}
		if err := b.Articles.Delete(ctx, gone.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := autosaves.Find(ctx, u.ID, gone.ID); byline.ErrorKind(err) != byline.NotFound {
			t.Errorf("Find after deleting the article = %v, want NotFound", err)
		}
		err := autosaves.Save(ctx, &byline.Autosave{ArticleID: gone.ID, UserID: u.ID, BaseVersion: 1, Fields: typed})
		if byline.ErrorKind(err) != byline.NotFound {
			t.Errorf("Save over a deleted article = %v, want NotFound", err)
		}
	})
	t.Run("what no editor could send is refused", func(t *testing.T) {
		tests := []struct {
			name string
			as   byline.Autosave
		}{
			{"no user", byline.Autosave{ArticleID: a.ID, Fields: typed}},
			{"a NUL character", byline.Autosave{ArticleID: a.ID, UserID: u.ID, Fields: map[string]string{"body": "a\x00b"}}},
			{"invalid UTF-8", byline.Autosave{ArticleID: a.ID, UserID: u.ID, Fields: map[string]string{"body": "\xff"}}},
			{"too large", byline.Autosave{ArticleID: a.ID, UserID: u.ID, Fields: map[string]string{"body": strings.Repeat("x", byline.MaxAutosaveBytes)}}},
		}
		for _, tt := range tests {
			if err := autosaves.Save(ctx, &tt.as); byline.ErrorKind(err) != byline.Invalid {
				t.Errorf("Save with %s = %v, want Invalid", tt.name, err)
			}
		}
		if err := autosaves.Save(ctx, &byline.Autosave{UserID: u.ID + other.ID + 1000, Fields: typed}); byline.ErrorKind(err) != byline.NotFound {
			t.Errorf("Save for an unknown user = %v, want NotFound", err)
		}
	})
}
