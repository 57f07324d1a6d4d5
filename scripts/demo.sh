#!/usr/bin/env bash
# npm run demo: the main job on local defaults, from a fresh machine. Installs what is missing,
# builds the engine, starts the test DC (Samba, LDAPS with its test CA) and the JumpCloud
# sandbox with its demo org, then syncs the org into the DC as an admin would (demo.ps1).
# The DC stays up afterwards (npm run testdc:stop); the sandbox stops with the demo.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
export PATH="$HOME/.dotnet/tools:$PATH"
bash scripts/setup.sh
node scripts/build-engine.mjs --quiet
bash scripts/testdc-start.sh --quiet >/dev/null

# A fresh demo org each time (same ids every time, so AD converges back to it, then changes).
data="$repo/build/demo-sandbox"
rm -rf "$data"
mkdir -p "$repo/build"   # the sandbox makes its data folder itself, 0700 (it refuses a folder others can enter)
build/jcadi-engine sandbox --data "$data" --port 0 --seed demo >"$data.announce" 2>"$data.log" &
sandbox_pid=$!
trap 'kill "$sandbox_pid" 2>/dev/null || true; wait "$sandbox_pid" 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do [ -s "$data.announce" ] && break; sleep 0.1; done
[ -s "$data.announce" ] || { echo "demo: the sandbox did not start:"; cat "$data.log"; exit 1; }

pwsh -NoProfile -NonInteractive -File scripts/demo.ps1 -SandboxFile "$data.announce" "$@"
