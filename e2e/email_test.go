package e2e_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/bylinenews/byline/e2e"
	"github.com/bylinenews/byline/internal/smtptest"
	"github.com/bylinenews/byline/mail"
	"github.com/bylinenews/byline/sqlite"
	"github.com/bylinenews/byline/web"
)

// TestNewsroomEmailSetUp: the newsroom says email is not set up until the
// admin sets the SMTP server; the test email button shows the server's
// answer. The page with its banner passes axe-core in both schemes.
func TestNewsroomEmailSetUp(t *testing.T) {
	site, admin, _ := startNewsroom(t, e2e.WithServer(func(s *web.Server, _ *sqlite.DB) {
		s.Email = mail.Current(func(ctx context.Context) (*mail.Sender, error) {
			st, err := s.Settings.Settings(ctx)
			if err != nil {
				return nil, err
			}
			return mail.FromSettings(st, ""), nil
		})
	}))
	srv := smtptest.Start(t, &smtptest.Server{})
	browser := e2e.NewBrowser(t)
	ctx := e2e.NewTab(t, browser)
	rec := e2e.Record(t, ctx)
	signIn(t, site, ctx, admin)
	if got := e2e.Texts(t, ctx, "#email-banner"); len(got) != 1 || !strings.Contains(got[0], "Email is not set up") {
		t.Fatalf("banner = %q, want one saying email is not set up", got)
	}
	for _, scheme := range schemes {
		t.Run("axe in "+scheme, func(t *testing.T) {
			if err := chromedp.Do(ctx, e2e.ColorScheme(scheme)); err != nil {
				t.Fatal(err)
			}
			e2e.CheckAxe(t, ctx)
		})
	}
	if err := chromedp.Do(ctx, e2e.ColorScheme("")); err != nil {
		t.Fatal(err)
	}

	err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS("#email-banner a")),
		chromedp.WaitVisible(chromedp.ID("smtp_host")),
		chromedp.SendKeys(chromedp.ID("contact_recipients"), "editors@example.com"),
		chromedp.SendKeys(chromedp.ID("smtp_host"), "127.0.0.1"),
		chromedp.SendKeys(chromedp.ID("smtp_port"), strconv.Itoa(srv.Port())),
		chromedp.SetValue(chromedp.ID("smtp_security"), "none"),
		chromedp.SendKeys(chromedp.ID("smtp_from"), "newsroom@example.com"),
		chromedp.Click(chromedp.CSS(`form[action="/newsroom/settings"] button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(".nr-notice")),
	)
	if err != nil {
		t.Fatalf("set the SMTP server: %v", err)
	}
	if got := e2e.Texts(t, ctx, "#email-banner"); len(got) != 0 {
		t.Errorf("banner after setting SMTP = %q, want none", got)
	}
	// The save's notice is on the page already: wait for the test's own
	// answer (or its refusal), not for any notice.
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.ID("test-email"))); err != nil {
		t.Fatalf("send a test email: %v", err)
	}
	contactWait(t, ctx, `(() => { const n = document.querySelector(".nr-notice, .nr-error"); return !!n && /answer|refused|could not/i.test(n.textContent); })()`,
		"the test email's answer")
	if got := e2e.Texts(t, ctx, ".nr-notice"); len(got) != 1 || !strings.Contains(got[0], "The server's answer: 2.0.0 OK queued") {
		t.Errorf("notice = %q, want the server's answer", got)
	}
	if m := srv.Mails(); len(m) != 1 {
		t.Errorf("the SMTP server got %d mails, want the test email", len(m))
	}
	rec.CheckSameOrigin(t, site.URL)
	rec.CheckNoErrors(t)
}
