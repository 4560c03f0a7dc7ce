package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	cdpruntime "github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/bylinenews/byline/internal/testenv"
)

// BrowserTimeout bounds everything one tab does (the first tab of
// [NewBrowser], and each of [NewTab]), so a hung page fails the test
// instead of stalling the whole run.
const BrowserTimeout = 2 * time.Minute

// chromiumNames are the commands tried, in order, when BYLINE_CHROMIUM is
// not set.
var chromiumNames = []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"}

// ChromiumPath returns the browser the tests run: BYLINE_CHROMIUM if set,
// else the first of chromium, chromium-browser, google-chrome found on PATH.
// It returns "" if there is none.
func ChromiumPath() string {
	if p := os.Getenv("BYLINE_CHROMIUM"); p != "" {
		if full, err := exec.LookPath(p); err == nil {
			return full
		}
		return ""
	}
	for _, name := range chromiumNames {
		if full, err := exec.LookPath(name); err == nil {
			return full
		}
	}
	return ""
}

// NewBrowser starts a fresh headless Chromium for the test, with a profile
// of its own in t.TempDir(), and returns the context of its first tab; the
// browser closes when the test ends. Pass the context to chromedp.Run and
// chromedp.Do, and to [NewTab] for more tabs. It skips the test if no
// Chromium is installed.
//
// The flags keep Chromium off the network but for the pages it is sent to:
// without --disable-background-networking and friends it tries to reach
// Google's services, which a closed network refuses.
func NewBrowser(t testing.TB) context.Context {
	t.Helper()
	path := ChromiumPath()
	if path == "" {
		if p := os.Getenv("BYLINE_CHROMIUM"); p != "" {
			testenv.Skip(t, testenv.Chromium, fmt.Sprintf("BYLINE_CHROMIUM=%q is not an executable", p))
		}
		testenv.Skip(t, testenv.Chromium, fmt.Sprintf("no Chromium found (looked for %s on PATH; BYLINE_CHROMIUM chooses one)",
			strings.Join(chromiumNames, ", ")))
	}
	profile := t.TempDir() // made first, so it is removed after the browser has exited
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.UserDataDir(profile),
		chromedp.Headless,
		chromedp.NoSandbox, // the tests run as root in CI, where the sandbox refuses to start
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-domain-reliability", true),
		chromedp.Flag("no-pings", true),
		chromedp.Flag("metrics-recording-only", true),
		chromedp.WindowSize(1280, 1024),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelTab := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		cancelTab()
		cancelAlloc() // waits for the browser to exit
	})
	// The first Do starts the browser; its life is bound to this context,
	// which has no deadline. The deadline goes on the context handed out.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start %s: %v", path, err)
	}
	ctx, cancel := context.WithTimeout(ctx, BrowserTimeout)
	t.Cleanup(cancel)
	return ctx
}

// NewTab opens another tab in the browser of ctx (from [NewBrowser] or
// NewTab); it closes when the test ends, and has a [BrowserTimeout] of its
// own. Tabs may be used from parallel goroutines, one goroutine per tab.
func NewTab(t testing.TB, ctx context.Context) context.Context {
	t.Helper()
	// Not the deadline of ctx: a test that opens many tabs from one
	// browser may take longer in all than one tab may.
	tab, cancel := chromedp.NewContext(context.WithoutCancel(ctx))
	t.Cleanup(cancel)
	if err := chromedp.Do(tab); err != nil {
		t.Fatalf("open a tab: %v", err)
	}
	tab, cancelTimeout := context.WithTimeout(tab, BrowserTimeout)
	t.Cleanup(cancelTimeout)
	return tab
}

// ColorScheme emulates the reader's prefers-color-scheme, "light" or
// "dark", for the tab's pages until it is changed; "" removes the override.
func ColorScheme(scheme string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
			Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}},
		})
		if err != nil {
			return fmt.Errorf("emulate prefers-color-scheme: %s: %w", scheme, err)
		}
		return nil
	})
}

// DisableJavaScript turns the page's scripts off (true) or on again (false)
// for the tab. It takes effect from the next navigation. The browser's own
// evaluation (chromedp.Evaluate, the query actions) still works.
func DisableJavaScript(disabled bool) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: disabled})
		return err
	})
}

// Recorder keeps what a tab did while the test ran: every request its pages
// made, and every error they reported (uncaught exceptions, console.error,
// and the browser's own error log: failed loads, CSP violations). Make one
// with [Record] before visiting pages. It is safe for concurrent use.
type Recorder struct {
	mu       sync.Mutex
	requests []string
	errors   []string
}

// Record starts recording the tab of ctx; recording stops when ctx ends.
func Record(t testing.TB, ctx context.Context) *Recorder {
	t.Helper()
	r := &Recorder{}
	err := chromedp.Listen(ctx, func(ev any) {
		// This runs in the tab's event loop: record and return.
		r.mu.Lock()
		defer r.mu.Unlock()
		switch ev := ev.(type) {
		case *network.EventRequestWillBeSent:
			r.requests = append(r.requests, ev.Request.URL)
		case *cdpruntime.EventExceptionThrown:
			d := ev.ExceptionDetails
			text := d.Text
			if d.Exception != nil && d.Exception.Description != "" {
				text += " " + d.Exception.Description
			}
			r.errors = append(r.errors, fmt.Sprintf("uncaught exception at %s:%d: %s", d.URL, d.LineNumber+1, text))
		case *cdpruntime.EventConsoleAPICalled:
			if ev.Type == cdpruntime.ConsoleAPICalledTypeError || ev.Type == cdpruntime.ConsoleAPICalledTypeAssert {
				var parts []string
				for _, a := range ev.Args {
					if a.Value != nil {
						parts = append(parts, string(a.Value))
					} else {
						parts = append(parts, a.Description)
					}
				}
				r.errors = append(r.errors, "console."+string(ev.Type)+": "+strings.Join(parts, " "))
			}
		case *cdplog.EventEntryAdded:
			// The browser asks for /favicon.ico on its own, whatever the
			// page says; its failure is not the page's error.
			if ev.Entry.Level == cdplog.EntryLevelError && !strings.HasSuffix(ev.Entry.URL, "/favicon.ico") {
				r.errors = append(r.errors, fmt.Sprintf("browser log (%s): %s %s", ev.Entry.Source, ev.Entry.Text, ev.Entry.URL))
			}
		}
	})
	if err != nil {
		t.Fatalf("record the tab's events: %v", err)
	}
	return r
}

// Requests returns the URLs of the requests recorded so far, in order.
func (r *Recorder) Requests() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.requests...)
}

// Errors returns the errors recorded so far, in order.
func (r *Recorder) Errors() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.errors...)
}

// CheckSameOrigin fails the test for each recorded request to an origin
// other than origin (e.g. site.URL): public pages make no third-party
// request. data: and about: URLs, which never leave the browser, pass.
func (r *Recorder) CheckSameOrigin(t testing.TB, origin string) {
	t.Helper()
	want, err := url.Parse(origin)
	if err != nil {
		t.Fatalf("CheckSameOrigin: bad origin %q: %v", origin, err)
	}
	reqs := r.Requests()
	if len(reqs) == 0 {
		t.Errorf("no request was recorded: was Record called before the pages were visited?")
	}
	for _, raw := range reqs {
		u, err := url.Parse(raw)
		if err != nil {
			t.Errorf("the page requested an unparsable URL %q", raw)
			continue
		}
		switch {
		case u.Scheme == "data" || u.Scheme == "about":
		case u.Scheme != want.Scheme || u.Host != want.Host:
			t.Errorf("the page requested %s, outside the site's origin %s", raw, origin)
		}
	}
}

// CheckNoErrors fails the test with each error the pages reported.
func (r *Recorder) CheckNoErrors(t testing.TB) {
	t.Helper()
	for _, e := range r.Errors() {
		t.Errorf("the page reported an error: %s", e)
	}
}

// CheckVisible fails the test for each selector that matches no element, or
// only one a reader cannot see (hidden, zero-sized, or clipped away like
// the visually-hidden class). The page must have loaded.
func CheckVisible(t testing.TB, ctx context.Context, selectors ...string) {
	t.Helper()
	for _, sel := range selectors {
		arg, _ := json.Marshal(sel)
		state, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(() => {
			const el = document.querySelector(`+string(arg)+`);
			if (!el) return "missing";
			const r = el.getBoundingClientRect();
			if (!el.checkVisibility({visibilityProperty: true, opacityProperty: true}) || r.width < 2 || r.height < 2) return "hidden";
			return "visible";
		})()`))
		if err != nil {
			t.Fatalf("check that %s is visible: %v", sel, err)
		}
		if state != "visible" {
			t.Errorf("%s is %s, want it visible", sel, state)
		}
	}
}

// Texts returns the rendered text (innerText, trimmed) of every element
// matching the CSS selector, in document order.
func Texts(t testing.TB, ctx context.Context, selector string) []string {
	t.Helper()
	arg, _ := json.Marshal(selector)
	out, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](
		`Array.from(document.querySelectorAll(`+string(arg)+`), e => e.innerText.trim())`))
	if err != nil {
		t.Fatalf("read the text of %s: %v", selector, err)
	}
	return out
}

// Attrs returns the value of an attribute (or "") of every element matching
// the CSS selector, in document order.
func Attrs(t testing.TB, ctx context.Context, selector, attr string) []string {
	t.Helper()
	sel, _ := json.Marshal(selector)
	name, _ := json.Marshal(attr)
	out, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](
		`Array.from(document.querySelectorAll(`+string(sel)+`), e => e.getAttribute(`+string(name)+`) ?? "")`))
	if err != nil {
		t.Fatalf("read the %s attributes of %s: %v", attr, selector, err)
	}
	return out
}
