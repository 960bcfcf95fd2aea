#!/bin/bash
# Several front-ends before one hidden primary, with a secondary: the
# named.conf files in conf/ on loopback, two sftdyn front-ends with their
# own state directories and verify-dns, hand edits, the primary stopped,
# and (through t/lib/dnsproxy.pl) answers a real server does not give.
. "$(dirname "$0")/lib.sh"

P=$T/primary
S=$T/secondary
mkdir -p "$P" "$S"
NSPORT=$(free_port)
SECPORT=$(free_port)
tsig-keygen sftdyn >"$P/tsig.key"

# named_conf TEMPLATE DIR: the template with this test's addresses, ports
# and directories; named's pid file and session key in DIR, no controls
named_conf() {
	sed -e "s|/etc/bind/keys/sftdyn.key|$P/tsig.key|" \
	    -e "s|192.0.2.10; 192.0.2.11;|127.0.0.0/8;|" \
	    -e "s|198.51.100.53 port 53|127.0.0.1 port $SECPORT|" \
	    -e "s|listen-on port 53 { 198.51.100.53; }|listen-on port $SECPORT { 127.0.0.1; }|" \
	    -e "s|listen-on port 53 { 192.0.2.1; }|listen-on port $NSPORT { 127.0.0.1; }|" \
	    -e "s|192.0.2.1 port 53|127.0.0.1 port $NSPORT|" \
	    -e "s|198.51.100.53|127.0.0.1|g; s|192.0.2.1|127.0.0.1|g" \
	    -e "s|dyn.example.org|$ZONE|g" \
	    -e "s|/var/lib/bind/|$2/|" \
	    -e "s|directory \"/var/cache/bind\";|directory \"$2\"; pid-file \"$2/named.pid\"; session-keyfile \"$2/session.key\";|" \
	    "$TOP/conf/$1"
	echo 'controls { };'
}
cat >"$P/$ZONE.zone" <<EOF
\$TTL 300
@ IN SOA ns.$ZONE. hostmaster.$ZONE. 1 3600 600 86400 60
@ IN NS ns.$ZONE.
ns IN A 127.0.0.1
EOF
named_conf named-primary.conf "$P" >"$P/named.conf"
named_conf named-secondary.conf "$S" >"$S/named.conf"
start_primary() {
	named -g -n 1 -c "$P/named.conf" >>"$P/named.log" 2>&1 &
	PRIMARY_PID=$!
	PIDS="$PIDS $PRIMARY_PID"
	wait_for 10 serial
}
start_primary
ok $? "the hidden primary (conf/named-primary.conf) runs on port $NSPORT"
named -g -n 1 -c "$S/named.conf" >"$S/named.log" 2>&1 &
PIDS="$PIDS $!"
# on2 NAME TYPE: the record set as the secondary serves it
on2() { dig +short +norec +time=2 +tries=1 -p "$SECPORT" @127.0.0.1 "$1" "$2"; }
has_zone() { [ -n "$(on2 $ZONE SOA)" ]; }
wait_for 10 has_zone
ok $? "the secondary (conf/named-secondary.conf) serves the zone on port $SECPORT"

# frontend NAME [EXTRA]: the configuration of one front-end, its own
# statedir, TSIG to the primary at $FE_PORT (default: the primary's)
frontend() {
	cat >"$T/$1.conf" <<-EOF
	timeout = 2
	seccomp = true
	nsserver = "127.0.0.1"
	nsport = ${FE_PORT:-$NSPORT}
	nskeyfile = "primary/tsig.key"
	statedir = "state-$1"
	verify-dns = true
	client "a" {
		key = "secret-a-long-enough"
		host = "a.$ZONE"
	}
	${2:-}
	EOF
}
frontend fa
frontend fb
CONF=$T/fa.conf start_sftdyn 127.0.0.1
FA=$PORT
CONF=$T/fb.conf start_sftdyn 127.0.0.1
FB=$PORT
ok $? "front-ends A ($FA) and B ($FB)"
via() {	# via PORT SOURCE: "BODY STATUS" of a's secret URL from SOURCE
	local st
	st=$(curl -s -o "$T/via.body" -w '%{http_code}' --max-time 20 \
	    --interface "$2" "http://127.0.0.1:$1/secret-a-long-enough")
	printf '%s %s' "$(cat "$T/via.body")" "$st"
}
# state FE TYPE: what front-end FE's state records for a
fstate() {
	settle_in "$1"
	awk '{print $1}' "$T/state-$1/a.$ZONE.$2" 2>/dev/null
}
settle_in() {
	[ -f "$T/state-$1/a.$ZONE.lock" ] &&
	    timeout 30 flock "$T/state-$1/a.$ZONE.lock" true
	return 0
}
# secondary_has ADDR: the secondary serves a's A record ADDR within 10 s
secondary_is() { [ "$(on2 a.$ZONE A)" = "$1" ]; }
secondary_has() { wait_for 10 secondary_is "$1"; }

# --- X via A, Y via B, X via A -------------------------------------------
is "$(via "$FA" 127.0.0.2)" "OK 200" "X via A: OK"
secondary_has 127.0.0.2
ok $? "the secondary serves X within 10 s (NOTIFY, IXFR)"
is "$(via "$FB" 127.0.0.3)" "OK 200" "Y via B: OK"
secondary_has 127.0.0.3
ok $? "the secondary serves Y within 10 s"
mark
is "$(via "$FA" 127.0.0.2)" "OK 200" "X via A again: OK, not UPTODATE"
is "$(rr a.$ZONE A)" 127.0.0.2 "the primary holds X"
is "$(fstate fa A)" 127.0.0.2 "A's state holds X"
like "$(since_mark)" 'verify-dns: a\.dyn\.test A: the primary holds another address; updating' \
    "the reason is logged"
secondary_has 127.0.0.2
ok $? "the secondary serves X again within 10 s"
is "$(via "$FA" 127.0.0.2)" "UPTODATE 200" "X via A once more: UPTODATE, confirmed"
grep -q "transfer of '$ZONE/IN': IXFR ended" "$P/named.log"
ok $? "the secondary followed by IXFR"

# the documented limit: without verify-dns, A trusts its own state
sed -i 's/^verify-dns = true/verify-dns = false/' "$T/fa.conf"
is "$(via "$FB" 127.0.0.3)" "OK 200" "Y via B"
is "$(via "$FA" 127.0.0.2)" "UPTODATE 200" \
    "verify-dns false: A answers UPTODATE for X ..."
is "$(rr a.$ZONE A)" 127.0.0.3 "... while the primary holds Y"
sed -i 's/^verify-dns = false/verify-dns = true/' "$T/fa.conf"
is "$(via "$FA" 127.0.0.2)" "OK 200" "verify-dns true again: OK"

# --- hand edits ------------------------------------------------------
by_hand() {	# by_hand LINES...: an nsupdate to the primary
	{ echo "server 127.0.0.1 $NSPORT"; printf '%s\n' "$@"; echo send; } |
	    nsupdate -k "$P/tsig.key"
}
rrset() { rr a.$ZONE A | sort | tr '\n' ' '; }
by_hand "update delete a.$ZONE A" "update add a.$ZONE 30 A 192.0.2.99"
is "$(via "$FA" 127.0.0.2)" "OK 200" "edited to another address: OK"
is "$(rrset)" "127.0.0.2 " "the RRset is exactly the client's address"
by_hand "update delete a.$ZONE A"
is "$(via "$FA" 127.0.0.2)" "OK 200" "record deleted by hand: OK"
is "$(rrset)" "127.0.0.2 " "restored"
by_hand "update add a.$ZONE 30 A 192.0.2.98"
is "$(rrset)" "127.0.0.2 192.0.2.98 " "(a second record added by hand)"
is "$(via "$FA" 127.0.0.2)" "OK 200" "a second record: OK"
is "$(rrset)" "127.0.0.2 " "the RRset is exactly the client's address again"
by_hand "update delete a.$ZONE A" "update add a.$ZONE 600 A 127.0.0.2"
s0=$(serial)
is "$(via "$FA" 127.0.0.2)" "UPTODATE 200" "only the TTL changed: UPTODATE"
is "$(serial)" "$s0" "and DNS untouched"

# --- the primary stopped while the state matches ---------------------
kill "$PRIMARY_PID" && wait "$PRIMARY_PID" 2>/dev/null
timed via "$FA" 127.0.0.2
is "$out" "FAIL 500" "the primary stopped: 500 FAIL"
took_between 0 8000 "within the deadline, 3 x timeout + 2 s"
test ! -e "$T/state-fa/a.$ZONE.A"
ok $? "the state vouches for nothing (removed before nsupdate)"
start_primary
is "$(via "$FA" 127.0.0.2)" "OK 200" "the primary back: OK"
is "$(via "$FA" 127.0.0.2)" "UPTODATE 200" "then UPTODATE, as DNS says"

# --- AAAA ------------------------------------------------------------
dual() {	# dual PORT: a's dyndns2 update with both families
	curl -s --max-time 20 -u "a:secret-a-long-enough" \
	    "http://127.0.0.1:$1/nic/update?myip=192.0.2.40,2001:db8::40"
}
is "$(dual "$FA")" "good 192.0.2.40,2001:db8::40" "both families via A: good"
is "$(dual "$FB")" "good 192.0.2.40,2001:db8::40" \
    "the same via B: good (B's state knew nothing)"
is "$(dual "$FB")" "nochg 192.0.2.40,2001:db8::40" "B again: nochg, confirmed"
by_hand "update delete a.$ZONE AAAA" "update add a.$ZONE 30 AAAA 2001:db8::41"
mark
is "$(dual "$FA")" "good 192.0.2.40,2001:db8::40" "AAAA edited by hand: good"
like "$(since_mark)" 'verify-dns: a\.dyn\.test AAAA: the primary holds another address' \
    "the AAAA check did not confirm"
! since_mark | grep -q 'verify-dns: a\.dyn\.test A:'
ok $? "the A check confirmed"
is "$(rr a.$ZONE AAAA)" 2001:db8::40 "the primary holds the AAAA again"

# --- answers a real server does not give: a relay in between -------------
PROXY=$(free_port)
perl "$TOP/t/lib/dnsproxy.pl" "$PROXY" "$NSPORT" "$T/proxy.mode" \
    "$T/proxy.log" 2>>"$T/proxy.err" &
PIDS="$PIDS $!"
wait_for 10 dig +short +time=1 +tries=1 -p "$PROXY" @127.0.0.1 $ZONE SOA
ok $? "the relay runs on port $PROXY"
FE_PORT=$PROXY frontend fc
CONF=$T/fc.conf start_sftdyn 127.0.0.1
FC=$PORT
proxy() { echo "$1" >"$T/proxy.mode"; : >"$T/proxy.log"; }
proxy pass
is "$(via "$FC" 127.0.0.5)" "OK 200" "via the relay: OK (the UPDATE passes)"
is "$(wc -l <"$T/proxy.log")" 0 "no state: nothing is asked"
is "$(via "$FC" 127.0.0.5)" "UPTODATE 200" "relay passing: UPTODATE"
is "$(cat "$T/proxy.log")" "udp $(awk '{print $2}' "$T/proxy.log") 0000 1" \
    "exactly one query: UDP, QUERY, RD=0, type A"

# case MODE ANSWER REASON: one request through the relay bent by MODE
case_of() {
	proxy "$1"
	mark
	timed via "$FC" 127.0.0.5
	is "$out" "$2" "$1: $2"
	[ -z "$3" ] || like "$(since_mark)" "verify-dns: a\.dyn\.test A: $3" \
	    "$1: logged as \"$3\""
}
case_of aa0 "OK 200" "the answer is not authoritative \(AA=0\)"
case_of refused "OK 200" "the primary answered with an error"
case_of garbage "OK 200" "the answer is malformed|the primary did not answer"
case_of tc-always "OK 200" "the answer is truncated over TCP too"
is "$(awk '{print $1}' "$T/proxy.log" | tr '\n' ' ')" "udp tcp " \
    "truncated: one UDP query, then one over TCP"
case_of tc "UPTODATE 200" ""
is "$(awk '{print $1}' "$T/proxy.log" | tr '\n' ' ')" "udp tcp " \
    "TC over UDP only: the TCP answer confirms"
case_of dotlabel "OK 200" "the answer holds a record of another name or type"
case_of nullabel "OK 200" "the answer holds a record of another name or type"
case_of silence "OK 200" "the primary did not answer in time"
took_between 1500 8000 "silence: the query waited for the deadline, no longer"
is "$(grep -c '^udp' "$T/proxy.log")" 1 "silence: one query, no retries"
is "$(rr a.$ZONE A)" 127.0.0.5 "DNS holds the client's address throughout"

sed -i 's/^verify-dns = true/verify-dns = false/' "$T/fc.conf"
proxy pass
is "$(via "$FC" 127.0.0.5)" "UPTODATE 200" "verify-dns false: UPTODATE ..."
is "$(wc -l <"$T/proxy.log")" 0 "... and nothing is asked"

printf 'verify-dns = maybe\n' >"$T/bad.conf"
"$SFTDYN" -t "$T/bad.conf" >/dev/null 2>&1
ok $((! $?)) "-t rejects a verify-dns that is not a boolean"

done_testing
