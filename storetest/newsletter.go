package storetest

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bylinenews/byline"
)

// RunNewsletterTests checks a backend's byline.NewsletterService,
// byline.SubscriberService and byline.NewsletterOutbox.
func RunNewsletterTests(t *testing.T, open Opener) {
	t.Run("DoubleOptIn", func(t *testing.T) { t.Parallel(); testDoubleOptIn(t, open) })
	t.Run("Preferences", func(t *testing.T) { t.Parallel(); testSubscriberPreferences(t, open) })
	t.Run("Send", func(t *testing.T) { t.Parallel(); testNewsletterSend(t, open) })
	t.Run("Failures", func(t *testing.T) { t.Parallel(); testDeliveryFailures(t, open) })
	t.Run("SharedByInstances", func(t *testing.T) { t.Parallel(); testDeliveriesSharedByInstances(t, open) })
	t.Run("Import", func(t *testing.T) { t.Parallel(); testSubscriberImport(t, open) })
	t.Run("Delete", func(t *testing.T) { t.Parallel(); testSubscriberDelete(t, open) })
}

// newsletterT0 is when the newsletter tests start.
var newsletterT0 = time.Date(2026, 12, 3, 8, 0, 0, 0, time.UTC)

// setupNewsletters opens a backend with two newsletters.
func setupNewsletters(t *testing.T, open Opener) (Backend, *Clock, []*byline.Newsletter) {
	t.Helper()
	b, clock := openAt(t, open, newsletterT0)
	var list []*byline.Newsletter
	for _, name := range []string{"Daily Briefing", "Politics"} {
		n := &byline.Newsletter{Name: name}
		if err := b.Newsletters.Create(t.Context(), n); err != nil {
			t.Fatalf("Create newsletter %q: %v", name, err)
		}
		list = append(list, n)
	}
	return b, clock, list
}

// claimAll claims every due delivery.
func claimAll(t *testing.T, b Backend) []*byline.Delivery {
	t.Helper()
	ds, err := b.NewsletterOutbox.ClaimDeliveries(t.Context(), 100000, time.Minute)
	if err != nil {
		t.Fatalf("ClaimDeliveries: %v", err)
	}
	return ds
}

// deliver marks each delivery handed over and delivered, as the worker
// does after a 250.
func deliver(t *testing.T, b Backend, ds []*byline.Delivery) {
	t.Helper()
	var claims []byline.DeliveryClaim
	var ids []int64
	for _, d := range ds {
		claims, ids = append(claims, d.Claim()), append(ids, d.ID)
	}
	handed, err := b.NewsletterOutbox.MarkHandedOver(t.Context(), claims)
	if err != nil || len(handed) != len(claims) {
		t.Fatalf("MarkHandedOver(%d claims) = %d handed, %v", len(claims), len(handed), err)
	}
	if err := b.NewsletterOutbox.MarkDelivered(t.Context(), ids); err != nil {
		t.Fatalf("MarkDelivered: %v", err)
	}
}

// subscribeConfirmed signs email up to the newsletters and follows the
// confirmation, as a reader does.
func subscribeConfirmed(t *testing.T, b Backend, email string, ids ...int64) *byline.Subscriber {
	t.Helper()
	ctx := t.Context()
	if err := b.Subscribers.Subscribe(ctx, email, "", ids, time.Hour); err != nil {
		t.Fatalf("Subscribe(%q): %v", email, err)
	}
	var token string
	for _, d := range claimAll(t, b) {
		if d.Kind == byline.DeliveryConfirm && d.To == byline.NormalizeEmail(email) {
			token = d.Token
		}
		deliver(t, b, []*byline.Delivery{d})
	}
	if token == "" {
		t.Fatalf("no confirmation email queued for %s", email)
	}
	sub, err := b.Subscribers.Confirm(ctx, token)
	if err != nil {
		t.Fatalf("Confirm: %v", err)
	}
	return sub
}

func testDoubleOptIn(t *testing.T, open Opener) {
	t.Run("a sign-up is pending until its link is followed, once, before it expires", func(t *testing.T) {
		t.Parallel()
		b, clock, nls := setupNewsletters(t, open)
		ctx := t.Context()
		if err := b.Subscribers.Subscribe(ctx, " Jane@Example.org ", "Jane", []int64{nls[1].ID, nls[0].ID}, time.Hour); err != nil {
			t.Fatalf("Subscribe: %v", err)
		}
		subs, total, err := b.Subscribers.Find(ctx, byline.SubscriberFilter{})
		if err != nil || total != 1 || subs[0].Email != "jane@example.org" || subs[0].Status != byline.SubscriberPending || len(subs[0].Newsletters) != 0 {
			t.Fatalf("after Subscribe, Find = %+v (total %d, %v); want jane@example.org pending with no newsletter yet", subs, total, err)
		}
		ds := claimAll(t, b)
		if len(ds) != 1 || ds[0].Kind != byline.DeliveryConfirm || ds[0].To != "jane@example.org" || ds[0].Token == "" || ds[0].ToName != "Jane" {
			t.Fatalf("claimed %+v; want one confirmation to jane@example.org with a token", ds)
		}
		token := ds[0].Token
		deliver(t, b, ds)
		if again := claimAll(t, b); len(again) != 0 {
			t.Errorf("a delivered confirmation was claimed again: %+v", again)
		}
		if _, err := b.Subscribers.Confirm(ctx, token+"x"); byline.ErrorKind(err) != byline.NotFound {
			t.Errorf("Confirm(a wrong token) = %v, want NotFound", err)
		}
		sub, err := b.Subscribers.Confirm(ctx, token)
		if err != nil {
			t.Fatalf("Confirm: %v", err)
		}
		if sub.Status != byline.SubscriberActive || !slices.Equal(sub.Newsletters, []int64{nls[0].ID, nls[1].ID}) ||
			!sub.ConfirmedAt.Equal(clock.Now()) || !sub.ConsentAt.Equal(clock.Now()) {
			t.Errorf("Confirm = %+v; want active with both newsletters, confirmed and consenting now", sub)
		}
		if _, err := b.Subscribers.Confirm(ctx, token); byline.ErrorKind(err) != byline.NotFound {
			t.Errorf("Confirm(the same token again) = %v, want NotFound: a link works once", err)
		}
		list, err := b.Newsletters.List(ctx)
		if err != nil || len(list) != 2 || list[0].Subscribers != 1 || list[1].Subscribers != 1 {
			t.Errorf("List = %+v, %v; want each newsletter with 1 subscriber", list, err)
		}
	})

	t.Run("an expired link does nothing", func(t *testing.T) {
		t.Parallel()
		b, clock, nls := setupNewsletters(t, open)
		if err := b.Subscribers.Subscribe(t.Context(), "late@example.org", "", []int64{nls[0].ID}, time.Hour); err != nil {
			t.Fatalf("Subscribe: %v", err)
		}
		ds := claimAll(t, b)
		clock.Advance(time.Hour + time.Second)
		if _, err := b.Subscribers.Confirm(t.Context(), ds[0].Token); byline.ErrorKind(err) != byline.NotFound {
			t.Errorf("Confirm after the link expired = %v, want NotFound", err)
		}
		subs, _, _ := b.Subscribers.Find(t.Context(), byline.SubscriberFilter{})
		if len(subs) != 1 || subs[0].Status != byline.SubscriberPending {
			t.Errorf("after an expired confirmation, subscribers = %+v; want one, still pending", subs)
		}
	})

	t.Run("bad input is refused and nothing stored", func(t *testing.T) {
		t.Parallel()
		b, _, nls := setupNewsletters(t, open)
		ctx := t.Context()
		for _, tt := range []struct {
			name, email, who string
			ids              []int64
		}{
			{"malformed address", "not-an-address", "", []int64{nls[0].ID}},
			{"a display name smuggled in", "Eve <eve@example.org>", "", []int64{nls[0].ID}},
			{"two addresses", "a@example.org, b@example.org", "", []int64{nls[0].ID}},
			{"a header in the address", "eve@example.org\r\nBcc: all@example.org", "", []int64{nls[0].ID}},
			{"a header in the name", "eve@example.org", "Eve\r\nBcc: all@example.org", []int64{nls[0].ID}},
			{"no newsletter", "eve@example.org", "", nil},
			{"an unknown newsletter", "eve@example.org", "", []int64{nls[0].ID, 999999}},
		} {
			if err := b.Subscribers.Subscribe(ctx, tt.email, tt.who, tt.ids, time.Hour); byline.ErrorKind(err) != byline.Invalid {
				t.Errorf("%s: Subscribe(%q, %q, %v) = %v, want Invalid", tt.name, tt.email, tt.who, tt.ids, err)
			}
		}
		if _, total, _ := b.Subscribers.Find(ctx, byline.SubscriberFilter{}); total != 0 {
			t.Errorf("after refused sign-ups, %d subscribers stored, want 0", total)
		}
		if ds := claimAll(t, b); len(ds) != 0 {
			t.Errorf("refused sign-ups queued %d emails, want 0", len(ds))
		}
	})

	t.Run("the signing key is made once and shared by instances", func(t *testing.T) {
		t.Parallel()
		b, _, _ := setupNewsletters(t, open)
		k1, err := b.Subscribers.SigningKey(t.Context())
		if err != nil || len(k1) < 32 {
			t.Fatalf("SigningKey = %x, %v; want 32 bytes", k1, err)
		}
		k2, err := reopen(t, b).Subscribers.SigningKey(t.Context())
		if err != nil || string(k1) != string(k2) {
			t.Errorf("a second instance's SigningKey = %x, %v; want the first's %x", k2, err, k1)
		}
	})
}

func testSubscriberPreferences(t *testing.T, open Opener) {
	b, _, nls := setupNewsletters(t, open)
	ctx := t.Context()
	sub := subscribeConfirmed(t, b, "pat@example.org", nls[0].ID, nls[1].ID)
	if err := b.Subscribers.SetNewsletters(ctx, sub.ID, []int64{nls[1].ID}); err != nil {
		t.Fatalf("SetNewsletters: %v", err)
	}
	if got, _ := b.Subscribers.FindByID(ctx, sub.ID); !slices.Equal(got.Newsletters, []int64{nls[1].ID}) || got.Status != byline.SubscriberActive {
		t.Errorf("after SetNewsletters(politics), subscriber = %+v; want active on politics only", got)
	}
	if err := b.Subscribers.Unsubscribe(ctx, sub.ID, nls[1].ID); err != nil {
		t.Fatalf("Unsubscribe: %v", err)
	}
	if got, _ := b.Subscribers.FindByID(ctx, sub.ID); len(got.Newsletters) != 0 || got.Status != byline.SubscriberUnsubscribed {
		t.Errorf("after leaving the last newsletter, subscriber = %+v; want unsubscribed", got)
	}
	if err := b.Subscribers.Unsubscribe(ctx, sub.ID, 0); err != nil {
		t.Errorf("Unsubscribe twice = %v, want nil", err)
	}
	if err := b.Subscribers.SetNewsletters(ctx, sub.ID, []int64{nls[0].ID}); err != nil {
		t.Fatalf("SetNewsletters after unsubscribing: %v", err)
	}
	if got, _ := b.Subscribers.FindByID(ctx, sub.ID); got.Status != byline.SubscriberActive {
		t.Errorf("picking a newsletter again: status %s, want active", got.Status)
	}
	if err := b.Subscribers.Unsubscribe(ctx, 999999, 0); byline.ErrorKind(err) != byline.NotFound {
		t.Errorf("Unsubscribe(unknown) = %v, want NotFound", err)
	}
	if err := b.Subscribers.Subscribe(ctx, "pending@example.org", "", []int64{nls[0].ID}, time.Hour); err != nil {
		t.Fatal(err)
	}
	pending, _, _ := b.Subscribers.Find(ctx, byline.SubscriberFilter{Search: "PENDING@"})
	if len(pending) != 1 {
		t.Fatalf("Find(search PENDING@) = %d subscribers, want 1", len(pending))
	}
	if err := b.Subscribers.SetNewsletters(ctx, pending[0].ID, []int64{nls[0].ID}); byline.ErrorKind(err) != byline.Invalid {
		t.Errorf("SetNewsletters on an unconfirmed address = %v, want Invalid: only the link confirms", err)
	}
	active := byline.SubscriberActive
	if got, total, _ := b.Subscribers.Find(ctx, byline.SubscriberFilter{Status: &active}); total != 1 || got[0].ID != sub.ID {
		t.Errorf("Find(active) = %d, want pat alone", total)
	}
}

// newsletterArticle stores a published article to send.
func newsletterArticle(t *testing.T, b Backend) *byline.Article {
	t.Helper()
	a := newArticle("Council votes on the budget", newsletterT0.Add(-time.Hour))
	if err := b.Articles.Create(t.Context(), a); err != nil {
		t.Fatalf("Create article: %v", err)
	}
	return a
}

func testNewsletterSend(t *testing.T, open Opener) {
	b, _, nls := setupNewsletters(t, open)
	ctx := t.Context()
	a := newsletterArticle(t, b)
	var subs []*byline.Subscriber
	for i := range 5 {
		subs = append(subs, subscribeConfirmed(t, b, fmt.Sprintf("r%d@example.org", i), nls[0].ID))
	}
	subscribeConfirmed(t, b, "politics-only@example.org", nls[1].ID)
	if err := b.Subscribers.Subscribe(ctx, "unconfirmed@example.org", "", []int64{nls[0].ID}, time.Hour); err != nil {
		t.Fatal(err)
	}
	deliver(t, b, claimAll(t, b)) // its confirmation
	if err := b.Subscribers.Unsubscribe(ctx, subs[4].ID, 0); err != nil {
		t.Fatal(err)
	}

	test := &byline.Send{NewsletterID: nls[0].ID, ArticleID: a.ID, TestTo: "Editor@Example.org"}
	if err := b.Newsletters.Queue(ctx, test); err != nil {
		t.Fatalf("Queue(test): %v", err)
	}
	if test.Progress.Queued != 1 || test.TestTo != "editor@example.org" {
		t.Errorf("a test send queued %d to %q, want 1 to editor@example.org", test.Progress.Queued, test.TestTo)
	}
	ds := claimAll(t, b)
	if len(ds) != 1 || ds[0].Kind != byline.DeliveryTest || ds[0].To != "editor@example.org" || ds[0].ArticleID != a.ID {
		t.Fatalf("claimed %+v; want the test to the editor", ds)
	}
	deliver(t, b, ds)

	send := &byline.Send{NewsletterID: nls[0].ID, ArticleID: a.ID}
	if err := b.Newsletters.Queue(ctx, send); err != nil {
		t.Fatalf("Queue: %v", err)
	}
	if send.Progress.Queued != 4 || send.Progress.Pending != 4 {
		t.Fatalf("Queue progress = %+v; want 4 queued (active subscribers of the newsletter only)", send.Progress)
	}
	// One leaves after the send was queued: their email is cancelled.
	if err := b.Subscribers.Unsubscribe(ctx, subs[3].ID, nls[0].ID); err != nil {
		t.Fatal(err)
	}
	ds = claimAll(t, b)
	var got []string
	for _, d := range ds {
		if d.Kind != byline.DeliveryIssue || d.SendID != send.ID || d.NewsletterID != nls[0].ID || d.Attempts != 1 {
			t.Errorf("claimed %+v; want an issue of send %d, attempt 1", d, send.ID)
		}
		got = append(got, d.To)
	}
	if want := []string{"r0@example.org", "r1@example.org", "r2@example.org"}; !slices.Equal(got, want) {
		t.Errorf("claimed deliveries to %v, want %v", got, want)
	}
	handed, err := b.NewsletterOutbox.MarkHandedOver(ctx, []byline.DeliveryClaim{ds[0].Claim(), ds[1].Claim()})
	if err != nil || len(handed) != 2 {
		t.Fatalf("MarkHandedOver = %v, %v", handed, err)
	}
	p, _ := b.Newsletters.FindSend(ctx, send.ID)
	if want := (byline.SendProgress{Queued: 4, Pending: 1, Sending: 2, Cancelled: 1}); p.Progress != want {
		t.Errorf("progress mid-send = %+v, want %+v", p.Progress, want)
	}
	if err := b.NewsletterOutbox.MarkDelivered(ctx, handed); err != nil {
		t.Fatal(err)
	}
	if err := b.NewsletterOutbox.MarkDeliveryFailed(ctx, ds[2].Claim(), "550 5.1.1 no such user", time.Time{}, true, 3); err != nil {
		t.Fatal(err)
	}
	p, _ = b.Newsletters.FindSend(ctx, send.ID)
	if want := (byline.SendProgress{Queued: 4, Sent: 2, Failed: 1, Cancelled: 1, LastError: "550 5.1.1 no such user"}); p.Progress != want || !p.Progress.Done() {
		t.Errorf("progress at the end = %+v, want %+v", p.Progress, want)
	}
	sends, err := b.Newsletters.Sends(ctx, 10)
	if err != nil || len(sends) != 2 || sends[0].ID != send.ID || sends[1].TestTo != "editor@example.org" {
		t.Errorf("Sends = %+v, %v; want the send then the test", sends, err)
	}
	if err := b.Newsletters.Queue(ctx, &byline.Send{NewsletterID: nls[0].ID, ArticleID: 999999}); byline.ErrorKind(err) != byline.NotFound {
		t.Errorf("Queue(unknown article) = %v, want NotFound", err)
	}
	if err := b.Newsletters.Queue(ctx, &byline.Send{NewsletterID: nls[0].ID, ArticleID: a.ID, TestTo: "x\r\nBcc: y@example.org"}); byline.ErrorKind(err) != byline.Invalid {
		t.Errorf("Queue(test to a header injection) = %v, want Invalid", err)
	}
}

func testDeliveryFailures(t *testing.T, open Opener) {
	b, clock, nls := setupNewsletters(t, open)
	ctx := t.Context()
	a := newsletterArticle(t, b)
	sub := subscribeConfirmed(t, b, "flaky@example.org", nls[0].ID)
	for round := 1; round <= 3; round++ {
		if err := b.Newsletters.Queue(ctx, &byline.Send{NewsletterID: nls[0].ID, ArticleID: a.ID}); err != nil {
			t.Fatal(err)
		}
		ds := claimAll(t, b)
		if len(ds) != 1 {
			t.Fatalf("round %d: claimed %d, want 1", round, len(ds))
		}
		// A 4xx: tried again later, under a new claim; the old one is void.
		if err := b.NewsletterOutbox.MarkDeliveryFailed(ctx, ds[0].Claim(), "451 try later", clock.Now().Add(time.Minute), false, 3); err != nil {
			t.Fatal(err)
		}
		if again := claimAll(t, b); len(again) != 0 {
			t.Fatalf("round %d: claimed before the retry time: %+v", round, again)
		}
		clock.Advance(time.Minute)
		retry := claimAll(t, b)
		if len(retry) != 1 || retry[0].Attempts != 2 {
			t.Fatalf("round %d: retry claimed %+v, want attempt 2", round, retry)
		}
		if handed, _ := b.NewsletterOutbox.MarkHandedOver(ctx, []byline.DeliveryClaim{ds[0].Claim()}); len(handed) != 0 {
			t.Errorf("round %d: a stale claim handed over %v", round, handed)
		}
		if err := b.NewsletterOutbox.MarkDeliveryFailed(ctx, retry[0].Claim(), "550 mailbox unavailable", time.Time{}, true, 3); err != nil {
			t.Fatal(err)
		}
	}
	got, _ := b.Subscribers.FindByID(ctx, sub.ID)
	if got.Status != byline.SubscriberBounced || got.HardFailures != 3 {
		t.Errorf("after 3 hard failures, subscriber = %+v; want bounced", got)
	}
	if err := b.Newsletters.Queue(ctx, &byline.Send{NewsletterID: nls[0].ID, ArticleID: a.ID}); err != nil {
		t.Fatal(err)
	}
	if ds := claimAll(t, b); len(ds) != 0 {
		t.Errorf("a bounced subscriber was queued: %+v", ds)
	}

	// A lease that runs out makes the entry due again, for another claim.
	subscribeConfirmed(t, b, "slow@example.org", nls[0].ID)
	if err := b.Newsletters.Queue(ctx, &byline.Send{NewsletterID: nls[0].ID, ArticleID: a.ID}); err != nil {
		t.Fatal(err)
	}
	first, _ := b.NewsletterOutbox.ClaimDeliveries(ctx, 10, time.Minute)
	if len(first) != 1 {
		t.Fatalf("claimed %d, want 1", len(first))
	}
	if again, _ := b.NewsletterOutbox.ClaimDeliveries(ctx, 10, time.Minute); len(again) != 0 {
		t.Errorf("claimed while leased: %+v", again)
	}
	clock.Advance(time.Minute + time.Second)
	second, _ := b.NewsletterOutbox.ClaimDeliveries(ctx, 10, time.Minute)
	if len(second) != 1 || second[0].ID != first[0].ID {
		t.Fatalf("after the lease ran out, claimed %+v, want %d again", second, first[0].ID)
	}
	if handed, _ := b.NewsletterOutbox.MarkHandedOver(ctx, []byline.DeliveryClaim{first[0].Claim(), second[0].Claim()}); !slices.Equal(handed, []int64{second[0].ID}) {
		t.Errorf("MarkHandedOver(old and new claim) = %v; want only the new claim's", handed)
	}
	clock.Advance(time.Hour)
	if again := claimAll(t, b); len(again) != 0 {
		t.Errorf("an entry handed over was claimed again: %+v", again)
	}
}

func testDeliveriesSharedByInstances(t *testing.T, open Opener) {
	b, _, nls := setupNewsletters(t, open)
	ctx := t.Context()
	a := newsletterArticle(t, b)
	var imports []byline.SubscriberImport
	const n = 300
	for i := range n {
		imports = append(imports, byline.SubscriberImport{Line: i + 2, Email: fmt.Sprintf("s%03d@example.org", i),
			Newsletters: []int64{nls[0].ID}, ConsentAt: newsletterT0.Add(-time.Hour), Confirmed: true})
	}
	if _, _, err := b.Subscribers.Import(ctx, imports); err != nil {
		t.Fatalf("Import: %v", err)
	}
	send := &byline.Send{NewsletterID: nls[0].ID, ArticleID: a.ID}
	if err := b.Newsletters.Queue(ctx, send); err != nil || send.Progress.Queued != n {
		t.Fatalf("Queue = %+v, %v; want %d queued", send.Progress, err, n)
	}
	instances := []Backend{b, reopen(t, b), reopen(t, b)}
	var (
		mu   sync.Mutex
		seen = map[string]int{}
		wg   sync.WaitGroup
	)
	for _, inst := range instances {
		for range 2 {
			wg.Go(func() {
				for {
					ds, err := inst.NewsletterOutbox.ClaimDeliveries(ctx, 7, time.Minute)
					if err != nil {
						t.Errorf("ClaimDeliveries: %v", err)
						return
					}
					if len(ds) == 0 {
						return
					}
					var claims []byline.DeliveryClaim
					for _, d := range ds {
						claims = append(claims, d.Claim())
					}
					handed, err := inst.NewsletterOutbox.MarkHandedOver(ctx, claims)
					if err != nil {
						t.Errorf("MarkHandedOver: %v", err)
						return
					}
					mu.Lock()
					for _, d := range ds {
						if slices.Contains(handed, d.ID) {
							seen[d.To]++
						}
					}
					mu.Unlock()
					if err := inst.NewsletterOutbox.MarkDelivered(ctx, handed); err != nil {
						t.Errorf("MarkDelivered: %v", err)
						return
					}
				}
			})
		}
	}
	wg.Wait()
	var twice []string
	for to, c := range seen {
		if c != 1 {
			twice = append(twice, to)
		}
	}
	if len(seen) != n || len(twice) > 0 {
		t.Errorf("three instances handed over %d distinct recipients (want %d), these more than once: %v", len(seen), n, twice)
	}
	p, _ := b.Newsletters.FindSend(ctx, send.ID)
	if p.Progress.Sent != n {
		t.Errorf("progress = %+v, want %d sent", p.Progress, n)
	}
}

func testSubscriberImport(t *testing.T, open Opener) {
	b, _, nls := setupNewsletters(t, open)
	ctx := t.Context()
	consent := newsletterT0.Add(-24 * time.Hour)
	bad := []byline.SubscriberImport{
		{Line: 2, Email: "good@example.org", Newsletters: []int64{nls[0].ID}, ConsentAt: consent, Confirmed: true},
		{Line: 3, Email: "not an address", Newsletters: []int64{nls[0].ID}, ConsentAt: consent},
		{Line: 4, Email: "noconsent@example.org", Newsletters: []int64{nls[0].ID}},
		{Line: 5, Email: "GOOD@example.org", Newsletters: []int64{nls[0].ID}, ConsentAt: consent},
	}
	_, _, err := b.Subscribers.Import(ctx, bad)
	msg := byline.ErrorMessage(err)
	if byline.ErrorKind(err) != byline.Invalid || !strings.Contains(msg, "Line 3:") || !strings.Contains(msg, "Line 4:") || !strings.Contains(msg, "Line 5:") || strings.Contains(msg, "Line 2:") {
		t.Errorf("Import(bad rows) = %v; want Invalid naming lines 3, 4 and 5", err)
	}
	if _, total, _ := b.Subscribers.Find(ctx, byline.SubscriberFilter{}); total != 0 {
		t.Errorf("a refused import stored %d subscribers, want none", total)
	}
	_, _, err = b.Subscribers.Import(ctx, []byline.SubscriberImport{
		{Line: 2, Email: "good@example.org", Newsletters: []int64{nls[0].ID}, ConsentAt: consent, Confirmed: true},
		{Line: 3, Email: "x@example.org", Newsletters: []int64{999999}, ConsentAt: consent},
	})
	if byline.ErrorKind(err) != byline.Invalid || !strings.Contains(byline.ErrorMessage(err), "Line 3") {
		t.Errorf("Import(unknown newsletter) = %v; want Invalid naming line 3", err)
	}
	if _, total, _ := b.Subscribers.Find(ctx, byline.SubscriberFilter{}); total != 0 {
		t.Errorf("an import refused at its last row stored %d subscribers, want none", total)
	}

	left := subscribeConfirmed(t, b, "left@example.org", nls[1].ID)
	if err := b.Subscribers.Unsubscribe(ctx, left.ID, 0); err != nil {
		t.Fatal(err)
	}
	created, updated, err := b.Subscribers.Import(ctx, []byline.SubscriberImport{
		{Line: 2, Email: "Good@example.org", Name: "Good", Newsletters: []int64{nls[0].ID}, ConsentAt: consent, Confirmed: true},
		{Line: 3, Email: "unconfirmed@example.org", Newsletters: []int64{nls[0].ID}, ConsentAt: consent},
		{Line: 4, Email: "left@example.org", Newsletters: []int64{nls[0].ID}, ConsentAt: consent, Confirmed: true},
	})
	if err != nil || created != 2 || updated != 1 {
		t.Fatalf("Import = %d created, %d updated, %v; want 2, 1", created, updated, err)
	}
	subs, _, _ := b.Subscribers.Find(ctx, byline.SubscriberFilter{NewsletterID: nls[0].ID})
	status := map[string]byline.SubscriberStatus{}
	for _, s := range subs {
		status[s.Email] = s.Status
		if s.Email == "good@example.org" && (!s.ConsentAt.Equal(consent) || !s.ConfirmedAt.Equal(consent)) {
			t.Errorf("imported confirmed subscriber %+v; want consent and confirmation at %v", s, consent)
		}
	}
	if status["good@example.org"] != byline.SubscriberActive || status["unconfirmed@example.org"] != byline.SubscriberPending || len(status) != 2 {
		t.Errorf("after import, newsletter's subscribers = %v; want good active, unconfirmed pending, left not signed up again", status)
	}
	if got, _ := b.Subscribers.FindByID(ctx, left.ID); got.Status != byline.SubscriberUnsubscribed {
		t.Errorf("an import re-subscribed someone who left: %+v", got)
	}
	a := newsletterArticle(t, b)
	send := &byline.Send{NewsletterID: nls[0].ID, ArticleID: a.ID}
	if err := b.Newsletters.Queue(ctx, send); err != nil || send.Progress.Queued != 1 {
		t.Errorf("Queue after import = %+v, %v; want 1 (the unconfirmed one is not mailed)", send.Progress, err)
	}
}

func testSubscriberDelete(t *testing.T, open Opener) {
	b, _, nls := setupNewsletters(t, open)
	ctx := t.Context()
	a := newsletterArticle(t, b)
	sub := subscribeConfirmed(t, b, "forget-me@example.org", nls[0].ID)
	if err := b.Subscribers.Subscribe(ctx, "forget-me@example.org", "", []int64{nls[1].ID}, time.Hour); err != nil {
		t.Fatal(err)
	}
	send := &byline.Send{NewsletterID: nls[0].ID, ArticleID: a.ID}
	if err := b.Newsletters.Queue(ctx, send); err != nil {
		t.Fatal(err)
	}
	if err := b.Subscribers.Delete(ctx, sub.ID); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if _, err := b.Subscribers.FindByID(ctx, sub.ID); byline.ErrorKind(err) != byline.NotFound {
		t.Errorf("FindByID after Delete = %v, want NotFound", err)
	}
	if ds := claimAll(t, b); len(ds) != 0 {
		t.Errorf("after Delete, the outbox still holds emails to them: %+v", ds)
	}
	if _, total, _ := b.Subscribers.Find(ctx, byline.SubscriberFilter{Search: "forget-me"}); total != 0 {
		t.Errorf("the address is still found after Delete")
	}
	if err := b.Subscribers.Delete(ctx, sub.ID); byline.ErrorKind(err) != byline.NotFound {
		t.Errorf("Delete twice = %v, want NotFound", err)
	}
}
