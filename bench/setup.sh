# Shared by the load benchmarks (sourced): a fresh PostgreSQL database seeded with the demo
# city of $FAMILIES families, `nuanxin serve` (release) on $PORT, the city admin's $TOKEN and
# 500 real ID numbers in $IDS_FILE (unmasked through the API, each read logged).
FAMILIES=${FAMILIES:-50000}
PORT=${PORT:-18080}
PG=${BENCH_PG:-postgres://postgres:postgres@127.0.0.1:5432}
DB=${BENCH_DB:-nuanxin_bench}

command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
cargo build --release -q -p nuanxin-server --bin nuanxin
BIN=${CARGO_TARGET_DIR:-target}/release/nuanxin

psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB"
export DATABASE_URL="$PG/$DB"
eval "$($BIN keys | sed 's/^/export /')"
export NUANXIN_BIND=127.0.0.1:$PORT RUST_LOG=warn

echo "== seeding $FAMILIES families"
/usr/bin/time -f "seeded in %e s, peak RSS %M KB" $BIN demo --families "$FAMILIES"

$BIN serve > /tmp/nuanxin-bench-server.log 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null && break; sleep 0.2; done

G=http://127.0.0.1:$PORT/graphql
TOKEN=$(curl -s $G -H 'content-type: application/json' \
  -d '{"query":"mutation { login(username: \"city.admin\", password: \"nuanxin-demo-2026\") { accessToken } }"}' \
  | sed -E 's/.*"accessToken":"([^"]+)".*/\1/')
export TOKEN

IDS_FILE=$(mktemp)
export IDS_FILE
after=null
for _ in 1 2 3 4 5; do
  page=$(curl -s $G -H 'content-type: application/json' -H "authorization: Bearer $TOKEN" \
    -d "{\"query\":\"query(\$a: String) { families(first: 50, after: \$a) { edges { node { members { revealed(purpose: \\\"load benchmark\\\") { idNumber } } } } pageInfo { endCursor } } }\",\"variables\":{\"a\":$after}}")
  echo "$page" | grep -Eo '"idNumber":"[0-9X]{18}"' | cut -d'"' -f4 >> "$IDS_FILE"
  after="\"$(echo "$page" | sed -E 's/.*"endCursor":"([^"]+)".*/\1/')\""
done
echo "== $(wc -l < "$IDS_FILE") ID numbers collected"
