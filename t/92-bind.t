#!/bin/bash
# The README's BIND recipe for one machine, as written: a running named
# gets conf/named-local.conf added to its configuration and
# conf/dyn.example.org.zone as the zone file, `rndc reload` loads the
# zone, and sftdyn with its default key (nsupdate -l, the session key)
# sets A, AAAA and TXT records there and nothing else.
. "$(dirname "$0")/lib.sh"

D=$T/bind
mkdir -p "$D"
NSPORT=$(free_port)
RNDCPORT=$(free_port)
ZONE=dyn.example.org
rndc-confgen -a -c "$D/rndc.key" -k rndc >/dev/null 2>&1
# named.conf as a distribution ships it, with the recipe's file to include
{
	echo "include \"$D/rndc.key\";"
	echo "controls { inet 127.0.0.1 port $RNDCPORT allow { 127.0.0.1; } keys { rndc; }; };"
	named_options "$D"
	echo "include \"$D/named.conf.local\";"
} >"$D/named.conf"
: >"$D/named.conf.local"
named -g -n 1 -c "$D/named.conf" >"$D/named.log" 2>&1 &
PIDS="$PIDS $!"
cat >"$D/rndc.conf" <<EOF2
include "$D/rndc.key";
options { default-key "rndc"; default-server 127.0.0.1; default-port $RNDCPORT; };
EOF2
rndc_() { rndc -c "$D/rndc.conf" "$@"; }
wait_for 10 rndc_ status
ok $? "named runs, without the zone"

# The recipe: the zone statement into named.conf.local, the zone file
# beside, rndc reload.
sed "s|/var/lib/bind/|$D/|" "$TOP/conf/named-local.conf" >>"$D/named.conf.local"
cp "$TOP/conf/dyn.example.org.zone" "$D/"
rndc_ reload >/dev/null
ok $? "rndc reload"
wait_for 10 serial
ok $? "named serves dyn.example.org from the recipe's files"
wait_for 10 test -s "$D/session.key"
ok $? "named made its session key for the local-ddns grant"

cat >"$T/conf" <<EOF2
nskeyfile = "$D/session.key"
nsport = $NSPORT
statedir = "state"
client "nas" {
	key = "secret-nas-long-enough"
	host = "nas.$ZONE"
}
EOF2
start_sftdyn 127.0.0.1
is "$(get /secret-nas-long-enough --interface 127.0.0.2)" "200 OK" "sftdyn's update: OK"
is "$(rr nas.$ZONE A)" 127.0.0.2 "the A record is there"
# the grant: A, AAAA and TXT, nothing else
ns() { printf '%s\nsend\n' "$1" | nsupdate -l -p "$NSPORT" -k "$D/session.key" 2>&1; }
ns "update add _acme-challenge.nas.$ZONE 30 TXT \"token\""
is "$(rr _acme-challenge.nas.$ZONE TXT)" '"token"' "the session key may set TXT"
ns "update add nas.$ZONE 30 AAAA 2001:db8::7"
is "$(rr nas.$ZONE AAAA)" 2001:db8::7 "and AAAA"
like "$(ns "update add nas.$ZONE 30 MX 10 mail.$ZONE")" REFUSED "but not MX"
like "$(ns "update add $ZONE 30 NS ns2.example.org")" REFUSED "nor NS"

done_testing
