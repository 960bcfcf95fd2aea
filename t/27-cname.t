#!/bin/bash
# A CNAME at the name, set by hand: an RFC 2136 server ignores an A or
# AAAA record added beside it and still answers NOERROR.  The update's
# prerequisite (no CNAME at the name) makes the server refuse instead,
# so the answer is 500 FAIL (dyndns2: dnserr), logged with the reason,
# and no state vouches for a record that does not exist.
. "$(dirname "$0")/lib.sh"

start_named
write_conf
start_sftdyn 127.0.0.1
KEY="/host=a.$ZONE,key=secret-a-long-enough"
by_hand() {	# by_hand UPDATE...: nsupdate with the session key
	printf '%s\n' "$@" send | nsupdate -l -p "$NSPORT" -k "$T/named/session.key"
}
# records NAME TYPE: the records of exactly that type (dig +short would
# follow the CNAME)
records() {
	dig +noall +answer +norec -p "$NSPORT" @127.0.0.1 "$1" "$2" |
	    awk -v t="$2" '$4 == t { print $5 }'
}
by_hand "update add a.$ZONE 300 CNAME elsewhere.example.org."
is "$(rr a.$ZONE CNAME)" "elsewhere.example.org." "a CNAME at a.$ZONE, by hand"

mark
is "$(get "$KEY" --interface 127.0.0.2)" "500 FAIL" "an update beside the CNAME: 500 FAIL"
like "$(since_mark)" 'nsupdate: the name holds a CNAME' "the log says why"
settle a.$ZONE
test ! -e "$T/state/a.$ZONE.A"
ok $? "no state vouches for it"
is "$(records a.$ZONE A)" "" "DNS holds no A record"
is "$(rr a.$ZONE CNAME)" "elsewhere.example.org." "and the CNAME is untouched"
is "$(get "$KEY" --interface 127.0.0.2)" "500 FAIL" "asked again: 500 FAIL, never UPTODATE"
is "$(get "/nic/update?hostname=a.$ZONE&myip=2001:db8::7" -u "a:host=a.$ZONE,key=secret-a-long-enough" \
    --interface 127.0.0.2)" "200 dnserr" "dyndns2, AAAA beside the CNAME: dnserr"
is "$(records a.$ZONE AAAA)" "" "DNS holds no AAAA record"

write_conf 'verify-dns = true'
is "$(get "$KEY" --interface 127.0.0.2)" "500 FAIL" "with verify-dns: 500 FAIL too"

by_hand "update delete a.$ZONE CNAME"
is "$(get "$KEY" --interface 127.0.0.2)" "200 OK" "the CNAME removed by hand: OK"
is "$(rr a.$ZONE A)" 127.0.0.2 "DNS holds the address"
is "$(get "$KEY" --interface 127.0.0.2)" "200 UPTODATE" "then UPTODATE, confirmed"

done_testing
