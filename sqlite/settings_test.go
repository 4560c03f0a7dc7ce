package sqlite_test

import (
	"testing"
	"time"

	"github.com/bylinenews/byline"
	"github.com/bylinenews/byline/internal/dbtest"
	"github.com/bylinenews/byline/sqlite"
)

func TestSettingsService(t *testing.T) {
	t.Parallel()
	db := dbtest.OpenSQLite(t)
	clock := newTestClock()
	db.Now = clock.Now
	settings, articles := sqlite.NewSettingsService(db), sqlite.NewArticleService(db)
	ctx := t.Context()

	got, err := settings.Settings(ctx)
	if err != nil || got.Title != "" || got.PostsPerPage != 0 {
		t.Fatalf("Settings on a new site = %+v, %v; want zero settings", got, err)
	}
	before, _ := articles.LastModified(ctx)
	clock.Advance(time.Minute)
	want := &byline.Settings{
		Title: " The Evening Star ", Tagline: "All the news", PostsPerPage: 7, RecentCount: 3,
		ContactRecipients: []string{"desk@example.com", "ed@example.com"},
		SMTP:              byline.SMTPSettings{Host: "smtp.example.com", Port: 587, Security: "starttls", From: "site@example.com", Password: "s3cret"},
	}
	if err := settings.UpdateSettings(ctx, want); err != nil {
		t.Fatal(err)
	}
	got, err = settings.Settings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got.Title != "The Evening Star" || got.PostsPerPage != 7 || got.RecentCount != 3 || len(got.ContactRecipients) != 2 || got.SMTP.Password != "s3cret" {
		t.Errorf("Settings = %+v, want what was stored, trimmed", got)
	}
	after, _ := articles.LastModified(ctx)
	if !after.After(before) {
		t.Errorf("LastModified after a settings change = %v, was %v: cached pages would not render again", after, before)
	}

	for name, bad := range map[string]*byline.Settings{
		"posts per page":    {PostsPerPage: 1000},
		"recipient address": {ContactRecipients: []string{"not an address"}},
		"line break":        {Title: "Two\nlines"},
		"smtp security":     {SMTP: byline.SMTPSettings{Security: "rot13"}},
	} {
		if err := settings.UpdateSettings(ctx, bad); byline.ErrorKind(err) != byline.Invalid {
			t.Errorf("UpdateSettings with a bad %s: %v, want Invalid", name, err)
		}
	}
}

func TestUploadService(t *testing.T) {
	t.Parallel()
	db := dbtest.OpenSQLite(t)
	uploads := sqlite.NewUploadService(db)
	ctx := t.Context()
	u := &byline.Upload{Hash: "0123456789abcdef0123456789abcdef", Ext: "jpg", ContentType: "image/jpeg",
		Width: 2000, Height: 1000, Widths: byline.UploadWidths(2000), Size: 12345, Name: "photo.jpg"}
	if err := uploads.CreateUpload(ctx, u); err != nil {
		t.Fatal(err)
	}
	again := *u
	again.ID, again.Name = 0, "same-photo-other-name.jpg"
	if err := uploads.CreateUpload(ctx, &again); err != nil {
		t.Fatal(err)
	}
	if again.ID != u.ID || again.Name != "photo.jpg" {
		t.Errorf("the same image twice: IDs %d and %d, name %q; want one upload", u.ID, again.ID, again.Name)
	}
	list, total, err := uploads.FindUploads(ctx, 10, 0)
	if err != nil || total != 1 || len(list[0].Widths) != 4 {
		t.Fatalf("FindUploads = %d uploads (%+v), %v; want one with 4 widths", total, list, err)
	}
	if got, want := list[0].Srcset(), "/files/uploads/0123456789abcdef0123456789abcdef-480.jpg 480w, /files/uploads/0123456789abcdef0123456789abcdef-960.jpg 960w, /files/uploads/0123456789abcdef0123456789abcdef-1600.jpg 1600w, /files/uploads/0123456789abcdef0123456789abcdef-2000.jpg 2000w"; got != want {
		t.Errorf("Srcset = %q, want %q", got, want)
	}
}
