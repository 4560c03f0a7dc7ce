package importer

import (
	"encoding/json"
	"fmt"
	"html"
	"regexp"
	"strconv"
	"strings"

	"github.com/bylinenews/byline/markdown"
)

// WordPress shortcodes and embed blocks.
//
// A WordPress body marks media with shortcodes ([gallery ids="1,2"],
// [embed]URL[/embed]) and, since the block editor, with block comments
// (<!-- wp:embed {"url":"..."} -->). Byline turns the media it knows into
// its own markup before the block comments are stripped: a video becomes
// the address alone on its line, which the Markdown renderer makes a
// privacy-preserving embed; another embed becomes a plain link, so that no
// page makes a request to another site; a gallery becomes a figure of its
// images.

// shortcode is one [name attrs]content[/name] or [name attrs] in a text.
type shortcode struct {
	Name    string
	Attrs   map[string]string // by lower-case name; a bare word is a key with ""
	Content string            // between the tags, "" for a lone tag
	Start   int               // offsets of the whole shortcode in the text
	End     int
}

var shortcodeNameRE = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9_-]*`)

// maxShortcodeTag bounds how far a tag's attributes are looked for, so a
// stray "[" in a long text costs little.
const maxShortcodeTag = 4096

// parseShortcodes finds the shortcodes in s named in names, in order,
// without nesting (WordPress does not nest a shortcode in itself).
// [[name]] is WordPress's escape for a literal [name] and is not one.
func parseShortcodes(s string, names map[string]bool) []shortcode {
	var out []shortcode
	unclosed := map[string]bool{}
	for i := 0; i < len(s); {
		j := strings.IndexByte(s[i:], '[')
		if j < 0 {
			break
		}
		start := i + j
		i = start + 1
		if start > 0 && s[start-1] == '[' {
			continue // [[escaped]]
		}
		name := shortcodeNameRE.FindString(s[start+1:])
		if name == "" || !names[strings.ToLower(name)] {
			continue
		}
		end, attrs, selfClosed, ok := readTag(s, start+1+len(name))
		if !ok {
			continue
		}
		sc := shortcode{Name: strings.ToLower(name), Attrs: attrs, Start: start, End: end}
		if !selfClosed && !unclosed[sc.Name] {
			closing := "[/" + name + "]"
			if k := indexFold(s[end:], closing); k >= 0 {
				sc.Content = s[end : end+k]
				sc.End = end + k + len(closing)
			} else {
				// Not found from here, so not from any later place: a text
				// of many lone tags is scanned once, not once per tag.
				unclosed[sc.Name] = true
			}
		}
		out = append(out, sc)
		i = sc.End
	}
	return out
}

// indexFold is strings.Index ignoring ASCII case. It compares bytes, so
// offsets stay those of s whatever it holds (strings.ToLower would change
// the length of invalid UTF-8).
func indexFold(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if strings.EqualFold(s[i:i+len(sub)], sub) {
			return i
		}
	}
	return -1
}

// readTag reads a tag's attributes from s[i:] up to its "]": name="v",
// name='v', name=v and bare words. It returns the offset after "]",
// whether the tag ended "/]", and false if there is no "]" in reach or the
// tag holds a "[" (a stray bracket, not a shortcode).
func readTag(s string, i int) (end int, attrs map[string]string, selfClosed, ok bool) {
	attrs = map[string]string{}
	limit := min(len(s), i+maxShortcodeTag)
	if i < len(s) && s[i] != ']' && s[i] != ' ' && s[i] != '\t' && s[i] != '\n' && s[i] != '/' {
		return 0, nil, false, false // [name-longer] or [name:x]: another word
	}
	for i < limit {
		c := s[i]
		switch {
		case c == ']':
			return i + 1, attrs, false, true
		case c == '/' && i+1 < len(s) && s[i+1] == ']':
			return i + 2, attrs, true, true
		case c == '[':
			return 0, nil, false, false
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '/':
			i++
		case strings.HasPrefix(s[i:], "http://") || strings.HasPrefix(s[i:], "https://"):
			// [youtube https://...]: an address as a bare word, case kept.
			k := i
			for k < limit && !strings.ContainsRune(" \t\r\n][", rune(s[k])) {
				k++
			}
			attrs[s[i:k]] = ""
			i = k
		default:
			k := i
			for k < limit && !strings.ContainsRune(" \t\r\n=]/[", rune(s[k])) {
				k++
			}
			key := strings.ToLower(s[i:k])
			i = k
			if i < limit && s[i] == '=' {
				i++
				var val string
				if i < limit && (s[i] == '"' || s[i] == '\'') {
					q := s[i]
					e := strings.IndexByte(s[i+1:limit], q)
					if e < 0 {
						return 0, nil, false, false
					}
					val, i = s[i+1:i+1+e], i+2+e
				} else {
					v := i
					for i < limit && !strings.ContainsRune(" \t\r\n]", rune(s[i])) {
						i++
					}
					val = s[v:i]
				}
				attrs[key] = html.UnescapeString(val)
			} else if key != "" {
				attrs[key] = ""
			}
		}
	}
	return 0, nil, false, false
}

// galleryImage is an image a [gallery] shows.
type galleryImage struct {
	URL, Alt, Caption string
}

// galleryLookup returns the images of a gallery: those with the given
// attachment IDs, or with none, the images attached to the post. A format
// without attachments has none (nil).
type galleryLookup func(ids []int64) []galleryImage

// mediaShortcodes are the shortcodes mediaMarkup replaces.
var mediaShortcodes = map[string]bool{"gallery": true, "embed": true, "youtube": true, "vimeo": true}

var (
	embedBlockRE = regexp.MustCompile(`(?s)<!--\s*wp:(?:core-)?embed(?:/[a-z0-9-]+)?\s*(\{.*?\})?\s*/?-->(.*?)(?:<!--\s*/wp:(?:core-)?embed(?:/[a-z0-9-]+)?\s*-->|$)`)
	figcaptionRE = regexp.MustCompile(`(?s)<figcaption[^>]*>(.*?)</figcaption>`)
	embedURLRE   = regexp.MustCompile(`https?://[^\s<>"']+`)
)

// mediaMarkup replaces WordPress embed blocks and the media shortcodes in
// an HTML body with Byline's markup. What it cannot use (a gallery whose
// images are not in the file) stays as text, for htmlBody to count.
func mediaMarkup(s string, gallery galleryLookup) string {
	s = embedBlockRE.ReplaceAllStringFunc(s, func(block string) string {
		m := embedBlockRE.FindStringSubmatch(block)
		var attrs struct {
			URL string `json:"url"`
		}
		if m[1] != "" {
			_ = json.Unmarshal([]byte(m[1]), &attrs) // a broken block falls back on its text
		}
		if attrs.URL == "" {
			attrs.URL = embedURLRE.FindString(m[2])
		}
		if attrs.URL == "" {
			return m[2]
		}
		out := embedMarkup(attrs.URL)
		if c := figcaptionRE.FindStringSubmatch(m[2]); c != nil && strings.TrimSpace(c[1]) != "" {
			out += "<p>" + strings.TrimSpace(c[1]) + "</p>\n\n"
		}
		return out
	})
	codes := parseShortcodes(s, mediaShortcodes)
	if len(codes) == 0 {
		return s
	}
	var b strings.Builder
	last := 0
	for _, sc := range codes {
		b.WriteString(s[last:sc.Start])
		last = sc.End
		switch sc.Name {
		case "embed", "youtube", "vimeo":
			target := strings.TrimSpace(html.UnescapeString(sc.Content))
			if target == "" {
				target = sc.Attrs["url"]
			}
			if target == "" {
				for k, v := range sc.Attrs {
					if v == "" && strings.HasPrefix(k, "http") {
						target = k // [youtube https://...]
					}
				}
			}
			if sc.Name == "vimeo" && vimeoIDOnly.MatchString(target) {
				target = "https://vimeo.com/" + target
			}
			if sc.Name == "youtube" && len(target) == 11 && !strings.Contains(target, "/") {
				target = "https://www.youtube.com/watch?v=" + target
			}
			if !strings.HasPrefix(target, "http://") && !strings.HasPrefix(target, "https://") {
				b.WriteString(s[sc.Start:sc.End])
				continue
			}
			b.WriteString(embedMarkup(target))
		case "gallery":
			var images []galleryImage
			if gallery != nil {
				images = gallery(galleryIDs(sc.Attrs["ids"] + "," + sc.Attrs["include"]))
			}
			if len(images) == 0 {
				b.WriteString(s[sc.Start:sc.End])
				continue
			}
			b.WriteString(galleryMarkup(images))
		}
	}
	b.WriteString(s[last:])
	return b.String()
}

var vimeoIDOnly = regexp.MustCompile(`^[0-9]{1,12}$`)

// embedMarkup is what an embedded address becomes: a video's address alone
// between blank lines (htmlBody makes it a Markdown line, which the
// renderer makes an embed), or a plain link.
func embedMarkup(target string) string {
	if v, ok := markdown.ParseVideo(target); ok {
		return "\n\n" + v.WatchURL() + "\n\n"
	}
	esc := html.EscapeString(target)
	return "\n\n<p><a href=\"" + esc + "\">" + esc + "</a></p>\n\n"
}

// galleryIDs reads "13, 14,15" into IDs, in order, without repeats.
func galleryIDs(s string) []int64 {
	var ids []int64
	seen := map[int64]bool{}
	for _, f := range strings.Split(s, ",") {
		id, err := strconv.ParseInt(strings.TrimSpace(f), 10, 64)
		if err == nil && id > 0 && !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	return ids
}

// galleryMarkup is a gallery's figure: its images side by side.
func galleryMarkup(images []galleryImage) string {
	var b strings.Builder
	b.WriteString("\n\n<figure class=\"" + markdown.GalleryClass + "\">")
	for _, im := range images {
		alt := im.Alt
		if alt == "" {
			alt = im.Caption
		}
		fmt.Fprintf(&b, "<img src=\"%s\" alt=\"%s\" loading=\"lazy\">", html.EscapeString(im.URL), html.EscapeString(plainLine(alt)))
	}
	b.WriteString("</figure>\n\n")
	return b.String()
}
