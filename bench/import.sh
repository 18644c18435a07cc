#!/usr/bin/env bash
# Bulk-import benchmark (issue 11): a county's file of 10,000 rows (5,000 families of two
# parents) uploaded to POST /imports/families on PostgreSQL, checked and written by its job;
# wall time from the upload until the job reports it committed. In the same run, for
# comparison, hand-written SQL writing the same rows (families, members, first statuses)
# in one transaction with no checks and no encryption: the floor our import stands on.
#
#   bash bench/import.sh           # ROWS=10000 by default
set -euo pipefail
cd "$(dirname "$0")/.."

ROWS=${ROWS:-10000}
PORT=${PORT:-18082}
PG=${BENCH_PG:-postgres://postgres:postgres@127.0.0.1:5432}
DB=nuanxin_bench_import

cargo build --release -q -p nuanxin-server --bin nuanxin
BIN=${CARGO_TARGET_DIR:-target}/release/nuanxin

psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB"
export DATABASE_URL="$PG/$DB"
eval "$($BIN keys | sed 's/^/export /')"
export NUANXIN_BIND=127.0.0.1:$PORT RUST_LOG=warn
$BIN demo --families 0 >/dev/null

FILE=$(mktemp --suffix=.csv)
python3 - "$ROWS" "$FILE" <<'PY'
import sys, datetime
rows, path = int(sys.argv[1]), sys.argv[2]
W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
def ident(born, seq):
    first = "411002" + born.strftime("%Y%m%d") + f"{seq:03d}"
    return first + "10X98765432"[sum(int(c) * w for c, w in zip(first, W)) % 11]
start = datetime.date(1950, 1, 1)
with open(path, "w", encoding="utf-8") as f:
    f.write("户号,村(社区)代码,光荣证号,光荣证发证日期,独生子女死亡日期,再生育或收养日期,成员身份,姓名,身份证号,联系电话,住址,户籍地代码,死亡日期\n")
    for i in range(rows // 2):
        born = start + datetime.timedelta(days=i)
        for role, name, seq in (("父亲", "王建国", 1), ("母亲", "李秀英", 2)):
            f.write(f"H{i},411002001001,豫许{i:05d},1989-01-15,2015-03-08,,{role},{name},{ident(born, seq)},1380000{i % 10000:04d},许昌市魏都区东大街{i}号,411002001001,\n")
PY

$BIN serve > /tmp/nuanxin-bench-import.log 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true; rm -f "$FILE"' EXIT
for _ in $(seq 1 50); do curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null && break; sleep 0.2; done
G=http://127.0.0.1:$PORT/graphql
TOKEN=$(curl -s $G -H 'content-type: application/json' \
  -d '{"query":"mutation { login(username: \"weidu.admin\", password: \"nuanxin-demo-2026\") { accessToken } }"}' \
  | sed -E 's/.*"accessToken":"([^"]+)".*/\1/')

echo "== importing $ROWS rows ($(du -h "$FILE" | cut -f1)) through POST /imports/families"
T0=$(date +%s.%N)
JOB=$(curl -s "http://127.0.0.1:$PORT/imports/families?dryRun=false" -H "authorization: Bearer $TOKEN" \
  -H 'content-type: text/csv' --data-binary @"$FILE" | sed -E 's/.*"jobId":"([^"]+)".*/\1/')
while :; do
  R=$(curl -s $G -H 'content-type: application/json' -H "authorization: Bearer $TOKEN" \
    -d "{\"query\":\"{ familyImport(id: \\\"$JOB\\\") { status committed done total problemCount } }\"}")
  echo "$R" | grep -q '"status":"running"' || break
  sleep 0.1
done
T1=$(date +%s.%N)
echo "$R"
OURS=$(echo "$T1 - $T0" | bc)
echo "ours: $OURS s"

echo "== the same rows by hand-written SQL (one transaction, no checks, no encryption)"
psql "$DATABASE_URL" -qc "CREATE TABLE bench_family AS SELECT * FROM family WHERE false" \
  -c "CREATE TABLE bench_member AS SELECT * FROM member WHERE false" \
  -c "CREATE TABLE bench_history AS SELECT * FROM family_status_history WHERE false"
T0=$(date +%s.%N)
psql "$DATABASE_URL" -q <<SQL
BEGIN;
INSERT INTO bench_family (id, region_code, city_code, county_code, township_code, village_code, status,
  honour_certificate_no, honour_certificate_date, child_death_date, created_by, created_at, updated_at)
SELECT md5(i::text)::uuid, '411002001001', '411000', '411002', '411002001', '411002001001', 'registered',
  'X' || i, '1989-01-15', '2015-03-08', gen_random_uuid(), now(), now() FROM generate_series(1, $ROWS / 2) i;
INSERT INTO bench_member (id, family_id, role, name, id_number_enc, id_number_bidx, birth_date, sex, phone_enc,
  address, hukou_region_code, created_at, updated_at)
SELECT gen_random_uuid(), md5((i / 2 + 1)::text)::uuid, CASE WHEN i % 2 = 0 THEN 'father' ELSE 'mother' END, '王建国',
  md5('id' || i), md5('bidx' || i), date '1950-01-01' + i / 2, 'male', md5('ph' || i), '许昌市', '411002001001', now(), now()
FROM generate_series(0, $ROWS - 1) i;
INSERT INTO bench_history (id, family_id, from_status, to_status, reason, actor_id, at)
SELECT gen_random_uuid(), md5(i::text)::uuid, NULL, 'registered', 'registered', gen_random_uuid(), now()
FROM generate_series(1, $ROWS / 2) i;
COMMIT;
SQL
T1=$(date +%s.%N)
FLOOR=$(echo "$T1 - $T0" | bc)
echo "hand-written SQL: $FLOOR s"
echo "ratio ours / SQL: $(echo "scale=1; $OURS / $FLOOR" | bc)"
