#!/usr/bin/env bash
# softhsm-setup.sh DIR — a SoftHSM2 PKCS#11 token for tests, standing in for a Vietnamese CA
# certificate token (VNPT-CA, Viettel-CA, …).
#
# Idempotent: installs softhsm2, opensc (pkcs11-tool), openssl and poppler-utils (pdfsig) when
# missing; creates DIR/softhsm2.conf with its token store in DIR/tokens; initialises the token
# "GDD Test CA Token"; generates an EC P-256 key pair (CKA_ID 01) and an RSA-2048 key pair
# (CKA_ID 02) on the token itself, so the private keys never exist outside it; issues X.509
# certificates for both public keys from a throwaway test CA and stores them on the token under
# the same CKA_ID. A second run with a complete DIR only prints the environment again.
#
# stdout carries only KEY=VALUE lines (shell-quoted where needed) for tests to parse; progress
# goes to stderr.
set -euo pipefail

if [ $# -ne 1 ]; then
	echo "usage: $0 DIR" >&2
	exit 2
fi
mkdir -p "$1"
DIR=$(cd "$1" && pwd)

LABEL="GDD Test CA Token"
SO_PIN=12345678
USER_PIN=123456
EC_ID=01
RSA_ID=02
SUBJ_CN="Lê Văn Đức"
SUBJ_O="UBND Xã Tân Mỹ Chánh"

log() { echo "softhsm-setup: $*" >&2; }

# install PKG... installs Debian packages. Tests of several Go packages may run this script at
# the same time, so dpkg is serialised with a lock file instead of failing on dpkg's own lock.
install() {
	if [ "$(id -u)" -ne 0 ]; then
		log "need root to install $* (apt-get)"
		exit 1
	fi
	(
		flock 9
		export DEBIAN_FRONTEND=noninteractive
		if ! apt-get install -y -qq -o DPkg::Lock::Timeout=300 "$@" >&2; then
			apt-get update -qq >&2
			apt-get install -y -qq -o DPkg::Lock::Timeout=300 "$@" >&2
		fi
	) 9>/tmp/gdd-softhsm-setup.apt.lock
}

find_lib() {
	local p
	for p in /usr/lib/softhsm/libsofthsm2.so /usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so /usr/local/lib/softhsm/libsofthsm2.so; do
		if [ -e "$p" ]; then
			echo "$p"
			return 0
		fi
	done
	return 1
}

need=()
find_lib >/dev/null || need+=(softhsm2)
command -v softhsm2-util >/dev/null || need+=(softhsm2)
command -v pkcs11-tool >/dev/null || need+=(opensc)
command -v openssl >/dev/null || need+=(openssl)
command -v pdfsig >/dev/null || need+=(poppler-utils)
command -v flock >/dev/null || need+=(util-linux)
if [ ${#need[@]} -gt 0 ]; then
	log "installing ${need[*]}"
	install "${need[@]}"
fi
LIB=$(find_lib)

export SOFTHSM2_CONF="$DIR/softhsm2.conf"
# slots.removable: the token reports CKF_REMOVABLE_DEVICE like a USB token does.
cat >"$SOFTHSM2_CONF.tmp" <<EOF
directories.tokendir = $DIR/tokens
objectstore.backend = file
log.level = ERROR
slots.removable = true
slots.mechanisms = ALL
EOF
mv "$SOFTHSM2_CONF.tmp" "$SOFTHSM2_CONF"
mkdir -p "$DIR/tokens"

p11() { pkcs11-tool --module "$LIB" --token-label "$LABEL" "$@"; }

slot_of_label() {
	# softhsm2-util prints "Slot N" blocks; the token label line follows within the block.
	softhsm2-util --show-slots 2>/dev/null | awk -v want="$LABEL" '
		/^Slot [0-9]+/ { slot = $2 }
		/^[ \t]*Label:/ { sub(/^[ \t]*Label:[ \t]*/, ""); sub(/[ \t]+$/, ""); if ($0 == want) { print slot; exit } }'
}

complete() {
	[ -s "$DIR/done" ] || return 1
	[ -n "$(slot_of_label)" ] || return 1
	local f
	for f in ca.pem ec-cert.pem rsa-cert.pem; do
		[ -s "$DIR/$f" ] || return 1
	done
	# Both certificates and both private keys must still be on the token.
	local objs
	objs=$(p11 --login --pin "$USER_PIN" --list-objects 2>/dev/null) || return 1
	[ "$(grep -c '^Certificate Object' <<<"$objs")" -ge 2 ] || return 1
	[ "$(grep -c '^Private Key Object' <<<"$objs")" -ge 2 ] || return 1
}

if ! complete; then
	log "creating token in $DIR/tokens"
	rm -rf "$DIR/tokens" "$DIR/done"
	mkdir -p "$DIR/tokens"
	softhsm2-util --init-token --free --label "$LABEL" --so-pin "$SO_PIN" --pin "$USER_PIN" >&2

	p11 --login --pin "$USER_PIN" --keypairgen --key-type EC:prime256v1 --id "$EC_ID" --label "GDD EC P-256" >&2
	p11 --login --pin "$USER_PIN" --keypairgen --key-type rsa:2048 --id "$RSA_ID" --label "GDD RSA 2048" >&2

	work="$DIR/ca"
	rm -rf "$work"
	mkdir -p "$work"
	# The test CA's key stays in DIR: it is a throwaway made for this token only.
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -utf8 \
		-keyout "$work/ca.key" -out "$DIR/ca.pem" -days 3650 -sha256 \
		-subj "/CN=GDD Test CA/O=GiayDiDuong Test/C=VN" \
		-addext "basicConstraints=critical,CA:TRUE" \
		-addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
	cat >"$work/leaf.ext" <<'EOF'
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,nonRepudiation
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid
EOF
	for kind in ec rsa; do
		id=$EC_ID
		[ "$kind" = rsa ] && id=$RSA_ID
		p11 --read-object --type pubkey --id "$id" -o "$work/$kind-pub.der" >&2
		openssl pkey -pubin -inform DER -in "$work/$kind-pub.der" -out "$work/$kind-pub.pem"
		# A request needs a private key to sign it, and the token's key cannot leave the token:
		# sign a stand-in request with the CA key and put the token's public key into the
		# certificate with -force_pubkey.
		openssl req -new -key "$work/ca.key" -utf8 -subj "/CN=$SUBJ_CN/O=$SUBJ_O/C=VN" -out "$work/$kind.csr"
		openssl x509 -req -in "$work/$kind.csr" -force_pubkey "$work/$kind-pub.pem" \
			-CA "$DIR/ca.pem" -CAkey "$work/ca.key" -CAcreateserial -days 825 -sha256 \
			-extfile "$work/leaf.ext" -out "$DIR/$kind-cert.pem" 2>/dev/null
		openssl x509 -in "$DIR/$kind-cert.pem" -outform DER -out "$work/$kind-cert.der"
		label="GDD EC P-256"
		[ "$kind" = rsa ] && label="GDD RSA 2048"
		p11 --login --pin "$USER_PIN" --write-object "$work/$kind-cert.der" --type cert --id "$id" --label "$label" >&2
	done
	date -u +%FT%TZ >"$DIR/done"
fi

SLOT=$(slot_of_label)
echo "SOFTHSM2_CONF=$SOFTHSM2_CONF"
echo "GDD_PKCS11_LIB=$LIB"
echo "GDD_PKCS11_SLOT=$SLOT"
echo "GDD_PKCS11_TOKEN_LABEL='$LABEL'"
echo "GDD_PKCS11_SO_PIN=$SO_PIN"
echo "GDD_PKCS11_PIN=$USER_PIN"
echo "GDD_TOKEN_PIN=$USER_PIN"
echo "GDD_PKCS11_CA_CERT=$DIR/ca.pem"
echo "GDD_PKCS11_EC_CERT=$DIR/ec-cert.pem"
echo "GDD_PKCS11_EC_ID=$EC_ID"
echo "GDD_PKCS11_RSA_CERT=$DIR/rsa-cert.pem"
echo "GDD_PKCS11_RSA_ID=$RSA_ID"
