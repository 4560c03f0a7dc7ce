package main

import (
	"bufio"
	"context"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/bylinenews/byline"
	"github.com/bylinenews/byline/postgres"
	"github.com/bylinenews/byline/query"
)

// BenchmarkSearchMix runs the query mix of bench/search-queries.txt, with
// a tag alone, an author alone, dates alone, phrases and common words
// added, against a filled site on SQLite and the same site copied into
// PostgreSQL, in the same run (issue 17: PostgreSQL within 2× SQLite's
// CPU per query, p99 < 20 ms at 100,000 articles):
//
//	go run ./bench/fill -data /tmp/fill -n 100000
//	byline migrate-db --from sqlite:/tmp/fill/byline.db --to postgres://postgres@127.0.0.1:5432/fill
//	BYLINE_BENCH_SQLITE=/tmp/fill BYLINE_BENCH_POSTGRES=postgres://postgres@127.0.0.1:5432/fill \
//	  go test ./cmd/byline -run '^$' -bench SearchMix -benchtime 400x
//
// It reports p50 and p99 of wall time per search and the CPU per search:
// the test process's, plus on PostgreSQL the server process's that served
// it (the pool holds one connection).
func BenchmarkSearchMix(b *testing.B) {
	sites := map[string]string{"sqlite": os.Getenv("BYLINE_BENCH_SQLITE"), "postgres": os.Getenv("BYLINE_BENCH_POSTGRES")}
	if sites["sqlite"] == "" && sites["postgres"] == "" {
		b.Skip("set BYLINE_BENCH_SQLITE (a data directory) and BYLINE_BENCH_POSTGRES (a database URL) to a filled site")
	}
	queries := searchMix(b)
	for _, store := range []string{"sqlite", "postgres"} {
		if sites[store] == "" {
			continue
		}
		b.Run(store, func(b *testing.B) {
			var svc byline.SearchService
			server := func() time.Duration { return 0 }
			if store == "postgres" {
				db, err := postgres.Open(b.Context(), sites[store]+"?pool_max_conns=1")
				if err != nil {
					b.Fatal(err)
				}
				defer db.Close()
				svc, server = postgres.NewSearchService(db), backendCPU(b, db.Pool())
			} else {
				c := Config{DataDir: sites[store]}
				db, err := c.openBackend(b.Context(), slog.New(slog.DiscardHandler))
				if err != nil {
					b.Fatal(err)
				}
				defer db.Close()
				svc = db.Search
			}
			search := func(text string) error {
				_, err := svc.Search(b.Context(), query.Parse(text))
				return err
			}
			for _, q := range queries { // warm the caches
				if err := search(q); err != nil {
					b.Fatalf("%q: %v", q, err)
				}
			}
			var wall []time.Duration
			startCPU, startServer := processCPU(), server()
			i := 0
			for b.Loop() {
				q := queries[i%len(queries)]
				i++
				start := time.Now()
				if err := search(q); err != nil {
					b.Fatalf("%q: %v", q, err)
				}
				wall = append(wall, time.Since(start))
			}
			cpu := processCPU() - startCPU + server() - startServer
			slices.Sort(wall)
			pct := func(p float64) float64 {
				return float64(wall[min(len(wall)-1, int(p*float64(len(wall))))].Microseconds()) / 1000
			}
			b.ReportMetric(pct(0.5), "p50-ms")
			b.ReportMetric(pct(0.99), "p99-ms")
			b.ReportMetric(float64(cpu.Microseconds())/1000/float64(len(wall)), "cpu-ms/search")
			b.ReportMetric(0, "ns/op")
		})
	}
}

// searchMix is bench/search-queries.txt and the kinds of search it lacks.
func searchMix(tb testing.TB) []string {
	f, err := os.Open("../../bench/search-queries.txt")
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var qs []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if line := strings.TrimSpace(sc.Text()); line != "" && !strings.HasPrefix(line, "#") {
			qs = append(qs, line)
		}
	}
	return append(qs,
		"tag:eastfield-energy", "author:ben-dubois", "after:2025-06-01", "after:2020 before:2021",
		`"school board"`, `"the council"`, "the council", "council", "new", "said council residents",
		"bridge tag:eastfield-local", "housing author:sam-silva")
}

// processCPU returns the CPU time the test process has used.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// backendCPU returns a function reading the CPU time of the PostgreSQL
// server process behind db's one connection, from /proc (the server on
// this machine).
func backendCPU(b *testing.B, pool *pgxpool.Pool) func() time.Duration {
	var pid int
	if err := pool.QueryRow(context.Background(), `SELECT pg_backend_pid()`).Scan(&pid); err != nil {
		b.Fatal(err)
	}
	return func() time.Duration {
		raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			b.Fatalf("server CPU: %v (the server must run on this machine)", err)
		}
		fields := strings.Fields(string(raw[strings.LastIndexByte(string(raw), ')')+2:]))
		utime, _ := strconv.Atoi(fields[11])
		stime, _ := strconv.Atoi(fields[12])
		return time.Duration(utime+stime) * 10 * time.Millisecond // clock ticks of 1/100 s
	}
}
