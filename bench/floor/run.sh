#!/usr/bin/env bash
# Ours against the floor, interleaved in one run (issue 12, point 1): each operation through
# the API (wrk) and the same SQL work by hand (pgbench, bench/floor/*.sql) on the same data,
# alternately, ROUNDS times; then per operation ours / floor in requests per second, p50,
# p99, CPU per request of the server and of PostgreSQL, and transactions per request.
#
#   bash bench/floor/run.sh     # FAMILIES=50000 DURATION=15 CONNECTIONS=32 ROUNDS=2
#   PROFILE=1 bash bench/floor/run.sh   # and then a profile of the server under each load
set -euo pipefail
cd "$(dirname "$0")/../.."

DURATION=${DURATION:-15}
CONNECTIONS=${CONNECTIONS:-32}
ROUNDS=${ROUNDS:-2}
# shellcheck source=bench/setup.sh
source bench/setup.sh
PGURL="$PG/$DB"
TICKS=$(getconf CLK_TCK)

psql "$PGURL" -qc "DROP TABLE IF EXISTS bench_floor_ids" \
  -c "CREATE TABLE bench_floor_ids AS SELECT row_number() OVER () AS n, bidx, member FROM (SELECT id_number_bidx AS bidx, id AS member FROM member ORDER BY random() LIMIT 500) s" \
  -c "CREATE UNIQUE INDEX ON bench_floor_ids (n)" \
  -c "DROP TABLE IF EXISTS bench_floor_after" \
  -c "CREATE TABLE bench_floor_after AS SELECT row_number() OVER () AS n, family FROM (SELECT id AS family FROM family ORDER BY random() LIMIT 500) s" \
  -c "CREATE UNIQUE INDEX ON bench_floor_after (n)" -c "ANALYZE"
# The same 500 families as the API's cursors (base64url of the id's bytes, no padding).
CURSORS_FILE=$(mktemp)
export CURSORS_FILE
psql "$PGURL" -qAt -c "SELECT encode(uuid_send(family), 'base64') FROM bench_floor_after ORDER BY n" \
  | tr '+/' '-_' | tr -d '=' > "$CURSORS_FILE"

# CPU seconds used so far by the server, and by the whole machine (busy time). PostgreSQL's
# share of a run is the machine's minus the server's minus the load generator's (pgbench's
# backends come and go within a run, so they cannot be read from /proc afterwards).
server_cpu() { awk -v t="$TICKS" '{ printf "%.3f", ($14 + $15) / t }' /proc/$SERVER/stat; }
machine_cpu() { awk -v t="$TICKS" '/^cpu / { printf "%.3f", ($2 + $3 + $4 + $7 + $8 + $9) / t }' /proc/stat; }
CLIENT_CPU=$(mktemp)
commits() { psql "$PGURL" -tAc "SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()"; }

RESULTS=$(mktemp)
# measure LABEL SIDE COMMAND…: runs it, appends "label side rps p50_ms p99_ms server_cpu_ms pg_cpu_ms tx_per_req".
measure() {
  local label=$1 side=$2; shift 2
  local s0 p0 c0 out rps p50 p99 n
  s0=$(server_cpu); p0=$(machine_cpu); c0=$(commits)
  out=$(/usr/bin/time -o "$CLIENT_CPU" -f "%U %S" "$@" 2>&1)
  local s1 p1 c1 client
  s1=$(server_cpu); p1=$(machine_cpu); c1=$(commits)
  client=$(awk '{ print $1 + $2 }' "$CLIENT_CPU")
  if [ "$side" = ours ]; then
    rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
    n=$(echo "$out" | awk '/requests in/ {print $1}')
    p50=$(echo "$out" | awk '$1 == "50%" {print $2}')
    p99=$(echo "$out" | awk '$1 == "99%" {print $2}')
    to_ms() { awk -v v="$1" 'BEGIN { if (v ~ /us$/) { sub(/us/, "", v); print v / 1000 } else if (v ~ /ms$/) { sub(/ms/, "", v); print v } else { sub(/s/, "", v); print v * 1000 } }'; }
    p50=$(to_ms "$p50"); p99=$(to_ms "$p99")
  else
    rps=$(echo "$out" | awk '/^tps = / {print $3}')
    n=$(echo "$out" | awk '/number of transactions actually processed/ {print $6}' | cut -d/ -f1)
    # pgbench --log writes each transaction's latency (µs, third column) to pgbench_log.*.
    read -r p50 p99 < <(cat pgbench_log.* | awk '{print $3}' | sort -n | awk '{ a[NR] = $1 } END { printf "%.2f %.2f\n", a[int(NR * 0.5)] / 1000, a[int(NR * 0.99)] / 1000 }')
    rm -f pgbench_log.*
  fi
  awk -v l="$label" -v sd="$side" -v r="$rps" -v a="$p50" -v b="$p99" -v n="$n" \
      -v sc="$(awk -v a="$s0" -v b="$s1" 'BEGIN {print b - a}')" \
      -v pc="$(awk -v a="$p0" -v b="$p1" -v s="$(awk -v a="$s0" -v b="$s1" 'BEGIN {print b - a}')" -v c="$client" 'BEGIN {print b - a - s - c}')" \
      -v tx="$((c1 - c0))" \
      'BEGIN { printf "%s %s %.0f %.2f %.2f %.3f %.3f %.2f\n", l, sd, r, a, b, (n ? sc * 1000 / n : 0), (n ? pc * 1000 / n : 0), (n ? tx / n : 0) }' >> "$RESULTS"
}

for round in $(seq 1 "$ROUNDS"); do
  echo "== round $round of $ROUNDS"
  measure lookup ours wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency -s bench/by_id.lua "$G"
  measure lookup floor pgbench -n -c"$CONNECTIONS" -j2 -T"$DURATION" -l -f bench/floor/lookup.sql "$PGURL"
  measure page ours wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency -s bench/page50.lua "$G"
  measure page floor pgbench -n -c"$CONNECTIONS" -j2 -T"$DURATION" -l -f bench/floor/page.sql "$PGURL"
  measure deep_page ours wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency -s bench/page_deep.lua "$G"
  measure deep_page floor pgbench -n -c"$CONNECTIONS" -j2 -T"$DURATION" -l -f bench/floor/page_deep.sql "$PGURL"
done

echo
echo "| operation | side | req/s | p50 ms | p99 ms | server CPU ms/req | PostgreSQL and the rest CPU ms/req | transactions/req |"
echo "|---|---|---|---|---|---|---|---|"
awk '{ k = $1 " " $2; n[k]++; for (i = 3; i <= 8; i++) s[k, i] += $i }
     END { for (k in n) { split(k, p, " "); printf "| %s | %s |", p[1], p[2];
             for (i = 3; i <= 8; i++) printf " %.2f |", s[k, i] / n[k]; printf "\n" } }' "$RESULTS" | sort
echo
awk '{ k = $1 " " $2; n[k]++; r[k] += $3; q[k] += $5 }
     END { for (op in ops) {} ; split("lookup page deep_page", list, " ");
           for (j in list) { o = list[j]; printf "%s: ours / floor = %.2f of its req/s; p99 %.1f× the floor'"'"'s\n", o,
             (r[o " ours"] / n[o " ours"]) / (r[o " floor"] / n[o " floor"]), (q[o " ours"] / n[o " ours"]) / (q[o " floor"] / n[o " floor"]) } }' "$RESULTS"

echo
echo "server memory: peak RSS $(awk '/VmHWM/ {print $2, $3}' /proc/$SERVER/status) (goal ≤ 100 MB)"

# Where the server's time goes under each load: perf's samples of the server alone, flat
# (the release build has symbols but no frame pointers, so callers are not reliable).
if [ -n "${PROFILE:-}" ]; then
  command -v perf >/dev/null || { apt-get install -y -qq linux-perf >/dev/null 2>&1 || true; }
  for op in by_id page50 page_deep; do
    perf record -q -F 999 -p "$SERVER" -o /tmp/nuanxin-$op.perf -- sleep "$DURATION" &
    PERF=$!
    wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" -s bench/$op.lua "$G" > /dev/null
    wait "$PERF"
    echo
    echo "== the server's profile under $op (share of its samples)"
    perf report -q -i /tmp/nuanxin-$op.perf --no-children --sort symbol --percent-limit 1 2>/dev/null | head -40
  done
fi
