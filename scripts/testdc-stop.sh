#!/usr/bin/env bash
# Stop the test Samba AD DC started by scripts/testdc-start.sh.
#
#   scripts/testdc-stop.sh [--wipe] [--quiet]
#
# Signals only the samba whose pid is in DIR/run/samba.pid and the processes of
# its own process group/tree (never a blind pkill). Exits 0 when nothing runs.
# --wipe also deletes DIR (${JCADI_TESTDC_DIR:-<repo>/build/testdc}).
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
DIR=${JCADI_TESTDC_DIR:-$REPO/build/testdc}
WAIT_SECONDS=10

WIPE=0 QUIET=0
for arg in "$@"; do
  case $arg in
    --wipe) WIPE=1 ;;
    --quiet) QUIET=1 ;;
    -h|--help) sed -n '2,8p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "testdc-stop: unknown option: $arg" >&2; exit 2 ;;
  esac
done

log() { if [ "$QUIET" = 0 ]; then echo "testdc: $*" >&2; fi; }

[ -d "$DIR" ] || { log "not running (no $DIR)"; exit 0; }
DIR=$(cd "$DIR" && pwd -P)
PIDFILE=$DIR/run/samba.pid

# True if PID is alive and is a samba process (names are rewritten: "samba: ...").
is_samba() {
  local cmd
  cmd=$({ tr '\0' ' ' <"/proc/$1/cmdline"; } 2>/dev/null) || return 1
  [[ $cmd == samba* ]]
}

# PID's descendants plus the members of its process group (samba -D makes itself
# a group leader, and a group id cannot be reused while the group exists), so
# orphaned workers are found too when the master itself is gone.
family() {
  local pid queue=("$1")
  {
    while [ ${#queue[@]} -gt 0 ]; do
      pid=${queue[0]}; queue=("${queue[@]:1}")
      echo "$pid"
      # shellcheck disable=SC2207
      queue+=($(ps -o pid= --ppid "$pid" || true))
    done
    ps -eo pid=,pgid= | awk -v g="$1" '$2 == g { print $1 }'
  } | tr -d ' ' | sort -un
}

samba_family() {
  local p
  for p in $(family "$1"); do
    if is_samba "$p"; then echo "$p"; fi
  done
}

pid=""
if [ -r "$PIDFILE" ]; then pid=$(tr -dc '0-9' <"$PIDFILE"); fi
pids=()
if [ -n "$pid" ]; then mapfile -t pids < <(samba_family "$pid"); fi

if [ ${#pids[@]} -gt 0 ]; then
  log "stopping samba (pid $pid, ${#pids[@]} processes)"
  # TERM to the master; it takes its workers down. Without a master, TERM them all.
  if is_samba "$pid"; then kill -TERM "$pid" 2>/dev/null || true
  else kill -TERM "${pids[@]}" 2>/dev/null || true
  fi
  deadline=$((SECONDS + WAIT_SECONDS))
  while :; do
    alive=()
    for p in "${pids[@]}"; do
      if is_samba "$p"; then alive+=("$p"); fi
    done
    [ ${#alive[@]} -gt 0 ] || break
    if [ $SECONDS -ge $deadline ]; then
      log "still alive after ${WAIT_SECONDS}s, killing: ${alive[*]}"
      kill -KILL "${alive[@]}" 2>/dev/null || true
      sleep 0.2
      break
    fi
    sleep 0.1
  done
  rm -f "$PIDFILE"
else
  log "not running"
fi

if [ "$WIPE" = 1 ]; then
  # Refuse to delete anything that does not look like a test DC directory.
  if [ -n "$(ls -A "$DIR")" ] && [ ! -e "$DIR/etc/smb.conf" ] && [ ! -e "$DIR/admin.secret" ] \
      && [ ! -e "$DIR/private" ]; then
    echo "testdc: $DIR does not look like a test DC directory: not wiping it" >&2
    exit 1
  fi
  log "wiping $DIR"
  rm -rf -- "$DIR"
fi
