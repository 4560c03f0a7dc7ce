package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// ErrNoLighthouse means Lighthouse is not installed (npm ci in e2e/
// installs it, pinned by e2e/package-lock.json).
var ErrNoLighthouse = errors.New("lighthouse is not installed: run `npm ci` in e2e/")

// LighthousePath is Lighthouse's command-line script:
// e2e/node_modules/lighthouse/cli/index.js in the repository.
func LighthousePath(t testing.TB) string {
	return filepath.Join(repoRoot(t), "e2e", "node_modules", "lighthouse", "cli", "index.js")
}

// LighthouseReport is what Lighthouse found on one page in one form factor.
type LighthouseReport struct {
	URL, FormFactor string
	// Scores are the categories' scores, 0 to 100: "performance",
	// "accessibility", "best-practices", "seo".
	Scores map[string]int
	// CLS is the cumulative layout shift of the page's load.
	CLS float64
	// Failed are the audits that scored below 1 in the categories other
	// than performance, with their titles, to say why a score fell.
	Failed []string
}

// RunLighthouse audits url with Lighthouse in Debian's Chromium, on a
// phone ("mobile", Lighthouse's default emulation and throttling) or a
// desktop ("desktop"). The browser gets the same flags as the tests' own:
// headless, in a fresh profile, and off the network but for the site.
func RunLighthouse(ctx context.Context, t testing.TB, url, formFactor string) (*LighthouseReport, error) {
	script := LighthousePath(t)
	if _, err := os.Stat(script); err != nil {
		return nil, fmt.Errorf("%w (%s not found)", ErrNoLighthouse, script)
	}
	chrome := ChromiumPath()
	if chrome == "" {
		return nil, errors.New("no Chromium: install Debian's chromium or set BYLINE_CHROMIUM")
	}
	// chrome-launcher gives the browser a fresh profile of its own.
	flags := []string{"--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-default-apps",
		"--disable-extensions"}
	out := filepath.Join(t.TempDir(), "lighthouse.json")
	args := []string{script, url, "--output=json", "--output-path=" + out, "--quiet",
		"--only-categories=performance,accessibility,best-practices,seo",
		"--chrome-flags=" + strings.Join(flags, " "), "--max-wait-for-load=60000"}
	if formFactor == "desktop" {
		args = append(args, "--preset=desktop")
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", args...)
	cmd.Env = append(os.Environ(), "CHROME_PATH="+chrome)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	// A browser left behind by a killed Lighthouse must not hold the
	// test: stop waiting for its pipes soon after.
	cmd.WaitDelay = 10 * time.Second
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("lighthouse %s (%s): %w\n%s", url, formFactor, err, tail(stderr.String(), 2000))
	}
	report, err := os.ReadFile(out)
	if err != nil {
		return nil, fmt.Errorf("lighthouse %s (%s) wrote no report: %w", url, formFactor, err)
	}
	return parseLighthouse(report, url, formFactor)
}

// lighthouseResult is the part of Lighthouse's JSON report read here.
type lighthouseResult struct {
	RuntimeError *struct{ Code, Message string } `json:"runtimeError"`
	Categories   map[string]struct {
		Score     *float64 `json:"score"`
		AuditRefs []struct {
			ID     string  `json:"id"`
			Weight float64 `json:"weight"`
		} `json:"auditRefs"`
	} `json:"categories"`
	Audits map[string]struct {
		Title        string   `json:"title"`
		Score        *float64 `json:"score"`
		NumericValue float64  `json:"numericValue"`
	} `json:"audits"`
}

func parseLighthouse(report []byte, url, formFactor string) (*LighthouseReport, error) {
	var res lighthouseResult
	if err := json.Unmarshal(report, &res); err != nil {
		return nil, fmt.Errorf("read Lighthouse's report of %s: %w", url, err)
	}
	if res.RuntimeError != nil && res.RuntimeError.Code != "" {
		return nil, fmt.Errorf("lighthouse could not audit %s: %s %s", url, res.RuntimeError.Code, res.RuntimeError.Message)
	}
	r := &LighthouseReport{URL: url, FormFactor: formFactor, Scores: map[string]int{},
		CLS: res.Audits["cumulative-layout-shift"].NumericValue}
	for name, c := range res.Categories {
		if c.Score == nil {
			return nil, fmt.Errorf("lighthouse gave %s no %s score", url, name)
		}
		r.Scores[name] = int(*c.Score*100 + 0.5)
		if name == "performance" {
			continue
		}
		for _, ref := range c.AuditRefs {
			if a := res.Audits[ref.ID]; ref.Weight > 0 && a.Score != nil && *a.Score < 1 {
				r.Failed = append(r.Failed, name+": "+ref.ID+" ("+a.Title+")")
			}
		}
	}
	return r, nil
}

func tail(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}
