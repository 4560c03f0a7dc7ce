package web

import (
	"net/http"
	"time"

	"github.com/bylinenews/byline"
)

// schema.org types for JSON-LD. html/template encodes them with
// encoding/json inside <script type="application/ld+json">, escaping what
// could close the element, so no page text is ever concatenated into it.

type ldThing struct {
	Type string `json:"@type"`
	Name string `json:"name"`
	URL  string `json:"url,omitempty"`
}

type ldNewsArticle struct {
	Context          string    `json:"@context"`
	Type             string    `json:"@type"`
	Headline         string    `json:"headline"`
	Description      string    `json:"description,omitempty"`
	URL              string    `json:"url"`
	MainEntityOfPage ldPage    `json:"mainEntityOfPage"`
	DatePublished    string    `json:"datePublished"`
	DateModified     string    `json:"dateModified"`
	Authors          []ldThing `json:"author,omitempty"`
	Image            []string  `json:"image,omitempty"`
	Keywords         []string  `json:"keywords,omitempty"`
	Publisher        ldThing   `json:"publisher"`
	WordCount        int       `json:"wordCount,omitempty"`
}

type ldPage struct {
	Type string `json:"@type"`
	ID   string `json:"@id"`
}

type ldWebSite struct {
	Context         string         `json:"@context"`
	Type            string         `json:"@type"`
	Name            string         `json:"name"`
	URL             string         `json:"url"`
	Description     string         `json:"description,omitempty"`
	PotentialAction ldSearchAction `json:"potentialAction"`
}

type ldSearchAction struct {
	Type       string `json:"@type"`
	Target     string `json:"target"`
	QueryInput string `json:"query-input"`
}

// articleJSONLD describes an article as a schema.org NewsArticle.
func (s *Server) articleJSONLD(r *http.Request, site Site, a *byline.Article) ldNewsArticle {
	u := s.absURL(r, a.URL())
	ld := ldNewsArticle{
		Context:          "https://schema.org",
		Type:             "NewsArticle",
		Headline:         a.Headline,
		Description:      excerpt(a),
		URL:              u,
		MainEntityOfPage: ldPage{Type: "WebPage", ID: u},
		DatePublished:    a.PublishedAt.UTC().Format(time.RFC3339),
		DateModified:     a.UpdatedAt.UTC().Format(time.RFC3339),
		Publisher:        ldThing{Type: "Organization", Name: site.Title, URL: s.absURL(r, "/")},
		WordCount:        wordCount(a.BodyText),
	}
	for _, au := range a.Authors {
		ld.Authors = append(ld.Authors, ldThing{Type: "Person", Name: au.Name, URL: s.absURL(r, "/author/"+au.Slug+"/")})
	}
	for _, t := range a.Tags {
		ld.Keywords = append(ld.Keywords, t.Name)
	}
	if img := s.absImage(r, a.FeatureImageURL); img != "" {
		ld.Image = []string{img}
	}
	return ld
}

type ldProfilePage struct {
	Context    string   `json:"@context"`
	Type       string   `json:"@type"`
	URL        string   `json:"url"`
	MainEntity ldPerson `json:"mainEntity"`
}

type ldPerson struct {
	Type        string   `json:"@type"`
	Name        string   `json:"name"`
	URL         string   `json:"url"`
	JobTitle    string   `json:"jobTitle,omitempty"`
	Description string   `json:"description,omitempty"`
	Image       string   `json:"image,omitempty"`
	SameAs      []string `json:"sameAs,omitempty"`
}

// authorJSONLD describes an author's page as a schema.org ProfilePage of
// a Person, with their website and profiles as sameAs.
func (s *Server) authorJSONLD(r *http.Request, au *byline.Author) ldProfilePage {
	u := s.absURL(r, au.URL())
	p := ldPerson{Type: "Person", Name: au.Name, URL: u, JobTitle: au.JobTitle, Description: au.ShortBio(),
		Image: s.absImage(r, au.PhotoURL)}
	if au.Website != "" {
		p.SameAs = append(p.SameAs, au.Website)
	}
	for _, l := range au.Links {
		p.SameAs = append(p.SameAs, l.URL)
	}
	return ldProfilePage{Context: "https://schema.org", Type: "ProfilePage", URL: u, MainEntity: p}
}

// websiteJSONLD describes the site, with its search, for the home page.
func (s *Server) websiteJSONLD(r *http.Request, site Site) ldWebSite {
	return ldWebSite{
		Context: "https://schema.org", Type: "WebSite", Name: site.Title, URL: s.absURL(r, "/"),
		Description: site.Description,
		PotentialAction: ldSearchAction{Type: "SearchAction", Target: s.absURL(r, "/search?q={search_term_string}"),
			QueryInput: "required name=search_term_string"},
	}
}

func wordCount(text string) int {
	n, inWord := 0, false
	for _, r := range text {
		space := r == ' ' || r == '\n' || r == '\t'
		if !space && !inWord {
			n++
		}
		inWord = !space
	}
	return n
}
