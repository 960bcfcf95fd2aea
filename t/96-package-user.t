#!/bin/bash
# The package as a user meets it, with nothing installed on this machine:
# its postinst run in a private root (overlays on /etc and /var/lib, an
# empty /run), then the unpacked binary under xinetd as user bind, with
# the packaged xinetd stanza and the state directory that the postinst
# made: OK, then UPTODATE, then nochg.  A state directory the service
# user cannot write still answers, and syslog says why.
NEEDS_NS=1
. "$(dirname "$0")/lib.sh"

if [ -z "${SFTDYN_NS:-}" ] || ! id bind >/dev/null 2>&1 ||
    ! command -v dpkg-buildpackage >/dev/null; then
	echo "1..0 # SKIP needs root, a mount namespace, user bind and dpkg-buildpackage"
	exit 0
fi
unpack_deb

# --- the postinst, in a root of its own ----------------------------------
O=$T/overlay
before=$(ls -ld /var/lib/sftdyn /etc/sftdyn 2>&1)
mkdir -p "$O/etc" "$O/etc.work" "$O/var" "$O/var.work"
unshare -m --propagation private sh -c '
	O=$1 R=$2
	mount -t overlay overlay -o "lowerdir=/etc,upperdir=$O/etc,workdir=$O/etc.work" /etc &&
	mount -t overlay overlay -o "lowerdir=/var/lib,upperdir=$O/var,workdir=$O/var.work" /var/lib &&
	mount -t tmpfs tmpfs /run && cp -a "$R/etc/sftdyn" /etc/ &&
	PATH=$R/usr/sbin:$PATH sh "$3/postinst" configure' sh "$O" "$R" "$T/control" \
    >"$T/postinst.log" 2>&1
ok $? "postinst configure"
passing || sed 's/^/# /' "$T/postinst.log"
is "$(ls -ld /var/lib/sftdyn /etc/sftdyn 2>&1)" "$before" \
    "the machine's /etc and /var/lib are untouched"
is "$(stat -c '%U:%G %a' "$O/var/sftdyn")" "bind:bind 750" \
    "postinst made /var/lib/sftdyn, bind's, mode 0750"
is "$(stat -c '%G %a' "$O/etc/sftdyn/conf")" "bind 640" \
    "postinst gave /etc/sftdyn/conf to group bind, mode 0640"
test -f "$O/etc/sftdyn/conf.cdb"
ok $? "postinst compiled the client index"

# --- xinetd runs the unpacked binary as bind ----------------------------
private_syslog
ok $? "a /dev/log of the test's own"
chmod 711 "$T"
start_named
chgrp bind "$T/named/tsig.key" && chmod 640 "$T/named/tsig.key"
# pkg_conf STATEDIR: the test's clients, with the state in STATEDIR
pkg_conf() {
	write_conf
	sed -i -e 's,named/session.key,named/tsig.key,' \
	    -e "s,^statedir.*,statedir = \"$1\"," "$T/conf"
	chgrp bind "$T/conf" && chmod 640 "$T/conf"
}
pkg_conf "$O/var/sftdyn"
P=$(free_port)
start_xinetd xinetd "$R/usr/share/doc/sftdyn/examples/xinetd" "$P" \
    -e "s,/usr/sbin/sftdyn,$R/usr/sbin/sftdyn," -e "s,/etc/sftdyn/conf,$T/conf,"
st=$?
grep -q '^[[:space:]]*user[[:space:]]*= bind' "$T/xinetd.conf"
ok $? "the packaged stanza runs sftdyn as bind"
ok $st "xinetd listens on $P"
PORT=$P
KEY="/host=a.$ZONE,key=secret-a-long-enough"
is "$(get "$KEY" --interface 127.0.0.2)" "200 OK" "the first update: OK"
is "$(rr a.$ZONE A)" 127.0.0.2 "DNS holds it"
is "$(get "$KEY" --interface 127.0.0.2)" "200 UPTODATE" "the next poll: UPTODATE"
is "$(get "/nic/update?hostname=a.$ZONE" -u "a:host=a.$ZONE,key=secret-a-long-enough" \
    --interface 127.0.0.2)" "200 nochg 127.0.0.2" "dyndns2: nochg"
is "$(stat -c %U "$O/var/sftdyn/a.$ZONE.A")" bind "the state is bind's"
like "$(cat "$T/syslog.log")" "sftdyn\[[0-9]+\]: peer=127.0.0.2 client=a .*result=200 UPTODATE" \
    "the handler logs to syslog"

# A state directory that bind cannot write: still answered, and logged.
mkdir -m 755 "$T/ro"
pkg_conf "$T/ro"
# syslog_since_mark: what syslog got after the last mark_syslog
mark_syslog() { SYSLOG_MARK=$(wc -l <"$T/syslog.log"); }
syslog_since_mark() { tail -n +"$((SYSLOG_MARK + 1))" "$T/syslog.log"; }
mark_syslog
is "$(get "$KEY" --interface 127.0.0.3)" "200 OK" "unwritable statedir: OK"
is "$(rr a.$ZONE A)" 127.0.0.3 "DNS holds it"
is "$(get "$KEY" --interface 127.0.0.3)" "200 OK" \
    "again: OK, never UPTODATE without a state"
like "$(syslog_since_mark)" "sftdyn\[[0-9]+\]: state: .*$T/ro.*Permission denied" \
    "syslog says why: the path and the reason"
is "$(syslog_since_mark | grep -c 'sftdyn.*state: ')" 2 "once per connection"
rmdir "$T/ro"
pkg_conf "$T/ro"
mark_syslog
is "$(get "$KEY" --interface 127.0.0.4)" "200 OK" "a missing statedir bind cannot make: OK"
like "$(syslog_since_mark)" "state: cannot make the state directory $T/ro: Permission denied" \
    "syslog says why"

done_testing
