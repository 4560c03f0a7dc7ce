package byline

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// maxSlugRunes keeps permalinks readable; longer headlines are cut at a word.
const maxSlugRunes = 80

// Slugify turns a headline into a readable, URL-safe slug. Letters and digits
// of every script are kept (a Russian headline gives a Cyrillic slug), Latin
// diacritics are folded ("Café" → "cafe"), everything else becomes a single
// hyphen. It returns "" when s has no letters or digits at all.
func Slugify(s string) string {
	var b strings.Builder
	pendingHyphen := false
	var prevBase rune
	for _, r := range norm.NFKD.String(strings.ToValidUTF8(s, " ")) {
		switch {
		case unicode.IsMark(r):
			// A combining mark: drop it after a Latin letter (é → e), keep
			// it inside a word of another script, where it is part of the
			// letter (Devanagari vowel signs).
			if prevBase != 0 && !unicode.Is(unicode.Latin, prevBase) {
				b.WriteRune(r)
			}
			continue
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if pendingHyphen && b.Len() > 0 {
				b.WriteByte('-')
			}
			pendingHyphen = false
			b.WriteRune(unicode.ToLower(r))
			prevBase = r
		case r == '\'' || r == '’':
			// "Russia's" reads better as "russias" than "russia-s".
			continue
		default:
			pendingHyphen = true
			prevBase = 0
		}
	}
	slug := norm.NFC.String(b.String())
	return truncateSlug(slug, maxSlugRunes)
}

// truncateSlug cuts slug to at most n runes, at a hyphen when there is one.
func truncateSlug(slug string, n int) string {
	runes := []rune(slug)
	if len(runes) <= n {
		return slug
	}
	cut := string(runes[:n])
	if i := strings.LastIndexByte(cut, '-'); i > n/2 {
		cut = cut[:i]
	}
	return strings.Trim(cut, "-")
}

// SlugOrUntitled returns the slug of s, or "untitled" when s has nothing
// a slug can keep (only punctuation, say).
func SlugOrUntitled(s string) string {
	if slug := Slugify(s); slug != "" {
		return slug
	}
	return "untitled"
}
