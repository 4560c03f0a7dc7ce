package importer

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/bylinenews/byline"
	"github.com/bylinenews/byline/internal/dbtest"
	"github.com/bylinenews/byline/sqlite"
)

// benchArticles is how many articles BenchmarkImport imports: 10,000 by
// default, BYLINE_BENCH_ARTICLES=100000 for the figure in the README.
func benchArticles(b *testing.B) int {
	if v := os.Getenv("BYLINE_BENCH_ARTICLES"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			b.Fatalf("BYLINE_BENCH_ARTICLES=%q: want a positive number", v)
		}
		return n
	}
	return 10_000
}

// BenchmarkImport imports n generated articles (about 3 KB of text each,
// with authors and tags, like the news sample) from a JSON-lines file into
// an empty site, the whole of `byline import`: both passes, rendering,
// search indexing, one transaction. It reports articles per second and the
// process's peak resident memory.
func BenchmarkImport(b *testing.B) {
	n := benchArticles(b)
	path := filepath.Join(b.TempDir(), "articles.jsonl")
	if err := writeBenchArticles(path, n); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		b.StopTimer()
		db := dbtest.OpenSQLite(b)
		im := &Importer{Articles: sqlite.NewArticleService(db)}
		b.StartTimer()
		start, cpu0 := time.Now(), cpuTime()
		report, err := im.Run(b.Context(), []string{path}, nil, Options{})
		if err != nil {
			b.Fatal(err)
		}
		if report.Created != n {
			b.Fatalf("created %d articles, want %d", report.Created, n)
		}
		b.ReportMetric(float64(n)/time.Since(start).Seconds(), "articles/s")
		b.ReportMetric((cpuTime() - cpu0).Seconds(), "cpu-s")
	}
	if hwm := peakRSS(); hwm > 0 {
		b.ReportMetric(float64(hwm)/(1<<20), "peak-RSS-MB")
	}
}

// cpuTime is the process's user and system time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// TestWriteBenchArticles writes BenchmarkImport's input to the file named by
// BYLINE_BENCH_JSONL, to time `byline import` itself:
//
//	BYLINE_BENCH_ARTICLES=100000 BYLINE_BENCH_JSONL=/tmp/100k.jsonl go test ./importer -run TestWriteBenchArticles
//	/usr/bin/time -v go run ./cmd/byline import --data /tmp/bench /tmp/100k.jsonl
func TestWriteBenchArticles(t *testing.T) {
	path := os.Getenv("BYLINE_BENCH_JSONL")
	if path == "" {
		t.Skip("set BYLINE_BENCH_JSONL to a file name to write the benchmark's articles there")
	}
	n := 10_000
	if v := os.Getenv("BYLINE_BENCH_ARTICLES"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil {
			t.Fatal(err)
		}
	}
	if err := writeBenchArticles(path, n); err != nil {
		t.Fatal(err)
	}
}

// peakRSS is the process's peak resident set size in bytes (Linux), or 0.
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

// writeBenchArticles writes n generated articles as JSON lines.
func writeBenchArticles(path string, n int) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	w := NewJSONLWriter(bufio.NewWriter(f))
	rng := rand.New(rand.NewPCG(1, 2))
	words := strings.Fields(`the of and to in a is that for on was with he it as at by his be from are this
		have or had not but what all were when we there can an your which their said if do will each about how
		up out them then she many some so these would other into has more her two like him see time could no
		make than first been its who now people my made over did down only way find use may water long little
		very after words called just where most know government minister election talks ceasefire economy
		market court police report council budget parliament protest summit inflation energy climate`)
	sentence := func(min, max int) string {
		k := min + rng.IntN(max-min+1)
		ws := make([]string, k)
		for i := range ws {
			ws[i] = words[rng.IntN(len(words))]
		}
		s := strings.Join(ws, " ")
		return strings.ToUpper(s[:1]) + s[1:] + "."
	}
	t0 := time.Date(2015, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range n {
		var body strings.Builder
		for p := range 6 {
			if p > 0 {
				body.WriteString("\n\n")
			}
			for s := range 5 {
				if s > 0 {
					body.WriteByte(' ')
				}
				body.WriteString(sentence(8, 20))
			}
		}
		a := &byline.Article{
			Headline:    fmt.Sprintf("%s %d", strings.TrimSuffix(sentence(5, 10), "."), i),
			Dek:         sentence(12, 25),
			Body:        body.String(),
			Status:      byline.Published,
			PublishedAt: t0.Add(time.Duration(i) * 7 * time.Minute),
			SourceURL:   fmt.Sprintf("https://old.example.com/%d/story-%d/", 2015+i/50_000, i),
			Authors:     []byline.Author{{Name: fmt.Sprintf("Reporter %d", rng.IntN(200))}},
			Tags:        []byline.Tag{{Name: fmt.Sprintf("Topic %d", rng.IntN(500))}, {Name: fmt.Sprintf("Place %d", rng.IntN(100))}},
		}
		if i%3 == 0 {
			a.Authors = append(a.Authors, byline.Author{Name: fmt.Sprintf("Editor %d", rng.IntN(20))})
		}
		if err := w.Write(&byline.ArticleRecord{Article: a}); err != nil {
			return err
		}
	}
	if err := w.Close(); err != nil {
		return err
	}
	return f.Close()
}
