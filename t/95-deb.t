#!/bin/bash
# The Debian package that make deb built (make check builds it first; run
# alone, this test builds it), extracted with dpkg-deb (never installed: a
# real sftdyn may run on this machine): its files, conffiles, relations
# and units checked, lintian run, and one request served through the
# extracted binary with a private named.
. "$(dirname "$0")/lib.sh"

if ! command -v dpkg-buildpackage >/dev/null || ! command -v dh >/dev/null; then
	echo "1..0 # SKIP dpkg-buildpackage or debhelper is missing"
	exit 0
fi

unpack_deb

# the file list
want="etc/sftdyn/conf lib/systemd/system/sftdyn-index.path
lib/systemd/system/sftdyn-index.service lib/systemd/system/sftdyn-status.service
lib/systemd/system/sftdyn-status.timer lib/systemd/system/sftdyn-tls.socket
lib/systemd/system/sftdyn-tls@.service lib/systemd/system/sftdyn.socket
lib/systemd/system/sftdyn@.service usr/sbin/sftdyn usr/sbin/sftdyn-tls
usr/share/doc/sftdyn/README.Debian usr/share/doc/sftdyn/README.gz
usr/share/doc/sftdyn/changelog.gz usr/share/doc/sftdyn/copyright
usr/share/doc/sftdyn/examples/dyn.example.org.zone
usr/share/doc/sftdyn/examples/inetd-tls.conf
usr/share/doc/sftdyn/examples/inetd.conf
usr/share/doc/sftdyn/examples/named-local.conf
usr/share/doc/sftdyn/examples/named-primary.conf
usr/share/doc/sftdyn/examples/named-secondary.conf
usr/share/doc/sftdyn/examples/nginx.conf
usr/share/doc/sftdyn/examples/sftdyn.conf
usr/share/doc/sftdyn/examples/stunnel-exec.conf
usr/share/doc/sftdyn/examples/stunnel-proxy.conf
usr/share/doc/sftdyn/examples/xinetd usr/share/doc/sftdyn/examples/xinetd-tls
usr/share/lintian/overrides/sftdyn
usr/share/man/man5/sftdyn.conf.5.gz
usr/share/man/man8/sftdyn-tls.8.gz usr/share/man/man8/sftdyn.8.gz"
is "$(cd "$R" && find . ! -type d | sed 's,^\./,,' | sort | tr '\n' ' ')" \
    "$(echo $want | tr ' ' '\n' | sort | tr '\n' ' ')" "the file list"
! grep -rq /usr/local "$R"
ok $? "nothing in the package names /usr/local"
is "$(cat "$T/control/conffiles")" /etc/sftdyn/conf "the configuration is a conffile"
is "$(dpkg-deb -c "$DEB" | awk '$6 == "./etc/sftdyn/conf" { print $1 }')" \
    "-rw-r-----" "installed mode 0640"
ctl=$(dpkg-deb -f "$DEB" Depends Recommends Suggests)
like "$ctl" 'Depends: bind9-dnsutils' "Depends: bind9-dnsutils (nsupdate)"
like "$ctl" 'Recommends: bind9' "Recommends: bind9"
like "$ctl" 'Suggests: stunnel4, xinetd' "Suggests: stunnel4, xinetd"
# dh_installsystemd's postinst re-enables a unit only if the admin had
# enabled it before (an upgrade), and starts nothing
is "$(grep -c 'deb-systemd-helper enable' "$T/control/postinst") $(grep -c 'deb-systemd-invoke start' "$T/control/postinst")" \
    "$(grep -c 'deb-systemd-helper --quiet was-enabled' "$T/control/postinst") 0" \
    "postinst enables only what was enabled, and starts nothing"
grep -q 'sftdyn -t /etc/sftdyn/conf' "$T/control/postinst"
ok $? "postinst compiles the client index"
grep -q 'install -d -m 0750 /var/lib/sftdyn' "$T/control/postinst" &&
    grep -q 'chown bind:bind /var/lib/sftdyn' "$T/control/postinst"
ok $? "postinst makes the state directory, bind's (t/96-package-user.t runs it)"
grep -q 'rm -rf /var/lib/sftdyn' "$T/control/postrm" &&
    grep -q 'rm -f /etc/sftdyn/conf.cdb' "$T/control/postrm"
ok $? "purge removes the state and the index"

# the units: paths that match, and systemd's own checks
is "$(unit_execs "$R/lib/systemd/system")" "$(shipped_execs /usr/sbin)" \
    "the units start /usr/sbin/sftdyn and /usr/sbin/sftdyn-tls"
mkdir "$T/units"
for u in "$R"/lib/systemd/system/*; do
	sed "s,/usr/sbin/,$R/usr/sbin/," "$u" >"$T/units/${u##*/}"
done
(cd "$T/units" && MANPATH="$R/usr/share/man" systemd-analyze verify ./*) \
    >"$T/verify.log" 2>&1
ok $? "systemd-analyze verify accepts the extracted units"
[ -s "$T/verify.log" ] && sed 's/^/# /' "$T/verify.log"

# lintian: no errors, every warning fixed or overridden (README.source)
lintian "$DEB" "$CHANGES" >"$T/lintian.log" 2>&1
! grep -E '^[EW]: ' "$T/lintian.log"
ok $? "lintian: no errors and no warnings"

# the extracted binary works
"$R/usr/sbin/sftdyn" -t "$R/etc/sftdyn/conf" >"$T/t.out" 2>&1
is "$? $(cat "$T/t.out")" "0 $R/etc/sftdyn/conf: ok" \
    "the extracted sftdyn -t passes the extracted configuration"
start_named
write_conf
SFTDYN=$R/usr/sbin/sftdyn start_sftdyn 127.0.0.1
is "$(get "/host=a.$ZONE,key=secret-a-long-enough" --interface 127.0.0.2)" "200 OK" \
    "the extracted binary serves an update"
is "$(rr a.$ZONE A)" 127.0.0.2 "DNS holds it"
is "$(get "/host=a.$ZONE,key=secret-a-long-enough" --interface 127.0.0.2)" "200 UPTODATE" \
    "and UPTODATE"

done_testing
