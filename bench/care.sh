#!/usr/bin/env bash
# Care-work benchmark (issue 7): a county (魏都区, 411002) of about 10,000 families with 30
# care records each on PostgreSQL; a family's timeline (a page of 20) and the county's
# accountability view, each at 32 connections with wrk. Loopback only; bounded in time.
#
#   bash bench/care.sh           # FAMILIES=60000 (≈10,000 in the county) DURATION=20s CONNECTIONS=32
set -euo pipefail
cd "$(dirname "$0")/.."

FAMILIES=${FAMILIES:-60000}
RECORDS=${RECORDS:-30}
DURATION=${DURATION:-20s}
CONNECTIONS=${CONNECTIONS:-32}
PORT=${PORT:-18081}
PG=${BENCH_PG:-postgres://postgres:postgres@127.0.0.1:5432}
DB=nuanxin_bench_care

command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
cargo build --release -q -p nuanxin-server --bin nuanxin
BIN=${CARGO_TARGET_DIR:-target}/release/nuanxin

psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB"
export DATABASE_URL="$PG/$DB"
eval "$($BIN keys | sed 's/^/export /')"
export NUANXIN_BIND=127.0.0.1:$PORT RUST_LOG=warn

echo "== seeding $FAMILIES families, $RECORDS care records each in 411002"
/usr/bin/time -f "seeded in %e s, peak RSS %M KB" \
  $BIN demo --families "$FAMILIES" --care-county 411002 --care-records "$RECORDS"
psql "$DATABASE_URL" -Atc "SELECT 'county families: ' || count(*) FROM family WHERE county_code = '411002'" \
  -c "SELECT 'care records: ' || count(*) FROM care_record"

$BIN serve > /tmp/nuanxin-bench-care.log 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null && break; sleep 0.2; done

G=http://127.0.0.1:$PORT/graphql
TOKEN=$(curl -s $G -H 'content-type: application/json' \
  -d '{"query":"mutation { login(username: \"weidu.admin\", password: \"nuanxin-demo-2026\") { accessToken } }"}' \
  | sed -E 's/.*"accessToken":"([^"]+)".*/\1/')
export TOKEN

# 500 family ids of the county, through the API.
IDS_FILE=$(mktemp)
export IDS_FILE
after=null
for _ in 1 2 3 4 5; do
  page=$(curl -s $G -H 'content-type: application/json' -H "authorization: Bearer $TOKEN" \
    -d "{\"query\":\"query(\$a: String) { families(first: 100, after: \$a) { edges { node { id } } pageInfo { endCursor } } }\",\"variables\":{\"a\":$after}}")
  echo "$page" | grep -Eo '"id":"[^"]+"' | cut -d'"' -f4 >> "$IDS_FILE"
  after="\"$(echo "$page" | sed -E 's/.*"endCursor":"([^"]+)".*/\1/')\""
done
echo "== $(wc -l < "$IDS_FILE") family ids collected"

echo "== familyTimeline(first: 20), $CONNECTIONS connections, $DURATION"
wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency -s bench/timeline.lua "$G"
echo "== accountability(regionCode: 411002), $CONNECTIONS connections, $DURATION"
wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency -s bench/accountability.lua "$G"
echo "== accountability(regionCode: 411002001), one township, $CONNECTIONS connections, $DURATION"
REGION=411002001 wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency -s bench/accountability.lua "$G"
