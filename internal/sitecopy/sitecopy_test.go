package sitecopy_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bylinenews/byline"
	"github.com/bylinenews/byline/internal/dbtest"
	"github.com/bylinenews/byline/internal/sitecopy"
	"github.com/bylinenews/byline/postgres"
	"github.com/bylinenews/byline/sqlite"
)

// A new migration that adds a table must say whether it is copied: an
// unknown table makes the copy refuse, so this test fails first.
func TestEveryTableIsCopiedOrSkipped(t *testing.T) {
	path := filepath.Join(t.TempDir(), "byline.db")
	db, err := sqlite.Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	raw, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	rows, err := raw.Query(`SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var name, ddl string
		if err := rows.Scan(&name, &ddl); err != nil {
			t.Fatal(err)
		}
		fts := strings.Contains(strings.ToLower(ddl), "fts5") || strings.Contains(name, "_fts") || strings.Contains(name, "words")
		if !slices.Contains(sitecopy.Tables, name) && !fts && name != "schema_migrations" && name != "challenges" {
			t.Errorf("table %s is neither copied nor skipped by sitecopy", name)
		}
	}
}

func TestCopy(t *testing.T) {
	pgURL := dbtest.PostgresURL(t)
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "byline.db")
	src, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()

	// A site with a bit of everything: sections whose child was created
	// before its parent, so the copy meets the child first.
	sections := sqlite.NewSectionService(src)
	europe, world := &byline.Section{Name: "Europe"}, &byline.Section{Name: "World"}
	for _, sec := range []*byline.Section{europe, world} {
		if err := sections.Create(ctx, sec); err != nil {
			t.Fatal(err)
		}
	}
	europe.ParentID = world.ID
	if err := sections.Update(ctx, europe); err != nil {
		t.Fatal(err)
	}
	articles := sqlite.NewArticleService(src)
	t0 := time.Date(2015, 10, 8, 12, 0, 0, 0, time.UTC)
	var created []*byline.Article
	for i, h := range []string{"Russian, US Relationship In Syria Remains Complicated", "Россия и США", "A draft"} {
		a := &byline.Article{Headline: h, Body: "Body of " + h + ".\n\n> Pull quote.", Status: byline.Published,
			PublishedAt: t0.Add(time.Duration(i) * time.Hour), Authors: []byline.Author{{Name: "Jane Doe"}},
			Tags: []byline.Tag{{Name: "Syria"}}, SourceURL: fmt.Sprintf("http://old.example.com/%d", i),
			Sections: []byline.Section{{Slug: "europe"}, {Slug: "world"}}}
		if i == 2 {
			a.Status = byline.Draft
		}
		if err := articles.Create(ctx, a); err != nil {
			t.Fatal(err)
		}
		created = append(created, a)
	}
	users := sqlite.NewUserService(src)
	if err := users.CreateUser(ctx, &byline.User{Email: "ed@example.com", Name: "Ed Itor", Role: byline.RoleEditor}, "a long enough password"); err != nil {
		t.Fatal(err)
	}
	msgs := sqlite.NewMessageService(src)
	if err := msgs.Create(ctx, &byline.Message{Name: "Reader", Email: "reader@example.com", Body: "Hello there."}); err != nil {
		t.Fatal(err)
	}
	settings := sqlite.NewSettingsService(src)
	st, err := settings.Settings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	st.Title = "The Copied Times"
	if err := settings.UpdateSettings(ctx, st); err != nil {
		t.Fatal(err)
	}

	// Newsletters: a list, a confirmed subscriber, a pending one with its
	// confirmation email queued, a send, and the links' signing key.
	nls, subs := sqlite.NewNewsletterService(src), sqlite.NewSubscriberService(src)
	nl := &byline.Newsletter{Name: "Daily Briefing"}
	if err := nls.Create(ctx, nl); err != nil {
		t.Fatal(err)
	}
	if _, _, err := subs.Import(ctx, []byline.SubscriberImport{{Line: 2, Email: "sub@example.com", Newsletters: []int64{nl.ID},
		ConsentAt: t0, Confirmed: true}}); err != nil {
		t.Fatal(err)
	}
	if err := subs.Subscribe(ctx, "pending@example.com", "", []int64{nl.ID}, time.Hour); err != nil {
		t.Fatal(err)
	}
	if err := nls.Queue(ctx, &byline.Send{NewsletterID: nl.ID, ArticleID: created[0].ID}); err != nil {
		t.Fatal(err)
	}
	key, err := subs.SigningKey(ctx)
	if err != nil {
		t.Fatal(err)
	}

	dst, err := postgres.Open(ctx, pgURL)
	if err != nil {
		t.Fatal(err)
	}
	defer dst.Close()
	res, err := sitecopy.Copy(ctx, path, dst.Pool())
	if err != nil {
		t.Fatalf("Copy: %v", err)
	}
	counts := map[string]int{}
	for _, tr := range res.Tables {
		counts[tr.Name] = tr.Rows
		if tr.Checksum == "" {
			t.Errorf("table %s has no checksum", tr.Name)
		}
	}
	for table, want := range map[string]int{"articles": 3, "authors": 1, "tags": 1, "users": 1, "messages": 1, "settings": 1, "site_state": 1,
		"sections": 2, "article_sections": 6,
		"newsletters": 1, "subscribers": 2, "subscriptions": 1, "subscriber_confirmations": 1, "newsletter_sends": 1,
		"newsletter_deliveries": 2, "site_keys": 1} {
		if counts[table] != want {
			t.Errorf("copied %d rows of %s, want %d", counts[table], table, want)
		}
	}

	// The copy works through PostgreSQL's own services.
	pgArticles := postgres.NewArticleService(dst)
	got, err := pgArticles.FindBySlug(ctx, created[0].Slug)
	if err != nil {
		t.Fatalf("FindBySlug on the copy: %v", err)
	}
	if got.Headline != created[0].Headline || !got.PublishedAt.Equal(created[0].PublishedAt) || got.BodyHTML != created[0].BodyHTML ||
		got.Byline() != "Jane Doe" || len(got.Tags) != 1 || len(got.Sections) != 2 || got.PrimarySection().Slug != "europe" {
		t.Errorf("copied article = %+v", got)
	}
	pgSections := postgres.NewSectionService(dst)
	if eu, err := pgSections.FindBySlug(ctx, "europe"); err != nil || eu.ParentSlug != "world" {
		t.Errorf("copied section europe = %+v, %v; want under world", eu, err)
	}
	if sport := (&byline.Section{Name: "Sport"}); pgSections.Create(ctx, sport) != nil || sport.ID <= world.ID {
		t.Errorf("new section on the copy: ID %d; want an ID after %d", sport.ID, world.ID)
	}
	if _, err := pgArticles.FindBySlug(ctx, created[2].Slug); byline.ErrorKind(err) != byline.NotFound {
		t.Errorf("the draft is visible on the copy: %v", err)
	}
	if u, err := postgres.NewUserService(dst).Authenticate(ctx, "ed@example.com", "a long enough password"); err != nil || u.Role != byline.RoleEditor {
		t.Errorf("sign-in on the copy: %+v, %v", u, err)
	}
	if st, err := postgres.NewSettingsService(dst).Settings(ctx); err != nil || st.Title != "The Copied Times" {
		t.Errorf("settings on the copy: %+v, %v", st, err)
	}
	hits, err := postgres.NewSearchService(dst).Search(ctx, byline.Query{Words: []string{"syria"}})
	if err != nil || hits.Total != 1 {
		t.Errorf("search on the copy: %+v, %v; want the one visible Syria article", hits, err)
	}
	pgSubs := postgres.NewSubscriberService(dst)
	if k, err := pgSubs.SigningKey(ctx); err != nil || string(k) != string(key) {
		t.Errorf("the copy signs email links with another key (%v): old links would stop working", err)
	}
	if found, total, err := pgSubs.Find(ctx, byline.SubscriberFilter{NewsletterID: nl.ID}); err != nil || total != 1 || found[0].Email != "sub@example.com" {
		t.Errorf("subscribers on the copy: %+v (%d), %v", found, total, err)
	}
	// New rows get fresh IDs after the copied ones.
	a := &byline.Article{Headline: "After the move", Body: "x", Status: byline.Published}
	if err := pgArticles.Create(ctx, a); err != nil || a.ID <= created[2].ID {
		t.Errorf("new article on the copy: ID %d, %v; want an ID after %d", a.ID, err, created[2].ID)
	}

	t.Run("a second copy is refused and changes nothing", func(t *testing.T) {
		_, err := sitecopy.Copy(context.Background(), path, dst.Pool())
		if err == nil || !strings.Contains(err.Error(), "already has") {
			t.Errorf("second Copy: %v, want a refusal", err)
		}
		if _, total, _ := pgArticles.Find(ctx, byline.ArticleFilter{IncludeHidden: true}); total != 4 {
			t.Errorf("after the refused copy: %d articles, want 4", total)
		}
	})
}
