#!/usr/bin/env bash
# npm run bench: the benchmarks, each printing figures next to a baseline measured in the same
# run (not pass/fail). Installs what is missing, builds, starts the test DC, stops it after.
#   BENCH_USERS (default 2000) sizes the sync benchmark; BENCH_LIST_USERS (default 20000) the listing one;
#   BENCH_AGENT_USERS (default 500) and BENCH_AGENT_CHANGES (default 200) the agent one;
#   BENCH_CSV_ROWS (default 20000) the CSV import one.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
bash scripts/setup.sh
node scripts/build-engine.mjs --quiet
bash scripts/testdc-start.sh --quiet >/dev/null
trap '[ -n "${JCADI_KEEP_TESTDC:-}" ] || bash scripts/testdc-stop.sh >/dev/null 2>&1' EXIT

echo "## Engine start-up"
node scripts/bench-startup.mjs
echo
echo "## JumpCloud listing"
node --import tsx scripts/bench-jumpcloud.mjs --users "${BENCH_LIST_USERS:-20000}"
echo
echo "## Sync against the test DC"
node --import tsx scripts/bench-sync.mjs --users "${BENCH_USERS:-2000}"
echo
echo "## CSV import into the sandbox"
node --import tsx scripts/bench-csv.mjs --rows "${BENCH_CSV_ROWS:-20000}"
echo
echo "## Sync agent: propagation latency and failover"
node --import tsx scripts/bench-agent.mjs --users "${BENCH_AGENT_USERS:-500}" --changes "${BENCH_AGENT_CHANGES:-200}"
