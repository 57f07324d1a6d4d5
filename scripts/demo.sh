#!/usr/bin/env bash
# npm run demo: the main job on local defaults, from a fresh machine. Installs what is missing,
# builds the engine, starts the test DC and runs the module's cmdlets against it (demo.ps1).
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
export PATH="$HOME/.dotnet/tools:$PATH"
bash scripts/setup.sh
node scripts/build-engine.mjs --quiet
bash scripts/testdc-start.sh --quiet
pwsh -NoProfile -NonInteractive -File scripts/demo.ps1 "$@"
