#!/usr/bin/env bash
# Green-channel benchmark (issue 8, point 4): verifyGreenChannel by a hospital app at 32
# connections on PostgreSQL with 50,000 families (every father a consenting card holder),
# each call writing its access-log row; beside it the staff memberByIdNumber. wrk, loopback.
#
#   bash bench/green_channel.sh     # FAMILIES=50000 DURATION=20s CONNECTIONS=32
set -euo pipefail
cd "$(dirname "$0")/.."

FAMILIES=${FAMILIES:-50000}
DURATION=${DURATION:-20s}
CONNECTIONS=${CONNECTIONS:-32}
PORT=${PORT:-18082}
PG=${BENCH_PG:-postgres://postgres:postgres@127.0.0.1:5432}
DB=nuanxin_bench_green

command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
cargo build --release -q -p nuanxin-server --bin nuanxin
BIN=${CARGO_TARGET_DIR:-target}/release/nuanxin

psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB"
export DATABASE_URL="$PG/$DB"
eval "$($BIN keys | sed 's/^/export /')"
export NUANXIN_BIND=127.0.0.1:$PORT RUST_LOG=warn NUANXIN_PARTNER_RATE_PER_MINUTE=100000000

echo "== seeding $FAMILIES families, every father a card holder whose family consents"
$BIN demo --families "$FAMILIES" --green-channel "$FAMILIES"
ORG=$($BIN partner org-add --name "许昌市中心医院" --kind hospital --regions 411000 --valid-from 2020-01-01 | awk '{print $2}')
CREDS=$($BIN partner app-add --org "$ORG" --name "挂号窗口" 2>/dev/null)
CLIENT_ID=$(echo "$CREDS" | awk '/^client_id/ {print $2}')
CLIENT_SECRET=$(echo "$CREDS" | awk '/^client_secret/ {print $2}')
# The app runs only its registered operation (the hospital reference client's), by hash.
$BIN partner ops-add --app "$(echo "$CREDS" | awk '/^app / {print $2}')" clients/hospital/verify.graphql >/dev/null
export VERIFY_HASH=$(sha256sum clients/hospital/verify.graphql | cut -d' ' -f1)

$BIN serve > /tmp/nuanxin-bench-green.log 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null && break; sleep 0.2; done

G=http://127.0.0.1:$PORT/graphql
HOSPITAL=$(curl -s "http://127.0.0.1:$PORT/auth/token" -u "$CLIENT_ID:$CLIENT_SECRET" \
  -d grant_type=client_credentials | sed -E 's/.*"access_token":"([^"]+)".*/\1/')
STAFF=$(curl -s $G -H 'content-type: application/json' \
  -d '{"query":"mutation { login(username: \"city.admin\", password: \"nuanxin-demo-2026\") { accessToken } }"}' \
  | sed -E 's/.*"accessToken":"([^"]+)".*/\1/')

# 500 real ID numbers (fathers and mothers: half eligible), unmasked through the API.
IDS_FILE=$(mktemp)
export IDS_FILE
after=null
for _ in 1 2 3 4 5; do
  page=$(curl -s $G -H 'content-type: application/json' -H "authorization: Bearer $STAFF" \
    -d "{\"query\":\"query(\$a: String) { families(first: 50, after: \$a) { edges { node { members { revealed(purpose: \\\"load benchmark\\\") { idNumber } } } } pageInfo { endCursor } } }\",\"variables\":{\"a\":$after}}")
  echo "$page" | grep -Eo '"idNumber":"[0-9X]{18}"' | cut -d'"' -f4 >> "$IDS_FILE"
  after="\"$(echo "$page" | sed -E 's/.*"endCursor":"([^"]+)".*/\1/')\""
done
echo "== $(wc -l < "$IDS_FILE") ID numbers collected"

echo "== verifyGreenChannel (hospital app), $CONNECTIONS connections, $DURATION"
TOKEN=$HOSPITAL wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency -s bench/verify.lua "$G"
echo "== memberByIdNumber (city admin), $CONNECTIONS connections, $DURATION"
TOKEN=$STAFF wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency -s bench/by_id.lua "$G"
