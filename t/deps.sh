#!/bin/sh
# Installs the Debian packages that building, testing and the demo need.
# As root it runs apt-get; otherwise it prints the line to run and fails.
# It never starts, stops, enables or disables a service: daemons that a
# package would start are kept from starting during the install (the
# Debian way, policy-rc.d), and services already on the machine are left
# as they are.  The tests start their own servers.  The dyndns2 clients
# that the tests run (ddclient, inadyn) come with services of their own,
# so they are not installed: t/clients.sh unpacks them into build/.
PACKAGES="gcc make pkg-config libc6-dev libconfuse-dev libtls-dev libssl-dev
	libcdb-dev libjansson-dev nettle-dev perl procps curl openssl bind9
	bind9-dnsutils systemd
	xinetd stunnel4 ucspi-tcp nginx-light mandoc man-db util-linux
	wget libio-socket-ssl-perl libconfuse2 libgnutls30 strace
	dpkg-dev debhelper lintian pebble lego python3-certbot"
# `t/deps.sh fuzz`: what make fuzz needs as well (libFuzzer)
[ "${1:-}" = fuzz ] && PACKAGES="$PACKAGES clang libclang-rt-dev"

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
policy=${POLICY_RC_D:-/usr/sbin/policy-rc.d}
ours=
if [ ! -e "$policy" ]; then
	printf '#!/bin/sh\n# sftdyn t/deps.sh: no daemon starts during the install\nexit 101\n' \
	    >"$policy" && chmod 755 "$policy" && ours=1
fi
export DEBIAN_FRONTEND=noninteractive
rc=0
apt-get update -q || rc=1
# shellcheck disable=SC2086
[ "$rc" = 0 ] && { apt-get install -y -q --no-install-recommends $missing || rc=1; }
[ -n "$ours" ] && rm -f "$policy"
exit "$rc"
