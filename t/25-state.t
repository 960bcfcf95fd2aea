#!/bin/bash
# The state under faults: whatever fails after nsupdate
# started, the state never vouches for an address DNS may not hold.  Each
# fault is followed by what DNS, the state and the client believe.  Also:
# only regular files count, the state names the update it vouches for,
# and a queue for one host's lock is bounded.
NEEDS_NS=1	# a mount namespace of our own, for the full state directory
. "$(dirname "$0")/lib.sh"

start_named
TIMEOUT=2 write_conf
sed -i 's,named/session.key,named/tsig.key,' "$T/conf"
cp "$T/conf" "$T/conf.good"
start_sftdyn 127.0.0.1
KEY=/secret-c-long-enough
OLD=127.0.0.2
NEW=127.0.0.3

# wrapper NAME BODY: an nsupdate that runs the real one, then BODY.
mkdir -p "$T/bin"
wrapper() {
	printf '#!/bin/sh\n/usr/bin/nsupdate "$@" || exit $?\n%s\n' "$2" \
	    >"$T/bin/$1"
	chmod +x "$T/bin/$1"
}
wrapper fails 'exit 1'
wrapper hangs 'exec sleep 61'
wrapper term "exec sleep 61"
printf '#!/bin/sh\nexec sleep 61\n' >"$T/bin/stalls"
chmod +x "$T/bin/stalls"

statedir() {
	sed -n 's/^statedir = "\(.*\)"/\1/p' "$T/conf.good" | sed "s,^state\$,$T/state,"
}

# from_old: DNS and the state hold OLD, through a good update.
from_old() {
	cp "$T/conf.good" "$T/conf"
	settle c.$ZONE
	rm -f "$(statedir)/c.$ZONE.A"
	is "$(get $KEY --interface $OLD)" "200 OK" "$1: $OLD first"
	settle c.$ZONE
	is "$(awk '{print $1}' "$(statedir)/c.$ZONE.A")" "$OLD" \
	    "$1: the state holds $OLD"
}

# believe NAME: DNS took NEW; the state vouches for nothing; OLD, asked
# again, is updated rather than told UPTODATE.
believe() {
	is "$(rr c.$ZONE A)" "$NEW" "$1: DNS took $NEW"
	settle c.$ZONE
	test ! -e "$T/state/c.$ZONE.A"
	ok $? "$1: the state is unknown"
	cp "$T/conf.good" "$T/conf"
	is "$(get $KEY --interface $OLD)" "200 OK" "$1: $OLD again: OK, not UPTODATE"
	is "$(rr c.$ZONE A)" "$OLD" "$1: DNS follows"
}

# nsupdate's answer lost: the server took the update.
LOSSY=$(free_port)
perl "$TOP/t/lib/lossy.pl" "$LOSSY" "$NSPORT" "$T/lossy.ready" &
PIDS="$PIDS $!"
wait_for 10 test -e "$T/lossy.ready"
from_old "answer lost"
sed -i "s/^nsport.*/nsport = $LOSSY/" "$T/conf"
is "$(get $KEY --interface $NEW)" "500 FAIL" "answer lost: 500 FAIL"
believe "answer lost"

from_old "exit 1 after the update"
echo "nsupdate = \"$T/bin/fails\"" >>"$T/conf"
is "$(get $KEY --interface $NEW)" "500 FAIL" "exit 1 after the update: 500 FAIL"
believe "exit 1 after the update"

from_old "a hang after the update"
echo "nsupdate = \"$T/bin/hangs\"" >>"$T/conf"
is "$(get $KEY --interface $NEW)" "500 FAIL" "a hang after the update: 500 FAIL"
believe "a hang after the update"
pgrep -f '^sleep 61' >/dev/null
ok $((! $?)) "the hanging nsupdate was killed"

from_old "SIGTERM"
echo "nsupdate = \"$T/bin/term\"" >>"$T/conf"
get $KEY --interface $NEW >"$T/term.out" &
cpid=$!
# the wrapper (confined with the handler, it can write nothing of ours)
# becomes "sleep 61" once nsupdate succeeded; its parent is the handler
wait_for 10 pgrep -f '^sleep 61'
ok $? "SIGTERM: nsupdate has updated DNS"
hpid=$(ps -o ppid= -p "$(pgrep -f '^sleep 61' | head -n 1)" | tr -d ' ')
kill -TERM "$hpid"
wait "$cpid"
KILLED=$hpid	# the one handler that is meant to die
is "$(cut -c1-3 "$T/term.out")" "000" "SIGTERM: the client gets no answer"
wait_for 5 sh -c "! pgrep -f '^sleep 61'"
ok $? "SIGTERM: nsupdate is ended with the handler"
believe "SIGTERM"

# A full state directory after a good update: the answer is OK, and the
# state does not outlive the address it named.
if [ -n "${SFTDYN_NS:-}" ]; then
	mkdir -p "$T/small"
	mount -t tmpfs -o size=64k tmpfs "$T/small"
	sed -i "s,^statedir.*,statedir = \"$T/small\"," "$T/conf.good"
	from_old "full disk"
	# a second link keeps the old state's page when the state is removed
	ln "$T/small/c.$ZONE.A" "$T/small/keep"
	dd if=/dev/zero of="$T/small/fill" bs=4k 2>/dev/null
	is "$(get $KEY --interface $NEW)" "200 OK" "full disk: DNS took it, OK"
	timeout 10 flock "$T/small/c.$ZONE.lock" true
	like "$(cat "$T/sftdyn.log")" "state: .*No space left" "full disk: logged"
	is "$(rr c.$ZONE A)" "$NEW" "full disk: DNS took $NEW"
	test ! -e "$T/small/c.$ZONE.A"
	ok $? "full disk: the state is unknown"
	cp "$T/conf.good" "$T/conf"
	is "$(get $KEY --interface $OLD)" "200 OK" "full disk: $OLD again: OK, not UPTODATE"
	rm -f "$T/small/fill" "$T/small/keep"
	umount "$T/small"
	sed -i 's,^statedir.*,statedir = "state",' "$T/conf.good"
else
	for i in 1 2 3 4 5 6 7; do
		skip 1 "full disk: needs root and a mount namespace"
	done
fi

# The state vouches for one update: another TTL, key file or server
# means another update.
from_old "signature"
settle c.$ZONE
is "$(get $KEY --interface $OLD)" "200 UPTODATE" "the same update: UPTODATE"
sed -i 's/^ttl.*/ttl = 31/' "$T/conf"
is "$(get $KEY --interface $OLD)" "200 OK" "another TTL: OK, not UPTODATE"
is "$(dig +noall +answer -p "$NSPORT" @127.0.0.1 c.$ZONE A | awk '{print $2}')" 31 \
    "DNS has the new TTL"
is "$(get $KEY --interface $OLD)" "200 UPTODATE" "then UPTODATE"
sed -i 's,named/tsig.key,named/session.key,' "$T/conf"
is "$(get $KEY --interface $OLD)" "200 OK" "another key file: OK, not UPTODATE"
echo 'nsserver = "127.0.0.1"' >>"$T/conf"
is "$(get $KEY --interface $OLD)" "200 OK" "another server: OK, not UPTODATE"
is "$(get $KEY --interface $OLD)" "200 UPTODATE" "then UPTODATE"

# Only regular files count, and none blocks the handler.
cp "$T/conf.good" "$T/conf"
odd() {		# odd PATH NAME: PATH is not a regular file
	settle c.$ZONE
	mark
	timed get $KEY --interface $OLD
	is "$out" "200 OK" "$2: OK, not UPTODATE"
	took_between 0 2000 "$2: answered at once"
	like "$(since_mark)" "$1 is not a regular file" "$2: logged"
	rm -rf "$1"
}
is "$(get $KEY --interface $OLD)" "200 OK" "state: $OLD"
settle c.$ZONE
rm "$T/state/c.$ZONE.A"
mkfifo "$T/state/c.$ZONE.A"
odd "$T/state/c.$ZONE.A" "a FIFO as the state"
ln -s /dev/zero "$T/state/c.$ZONE.A"
odd "$T/state/c.$ZONE.A" "a symlink as the state"
rm -f "$T/state/c.$ZONE.lock"
mkfifo "$T/state/c.$ZONE.lock"
odd "$T/state/c.$ZONE.lock" "a FIFO as the lock"
mkdir "$T/state/c.$ZONE.lock"
odd "$T/state/c.$ZONE.lock" "a directory as the lock"

# Eight requests queue for one host whose nsupdate never answers: each
# is answered, none lives longer than 3 x timeout + 2 s.
echo "nsupdate = \"$T/bin/stalls\"" >>"$T/conf"
mark
for i in 1 2 3 4 5 6 7 8; do
	curl -s -o /dev/null -w '%{http_code} %{time_total}\n' --max-time 20 \
	    --interface 127.0.0.$((40 + i)) "http://127.0.0.1:$PORT$KEY" \
	    >"$T/queue.$i" &
done
wait_for 30 sh -c "[ \$(cat $T/queue.* | wc -l) -eq 8 ]"
ok $? "the eight requests were answered"
is "$(cut -d' ' -f1 "$T"/queue.* | sort | uniq -c | awk '{print $1, $2}')" "8 500" \
    "each with 500 FAIL"
slowest=$(cut -d' ' -f2 "$T"/queue.* | sort -n | tail -n 1)
awk -v t="$slowest" 'BEGIN { exit !(t < 8) }'
ok $? "the slowest took $slowest s, under 3 x 2 + 2"
like "$(since_mark)" 'held the lock until the deadline' "the lock wait is logged"
wait_for 5 sh -c "! pgrep -f '^sleep 61'"
ok $? "no stalled nsupdate left"

done_testing
