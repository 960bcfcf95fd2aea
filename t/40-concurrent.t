#!/bin/bash
# Twenty clients update one host at once: the per-host lock keeps DNS and
# the state in step, so afterwards UPTODATE is told exactly to the address
# that DNS holds, and the change limit counts every change.  Requests for
# the same names in opposite orders (dyndns2's hostname lists, and the
# secret URL's configuration order against them) take the names' locks in
# one order, so neither waits for the other's deadline.
. "$(dirname "$0")/lib.sh"

start_named
write_conf
start_sftdyn 127.0.0.1

for i in $(seq 10 29); do
	curl -s --max-time 30 -o "$T/out.$i" --interface "127.0.0.$i" \
	    "http://127.0.0.1:$PORT/secret-c-long-enough" &
	pids="${pids:-} $!"
done
wait $pids
n=$(cat "$T"/out.* | grep -c '^OK$')
is "$n" 20 "all twenty concurrent requests answered OK"
dns=$(rr c.$ZONE A)
like "$dns" '^127\.0\.0\.(1[0-9]|2[0-9])$' "DNS holds one of the clients ($dns)"
is "$(state c.$ZONE A)" "$dns" "the state holds the same address"
is "$(get /secret-c-long-enough --interface "$dns")" "200 UPTODATE" \
    "the address DNS holds: UPTODATE"
other=127.0.0.10
[ "$dns" = 127.0.0.10 ] && other=127.0.0.11
# twenty changes within the hour are what max-changes allows by default,
# counted under the same lock: the twenty-first is refused, and changes
# nothing
is "$(get /secret-c-long-enough --interface $other)" "429 ABUSE" \
    "any other address: the twenty-first change, beyond the change limit"
is "$(rr c.$ZONE A)" "$dns" "DNS still holds $dns"
is "$(state c.$ZONE A)" "$dns" "and so does the state"

# Two names, asked for in opposite orders at once.  An nsupdate that takes
# its time keeps both requests holding their first lock together: taken in
# the request's order, each would wait for the other's until the deadline
# (timeout 6 s) and answer dnserr for a name.
mkdir -p "$T/bin"
printf '#!/bin/sh\nsleep 0.5\nexec /usr/bin/nsupdate "$@"\n' >"$T/bin/slow"
chmod +x "$T/bin/slow"
TIMEOUT=6 write_conf "nsupdate = \"$T/bin/slow\"
client \"pair\" {
	key = \"secret-pair-long-enough\"
	host = { \"nas.$ZONE\", \"vpn.$ZONE\" }
}"
dyn() {		# dyn HOSTNAMES ADDRESS OUT: a dyndns2 request, in the background
	curl -s --max-time 30 -o "$T/$3" -u pair:secret-pair-long-enough \
	    "http://127.0.0.1:$PORT/nic/update?hostname=$1&myip=$2" &
	pids="$pids $!"
}
for round in 1 2; do
	pids=
	dyn "nas.$ZONE,vpn.$ZONE" "192.0.2.$round" one
	dyn "vpn.$ZONE,nas.$ZONE" "198.51.100.$round" two
	wait $pids
	like "$(tr '\n' ' ' <"$T/one")" "^good 192\\.0\\.2\\.$round good 192\\.0\\.2\\.$round \$" \
	    "round $round: nas,vpn: good for each, no dnserr"
	like "$(tr '\n' ' ' <"$T/two")" "^good 198\\.51\\.100\\.$round good 198\\.51\\.100\\.$round \$" \
	    "round $round: vpn,nas at once: good for each, no dnserr"
	is "$(rr nas.$ZONE A) $(rr vpn.$ZONE A)" "$(state nas.$ZONE A) $(state vpn.$ZONE A)" \
	    "round $round: DNS and the state agree on both names"
done
pids=
curl -s --max-time 30 -o "$T/secret" --interface 127.0.0.30 "http://127.0.0.1:$PORT/secret-pair-long-enough" &
pids="$pids $!"
dyn "vpn.$ZONE,nas.$ZONE" 203.0.113.1 two
wait $pids
is "$(cat "$T/secret")" "OK" "the secret URL (nas, vpn) against dyndns2's vpn,nas: OK"
is "$(tr '\n' ' ' <"$T/two")" "good 203.0.113.1 good 203.0.113.1 " "  and good, good"
! grep -q 'held the lock until the deadline' "$T/sftdyn.log"
ok $? "no request waited for a lock until its deadline"

# The order itself: while another holds vpn's lock, a request for
# vpn,nas holds nas's (first in the one order) and waits for vpn's.
lock=$T/state/vpn.$ZONE.lock
perl -MFcntl=:flock -e 'open(my $f, ">>", $ARGV[0]) or die; flock($f, LOCK_EX) or die;
    open(my $s, ">", "$ARGV[0].held") or die; close($s); sleep 60' "$lock" &
holder=$!
PIDS="$PIDS $holder"
wait_for 10 test -e "$lock.held"
pids=
dyn "vpn.$ZONE,nas.$ZONE" 203.0.113.2 three
nas_held() { ! flock -n "$T/state/nas.$ZONE.lock" true; }
wait_for 4 nas_held	# (before the lock phase ends, 6 s)
ok $? "vpn,nas, vpn's lock held elsewhere: the request holds nas's, the first"
kill "$holder"
wait "$holder" 2>/dev/null
wait $pids
is "$(tr '\n' ' ' <"$T/three")" "good 203.0.113.2 good 203.0.113.2 " "  then takes vpn's: good, good"

done_testing
