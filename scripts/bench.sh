#!/usr/bin/env bash
# npm run bench: every benchmark (figures next to baselines measured in the same run, not
# pass/fail), then ONE combined table, also written to build/bench/latest.md and latest.json
# (scripts/bench-run.mjs). Installs what is missing and builds the engine.
# The benchmarks run against a test DC of their own, provisioned fresh for each run
# (${JCADI_BENCH_DC_IP:-127.0.0.3}, added to lo when missing; state in
# ${JCADI_BENCH_DC_DIR:-build/testdc-bench}): a DC whose database carries the deleted objects of
# weeks of tests writes several times slower (21 instead of 73 adds/s measured), and tens of
# thousands of benchmark writes would slow down everyone's tests on the shared DC. It is stopped
# at the end unless JCADI_KEEP_TESTDC=1.
#   npm run bench                 full sizes (about 30 minutes on 2 cores)
#   npm run bench -- --quick      small sizes, a smoke run of every benchmark (a few minutes)
# Sizes can be set one by one; see scripts/bench-run.mjs (BENCH_SYNC_ORGS, BENCH_NOOP_USERS, ...).
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
started=$SECONDS
bash scripts/setup.sh
node scripts/build-engine.mjs --quiet

ip=${JCADI_BENCH_DC_IP:-127.0.0.3}
dcdir=${JCADI_BENCH_DC_DIR:-$repo/build/testdc-bench}
if [ "$ip" = "127.0.0.1" ]; then echo "bench: the benchmark DC must not use the shared DC's address" >&2; exit 2; fi
if [[ $(ip -o addr show dev lo) != *"inet $ip/"* ]]; then
  ip addr add "$ip/8" dev lo || { echo "bench: cannot add $ip to lo (needs root)" >&2; exit 1; }
fi
# LMDB: Samba's default TDB store writes about half as fast, and both slow down as the domain
# grows (each add rewrites index records listing every user: about 140 adds/s in an empty domain,
# 60/s at 6,000 users on LMDB, 16/s at 11,000 on TDB).
export JCADI_TESTDC_DIR="$dcdir" JCADI_TESTDC_IP="$ip" JCADI_TESTDC_BACKEND=mdb JCADI_BENCH_OWN_DC=1
trap '[ -n "${JCADI_KEEP_TESTDC:-}" ] || bash scripts/testdc-stop.sh --quiet >/dev/null 2>&1; true' EXIT
bash scripts/testdc-start.sh --fresh --quiet >/dev/null

node --import tsx scripts/bench-run.mjs "$@"
echo "npm run bench: $((SECONDS - started)) s in all (setup, build, a fresh DC, the benchmarks)"
