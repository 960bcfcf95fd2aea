#!/bin/sh
# tools.sh DIR PACKAGE...: unpacks Debian packages that the tests run
# into DIR, without installing them: as packages they would bring
# services of their own onto the machine (ddclient, inadyn, openbsd-inetd,
# certbot's timer, prometheus).  Prints nothing and exits 0 when each is
# there; exits 1, saying why, when one cannot be had.
set -u
dir=$1
shift
mkdir -p "$dir/debs" || exit 1
cd "$dir/debs" || exit 1
# tests run two at a time: one unpacks while the other waits for it
exec 9>.lock && flock -w 300 9 || { echo "cannot lock $dir/debs" >&2; exit 1; }
for p in "$@"; do
	[ -f "$p.unpacked" ] && continue
	if ! apt-get download -q "$p" >download.log 2>&1; then
		# a machine whose package lists were never fetched
		[ "$(id -u)" = 0 ] && apt-get update -q >>download.log 2>&1 &&
		    apt-get download -q "$p" >>download.log 2>&1 || {
			echo "cannot download $p:" >&2
			tail -n 3 download.log >&2
			exit 1
		}
	fi
	for deb in ./"$p"_*.deb; do
		dpkg-deb -x "$deb" .. || exit 1
	done
	touch "$p.unpacked"
done
