package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/bylinenews/byline/internal/testenv"
)

// AxeTags are the axe-core rule tags every page is checked against: WCAG
// 2.0, 2.1 and 2.2 at levels A and AA, and axe's best practices.
func AxeTags() []string {
	return []string{"wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"}
}

// AxeResults is what axe-core found in a page.
type AxeResults struct {
	URL        string
	Violations []AxeRule
	// Incomplete are the checks axe could not decide (e.g. contrast over
	// a background image); a person should look at them.
	Incomplete []AxeRule
}

// AxeRule is one axe rule and the elements it flags.
type AxeRule struct {
	ID      string    `json:"id"`
	Impact  string    `json:"impact"`
	Help    string    `json:"help"`
	HelpURL string    `json:"helpUrl"`
	Nodes   []AxeNode `json:"nodes"`
}

// AxeNode is one flagged element.
type AxeNode struct {
	Target         []string `json:"target"` // CSS selectors leading to the element
	HTML           string   `json:"html"`
	FailureSummary string   `json:"failureSummary"`
}

// String formats the rule and its elements for a failure message.
func (r AxeRule) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s (%s): %s <%s>", r.ID, r.Impact, r.Help, r.HelpURL)
	for _, n := range r.Nodes {
		fmt.Fprintf(&b, "\n\t  at %s: %s", strings.Join(n.Target, " "), n.HTML)
		if n.FailureSummary != "" {
			fmt.Fprintf(&b, "\n\t    %s", strings.ReplaceAll(n.FailureSummary, "\n", "\n\t    "))
		}
	}
	return b.String()
}

// ErrNoAxe means axe-core is not installed (npm ci in e2e/ installs it).
var ErrNoAxe = errors.New("axe-core is not installed: run `npm ci` in e2e/")

// AxePath is where axe-core's browser bundle is: BYLINE_AXE if set, else
// e2e/node_modules/axe-core/axe.min.js in the repository.
func AxePath(t testing.TB) string {
	if p := os.Getenv("BYLINE_AXE"); p != "" {
		return p
	}
	return filepath.Join(repoRoot(t), "e2e", "node_modules", "axe-core", "axe.min.js")
}

// RunAxe injects axe-core into the page of ctx (unless it is there already)
// and runs it with [AxeTags]. It returns [ErrNoAxe] if axe-core is not
// installed.
//
// The injection goes through the DevTools protocol's Runtime.evaluate, to
// which the page's Content-Security-Policy does not apply, so the site's
// policy (no inline script) stays as it is.
func RunAxe(ctx context.Context, axePath string) (*AxeResults, error) {
	src, err := os.ReadFile(axePath)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w (%s not found)", ErrNoAxe, axePath)
	} else if err != nil {
		return nil, err
	}
	present, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`typeof window.axe === "object"`))
	if err != nil {
		return nil, fmt.Errorf("look for axe in the page: %w", err)
	}
	if !present {
		if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](string(src))); err != nil {
			return nil, fmt.Errorf("inject axe-core: %w", err)
		}
	}
	tags, _ := json.Marshal(AxeTags())
	script := `axe.run(document, {
		runOnly: {type: "tag", values: ` + string(tags) + `},
		resultTypes: ["violations", "incomplete"],
	}).then(r => {
		const rules = list => list.map(v => ({
			id: v.id, impact: v.impact || "", help: v.help, helpUrl: v.helpUrl,
			nodes: v.nodes.map(n => ({
				target: n.target.map(String), html: n.html, failureSummary: n.failureSummary || "",
			})),
		}));
		return {url: r.url, violations: rules(r.violations), incomplete: rules(r.incomplete)};
	})`
	raw, err := chromedp.Run(ctx, chromedp.Evaluate[[]byte](script, chromedp.EvalAwaitPromise))
	if err != nil {
		return nil, fmt.Errorf("run axe-core: %w", err)
	}
	var out struct {
		URL        string    `json:"url"`
		Violations []AxeRule `json:"violations"`
		Incomplete []AxeRule `json:"incomplete"`
	}
	if err := json.Unmarshal(raw, &out); err != nil {
		return nil, fmt.Errorf("read axe-core's results: %w", err)
	}
	return &AxeResults{URL: out.URL, Violations: out.Violations, Incomplete: out.Incomplete}, nil
}

// CheckAxe runs axe-core in the page of ctx and fails the test with each
// violation: its rule, impact, help and the elements at fault. Checks axe
// could not decide are logged. It skips the test if axe-core is not
// installed.
func CheckAxe(t testing.TB, ctx context.Context) *AxeResults {
	t.Helper()
	res, err := RunAxe(ctx, AxePath(t))
	if errors.Is(err, ErrNoAxe) {
		testenv.Skip(t, testenv.Axe, err.Error())
	}
	if err != nil {
		t.Fatalf("axe-core: %v", err)
	}
	for _, v := range res.Violations {
		t.Errorf("axe-core: %s: %s", res.URL, v)
	}
	for _, v := range res.Incomplete {
		t.Logf("axe-core could not decide (check by hand): %s: %s", res.URL, v)
	}
	return res
}

// RequireAxe skips the test at once if axe-core is not installed, before
// it starts a site and a browser for nothing.
func RequireAxe(t testing.TB) {
	t.Helper()
	if _, err := os.Stat(AxePath(t)); err != nil {
		testenv.Skip(t, testenv.Axe, fmt.Sprintf("%v (%s)", ErrNoAxe, AxePath(t)))
	}
}
