#!/usr/bin/env bash
# Roster benchmark: one month's rosters for 1,000,000 members (500,000 families, two
# parents each) across 100 counties, on PostgreSQL. Measures wall time and peak memory of
# `nuanxin roster generate-all` with /usr/bin/time.
#
#   bash bench/rosters.sh           # COUNTIES=100 FAMILIES_PER_COUNTY=5000 by default
#
# The families have been active since 2020 and every earlier month is taken as paid, so
# the arrears window is set to 0 months (NUANXIN_ARREARS_CAP_MONTHS=0): the benchmark
# measures the month itself, as in steady-state operation.
set -euo pipefail
cd "$(dirname "$0")/.."

COUNTIES=${COUNTIES:-100}
FAMILIES_PER_COUNTY=${FAMILIES_PER_COUNTY:-5000}
PG=${BENCH_PG:-postgres://postgres:postgres@127.0.0.1:5432}
DB=nuanxin_bench_rosters

cargo build --release -q -p nuanxin-server --bin nuanxin
BIN=${CARGO_TARGET_DIR:-target}/release/nuanxin

psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB"
export DATABASE_URL="$PG/$DB" NUANXIN_CITY=410000 NUANXIN_ARREARS_CAP_MONTHS=0 RUST_LOG=warn
eval "$($BIN keys | sed 's/^/export /')"

echo "== generating $((COUNTIES * FAMILIES_PER_COUNTY)) families ($((2 * COUNTIES * FAMILIES_PER_COUNTY)) members) in $COUNTIES counties"
/usr/bin/time -f "data generated in %e s, peak RSS %M KB" \
  $BIN bench-data --counties "$COUNTIES" --families-per-county "$FAMILIES_PER_COUNTY"

MONTH=$(TZ=Asia/Shanghai date +%Y-%m)
echo "== one month's rosters ($MONTH) for every county"
/usr/bin/time -f "rosters generated in %e s, peak RSS %M KB" $BIN roster generate-all --period "$MONTH"
psql "$PG/$DB" -qAt -c "SELECT 'rosters: ' || count(*) || ', lines: ' || sum(line_count) || ', total fen: ' || sum(total_fen) FROM roster"
