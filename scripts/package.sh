#!/usr/bin/env bash
# Builds the installers into build/bin/ from binaries `make build windows` left there:
#   giaydiduong-VERSION-windows-amd64-setup.exe   (NSIS: window + gddctl, Start menu, uninstaller)
#   giaydiduong_DEBVERSION_amd64.deb              (window + gddctl [+ gdd-server and its unit])
# Usage: scripts/package.sh VERSION   (VERSION: git describe --tags --always --dirty)
set -euo pipefail
cd "$(dirname "$0")/.."
version=${1:?usage: package.sh VERSION}
bin=build/bin
for f in giaydiduong gddctl giaydiduong.exe gddctl.exe; do
  [ -f "$bin/$f" ] || { echo "package: $bin/$f is missing (run make build windows)" >&2; exit 1; }
done

# a.b.c.d for Windows; a Debian version that sorts by tag: v1.2.3-4-gabc → 1.2.3+4.gabc,
# a commit with no tag yet → wails.json's productVersion~git.HASH.
product_version=$(sed -n 's/.*"productVersion": *"\([^"]*\)".*/\1/p' wails.json)
if [[ $version =~ ^v?([0-9]+\.[0-9]+\.[0-9]+)(-([0-9]+)-g([0-9a-f]+))?(-dirty)?$ ]]; then
  numeric="${BASH_REMATCH[1]}.${BASH_REMATCH[3]:-0}"
  debversion="${BASH_REMATCH[1]}"
  [ -n "${BASH_REMATCH[2]}" ] && debversion+="+${BASH_REMATCH[3]}.g${BASH_REMATCH[4]}"
  [ -n "${BASH_REMATCH[5]}" ] && debversion+="+dirty"
else
  numeric="$product_version.0"
  debversion="$product_version~git.${version//-/.}"
fi

# Windows installer.
setup="$bin/giaydiduong-$version-windows-amd64-setup.exe"
rm -f "$bin"/giaydiduong-*-windows-amd64-setup.exe
makensis -V2 -INPUTCHARSET UTF8 -DVERSION="$version" -DNUMVERSION="$numeric" \
  -DBINDIR="$PWD/$bin" -DOUTFILE="$PWD/$setup" build/windows/installer/project.nsi
echo "package: $setup ($(du -h "$setup" | cut -f1))"

# Debian package.
stage=$(mktemp -d /tmp/gdd-deb.XXXXXX)
trap 'rm -rf "$stage"' EXIT
root="$stage/giaydiduong"
install -s -Dm755 "$bin/giaydiduong" "$root/usr/bin/giaydiduong"
install -s -Dm755 "$bin/gddctl" "$root/usr/bin/gddctl"
install -Dm644 build/linux/giaydiduong.desktop "$root/usr/share/applications/giaydiduong.desktop"
for s in 48 128 256 512; do
  mkdir -p "$root/usr/share/icons/hicolor/${s}x${s}/apps"
  convert build/appicon.png -resize "${s}x${s}" -strip "$root/usr/share/icons/hicolor/${s}x${s}/apps/giaydiduong.png"
done
install -Dm644 README.md "$root/usr/share/doc/giaydiduong/README.md"
server=no
# gdd-server and its unit go in when the build made it (make build does).
if [ -f "$bin/gdd-server" ]; then
  server=yes
  install -s -Dm755 "$bin/gdd-server" "$root/usr/bin/gdd-server"
  install -Dm644 build/linux/gdd-server.service "$root/lib/systemd/system/gdd-server.service"
  install -Dm644 build/linux/giaydiduong.sysusers "$root/usr/lib/sysusers.d/giaydiduong.conf"
fi
mkdir -p "$root/DEBIAN"
size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
cat > "$root/DEBIAN/control" <<CTL
Package: giaydiduong
Version: $debversion
Architecture: amd64
Maintainer: GiayDiDuong <dev@giaydiduong.invalid>
Installed-Size: $size
Depends: libc6, libgtk-3-0, libwebkit2gtk-4.1-0
Recommends: cups-client, poppler-utils
Section: misc
Priority: optional
Homepage: https://giaydiduong.invalid
Description: Giấy đi đường - QR-signed travel permits for commune offices
 The office window (giaydiduong) and its command-line tool (gddctl): take
 applications from walk-in citizens, approve them, issue QR-signed permits,
 print them and verify them offline.
CTL
if [ $server = yes ]; then
  sed -i 's/^ print them and verify them offline\.$/&\n .\n Also the provincial server gdd-server, run by systemd as the gdd-server\n user with its data in \/var\/lib\/giaydiduong (not started until enabled)./' "$root/DEBIAN/control"
  cat > "$root/DEBIAN/postinst" <<'SH'
#!/bin/sh
# Creates the server's system user; the service is left for the admin to enable.
set -e
if [ "$1" = configure ]; then
  if command -v systemd-sysusers >/dev/null 2>&1; then
    systemd-sysusers giaydiduong.conf
  elif ! getent passwd gdd-server >/dev/null; then
    adduser --system --group --home /var/lib/giaydiduong --no-create-home gdd-server
  fi
  if [ -d /run/systemd/system ]; then systemctl daemon-reload || true; fi
fi
SH
  cat > "$root/DEBIAN/prerm" <<'SH'
#!/bin/sh
set -e
if [ -d /run/systemd/system ] && [ "$1" = remove ]; then
  systemctl stop gdd-server.service || true
fi
SH
  chmod 755 "$root/DEBIAN/postinst" "$root/DEBIAN/prerm"
fi
deb="$bin/giaydiduong_${debversion}_amd64.deb"
rm -f "$bin"/giaydiduong_*_amd64.deb
dpkg-deb --root-owner-group -Zxz --build "$root" "$deb" >/dev/null
echo "package: $deb ($(du -h "$deb" | cut -f1); gdd-server included: $server)"
