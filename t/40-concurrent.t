#!/bin/bash
# Twenty clients update one host at once: the per-host lock keeps DNS and
# the state in step, so afterwards UPTODATE is told exactly to the address
# that DNS holds, and the change limit counts every change.
. "$(dirname "$0")/lib.sh"

start_named
write_conf
start_sftdyn 127.0.0.1

for i in $(seq 10 29); do
	curl -s --max-time 30 -o "$T/out.$i" --interface "127.0.0.$i" \
	    "http://127.0.0.1:$PORT/secret-c" &
	pids="${pids:-} $!"
done
wait $pids
n=$(cat "$T"/out.* | grep -c '^OK$')
is "$n" 20 "all twenty concurrent requests answered OK"
dns=$(rr c.$ZONE A)
like "$dns" '^127\.0\.0\.(1[0-9]|2[0-9])$' "DNS holds one of the clients ($dns)"
is "$(state c.$ZONE A)" "$dns" "the state holds the same address"
is "$(get /secret-c --interface "$dns")" "200 UPTODATE" \
    "the address DNS holds: UPTODATE"
other=127.0.0.10
[ "$dns" = 127.0.0.10 ] && other=127.0.0.11
# twenty changes within the hour are what max-changes allows by default,
# counted under the same lock: the twenty-first is refused, and changes
# nothing
is "$(get /secret-c --interface $other)" "429 ABUSE" \
    "any other address: the twenty-first change, beyond the change limit"
is "$(rr c.$ZONE A)" "$dns" "DNS still holds $dns"
is "$(state c.$ZONE A)" "$dns" "and so does the state"

done_testing
