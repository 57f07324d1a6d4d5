#!/usr/bin/env bash
# Fresh-machine setup for development and tests (Debian 12, Node 20, .NET SDK).
#
#   scripts/setup.sh [--no-samba] [--no-pwsh] [--no-wine] [--no-service-host] [--no-chromium]
#
# Installs what is missing, and only that: npm packages, PowerShell 7.6.9 as a
# .NET global tool (~/.dotnet/tools/pwsh), Pester 5.7.1 from NuGet, the Samba
# AD DC packages used by scripts/testdc-start.sh, and wine64 for the Windows
# engine's smoke test and the Windows service test; checks the .NET SDK (10 or later) that builds
# the Windows service host and restores its NuGet packages (the win-x64 runtime and app host packs,
# ServiceController, EventLog; ProtectedData for the wine test's DPAPI stand-in). Quiet when all is present.
# --no-samba skips Samba; --no-pwsh skips PowerShell and Pester; --no-wine skips
# wine; --no-service-host skips the service host's SDK check and restore; --no-chromium skips
# Chromium (the HTML reports are opened in it headless by the rehearsal tests).
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
PWSH_VERSION=7.6.9
PESTER_VERSION=5.7.1
SAMBA_PACKAGES=(samba samba-ad-dc samba-ad-provision winbind ldb-tools openssl)
POLICY_RC=/usr/sbin/policy-rc.d

DO_SAMBA=1 DO_PWSH=1 DO_WINE=1 DO_SERVICE_HOST=1 DO_CHROMIUM=1
for arg in "$@"; do
  case $arg in
    --no-samba) DO_SAMBA=0 ;;
    --no-pwsh) DO_PWSH=0 ;;
    --no-wine) DO_WINE=0 ;;
    --no-service-host) DO_SERVICE_HOST=0 ;;
    --no-chromium) DO_CHROMIUM=0 ;;
    -h|--help) sed -n '2,12p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "setup: unknown option: $arg" >&2; exit 2 ;;
  esac
done

CHANGED=0
log() { echo "setup: $*"; }
die() { echo "setup: $*" >&2; exit 1; }

# Cleanup on any exit: the temporary NuGet project and our policy-rc.d guard.
TMP_DIRS=() OWN_POLICY_RC=0
cleanup() {
  local d
  for d in "${TMP_DIRS[@]}"; do rm -rf -- "$d"; done
  if [ "$OWN_POLICY_RC" = 1 ]; then as_root rm -f "$POLICY_RC" || true; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Keep the dotnet CLI from printing banners and sending telemetry (this process only).
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

need_dotnet() {
  command -v dotnet >/dev/null || die "the .NET SDK (dotnet) is not on PATH: install it first"
}

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"
  elif command -v sudo >/dev/null; then sudo "$@"
  else die "root is needed for: $*"
  fi
}

# --- npm packages --------------------------------------------------------------
setup_npm() {
  local stamp=$REPO/node_modules/.package-lock.json
  cd "$REPO"
  if [ -f package-lock.json ]; then
    if [ ! -d node_modules ] || [ package-lock.json -nt "$stamp" ]; then
      log "npm ci"
      npm ci --no-audit --no-fund --loglevel=error
      CHANGED=1
    fi
  elif [ ! -d node_modules ] || [ package.json -nt "$stamp" ]; then
    log "npm install (no package-lock.json)"
    npm install --no-audit --no-fund --loglevel=error
    CHANGED=1
  fi
}

# --- PowerShell as a .NET global tool ----------------------------------------------
setup_pwsh() {
  local pwsh=$HOME/.dotnet/tools/pwsh current
  need_dotnet
  if [ ! -x "$pwsh" ]; then
    log "installing PowerShell $PWSH_VERSION (dotnet global tool)"
    dotnet tool install --global PowerShell --version "$PWSH_VERSION" >/dev/null
    CHANGED=1
    return
  fi
  current=$(dotnet tool list --global | awk 'tolower($1) == "powershell" { print $2 }')
  if [ "$current" != "$PWSH_VERSION" ]; then
    # uninstall + install also works where "update" would refuse a downgrade.
    log "replacing PowerShell ${current:-unknown} with $PWSH_VERSION"
    if [ -n "$current" ]; then dotnet tool uninstall --global PowerShell >/dev/null; fi
    dotnet tool install --global PowerShell --version "$PWSH_VERSION" >/dev/null
    CHANGED=1
  fi
}

# --- Pester from NuGet (restored into the NuGet package cache) -------------------------
setup_pester() {
  local cache=${NUGET_PACKAGES:-$HOME/.nuget/packages} tmp major
  [ -f "$cache/pester/$PESTER_VERSION/tools/Pester.psd1" ] && return 0
  need_dotnet
  log "downloading Pester $PESTER_VERSION from NuGet"
  major=$(dotnet --version | cut -d. -f1)
  tmp=$(mktemp -d)
  TMP_DIRS+=("$tmp")
  # A throw-away project whose only job is to download the package.
  cat >"$tmp/pester-download.csproj" <<EOF
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <TargetFramework>net$major.0</TargetFramework>
  </PropertyGroup>
  <ItemGroup>
    <PackageDownload Include="Pester" Version="[$PESTER_VERSION]" />
  </ItemGroup>
</Project>
EOF
  dotnet restore "$tmp/pester-download.csproj" --verbosity quiet >/dev/null
  [ -f "$cache/pester/$PESTER_VERSION/tools/Pester.psd1" ] \
    || die "Pester $PESTER_VERSION was restored but $cache/pester/$PESTER_VERSION/tools/Pester.psd1 is missing"
  CHANGED=1
}

# --- Samba AD DC packages -----------------------------------------------------------
samba_present() {
  local pkg
  [ -x /usr/sbin/samba ] || command -v samba >/dev/null || return 1
  command -v samba-tool >/dev/null || return 1
  [ -f /usr/share/samba/setup/provision.ldif ] || return 1   # samba-ad-provision
  for pkg in "${SAMBA_PACKAGES[@]}"; do
    dpkg-query -W -f='${db:Status-Abbrev}' "$pkg" 2>/dev/null | grep -q '^ii' || return 1
  done
}

# The distro's own Samba services must not run: they would hold ports 389/636.
stop_distro_samba() {
  local unit pair svc pidname pid
  if [ -d /run/systemd/system ] && command -v systemctl >/dev/null; then
    for unit in samba-ad-dc smbd nmbd winbind samba; do
      if systemctl is-active --quiet "$unit" 2>/dev/null; then
        log "stopping service $unit"
        as_root systemctl stop "$unit" || true
        CHANGED=1
      fi
      if systemctl is-enabled --quiet "$unit" 2>/dev/null; then
        log "disabling service $unit"
        as_root systemctl disable --quiet "$unit" || true
        CHANGED=1
      fi
    done
  else
    # No systemd: the init scripts' pid files tell whether a distro daemon runs.
    for pair in samba-ad-dc:samba smbd:smbd nmbd:nmbd winbind:winbindd; do
      svc=${pair%%:*} pidname=${pair#*:}
      pid=$(cat "/run/samba/$pidname.pid" 2>/dev/null || true)
      if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && [ -x "/etc/init.d/$svc" ]; then
        log "stopping service $svc"
        as_root "/etc/init.d/$svc" stop >/dev/null || true
        CHANGED=1
      fi
    done
  fi
}

setup_samba() {
  if ! samba_present; then
    log "installing ${SAMBA_PACKAGES[*]}"
    # Keep apt from starting the distro's daemons (policy-rc.d exit 101 = action
    # forbidden); an existing policy-rc.d is left as it is.
    if [ ! -e "$POLICY_RC" ]; then
      OWN_POLICY_RC=1
      as_root sh -c "printf '#!/bin/sh\nexit 101\n' >$POLICY_RC && chmod 0755 $POLICY_RC"
    fi
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${SAMBA_PACKAGES[@]}" >/dev/null
    if [ "$OWN_POLICY_RC" = 1 ]; then as_root rm -f "$POLICY_RC"; OWN_POLICY_RC=0; fi
    samba_present || die "Samba packages installed but samba/samba-tool/provisioning templates are missing"
    CHANGED=1
  fi
  stop_distro_samba
}

# wine64 runs the Windows engine (build/jcadi-engine.exe) in its smoke test, and the Windows service
# (build/jcadi-service.exe with the engine) under its service manager (wine-service.test.ts).
wine_present() { [ -x /usr/lib/wine/wine64 ] || command -v wine64 >/dev/null; }
setup_wine() {
  if ! wine_present; then
    log "installing wine64 (for the Windows engine's smoke test)"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends wine64 >/dev/null
    wine_present || die "wine64 installed but /usr/lib/wine/wine64 is missing"
    CHANGED=1
  fi
}

# Chromium (Debian's package) opens the HTML reports headless: the rehearsal tests check their DOM
# (summary, one row per check, the filter) and keep a screenshot under build/reports.
chromium_present() { command -v chromium >/dev/null; }
setup_chromium() {
  if ! chromium_present; then
    log "installing chromium (the HTML reports are checked in it, headless)"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null
    chromium_present || die "chromium installed but not on PATH"
    CHANGED=1
  fi
}

# --- The Windows service host (engine/service-host, C#) ------------------------------------
# It targets net10.0: a console build for the tests and a self-contained win-x64 publish (the
# service), so it needs the .NET 10 SDK and, from NuGet, the win-x64 runtime and app host packs
# and the ServiceController and EventLog packages. The wine service test's DPAPI stand-in
# (tests/engine/fixtures/wine-dpapi) needs ProtectedData. Restored once here, then cached.
SERVICE_HOST_PROJECT=$REPO/engine/service-host/JumpCloudADI.ServiceHost.csproj
WINE_DPAPI_PROJECT=$REPO/tests/engine/fixtures/wine-dpapi/WineDpapi.csproj
SERVICE_HOST_PACKAGES=(microsoft.netcore.app.runtime.win-x64 microsoft.netcore.app.host.win-x64
  system.serviceprocess.servicecontroller system.diagnostics.eventlog system.security.cryptography.protecteddata)
setup_service_host() {
  local cache=${NUGET_PACKAGES:-$HOME/.nuget/packages} major pkg missing=0
  command -v dotnet >/dev/null \
    || die "the .NET SDK (dotnet) is not on PATH: install the .NET 10 SDK; it builds the Windows service host (jcadi-service.exe)"
  major=$(dotnet --list-sdks | sed -n 's/^\([0-9]*\)\..*/\1/p' | sort -n | tail -1)
  [ "${major:-0}" -ge 10 ] \
    || die "the .NET SDK ${major:-?} is too old for the Windows service host: install the .NET 10 SDK"
  for pkg in "${SERVICE_HOST_PACKAGES[@]}"; do [ -d "$cache/$pkg" ] || missing=1; done
  [ "$missing" = 0 ] && return 0
  log "restoring the Windows service host's NuGet packages (win-x64 runtime, ServiceController, EventLog, ProtectedData)"
  # --force: a restore that an earlier build left "up to date" in obj/ must still fill this cache.
  dotnet restore "$SERVICE_HOST_PROJECT" --force --verbosity quiet >/dev/null
  dotnet restore "$SERVICE_HOST_PROJECT" -p:RuntimeIdentifier=win-x64 --force --verbosity quiet >/dev/null
  dotnet restore "$WINE_DPAPI_PROJECT" --force --verbosity quiet >/dev/null
  for pkg in "${SERVICE_HOST_PACKAGES[@]}"; do
    [ -d "$cache/$pkg" ] || die "dotnet restore did not bring $pkg into $cache"
  done
  CHANGED=1
}

command -v node >/dev/null || die "node is not on PATH (Node 20 is required)"
command -v npm >/dev/null || die "npm is not on PATH"
setup_npm
if [ "$DO_PWSH" = 1 ]; then setup_pwsh; setup_pester; fi
if [ "$DO_SAMBA" = 1 ]; then setup_samba; fi
if [ "$DO_WINE" = 1 ]; then setup_wine; fi
if [ "$DO_SERVICE_HOST" = 1 ]; then setup_service_host; fi
if [ "$DO_CHROMIUM" = 1 ]; then setup_chromium; fi

if [ "$CHANGED" = 0 ]; then log "all present"; else log "done"; fi
