#!/usr/bin/env bash
# Start a throw-away Samba AD DC on loopback for tests.
#
#   scripts/testdc-start.sh [--fresh] [--quiet]
#
# State lives in ${JCADI_TESTDC_DIR:-<repo>/build/testdc}; the DC listens on
# ${JCADI_TESTDC_IP:-127.0.0.1} (LDAP 389/636/3268/3269 only). A new provision uses the database
# backend ${JCADI_TESTDC_BACKEND:-tdb} (mdb: LMDB, for tens of thousands of objects). Prints the path of
# DIR/connection.json (no secrets; the admin password is in DIR/admin.secret, 0600).
# Needs root (Samba's AD DC refuses to run otherwise) and scripts/setup.sh's packages.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
DIR=${JCADI_TESTDC_DIR:-$REPO/build/testdc}
IP=${JCADI_TESTDC_IP:-127.0.0.1}
REALM=EXAMPLE.COM
DOMAIN=EXAMPLE
HOST=dc1
DNS_DOMAIN=example.com
BASE_DN=DC=example,DC=com
TEST_OU="OU=Corporate Users,$BASE_DN"
WAIT_SECONDS=30

FRESH=0 QUIET=0
for arg in "$@"; do
  case $arg in
    --fresh) FRESH=1 ;;
    --quiet) QUIET=1 ;;
    -h|--help) sed -n '2,10p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "testdc-start: unknown option: $arg" >&2; exit 2 ;;
  esac
done

log() { if [ "$QUIET" = 0 ]; then echo "testdc: $*" >&2; fi; }
die() { echo "testdc: $*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "must run as root (samba's AD DC requires it)"
for bin in samba samba-tool openssl timeout flock; do
  command -v "$bin" >/dev/null || die "$bin not found: run scripts/setup.sh"
done

# One start at a time per directory (parallel test runners): a lock file next to
# DIR, since --fresh deletes DIR itself.
mkdir -p "$(dirname "$DIR")"
exec 9>"${DIR%/}.lock"
flock -w 120 9 || die "timed out waiting for ${DIR%/}.lock"

if [ "$FRESH" = 1 ]; then
  stop_args=(--wipe)
  if [ "$QUIET" = 1 ]; then stop_args+=(--quiet); fi
  JCADI_TESTDC_DIR=$DIR bash "$REPO/scripts/testdc-stop.sh" "${stop_args[@]}"
fi

mkdir -p "$DIR"
DIR=$(cd "$DIR" && pwd -P)   # absolute, symlinks resolved
case $DIR in *[\\\"]*) die "directory name must not contain quotes or backslashes: $DIR" ;; esac
CONF=$DIR/etc/smb.conf
TLS=$DIR/tls
PIDFILE=$DIR/run/samba.pid
SECRET=$DIR/admin.secret
MARKER=$DIR/.provisioned     # written last: a directory without it is a broken provision

# Pid of our running samba master, or nothing.
running_pid() {
  local pid cmd
  [ -r "$PIDFILE" ] || return 1
  pid=$(tr -dc '0-9' <"$PIDFILE")
  [ -n "$pid" ] || return 1
  # Process titles are rewritten by samba ("samba: root process"): match the prefix.
  cmd=$({ tr '\0' ' ' <"/proc/$pid/cmdline"; } 2>/dev/null) || return 1
  [[ $cmd == samba* ]] || return 1
  echo "$pid"
}

# LDAPS answers and its certificate verifies against our CA (by IP address).
ldaps_ok() {
  timeout 5 openssl s_client -connect "$IP:636" -CAfile "$TLS/ca.pem" \
    -verify_return_error -verify_ip "$IP" </dev/null >/dev/null 2>&1
}

write_connection_json() {
  local tmp=$DIR/connection.json.tmp
  cat >"$tmp" <<EOF
{
  "host": "$IP",
  "port": 636,
  "hostname": "$HOST.$DNS_DOMAIN",
  "realm": "$REALM",
  "netbiosDomain": "$DOMAIN",
  "baseDN": "$BASE_DN",
  "adiDomain": "DC=example;DC=com",
  "caFile": "$TLS/ca.pem",
  "otherCaFile": "$TLS/other-ca.pem",
  "adminUPN": "Administrator@$DNS_DOMAIN",
  "adminDN": "CN=Administrator,CN=Users,$BASE_DN",
  "adminPasswordFile": "$SECRET",
  "dir": "$DIR",
  "pidFile": "$PIDFILE"
}
EOF
  chmod 0644 "$tmp"
  mv -f "$tmp" "$DIR/connection.json"
}

# --- Fast path: already running ----------------------------------------------
if pid=$(running_pid) && [ -f "$MARKER" ] && ldaps_ok; then
  log "already running (pid $pid)"
  write_connection_json
  echo "$DIR/connection.json"
  exit 0
fi

# --- Provision (once) ----------------------------------------------------------
make_ca() { # make_ca NAME CN
  openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 3650 \
    -keyout "$TLS/$1.key" -out "$TLS/$1.pem" -subj "/O=JumpCloudADI tests/CN=$2" \
    -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign \
    2>/dev/null
}

make_tls() {
  rm -rf "$TLS"
  mkdir -p "$TLS"
  (
    umask 077   # private keys are created 0600
    make_ca ca "JumpCloudADI Test CA"
    make_ca other-ca "Unrelated Test CA (must be rejected)"
    openssl req -new -newkey rsa:2048 -nodes -sha256 -keyout "$TLS/server.key" \
      -out "$TLS/server.csr" -subj "/CN=$HOST.$DNS_DOMAIN" 2>/dev/null
  )
  cat >"$TLS/server.ext" <<EOF
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = IP:$IP, DNS:localhost, DNS:$HOST.$DNS_DOMAIN
EOF
  openssl x509 -req -sha256 -days 825 -in "$TLS/server.csr" -CA "$TLS/ca.pem" \
    -CAkey "$TLS/ca.key" -set_serial "0x$(openssl rand -hex 16)" \
    -extfile "$TLS/server.ext" -out "$TLS/server.pem" 2>/dev/null
  rm -f "$TLS/server.csr" "$TLS/server.ext"
  chmod 0600 "$TLS"/*.key
  chmod 0644 "$TLS"/*.pem
  chmod 0755 "$TLS"
}

# smb.conf from scratch: the provision's [global] values plus every runtime path
# inside DIR, LDAP only, our certificate. No shares (no file server runs).
write_smb_conf() {
  cat >"$CONF" <<EOF
# Test DC for JumpCloudADI, generated by scripts/testdc-start.sh
[global]
	netbios name = ${HOST^^}
	workgroup = $DOMAIN
	realm = $REALM
	server role = active directory domain controller
	idmap_ldb:use rfc2307 = yes
	interfaces = $IP
	bind interfaces only = yes
	# LDAP/LDAPS (389, 636) and the global catalog (3268, 3269): nothing else.
	server services = ldap

	private dir = $DIR/private
	binddns dir = $DIR/bind-dns
	lock directory = $DIR
	state directory = $DIR/state
	cache directory = $DIR/cache
	pid directory = $DIR/run
	ncalrpc dir = $DIR/run/ncalrpc
	winbindd socket directory = $DIR/run/winbindd
	ntp signd socket directory = $DIR/run/ntp_signd
	smb passwd file = $DIR/private/smbpasswd
	usershare path = $DIR/usershares
	logging = file
	log file = $DIR/log/samba.log
	max log size = 10000
	panic action =

	tls enabled = yes
	tls keyfile = $TLS/server.key
	tls certfile = $TLS/server.pem
	tls cafile = $TLS/ca.pem
EOF
}

samba_python() {
  local shebang
  shebang=$(head -n 1 "$(command -v samba-tool)")
  shebang=${shebang#\#!}
  shebang=${shebang# }
  printf '%s' "${shebang%% *}"
}

provision() {
  local pw=""
  # A leftover directory (interrupted provision, or --fresh skipped): start over,
  # but only if it looks like ours.
  if [ -n "$(ls -A "$DIR")" ]; then
    [ -e "$DIR/etc/smb.conf" ] || [ -e "$SECRET" ] || [ -e "$DIR/private" ] \
      || die "$DIR is not empty and not a test DC directory: refusing to touch it"
    log "removing incomplete provision in $DIR"
    find "$DIR" -mindepth 1 -delete
  fi

  # Random admin password meeting AD complexity (upper, lower, digit, symbol).
  while [ ${#pw} -lt 20 ]; do
    pw=$(head -c 256 /dev/urandom | LC_ALL=C tr -dc 'A-Za-z0-9')
  done
  pw="Adm1n-${pw:0:20}"
  (umask 077; printf '%s' "$pw" >"$SECRET")

  log "provisioning $REALM in $DIR"
  # No --adminpass: a password on the command line is readable by every local user (ps) while the
  # provision runs. samba-tool makes a random one, which is replaced right after from the secret
  # file, through Samba's own Python bindings, and struck from the provision log.
  if ! samba-tool domain provision --realm="$REALM" --domain="$DOMAIN" \
      --server-role=dc --dns-backend=NONE --use-rfc2307 \
      --backend-store="${JCADI_TESTDC_BACKEND:-tdb}" \
      --targetdir="$DIR" --host-name="$HOST" --host-ip="$IP" \
      --option="interfaces = $IP" --option="bind interfaces only = yes" \
      >"$DIR/provision.log" 2>&1; then
    tail -n 20 "$DIR/provision.log" >&2
    die "provision failed (log: $DIR/provision.log)"
  fi
  sed -i '/Admin password:/d' "$DIR/provision.log"
  # samba-tool's interpreter (its first line): the one that has Samba's Python modules.
  if ! "$(samba_python)" - "$DIR/etc/smb.conf" "$DIR/private/sam.ldb" "$SECRET" >>"$DIR/provision.log" 2>&1 <<'PY'
import sys
from samba.auth import system_session
from samba.param import LoadParm
from samba.samdb import SamDB
smb_conf, sam_ldb, secret_file = sys.argv[1:4]
lp = LoadParm()
lp.load(smb_conf)
with open(secret_file, encoding="utf-8") as f:
    password = f.read()
SamDB(url=sam_ldb, session_info=system_session(), lp=lp).setpassword("(sAMAccountName=Administrator)", password, False, "Administrator")
PY
  then
    tail -n 20 "$DIR/provision.log" >&2
    die "setting the Administrator's password failed (log: $DIR/provision.log)"
  fi

  # The OU the product's documentation uses as its example root container.
  samba-tool ou create "$TEST_OU" -H "$DIR/private/sam.ldb" >>"$DIR/provision.log" 2>&1 \
    || die "could not create $TEST_OU (log: $DIR/provision.log)"

  make_tls
  mkdir -p "$DIR/run" "$DIR/log" "$DIR/cache"
  write_smb_conf
  touch "$MARKER"
}

pid=$(running_pid) || pid=""
if [ -z "$pid" ]; then
  # Samba binds only to an address some interface carries (else: "no network
  # interfaces found" and nothing listens).
  if command -v ip >/dev/null && [[ $(ip -o addr show) != *"inet $IP/"* ]]; then
    die "no interface has $IP (as root: ip addr add $IP/8 dev lo)"
  fi
  # The certificate and smb.conf name the address chosen at provision time.
  if [ -f "$MARKER" ] && ! grep -q "^[[:space:]]*interfaces = $IP\$" "$CONF"; then
    die "$DIR was provisioned for another address than $IP: use --fresh"
  fi
  # Another server on our ports would make samba fail (or tests talk to it).
  if timeout 2 bash -c ">/dev/tcp/$IP/636" 2>/dev/null; then
    die "$IP:636 is already in use by another process (not this test DC)"
  fi
fi

if [ ! -f "$MARKER" ]; then
  [ -z "$pid" ] || die "samba (pid $pid) runs on an incomplete provision: run scripts/testdc-stop.sh --wipe"
  provision
fi

# --- Start -------------------------------------------------------------------
if [ -n "$pid" ]; then
  log "samba (pid $pid) is running; waiting for LDAPS"
else
  rm -f "$PIDFILE"
  mkdir -p "$DIR/run" "$DIR/log"
  log "starting samba on $IP"
  # The log file is repeated on the command line: without it samba first opens
  # /var/log/samba/log.samba, before it has read smb.conf.
  # (9>&-: the daemon must not inherit, and so hold, our lock.)
  samba -D -s "$CONF" --option="log file = $DIR/log/samba.log" 9>&-
fi

# Bounded wait; give up early if samba died (after a grace period for its pid file).
started=$SECONDS
until ldaps_ok; do
  elapsed=$((SECONDS - started))
  if [ $elapsed -ge $WAIT_SECONDS ] || { [ $elapsed -ge 3 ] && ! running_pid >/dev/null; }; then
    echo "testdc: LDAPS on $IP:636 did not come up; last lines of $DIR/log/samba.log:" >&2
    tail -n 30 "$DIR/log/samba.log" >&2 2>/dev/null || true
    exit 1
  fi
  sleep 0.2
done

write_connection_json
log "ready: ldaps://$IP:636 (pid $(running_pid || echo '?'))"
echo "$DIR/connection.json"
