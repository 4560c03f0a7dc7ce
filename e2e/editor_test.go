package e2e_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/bylinenews/byline"
	"github.com/bylinenews/byline/e2e"
)

// signIn signs the editor in and waits for the article list.
func signIn(t *testing.T, site *e2e.Site, ctx context.Context, u *byline.User) {
	t.Helper()
	site.Visit(t, ctx, "/newsroom/sign-in")
	err := chromedp.Do(ctx,
		chromedp.WaitVisible(chromedp.ID("email")),
		chromedp.SendKeys(chromedp.ID("email"), u.Email),
		chromedp.SendKeys(chromedp.ID("password"), editorPassword),
		chromedp.Submit(chromedp.ID("password")),
		chromedp.WaitVisible(chromedp.ID("desk-count")),
	)
	if err != nil {
		t.Fatalf("sign in as %s: %v", u.Email, err)
	}
}

// bodyValue is the editor's Markdown body as it stands.
func bodyValue(t *testing.T, ctx context.Context) string {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById("body").value`))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// setBody replaces the body's text and puts the selection on [start, end).
func setBody(t *testing.T, ctx context.Context, text string, start, end int) {
	t.Helper()
	js := `(() => { const b = document.getElementById("body"); b.focus(); b.value = ` + jsJSON(text) + `;
		b.dispatchEvent(new Event("input", {bubbles: true})); b.setSelectionRange(` + strconv.Itoa(start) + `, ` + strconv.Itoa(end) + `); return true })()`
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](js)); err != nil {
		t.Fatal(err)
	}
}

// jsJSON quotes s as a JavaScript string literal.
func jsJSON(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// TestEditorToolbar presses each toolbar button and shortcut over a
// selection and checks the Markdown it writes, the live preview of it, and
// the word count and reading time as the body changes.
func TestEditorToolbar(t *testing.T) {
	site, editor, _ := startNewsroom(t)
	ctx := e2e.NewTab(t, e2e.NewBrowser(t))
	rec := e2e.Record(t, ctx)
	signIn(t, site, ctx, editor)
	site.Visit(t, ctx, "/newsroom/articles/new")
	waitFor(t, ctx, `!document.getElementById("toolbar").hidden`, "the toolbar to show")

	tests := []struct {
		name   string
		text   string
		start  int
		end    int
		action chromedp.Action[chromedp.Void]
		want   string
	}{
		{"bold wraps the selection", "Talks open today", 6, 10, click("bold"), "Talks **open** today"},
		{"Ctrl+B is bold", "Talks open today", 6, 10, chord("b", ctrl), "Talks **open** today"},
		{"italic wraps the selection", "Talks open today", 0, 5, click("italic"), "_Talks_ open today"},
		{"Ctrl+I is italic", "Talks open today", 0, 5, chord("i", ctrl), "_Talks_ open today"},
		{"link makes the selection its text", "See the report", 8, 14, click("link"), "See the [report](https://)"},
		{"Ctrl+K is a link", "See the report", 8, 14, chord("k", ctrl), "See the [report](https://)"},
		{"heading prefixes the line", "Intro\nBackground\nMore", 8, 8, click("heading"), "Intro\n## Background\nMore"},
		{"Ctrl+Alt+2 is a heading", "Intro\nBackground\nMore", 8, 8, chord("2", ctrl|alt), "Intro\n## Background\nMore"},
		{"list prefixes each line", "one\ntwo\nthree", 0, 7, click("list"), "- one\n- two\nthree"},
		{"Ctrl+Shift+8 is a list", "one\ntwo", 0, 7, chord("8", ctrl|shift), "- one\n- two"},
		{"pull quote prefixes the line", "We stay.", 0, 0, click("quote"), "> We stay."},
		{"pressed again, the pull quote goes", "> We stay.", 3, 3, click("quote"), "We stay."},
		{"Ctrl+Shift+9 is a pull quote", "We stay.", 2, 2, chord("9", ctrl|shift), "> We stay."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			setBody(t, ctx, tt.text, tt.start, tt.end)
			if err := chromedp.Do(ctx, tt.action); err != nil {
				t.Fatal(err)
			}
			if got := bodyValue(t, ctx); got != tt.want {
				t.Errorf("body after %s on %q [%d,%d) = %q, want %q", tt.name, tt.text, tt.start, tt.end, got, tt.want)
			}
		})
	}

	// Typed, the toolbar's Markdown renders in the live preview.
	setBody(t, ctx, "", 0, 0)
	err := chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.ID("body"), "The delegations met"),
		click("quote"),
		chromedp.WaitVisible(chromedp.CSS("#preview blockquote.pull-quote")),
	)
	if err != nil {
		t.Fatalf("type a pull quote: %v", err)
	}
	if got := e2e.Texts(t, ctx, "#body-stats"); len(got) != 1 || got[0] != "3 words · 1 min read" {
		t.Errorf("stats for %q = %q, want 3 words, 1 minute", bodyValue(t, ctx), got)
	}
	// 231 words is a second minute at 230 words a minute.
	setBody(t, ctx, strings.Repeat("word ", 230)+"[last](https://example.com/) ![a photo](/x.png)", 0, 0)
	if got := e2e.Texts(t, ctx, "#body-stats"); len(got) != 1 || got[0] != "231 words · 2 min read" {
		t.Errorf("stats for 231 words and an image = %q, want 231 words, 2 minutes", got)
	}
	rec.CheckSameOrigin(t, site.URL)
	rec.CheckNoErrors(t)
}

type modifiers int

const (
	alt   modifiers = 1
	ctrl  modifiers = 2
	shift modifiers = 8
)

// click presses a toolbar button.
func click(format string) chromedp.Action[chromedp.Void] {
	return chromedp.Click(chromedp.CSS(`#toolbar button[data-format="` + format + `"]`))
}

// chord presses a key with modifiers in the focused body.
func chord(key string, m modifiers) chromedp.Action[chromedp.Void] {
	return chromedp.KeyEvent(key, chromedp.KeyModifiers(inputModifiers(m)))
}

func inputModifiers(m modifiers) chromedp.Modifier {
	var out chromedp.Modifier
	if m&alt != 0 {
		out |= chromedp.ModifierAlt
	}
	if m&ctrl != 0 {
		out |= chromedp.ModifierCtrl
	}
	if m&shift != 0 {
		out |= chromedp.ModifierShift
	}
	return out
}

// testPNG is a small PNG image, base64 for the page's script.
func testPNG(t *testing.T, w, h int, c color.Color) string {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, c)
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(buf.Bytes())
}

// dispatchImage fires a paste or drop event carrying a PNG file on the body.
func dispatchImage(t *testing.T, ctx context.Context, kind, name, b64 string) {
	t.Helper()
	js := `(() => {
		const bytes = Uint8Array.from(atob(` + jsString(b64) + `), (c) => c.charCodeAt(0));
		const dt = new DataTransfer();
		dt.items.add(new File([bytes], ` + jsString(name) + `, { type: "image/png" }));
		const body = document.getElementById("body");
		const ev = ` + jsString(kind) + ` === "paste"
			? new ClipboardEvent("paste", { clipboardData: dt, bubbles: true, cancelable: true })
			: new DragEvent("drop", { dataTransfer: dt, bubbles: true, cancelable: true });
		body.dispatchEvent(ev);
		return ev.defaultPrevented;
	})()`
	prevented, err := chromedp.Run(ctx, chromedp.Evaluate[bool](js))
	if err != nil {
		t.Fatalf("%s an image: %v", kind, err)
	}
	if !prevented {
		t.Fatalf("the editor did not take the %sd image", kind)
	}
}

var imageLine = regexp.MustCompile(`!\[([^\]]*)\]\((/files/uploads/[0-9a-f]{32}-[0-9]+\.png)(?: "([^"]*)")?\)`)

// TestEditorImages pastes an image into the body and drops another: each
// is uploaded, described in the dialog (alt text required), and written in
// place as a figure with its caption and credit, which the preview shows;
// then the feature image is picked from the media library. Publishing is
// refused while an image has no alt text.
func TestEditorImages(t *testing.T) {
	site, editor, _ := startNewsroom(t)
	ctx := e2e.NewTab(t, e2e.NewBrowser(t))
	rec := e2e.Record(t, ctx)
	signIn(t, site, ctx, editor)
	site.Visit(t, ctx, "/newsroom/articles/new")
	err := chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.ID("headline"), "Ceasefire talks open in Vienna"),
		chromedp.SendKeys(chromedp.ID("body"), "The talks opened on Monday."),
	)
	if err != nil {
		t.Fatal(err)
	}

	dispatchImage(t, ctx, "paste", "delegates.png", testPNG(t, 40, 20, color.RGBA{200, 30, 30, 255}))
	waitFor(t, ctx, `!document.getElementById("image-details").hidden`, "the pasted image to be uploaded and described")
	// The alt text is required: Insert without it keeps the dialog open.
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.ID("image-insert"))); err != nil {
		t.Fatal(err)
	}
	if !evalBool(t, ctx, `document.getElementById("image-dialog").open`) {
		t.Fatal("the dialog closed without alt text")
	}
	err = chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.ID("image-alt"), "Delegates at the palace door"),
		chromedp.SendKeys(chromedp.ID("image-caption"), "Delegates arrive on Monday."),
		chromedp.SendKeys(chromedp.ID("image-credit"), "Photo: Jane Doe"),
		chromedp.Click(chromedp.ID("image-insert")),
		chromedp.WaitVisible(chromedp.CSS("#preview figure figcaption .credit")),
	)
	if err != nil {
		t.Fatalf("describe and insert the pasted image: %v", err)
	}
	body := bodyValue(t, ctx)
	m := imageLine.FindAllStringSubmatch(body, -1)
	if len(m) != 1 || m[0][1] != "Delegates at the palace door" || m[0][3] != "Delegates arrive on Monday. | Photo: Jane Doe" {
		t.Fatalf("body after pasting = %q, want one described image with caption and credit", body)
	}
	if !strings.HasPrefix(body, "The talks opened on Monday.\n\n![") {
		t.Errorf("body = %q, want the image in a paragraph of its own after the text", body)
	}
	if got := e2e.Texts(t, ctx, "#preview figcaption"); len(got) != 1 || got[0] != "Delegates arrive on Monday. Photo: Jane Doe" {
		t.Errorf("preview caption = %q", got)
	}
	if got := e2e.Attrs(t, ctx, "#preview figure img", "alt"); len(got) != 1 || got[0] != "Delegates at the palace door" {
		t.Errorf("preview alt = %q", got)
	}

	// A dropped image goes the same way; the caption and credit may stay empty.
	dispatchImage(t, ctx, "drop", "square.png", testPNG(t, 30, 30, color.RGBA{30, 30, 200, 255}))
	waitFor(t, ctx, `!document.getElementById("image-details").hidden`, "the dropped image to be uploaded")
	err = chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.ID("image-alt"), "A blue square"),
		chromedp.Click(chromedp.ID("image-insert")),
	)
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, `document.querySelectorAll("#preview img").length === 2`, "the dropped image in the preview")
	if m := imageLine.FindAllStringSubmatch(bodyValue(t, ctx), -1); len(m) != 2 || m[1][1] != "A blue square" || m[1][3] != "" {
		t.Errorf("body after dropping = %q, want a second image described as a blue square", bodyValue(t, ctx))
	}

	// The feature image, picked from the media library (both images are there).
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.ID("feature-pick")),
		chromedp.WaitVisible(chromedp.CSS("#image-library .nr-library__item")),
	)
	if err != nil {
		t.Fatalf("open the media library: %v", err)
	}
	if got := e2e.Texts(t, ctx, "#image-library .nr-library__item span"); len(got) != 2 || got[0] != "square.png, 30×30" {
		t.Errorf("media library = %q, want the two uploads, newest first", got)
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#image-library li:nth-child(2) button"))); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, `!document.getElementById("image-dialog").open`, "the dialog to close on picking")
	feature, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById("feature_image_url").value`))
	if err != nil {
		t.Fatal(err)
	}
	if feature != m[0][2] {
		t.Errorf("feature image = %q, want the pasted image %q", feature, m[0][2])
	}
	if !evalBool(t, ctx, `!document.getElementById("feature-preview").hidden`) {
		t.Error("no preview of the feature image")
	}

	rec.CheckSameOrigin(t, site.URL)
	rec.CheckNoErrors(t)

	// An image without alt text, typed by hand, stops publishing.
	if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.ID("body"), "\n\n![]("+m[0][2]+")")); err != nil {
		t.Fatal(err)
	}
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`button[value="publish"]`)),
		chromedp.WaitVisible(chromedp.CSS("main > .nr-error")),
	)
	if err != nil {
		t.Fatalf("publish: %v", err)
	}
	if got := e2e.Texts(t, ctx, "main > .nr-error"); len(got) != 1 || !strings.Contains(got[0], "Describe the image "+m[0][2]) {
		t.Errorf("error on publishing an undescribed image = %q", got)
	}
}

// TestEditorLeaveWarning: leaving the editor with unsaved changes asks
// first; after saving it does not.
func TestEditorLeaveWarning(t *testing.T) {
	site, editor, _ := startNewsroom(t)
	ctx := e2e.NewTab(t, e2e.NewBrowser(t))
	signIn(t, site, ctx, editor)
	site.Visit(t, ctx, "/newsroom/articles/new")

	asked := make(chan string, 4)
	accept := chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: true})
		return err
	})
	err := chromedp.Listen(ctx, func(ev any) {
		if d, ok := ev.(*page.EventJavascriptDialogOpening); ok {
			asked <- string(d.Type)
			go chromedp.Do(ctx, accept)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	err = chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.ID("headline"), "A headline never saved"),
		chromedp.Navigate(site.URLOf("/newsroom/")),
	)
	if err != nil {
		t.Fatalf("type, then leave: %v", err)
	}
	select {
	case kind := <-asked:
		if kind != "beforeunload" {
			t.Errorf("dialog on leaving = %q, want beforeunload", kind)
		}
	default:
		t.Fatal("leaving with unsaved changes did not ask")
	}

	// Saved, it leaves without asking.
	site.Visit(t, ctx, "/newsroom/articles/new")
	err = chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.ID("headline"), "A headline saved"),
		chromedp.Click(chromedp.CSS(`button[value="save"]`)),
		chromedp.WaitVisible(chromedp.CSS(".nr-notice")),
		chromedp.Navigate(site.URLOf("/newsroom/")),
		chromedp.WaitVisible(chromedp.ID("desk-count")),
	)
	if err != nil {
		t.Fatalf("save, then leave: %v", err)
	}
	select {
	case kind := <-asked:
		t.Errorf("leaving after saving asked (%s)", kind)
	default:
	}
}

// TestEditorDialogsAreAccessible checks the editor with its toolbar, the
// image dialog with the media library, and the dialog describing an
// uploaded image, with axe-core in both colour schemes.
func TestEditorDialogsAreAccessible(t *testing.T) {
	e2e.RequireAxe(t)
	site, editor, _ := startNewsroom(t)
	browser := e2e.NewBrowser(t)
	signIn(t, site, browser, editor)
	for _, scheme := range schemes {
		t.Run(scheme, func(t *testing.T) {
			ctx := e2e.NewTab(t, browser)
			rec := e2e.Record(t, ctx)
			if err := chromedp.Do(ctx, e2e.ColorScheme(scheme)); err != nil {
				t.Fatal(err)
			}
			site.Visit(t, ctx, "/newsroom/articles/new")
			waitFor(t, ctx, `!document.getElementById("toolbar").hidden && !document.getElementById("body-stats").hidden`, "the toolbar")
			e2e.CheckAxe(t, ctx)
			dispatchImage(t, ctx, "paste", scheme+".png", testPNG(t, 20, 20, color.RGBA{10, 120, 10, 255}))
			waitFor(t, ctx, `!document.getElementById("image-details").hidden`, "the image to be described")
			e2e.CheckAxe(t, ctx)
			err := chromedp.Do(ctx,
				chromedp.Click(chromedp.ID("image-cancel")),
				chromedp.Click(chromedp.CSS(`#toolbar button[data-format="image"]`)),
				chromedp.WaitVisible(chromedp.CSS("#image-library .nr-library__item")),
			)
			if err != nil {
				t.Fatalf("open the media library: %v", err)
			}
			e2e.CheckAxe(t, ctx)
			rec.CheckSameOrigin(t, site.URL)
			rec.CheckNoErrors(t)
		})
	}
}

// TestEditorWithoutJavaScript writes, previews and publishes an article
// with scripts off: the form and the server's preview are enough, and none
// of the script-only controls show.
func TestEditorWithoutJavaScript(t *testing.T) {
	site, editor, _ := startNewsroom(t)
	ctx := e2e.NewTab(t, e2e.NewBrowser(t))
	if err := chromedp.Do(ctx, e2e.DisableJavaScript(true)); err != nil {
		t.Fatal(err)
	}
	signIn(t, site, ctx, editor)
	site.Visit(t, ctx, "/newsroom/articles/new")
	for _, id := range []string{"toolbar", "body-stats", "feature-actions"} {
		if evalBool(t, ctx, `!document.getElementById("`+id+`").hidden`) {
			t.Errorf("#%s shows without JavaScript", id)
		}
	}
	err := chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.ID("headline"), "Written with scripts off"),
		chromedp.SendKeys(chromedp.ID("body"), "Plain **text**.\n\n> A quote."),
		chromedp.Click(chromedp.CSS(`button[value="preview"]`)),
		chromedp.WaitVisible(chromedp.CSS("#preview blockquote.pull-quote")),
	)
	if err != nil {
		t.Fatalf("preview: %v", err)
	}
	if got := e2e.Texts(t, ctx, "#preview strong"); len(got) != 1 || got[0] != "text" {
		t.Errorf("server preview bold = %q", got)
	}
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`button[value="publish"]`)),
		chromedp.WaitVisible(chromedp.ID("view-on-site")),
	)
	if err != nil {
		t.Fatalf("publish: %v", err)
	}
	if got := e2e.Texts(t, ctx, ".nr-notice"); len(got) != 1 || !strings.HasPrefix(got[0], "Published") {
		t.Errorf("notice after publishing = %q", got)
	}
}

// TestEditorNamePickers picks an existing author and an existing tag from
// the pickers with the keyboard, in both colour schemes, checks the open
// list with axe-core, and publishes: the article is credited to the
// existing author, and no new author or tag is made.
func TestEditorNamePickers(t *testing.T) {
	e2e.RequireAxe(t)
	site, editor, _ := startNewsroom(t)
	browser := e2e.NewBrowser(t)
	signIn(t, site, browser, editor)
	for _, scheme := range schemes {
		t.Run(scheme, func(t *testing.T) {
			ctx := e2e.NewTab(t, browser)
			rec := e2e.Record(t, ctx)
			if err := chromedp.Do(ctx, e2e.ColorScheme(scheme)); err != nil {
				t.Fatal(err)
			}
			site.Visit(t, ctx, "/newsroom/articles/new")
			err := chromedp.Do(ctx,
				chromedp.WaitVisible(chromedp.ID("authors")),
				chromedp.Evaluate[chromedp.Void](`document.getElementById("authors").value = ""; void 0`),
				chromedp.Click(chromedp.ID("authors")),
				chromedp.SendKeys(chromedp.ID("authors"), "ines"),
			)
			if err != nil {
				t.Fatal(err)
			}
			waitFor(t, ctx, `document.querySelectorAll('#authors-suggestions [role=option]').length > 0`, "author suggestions")
			if got := e2e.Texts(t, ctx, "#authors-suggestions [role=option]"); len(got) != 1 || got[0] != "Ines Duarte" {
				t.Errorf("suggested authors for %q = %q, want [Ines Duarte]", "ines", got)
			}
			if got := e2e.Attrs(t, ctx, "#authors", "aria-expanded"); len(got) != 1 || got[0] != "true" {
				t.Errorf("aria-expanded = %q with suggestions showing", got)
			}
			e2e.CheckAxe(t, ctx)
			if err := chromedp.Do(ctx, chromedp.KeyEvent(kb.ArrowDown), chromedp.KeyEvent(kb.Enter)); err != nil {
				t.Fatal(err)
			}
			if got := evalString(t, ctx, `document.getElementById("authors").value`); got != "Ines Duarte, " {
				t.Errorf("authors after choosing = %q, want %q", got, "Ines Duarte, ")
			}
			// A second name: the one already there is not offered again.
			if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.ID("authors"), "a")); err != nil {
				t.Fatal(err)
			}
			waitFor(t, ctx, `document.querySelectorAll('#authors-suggestions [role=option]').length > 0`, "more author suggestions")
			for _, name := range e2e.Texts(t, ctx, "#authors-suggestions [role=option]") {
				if name == "Ines Duarte" {
					t.Error("the picker offers an author the field already holds")
				}
			}
			if err := chromedp.Do(ctx, chromedp.KeyEvent(kb.Escape)); err != nil {
				t.Fatal(err)
			}
			waitFor(t, ctx, `document.getElementById("authors-suggestions").hidden`, "Escape to close the list")
			err = chromedp.Do(ctx,
				chromedp.Evaluate[chromedp.Void](`document.getElementById("authors").value = "Ines Duarte, "; void 0`),
				chromedp.Click(chromedp.ID("tags")),
				chromedp.SendKeys(chromedp.ID("tags"), "Cul"),
			)
			if err != nil {
				t.Fatal(err)
			}
			waitFor(t, ctx, `document.querySelectorAll('#tags-suggestions [role=option]').length > 0`, "tag suggestions")
			if err := chromedp.Do(ctx, chromedp.KeyEvent(kb.ArrowDown), chromedp.KeyEvent(kb.Enter)); err != nil {
				t.Fatal(err)
			}
			if got := evalString(t, ctx, `document.getElementById("tags").value`); got != "Culture, " {
				t.Errorf("tags after choosing = %q, want %q", got, "Culture, ")
			}
			headline := "Picked from the lists in " + scheme
			err = chromedp.Do(ctx,
				chromedp.SendKeys(chromedp.ID("headline"), headline),
				chromedp.SendKeys(chromedp.ID("body"), "A short text."),
				chromedp.Click(chromedp.CSS(`button[value="publish"]`)),
				chromedp.WaitVisible(chromedp.ID("view-on-site")),
			)
			if err != nil {
				t.Fatalf("publish: %v", err)
			}
			list, _, err := site.ArticleService.Find(t.Context(), byline.ArticleFilter{Limit: 100})
			if err != nil {
				t.Fatal(err)
			}
			var got *byline.Article
			for _, a := range list {
				if a.Headline == headline {
					got = a
				}
			}
			if got == nil {
				t.Fatalf("%q is not published", headline)
			}
			if len(got.Authors) != 1 || got.Authors[0].Slug != "ines-duarte" || len(got.Tags) != 1 || got.Tags[0].Slug != "culture" {
				t.Errorf("published with authors %v and tags %v, want the existing Ines Duarte and Culture", got.Authors, got.Tags)
			}
			rec.CheckSameOrigin(t, site.URL)
			rec.CheckNoErrors(t)
		})
	}
}

func evalString(t *testing.T, ctx context.Context, expr string) string {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[string](expr))
	if err != nil {
		t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}
