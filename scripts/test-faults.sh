#!/usr/bin/env bash
# npm run test:faults: the fault suite, the hostile-input corpus and the secret-canary scan
# (tests/engine/faults), on a PRIVATE test DC so that stopping a DC never touches the shared one:
# ${JCADI_FAULTS_DC_IP:-127.0.0.2} (added to lo when missing), state in
# ${JCADI_FAULTS_DC_DIR:-build/testdc-faults}. One work folder per run, build/faults/run-*, gets every
# log, journal, config, sandbox state and stdout/stderr capture; canary secrets live in its canary/
# folder (0700) and are passed to nothing but files and stdin. A watcher samples the argv (and the
# suite's environments) of every process meanwhile; the last test scans it all for the canaries.
#   scripts/test-faults.sh [--filter NAME]   (NAME: part of a scenario file name; the scan always runs)
# The private DC is stopped at the end unless JCADI_KEEP_TESTDC=1.
set -uo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
filter=""
while [ $# -gt 0 ]; do
  case $1 in
    --filter) filter="${2:-}"; shift 2 ;;
    *) echo "test-faults: unknown option: $1" >&2; exit 2 ;;
  esac
done

ip=${JCADI_FAULTS_DC_IP:-127.0.0.2}
dcdir=${JCADI_FAULTS_DC_DIR:-$repo/build/testdc-faults}
if [ "$ip" = "127.0.0.1" ]; then echo "test-faults: the private DC must not use the shared DC's address" >&2; exit 2; fi

[ -x build/jcadi-engine ] || node scripts/build-engine.mjs --quiet || exit 1
# (Read the list first: with pipefail, grep -q closing the pipe early would look like a miss.)
if [[ $(ip -o addr show dev lo) != *"inet $ip/"* ]]; then
  ip addr add "$ip/8" dev lo || { echo "test-faults: cannot add $ip to lo (needs root)" >&2; exit 1; }
fi
export JCADI_TESTDC_DIR="$dcdir" JCADI_TESTDC_IP="$ip"
bash scripts/testdc-start.sh --quiet >/dev/null || { echo "test-faults: the private DC on $ip did not start" >&2; exit 1; }

mkdir -p build/faults
# Keep the last three runs' folders for inspection.
mapfile -t old < <(ls -1d build/faults/run-* 2>/dev/null | sort | head -n -2)
[ ${#old[@]} -eq 0 ] || rm -rf -- "${old[@]}"
work="$repo/build/faults/run-$(date +%Y%m%d-%H%M%S)-$$"
mkdir -m 700 "$work"
export JCADI_FAULTS_WORK="$work" JCADI_STATE_DIR="$work/state"

node --import tsx scripts/faults-world.mjs canaries "$work" || exit 1
node --import tsx scripts/canary-watch.mjs "$work" $$ &
watcher=$!
finish() {
  kill -TERM "$watcher" 2>/dev/null; wait "$watcher" 2>/dev/null
  node --import tsx scripts/faults-world.mjs teardown "$work" || echo "test-faults: teardown failed (the run OU stays on the private DC until the next run)" >&2
  [ -n "${JCADI_KEEP_TESTDC:-}" ] || bash scripts/testdc-stop.sh --quiet >/dev/null 2>&1
}
trap finish EXIT
node --import tsx scripts/faults-world.mjs setup "$work" || exit 1

scenarios=()
for f in tests/engine/faults/*.test.ts; do
  case $f in */secret-canaries.test.ts) continue ;; esac
  if [ -z "$filter" ] || [[ $f == *"$filter"* ]]; then scenarios+=("$f"); fi
done
# One file at a time, the canary scan last (it reads what the others left).
node --import tsx --test --test-concurrency=1 --test-reporter=spec "${scenarios[@]}" tests/engine/faults/secret-canaries.test.ts 2>&1 | tee "$work/runner.out"
exit "${PIPESTATUS[0]}"
