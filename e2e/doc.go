// Package e2e tests the reader's site in a real headless Chromium, driven by
// chromedp, with axe-core checking each page for WCAG 2.2 A and AA
// problems. It holds only tests and their helpers; nothing imports it.
//
// A test starts the real site on a real SQLite file, opens a browser, visits
// a page, and checks what a reader (and axe) sees:
//
//	func TestContactPage(t *testing.T) {
//		site := e2e.StartSite(t)
//		ctx := e2e.NewBrowser(t)
//		rec := e2e.Record(t, ctx)
//		site.Visit(t, ctx, "/contact")
//		e2e.CheckAxe(t, ctx)
//		rec.CheckSameOrigin(t, site.URL)
//		rec.CheckNoErrors(t)
//	}
//
// The helpers skip the test, with a sentence saying why, where Chromium or
// axe-core is missing: Chromium is Debian's chromium (or BYLINE_CHROMIUM
// names one), and axe-core is installed by `npm ci` in this folder, pinned
// by package-lock.json. .ci/run installs both, so CI always runs the tests.
//
// Site helpers: [StartSite] (options [WithServer], [WithArticles],
// [WithoutSeed]), [Site.Visit], [Site.URLOf], [Site.ArticleByHeadline].
// Browser helpers: [NewBrowser], [NewTab], [ColorScheme],
// [DisableJavaScript], [Record] and its checks, [CheckAxe] and [RunAxe].
package e2e
