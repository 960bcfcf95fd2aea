#!/bin/bash
# A handler killed with SIGKILL while nsupdate runs (the OOM killer, a
# front-end tearing down its children): nothing it started may change
# DNS once its lock is gone.  The network loses nsupdate's first UPDATE,
# so nsupdate would send it again seconds later; the handler is killed
# in between.  Then the next update, and what DNS, the state and the
# client each believe once nothing the killed handler started is left.
. "$(dirname "$0")/lib.sh"

start_named
TIMEOUT=6 write_conf
sed -i 's,named/session.key,named/tsig.key,' "$T/conf"
cp "$T/conf" "$T/conf.good"
start_sftdyn 127.0.0.1
KEY=/secret-c-long-enough
DROP=$(free_port)
mkdir -p "$T/bin"
# a wrapper whose nsupdate is its child, not itself
printf '#!/bin/sh\n/usr/bin/nsupdate "$@"\nexit $?\n' >"$T/bin/wrapped"
chmod +x "$T/bin/wrapped"

# orphans: the nsupdate processes that talk to the lossy relay (the
# bracket keeps pgrep from matching a shell that runs this very test)
orphans() { pgrep -f "[n]supdate -l -p $DROP"; }
no_orphans() { ! orphans >/dev/null; }

# killed_midway NAME NSUPDATE: an update through a relay that loses the
# first UPDATE, its handler killed with SIGKILL once it is lost
killed_midway() {
	local name=$1 hpid
	cp "$T/conf.good" "$T/conf"
	is "$(get $KEY --interface 127.0.0.2)" "200 OK" "$name: 127.0.0.2 first"
	settle c.$ZONE
	rm -f "$T/lossy.ready" "$T/lossy.ready.dropped"
	perl "$TOP/t/lib/lossy.pl" "$DROP" "$NSPORT" "$T/lossy.ready" first &
	RELAY=$!
	PIDS="$PIDS $RELAY"
	wait_for 10 test -e "$T/lossy.ready"
	sed -i "s/^nsport.*/nsport = $DROP/" "$T/conf"
	[ -n "$2" ] && echo "nsupdate = \"$2\"" >>"$T/conf"
	get $KEY --interface 127.0.0.3 >"$T/first.out" &
	CURL=$!
	wait_for 10 test -e "$T/lossy.ready.dropped"
	ok $? "$name: the relay lost the first UPDATE"
	hpid=$(pgrep -P "$SFTDYN_PID" | head -n 1)
	kill -KILL "$hpid"
	KILLED="${KILLED:+$KILLED|}$hpid"
	wait "$CURL"
	is "$(cut -c1-3 "$T/first.out")" 000 "$name: the killed handler's client got no answer"
	cp "$T/conf.good" "$T/conf"
}

# believe NAME: after the next update from 127.0.0.4, and once nothing
# of the killed handler's is left, DNS, the state and the client agree.
believe() {
	wait_for 30 no_orphans
	ok $? "$1: nothing the killed handler started is left"
	kill "$RELAY" 2>/dev/null
	settle c.$ZONE
	is "$(rr c.$ZONE A)" 127.0.0.4 "$1: DNS holds the next update's address"
	like "$(cat "$T/state/c.$ZONE.A" 2>/dev/null || echo unknown)" \
	    '^(127\.0\.0\.4 |unknown)' "$1: the state holds it too, or nothing"
	is "$(get $KEY --interface 127.0.0.4)" "200 UPTODATE" \
	    "$1: the client asking again: UPTODATE, and true"
	is "$(rr c.$ZONE A)" 127.0.0.4 "$1: DNS still holds it"
}

# nsupdate itself: it dies with the handler, before it sends again.
killed_midway "nsupdate" ""
wait_for 1 no_orphans
ok $? "nsupdate: it died with the handler"
is "$(get $KEY --interface 127.0.0.4)" "200 OK" "nsupdate: the next update: OK"
believe "nsupdate"

# A wrapper whose child is nsupdate: the child outlives the wrapper, but
# holds the host's lock, so the next update waits for it to end.
killed_midway "a wrapper" "$T/bin/wrapped"
orphans >/dev/null
ok $? "a wrapper: its nsupdate outlived it"
mark
timed get $KEY --interface 127.0.0.4
is "$out" "200 OK" "a wrapper: the next update waited for the orphan, then: OK"
like "$(since_mark)" 'result=200 OK' "(logged)"
believe "a wrapper"

done_testing
