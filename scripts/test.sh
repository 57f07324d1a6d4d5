#!/usr/bin/env bash
# npm test: the whole suite from a fresh machine. Installs what is missing, builds the engine,
# checks types and lint, runs engine unit tests, starts the test DC, runs engine integration
# tests, Pester (Unit + Integration) and npm run demo (checked), then the fault suite (its own
# private DC), stops the DC.
# Every stage runs; the exit code and the last line say whether all passed.
set -uo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
export PATH="$HOME/.dotnet/tools:$PATH"
logdir="$repo/build/test-logs"

bash scripts/setup.sh || { echo "test: setup failed"; exit 1; }
mkdir -p "$logdir"

passed=0 failed=0 skipped=0 broken=()
stage() { # stage NAME COMMAND...: runs a stage, tees its output, counts its tests
  local name="$1"; shift
  echo "=== $name"
  "$@" 2>&1 | tee "$logdir/$name.log"
  local rc=${PIPESTATUS[0]}
  local p f s
  p=$(grep -aoE '^ℹ pass [0-9]+|^pester: [0-9]+ passed' "$logdir/$name.log" | grep -oE '[0-9]+' | tail -1)
  f=$(grep -aoE '^ℹ fail [0-9]+|^pester: [0-9]+ passed, [0-9]+ failed' "$logdir/$name.log" | grep -oE '[0-9]+' | tail -1)
  s=$(grep -aoE '^ℹ skipped [0-9]+|, [0-9]+ skipped$' "$logdir/$name.log" | grep -oE '[0-9]+' | tail -1)
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0})); skipped=$((skipped + ${s:-0}))
  if [ "$rc" -ne 0 ]; then broken+=("$name"); fi
}

stage build node scripts/build-engine.mjs --quiet
stage typecheck npx --no-install tsc -p engine/tsconfig.json --noEmit
stage lint npx --no-install eslint engine tests/engine scripts
# Unused files, exports and dependencies (knip.json) and the formatting (.prettierrc.json).
stage knip npx --no-install knip
stage format npx --no-install prettier --check "engine/**/*.ts" "tests/engine/**/*.ts" "tests/pester/Helpers/*.mjs" "scripts/**/*.mjs" eslint.config.mjs
stage engine-unit node scripts/run-node-tests.mjs unit

# The DC is stopped at the end unless JCADI_KEEP_TESTDC=1 (handy while iterating).
bash scripts/testdc-start.sh --quiet || broken+=("testdc-start")
trap '[ -n "${JCADI_KEEP_TESTDC:-}" ] || bash scripts/testdc-stop.sh >/dev/null 2>&1' EXIT

stage engine-integration node scripts/run-node-tests.mjs integration
stage pester pwsh -NoProfile -NonInteractive -File scripts/run-pester.ps1 -CI
# The README's main command, checked end to end (after the others: it leaves its OU on the DC).
stage demo node scripts/run-node-tests.mjs demo
# Faults, hostile input and secret canaries, on a private DC of their own (scripts/test-faults.sh).
stage faults bash scripts/test-faults.sh

echo
if [ ${#broken[@]} -gt 0 ]; then echo "test: failing stages: ${broken[*]} (logs in build/test-logs)"; fi
echo "tests: $passed passed, $failed failed, $skipped skipped"
[ ${#broken[@]} -eq 0 ] && [ "$failed" -eq 0 ]
