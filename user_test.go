package byline

import (
	"testing"
	"time"
)

func TestPermissions(t *testing.T) {
	author := &User{ID: 1, Role: RoleAuthor}
	other := &User{ID: 2, Role: RoleAuthor}
	editor := &User{ID: 3, Role: RoleEditor}
	admin := &User{ID: 4, Role: RoleAdmin}
	ownDraft := &DeskArticle{Article: &Article{Status: Draft}, OwnerID: 1}
	ownPublished := &DeskArticle{Article: &Article{Status: Published}, OwnerID: 1}
	imported := &DeskArticle{Article: &Article{Status: Published}}

	tests := []struct {
		name string
		got  bool
		want bool
	}{
		{"an author edits their own draft", author.CanEditArticle(ownDraft), true},
		{"an author cannot edit their published article", author.CanEditArticle(ownPublished), false},
		{"an author cannot edit another's draft", other.CanEditArticle(ownDraft), false},
		{"an author cannot open another's draft", other.CanSeeArticle(ownDraft), false},
		{"an author opens their own published article", author.CanSeeArticle(ownPublished), true},
		{"an editor edits an imported article", editor.CanEditArticle(imported), true},
		{"an author cannot publish", author.CanPublish(), false},
		{"an editor publishes", editor.CanPublish(), true},
		{"an author cannot read the inbox", author.CanReadInbox(), false},
		{"an editor reads the inbox", editor.CanReadInbox(), true},
		{"an editor cannot manage users", editor.CanManageUsers(), false},
		{"an editor cannot change settings", editor.CanManageSettings(), false},
		{"an admin manages users", admin.CanManageUsers(), true},
		{"an admin changes settings", admin.CanManageSettings(), true},
		{"an admin publishes", admin.CanPublish(), true},
		{"nobody signed in publishes nothing", (*User)(nil).CanPublish(), false},
		{"an unknown role has no power", (&User{Role: "root"}).CanReadInbox(), false},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s: got %v, want %v", tt.name, tt.got, tt.want)
		}
	}
}

func TestArticleUpdate_ChangesPublication(t *testing.T) {
	draft := &Article{Status: Draft}
	published := &Article{Status: Published, PublishedAt: time.Date(2015, 10, 8, 0, 0, 0, 0, time.UTC)}
	st := func(s Status) *Status { return &s }
	later := published.PublishedAt.Add(time.Hour)
	tests := []struct {
		name    string
		upd     ArticleUpdate
		current *Article
		want    bool
	}{
		{"text only", ArticleUpdate{Headline: new(string)}, draft, false},
		{"draft stays draft", ArticleUpdate{Status: st(Draft)}, draft, false},
		{"publishing", ArticleUpdate{Status: st(Published)}, draft, true},
		{"scheduling", ArticleUpdate{Status: st(Scheduled)}, draft, true},
		{"unpublishing", ArticleUpdate{Status: st(Draft)}, published, true},
		{"moving the publication time", ArticleUpdate{PublishedAt: &later}, published, true},
		{"a draft's planned time", ArticleUpdate{PublishedAt: &later}, draft, false},
	}
	for _, tt := range tests {
		if got := tt.upd.ChangesPublication(tt.current); got != tt.want {
			t.Errorf("%s: ChangesPublication = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestImageSrcset(t *testing.T) {
	tests := []struct{ name, url, want string }{
		{"a large image lists every width", "/files/uploads/00112233445566778899aabbccddeeff-1600.png",
			"/files/uploads/00112233445566778899aabbccddeeff-480.png 480w, /files/uploads/00112233445566778899aabbccddeeff-960.png 960w, /files/uploads/00112233445566778899aabbccddeeff-1600.png 1600w"},
		{"a small image lists only its own", "/files/uploads/00112233445566778899aabbccddeeff-300.jpg",
			"/files/uploads/00112233445566778899aabbccddeeff-300.jpg 300w"},
		{"another site's image has none", "https://example.com/a-1600.jpg", ""},
		{"a made-up extension has none", "/files/uploads/00112233445566778899aabbccddeeff-300.svg", ""},
	}
	for _, tt := range tests {
		if got := ImageSrcset(tt.url); got != tt.want {
			t.Errorf("%s: ImageSrcset(%q) = %q, want %q", tt.name, tt.url, got, tt.want)
		}
	}
}

func TestSessionExpiry(t *testing.T) {
	signIn := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
	if got, want := SessionExpiry(signIn, signIn.Add(time.Hour)), signIn.Add(time.Hour+SessionIdleExpiry); !got.Equal(want) {
		t.Errorf("a session used an hour after sign-in expires %v, want a week after that use, %v", got, want)
	}
	late := signIn.Add(SessionLifetime - time.Hour)
	if got, want := SessionExpiry(signIn, late), signIn.Add(SessionLifetime); !got.Equal(want) {
		t.Errorf("a session used near its lifetime's end expires %v, want at that end, %v", got, want)
	}
}
