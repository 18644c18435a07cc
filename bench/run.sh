#!/usr/bin/env bash
# Load benchmark: a demo city of 50,000 families on PostgreSQL, two operations at 32
# connections, measured with wrk (Debian package). Loopback only; bounded in time.
#
#   bash bench/run.sh            # FAMILIES=50000 DURATION=30s CONNECTIONS=32 by default
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-30s}
CONNECTIONS=${CONNECTIONS:-32}
# shellcheck source=bench/setup.sh
source bench/setup.sh

echo "== page of 50 families with members, $CONNECTIONS connections, $DURATION"
wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency -s bench/page50.lua "$G"
echo "== memberByIdNumber, $CONNECTIONS connections, $DURATION"
wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency -s bench/by_id.lua "$G"
