#!/usr/bin/env bash
# Emergency-call fan-out across gateway replicas (issue 9): two replicas on one
# PostgreSQL, 1,000 subscriptions open on the second; the time from raiseEmergencyCall on
# the first to `next` on the sockets of the second, p50 and p99, beside a bare
# pg_notify → LISTEN in the same run. Release build; PostgreSQL at NUANXIN_TEST_DATABASE_URL
# (default postgres://postgres@127.0.0.1:5432/test).
#   SUBSCRIPTIONS=1000 HEARING=10 ROUNDS=50 bash bench/subscriptions.sh
set -euo pipefail
cd "$(dirname "$0")/.."
ulimit -n 8192 2>/dev/null || true
RUST_LOG=${RUST_LOG:-error} cargo run -q --release -p nuanxin-tests --example call_fanout
