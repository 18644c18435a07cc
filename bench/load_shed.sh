#!/usr/bin/env bash
# 128 concurrent heavy requests (a page of 100 families with every member's entitlement)
# against a pool of 16 PostgreSQL connections, while two busy loops keep the cores loaded:
# each request completes or is refused quickly on its own (503 + Retry-After), never all
# together; resident memory is read before and after. Bounded: two rounds of 128 requests.
# Usage: bash bench/load_shed.sh [path/to/nuanxin]     (PostgreSQL on 127.0.0.1:5432)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:-target/release/nuanxin}
[ -x "$BIN" ] || cargo build --release -q
PGURL=${PGURL:-postgres://postgres:postgres@127.0.0.1:5432}
DB=nuanxin_bench_load
PORT=${PORT:-18789}
psql "$PGURL/postgres" -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB"
eval "$("$BIN" keys | sed 's/^/export /')"
export DATABASE_URL="$PGURL/$DB" NUANXIN_BIND="127.0.0.1:$PORT" RUST_LOG=warn NUANXIN_DB_MAX_CONNECTIONS=16
"$BIN" demo --families "${FAMILIES:-5000}" >/dev/null 2>&1
"$BIN" serve > /tmp/load_shed.log 2>&1 &
PID=$!
BURN=()
trap 'kill $PID "${BURN[@]}" 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do curl -s -o /dev/null "http://127.0.0.1:$PORT/healthz" && break; sleep 0.2; done
rss() { awk '/VmRSS/ {print int($2/1024)}' "/proc/$PID/status"; }
G="http://127.0.0.1:$PORT/graphql"
TOKEN=$(curl -s "$G" -H 'content-type: application/json' \
  -d '{"query":"mutation { login(username: \"city.admin\", password: \"nuanxin-demo-2026\") { accessToken } }"}' \
  | sed -E 's/.*"accessToken":"([^"]+)".*/\1/')
export G TOKEN
heavy() {
  curl -s -o /dev/null -w '%{http_code} %{time_total}\n' "$G" -H 'content-type: application/json' \
    -H "authorization: Bearer $TOKEN" \
    -d '{"query":"{ families(first: 100) { edges { node { id members { name idNumber entitlement(month: \"2026-10\") { entitled amountFen explanation } } } } } }"}'
}
export -f heavy
echo "idle: RSS $(rss) MB"
for _ in 1 2; do (while :; do :; done) & BURN+=($!); done
for round in 1 2; do
  seq 1 128 | xargs -P 128 -I{} bash -c heavy > "/tmp/load_shed.$round"
  echo "round $round (cores loaded): RSS $(rss) MB"
  for code in $(cut -d' ' -f1 "/tmp/load_shed.$round" | sort -u); do
    awk -v c="$code" '$1 == c { print $2 }' "/tmp/load_shed.$round" | sort -n | awk -v c="$code" \
      '{ t[NR] = $1 } END { i = int(NR * 0.99) + 1; if (i > NR) i = NR; printf "  %s: %d requests, p50 %.2fs, p99 %.2fs, max %.2fs\n", c, NR, t[int(NR / 2) + 1], t[i], t[NR] }'
  done
done
kill "${BURN[@]}" 2>/dev/null || true
sleep 3
echo "after: RSS $(rss) MB"
psql "$PGURL/postgres" -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || true
