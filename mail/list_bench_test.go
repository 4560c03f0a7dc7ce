package mail_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/wneessen/go-mail/smtp"

	"github.com/bylinenews/byline"
	"github.com/bylinenews/byline/internal/smtptest"
)

// BenchmarkNewsletterSend queues an article to BYLINE_BENCH_SUBSCRIBERS
// (100,000 by default) subscribers on SQLite and sends it to a local SMTP
// sink with no rate limit, reporting the time to queue, the emails per
// second, CPU per email and memory; then, as the baseline, the same number
// of pre-built emails pushed over the same number of kept connections by a
// bare SMTP client with no database, which is what the sink can take:
//
//	go test ./mail -run '^$' -bench NewsletterSend -benchtime 1x
func BenchmarkNewsletterSend(b *testing.B) {
	n := 100_000
	if v := os.Getenv("BYLINE_BENCH_SUBSCRIBERS"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil {
			b.Fatal(err)
		}
	}
	conns := 4
	if v := os.Getenv("BYLINE_BENCH_CONNECTIONS"); v != "" {
		conns, _ = strconv.Atoi(v)
	}
	for b.Loop() {
		sink := smtptest.Start(b, &smtptest.Server{Discard: true})
		ls := newListSite(b, sink, n)
		ls.worker.Concurrency = conns
		co := &countingOutbox{NewsletterOutbox: ls.worker.Outbox}
		ls.worker.Outbox = co
		ls.worker.Now = nil // real time: nothing waits on backoff here

		heapBefore := heapInUse()
		start := time.Now()
		send := &byline.Send{NewsletterID: ls.list.ID, ArticleID: ls.article.ID}
		if err := ls.services.Newsletters.Queue(b.Context(), send); err != nil {
			b.Fatal(err)
		}
		queued := time.Since(start)
		heapQueued := heapInUse()

		var maxHeap atomic.Uint64
		stop := sampleHeap(&maxHeap)
		cpu0 := cpuTime()
		start = time.Now()
		if _, err := ls.worker.Deliver(b.Context()); err != nil {
			b.Fatal(err)
		}
		sent := time.Since(start)
		cpu := cpuTime() - cpu0
		stop()
		if got := sink.Accepted(); got != n {
			b.Fatalf("the sink accepted %d emails, want %d", got, n)
		}

		base := rawSMTP(b, sink, n, conns)
		b.ReportMetric(queued.Seconds(), "queue-s")
		b.ReportMetric(sent.Seconds(), "send-s")
		b.ReportMetric(float64(n)/sent.Seconds(), "emails/s")
		b.ReportMetric(float64(n)/base.Seconds(), "baseline-emails/s")
		b.ReportMetric(base.Seconds()/sent.Seconds(), "ratio-to-baseline")
		b.ReportMetric(float64(cpu.Microseconds())/float64(n), "cpu-µs/email")
		b.ReportMetric(float64(co.calls.Load())/float64(n), "handover-commits/email")
		b.ReportMetric(float64(co.nanos.Load())/float64(max(co.calls.Load(), 1))/1e6, "handover-commit-ms")
		b.ReportMetric(float64(heapQueued-min(heapQueued, heapBefore))/(1<<20), "queue-heap-growth-MB")
		b.ReportMetric(float64(maxHeap.Load())/(1<<20), "send-max-heap-MB")
	}
	if hwm := peakRSS(); hwm > 0 {
		b.ReportMetric(float64(hwm)/(1<<20), "peak-RSS-MB")
	}
}

// rawSMTP pushes n copies of one pre-built email over conns kept
// connections: what the SMTP server takes with no database in the way.
func rawSMTP(b *testing.B, sink *smtptest.Server, n, conns int) time.Duration {
	b.Helper()
	var msg bytes.Buffer
	fmt.Fprintf(&msg, "From: news@example.com\r\nTo: reader@example.org\r\nSubject: Council passes the budget\r\n\r\n%s\r\n",
		strings.Repeat("The council voted at dawn. ", 200))
	var next atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for range conns {
		wg.Go(func() {
			c, err := smtp.Dial(sink.Addr)
			if err != nil {
				b.Error(err)
				return
			}
			defer c.Close()
			if err := c.Hello("localhost"); err != nil {
				b.Error(err)
				return
			}
			for next.Add(1) <= int64(n) {
				if err := c.Mail("<news@example.com>"); err != nil {
					b.Error(err)
					return
				}
				if err := c.Rcpt("<reader@example.org>"); err != nil {
					b.Error(err)
					return
				}
				w, err := c.Data()
				if err != nil {
					b.Error(err)
					return
				}
				w.Write(msg.Bytes())
				if err := w.Close(); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	return time.Since(start)
}

func heapInUse() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse
}

// sampleHeap records the largest heap in use until stop is called.
func sampleHeap(max *atomic.Uint64) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		for {
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			if m.HeapInuse > max.Load() {
				max.Store(m.HeapInuse)
			}
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
	return func() { cancel(); <-done }
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func peakRSS() int64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for line := range strings.Lines(string(data)) {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}
