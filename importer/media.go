package importer

import (
	"context"
	"errors"
	"fmt"
	"html"
	"regexp"
	"strings"
	"sync"

	"github.com/bylinenews/byline"
	"github.com/bylinenews/byline/markdown"
)

// MediaFetcher copies an image from another host into the media library's
// files, returning its record for an UploadService. An error that is not
// kind Internal (a refused address, a non-image, a timeout) leaves that
// image's links as they are; an Internal one (the disk is full) ends the
// run. Fetch is called from several goroutines at once.
type MediaFetcher interface {
	Fetch(ctx context.Context, url string) (*byline.Upload, error)
}

// mediaWorkers is how many images are fetched at once: enough to hide the
// old host's latency, few enough not to hammer it.
const mediaWorkers = 4

// MediaReport says what a run did with the images its articles link to on
// other hosts.
type MediaReport struct {
	// Found is how many different images (and video posters) on other
	// hosts the articles link to.
	Found int
	// Copied is how many of them are now in the media library; the links
	// to them now point at the copies.
	Copied int
	// Failed are the links left as they were, one per article and image.
	Failed []MediaFailure
}

// MediaFailure is an image an article links to that could not be copied.
type MediaFailure struct {
	Place  ParseError // the article's file, line and label; no Err
	URL    string
	Reason string
}

func (f MediaFailure) String() string {
	return fmt.Sprintf("%s: %s: %s", strings.TrimSuffix(f.Place.Error(), ": "), f.URL, f.Reason)
}

// mediaRefs are the links of an article to images on other hosts.
type mediaRefs struct {
	place ParseError
	urls  []string
}

var (
	imgTagRE    = regexp.MustCompile(`(?is)<img\b[^>]*>`)
	anchorTagRE = regexp.MustCompile(`(?is)<a\b[^>]*>`)
	// attrValueRE finds src= or href= in a tag, quoted either way or bare.
	srcAttrRE  = regexp.MustCompile(`(?is)(\ssrc\s*=\s*)("[^"]*"|'[^']*'|[^\s>]+)`)
	hrefAttrRE = regexp.MustCompile(`(?is)(\shref\s*=\s*)("[^"]*"|'[^']*'|[^\s>]+)`)
	// mdImageRE finds a Markdown image's destination: ![alt](dest "title").
	mdImageRE = regexp.MustCompile(`(!\[(?:[^\]\\\n]|\\.)*\]\(\s*)(<[^>\n]*>|[^\s)]+)`)
	// videoLineRE is a line holding only an address, maybe in <>.
	videoLineRE = regexp.MustCompile(`(?m)^[ \t]*<?(https?://[^\s<>]+)>?[ \t]*$`)
)

// remoteURL returns the absolute address of a link to another host, or ""
// for a link to this site (a path) or anything not http or https.
func remoteURL(raw string) string {
	u := strings.TrimSpace(html.UnescapeString(strings.Trim(strings.TrimSpace(raw), `"'<>`)))
	if strings.HasPrefix(u, "//") {
		u = "https:" + u
	}
	if (strings.HasPrefix(u, "http://") || strings.HasPrefix(u, "https://")) && len(u) <= byline.MaxURLBytes {
		return u
	}
	return ""
}

// imageLinks lists the images on other hosts that a links to: its feature
// image, the images of its body (HTML and Markdown), and the posters of
// the videos alone on a line, each once, in order.
func imageLinks(a *byline.Article) []string {
	var out []string
	seen := map[string]bool{}
	add := func(raw string) {
		if u := remoteURL(raw); u != "" && !seen[u] {
			seen[u] = true
			out = append(out, u)
		}
	}
	add(a.FeatureImageURL)
	for _, tag := range imgTagRE.FindAllString(a.Body, -1) {
		if m := srcAttrRE.FindStringSubmatch(tag); m != nil {
			add(m[2])
		}
	}
	for _, m := range mdImageRE.FindAllStringSubmatch(a.Body, -1) {
		add(m[2])
	}
	for _, m := range videoLineRE.FindAllStringSubmatch(a.Body, -1) {
		if v, ok := markdown.ParseVideo(m[1]); ok {
			add(v.PosterURL())
		}
	}
	return out
}

// useCopies points a's links at the copies in local (remote address →
// local address): the feature image, the body's images, links to an
// image (WordPress links a picture to its full size), and videos whose
// poster was copied, which become the poster linked to the video.
func useCopies(a *byline.Article, local map[string]string) {
	if len(local) == 0 {
		return
	}
	if l, ok := local[remoteURL(a.FeatureImageURL)]; ok {
		a.FeatureImageURL = l
	}
	replaceAttr := func(tagRE, attrRE *regexp.Regexp) {
		a.Body = tagRE.ReplaceAllStringFunc(a.Body, func(tag string) string {
			return attrRE.ReplaceAllStringFunc(tag, func(at string) string {
				m := attrRE.FindStringSubmatch(at)
				if l, ok := local[remoteURL(m[2])]; ok {
					return m[1] + `"` + html.EscapeString(l) + `"`
				}
				return at
			})
		})
	}
	replaceAttr(imgTagRE, srcAttrRE)
	replaceAttr(anchorTagRE, hrefAttrRE)
	a.Body = mdImageRE.ReplaceAllStringFunc(a.Body, func(s string) string {
		m := mdImageRE.FindStringSubmatch(s)
		if l, ok := local[remoteURL(m[2])]; ok {
			return m[1] + l
		}
		return s
	})
	a.Body = videoLineRE.ReplaceAllStringFunc(a.Body, func(line string) string {
		m := videoLineRE.FindStringSubmatch(line)
		v, ok := markdown.ParseVideo(m[1])
		if !ok {
			return line
		}
		if l, ok := local[v.PosterURL()]; ok {
			return markdown.PosterMarkdown(v, l)
		}
		return line
	})
}

// collectMedia reads the files once more (after the check, so that a
// WordPress file's attachments are all known) and lists each good
// article's links to images on other hosts.
func (r *run) collectMedia(ctx context.Context) ([]mediaRefs, error) {
	var refs []mediaRefs
	seq := 0
	for _, f := range r.files {
		err := r.readFile(ctx, f, false, func(it *Item) error {
			if it.Skip != "" {
				return nil
			}
			seq++
			if r.bad[seq] || it.Record == nil {
				return nil
			}
			if urls := imageLinks(it.Record.Article); len(urls) > 0 {
				refs = append(refs, mediaRefs{place: ParseError{File: f.name, Line: it.Line, Item: it.Label}, urls: urls})
			}
			return nil
		})
		if err != nil && !errors.Is(err, errNotClaimed) && !r.fatal[f.path] {
			return nil, fmt.Errorf("%s changed while it was being imported: %w", f.name, err)
		}
	}
	return refs, nil
}

// copyMedia fetches every image the articles link to on other hosts, once
// each, and returns the local address of each copied one and the uploads
// to record once the articles are stored. The failures go in the report.
func (r *run) copyMedia(ctx context.Context, fetcher MediaFetcher) (map[string]string, []*byline.Upload, error) {
	refs, err := r.collectMedia(ctx)
	if err != nil {
		return nil, nil, err
	}
	var urls []string
	seen := map[string]bool{}
	for _, ref := range refs {
		for _, u := range ref.urls {
			if !seen[u] {
				seen[u] = true
				urls = append(urls, u)
			}
		}
	}
	rep := &r.report.Media
	rep.Found = len(urls)
	if r.opts.DryRun || fetcher == nil || len(urls) == 0 {
		return nil, nil, nil
	}
	if p := r.opts.Progress; p != nil {
		p.Start("copying images", int64(len(urls)))
		defer p.Done()
	}
	type result struct {
		up     *byline.Upload
		reason string
	}
	var (
		mu      sync.Mutex
		results = map[string]result{}
		fatal   error
		wg      sync.WaitGroup
		next    = make(chan string)
	)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	for range min(mediaWorkers, len(urls)) {
		wg.Go(func() {
			for u := range next {
				up, err := fetcher.Fetch(ctx, u)
				mu.Lock()
				switch {
				case err == nil:
					results[u] = result{up: up}
				case ctx.Err() != nil:
				case byline.ErrorKind(err) == byline.Internal:
					if fatal == nil {
						fatal = fmt.Errorf("copy %s: %w", u, err)
					}
					cancel()
				default:
					results[u] = result{reason: byline.ErrorMessage(err)}
				}
				mu.Unlock()
				if p := r.opts.Progress; p != nil {
					p.Add(1)
				}
			}
		})
	}
feed:
	for _, u := range urls {
		select {
		case next <- u:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	if fatal != nil {
		return nil, nil, fatal
	}
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	local := map[string]string{}
	var uploads []*byline.Upload
	for _, u := range urls {
		if res := results[u]; res.up != nil {
			local[u] = res.up.URL()
			uploads = append(uploads, res.up)
		}
	}
	rep.Copied = len(uploads)
	for _, ref := range refs {
		for _, u := range ref.urls {
			if res := results[u]; res.up == nil {
				rep.Failed = append(rep.Failed, MediaFailure{Place: ref.place, URL: u, Reason: res.reason})
			}
		}
	}
	return local, uploads, nil
}
