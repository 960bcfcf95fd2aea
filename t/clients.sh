#!/bin/sh
# Unpacks the dyndns2 clients the tests run, Debian's ddclient and inadyn,
# into build/clients, without installing them: as packages they would
# bring services of their own onto the machine.  Prints nothing and exits
# 0 when they are there; exits 1 (saying why) when they cannot be had.
set -u
dir=${1:-build/clients}
[ -x "$dir/usr/bin/ddclient" ] && [ -x "$dir/usr/sbin/inadyn" ] && exit 0
mkdir -p "$dir/debs" || exit 1
cd "$dir/debs" || exit 1
if ! apt-get download -q ddclient inadyn >download.log 2>&1; then
	# a machine whose package lists were never fetched
	[ "$(id -u)" = 0 ] && apt-get update -q >>download.log 2>&1 &&
	    apt-get download -q ddclient inadyn >>download.log 2>&1 || {
		echo "cannot download ddclient and inadyn:" >&2
		tail -n 3 download.log >&2
		exit 1
	}
fi
for deb in ./*.deb; do
	dpkg-deb -x "$deb" .. || exit 1
done
