#!/bin/bash
# A slowloris against the shipped xinetd stanza: up to 300 stalled
# connections from up to 32 source addresses, reopened as the server
# closes them (after the request deadline, 3 s here, 10 s by default).
# Through two rounds of that, a legitimate client must be served every
# time (within 2 s, but under the sanitizers, whose handler costs some 70
# times the CPU: no latency is asserted there); the handlers stay within
# the stanza's limits; their memory is measured as what each adds (USS)
# and as PSS (the static binary's pages are shared between them).  The
# attack's size follows what one handler costs here, so that the
# handlers the attacker makes xinetd start take about half a core: the
# sanitizer build meets a smaller flood, with the same limits, on a
# machine as busy.
# sftdyn.socket carries the same numbers (MaxConnections=,
# MaxConnectionsPerSource=); systemd-socket-activate, the only socket
# activation that runs here without systemd as PID 1, has no such limits,
# so they are tested with xinetd alone.
. "$(dirname "$0")/lib.sh"

start_named
# the clients below change a's address hundreds of times: no change limit
TIMEOUT=3 write_conf "max-changes = 0"
# with its client index, as the package and sftdyn-index.path keep it
"$SFTDYN" -t "$T/conf" >/dev/null
P=$(free_port)
start_xinetd xinetd "$TOP/units/xinetd" "$P" -e "s,/usr/local/bin/sftdyn,$SFTDYN," \
    -e "s,/etc/sftdyn/conf,-c $T/conf," -e "s,= bind,= root,"
st=$?
INSTANCES=$(awk '$1 == "instances" { print $3 }' "$T/xinetd.conf")
PER_SOURCE=$(awk '$1 == "per_source" { print $3 }' "$T/xinetd.conf")
ok $st "xinetd (instances $INSTANCES, per_source $PER_SOURCE) on $P"
PORT=$P

# handlers live a deadline and a second before their connection comes
# back: CONNS connections cost CONNS / 4 handlers a second
cost=$(handler_cpu_ms "$T/conf")
CONNS=$((2000 / cost > 300 ? 300 : 2000 / cost))
SOURCES=$((CONNS / 8 > 32 ? 32 : CONNS / 8 < 1 ? 1 : CONNS / 8))
[ "$cost" -gt 0 ]
ok $? "a handler costs $cost ms of CPU here: $CONNS connections from $SOURCES addresses"

handlers() { pgrep -P "$XINETD" | wc -l; }
# the attacker's status: connections held, and closed by the deadline
held() { [ "$(awk '{ print $1 }' "$T/held" 2>/dev/null || echo 0)" -ge "$1" ]; }

perl "$TOP/t/lib/slowloris.pl" 127.0.0.1 "$P" "$CONNS" "$SOURCES" "$T/held" \
    2>"$T/slowloris.err" &
PIDS="$PIDS $!"
# what the limits let the attacker hold: per_source from each address
want=$((SOURCES * PER_SOURCE < INSTANCES ? SOURCES * PER_SOURCE : INSTANCES))
wait_for 30 held "$want"
ok $? "the attacker holds $(awk '{ print $1 }' "$T/held") stalled connections (the limits allow $want)"

# clients from 127.0.0.2 to .9, one after the other, for two rounds of
# stalled handlers timing out and the attacker reconnecting
until=$(($(now_ms) + 7000))
n=0 failed=0 slowest=0
while [ "$(now_ms)" -lt "$until" ]; do
	src=127.0.0.$((n % 8 + 2))
	start=$(now_ms)
	r=$(get "/host=a.$ZONE,key=secret-a-long-enough" --interface "$src" --max-time 10)
	took=$(($(now_ms) - start))
	case "$r" in "200 OK"|"200 UPTODATE") ;; *) failed=$((failed + 1)) ;; esac
	[ "$took" -gt "$slowest" ] && slowest=$took
	n=$((n + 1))
	last=$src
done
is "$failed" 0 "$n requests through 7 s of the flood: every one answered"
if sanitized; then
	skip 1 "the slowest took $slowest ms: no latency is asserted under the sanitizers"
else
	[ "$slowest" -lt 2000 ]
	ok $? "each within 2 s (the slowest took $slowest ms)"
fi
timed_out=$(awk '{ print $2 }' "$T/held")
[ "$timed_out" -ge "$want" ]
ok $? "meanwhile $timed_out stalled connections met the deadline and came back"
is "$(rr a.$ZONE A)" "$last" "DNS holds the last client's address"

n=$(handlers)
[ "$n" -le "$INSTANCES" ]
ok $? "$n handlers, within instances = $INSTANCES"
# connections served by a handler: those still in the listen queue, or
# that xinetd accepted only to close them, are no handler's
worst=$(ss -Htnp state established "( sport = :$P )" | grep '"sftdyn"' |
    awk '{ sub(/:[0-9]+$/, "", $4); print $4 }' | sort | uniq -c |
    sort -rn | awk 'NR == 1 { print $1 }')
[ "${worst:-0}" -le "$PER_SOURCE" ]
ok $? "at most $PER_SOURCE connections from one address (saw ${worst:-0})"

# the stalled handlers, live: confined before they read their request.
# Only those waiting for a second or more: a handler the attacker's
# reconnection has just started may not have got that far yet.  The
# attacker's connections meet their deadline together and come back
# together, so there may be a moment with none such: wait for them.
stalled() { ps -o pid=,etimes= --ppid "$XINETD" | awk '$2 >= 1 { print $1 }'; }
any_stalled() { [ -n "$(stalled)" ]; }
wait_for 10 any_stalled
seen=0 unconfined=0
for h in $(stalled); do
	st=$(cat "/proc/$h/status" 2>/dev/null) && [ -n "$st" ] || continue
	seen=$((seen + 1))
	echo "$st" | grep -Eq '^NoNewPrivs:[[:space:]]+1$' &&
	    echo "$st" | grep -Eq '^Seccomp:[[:space:]]+2$' ||
	    unconfined=$((unconfined + 1))
done
[ "$seen" -gt 0 ]
ok $? "$seen handlers have been stalled for a second or more"
is "$unconfined" 0 "each has no new privileges and its seccomp filter (seccomp = true)"

# the memory of a stalled handler: what each one adds (its private pages,
# USS), averaged over all of them; PSS, which also counts its share of
# the pages they share, is shown beside it (it grows as fewer share them)
uss=0 pss=0 k=0
measure() {
	local pid r
	uss=0 pss=0 k=0
	for pid in $(pgrep -P "$XINETD"); do
		r=$(awk '/^Pss:/ { p = $2 } /^Private_(Clean|Dirty):/ { u += $2 }
		    END { if (p != "") print u, p }' "/proc/$pid/smaps_rollup" 2>/dev/null)
		[ -n "$r" ] || continue
		uss=$((uss + ${r% *}))
		pss=$((pss + ${r#* }))
		k=$((k + 1))
	done
	[ "$k" -gt 0 ]
}
wait_for 10 measure
measure
msg="a stalled handler's own memory (USS): $((uss / (k ? k : 1))) KiB, PSS $((pss / (k ? k : 1))) KiB (of $k); all of them: $((pss / 1024)) MiB"
if sanitized; then	# the sanitizers' shadow memory is no handler's
	skip 1 "$msg, under AddressSanitizer"
else
	[ "$k" -gt 0 ] && [ $((uss / k)) -lt 1024 ]
	ok $? "$msg"
fi

done_testing
