package web

import (
	"html/template"
	"strings"

	"github.com/bylinenews/byline"
	"github.com/bylinenews/byline/internal/worddiff"
)

// fieldDiff is what changed in one field of an article between two
// versions, for the revision and conflict pages.
type fieldDiff struct {
	Field   string // the editor form's field name
	Label   string
	Old     string
	New     string
	Changed bool
	Diff    template.HTML // the words removed and added, marked
	Long    bool          // the body: shown as source, line breaks kept
}

// diffForms compares every field of two states of the editor's form.
func diffForms(old, new editorForm) []fieldDiff {
	fields := []struct {
		field, label string
		old, new     string
		long         bool
	}{
		{"headline", "Headline", old.Headline, new.Headline, false},
		{"slug", "Address (slug)", old.Slug, new.Slug, false},
		{"dek", "Excerpt (dek)", old.Dek, new.Dek, false},
		{"authors", "Authors", old.Authors, new.Authors, false},
		{"tags", "Tags", old.Tags, new.Tags, false},
		{"sections", "Sections", old.Sections, new.Sections, false},
		{"feature_image_url", "Feature image", old.FeatureImageURL, new.FeatureImageURL, false},
		{"body", "Body", old.Body, new.Body, true},
	}
	out := make([]fieldDiff, len(fields))
	for i, f := range fields {
		parts := worddiff.Words(f.old, f.new)
		out[i] = fieldDiff{Field: f.field, Label: f.label, Old: f.old, New: f.new, Changed: worddiff.Changed(parts),
			Diff: diffHTML(parts), Long: f.long}
	}
	return out
}

// anyChanged reports whether any of the fields differ.
func anyChanged(ds []fieldDiff) bool {
	for _, d := range ds {
		if d.Changed {
			return true
		}
	}
	return false
}

// diffHTML marks removed words with <del> and added ones with <ins>, each
// with a hidden word for screen readers, which do not announce them.
func diffHTML(parts []worddiff.Part) template.HTML {
	var b strings.Builder
	for _, p := range parts {
		text := template.HTMLEscapeString(p.Text)
		switch p.Kind {
		case worddiff.Same:
			b.WriteString(text)
		case worddiff.Removed:
			b.WriteString(`<del><span class="visually-hidden">[removed: </span>` + text + `<span class="visually-hidden">]</span></del>`)
		case worddiff.Added:
			b.WriteString(`<ins><span class="visually-hidden">[added: </span>` + text + `<span class="visually-hidden">]</span></ins>`)
		}
	}
	// Safe: every piece of text was escaped above; the only markup is ours.
	return template.HTML(b.String())
}

// formFromRevision is a revision as the editor's form would hold it.
func formFromRevision(rev *byline.Revision) editorForm {
	// A revision keeps no publication time: no zone is needed.
	return formFromArticle(&byline.Article{Headline: rev.Headline, Dek: rev.Dek, Slug: rev.Slug, Body: rev.Body,
		FeatureImageURL: rev.FeatureImageURL, Authors: rev.Authors, Tags: rev.Tags}, nil)
}

// takeField sets one field of f to its value in from: the conflict page's
// "use the saved value". It reports whether field is one it knows.
func (f *editorForm) takeField(field string, from editorForm) bool {
	switch field {
	case "headline":
		f.Headline = from.Headline
	case "slug":
		f.Slug = from.Slug
	case "dek":
		f.Dek = from.Dek
	case "authors":
		f.Authors = from.Authors
	case "tags":
		f.Tags = from.Tags
	case "sections":
		f.Sections = from.Sections
	case "feature_image_url":
		f.FeatureImageURL = from.FeatureImageURL
	case "body":
		f.Body = from.Body
	default:
		return false
	}
	return true
}
