// Package byline is the domain of the Byline news platform: the newsroom's
// plain types (Article, Author, Tag, ...), the service interfaces the rest of
// the code talks to, and the error kinds.
//
// It imports the standard library and one outside package,
// golang.org/x/text/unicode/norm, which Slugify uses to take accents off
// Latin letters (é to e) and compose what is left. Storage backends (sqlite,
// postgres), the web server (web), importers and mail live in packages of
// their own that import this one; this package imports none of them.
package byline
