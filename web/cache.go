package web

import (
	"bytes"
	"compress/gzip"
	"container/list"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// pageCacheBytes bounds the memory the page cache holds (raw + gzipped).
const pageCacheBytes = 32 << 20

// cachedPage serves a public page through the page cache and conditional
// GET. A page's version is the site's LastModified: any edit, deletion or
// scheduled article coming due changes it, on any instance, so a cached
// copy is used only while it is current, and ETags change with content.
func (s *Server) cachedPage(h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		modified, err := s.lastModified(r.Context())
		if err != nil {
			s.serveError(w, r, err)
			return
		}
		version := modified.UnixMilli()
		// Only ?page= (and WordPress's ?p= and ?page_id=, which redirect)
		// change a public page. Other parameters (tracking tags, cache
		// busters) are dropped before the handler sees them, so they can
		// neither force a fresh render nor crowd out real pages.
		query := ""
		if r.URL.RawQuery != "" {
			kept := url.Values{}
			for _, name := range pageParams {
				if v := r.URL.Query().Get(name); v != "" {
					kept.Set(name, v)
				}
			}
			query = kept.Encode()
			if query != r.URL.RawQuery {
				r = r.Clone(r.Context())
				r.URL.RawQuery = query
			}
		}
		key := r.URL.Path + "?" + query
		if s.Site.BaseURL == "" {
			key = r.Host + key // absolute links on the page come from the Host header
		}
		page, ok := s.pages.get(key, version)
		etag := ""
		if ok {
			etag = page.etag
		} else {
			etag = fmt.Sprintf(`"%x-%s"`, version, s.assets.version)
		}
		if notModified(r, etag, modified) {
			w.Header().Set("ETag", etag)
			w.WriteHeader(http.StatusNotModified)
			return
		}
		if !ok {
			buf := &bufferedResponse{header: http.Header{}, status: http.StatusOK}
			h(buf, r)
			if buf.status != http.StatusOK {
				// Errors and redirects pass through uncached: a flood of
				// random URLs must not evict the real pages.
				buf.writeTo(w)
				return
			}
			page = newCachedResponse(buf, version, etag, modified)
			s.pages.put(key, page)
		}
		page.serve(w, r)
	})
}

// pageParams are the query parameters a public page depends on.
var pageParams = []string{"page", "p", "page_id"}

// notModified reports whether the client's copy is current. If-None-Match
// wins over If-Modified-Since, as RFC 9110 says.
func notModified(r *http.Request, etag string, modified time.Time) bool {
	if inm := r.Header.Get("If-None-Match"); inm != "" {
		for _, candidate := range strings.Split(inm, ",") {
			candidate = strings.TrimPrefix(strings.TrimSpace(candidate), "W/")
			if candidate == etag || candidate == "*" {
				return true
			}
		}
		return false
	}
	ims := r.Header.Get("If-Modified-Since")
	if ims == "" {
		return false // most requests: skip ParseTime's three failed layouts
	}
	if ims, err := http.ParseTime(ims); err == nil && !modified.IsZero() {
		return !modified.Truncate(time.Second).After(ims)
	}
	return false
}

// cachedResponse is a rendered page, kept plain and gzipped, with the
// values of its headers made once: serving it assigns them, shared, to the
// response's header map (as securityHeader's), rather than formatting a
// date and a length and canonicalizing each key on every request.
type cachedResponse struct {
	version     int64
	status      int
	contentType string
	etag        string
	modified    time.Time
	body, gz    []byte

	contentTypeHeader, etagHeader, weakETagHeader, lastModifiedHeader []string
	bodyLength, gzLength                                              []string
}

var (
	cacheControlNoCache = []string{"public, no-cache"}
	contentEncodingGzip = []string{"gzip"}
)

func newCachedResponse(buf *bufferedResponse, version int64, etag string, modified time.Time) *cachedResponse {
	c := &cachedResponse{version: version, status: buf.status, contentType: buf.header.Get("Content-Type"),
		etag: etag, modified: modified}
	defer c.makeHeaders()
	var gz bytes.Buffer
	// Pages compress once per version, so spend effort on them; the big
	// sitemaps would take a second at the best level, so they get the fastest.
	level := gzip.BestCompression
	if buf.body.Len() > maxPlainCachedBytes {
		level = gzip.BestSpeed
	}
	zw := cacheGzip[level].Get().(*gzip.Writer)
	zw.Reset(&gz)
	zw.Write(buf.body.Bytes())
	zw.Close()
	cacheGzip[level].Put(zw)
	c.gz = gz.Bytes()
	if buf.body.Len() <= maxPlainCachedBytes {
		c.body = buf.body.Bytes()
	}
	return c
}

// cacheGzip pools the page cache's compressors by level: a gzip writer
// allocates most of a megabyte.
var cacheGzip = map[int]*sync.Pool{
	gzip.BestCompression: {New: func() any { w, _ := gzip.NewWriterLevel(io.Discard, gzip.BestCompression); return w }},
	gzip.BestSpeed:       {New: func() any { w, _ := gzip.NewWriterLevel(io.Discard, gzip.BestSpeed); return w }},
}

// maxPlainCachedBytes: larger pages (sitemaps) are kept gzipped only and
// decompressed for the rare client that does not take gzip.
const maxPlainCachedBytes = 512 << 10

func (c *cachedResponse) size() int64 { return int64(len(c.body) + len(c.gz) + 256) }

func (c *cachedResponse) makeHeaders() {
	c.contentTypeHeader = []string{c.contentType}
	c.etagHeader = []string{c.etag}
	c.weakETagHeader = []string{"W/" + c.etag}
	if !c.modified.IsZero() {
		c.lastModifiedHeader = []string{c.modified.UTC().Format(http.TimeFormat)}
	}
	c.bodyLength = []string{strconv.Itoa(len(c.body))}
	c.gzLength = []string{strconv.Itoa(len(c.gz))}
}

func (c *cachedResponse) serve(w http.ResponseWriter, r *http.Request) {
	hdr := w.Header()
	hdr["Content-Type"] = c.contentTypeHeader
	gzipped := acceptsGzip(r)
	if c.status == http.StatusOK {
		hdr["ETag"] = c.etagHeader
		if gzipped {
			hdr["ETag"] = c.weakETagHeader
		}
		if c.lastModifiedHeader != nil {
			hdr["Last-Modified"] = c.lastModifiedHeader
		}
		// Readers always get the current page: caches may store it but
		// must ask again (cheaply, with the ETag) before reusing it.
		hdr["Cache-Control"] = cacheControlNoCache
	}
	if !gzipped && c.body == nil {
		w.WriteHeader(c.status)
		if r.Method != http.MethodHead {
			zr, err := gzip.NewReader(bytes.NewReader(c.gz))
			if err == nil {
				io.Copy(w, zr)
			}
		}
		return
	}
	body, length := c.body, c.bodyLength
	if gzipped {
		hdr["Content-Encoding"] = contentEncodingGzip
		body, length = c.gz, c.gzLength
	}
	hdr["Content-Length"] = length
	w.WriteHeader(c.status)
	if r.Method != http.MethodHead {
		w.Write(body)
	}
}

// bufferedResponse collects a handler's response so it can be cached.
type bufferedResponse struct {
	header http.Header
	status int
	body   bytes.Buffer
	wrote  bool
}

func (b *bufferedResponse) Header() http.Header { return b.header }

func (b *bufferedResponse) writeTo(w http.ResponseWriter) {
	for k, v := range b.header {
		w.Header()[k] = v
	}
	w.WriteHeader(b.status)
	w.Write(b.body.Bytes())
}
func (b *bufferedResponse) Write(p []byte) (int, error) {
	b.wrote = true
	return b.body.Write(p)
}
func (b *bufferedResponse) WriteHeader(code int) {
	if !b.wrote {
		b.status, b.wrote = code, true
	}
}

// pageCache is a size-bounded LRU of rendered pages, keyed by URL.
type pageCache struct {
	mu       sync.Mutex
	maxBytes int64
	bytes    int64
	order    *list.List // front: most recently used
	items    map[string]*list.Element
}

type pageEntry struct {
	key  string
	page *cachedResponse
}

func newPageCache(maxBytes int64) *pageCache {
	return &pageCache{maxBytes: maxBytes, order: list.New(), items: map[string]*list.Element{}}
}

// get returns the page cached under key if it is of the given version.
func (c *pageCache) get(key string, version int64) (*cachedResponse, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.items[key]
	if !ok {
		return nil, false
	}
	e := el.Value.(*pageEntry)
	if e.page.version != version {
		c.remove(el)
		return nil, false
	}
	c.order.MoveToFront(el)
	return e.page, true
}

func (c *pageCache) put(key string, page *cachedResponse) {
	if page.size() > c.maxBytes/8 {
		return // one huge page must not evict everything else
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[key]; ok {
		c.remove(el)
	}
	c.items[key] = c.order.PushFront(&pageEntry{key: key, page: page})
	c.bytes += page.size()
	for c.bytes > c.maxBytes {
		c.remove(c.order.Back())
	}
}

func (c *pageCache) remove(el *list.Element) {
	e := c.order.Remove(el).(*pageEntry)
	delete(c.items, e.key)
	c.bytes -= e.page.size()
}
