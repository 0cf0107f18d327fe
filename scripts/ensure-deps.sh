#!/usr/bin/env bash
# Installs what `make run` (deps run) or `make test` (deps test) needs on Debian 12, only when
# missing. Go and Node.js come with the machine (see README); everything else is installed here.
set -euo pipefail
what=${1:-run}

need_cmd() {
  command -v "$1" >/dev/null 2>&1 || { echo "ensure-deps: $1 is required: $2" >&2; exit 1; }
}
need_cmd go "install Go 1.26 (https://go.dev/dl) and put it on PATH"
need_cmd node "install Node.js 20 or newer with npm"

# sane-utils (scanimage) drives scanners for the scan import; sane-airscan adds driverless
# network scanners (eSCL/WSD). Tests scan from SANE's built-in "test" device.
pkgs=(pkg-config gcc libgtk-3-dev libwebkit2gtk-4.1-dev sane-utils sane-airscan)
if [ "$what" = test ]; then
  # Chromium for Playwright, Xvfb + ImageMagick for the desktop smoke test, sqlite3 for
  # inspecting databases in tests, poppler/zbar for checking printed output, mingw for the
  # Windows cross-build that `make test` checks, PostgreSQL 15 for the provincial server's
  # suite (scripts/start-postgres.sh starts a throwaway cluster from it), swtpm for the office
  # key's TPM tests (scripts/start-swtpm.sh also installs it when run alone), LibreOffice Calc
  # for the backfill and register tests (files saved by LibreOffice, registers it opens).
  pkgs+=(chromium xvfb xauth imagemagick sqlite3 poppler-utils zbar-tools fonts-noto-core gcc-mingw-w64-x86-64 postgresql swtpm swtpm-tools libreoffice-calc-nogui)
fi
if [ "$what" = test ] || [ "$what" = package ]; then
  # `make package`: mingw for the Windows cross-build, nsis (makensis) for its installer,
  # ImageMagick for the .deb's icons. Tests also run the Windows build under Wine (64-bit only).
  pkgs+=(gcc-mingw-w64-x86-64 nsis imagemagick)
  if [ "$what" = test ]; then pkgs+=(wine64); fi
fi
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "ensure-deps: installing ${missing[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# npm packages, exactly as locked, whenever the lock file changed since the last install.
cd "$(dirname "$0")/../frontend"
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
