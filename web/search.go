package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/bylinenews/byline"
	"github.com/bylinenews/byline/query"
)

// searchPage is the data of /search: the form, kept as the reader filled
// it, and a page of results.
type searchPage struct {
	layout
	Form   searchForm
	Asked  bool // the reader asked for something (not the bare form)
	Result *byline.SearchResult
	// DidYouMean is a corrected query when nothing was found, with its link.
	DidYouMean    *byline.Query
	DidYouMeanURL string
	Page, Pages   int
}

// searchForm is the search form's fields as the reader sent them.
type searchForm struct {
	Q        string
	Tag      string
	From, To string // YYYY-MM-DD, from the date inputs
	Sort     string // "relevance" or "date"
}

// Params returns the form's fields as URL query parameters, leaving out
// the empty ones.
func (f searchForm) Params() url.Values {
	v := url.Values{}
	for _, kv := range [][2]string{{"q", f.Q}, {"tag", f.Tag}, {"from", f.From}, {"to", f.To}} {
		if kv[1] != "" {
			v.Set(kv[0], kv[1])
		}
	}
	if f.Sort == string(byline.SortNewest) {
		v.Set("sort", f.Sort)
	}
	return v
}

// maxQueryParam bounds each search parameter a request may send; the
// parser reads less than this anyway.
const maxQueryParam = 2048

// readSearchForm reads the search parameters of r into a form and a query.
// Nothing a reader sends is an error: what does not parse is left out.
func readSearchForm(r *http.Request) (searchForm, byline.Query) {
	get := func(name string) string {
		v := strings.TrimSpace(r.URL.Query().Get(name))
		if len(v) > maxQueryParam {
			v = v[:maxQueryParam]
		}
		return strings.ToValidUTF8(v, "")
	}
	f := searchForm{Q: get("q"), Tag: get("tag"), From: get("from"), To: get("to"), Sort: get("sort")}
	q := query.Parse(f.Q)
	q.Prefix = false
	if slug := byline.Slugify(f.Tag); slug != "" {
		q.Tag = &slug
	} else {
		f.Tag = ""
	}
	if author := byline.Slugify(get("author")); author != "" {
		q.Author = &author
	}
	if start, _, ok := query.ParseDate(f.From); ok && len(f.From) == len(time.DateOnly) {
		q.Since = &start
	} else {
		f.From = ""
	}
	if _, next, ok := query.ParseDate(f.To); ok && len(f.To) == len(time.DateOnly) {
		q.Before = &next
	} else {
		f.To = ""
	}
	if byline.SearchSort(f.Sort) == byline.SortNewest {
		q.Sort = byline.SortNewest
	} else {
		f.Sort = string(byline.SortRelevance)
	}
	return f, q
}

// showSearch serves /search: the results of the reader's query, or the
// bare form. With nothing found it says so, offers a correction drawn from
// the index, and shows the Recent Posts.
func (s *Server) showSearch(w http.ResponseWriter, r *http.Request) {
	if s.Search == nil {
		s.notFound(w, r)
		return
	}
	form, q := readSearchForm(r)
	page := 1
	if v := r.URL.Query().Get("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxSearchPage {
			s.serveError(w, r, byline.Errorf(byline.NotFound, "There is no page %q of these results.", v))
			return
		}
		page = n
	}
	title := "Search"
	if form.Q != "" {
		title = "Search results for “" + form.Q + "”"
	}
	l, err := s.newLayout(r, title, 0)
	l.Description = "Search the articles of " + l.Site.Title + "."
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	l.SearchQuery = form.Q
	data := searchPage{layout: l, Form: form, Asked: !q.IsZero(), Page: page, Pages: 1}
	if data.Asked {
		q.Limit, q.Offset = s.PostsPerPage, (page-1)*s.PostsPerPage
		res, err := s.Search.Search(r.Context(), q)
		if err != nil {
			s.serveError(w, r, err)
			return
		}
		data.Result = res
		data.Pages = max((res.Total+s.PostsPerPage-1)/s.PostsPerPage, 1)
		if page > data.Pages {
			s.serveError(w, r, byline.Errorf(byline.NotFound, "There is no page %d of these results; the last is %d.", page, data.Pages))
			return
		}
		if res.Total == 0 && q.HasTerms() {
			if data.DidYouMean, err = s.Search.DidYouMean(r.Context(), q); err != nil {
				s.serveError(w, r, err)
				return
			}
			if data.DidYouMean != nil {
				fixed := form
				fixed.Q = data.DidYouMean.String()
				data.DidYouMeanURL = "/search?" + fixed.Params().Encode()
			}
		}
		if page > 1 {
			data.PrevURL = searchPageURL(form, page-1)
		}
		if page < data.Pages {
			data.NextURL = searchPageURL(form, page+1)
		}
	}
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, http.StatusOK, "search", data)
}

// maxSearchPage bounds paging, so a crafted page number cannot ask the
// engine to sort its whole index for nothing.
const maxSearchPage = 1000

func searchPageURL(f searchForm, page int) string {
	v := f.Params()
	if page > 1 {
		v.Set("page", strconv.Itoa(page))
	}
	return "/search?" + v.Encode()
}
