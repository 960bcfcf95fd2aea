#!/bin/bash
# ACME's TXT sets across two front-ends (each with its own statedir)
# before one named, and beside hand edits.  With verify-dns, DNS is the
# truth: each front-end reads the set from the primary before it decides,
# so no present answers OK for a value DNS does not hold, and no
# front-end wipes the other's values.  Every TXT update requires the set
# to be exactly the one it was computed from (compare and swap): when
# another writer changed it in between, the set is read again and the
# update sent once more; a second refusal is dnserr, DNS untouched.
# Requests as lego's httpreq and acme-dns's clients send them.
. "$(dirname "$0")/lib.sh"

start_named
# frontend NAME [EXTRA]: a front-end's configuration: its own statedir,
# TSIG to the primary, verify-dns unless EXTRA says otherwise
frontend() {
	cat >"$T/$1.conf" <<-EOF
	timeout = 5
	seccomp = true
	nsserver = "127.0.0.1"
	nsport = $NSPORT
	nskeyfile = "named/tsig.key"
	statedir = "state-$1"
	verify-dns = ${3:-true}
	client "a" {
		key = "secret-a-long-enough"
		host = { "a.$ZONE", "*.a.$ZONE" }
	}
	${2:-}
	EOF
}
frontend A
frontend B
CONF=$T/A.conf start_sftdyn 127.0.0.1
PA=$PORT
CONF=$T/B.conf start_sftdyn 127.0.0.1
PB=$PORT
CH=_acme-challenge.a.$ZONE

val() { printf '%043d' "$1" | tr 0-9 A-J; }
V1=$(val 1) V2=$(val 2) V3=$(val 3) V4=$(val 4) V5=$(val 5) V6=$(val 6)
# lego PORT present|cleanup VALUE: lego's httpreq request, "STATUS BODY"
lego() {
	curl -s --max-time 20 -o "$T/body" -w '%{http_code}' -u a:secret-a-long-enough \
	    -H 'Content-Type: application/json' \
	    --data-binary "{\"fqdn\":\"$CH.\",\"value\":\"$3\"}" \
	    "http://127.0.0.1:$1/$2" >"$T/status"
	printf '%s %s' "$(cat "$T/status")" "$(cat "$T/body")"
}
# acmedns PORT VALUE: acme-dns's request, as its Go client sends it
acmedns() {
	curl -s --max-time 20 -o "$T/body" -w '%{http_code}' -H 'X-Api-User: a' \
	    -H 'X-Api-Key: secret-a-long-enough' -H 'Content-Type: application/json' \
	    --data-binary "{\"SubDomain\":\"a.$ZONE\",\"Txt\":\"$2\"}" \
	    "http://127.0.0.1:$1/update" >"$T/status"
	printf '%s %s' "$(cat "$T/status")" "$(cat "$T/body")"
}
txt() { rr "$CH" TXT | tr -d '"' | sort | tr '\n' ' ' | sed 's/ $//'; }
# listed FE: the values FE's TXT state lists, or "unknown"
listed() {
	settle a.$ZONE
	if [ -f "$T/state-$1/a.$ZONE.TXT" ]; then
		awk '{ NF--; print }' "$T/state-$1/a.$ZONE.TXT"
	else
		echo unknown
	fi
}
hand() { printf '%s\nsend\n' "$@" | nsupdate -l -p "$NSPORT" -k "$T/named/session.key"; }
sorted() { printf '%s\n' "$@" | sort | tr '\n' ' ' | sed 's/ $//'; }

# --- the two front-ends, interleaved ------------------------------------
is "$(lego $PA present "$V1")" "200 OK" "A: present V1"
is "$(acmedns $PB "$V2")" "200 {\"txt\":\"$V2\"}" "B: acme-dns's update V2"
is "$(txt)" "$(sorted "$V1" "$V2")" "DNS holds V1 and V2: B read the set, and kept A's"
s0=$(serial)
is "$(lego $PA present "$V1")" "200 OK" "A: present V1 again"
is "$(serial)" "$s0" "  nothing ran: the primary holds V1"
is "$(acmedns $PA "$V2")" "200 {\"txt\":\"$V2\"}" "A: B's V2, through A"
is "$(serial)" "$s0" "  nothing ran: the primary holds V2 as well"
is "$(lego $PB present "$V3")" "200 OK" "B: present V3"
is "$(txt)" "$(sorted "$V2" "$V3")" \
    "V1, which B's state does not list, counts as the oldest: V2 and V3 stay"
is "$(listed B)" "$V2 $V3" "  and B's state lists what DNS holds, oldest first"
is "$(lego $PA cleanup "$V2")" "200 OK" "A: cleanup V2, a value A never set"
is "$(txt)" "$V3" "  DNS no longer holds it"
is "$(listed A)" "$V3" "  A's state lists what is left"
is "$(lego $PB cleanup "$V2")" "200 OK" "B: cleanup V2 again"
is "$(txt)" "$V3" "  nothing to do: the primary does not hold it"

# --- a hand edit ----------------------------------------------------------
hand "update delete $CH TXT \"$V3\""
is "$(lego $PB present "$V3")" "200 OK" "V3 deleted by hand, presented again through B"
is "$(txt)" "$V3" "  DNS holds it again"
hand "update add $CH 30 TXT \"left over\"" "update add $CH 30 TXT \"$V4\""
is "$(lego $PA present "$V5")" "200 OK" "two values added by hand, then V5 through A"
is "$(txt)" "$(sorted "$V3" "$V5")" \
    "  the two A's state never listed went first; V3, which it did, stays"
is "$(listed A)" "$V3 $V5" "  A's state: V3, then V5"
is "$(lego $PA cleanup "$V3")" "200 OK" "A: cleanup V3"
is "$(lego $PA cleanup "$V5")" "200 OK" "A: cleanup V5"
is "$(txt)" "" "no TXT left"
is "$(listed A)" "" "  A's state: a known, empty set"

# --- compare and swap ------------------------------------------------------
# Another writer changes the set between A's reading it and its update:
# an nsupdate wrapper adds a value by hand first (once, then every time).
mkdir -p "$T/bin"
cat >"$T/bin/interloper" <<EOF
#!/bin/sh
# another front-end's write, just before ours: its value N+1 each time
n=\$(cat "$T/state-A/interloper.n" 2>/dev/null || echo 0)
[ -e "$T/state-A/interloper.stop" ] && exec /usr/bin/nsupdate "\$@"
echo \$((n + 1)) >"$T/state-A/interloper.n"
printf 'server 127.0.0.1 $NSPORT\nupdate add $CH 30 TXT "other-%s"\nsend\n' "\$n" |
    /usr/bin/nsupdate -k "$T/named/tsig.key" || exit 1
[ "\$n" -ge 1 ] && [ ! -e "$T/state-A/interloper.always" ] &&
    : >"$T/state-A/interloper.stop"
exec /usr/bin/nsupdate "\$@"
EOF
chmod +x "$T/bin/interloper"
frontend A "nsupdate = \"$T/bin/interloper\""
echo 1 >"$T/state-A/interloper.n"
mark
is "$(lego $PA present "$V6")" "200 OK" "a value written between A's read and its update: OK"
like "$(since_mark)" "$CH TXT is not the set the update was made for .*reading it again" \
    "  the primary refused the first update; A read the set again"
is "$(txt)" "$(sorted "$V6" other-1)" "  DNS holds the other writer's value and A's: nothing wiped"
is "$(listed A)" "unknown" "  A's state is not a set it could record (another's value)"
rm -f "$T/state-A/interloper.stop"
touch "$T/state-A/interloper.always"
echo 5 >"$T/state-A/interloper.n"
s0=$(serial)
mark
is "$(lego $PA cleanup "$V6")" "500 dnserr" "a value written before each of A's updates: 500 dnserr"
like "$(since_mark)" "$CH TXT changed again while the update was sent" "  logged"
like "$(txt)" "^$V6 other-1 other-5 other-6\$" \
    "  DNS holds every value the other writer set, and V6: nothing wiped"
is "$(listed A)" "unknown" "  A's state is forgotten"
frontend A
hand "update delete $CH TXT"

# --- without verify-dns: the state decides, the update still swaps -------
frontend B '' false
is "$(lego $PB present "$V1")" "200 OK" "B without verify-dns: present V1"
is "$(listed B)" "$V1" "  B's state lists V1"
hand "update add $CH 30 TXT \"$V2\""
mark
is "$(lego $PB present "$V3")" "200 OK" "V2 added by hand, unknown to B's state, then V3"
like "$(since_mark)" "is not the set the update was made for" \
    "  the update made from B's state was refused, and made again from DNS"
is "$(txt)" "$(sorted "$V1" "$V3")" "  V2, never listed, went first; V1 and V3 stay"
is "$(listed B)" "$V1 $V3" "  B's state lists them"

done_testing
