// Package worddiff finds what changed between two versions of a text, word
// by word, for the newsroom's revision and conflict pages. It is pure and
// safe for concurrent use.
//
// The texts are compared line by line first (Myers' algorithm), then each
// run of changed lines word by word, so a long article with a few edits
// costs little; a run too large to compare word by word is shown as
// removed and added whole.
package worddiff

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Kind says what happened to a piece of text.
type Kind int

// Kinds of change.
const (
	Same    Kind = iota // in both versions
	Removed             // only in the old one
	Added               // only in the new one
)

// Part is a piece of the compared text.
type Part struct {
	Kind Kind
	Text string
}

// maxEdits bounds the edit distance the word comparison of one run of
// changed lines looks for; past it the run is shown as replaced whole.
// The search keeps O(maxEdits²) numbers to trace its path.
const maxEdits = 1000

// Words returns the parts that turn old into new: Same parts are in both,
// Removed only in old, Added only in new. Joining the Same and Removed
// parts gives old; the Same and Added parts, new. Adjacent parts of one
// kind are merged.
func Words(old, new string) []Part {
	if old == new {
		if old == "" {
			return nil
		}
		return []Part{{Same, old}}
	}
	a, b := splitLines(old), splitLines(new)
	var out parts
	for _, h := range compare(a, b, maxEdits) {
		switch {
		case h.kind == Same:
			out.add(Same, strings.Join(a[h.a0:h.a1], ""))
		default:
			// A run of changed lines: compare it word by word.
			ra, rb := strings.Join(a[h.a0:h.a1], ""), strings.Join(b[h.b0:h.b1], "")
			wa, wb := splitWords(ra), splitWords(rb)
			hunks := compare(wa, wb, maxEdits)
			if hunks == nil {
				out.add(Removed, ra)
				out.add(Added, rb)
				continue
			}
			for _, w := range absorbSpaces(hunks, wa) {
				if w.kind == Same {
					out.add(Same, strings.Join(wa[w.a0:w.a1], ""))
					continue
				}
				out.add(Removed, strings.Join(wa[w.a0:w.a1], ""))
				out.add(Added, strings.Join(wb[w.b0:w.b1], ""))
			}
		}
	}
	return out
}

// Changed reports whether any part is not Same.
func Changed(ps []Part) bool {
	for _, p := range ps {
		if p.Kind != Same {
			return true
		}
	}
	return false
}

type parts []Part

func (ps *parts) add(k Kind, s string) {
	if s == "" {
		return
	}
	if n := len(*ps); n > 0 && (*ps)[n-1].Kind == k {
		(*ps)[n-1].Text += s
		return
	}
	*ps = append(*ps, Part{k, s})
}

// splitLines cuts s after each newline, keeping them.
func splitLines(s string) []string {
	var out []string
	for s != "" {
		i := strings.IndexByte(s, '\n')
		if i < 0 {
			out = append(out, s)
			break
		}
		out = append(out, s[:i+1])
		s = s[i+1:]
	}
	return out
}

// splitWords cuts s into words (letters and digits), runs of white space,
// and single other characters, so punctuation changes show on their own.
func splitWords(s string) []string {
	var out []string
	for s != "" {
		r, size := utf8.DecodeRuneInString(s)
		n := size
		switch {
		case unicode.IsLetter(r) || unicode.IsNumber(r):
			for n < len(s) {
				r2, sz := utf8.DecodeRuneInString(s[n:])
				if !(unicode.IsLetter(r2) || unicode.IsNumber(r2) || r2 == '\'' || r2 == '’') {
					break
				}
				n += sz
			}
		case unicode.IsSpace(r):
			for n < len(s) {
				r2, sz := utf8.DecodeRuneInString(s[n:])
				if !unicode.IsSpace(r2) {
					break
				}
				n += sz
			}
		}
		out = append(out, s[:n])
		s = s[n:]
	}
	return out
}

// absorbSpaces folds a run of white space between two changes into them,
// so "said, officials" replaced by "go on" reads as one change, not as
// words changed around a kept space. Changed hunks that then touch merge.
func absorbSpaces(hs []hunk, a []string) []hunk {
	var out []hunk
	for i, h := range hs {
		if h.kind == Same && i > 0 && i < len(hs)-1 && strings.TrimSpace(strings.Join(a[h.a0:h.a1], "")) == "" {
			h.kind = Removed
		}
		if n := len(out); n > 0 && h.kind != Same && out[n-1].kind != Same {
			out[n-1].a1, out[n-1].b1 = h.a1, h.b1
			continue
		}
		out = append(out, h)
	}
	return out
}

// hunk is a run of a[a0:a1] and b[b0:b1]: equal (kind Same) or replaced.
type hunk struct {
	kind           Kind
	a0, a1, b0, b1 int
}

// compare finds the shortest edit script from a to b with Myers' O(ND)
// algorithm and returns it as alternating equal and changed hunks. It
// returns nil if more than limit edits are needed.
func compare(a, b []string, limit int) []hunk {
	// Common prefix and suffix cost nothing to find and shrink the search.
	pre := 0
	for pre < len(a) && pre < len(b) && a[pre] == b[pre] {
		pre++
	}
	suf := 0
	for suf < len(a)-pre && suf < len(b)-pre && a[len(a)-1-suf] == b[len(b)-1-suf] {
		suf++
	}
	ma, mb := a[pre:len(a)-suf], b[pre:len(b)-suf]
	var out []hunk
	if pre > 0 {
		out = append(out, hunk{Same, 0, pre, 0, pre})
	}
	n, m := len(ma), len(mb)
	if n > 0 || m > 0 {
		mid := myers(ma, mb, limit)
		if mid == nil && (n > 0 && m > 0) {
			return nil
		}
		if mid == nil {
			mid = []hunk{{Removed, 0, n, 0, m}}
		}
		for _, h := range mid {
			h.a0, h.a1, h.b0, h.b1 = h.a0+pre, h.a1+pre, h.b0+pre, h.b1+pre
			out = append(out, h)
		}
	}
	if suf > 0 {
		out = append(out, hunk{Same, len(a) - suf, len(a), len(b) - suf, len(b)})
	}
	return out
}

// myers runs the greedy forward search, keeping each round's furthest
// reaches to trace the path back; nil if the distance exceeds limit.
func myers(a, b []string, limit int) []hunk {
	n, m := len(a), len(b)
	if n == 0 || m == 0 {
		return []hunk{{Removed, 0, n, 0, m}}
	}
	maxD := min(n+m, limit)
	off := maxD + 1
	v := make([]int, 2*maxD+3)
	var trace [][]int
	found := -1
	for d := 0; d <= maxD && found < 0; d++ {
		// Round d reads v at diagonals -d-1 to d+1: keep just those.
		trace = append(trace, append([]int(nil), v[off-d-1:off+d+2]...))
		for k := -d; k <= d; k += 2 {
			var x int
			if k == -d || (k != d && v[off+k-1] < v[off+k+1]) {
				x = v[off+k+1] // down: an insertion
			} else {
				x = v[off+k-1] + 1 // right: a deletion
			}
			y := x - k
			for x < n && y < m && a[x] == b[y] {
				x, y = x+1, y+1
			}
			v[off+k] = x
			if x >= n && y >= m {
				found = d
				break
			}
		}
	}
	if found < 0 {
		return nil
	}
	// Walk back from (n, m), collecting the diagonal runs.
	type point struct{ x, y int }
	var snakes [][2]point // equal runs, from the end
	x, y := n, m
	for d := found; d > 0; d-- {
		pv, o := trace[d], d+1 // pv[o+k] is v at diagonal k before round d
		k := x - y
		var pk int
		if k == -d || (k != d && pv[o+k-1] < pv[o+k+1]) {
			pk = k + 1
		} else {
			pk = k - 1
		}
		px := pv[o+pk]
		py := px - pk
		// The move from (px, py) lands at (sx, sy), then slides to (x, y).
		sx, sy := px, py
		if pk == k+1 {
			sy++
		} else {
			sx++
		}
		if x > sx {
			snakes = append(snakes, [2]point{{sx, sy}, {x, y}})
		}
		x, y = px, py
	}
	if x > 0 {
		snakes = append(snakes, [2]point{{0, 0}, {x, y}})
	}
	var out []hunk
	ax, by := 0, 0
	for i := len(snakes) - 1; i >= 0; i-- {
		s := snakes[i]
		if s[0].x > ax || s[0].y > by {
			out = append(out, hunk{Removed, ax, s[0].x, by, s[0].y})
		}
		out = append(out, hunk{Same, s[0].x, s[1].x, s[0].y, s[1].y})
		ax, by = s[1].x, s[1].y
	}
	if ax < n || by < m {
		out = append(out, hunk{Removed, ax, n, by, m})
	}
	return out
}
