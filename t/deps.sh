#!/bin/sh
# Installs the Debian packages that building, testing and the demo need.
# As root it runs apt-get; otherwise it prints the line to run and fails.
PACKAGES="gcc make pkg-config libc6-dev libconfuse-dev libtls-dev libssl-dev
	libcdb-dev perl procps curl openssl bind9 bind9-dnsutils systemd
	xinetd stunnel4 ucspi-tcp nginx-light mandoc man-db"

missing=
for p in $PACKAGES; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null |
	    grep -q '^install ok installed$' || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "sftdyn needs these Debian packages; as root, run:" >&2
	echo "  apt-get install -y$missing" >&2
	exit 1
fi
echo "installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q || exit 1
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing || exit 1
# The tests start their own servers; the packaged ones stay out of the way.
for s in named bind9 nginx xinetd stunnel4; do
	if command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then
		systemctl disable --now "$s" >/dev/null 2>&1
	fi
done
exit 0
