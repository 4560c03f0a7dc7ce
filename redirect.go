package byline

import (
	"net/url"
	"path"
	"strconv"
	"strings"
)

// RedirectPath returns the key under which an old address of an article is
// kept, so that the address as a reader's browser asks for it and as an
// import names it compare equal. It keeps the decoded path, with a slash at
// the end of a path whose last segment has no extension, and drops the host
// and the query; only WordPress's plain links keep their query, reduced to
// the ID: "https://old.example/?p=123&foo=1" gives "/?p=123", and
// "/?page_id=7" stays as it is. It returns "" for what cannot be an old
// address: an empty or unparsable URL, another scheme, or the site's root.
func RedirectPath(raw string) string {
	raw = strings.TrimSpace(raw)
	if raw == "" || len(raw) > MaxURLBytes {
		return ""
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "" && u.Scheme != "http" && u.Scheme != "https") {
		return ""
	}
	q := u.Query()
	for _, key := range []string{"p", "page_id"} {
		if id := q.Get(key); id != "" {
			if n, err := strconv.ParseUint(id, 10, 63); err == nil && n > 0 {
				return "/?" + key + "=" + strconv.FormatUint(n, 10)
			}
		}
	}
	p := u.Path
	if p == "" || p == "/" {
		return ""
	}
	if !strings.HasPrefix(p, "/") {
		p = "/" + p
	}
	p = path.Clean(p)
	if p == "/" {
		return ""
	}
	if !hasFileExt(p) {
		p += "/"
	}
	return p
}

// hasFileExt reports whether the last segment of p ends like a file name,
// ".html" or ".php": such an address never had a slash added.
func hasFileExt(p string) bool {
	ext := path.Ext(p)
	if len(ext) < 2 || len(ext) > 6 {
		return false
	}
	for _, r := range ext[1:] {
		if !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9') {
			return false
		}
	}
	return true
}
