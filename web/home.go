package web

import (
	"context"
	"net/http"
	"strconv"

	"github.com/bylinenews/byline"
)

// listPage is the data of the home page and the tag and author archives.
type listPage struct {
	layout
	Heading string
	// Lead and Top are the front page's first stories, given the most
	// room: the lead large with its picture, the top stories with
	// thumbnails. Only the first page of the home page has them; Articles
	// are the rest.
	Lead     *byline.Article
	Top      []*byline.Article
	Articles []*byline.Article
	// Author is the author this list is the page of, with their
	// profile; nil elsewhere.
	Author *byline.Author
	// Front is the section this list is the front of, with its place
	// among the others; nil elsewhere.
	Front *sectionFront
	// Blocks are the front page's block per section, after its lead and
	// top stories.
	Blocks   []sectionBlock
	Total    int
	Page     int
	Pages    int
	FirstRun bool // the site has no articles at all yet
}

// showHome serves the latest articles, a page at a time.
func (s *Server) showHome(w http.ResponseWriter, r *http.Request) {
	if q := r.URL.Query(); q.Has("p") || q.Has("page_id") {
		// WordPress's plain permalinks, /?p=123, on a site imported from one.
		s.redirectOldOrNotFound(w, r)
		return
	}
	s.showList(w, r, feedScope{}, "")
}

// showList serves a page of the scope's articles: the home page or an archive.
func (s *Server) showList(w http.ResponseWriter, r *http.Request, scope feedScope, heading string) {
	f, title := scope.filter, scope.title
	page := 1
	if v := r.URL.Query().Get("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			s.serveError(w, r, byline.Errorf(byline.NotFound, "There is no page %q.", v))
			return
		}
		page = n
	}
	l, err := s.newLayout(r, title, 0)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	perPage := l.config.PostsPerPage
	f.Limit, f.Offset = perPage, (page-1)*perPage
	articles, total, err := s.Articles.Find(r.Context(), f)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	pages := max((total+perPage-1)/perPage, 1)
	if page > pages {
		s.serveError(w, r, byline.Errorf(byline.NotFound, "There is no page %d; the last is %d.", page, pages))
		return
	}
	data := listPage{layout: l, Heading: heading, Articles: articles, Total: total, Page: page, Pages: pages,
		FirstRun: total == 0 && f.Tag == nil && f.Author == nil && f.Section == nil}
	if scope.path == "" && page == 1 && len(articles) > 0 {
		data.Lead, data.Top, data.Articles = frontPage(articles)
		if s.Sections != nil {
			if data.Blocks, err = s.homeBlocks(r.Context(), data); err != nil {
				s.serveError(w, r, err)
				return
			}
			data.Articles = withoutBlocks(data.Articles, data.Blocks)
		}
	}
	if scope.section != nil {
		if data.Front, err = s.sectionFrontOf(r.Context(), scope.section); err != nil {
			s.serveError(w, r, err)
			return
		}
		data.Heading = ""
		if page == 1 && len(articles) > 0 {
			data.Lead, data.Articles = articles[0], articles[1:]
		}
	}
	if scope.author != nil {
		data.Author = scope.author
		data.OGType = "profile"
		data.Image = s.absImage(r, scope.author.PhotoURL)
	}
	if page > 1 {
		data.PrevURL = pageURL(r.URL.Path, page-1)
		data.Title = title + " — page " + strconv.Itoa(page)
	}
	if page < pages {
		data.NextURL = pageURL(r.URL.Path, page+1)
	}
	data.Canonical = pageURL(r.URL.Path, page)
	if scope.path != "" {
		data.Feeds = append(s.feedLinks(r, l.Site, scope), data.Feeds...)
		data.Description = feedDescription(l.Site, scope)
		if scope.author != nil {
			data.JSONLD = s.authorJSONLD(r, scope.author)
		}
	} else {
		data.JSONLD = s.websiteJSONLD(r, l.Site)
	}
	s.render(w, r, http.StatusOK, "list", data)
}

// homeBlocks returns the front page's section blocks, leaving out the
// stories the page shows above them.
func (s *Server) homeBlocks(ctx context.Context, data listPage) ([]sectionBlock, error) {
	sections, err := s.frontSections(ctx)
	if err != nil || len(sections) == 0 {
		return nil, err
	}
	shown := map[int64]bool{data.Lead.ID: true}
	for _, a := range data.Top {
		shown[a.ID] = true
	}
	return s.sectionBlocks(ctx, sections, shown)
}

// withoutBlocks leaves out of the front page's list of more news the
// stories that the section blocks above it show.
func withoutBlocks(articles []*byline.Article, blocks []sectionBlock) []*byline.Article {
	inBlock := map[int64]bool{}
	for _, b := range blocks {
		for _, a := range b.Articles {
			inBlock[a.ID] = true
		}
	}
	rest := make([]*byline.Article, 0, len(articles))
	for _, a := range articles {
		if !inBlock[a.ID] {
			rest = append(rest, a)
		}
	}
	return rest
}

func pageURL(path string, page int) string {
	if page <= 1 {
		return path
	}
	return path + "?page=" + strconv.Itoa(page)
}

// topStories is how many stories follow the lead on the front page with a
// thumbnail each, before the rest of the list.
const topStories = 4

// frontPage splits the first page of the home page into the lead, the top
// stories and the rest.
func frontPage(articles []*byline.Article) (lead *byline.Article, top, rest []*byline.Article) {
	lead, rest = articles[0], articles[1:]
	n := min(topStories, len(rest))
	return lead, rest[:n], rest[n:]
}
