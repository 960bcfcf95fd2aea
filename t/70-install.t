#!/bin/bash
# make install into a DESTDIR, the installed units checked by systemd, the
# man pages by mandoc, and make uninstall.
. "$(dirname "$0")/lib.sh"

R=$T/root
make -s -C "$TOP" install DESTDIR="$R" PREFIX=/usr SYSTEMDUNITDIR=/lib/systemd/system >"$T/install.log" 2>&1
ok $? "make install DESTDIR=... PREFIX=/usr"
for f in usr/bin/sftdyn usr/bin/sftdyn-tls usr/share/man/man8/sftdyn.8 usr/share/man/man5/sftdyn.conf.5 \
    lib/systemd/system/sftdyn.socket lib/systemd/system/sftdyn@.service \
    lib/systemd/system/sftdyn-tls.socket lib/systemd/system/sftdyn-tls@.service \
    lib/systemd/system/sftdyn-index.path lib/systemd/system/sftdyn-index.service \
    lib/systemd/system/sftdyn-status.service lib/systemd/system/sftdyn-status.timer \
    etc/sftdyn/conf usr/share/doc/sftdyn/README usr/share/doc/sftdyn/examples/xinetd \
    usr/share/doc/sftdyn/examples/inetd.conf usr/share/doc/sftdyn/examples/nginx.conf \
    usr/share/doc/sftdyn/examples/stunnel-exec.conf \
    usr/share/doc/sftdyn/examples/stunnel-proxy.conf \
    usr/share/doc/sftdyn/examples/named-primary.conf \
    usr/share/doc/sftdyn/examples/named-secondary.conf \
    usr/share/doc/sftdyn/examples/named-local.conf \
    usr/share/doc/sftdyn/examples/dyn.example.org.zone \
    usr/share/doc/sftdyn/examples/xinetd-tls \
    usr/share/doc/sftdyn/examples/inetd-tls.conf; do
	test -f "$R/$f"
	ok $? "installed $f"
done
is "$(stat -c %a "$R/usr/bin/sftdyn") $(stat -c %a "$R/etc/sftdyn/conf")" "755 640" "modes"
is "$(unit_execs "$R/lib/systemd/system")" "$(shipped_execs /usr/bin)" \
    "units run the installed binaries, the TLS one directly"
like "$(cat "$R/usr/share/doc/sftdyn/examples/xinetd")" 'server[[:space:]]+= /usr/bin/sftdyn$' \
    "examples name the installed binary"
like "$(cat "$R/usr/share/doc/sftdyn/examples/xinetd-tls")" 'server[[:space:]]+= /usr/bin/sftdyn-tls$' \
    "and the installed TLS binary"
test -d "$R/var/lib/sftdyn" && [ "$(stat -c %a "$R/var/lib/sftdyn")" = 750 ]
ok $? "make install made the state directory, mode 0750"
if [ "$(id -u)" = 0 ] && id bind >/dev/null 2>&1; then
	is "$(stat -c %U:%G "$R/var/lib/sftdyn")" bind:bind "owned by bind"
else
	skip 1 "needs root and user bind"
fi
is "$("$R/usr/bin/sftdyn" -t "$R/etc/sftdyn/conf")" "$R/etc/sftdyn/conf: ok" \
    "the installed sample configuration passes -t"
echo '# mine' >>"$R/etc/sftdyn/conf"
make -s -C "$TOP" install DESTDIR="$R" PREFIX=/usr >/dev/null 2>&1
is "$(tail -n 1 "$R/etc/sftdyn/conf")" "# mine" "install keeps an existing configuration"

# systemd's own checks, with the binary paths pointing at real files (the
# sanitizer build is one binary for both).
TLS_BIN=$(dirname "$SFTDYN")/sftdyn-tls
[ -x "$TLS_BIN" ] || TLS_BIN=$SFTDYN
mkdir "$T/units"
UNITS="sftdyn.socket sftdyn@.service sftdyn-tls.socket sftdyn-tls@.service
    sftdyn-index.path sftdyn-index.service sftdyn-status.service
    sftdyn-status.timer"
for u in $UNITS; do
	sed -e "s,/usr/bin/sftdyn-tls,$TLS_BIN," -e "s,/usr/bin/sftdyn,$SFTDYN," \
	    "$R/lib/systemd/system/$u" >"$T/units/$u"
done
# the path unit watches the configuration and the sample's clients-dir
cdir=$(sed -n 's/^#clients-dir = "\(.*\)"$/\1/p' "$R/etc/sftdyn/conf")
is "$(sed -n 's/^PathChanged=//p' "$R/lib/systemd/system/sftdyn-index.path" | tr '\n' ' ')" \
    "/etc/sftdyn/conf /etc/sftdyn/$cdir " \
    "sftdyn-index.path watches /etc/sftdyn/conf and the sample's clients-dir, $cdir"
(cd "$T/units" && MANPATH="$R/usr/share/man" systemd-analyze verify \
    $UNITS) >"$T/verify.log" 2>&1
ok $? "systemd-analyze verify accepts the units"
[ -s "$T/verify.log" ] && sed 's/^/# /' "$T/verify.log"
for u in sftdyn@.service sftdyn-tls@.service; do
	level=$(cd "$T/units" && systemd-analyze security --offline=yes "$u" 2>&1 |
	    sed -n 's/.*Overall exposure level for .*: \([0-9.]*\) .*/\1/p')
	awk -v l="$level" 'BEGIN { exit !(l != "" && l <= 2.0) }'
	ok $? "systemd-analyze security rates $u $level (2.0 or better)"
done
grep -q '^StandardInput=socket' "$T/units/sftdyn@.service" &&
    ! grep -q '^StandardInput' "$T/units/sftdyn-tls@.service"
ok $? "HTTP on fd 0/1, TLS on fd 3"

mandoc -Tlint -W warning "$TOP/man/sftdyn.8" "$TOP/man/sftdyn.conf.5"
ok $? "mandoc -Tlint: the man pages are clean"

make -s -C "$TOP" uninstall DESTDIR="$R" PREFIX=/usr SYSTEMDUNITDIR=/lib/systemd/system >/dev/null 2>&1
is "$(cd "$R" && find . -type f | sort | tr '\n' ' ')" "./etc/sftdyn/conf ./etc/sftdyn/conf.cdb " \
    "make uninstall leaves only the configuration and its index"

done_testing
