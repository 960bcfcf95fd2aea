#!/bin/sh
# Builds libconfuse 3.3 with the patch we carry (patches/, an index of
# section titles: without it a configuration of n clients takes time
# n squared to parse) into build/libconfuse, statically.  The source is
# Debian's, fetched with apt-get through a private list that leaves the
# machine's apt configuration alone.  Exits 0 when the library is there;
# 1, saying why, when it cannot be had: the build then uses the system's
# libconfuse.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
out=$top/build/libconfuse
patch=$top/patches/libconfuse-3.3-title-index.patch
[ -f "$out/lib/libconfuse.a" ] && [ "$out/lib/libconfuse.a" -nt "$patch" ] &&
    exit 0
work=$top/build/libconfuse-src
rm -rf "$work" "$out"
mkdir -p "$work/apt/lists/partial" "$work/apt/cache/archives/partial" \
    "$out/lib" "$out/include" || exit 1
cd "$work" || exit 1
uri=$(sed -n 's/^URIs: *\(http[^ ]*debian\)$/\1/p; s/^deb \(http[^ ]*debian\) .*/\1/p' \
    /etc/apt/sources.list /etc/apt/sources.list.d/* 2>/dev/null | head -n 1)
codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")
echo "deb-src ${uri:-http://deb.debian.org/debian} $codename main" >sources.list
apt="-o Dir::Etc::SourceList=$work/sources.list -o Dir::Etc::SourceParts=/nonexistent
    -o Dir::State::Lists=$work/apt/lists -o Dir::Cache=$work/apt/cache
    -o APT::Sandbox::User=root"
# only the upstream tarball is needed (apt checks it against the .dsc)
# shellcheck disable=SC2086
{ apt-get $apt -q update && apt-get $apt -q source --download-only \
    libconfuse; } >fetch.log 2>&1
if ! [ -f libconfuse_3.3.orig.tar.xz ]; then
	echo "libconfuse.sh: cannot fetch libconfuse 3.3's source:" >&2
	tail -n 3 fetch.log >&2
	exit 1
fi
tar xf libconfuse_3.3.orig.tar.xz && cd libconfuse-3.3 &&
    patch -s -p1 <"$patch" && cd src &&
    flex -Pcfg_yy -olexer.c lexer.l || exit 1
for f in confuse.c lexer.c; do
	${CC:-cc} -O2 -g -fPIC -D_GNU_SOURCE -DHAVE_STRINGS_H -DHAVE_UNISTD_H \
	    -DHAVE_SYS_STAT_H -DHAVE_STRING_H -DHAVE_FMEMOPEN -DHAVE_REALLOCARRAY \
	    -DHAVE_STRDUP -DHAVE_STRNDUP -DHAVE_STRCASECMP \
	    -DPACKAGE='"confuse"' -DPACKAGE_VERSION='"3.3"' \
	    -DPACKAGE_STRING='"libConfuse 3.3"' -DLOCALEDIR='"/usr/share/locale"' \
	    -c -o "${f%.c}.o" "$f" || exit 1
done
ar rcs "$out/lib/libconfuse.a" confuse.o lexer.o && cp confuse.h "$out/include/"
