package storetest

import (
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/bylinenews/byline"
)

func testSettings(t *testing.T, open Opener) {
	b, clock := openAt(t, open, newsroomT0)
	settings, articles, ctx := b.Settings, b.Articles, t.Context()

	got, err := settings.Settings(ctx)
	if err != nil || got.Title != "" || got.PostsPerPage != 0 || !got.UpdatedAt.IsZero() {
		t.Fatalf("Settings on a new site = %+v, %v; want zero settings", got, err)
	}
	if err := articles.Create(ctx, &byline.Article{Headline: "Old news", Status: byline.Published, PublishedAt: t0}); err != nil {
		t.Fatal(err)
	}
	before, _ := articles.LastModified(ctx)
	clock.Advance(time.Minute)
	want := &byline.Settings{
		Title: " The Evening Star ", Tagline: "All the news", Description: "Ünïcode — and more.", PostsPerPage: 7, RecentCount: 3,
		LogoURL: "/files/uploads/0123456789abcdef0123456789abcdef-480.png", AccentColor: "#1B5E20", FooterText: "Published by the Star Trust.",
		Language: "en-GB", TimeZone: "Europe/London",
		ContactRecipients: []string{"desk@example.com", " ed@example.com"},
		SMTP: byline.SMTPSettings{Host: "smtp.example.com", Port: 587, Security: "starttls", Username: "site",
			From: "site@example.com", Password: `s3cret "quoted" \ pass`},
	}
	if err := settings.UpdateSettings(ctx, want); err != nil {
		t.Fatal(err)
	}
	if !want.UpdatedAt.Equal(clock.Now()) {
		t.Errorf("UpdateSettings set UpdatedAt %v, want %v", want.UpdatedAt, clock.Now())
	}
	got, err = settings.Settings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got.Title != "The Evening Star" || got.Tagline != want.Tagline || got.Description != want.Description ||
		got.PostsPerPage != 7 || got.RecentCount != 3 || !equalStrings(got.ContactRecipients, []string{"desk@example.com", "ed@example.com"}) ||
		got.SMTP != want.SMTP || !got.UpdatedAt.Equal(clock.Now()) ||
		got.LogoURL != want.LogoURL || got.AccentColor != "#1b5e20" || got.FooterText != want.FooterText ||
		got.Language != "en-GB" || got.TimeZone != "Europe/London" {
		t.Errorf("Settings = %+v, want %+v, trimmed", got, want)
	}
	after, _ := articles.LastModified(ctx)
	if !after.After(before) {
		t.Errorf("LastModified after a settings change = %v, was %v: cached pages would not render again", after, before)
	}

	t.Run("a change in the same instant still marks the site changed", func(t *testing.T) {
		for i := range 3 {
			prev, _ := articles.LastModified(ctx)
			if err := settings.UpdateSettings(ctx, &byline.Settings{Title: strings.Repeat("x", i+1)}); err != nil {
				t.Fatal(err)
			}
			if now, _ := articles.LastModified(ctx); !now.After(prev) {
				t.Errorf("change %d at the same clock time: LastModified %v, was %v; want it later", i, now, prev)
			}
		}
	})
	t.Run("settings replace, not merge", func(t *testing.T) {
		if err := settings.UpdateSettings(ctx, &byline.Settings{Title: "Only a title"}); err != nil {
			t.Fatal(err)
		}
		got, _ := settings.Settings(ctx)
		if got.Title != "Only a title" || got.PostsPerPage != 0 || got.ContactRecipients != nil || got.SMTP != (byline.SMTPSettings{}) {
			t.Errorf("Settings after storing a title alone = %+v, want the rest zero", got)
		}
	})
	t.Run("another instance reads the change at once", func(t *testing.T) {
		other := reopen(t, b)
		if err := settings.UpdateSettings(ctx, &byline.Settings{Title: "Seen everywhere", RecentCount: 5}); err != nil {
			t.Fatal(err)
		}
		if got, err := other.Settings.Settings(ctx); err != nil || got.Title != "Seen everywhere" || got.RecentCount != 5 {
			t.Errorf("Settings on the other instance = %+v, %v", got, err)
		}
	})

	for name, bad := range map[string]*byline.Settings{
		"posts per page":    {PostsPerPage: 1000},
		"recipient address": {ContactRecipients: []string{"not an address"}},
		"line break":        {Title: "Two\nlines"},
		"NUL":               {Tagline: "nul\x00byte"},
		"invalid UTF-8":     {Description: "bad \xff text"},
		"smtp security":     {SMTP: byline.SMTPSettings{Security: "rot13"}},
		"smtp port":         {SMTP: byline.SMTPSettings{Port: 70000}},
		"time zone":         {TimeZone: "Europe/Atlantis"},
		"accent colour":     {AccentColor: "#ffff00"},
		"language":          {Language: "Klingon!"},
		"logo elsewhere":    {LogoURL: "https://cdn.example.com/logo.png"},
	} {
		if err := settings.UpdateSettings(ctx, bad); byline.ErrorKind(err) != byline.Invalid {
			t.Errorf("UpdateSettings with a bad %s: %v, want Invalid", name, err)
		}
	}
	if got, _ := settings.Settings(ctx); got.Title != "Seen everywhere" {
		t.Errorf("after the refused changes: title %q, want the last good one", got.Title)
	}
}

func newUpload(hash string, width int) *byline.Upload {
	return &byline.Upload{Hash: hash, Ext: "jpg", ContentType: "image/jpeg",
		Width: width, Height: width / 2, Widths: byline.UploadWidths(width), Size: 12345, Name: "photo.jpg"}
}

func testUploads(t *testing.T, open Opener) {
	b, clock := openAt(t, open, newsroomT0)
	uploads, ctx := b.Uploads, t.Context()
	editor := mustCreateUser(t, b.Users, "ed@example.com", byline.RoleEditor)

	if list, total, err := uploads.FindUploads(ctx, 10, 0); err != nil || total != 0 || len(list) != 0 {
		t.Fatalf("FindUploads on a new site = %d of %d, %v; want none", len(list), total, err)
	}
	u := newUpload("0123456789abcdef0123456789abcdef", 2000)
	u.UserID = editor.ID
	if err := uploads.CreateUpload(ctx, u); err != nil {
		t.Fatal(err)
	}
	if u.ID == 0 || !u.CreatedAt.Equal(newsroomT0) || u.UserID != editor.ID {
		t.Errorf("CreateUpload set ID %d, time %v, user %d; want an ID, the clock's time, the editor", u.ID, u.CreatedAt, u.UserID)
	}
	clock.Advance(time.Minute)
	again := *u
	again.ID, again.Name, again.UserID = 0, "same-photo-other-name.jpg", 0
	if err := uploads.CreateUpload(ctx, &again); err != nil {
		t.Fatal(err)
	}
	if again.ID != u.ID || again.Name != "photo.jpg" || !again.CreatedAt.Equal(u.CreatedAt) || again.UserID != editor.ID {
		t.Errorf("the same image twice: IDs %d and %d, name %q; want one upload, as first stored", u.ID, again.ID, again.Name)
	}
	list, total, err := uploads.FindUploads(ctx, 10, 0)
	if err != nil || total != 1 || len(list) != 1 {
		t.Fatalf("FindUploads = %d uploads (%+v), %v; want one", total, list, err)
	}
	if got := list[0]; got.Hash != u.Hash || got.Ext != "jpg" || got.ContentType != "image/jpeg" || got.Width != 2000 ||
		got.Height != 1000 || got.Size != 12345 || len(got.Widths) != 4 || got.Widths[3] != 2000 || got.Widths[0] != 480 {
		t.Errorf("FindUploads[0] = %+v, want %+v", got, u)
	}
	if got, want := list[0].Srcset(), "/files/uploads/0123456789abcdef0123456789abcdef-480.jpg 480w, /files/uploads/0123456789abcdef0123456789abcdef-960.jpg 960w, /files/uploads/0123456789abcdef0123456789abcdef-1600.jpg 1600w, /files/uploads/0123456789abcdef0123456789abcdef-2000.jpg 2000w"; got != want {
		t.Errorf("Srcset = %q, want %q", got, want)
	}

	t.Run("an upload needs a width", func(t *testing.T) {
		bad := newUpload("ffff", 100)
		bad.Widths = nil
		if err := uploads.CreateUpload(ctx, bad); byline.ErrorKind(err) != byline.Invalid {
			t.Errorf("CreateUpload without widths = %v, want Invalid", err)
		}
	})
	t.Run("a name cut in the middle of a character is kept", func(t *testing.T) {
		name := strings.Repeat("é", 150)[:199] // as the upload handler cuts names to 200 bytes
		x := newUpload("1111111111111111", 300)
		x.Name = name
		if err := uploads.CreateUpload(ctx, x); err != nil {
			t.Fatalf("CreateUpload(name cut mid-character): %v", err)
		}
		if !strings.HasPrefix(x.Name, name[:198]) {
			t.Errorf("stored name %q, want it to start with the whole characters of %q", x.Name, name)
		}
		if utf8.ValidString(x.Name) && x.Name != name[:198]+"\uFFFD" {
			t.Errorf("stored name %q, want the cut character replaced", x.Name)
		}
	})
	t.Run("newest first, in pages", func(t *testing.T) {
		for _, h := range []string{"2222222222222222", "3333333333333333", "4444444444444444"} {
			clock.Advance(time.Second)
			if err := uploads.CreateUpload(ctx, newUpload(h, 800)); err != nil {
				t.Fatal(err)
			}
		}
		list, total, err := uploads.FindUploads(ctx, 2, 1)
		if err != nil || total != 5 || len(list) != 2 || list[0].Hash != "3333333333333333" || list[1].Hash != "2222222222222222" {
			t.Errorf("FindUploads(2, 1) = %+v, total %d, %v; want uploads 3 and 2 of 5", list, total, err)
		}
		if all, total, _ := uploads.FindUploads(ctx, 0, 0); len(all) != 5 || total != 5 {
			t.Errorf("FindUploads(no limit) = %d of %d, want 5", len(all), total)
		}
		if list[0].Widths[0] != 480 || list[0].Widths[1] != 800 {
			t.Errorf("widths of an 800-pixel image = %v, want [480 800]", list[0].Widths)
		}
	})
	t.Run("a deleted user's uploads stay", func(t *testing.T) {
		mustCreateUser(t, b.Users, "admin@example.com", byline.RoleAdmin)
		if err := b.Users.DeleteUser(ctx, editor.ID); err != nil {
			t.Fatal(err)
		}
		list, _, err := uploads.FindUploads(ctx, 0, 0)
		if err != nil || len(list) != 5 || list[4].UserID != 0 {
			t.Errorf("FindUploads after the uploader was deleted = %d, %v; want 5, the first by nobody", len(list), err)
		}
	})
	t.Run("the same image from two instances at once is one upload", func(t *testing.T) {
		other := reopen(t, b)
		var (
			wg   sync.WaitGroup
			ups  [2]*byline.Upload
			errs [2]error
		)
		for i, s := range []byline.UploadService{uploads, other.Uploads} {
			ups[i] = newUpload("5555555555555555", 1200)
			wg.Go(func() { errs[i] = s.CreateUpload(ctx, ups[i]) })
		}
		wg.Wait()
		if errs[0] != nil || errs[1] != nil || ups[0].ID != ups[1].ID {
			t.Errorf("two uploads of one image at once: IDs %d and %d, errors %v; want one upload", ups[0].ID, ups[1].ID, errs)
		}
	})
}
