package byline

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Author is a person an article is credited to, with the profile shown on
// the author's page and at the foot of their articles. An article's
// Authors carry only ID, Slug and Name; [AuthorService] reads the profile.
type Author struct {
	ID   int64
	Slug string
	Name string

	// JobTitle is what the author does here ("Political correspondent").
	JobTitle string
	// Bio is plain text; a blank line starts a new paragraph. Templates
	// escape it, so no markup of any kind reaches a page.
	Bio string
	// PhotoURL is an image uploaded to the site (under [UploadPath]), never
	// another host's: public pages make no third-party request.
	PhotoURL string
	// Website is the author's own site; Links their profiles elsewhere, in
	// the order shown. Both are http or https only.
	Website string
	Links   []AuthorLink
}

// AuthorLink is one of an author's profiles elsewhere.
type AuthorLink struct {
	Label string // what the link says, e.g. "Mastodon"; the host when empty
	URL   string
}

// URL returns the path of the author's page, e.g. /author/jane-doe/.
func (a *Author) URL() string { return "/author/" + a.Slug + "/" }

// Limits on an author's profile.
const (
	MaxBioRunes       = 2_000
	MaxAuthorLinks    = 8
	MaxLinkLabelRunes = 60
	// MaxShortBioRunes bounds the bio shown at the foot of an article.
	MaxShortBioRunes = 240
)

// HasProfile reports whether the author has anything beyond a name to show.
func (a *Author) HasProfile() bool {
	return a.JobTitle != "" || a.Bio != "" || a.PhotoURL != "" || a.Website != "" || len(a.Links) > 0
}

// Paragraphs returns the bio's paragraphs, split at blank lines, each with
// its lines joined by spaces.
func (a *Author) Paragraphs() []string {
	var out []string
	for p := range strings.SplitSeq(strings.ReplaceAll(a.Bio, "\r\n", "\n"), "\n\n") {
		if p = strings.Join(strings.Fields(p), " "); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// ShortBio returns the bio's first sentence, for the box at the foot of an
// article: up to the first full stop, question or exclamation mark that
// ends a word, within [MaxShortBioRunes] (cut at a word with an ellipsis
// past that).
func (a *Author) ShortBio() string {
	ps := a.Paragraphs()
	if len(ps) == 0 {
		return ""
	}
	p := ps[0]
	runes := []rune(p)
	for i, r := range runes {
		if i >= MaxShortBioRunes {
			break
		}
		if (r == '.' || r == '?' || r == '!') && (i+1 == len(runes) || unicode.IsSpace(runes[i+1])) && i > 0 {
			return string(runes[:i+1])
		}
	}
	if len(runes) <= MaxShortBioRunes {
		return p
	}
	cut := string(runes[:MaxShortBioRunes])
	if sp := strings.LastIndexByte(cut, ' '); sp > 0 {
		cut = cut[:sp]
	}
	return strings.TrimRight(cut, " ,;:") + "…"
}

// Normalize trims the profile's fields, drops empty links and gives a link
// without a label its host, before Validate.
func (a *Author) Normalize() {
	a.Name = strings.TrimSpace(a.Name)
	a.JobTitle = strings.Join(strings.Fields(a.JobTitle), " ")
	a.Bio = strings.TrimSpace(strings.ReplaceAll(a.Bio, "\r\n", "\n"))
	a.PhotoURL = strings.TrimSpace(a.PhotoURL)
	a.Website = strings.TrimSpace(a.Website)
	links := a.Links[:0:0]
	for _, l := range a.Links {
		l.Label, l.URL = strings.Join(strings.Fields(l.Label), " "), strings.TrimSpace(l.URL)
		if l.URL == "" {
			continue
		}
		if l.Label == "" {
			if u, err := url.Parse(l.URL); err == nil {
				l.Label = strings.TrimPrefix(u.Hostname(), "www.")
			}
		}
		links = append(links, l)
	}
	a.Links = links
}

// Validate checks the profile and returns an Invalid error naming the first
// problem.
func (a *Author) Validate() error {
	text := a.Name + a.JobTitle + a.Bio + a.PhotoURL + a.Website
	for _, l := range a.Links {
		text += l.Label + l.URL
	}
	switch {
	case strings.TrimSpace(a.Name) == "" || utf8.RuneCountInString(a.Name) > MaxNameRunes:
		return Errorf(Invalid, "An author's name must be 1 to %d characters.", MaxNameRunes)
	case !utf8.ValidString(text):
		return Errorf(Invalid, "The author's profile is not valid UTF-8.")
	case strings.ContainsRune(text, 0):
		return Errorf(Invalid, "The author's profile contains a NUL character.")
	case utf8.RuneCountInString(a.JobTitle) > MaxNameRunes:
		return Errorf(Invalid, "The job title is longer than %d characters.", MaxNameRunes)
	case utf8.RuneCountInString(a.Bio) > MaxBioRunes:
		return Errorf(Invalid, "The bio is longer than %d characters.", MaxBioRunes)
	case a.Slug != "" && Slugify(a.Slug) != a.Slug:
		return Errorf(Invalid, "The slug %q may hold only lower-case letters, digits and single hyphens.", a.Slug)
	case len(a.Links) > MaxAuthorLinks:
		return Errorf(Invalid, "An author can have at most %d links.", MaxAuthorLinks)
	}
	if a.PhotoURL != "" {
		name, ok := strings.CutPrefix(a.PhotoURL, UploadPath)
		if !ok || name == "" || len(a.PhotoURL) > MaxURLBytes || strings.ContainsAny(name, "/\\?#%") || strings.HasPrefix(name, ".") {
			return Errorf(Invalid, "The photo must be an image uploaded to this site (an address starting %s), not %q.", UploadPath, a.PhotoURL)
		}
	}
	if a.Website != "" {
		if err := checkWebURL(a.Website, "The website"); err != nil {
			return err
		}
	}
	for i, l := range a.Links {
		if err := checkWebURL(l.URL, fmt.Sprintf("Link %d", i+1)); err != nil {
			return err
		}
		if strings.TrimSpace(l.Label) == "" || utf8.RuneCountInString(l.Label) > MaxLinkLabelRunes {
			return Errorf(Invalid, "Link %d needs a label of 1 to %d characters.", i+1, MaxLinkLabelRunes)
		}
	}
	return nil
}

// checkWebURL returns an Invalid error unless raw is an absolute http or
// https address with a host: a javascript: or data: link never reaches a
// page.
func checkWebURL(raw, what string) error {
	if len(raw) > MaxURLBytes {
		return Errorf(Invalid, "%s is longer than %d bytes.", what, MaxURLBytes)
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil ||
		strings.ContainsAny(raw, " \t\n\r<>\"'`") {
		return Errorf(Invalid, "%s must be a web address starting with https:// or http://, not %q.", what, raw)
	}
	return nil
}

// AuthorFilter selects authors. Query, when set, keeps those whose name
// contains it (case-insensitive for ASCII).
type AuthorFilter struct {
	Query         string
	Limit, Offset int
}

// AuthorService reads and writes authors' profiles. Authors themselves are
// created by the articles that credit them (matched by slug); this service
// edits who they are. Implementations are safe for concurrent use. Every
// write moves the site's version (LastModified), as profiles are shown on
// article pages.
type AuthorService interface {
	// Find returns the authors matching f by name (then slug), and how
	// many match in all.
	Find(ctx context.Context, f AuthorFilter) ([]*Author, int, error)

	// FindBySlug returns the author with the given slug and their
	// profile, or an error of kind NotFound.
	FindBySlug(ctx context.Context, slug string) (*Author, error)

	// FindByID returns the author with the given ID, or NotFound.
	FindByID(ctx context.Context, id int64) (*Author, error)

	// Update normalizes and validates au and stores its name and profile
	// over the author with ID au.ID (the slug is kept: it is the
	// address). It returns Invalid with a sentence for a bad field,
	// NotFound if there is no such author.
	Update(ctx context.Context, au *Author) error

	// Import creates or updates authors matched by slug (made from the
	// name when empty), in one transaction. A field an import leaves empty
	// keeps what the site has, so a re-import of an export that lacks
	// photos and links (a WordPress one) does not wipe them. It sets each
	// one's ID and slug.
	Import(ctx context.Context, authors []*Author) error
}
