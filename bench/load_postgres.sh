#!/usr/bin/env bash
# Load test of the scale-out setup (issue 8): the same site served by one
# instance on SQLite, and by two instances on one PostgreSQL database, in
# the same run, with wrk on loopback. The site is filled on SQLite by
# bench/fill and copied to a fresh PostgreSQL database with
# `byline migrate-db`, so both serve the very same articles.
#
# For two instances, two wrk processes run at once, each with half the
# connections against one instance (what a round-robin load balancer does,
# without measuring a balancer); their req/s are added and the worse p99 kept.
#
# Usage: bench/load_postgres.sh [-n ARTICLES] [-d SECONDS] [-c CONNECTIONS]
#                               [--pg postgres://postgres@127.0.0.1:5432/postgres]
#   -n    articles (default 10000)       -d  seconds per measured run (default 10)
#   -c    total wrk connections (default 16)
#   --pg  a PostgreSQL server where the script may create and drop a database
set -euo pipefail
cd "$(dirname "$0")/.."

n=10000 duration=10 conns=16 pg=postgres://postgres@127.0.0.1:5432/postgres
while [ $# -gt 0 ]; do
  case "$1" in
    -n) n=$2; shift 2 ;;
    -d) duration=$2; shift 2 ;;
    -c) conns=$2; shift 2 ;;
    --pg) pg=$2; shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "load_postgres.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
for tool in go wrk curl psql; do
  command -v "$tool" >/dev/null || { echo "load_postgres.sh: $tool is not installed" >&2; exit 1; }
done

work=$(mktemp -d "${TMPDIR:-/tmp}/byline-loadpg.XXXXXX")
dbname="byline_load_$$"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  psql "$pg" -qc "DROP DATABASE IF EXISTS $dbname WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

echo "== building byline and bench/fill"
go build -o "$work/byline" ./cmd/byline
go build -o "$work/fill" ./bench/fill

echo "== filling SQLite with $n articles"
"$work/fill" -data "$work/data" -n "$n" > "$work/fill.out"
sample=$(sed -n 's/^sample //p' "$work/fill.out")

echo "== copying the site to PostgreSQL ($dbname)"
psql "$pg" -qc "CREATE DATABASE $dbname" >/dev/null
pgdb="${pg%/*}/$dbname"
# Migrate first (serve would too), then copy into the empty schema.
"$work/byline" migrate-db --from "sqlite:$work/data/byline.db" --to "$pgdb" | tail -n 3

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
start() { # start NAME ARGS...: serve in the background, wait for /healthz; sets url
  local name=$1; shift
  local port; port=$(free_port)
  BYLINE_LOG_LEVEL=warn "$work/byline" serve --addr "127.0.0.1:$port" "$@" >"$work/$name.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 100); do curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
  curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null || { cat "$work/$name.log" >&2; exit 1; }
  url="http://127.0.0.1:$port"
}

to_ms() {
  awk -v v="$1" 'BEGIN {
    if (v ~ /us$/) { sub(/us$/, "", v); printf "%.3f", v / 1000 }
    else if (v ~ /ms$/) { sub(/ms$/, "", v); printf "%.3f", v }
    else { sub(/s$/, "", v); printf "%.3f", v * 1000 } }'
}
# run URL CONNS OUT: a 2 s warm-up, then the measured run into OUT.
run() {
  timeout 30 wrk -t1 -c "$2" -d 2s "$1" >/dev/null
  timeout $((duration + 30)) wrk -t1 -c "$2" -d "${duration}s" --latency --timeout 5s "$1" > "$3"
  if grep -q "Non-2xx" "$3"; then echo "load_postgres.sh: $1 answered errors" >&2; cat "$3" >&2; exit 1; fi
}
rps() { awk '/^Requests\/sec:/ { print $2 }' "$1"; }
p99() { to_ms "$(awk '$1 == "99%" { print $2 }' "$1")"; }

start sqlite --data "$work/data"; sqlite_url=$url
echo "== one instance on SQLite: $sqlite_url"
for path in / "$sample"; do
  name=$([ "$path" = / ] && echo home || echo article)
  run "$sqlite_url$path" "$conns" "$work/sqlite-$name.txt"
done
kill -TERM "${pids[0]}"; wait "${pids[0]}" 2>/dev/null || true; pids=()

start pg-a --db "$pgdb" --data "$work/data-a"; a=$url
start pg-b --db "$pgdb" --data "$work/data-b"; b=$url
echo "== two instances on PostgreSQL: $a and $b"
half=$((conns / 2))
for path in / "$sample"; do
  name=$([ "$path" = / ] && echo home || echo article)
  run "$a$path" "$half" "$work/pga-$name.txt" &
  wa=$!
  run "$b$path" "$half" "$work/pgb-$name.txt"
  wait "$wa"
done

echo "== results ($n articles, $conns connections, ${duration} s each)"
for name in home article; do
  s_rps=$(rps "$work/sqlite-$name.txt"); s_p99=$(p99 "$work/sqlite-$name.txt")
  pg_rps=$(awk -v x="$(rps "$work/pga-$name.txt")" -v y="$(rps "$work/pgb-$name.txt")" 'BEGIN { print x + y }')
  pg_p99=$(awk -v x="$(p99 "$work/pga-$name.txt")" -v y="$(p99 "$work/pgb-$name.txt")" 'BEGIN { print (x > y ? x : y) }')
  printf "   %-8s SQLite x1: %8.0f req/s  p99 %8.2f ms   PostgreSQL x2: %8.0f req/s  p99 %8.2f ms   ratio %.2f\n" \
    "$name" "$s_rps" "$s_p99" "$pg_rps" "$pg_p99" "$(awk -v a="$pg_rps" -v b="$s_rps" 'BEGIN { print a / b }')"
done
awk '{ print $1, $2, $3 }' /proc/loadavg | sed 's/^/   load average (1, 5, 15 min): /'
