#!/usr/bin/env bash
# Resident memory of the server under a sign-in flood: 50 concurrent logins (wrong
# passwords, distinct usernames, one client address), three rounds. Bounded: 150 requests.
# Usage: bash bench/login_flood.sh [path/to/nuanxin]   (default: target/release/nuanxin)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:-target/release/nuanxin}
[ -x "$BIN" ] || cargo build --release -q
DIR=$(mktemp -d)
PORT=${PORT:-18787}
export DATABASE_URL="sqlite://$DIR/bench.db?mode=rwc" NUANXIN_KEY_FILE="$DIR/keys.json"
export NUANXIN_BIND="127.0.0.1:$PORT" RUST_LOG=warn
"$BIN" serve > "$DIR/server.log" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null || true; rm -rf "$DIR"' EXIT
for _ in $(seq 1 50); do curl -s -o /dev/null "http://127.0.0.1:$PORT/healthz" && break; sleep 0.2; done
rss() { awk '/VmRSS/ {print $2}' "/proc/$PID/status"; }
hwm() { awk '/VmHWM/ {print $2}' "/proc/$PID/status"; }
echo "idle: RSS $(( $(rss) / 1024 )) MB"
# $1: attempt number; $2: source address on loopback (each its own client address).
login() {
  curl -s -o /dev/null -w '%{http_code}\n' --interface "${2:-127.0.0.1}" "http://127.0.0.1:$PORT/graphql" \
    -H 'content-type: application/json' \
    -d "{\"query\":\"mutation { login(username: \\\"flood$1\\\", password: \\\"wrong password $1\\\") { accessToken } }\"}"
}
export -f login; export PORT
for round in 1 2 3; do
  codes=$(seq $(( round * 100 )) $(( round * 100 + 49 )) | xargs -P 50 -I{} bash -c 'login {}' | sort | uniq -c | tr '\n' ' ')
  echo "round $round: answers $codes; RSS $(( $(rss) / 1024 )) MB, peak $(( $(hwm) / 1024 )) MB"
  sleep 1
done
# Fifty attempts from fifty addresses: none is rate-limited by address, so the bound on
# concurrent password checks is what holds memory (the rest wait, then get 503 Busy).
codes=$(seq 1 50 | xargs -P 50 -I{} bash -c 'login 9{} 127.0.0.$(( {} + 10 ))' | sort | uniq -c | tr '\n' ' ')
echo "50 addresses: answers $codes; RSS $(( $(rss) / 1024 )) MB, peak $(( $(hwm) / 1024 )) MB"
sleep 2
echo "after: RSS $(( $(rss) / 1024 )) MB, peak $(( $(hwm) / 1024 )) MB"
