#!/usr/bin/env bash
# Load test of the reader's site (issue 10, "Speed"): fills a fresh data
# directory with N generated articles (bench/fill), starts `byline serve`
# built from this repository on loopback, and measures with wrk, in the same
# run and against the same server, requests/s and p99 latency for
#   1. the home page,
#   2. an article page,
#   3. a pre-rendered copy of that article page saved under DATA/public/ and
#      served as a static file at /files/,
#   4. the same home and article bytes from a plain Go net/http server
#      (bench/plain: no middleware, the bytes in memory), started beside
#      Byline and measured in the same run,
# then prints the ratios article/static, Byline's throughput and server CPU
# per request (utime+stime from /proc/PID/stat over each run) against the
# plain server's for the home and article pages (issue 19: goal >= 0.8x
# the throughput, <= 1.5x the CPU per request), the server's peak RSS
# (VmHWM) and the database's size. With --search it also measures, against the same
# static file, search (issue 11): the results page /search, the search API
# and the suggest API, each cycling through bench/search-queries.txt.
# Loopback only; every wrk run is bounded in time.
#
# Usage: bench/load.sh [-n ARTICLES] [-d SECONDS] [-c CONNECTIONS] [-t THREADS]
#                      [-r ROUNDS] [--data DIR] [--keep] [--gzip | --both] [--search]
#   -n        articles to generate (default 10000; the issue's goal is at 100000)
#   -d        seconds per measured target (default 10), after a 2 s warm-up
#   -c, -t    wrk connections and threads (default 16 and 2)
#   -r        rounds of the three targets (default 1); with more, the ratios
#             are those of the mean req/s and the mean p99 over the rounds,
#             which evens out a machine whose load changes during the run
#   --data    data directory to use; if it holds a database filled by an
#             earlier run with the same -n, it is reused (filling 100,000
#             articles takes minutes). Default: a fresh temporary directory.
#   --keep    keep the temporary data directory
#   --gzip    send Accept-Encoding: gzip (the article comes pre-compressed
#             from the page cache; the static file is compressed per request)
#   --both    measure every target twice in each round, identity then gzip,
#             and print the ratios for each encoding
#   --search  also measure /search, /api/v1/search and /api/v1/suggest, each
#             request with the next query of bench/search-queries.txt
# Environment: BYLINE_LOG_LEVEL for the server (default warn, so the access
# log costs nothing on either side of the ratio).
set -euo pipefail
cd "$(dirname "$0")/.."

n=10000 duration=10 conns=16 threads=2 rounds=1 data="" keep=0 encodings=identity search=0
while [ $# -gt 0 ]; do
  case "$1" in
    -n) n=$2; shift 2 ;;
    -d) duration=$2; shift 2 ;;
    -c) conns=$2; shift 2 ;;
    -t) threads=$2; shift 2 ;;
    -r) rounds=$2; shift 2 ;;
    --data) data=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    --gzip) encodings=gzip; shift ;;
    --both) encodings="identity gzip"; shift ;;
    --search) search=1; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "load.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
for tool in go wrk curl; do
  command -v "$tool" >/dev/null || { echo "load.sh: $tool is not installed (Debian: apt-get install $tool)" >&2; exit 1; }
done

work=$(mktemp -d "${TMPDIR:-/tmp}/byline-load.XXXXXX")
given_data=$data
if [ -z "$data" ]; then
  if [ "$keep" = 1 ]; then data=$(mktemp -d "${TMPDIR:-/tmp}/byline-load-data.XXXXXX"); else data=$work/data; fi
fi
server_pid="" plain_pid=""
cleanup() {
  for pid in $server_pid $plain_pid; do
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid" 2>/dev/null || true
      wait "$pid" 2>/dev/null || true
    fi
  done
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

echo "== building byline and bench/fill"
go build -o "$work/byline" ./cmd/byline
go build -o "$work/fill" ./bench/fill
go build -o "$work/plain" ./bench/plain

mkdir -p "$data"
if [ -f "$data/byline.db" ] && [ -f "$data/filled-$n" ]; then
  sample=$(cat "$data/filled-$n")
  echo "== reusing $data ($n articles)"
elif [ -f "$data/byline.db" ]; then
  echo "load.sh: $data already holds a database not filled with -n $n by this script; use an empty directory" >&2
  exit 1
else
  echo "== filling $data with $n articles"
  "$work/fill" -data "$data" -n "$n" | tee "$work/fill.out"
  sample=$(sed -n 's/^sample //p' "$work/fill.out")
  echo "$sample" > "$data/filled-$n"
fi

# A free loopback port, chosen by the kernel.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null || echo "$1"; }
port=$(free_port 18080)
base="http://127.0.0.1:$port"
echo "== starting byline serve on $base"
BYLINE_LOG_LEVEL=${BYLINE_LOG_LEVEL:-warn} "$work/byline" serve --data "$data" --addr "127.0.0.1:$port" >"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 100); do
  curl -fsS "$base/healthz" >/dev/null 2>&1 && break
  kill -0 "$server_pid" 2>/dev/null || { echo "load.sh: the server exited:" >&2; cat "$work/server.log" >&2; exit 1; }
  sleep 0.1
done
curl -fsS "$base/healthz" >/dev/null || { echo "load.sh: the server did not answer /healthz" >&2; exit 1; }

# The pre-rendered copy: exactly the bytes the server sends for the article.
mkdir -p "$data/public"
curl -fsS "$base$sample" -o "$data/public/article.html"
curl -fsS "$base/files/article.html" -o "$work/static-check.html"
cmp -s "$data/public/article.html" "$work/static-check.html" || { echo "load.sh: /files/article.html differs from the page" >&2; exit 1; }
echo "   article: $sample ($(wc -c <"$data/public/article.html") bytes)"

# The plain server: the home and article bytes, fetched once (identity and
# gzip) from the warm page cache, served from memory by bare net/http.
plain_port=$(free_port 18081)
[ "$plain_port" = "$port" ] && plain_port=$((port + 1))
plain_base="http://127.0.0.1:$plain_port"
"$work/plain" -from "$base" -addr "127.0.0.1:$plain_port" / "$sample" >"$work/plain.log" 2>&1 &
plain_pid=$!
for _ in $(seq 1 100); do
  grep -q '^ready' "$work/plain.log" 2>/dev/null && break
  kill -0 "$plain_pid" 2>/dev/null || { echo "load.sh: the plain server exited:" >&2; cat "$work/plain.log" >&2; exit 1; }
  sleep 0.1
done
grep -q '^ready' "$work/plain.log" || { echo "load.sh: the plain server did not start" >&2; exit 1; }
for p in / "$sample"; do
  for enc in identity gzip; do
    curl -fsS -H "Accept-Encoding: $enc" "$base$p" -o "$work/byline.body"
    curl -fsS -H "Accept-Encoding: $enc" "$plain_base$p" -o "$work/plain.body"
    cmp -s "$work/byline.body" "$work/plain.body" || { echo "load.sh: the plain server's $p ($enc) differs from Byline's" >&2; exit 1; }
  done
done
echo "   plain server on $plain_base (pid $plain_pid)"

wrk_base_args=(-t "$threads" -c "$conns" --latency --timeout 5s)
wrk_args=("${wrk_base_args[@]}") encoding=identity

# to_ms converts wrk's latency (e.g. 812.00us, 6.21ms, 1.02s) to milliseconds.
to_ms() {
  awk -v v="$1" 'BEGIN {
    if (v ~ /us$/) { sub(/us$/, "", v); printf "%.3f", v / 1000 }
    else if (v ~ /ms$/) { sub(/ms$/, "", v); printf "%.3f", v }
    else if (v ~ /m$/) { sub(/m$/, "", v); printf "%.3f", v * 60000 }
    else { sub(/s$/, "", v); printf "%.3f", v * 1000 }
  }'
}

# cpu_ticks PID prints a server's user+system CPU time so far, in clock ticks.
clk_tck=$(getconf CLK_TCK)
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

# measure NAME PATH [SCRIPT] [BASE PID]: a 2 s warm-up, then the measured
# run against Byline (or the server at BASE with process PID); appends
# "ENCODING NAME RPS P99_MS CPU_US_PER_REQUEST" to $work/results. The
# server's CPU time per request is the figure least disturbed by other work
# on the machine: req/s and p99 move with whatever else runs on its cores.
measure() {
  local name=$1 path=$2 out rps p99 requests t0 t1 cpu args=("${wrk_args[@]}")
  local target=${4:-$base} pid=${5:-$server_pid}
  if [ -n "${3:-}" ]; then args+=(-s "$3"); fi
  timeout 30 wrk "${args[@]}" -d 2s "$target$path" >/dev/null
  t0=$(cpu_ticks "$pid")
  out=$(timeout $((duration + 30)) wrk "${args[@]}" -d "${duration}s" "$target$path")
  t1=$(cpu_ticks "$pid")
  echo "$out" >> "$work/wrk-$name.txt"
  if echo "$out" | grep -q "Non-2xx"; then
    echo "load.sh: $path answered errors under load:" >&2; echo "$out" >&2; exit 1
  fi
  rps=$(echo "$out" | awk '/^Requests\/sec:/ { print $2 }')
  p99=$(to_ms "$(echo "$out" | awk '$1 == "99%" { print $2 }')")
  requests=$(echo "$out" | awk '/requests in/ { print $1 }')
  cpu=$(awk -v d=$((t1 - t0)) -v hz="$clk_tck" -v n="$requests" 'BEGIN { printf "%.1f", d * 1e6 / hz / n }')
  echo "$encoding $name $rps $p99 $cpu" >> "$work/results"
  printf "   %-13s %8.0f req/s   p99 %8.2f ms   server CPU %6.1f µs/req   %s\n" "$name" "$rps" "$p99" "$cpu" "$path"
}

# The search targets: a wrk script per target that sends, request after
# request, the next of the queries (URL-encoded here, once).
if [ "$search" = 1 ]; then
  grep -v '^#' bench/search-queries.txt | grep -v '^$' > "$work/queries.txt"
  for target in search api suggest; do
    case $target in
      search) prefix="/search?q=" ;;
      api) prefix="/api/v1/search?q=" ;;
      suggest) prefix="/api/v1/suggest?q=" ;;
    esac
    while IFS= read -r q; do
      # Suggest gets what a reader has typed so far: all but the last 2 letters.
      [ "$target" = suggest ] && [ ${#q} -gt 4 ] && q=${q:0:$((${#q} - 2))}
      printf '%s%s\n' "$prefix" "$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1]))' "$q")"
    done < "$work/queries.txt" > "$work/paths-$target.txt"
    cat > "$work/cycle-$target.lua" <<LUA
local paths = {}
for line in io.lines("$work/paths-$target.txt") do paths[#paths + 1] = line end
local i = 0
request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end
LUA
    # Every query must answer 200 before it is timed.
    while IFS= read -r p; do
      curl -fsS -o /dev/null "$base$p" || { echo "load.sh: $p failed" >&2; exit 1; }
    done < "$work/paths-$target.txt"
  done
fi

# latency NAME SCRIPT: one connection, so no request waits for another:
# the time a reader waits for one search, HTTP included. Appends
# "NAME P50_MS P99_MS" to $work/latency.
latency() {
  local name=$1 script=$2 out p50 p99
  out=$(timeout $((duration + 30)) wrk -t 1 -c 1 --latency --timeout 5s -s "$script" -d "${duration}s" "$base/")
  if echo "$out" | grep -q "Non-2xx"; then
    echo "load.sh: $name answered errors:" >&2; echo "$out" >&2; exit 1
  fi
  p50=$(to_ms "$(echo "$out" | awk '$1 == "50%" { print $2 }')")
  p99=$(to_ms "$(echo "$out" | awk '$1 == "99%" { print $2 }')")
  echo "$name $p50 $p99" >> "$work/latency"
  printf "   %-8s one connection: p50 %6.2f ms   p99 %6.2f ms\n" "$name" "$p50" "$p99"
}

echo "== wrk: ${conns} connections, ${threads} threads, ${duration} s per target, ${rounds} round(s), ${encodings// /, }$([ "$search" = 1 ] && echo ', search')"
for round in $(seq 1 "$rounds"); do
  [ "$rounds" = 1 ] || echo "   -- round $round"
  for encoding in $encodings; do
  wrk_args=("${wrk_base_args[@]}")
  [ "$encoding" = gzip ] && wrk_args+=(-H "Accept-Encoding: gzip")
  echo "   ($encoding)"
  measure home /
  measure article "$sample"
  measure static /files/article.html
  measure plain-home / "" "$plain_base" "$plain_pid"
  measure plain-article "$sample" "" "$plain_base" "$plain_pid"
  if [ "$search" = 1 ]; then
    measure search / "$work/cycle-search.lua"
    measure api / "$work/cycle-api.lua"
    measure suggest / "$work/cycle-suggest.lua"
    latency search "$work/cycle-search.lua"
    latency api "$work/cycle-api.lua"
    latency suggest "$work/cycle-suggest.lua"
  fi
  done
done

hwm=$(awk '/^VmHWM:/ { print $2 }' "/proc/$server_pid/status")
db_bytes=$(stat -c %s "$data/byline.db")
wal_bytes=$(stat -c %s "$data/byline.db-wal" 2>/dev/null || echo 0)

echo "== results ($n articles$([ "$rounds" = 1 ] || echo ", mean of $rounds rounds"))"
for encoding in $encodings; do
echo "   ($encoding)"
awk -v enc="$encoding" '
  $1 == enc { $1 = ""; $0 = substr($0, 2); rps[$1] += $2; p99[$1] += $3; cpu[$1] += $4; k[$1]++ }
  END {
    for (t in k) { rps[t] /= k[t]; p99[t] /= k[t]; cpu[t] /= k[t] }
    split("home article static plain-home plain-article", names, " ")
    for (i = 1; i <= 5; i++) {
      t = names[i]
      printf "   %-13s %8.0f req/s   p99 %8.2f ms   server CPU %6.1f µs/req\n", t, rps[t], p99[t], cpu[t]
    }
    printf "   article/plain throughput:  %.2f  (goal >= 0.80)   CPU per request: %.2f  (goal <= 1.50)\n", \
      rps["article"] / rps["plain-article"], cpu["article"] / cpu["plain-article"]
    printf "   home/plain throughput:     %.2f  (goal >= 0.80)   CPU per request: %.2f  (goal <= 1.50)\n", \
      rps["home"] / rps["plain-home"], cpu["home"] / cpu["plain-home"]
    printf "   article/static throughput: %.2f  (goal >= 0.80)\n", rps["article"] / rps["static"]
    printf "   article/static p99:        %.2f  (goal <= 1.50)\n", p99["article"] / p99["static"]
    printf "   static/article server CPU per request: %.2f  (the throughput ratio on an idle machine)\n", cpu["static"] / cpu["article"]
    printf "   home/static throughput:    %.2f,  p99 %.2f\n", rps["home"] / rps["static"], p99["home"] / p99["static"]
    if ("search" in k) {
      split("search api suggest", names, " ")
      for (i = 1; i <= 3; i++) {
        t = names[i]
        printf "   %-8s %8.0f req/s   p99 %8.2f ms   server CPU %6.1f µs/req   %s/static: throughput %.2f, p99 %.2f, CPU per request %.2f\n", \
          t, rps[t], p99[t], cpu[t], t, rps[t] / rps["static"], p99[t] / p99["static"], cpu[t] / cpu["static"]
      }
    }
  }' "$work/results"
done
if [ "$search" = 1 ]; then
  awk '{ p50[$1] += $2; p99[$1] += $3; k[$1]++ }
    END {
      split("search api suggest", names, " ")
      for (i = 1; i <= 3; i++) {
        t = names[i]
        printf "   %-8s one connection: p50 %6.2f ms   p99 %6.2f ms\n", t, p50[t] / k[t], p99[t] / k[t]
      }
    }' "$work/latency"
fi
awk -v k="$hwm" 'BEGIN { printf "   server peak RSS (VmHWM):   %.1f MB\n", k / 1024 }'
awk -v b="$db_bytes" -v w="$wal_bytes" 'BEGIN { printf "   database file:             %.1f MB (+ %.1f MB WAL)\n", b / 1048576, w / 1048576 }'
awk '{ print $1, $2, $3 }' /proc/loadavg | sed 's/^/   load average during the run (1, 5, 15 min): /'

if [ -n "$given_data" ] || [ "$keep" = 1 ]; then echo "   data kept in $data"; fi
