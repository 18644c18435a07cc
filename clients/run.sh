#!/usr/bin/env bash
# The reference clients against a live server, as a partner's IT staff would run them: a
# fresh SQLite registry with the demo city, an insurer and a hospital filed through the
# command line with their apps' operations registered from the .graphql files here, then
#   * the insurer's enrolment script killed half-way, run again, run once more from the
#     start, and verified: every listed member has exactly one policy;
#   * the hospital's desk check: a card holder is eligible, a member without a card is
#     not, a mistyped ID number is caught before it is sent;
#   * the reference mini-program (clients/miniprogram): a family member binds, reads the
#     family and allowance pages, asks for help and presses the emergency button; a
#     volunteer checks in and logs a visit — pages rendered by miniprogram-simulate, every
#     wx.request sent to this server, which answers WeChat's calls through its stand-in.
# Called by .ci/run after the test suite; needs python3 (standard library only) and Node
# (npm ci installs the mini-program's test tools from its package-lock.json).
set -euo pipefail
cd "$(dirname "$0")/.."

PORT=${PORT:-18090}
TARGET=${CARGO_TARGET_DIR:-target}
cargo build -q -p nuanxin-server --bin nuanxin
BIN=$TARGET/debug/nuanxin
WORK=$(mktemp -d)
export DATABASE_URL="sqlite://$WORK/nuanxin.db?mode=rwc" NUANXIN_KEY_FILE="$WORK/keys.json"
export NUANXIN_BIND=127.0.0.1:$PORT RUST_LOG=warn
fail() { echo "FAIL: $*" >&2; exit 1; }

echo "== the demo city: 300 families, 150 consenting to insurers, every father a green-channel card holder"
$BIN demo --families 300 --insurance 150 --green-channel 300 >/dev/null 2>&1

app_for() { # kind name -> exports <PREFIX>_ID and <PREFIX>_SECRET; registers the files
  local kind=$1 name=$2 prefix=$3; shift 3
  local org creds app
  org=$($BIN partner org-add --name "$name" --kind "$kind" --regions 411000 --valid-from 2020-01-01 | awk '{print $2}')
  creds=$($BIN partner app-add --org "$org" --name "$name 接口" 2>/dev/null)
  app=$(echo "$creds" | awk '/^app / {print $2}')
  export "${prefix}_ID=$(echo "$creds" | awk '/^client_id/ {print $2}')"
  export "${prefix}_SECRET=$(echo "$creds" | awk '/^client_secret/ {print $2}')"
  $BIN partner ops-add --app "$app" "$@" >/dev/null
}
app_for insurer "中国人寿许昌分公司" INSURER clients/insurer/*.graphql
app_for hospital "许昌市中心医院" HOSPITAL clients/hospital/*.graphql

# The reference mini-program: registered by the AppID the server's WeChat stand-in answers
# for, with the operations of its .graphql files.
MINI_PROGRAM_APP_ID=wx0demo0standin0
$BIN partner mini-program-add --wechat-app-id "$MINI_PROGRAM_APP_ID" --name "暖心行动" >/dev/null
$BIN partner mini-program-ops-add --wechat-app-id "$MINI_PROGRAM_APP_ID" clients/miniprogram/operations/*.graphql >/dev/null

export NUANXIN_WECHAT_TEMPLATE_ALLOWANCE_PAID=tmpl-allowance-paid \
  NUANXIN_WECHAT_TEMPLATE_VISIT_SCHEDULED=tmpl-visit-scheduled \
  NUANXIN_WECHAT_TEMPLATE_REQUEST_ANSWERED=tmpl-request-answered
$BIN serve --wechat-standin > "$WORK/server.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true; rm -rf "$WORK"' EXIT
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null && break; sleep 0.2; done
curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null || { cat "$WORK/server.log"; fail "the server did not start"; }
export NUANXIN_URL=http://127.0.0.1:$PORT

echo "== insurer: the enrolment script, killed after its first page"
insurer() { NUANXIN_CLIENT_ID=$INSURER_ID NUANXIN_CLIENT_SECRET=$INSURER_SECRET python3 clients/insurer/enrol.py --year 2027 --state "$WORK/enrol.json" "$@"; }
set +e
ENROL_CRASH_AFTER_PAGES=1 insurer
status=$?
set -e
[ "$status" -eq 137 ] || fail "the crash hook did not stop the first run (exit $status)"
insurer --verify && fail "verification passed after a run killed on its first page"
echo "== insurer: run again (resumes), then once more from the start (files nothing twice)"
insurer
insurer --restart
insurer --verify || fail "the enrolment does not match the policies"

echo "== hospital: the registration-desk check"
read -r FATHER MOTHER < <(python3 - <<'PY'
import json, os, urllib.request
url = os.environ["NUANXIN_URL"] + "/graphql"
def gql(q, token=None):
    h = {"Content-Type": "application/json"}
    if token: h["Authorization"] = "Bearer " + token
    r = urllib.request.Request(url, data=json.dumps({"query": q}).encode(), headers=h)
    return json.loads(urllib.request.urlopen(r).read())["data"]
t = gql('mutation { login(username: "city.admin", password: "nuanxin-demo-2026") { accessToken } }')["login"]["accessToken"]
fams = gql('{ families(first: 20) { edges { node { members { role revealed(purpose: "绿色通道联调") { idNumber } } } } } }', t)
for e in fams["families"]["edges"]:
    ms = {m["role"]: m["revealed"]["idNumber"] for m in e["node"]["members"]}
    if "FATHER" in ms and "MOTHER" in ms:
        print(ms["FATHER"], ms["MOTHER"]); break
PY
)
[ -n "${MOTHER:-}" ] || fail "no demo family with a father and a mother"
hospital() { NUANXIN_CLIENT_ID=$HOSPITAL_ID NUANXIN_CLIENT_SECRET=$HOSPITAL_SECRET python3 clients/hospital/check.py "$@"; }
hospital "$FATHER" || fail "a card holder was not eligible"
set +e
hospital "$MOTHER"; s1=$?
hospital "41100219620412"; s2=$?
set -e
[ "$s1" -eq 1 ] || fail "a member without a card was answered $s1"
[ "$s2" -eq 2 ] || fail "a mistyped ID number was answered $s2"
echo "== the reference mini-program: its pages in WeChat's component test tool, against this server"
(cd clients/miniprogram && npm ci --no-audit --no-fund --loglevel=error >/dev/null && npx jest --runInBand) \
  || fail "the reference mini-program's tests"
echo "== reference clients passed"
