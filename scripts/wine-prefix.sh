#!/usr/bin/env bash
# Prepares the Wine prefix the Windows tests run in, once per machine boot: wineboot runs only
# when the prefix is new, and the fixture DLLs are rebuilt only when their source changed.
# Prints the prefix path. Needs wine64 and gcc-mingw-w64-x86-64 (scripts/ensure-deps.sh test).
#   - bcryptprimitives.dll: Go >= 1.22 takes random bytes from ProcessPrng, which Windows 10+
#     has and Wine 8 lacks; this one forwards to RtlGenRandom. For Wine only, never shipped.
#   - a PKCS#11 module that reports one token, for probing the CA library names (see
#     tests/windows/pkcs11fixture); the test copies it in under a vendor's name when it needs it.
set -euo pipefail
# wineserver creates the files: owner-only, as a real %AppData% (see tests/windows).
umask 077
here=$(cd "$(dirname "$0")/.." && pwd)
prefix=${GDD_WINEPREFIX:-/tmp/gdd-wine}
wine=${WINE64:-/usr/lib/wine/wine64}
[ -x "$wine" ] || { echo "wine-prefix: $wine missing: apt-get install wine64" >&2; exit 1; }
command -v x86_64-w64-mingw32-gcc >/dev/null || { echo "wine-prefix: apt-get install gcc-mingw-w64-x86-64" >&2; exit 1; }
export WINEPREFIX=$prefix WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
exec 9>"$prefix.lock"
flock 9
if [ ! -f "$prefix/.gdd-ready" ]; then
  rm -rf "$prefix"
  "$wine" wineboot -i >/dev/null 2>&1
  "${wine%/*}/wineserver64" -w 2>/dev/null || true
  touch "$prefix/.gdd-ready"
fi
sys32="$prefix/drive_c/windows/system32"
fix="$prefix/.gdd-fixtures"
mkdir -p "$fix"
build() { # build OUT SRC... : rebuild OUT when a source is newer
  local out=$1; shift
  local src
  for src in "$@"; do
    if [ ! -f "$out" ] || [ "$src" -nt "$out" ]; then
      x86_64-w64-mingw32-gcc -shared -O2 -s -Wall -o "$out" "$@" -Wl,--kill-at ${LIBS:-}
      return
    fi
  done
}
LIBS=-ladvapi32 build "$fix/bcryptprimitives.dll" "$here/tests/windows/processprng/processprng.c"
LIBS="-I$(go env GOMODCACHE)/github.com/miekg/pkcs11@$(cd "$here" && go list -m -f '{{.Version}}' github.com/miekg/pkcs11)" \
  build "$fix/gdd-fixture-pkcs11.dll" "$here/tests/windows/pkcs11fixture/fixture.c"
cp -f "$fix/bcryptprimitives.dll" "$sys32/bcryptprimitives.dll"
echo "$prefix"
