#!/usr/bin/env python3
"""Annual enrolment for the family accident insurance (计划生育家庭意外伤害保险).

Pulls the enrolment list for a policy year from Nuanxin, page by page, and files one policy
per listed member back (policy number, coverage period, premium in fen). Written to be run
by cron at 2 a.m. and to be safe to run again:

* Each page is filed with an Idempotency-Key made from the year and the page's members, so a
  page sent twice (the script was killed after sending, before noting it) is answered with
  the first result and files nothing twice. Policy numbers are derived from the member, so
  a second run files the same numbers (the API corrects, never duplicates, a member's
  policy of a year).
* After each page it notes the cursor in a state file (written atomically); a run that was
  killed resumes after the last page it noted. A finished year starts over only with
  --restart.

    NUANXIN_URL=http://127.0.0.1:8080 NUANXIN_CLIENT_ID=… NUANXIN_CLIENT_SECRET=… \\
        python3 enrol.py --year 2027 [--premium-fen 5000] [--state enrol-2027.json]
    python3 enrol.py --year 2027 --verify    # every listed member has exactly one policy

Exit codes: 0 done, 1 verification found a gap, 2 the API refused (see the message).
Standard library only (Python 3.8+).
"""

import argparse
import hashlib
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from nuanxin_client import ApiError, Client, Operation  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ENROLMENT = Operation(os.path.join(HERE, "enrolment.graphql"))
UPSERT = Operation(os.path.join(HERE, "upsert_policies.graphql"))
POLICIES = Operation(os.path.join(HERE, "policies.graphql"))


def policy_number(year, member_id):
    """Our policy number for a member and year: the same on every run."""
    return f"JH{year}-{hashlib.sha256(member_id.encode()).hexdigest()[:12].upper()}"


def load_state(path, year):
    try:
        with open(path, encoding="utf-8") as f:
            state = json.load(f)
        if state.get("year") == year:
            return state
    except (FileNotFoundError, ValueError):
        pass
    return {"year": year, "after": None, "filed": 0, "done": False}


def save_state(path, state):
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(state, f)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def enrolment_pages(client, year, after=None):
    while True:
        page = client.run(ENROLMENT, {"year": year, "after": after})["enrolment"]
        yield [e["node"] for e in page["edges"]], page["pageInfo"]["endCursor"]
        if not page["pageInfo"]["hasNextPage"]:
            return
        after = page["pageInfo"]["endCursor"]


def enrol(client, year, premium_fen, state_path, restart):
    state = load_state(state_path, year)
    if state["done"] and not restart:
        print(f"{year}: already finished ({state['filed']} policies); --restart to run again")
        return 0
    if restart:
        state = {"year": year, "after": None, "filed": 0, "done": False}
    crash_after = int(os.environ.get("ENROL_CRASH_AFTER_PAGES", "0"))
    pages = 0
    for members, cursor in enrolment_pages(client, year, state["after"]):
        if members:
            policies = [{
                "policyNumber": policy_number(year, m["memberId"]),
                "memberId": m["memberId"],
                "coverageStart": f"{year}-01-01",
                "coverageEnd": f"{year}-12-31",
                "premiumFen": premium_fen,
            } for m in members]
            key = "enrol-%d-%s" % (year, hashlib.sha256(
                "\n".join(sorted(m["memberId"] for m in members)).encode()).hexdigest()[:40])
            filed = client.run(UPSERT, {"year": year, "policies": policies},
                               idempotency_key=key)["upsertPolicies"]
            state["filed"] += len(filed)
        pages += 1
        if crash_after and pages >= crash_after:
            # For the CI's test of a run killed half-way: die after sending, before noting.
            os._exit(137)
        state["after"] = cursor or state["after"]
        save_state(state_path, state)
        print(f"{year}: page {pages} filed ({len(members)} members)", flush=True)
    state["done"] = True
    save_state(state_path, state)
    print(f"{year}: finished, {state['filed']} policies filed")
    return 0


def verify(client, year):
    listed = set()
    for members, _ in enrolment_pages(client, year):
        listed.update(m["memberId"] for m in members)
    policies = [p for p in client.run(POLICIES)["insurancePolicies"] if p["policyYear"] == year]
    insured = [p["memberId"] for p in policies]
    missing = listed - set(insured)
    doubled = {m for m in insured if insured.count(m) > 1}
    print(f"{year}: {len(listed)} listed, {len(policies)} policies, "
          f"{len(missing)} without a policy, {len(doubled)} with more than one")
    return 0 if listed and not missing and not doubled else 1


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--year", type=int, required=True)
    parser.add_argument("--premium-fen", type=int, default=5000)
    parser.add_argument("--state", help="state file (default enrol-<year>.json)")
    parser.add_argument("--restart", action="store_true")
    parser.add_argument("--verify", action="store_true")
    args = parser.parse_args()
    client = Client.from_env()
    try:
        if args.verify:
            return verify(client, args.year)
        return enrol(client, args.year, args.premium_fen,
                     args.state or f"enrol-{args.year}.json", args.restart)
    except ApiError as e:
        print(f"refused: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
