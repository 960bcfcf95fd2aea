#!/bin/bash
# When DNS or the state directory fails: 500 FAIL within the deadline and
# the state unknown; state trouble never turns a good update into an error.
. "$(dirname "$0")/lib.sh"

start_named
TIMEOUT=2 write_conf
# named deletes its session key when it stops; the TSIG key stays.
sed -i 's,named/session.key,named/tsig.key,' "$T/conf"
start_sftdyn 127.0.0.1
KEY=/secret-c-long-enough

is "$(get $KEY --interface 127.0.0.2)" "200 OK" "first update"
stop_named
timed get $KEY --interface 127.0.0.3
is "$out" "500 FAIL" "named stopped: 500 FAIL"
took_between 0 3000 "answered within the 2 s deadline"
settle c.$ZONE
test ! -e "$T/state/c.$ZONE.A"
ok $? "after FAIL the state is unknown: removed before nsupdate ran"
like "$(cat "$T/sftdyn.log")" 'error: nsupdate: ' "nsupdate's output is logged"
restart_named
is "$(get $KEY --interface 127.0.0.3)" "200 OK" "named back: OK, not UPTODATE"
is "$(rr c.$ZONE A)" "127.0.0.3" "DNS follows"
is "$(state c.$ZONE A)" "127.0.0.3" "state follows"

# A server that never answers: nsupdate is killed at the deadline.
BH=$(free_port)
perl -MIO::Socket::IP -e '
    my @s = map { (IO::Socket::IP->new(LocalHost => $_, LocalPort => $ARGV[0],
        Proto => "udp") or die, IO::Socket::IP->new(LocalHost => $_,
        LocalPort => $ARGV[0], Listen => 5) or die) } "127.0.0.1", "::1";
    open(my $f, ">", $ARGV[1]); close($f);
    sleep 120;' "$BH" "$T/blackhole" &
PIDS="$PIDS $!"
wait_for 10 test -e "$T/blackhole"
sed -i "s/^nsport.*/nsport = $BH/" "$T/conf"
timed get $KEY --interface 127.0.0.4
is "$out" "500 FAIL" "silent server: 500 FAIL"
took_between 1900 4000 "after the 2 s timeout"
like "$(cat "$T/sftdyn.log")" 'nsupdate: no answer within 2 s, killed' \
    "the kill is logged"
pgrep -f "nsupdate -l -p $BH" >/dev/null
ok $((! $?)) "no nsupdate left running"
for p in $SFTDYN_PID $(pgrep -P "$SFTDYN_PID"); do
	ps -o stat=,comm= --ppid "$p"
done | grep -q '^Z.*nsupdate'
ok $((! $?)) "no nsupdate zombie"
settle c.$ZONE
test ! -e "$T/state/c.$ZONE.A"
ok $? "after the timeout the state is unknown"
sed -i "s/^nsport.*/nsport = $NSPORT/" "$T/conf"

# nsupdate that cannot start.
echo 'nsupdate = "/nonexistent/nsupdate"' >>"$T/conf"
is "$(get $KEY --interface 127.0.0.4)" "500 FAIL" \
    "a configuration that fails -t: 500 FAIL"
like "$(cat "$T/sftdyn.log")" 'nsupdate "/nonexistent/nsupdate": No such file' \
    "the reason is logged"
is "$(get / --interface 127.0.0.4)" "500 FAIL" "even for GET /"
sed -i '$d' "$T/conf"
# one that -t passes (executable) but the kernel cannot run
mkdir -p "$T/bin"
printf 'not a program\n' >"$T/bin/garbage"
chmod +x "$T/bin/garbage"
echo "nsupdate = \"$T/bin/garbage\"" >>"$T/conf"
mark
is "$(get $KEY --interface 127.0.0.5)" "500 FAIL" "an nsupdate that cannot be run: 500 FAIL"
like "$(since_mark)" "nsupdate: cannot run $T/bin/garbage: Exec format error" \
    "  the reason is logged"
settle c.$ZONE
test ! -e "$T/state/c.$ZONE.A"
ok $? "  the state is unknown"
sed -i '$d' "$T/conf"

# An nsupdate wrapper that sends output to /dev/null, as wrappers do:
# confinement lets it.
mkdir -p "$T/bin"
printf '#!/bin/sh\nexec /usr/bin/nsupdate "$@" 2>/dev/null >/dev/null\n' >"$T/bin/quiet"
chmod +x "$T/bin/quiet"
echo "nsupdate = \"$T/bin/quiet\"" >>"$T/conf"
is "$(get $KEY --interface 127.0.0.7)" "200 OK" "a wrapper writing to /dev/null: OK"
is "$(rr c.$ZONE A)" "127.0.0.7" "DNS follows"
sed -i '$d' "$T/conf"

# Corrupt, unreadable and unwritable state.
settle c.$ZONE
printf 'garbage\n' >"$T/state/c.$ZONE.A"
is "$(get $KEY --interface 127.0.0.3)" "200 OK" "corrupt state: the update runs"
is "$(state c.$ZONE A)" "127.0.0.3" "corrupt state replaced"
settle c.$ZONE
perl -pi -e 's/\n/\0junk\n/' "$T/state/c.$ZONE.A"
is "$(get $KEY --interface 127.0.0.3)" "200 OK" \
    "a valid line, then a NUL and more: the update runs (found by fuzzing)"
settle c.$ZONE
printf '127.0.0.3' >"$T/state/c.$ZONE.A"
is "$(get $KEY --interface 127.0.0.3)" "200 OK" "truncated state: the update runs"
settle c.$ZONE
printf '::1\n' >"$T/state/c.$ZONE.A"
is "$(get $KEY --interface 127.0.0.3)" "200 OK" "an AAAA address in A state: the update runs"
settle c.$ZONE
rm "$T/state/c.$ZONE.A"
mkdir "$T/state/c.$ZONE.A"
is "$(get $KEY --interface 127.0.0.5)" "200 OK" "unreadable, unwritable state: OK"
is "$(rr c.$ZONE A)" "127.0.0.5" "DNS follows"
settle c.$ZONE
like "$(cat "$T/sftdyn.log")" "error: state: .*c\.$ZONE\.A" "state trouble is logged"
rmdir "$T/state/c.$ZONE.A"
sed -i 's,^statedir.*,statedir = "/dev/null/state",' "$T/conf"
is "$(get $KEY --interface 127.0.0.6)" "200 OK" "no state directory at all: OK"
is "$(rr c.$ZONE A)" "127.0.0.6" "DNS follows"
ls "$T"/state/.c* "$T"/state/*.XXXXXX* >/dev/null 2>&1
ok $((! $?)) "no temporary files left behind"

# A statedir that became a regular file or a FIFO after -t: 500 FAIL and
# a log line that says so, from the index and from the parse alike.
mkfifo "$T/statefifo"
: >"$T/statefile"
for f in statefile statefifo; do
	sed -i "s,^statedir.*,statedir = \"$f\"," "$T/conf"
	mv "$T/$f" "$T/$f.away" && mkdir "$T/$f" &&
	    "$SFTDYN" -t "$T/conf" >/dev/null && rmdir "$T/$f" && mv "$T/$f.away" "$T/$f"
	mark
	timed get $KEY --interface 127.0.0.8
	is "$out" "500 FAIL" "statedir a ${f#state} after -t: 500 FAIL"
	took_between 0 2000 "(at once)"
	like "$(since_mark)" "configuration: statedir \"$T/$f\" is not a directory" \
	    "the index's handler says why"
	# and it is confined all the same, as for a configuration that failed
	printf 'GET %s HTTP/1.1\r\n\r\n' "$KEY" |
	    ASAN_OPTIONS=detect_leaks=0 REMOTE_ADDR=127.0.0.8 strace -o "$T/confine.out" \
	    -e trace=prctl "$SFTDYN" -e -c "$T/conf" >/dev/null 2>&1
	grep -q 'prctl(PR_SET_NO_NEW_PRIVS, 1.*= 0' "$T/confine.out"
	ok $? "statedir a ${f#state}: the handler still takes no new privileges"
	rm -f "$T/conf.cdb"
	mark
	is "$(get $KEY --interface 127.0.0.8)" "500 FAIL" "statedir a ${f#state}, parsed: 500 FAIL"
	like "$(since_mark)" "configuration: $T/conf:[0-9]+: statedir \"$T/$f\" is not a directory" \
	    "the parse says why, at its line"
done
sed -i 's,^statedir.*,statedir = "state",' "$T/conf"

# nsupdate that exits 0 without reading its input did not do what it was
# asked: 500 FAIL, and the state unknown.
printf '#!/bin/sh\nexit 0\n' >"$T/bin/deaf"
chmod +x "$T/bin/deaf"
echo "nsupdate = \"$T/bin/deaf\"" >>"$T/conf"
mark
is "$(get $KEY --interface 127.0.0.9)" "500 FAIL" "nsupdate exits 0 without reading: 500 FAIL"
like "$(since_mark)" 'exited 0 without reading all of its input' "logged"
settle c.$ZONE
test ! -e "$T/state/c.$ZONE.A"
ok $? "and the state is unknown"
sed -i '$d' "$T/conf"

# An nsupdate wrapper in bash, under the system call filter (the suite's
# configurations set seccomp = true): bash's job control is allowed.
printf '#!/bin/bash\nset -o pipefail\n/usr/bin/nsupdate "$@" | cat\nexit "${PIPESTATUS[0]}"\n' \
    >"$T/bin/bash-wrapper"
chmod +x "$T/bin/bash-wrapper"
echo "nsupdate = \"$T/bin/bash-wrapper\"" >>"$T/conf"
is "$(get $KEY --interface 127.0.0.10)" "200 OK" "a bash wrapper under seccomp: OK"
is "$(rr c.$ZONE A)" 127.0.0.10 "DNS follows"
sed -i '$d' "$T/conf"

# A wrapper that keeps a file of its own in the state directory,
# overwritten each time (>, a truncation): Landlock lets it, run after run.
printf '#!/bin/sh\ndate +%%s%%N >"%s/state/wrapper.last" || exit 1\nexec /usr/bin/nsupdate "$@"\n' \
    "$T" >"$T/bin/noting"
chmod +x "$T/bin/noting"
echo "nsupdate = \"$T/bin/noting\"" >>"$T/conf"
is "$(get $KEY --interface 127.0.0.11)" "200 OK" "a wrapper writing its file in the state directory: OK"
first=$(cat "$T/state/wrapper.last")
is "$(get $KEY --interface 127.0.0.12)" "200 OK" "and overwriting it the next time: OK"
[ -n "$first" ] && [ "$(cat "$T/state/wrapper.last")" != "$first" ]
ok $? "the file was truncated and written anew"
is "$(rr c.$ZONE A)" 127.0.0.12 "DNS follows"
sed -i '$d' "$T/conf"

done_testing
