#!/usr/bin/env bash
# Starts a local CUPS with a PDF queue for the printing tests (backend/printing), on Debian 12.
#
#   scripts/start-cups.sh [--test-tools]
#
# Idempotent; safe to run again and from several processes at once (it takes a lock):
#   1. installs cups, cups-client, cups-bsd and printer-driver-cups-pdf when missing
#      (--test-tools adds poppler-utils, whose pdfinfo the tests use to count pages);
#   2. starts cupsd when the scheduler is not running: through systemd when systemd is PID 1,
#      else /usr/sbin/cupsd directly, then waits for /run/cups/cups.sock to answer;
#   3. points cups-pdf at one fixed output directory, /var/spool/gdd-cups-pdf, for every user,
#      with the job id in every file name ("<title>-job_<id>.pdf"), and makes sure the cups-pdf
#      backend is root-owned mode 0700: cupsd runs such a backend as root, any other as the
#      unprivileged lp user, and cups-pdf needs root to write the file as the submitting user;
#   4. creates the queue GDD-PDF (device cups-pdf:/, the CUPS-PDF PPD of printer-driver-cups-pdf)
#      unless it already exists with that device, then enables it and makes it accept jobs. It
#      is not made the system default printer.
#
# Needs root (it re-runs itself with `sudo -n` otherwise). Progress goes to stderr; stdout gets
# exactly one line, the last: the directory where cups-pdf writes the printed PDFs.
set -euo pipefail

QUEUE=GDD-PDF
OUT_DIR=/var/spool/gdd-cups-pdf
SOCK=/run/cups/cups.sock
CONF=/etc/cups/cups-pdf.conf
BACKEND=/usr/lib/cups/backend/cups-pdf
PPD_FILE=/usr/share/ppd/cups-pdf/CUPS-PDF_opt.ppd

# lpstat and friends are parsed below: English messages, the local scheduler.
export LANG=C LC_ALL=C
unset LANGUAGE CUPS_SERVER

log() { echo "start-cups: $*" >&2; }
die() { log "error: $*"; exit 1; }

test_tools=0
for arg in "$@"; do
  case "$arg" in
    --test-tools) test_tools=1 ;;
    -h|--help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument: $arg (usage: $0 [--test-tools])" ;;
  esac
done

if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || die "must run as root (installs packages, starts cupsd, edits /etc/cups)"
  exec sudo -n -- "$0" "$@"
fi

# One run at a time: two test binaries may start this together.
lockdir=/run/lock
[ -d "$lockdir" ] || lockdir=/tmp
exec 9>"$lockdir/gdd-start-cups.lock"
flock -w 600 9 || die "another start-cups.sh has held $lockdir/gdd-start-cups.lock for 10 minutes"

# 1. Packages.
pkgs=(cups cups-client cups-bsd printer-driver-cups-pdf)
[ "$test_tools" -eq 1 ] && pkgs+=(poppler-utils)
missing=()
for p in "${pkgs[@]}"; do
  [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)" = "install ok installed" ] || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  log "installing ${missing[*]}"
  apt-get update -qq >&2 || die "apt-get update failed"
  # The packages' scripts try to (re)start cups through init scripts; on a machine without
  # systemd that fails harmlessly ("CUPS failed to reload its configuration") and we start it below.
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2 \
    || die "apt-get install ${missing[*]} failed"
fi
for cmd in lpstat lp lpadmin lpinfo cupsenable cupsaccept; do
  command -v "$cmd" >/dev/null 2>&1 || die "$cmd missing after installing ${pkgs[*]}"
done
[ -x /usr/sbin/cupsd ] || die "/usr/sbin/cupsd missing after installing cups"
[ -f "$BACKEND" ] || die "$BACKEND missing after installing printer-driver-cups-pdf"

# 2. The scheduler.
scheduler_up() { [ -S "$SOCK" ] && [ "$(lpstat -r 2>/dev/null || true)" = "scheduler is running" ]; }
if ! scheduler_up; then
  if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
    log "starting cups (systemctl start cups)"
    systemctl start cups >&2 9>&- || die "systemctl start cups failed; see journalctl -u cups"
  else
    log "starting /usr/sbin/cupsd"
    # No inherited descriptors: a daemon holding our stdout would keep a caller that reads
    # it (a Go test) waiting forever, and one holding fd 9 would keep the lock.
    /usr/sbin/cupsd </dev/null >/dev/null 2>&1 9>&- || die "/usr/sbin/cupsd failed to start; see /var/log/cups/error_log"
  fi
  for _ in $(seq 1 300); do
    scheduler_up && break
    sleep 0.1
  done
  scheduler_up || die "cupsd started but $SOCK does not answer after 30 s; see /var/log/cups/error_log"
fi

# 3. cups-pdf: one output directory for everybody, job id in the file name. cups-pdf reads this
# file for every job, so no restart is needed. Only rewritten when something changes.
[ -f "$CONF" ] || die "$CONF missing (printer-driver-cups-pdf)"
want_out="Out $OUT_DIR"
want_anon="AnonDirName $OUT_DIR"
want_label="Label 2"
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
grep -vE '^(Out|AnonDirName|Label)[[:space:]]|^# GiayDiDuong start-cups\.sh' "$CONF" >"$tmp" || true
{
  echo "# GiayDiDuong start-cups.sh: fixed output directory, job id in file names"
  echo "$want_out"
  echo "$want_anon"
  echo "$want_label"
} >>"$tmp"
if ! cmp -s "$tmp" "$CONF"; then
  log "configuring $CONF: $want_out, $want_anon, $want_label"
  cat "$tmp" >"$CONF"
fi
# Sticky and world-writable like /tmp: cups-pdf writes as the submitting user (root in CI),
# and each user's files stay private (cups-pdf's UserUMask 0077).
mkdir -p "$OUT_DIR"
chmod 1777 "$OUT_DIR"

# cupsd runs a backend as root only when it is root-owned and not readable by others, else as
# the lp user; cups-pdf needs root (it switches to the submitting user to write the file).
if [ "$(stat -c '%U %a' "$BACKEND")" != "root 700" ]; then
  log "fixing $BACKEND to root:root mode 0700"
  chown root:root "$BACKEND"
  chmod 0700 "$BACKEND"
fi

# 4. The queue.
if [ "$(lpstat -v "$QUEUE" 2>/dev/null || true)" != "device for $QUEUE: cups-pdf:/" ]; then
  model=$(lpinfo -m 2>/dev/null | awk '!found && $1 ~ /CUPS-PDF_opt\.ppd$/ {print $1; found = 1}' || true)
  if [ -n "$model" ]; then
    driver=(-m "$model")
  elif [ -f "$PPD_FILE" ]; then
    driver=(-P "$PPD_FILE")
  else
    die "no CUPS-PDF PPD: neither lpinfo -m nor $PPD_FILE has it"
  fi
  log "creating queue $QUEUE (cups-pdf:/, ${driver[*]})"
  # lpadmin warns that PPD drivers are deprecated; that is expected on CUPS 2.4.
  lpadmin -p "$QUEUE" -E -v cups-pdf:/ "${driver[@]}" \
    -D "GiayDiDuong PDF (cups-pdf, thử nghiệm)" -L "$OUT_DIR" >&2 || die "lpadmin -p $QUEUE failed"
fi
cupsenable "$QUEUE" >&2 || die "cupsenable $QUEUE failed"
cupsaccept "$QUEUE" >&2 || die "cupsaccept $QUEUE failed"

state=$(lpstat -p "$QUEUE" 2>&1 || true)
case "$state" in *"enabled since"*) ;; *) die "$QUEUE is not enabled: $state" ;; esac
accepting=$(lpstat -a "$QUEUE" 2>&1 || true)
case "$accepting" in "$QUEUE accepting requests"*) ;; *) die "$QUEUE does not accept jobs: $accepting" ;; esac
log "ready: queue $QUEUE writes PDFs to $OUT_DIR"
echo "$OUT_DIR"
