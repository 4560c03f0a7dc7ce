package web

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/bylinenews/byline"
	"github.com/bylinenews/byline/query"
)

// The search API's JSON shapes. The domain types carry no JSON tags; these
// are the API's own, and its contract.
type (
	apiSearchResult struct {
		Total            int            `json:"total"`
		TotalApproximate bool           `json:"total_approximate,omitempty"`
		Hits             []apiSearchHit `json:"hits"`
		DidYouMean       string         `json:"did_you_mean,omitempty"`
	}
	apiSearchHit struct {
		Slug        string  `json:"slug"`
		Title       string  `json:"title"`
		URL         string  `json:"url"`
		PublishedAt string  `json:"published_at"`
		Snippet     string  `json:"snippet"` // HTML: escaped text, matched words in <mark>
		Score       float64 `json:"score"`
	}
	apiSuggestions struct {
		Suggestions []apiSuggestion `json:"suggestions"`
	}
	apiSuggestion struct {
		Slug        string `json:"slug"`
		Title       string `json:"title"`
		TitleHTML   string `json:"title_html"` // escaped text, typed words in <mark>
		URL         string `json:"url"`
		PublishedAt string `json:"published_at"`
	}
	apiError struct {
		Error string `json:"error"`
	}
)

// maxAPIOffset bounds paging through the API.
const maxAPIOffset = 10_000

// apiSearch serves GET /api/v1/search?q=&limit=&offset=&tag=&author=&sort=.
// Parameters that are not numbers where numbers are due, or an unknown
// sort, are a 400 with a JSON error; any text in q is a valid query.
func (s *Server) apiSearch(w http.ResponseWriter, r *http.Request) {
	if s.Search == nil {
		s.apiError(w, http.StatusNotFound, "Search is not available.")
		return
	}
	_, q := readSearchForm(r)
	params := r.URL.Query()
	var err error
	if q.Limit, err = intParam(params.Get("limit"), byline.DefaultSearchLimit, 1, byline.MaxSearchLimit); err != nil {
		s.apiError(w, http.StatusBadRequest, "limit must be a number from 1 to "+strconv.Itoa(byline.MaxSearchLimit)+".")
		return
	}
	if q.Offset, err = intParam(params.Get("offset"), 0, 0, maxAPIOffset); err != nil {
		s.apiError(w, http.StatusBadRequest, "offset must be a number from 0 to "+strconv.Itoa(maxAPIOffset)+".")
		return
	}
	if sort := params.Get("sort"); !byline.SearchSort(sort).Valid() {
		s.apiError(w, http.StatusBadRequest, `sort must be "relevance" or "date".`)
		return
	}
	out := apiSearchResult{Hits: []apiSearchHit{}}
	if !q.IsZero() {
		res, err := s.Search.Search(r.Context(), q)
		if err != nil {
			s.apiServeError(w, r, err)
			return
		}
		out.Total, out.TotalApproximate = res.Total, res.Approximate
		for _, h := range res.Hits {
			a := h.Article
			out.Hits = append(out.Hits, apiSearchHit{Slug: a.Slug, Title: a.Headline, URL: s.absURL(r, a.URL()),
				PublishedAt: apiTime(a.PublishedAt), Snippet: h.Snippet.HTML(), Score: h.Score})
		}
		if res.Total == 0 && q.HasTerms() {
			fixed, err := s.Search.DidYouMean(r.Context(), q)
			if err != nil {
				s.apiServeError(w, r, err)
				return
			}
			if fixed != nil {
				out.DidYouMean = fixed.String()
			}
		}
	}
	s.apiJSON(w, http.StatusOK, out)
}

// apiSuggest serves GET /api/v1/suggest?q=: up to 8 articles whose
// headlines hold what was typed, the last word as a prefix.
func (s *Server) apiSuggest(w http.ResponseWriter, r *http.Request) {
	if s.Search == nil {
		s.apiError(w, http.StatusNotFound, "Search is not available.")
		return
	}
	text := r.URL.Query().Get("q")
	if len(text) > maxQueryParam {
		text = text[:maxQueryParam]
	}
	out := apiSuggestions{Suggestions: []apiSuggestion{}}
	if q := query.Parse(text); q.HasTerms() {
		list, err := s.Search.Suggest(r.Context(), q, byline.MaxSuggestions)
		if err != nil {
			s.apiServeError(w, r, err)
			return
		}
		for _, sg := range list {
			a := sg.Article
			out.Suggestions = append(out.Suggestions, apiSuggestion{Slug: a.Slug, Title: a.Headline,
				TitleHTML: sg.Headline.HTML(), URL: a.URL(), PublishedAt: apiTime(a.PublishedAt)})
		}
	}
	// Suggestions are cheap to recompute but asked for on every keystroke:
	// a browser may keep them for a minute.
	w.Header().Set("Cache-Control", "public, max-age=60")
	s.apiJSON(w, http.StatusOK, out)
}

// intParam parses an optional integer parameter within [lo, hi]; above hi
// it is hi, below lo or not a number it is an error.
func intParam(v string, def, lo, hi int) (int, error) {
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo {
		return 0, byline.Errorf(byline.Invalid, "out of range")
	}
	return min(n, hi), nil
}

func apiTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// apiJSON writes v as the JSON response.
func (s *Server) apiJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func (s *Server) apiError(w http.ResponseWriter, status int, message string) {
	w.Header().Set("Cache-Control", "no-store")
	s.apiJSON(w, status, apiError{Error: message})
}

// apiServeError answers an API request whose service call failed: the
// status of the error's kind, with its reader-safe message. Internal
// errors are logged in full, as serveError does for pages.
func (s *Server) apiServeError(w http.ResponseWriter, r *http.Request, err error) {
	if r.Context().Err() != nil {
		return // the client has gone: nobody to answer, nothing to log
	}
	status := statusOf(byline.ErrorKind(err))
	if status == http.StatusInternalServerError {
		s.logFailure(r, "request failed", err)
	}
	s.apiError(w, status, byline.ErrorMessage(err))
}
