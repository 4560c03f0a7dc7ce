package web

import (
	"encoding/xml"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/bylinenews/byline"
)

// SitemapURLs is the most URLs one sitemap file may list (sitemaps.org).
const SitemapURLs = 50_000

// newsSitemapAge is how far back the news sitemap reaches (Google News).
const newsSitemapAge = 48 * time.Hour

type sitemapURLSet struct {
	XMLName xml.Name     `xml:"http://www.sitemaps.org/schemas/sitemap/0.9 urlset"`
	URLs    []sitemapURL `xml:"url"`
}

type sitemapURL struct {
	Loc     string `xml:"loc"`
	LastMod string `xml:"lastmod,omitempty"`
}

type sitemapIndex struct {
	XMLName  xml.Name     `xml:"http://www.sitemaps.org/schemas/sitemap/0.9 sitemapindex"`
	Sitemaps []sitemapURL `xml:"sitemap"`
}

// showSitemap serves /sitemap.xml: every article in one file, or, past
// SitemapURLs, an index of numbered files.
func (s *Server) showSitemap(w http.ResponseWriter, r *http.Request) {
	_, total, err := s.Articles.Find(r.Context(), byline.ArticleFilter{Limit: 1, MetadataOnly: true})
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	site, err := s.siteURLs(r)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	if total+len(site) <= SitemapURLs {
		s.writeSitemapPage(w, r, 1, site)
		return
	}
	modified, err := s.lastModified(r.Context())
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	idx := sitemapIndex{}
	for n := 1; n <= (total+SitemapURLs-1)/SitemapURLs; n++ {
		idx.Sitemaps = append(idx.Sitemaps, sitemapURL{Loc: s.absURL(r, fmt.Sprintf("/sitemap/%d.xml", n)), LastMod: modified.Format(time.RFC3339)})
	}
	// The home page, the section fronts and the pages have a file of their own.
	idx.Sitemaps = append(idx.Sitemaps, sitemapURL{Loc: s.absURL(r, "/sitemap/site.xml"), LastMod: modified.Format(time.RFC3339)})
	s.writeXML(w, r, idx)
}

// showSitemapPage serves /sitemap/{n}.xml, the n-th file of the index,
// and /sitemap/site.xml, the home page, section fronts and pages.
func (s *Server) showSitemapPage(w http.ResponseWriter, r *http.Request) {
	if r.PathValue("file") == "site.xml" {
		site, err := s.siteURLs(r)
		if err != nil {
			s.serveError(w, r, err)
			return
		}
		s.writeXML(w, r, sitemapURLSet{URLs: site})
		return
	}
	name, ok := strings.CutSuffix(r.PathValue("file"), ".xml")
	n, err := strconv.Atoi(name)
	if !ok || err != nil || n < 1 {
		s.notFound(w, r)
		return
	}
	s.writeSitemapPage(w, r, n, nil)
}

// siteURLs are the sitemap's entries that are not articles: the home page
// and the section fronts, changed whenever the site is, and the published
// pages.
func (s *Server) siteURLs(r *http.Request) ([]sitemapURL, error) {
	modified, err := s.lastModified(r.Context())
	if err != nil {
		return nil, err
	}
	lastMod := modified.Format(time.RFC3339)
	urls := []sitemapURL{{Loc: s.absURL(r, "/"), LastMod: lastMod}}
	if s.Sections != nil {
		sections, err := s.Sections.List(r.Context())
		if err != nil {
			return nil, err
		}
		ordered, _ := byline.SectionTree(sections)
		for _, sec := range ordered {
			urls = append(urls, sitemapURL{Loc: s.absURL(r, sec.URL()), LastMod: lastMod})
		}
	}
	if s.Pages != nil {
		pages, err := s.Pages.List(r.Context())
		if err != nil {
			return nil, err
		}
		for _, p := range pages {
			if p.IsVisible() {
				urls = append(urls, sitemapURL{Loc: s.absURL(r, p.URL()), LastMod: p.UpdatedAt.Format(time.RFC3339)})
			}
		}
	}
	return urls, nil
}

// writeSitemapPage writes the n-th file of articles, after first (the
// site's other entries, in a sitemap of one file).
func (s *Server) writeSitemapPage(w http.ResponseWriter, r *http.Request, n int, first []sitemapURL) {
	articles, total, err := s.Articles.Find(r.Context(), byline.ArticleFilter{
		Limit: SitemapURLs, Offset: (n - 1) * SitemapURLs, MetadataOnly: true, OrderByID: true})
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	if n > 1 && (n-1)*SitemapURLs >= total {
		s.notFound(w, r)
		return
	}
	set := sitemapURLSet{URLs: make([]sitemapURL, 0, len(articles)+len(first))}
	set.URLs = append(set.URLs, first...)
	for _, a := range articles {
		set.URLs = append(set.URLs, sitemapURL{Loc: s.absURL(r, a.URL()), LastMod: a.UpdatedAt.Format(time.RFC3339)})
	}
	s.writeXML(w, r, set)
}

// The Google News sitemap extension.
type newsURLSet struct {
	XMLName xml.Name  `xml:"http://www.sitemaps.org/schemas/sitemap/0.9 urlset"`
	NSNews  string    `xml:"xmlns:news,attr"`
	URLs    []newsURL `xml:"url"`
}

type newsURL struct {
	Loc  string      `xml:"loc"`
	News newsArticle `xml:"news:news"`
}

type newsArticle struct {
	Publication     newsPublication `xml:"news:publication"`
	PublicationDate string          `xml:"news:publication_date"`
	Title           string          `xml:"news:title"`
}

type newsPublication struct {
	Name     string `xml:"news:name"`
	Language string `xml:"news:language"`
}

// newsSitemapMax is Google News' limit per file.
const newsSitemapMax = 1000

// showNewsSitemap serves /sitemap-news.xml: the articles of the last two days.
func (s *Server) showNewsSitemap(w http.ResponseWriter, r *http.Request) {
	articles, _, err := s.Articles.Find(r.Context(), byline.ArticleFilter{Limit: newsSitemapMax, MetadataOnly: true})
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	// Not in the page cache: what is two days old changes with the clock,
	// not only with the content. It is a short list of indexed rows.
	site := s.siteConfig(r.Context()).Site
	set := newsURLSet{NSNews: "http://www.google.com/schemas/sitemap-news/0.9", URLs: []newsURL{}}
	for _, a := range articles {
		if time.Since(a.PublishedAt) > newsSitemapAge {
			break
		}
		set.URLs = append(set.URLs, newsURL{Loc: s.absURL(r, a.URL()), News: newsArticle{
			Publication:     newsPublication{Name: site.Title, Language: "en"},
			PublicationDate: a.PublishedAt.Format(time.RFC3339),
			Title:           a.Headline,
		}})
	}
	s.writeXML(w, r, set)
}

func (s *Server) writeXML(w http.ResponseWriter, r *http.Request, v any) {
	b, err := marshalXML(v)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/xml; charset=utf-8")
	w.Write(b)
}

// robotsTxt names the sitemaps and keeps crawlers out of the newsroom.
func (s *Server) robotsTxt(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	fmt.Fprintf(w, "User-agent: *\nDisallow: /newsroom/\nDisallow: /api/\nDisallow: /captcha/\nDisallow: /contact\nDisallow: /search\nAllow: /\n\nSitemap: %s\nSitemap: %s\n",
		s.absURL(r, "/sitemap.xml"), s.absURL(r, "/sitemap-news.xml"))
}
