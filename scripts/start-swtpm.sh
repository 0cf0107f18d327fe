#!/usr/bin/env bash
# Starts a software TPM 2.0 (swtpm, from Debian) for the office key tests (backend/officekey).
#
#   scripts/start-swtpm.sh DIR
#
#   1. installs swtpm and swtpm-tools when swtpm is missing (apt-get; re-runs itself with
#      `sudo -n` when not root), taking a lock so that parallel test binaries install once;
#   2. starts `swtpm socket --tpm2` with its state in DIR/state, its command channel on the
#      Unix socket DIR/swtpm.sock and its control channel on DIR/swtpm.ctrl (no TCP port, so
#      nothing is reachable off this machine), powered on and started up (TPM2_Startup(CLEAR)),
#      as a daemon whose pid is in DIR/swtpm.pid;
#   3. waits until the socket exists.
#
# Stop it with: kill "$(cat DIR/swtpm.pid)". Progress goes to stderr; stdout gets exactly one
# line: the path of the command socket, for go-tpm's linuxudstpm transport.
set -euo pipefail

log() { echo "start-swtpm: $*" >&2; }
die() { log "error: $*"; exit 1; }

[ $# -eq 1 ] || die "usage: $0 DIR"
dir=$1

if ! command -v swtpm >/dev/null 2>&1; then
  install() {
    if [ "$(id -u)" -ne 0 ]; then
      sudo -n apt-get install -y swtpm swtpm-tools >&2
    else
      apt-get install -y swtpm swtpm-tools >&2
    fi
  }
  exec 9>/tmp/gdd-swtpm-install.lock
  flock 9
  if ! command -v swtpm >/dev/null 2>&1; then
    log "installing swtpm swtpm-tools"
    # apt may be held by another installer: retry for a while rather than fail the run.
    for i in $(seq 1 30); do
      if install; then break; fi
      [ "$i" -eq 30 ] && die "apt-get install swtpm failed"
      sleep 5
    done
  fi
  flock -u 9
fi

mkdir -p "$dir/state"
chmod 0700 "$dir"
sock=$dir/swtpm.sock
rm -f "$sock" "$dir/swtpm.ctrl"
swtpm socket --tpm2 --tpmstate "dir=$dir/state" \
  --server "type=unixio,path=$sock" --ctrl "type=unixio,path=$dir/swtpm.ctrl" \
  --flags not-need-init,startup-clear --pid "file=$dir/swtpm.pid" \
  --log "file=$dir/swtpm.log,level=1" --daemon >&2

for _ in $(seq 1 100); do
  [ -S "$sock" ] && { echo "$sock"; exit 0; }
  sleep 0.05
done
die "swtpm did not create $sock (see $dir/swtpm.log)"
