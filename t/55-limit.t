#!/bin/bash
# The change limit: max-changes changes of a name and type an hour, then
# 429 ABUSE (secret URL, with Retry-After), abuse (dyndns2's line, and
# ddclient's reading of it), 429 abuse (ACME); an unchanged address is
# never limited; the history is durable, survives a restart, and a
# damaged one allows the change.  A secret URL for several names runs
# none when one is at its limit.  Changes recorded under a clock that was
# ahead (a time shim) count as made now, so once the clock is right no
# name is refused for longer than an hour.  The hour is not waited out:
# the history's times are written into the past, or the clock moved on.
. "$(dirname "$0")/lib.sh"

start_named
write_conf 'max-changes = 3
client "d" {
	key = "secret-d-long-enough"
	host = "d.dyn.test"
	max-changes = 1
}
client "multi" {
	key = "secret-multi-long-enough"
	host = { "m1.dyn.test", "m2.dyn.test" }
}'
sed -i 's,named/session.key,named/tsig.key,' "$T/conf"
start_sftdyn 127.0.0.1
KEY=/secret-c-long-enough
H=$T/state/c.$ZONE.A.changes

is "$(get $KEY --interface 127.0.0.2)" "200 OK" "change 1"
is "$(get $KEY --interface 127.0.0.3)" "200 OK" "change 2"
is "$(get $KEY --interface 127.0.0.4)" "200 OK" "change 3"
settle c.$ZONE
is "$(wc -l <"$H")" 3 "the history holds three times"
s0=$(serial)
mark
is "$(get $KEY --interface 127.0.0.5 -D "$T/headers")" "429 ABUSE" "change 4: 429 ABUSE"
retry=$(tr -d '\r' <"$T/headers" | sed -n 's/^Retry-After: //p')
[ -n "$retry" ] && [ "$retry" -ge 1 ] && [ "$retry" -le 3600 ]
ok $? "with Retry-After $retry, between 1 and 3600"
like "$(since_mark)" "limit: c\\.$ZONE A changed 3 times in the last hour" "the refusal is logged"
is "$(rr c.$ZONE A)" 127.0.0.4 "DNS still holds the third address"
is "$(serial)" "$s0" "nothing reached DNS"
settle c.$ZONE
like "$(cat "$T/state/c.$ZONE.A")" '^127\.0\.0\.4 ' "the state still vouches for it"
is "$(get $KEY --interface 127.0.0.4)" "200 UPTODATE" "the unchanged address: UPTODATE, never ABUSE"
is "$(get "/nic/update?hostname=c.$ZONE&myip=192.0.2.1" -u "c:secret-c-long-enough")" "200 abuse" \
    "dyndns2: abuse"
is "$(get "/nic/update?hostname=c.$ZONE&myip=127.0.0.4" -u "c:secret-c-long-enough")" "200 nochg 127.0.0.4" \
    "dyndns2, unchanged: nochg"
# AAAA is a type of its own
is "$(get "/nic/update?hostname=c.$ZONE&myipv6=2001:db8::1" -u "c:secret-c-long-enough")" "200 good 2001:db8::1" \
    "AAAA counts on its own: good"

# The window slides: the oldest change an hour and a second ago.
now=$(date +%s)
settle c.$ZONE
printf '%s\n' $((now - 3601)) $((now - 100)) $((now - 50)) >"$H"
is "$(get $KEY --interface 127.0.0.5)" "200 OK" "the oldest change left the window: OK"
settle c.$ZONE
is "$(awk -v now="$now" '$1 > now - 3600' "$H" | wc -l)" 3 "the history holds the last three"
is "$(wc -l <"$H")" 3 "and no more"
printf '%s\n' $((now - 3590)) $((now - 100)) $((now - 50)) >"$H"
get $KEY --interface 127.0.0.6 -D "$T/headers" >/dev/null
retry=$(tr -d '\r' <"$T/headers" | sed -n 's/^Retry-After: //p')
[ -n "$retry" ] && [ "$retry" -ge 1 ] && [ "$retry" -le 15 ]
ok $? "Retry-After counts until the oldest change is an hour old ($retry s)"

# A damaged history allows the change, and says so: junk, or a time
# without the end of its line.
for junk in 'not a time\n' "$(head -c 300 /dev/urandom | base64 -w0)\n" \
    "$(date +%s)"; do
	settle c.$ZONE	# the last handler has written its history
	printf '%b' "$junk" >"$H"
	mark
	is "$(get $KEY --interface 127.0.0.7)" "200 OK" "a damaged history allows the change"
	like "$(since_mark)" "state: $H: damaged, ignored" "and is logged"
	get $KEY --interface 127.0.0.5 >/dev/null
done

# The limit survives a restart of everything.
now=$(date +%s)
settle c.$ZONE
printf '%s\n' $((now - 30)) $((now - 20)) $((now - 10)) >"$H"
stop_sftdyn
stop_named
restart_named
start_sftdyn 127.0.0.1
is "$(get $KEY --interface 127.0.0.8)" "429 ABUSE" "after a restart of named and sftdyn: still ABUSE"

# A client's own limit; a name of several; ACME.
is "$(get /secret-d-long-enough --interface 127.0.0.2)" "200 OK" "d, max-changes = 1: change 1"
is "$(get /secret-d-long-enough --interface 127.0.0.3)" "429 ABUSE" "d: change 2 is refused"
is "$(get /secret-multi-long-enough --interface 127.0.0.2)" "200 OK" "multi: both names"
now=$(date +%s)
settle m1.$ZONE
settle m2.$ZONE
printf '%s\n' $((now - 3000)) $((now - 2000)) $((now - 1000)) >"$T/state/m2.$ZONE.A.changes"
printf '%s\n' $((now - 10)) $((now - 9)) $((now - 8)) >"$T/state/m1.$ZONE.A.changes"
is "$(get /secret-multi-long-enough --interface 127.0.0.3 -D "$T/headers")" "429 ABUSE" \
    "multi: both names at the limit: ABUSE"
retry=$(tr -d '\r' <"$T/headers" | sed -n 's/^Retry-After: //p')
[ "$retry" -ge 3500 ]
ok $? "Retry-After is the longer of the two waits ($retry s)"
# The limit of any name keeps every name of the request from changing:
# m1 may change, m2 may not; neither does.
settle m1.$ZONE
settle m2.$ZONE
rm -f "$T/state/m1.$ZONE.A.changes" "$T/state/m2.$ZONE.A.changes"
is "$(get /secret-multi-long-enough --interface 127.0.0.9)" "200 OK" "multi: both names, once more"
now=$(date +%s)
settle m1.$ZONE
settle m2.$ZONE
rm -f "$T/state/m1.$ZONE.A.changes"
printf '%s\n' $((now - 30)) $((now - 20)) $((now - 10)) >"$T/state/m2.$ZONE.A.changes"
s0=$(serial)
is "$(get /secret-multi-long-enough --interface 127.0.0.10 -D "$T/headers")" "429 ABUSE" \
    "multi: m1 may change, m2 is at its limit: 429 ABUSE"
retry=$(tr -d '\r' <"$T/headers" | sed -n 's/^Retry-After: //p')
# m2's oldest change (now - 30) leaves the window at now + 3570; the
# request is answered a few seconds after now at most.
[ "$retry" -ge 3540 ] && [ "$retry" -le 3570 ]
ok $? "  Retry-After is m2's wait ($retry s)"
is "$(serial) $(rr m1.$ZONE A) $(rr m2.$ZONE A)" "$s0 127.0.0.9 127.0.0.9" \
    "  nothing ran: DNS holds both names as they were"
is "$(state m1.$ZONE A) $(state m2.$ZONE A)" "127.0.0.9 127.0.0.9" "  and so does the state"
test ! -e "$T/state/m1.$ZONE.A.changes"
ok $? "  m1's change was not counted"

V1=$(printf '%043d' 1 | tr 0-9 A-J) V2=$(printf '%043d' 2 | tr 0-9 A-J)
present() { curl -s -o "$T/body" -w '%{http_code}' -u "d:secret-d-long-enough" \
    --data "{\"fqdn\":\"_acme-challenge.d.$ZONE.\",\"value\":\"$1\"}" \
    "http://127.0.0.1:$PORT/present"; cat "$T/body"; }
is "$(present "$V1")" "200OK" "ACME, d: a TXT change"
is "$(present "$V1")" "200OK" "the same value again is no change"
is "$(present "$V2")" "429abuse" "another: 429 abuse"
is "$(curl -s -H 'X-Api-User: d' -H 'X-Api-Key: secret-d-long-enough' \
    --data "{\"subdomain\":\"d\",\"txt\":\"$V2\"}" "http://127.0.0.1:$PORT/update")" \
    '{"error":"abuse"}' "/update: {\"error\":\"abuse\"}"

# A clock that was ahead.  Three changes of e (max-changes 3) made by a
# handler whose clock was two hours (then a year) ahead: a dynamically
# linked sftdyn with t/lib/timeshift.c preloaded, which moves time(2)
# only (its nsupdate signs with the true clock); then the true clock:
# refused, for the true wait, at most an hour; and an hour on, allowed.
faked() {	# faked SECONDS ADDRESS: one request to e's secret URL, the clock moved
	printf 'GET /secret-e-long-enough HTTP/1.0\r\n\r\n' | REMOTE_ADDR=$2 \
	    LD_PRELOAD=$T/timeshift.so TIMESHIFT=$1 "$DYN" -e -c "$T/conf" \
	    2>>"$T/sftdyn.log" | tail -n 1
}
if DYN=$(dynamic_sftdyn) &&
    cc -shared -fPIC -o "$T/timeshift.so" "$TOP/t/lib/timeshift.c" 2>"$T/cc.err"; then
	printf 'client "e" {\n\tkey = "secret-e-long-enough"\n\thost = "e.%s"\n}\n' $ZONE >>"$T/conf"
	for ahead in 7200 31536000; do
		rm -f "$T/state/e.$ZONE".*
		for i in 2 3 4; do
			is "$(faked "$ahead" 127.0.0.$i)" "OK" "clock +$ahead s: change $((i - 1)) of e"
		done
		settle e.$ZONE
		now=$(date +%s)
		[ "$(head -n 1 "$T/state/e.$ZONE.A.changes")" -gt $((now + 3600)) ]
		ok $? "  the history holds times ahead of the true clock"
		mark
		is "$(get /secret-e-long-enough --interface 127.0.0.5 -D "$T/headers")" "429 ABUSE" \
		    "the true clock: the fourth change is refused"
		retry=$(tr -d '\r' <"$T/headers" | sed -n 's/^Retry-After: //p')
		[ "$retry" -ge 3590 ] && [ "$retry" -le 3600 ]
		ok $? "  Retry-After is the true wait, an hour at most ($retry s)"
		like "$(since_mark)" "limit: e\\.$ZONE A: 3 change times later than now, counted as now" \
		    "  the times ahead are logged"
		settle e.$ZONE
		[ "$(tail -n 1 "$T/state/e.$ZONE.A.changes")" -le "$(date +%s)" ]
		ok $? "  and written back as now"
		is "$(faked 3610 127.0.0.6)" "OK" "an hour on: the change is allowed"
		is "$(rr e.$ZONE A)" 127.0.0.6 "  and DNS has it"
	done
else
	skip 16 "a C compiler and a dynamically linked sftdyn are needed: $(cat "$T/cc.err" 2>/dev/null)"
fi

# ddclient reads abuse as a failure, and does not try again soon.
CLIENTS=$TOP/build/tools
if sh "$TOP/t/tools.sh" "$CLIENTS" ddclient 2>"$T/tools.err"; then
	cat >"$T/ddclient.conf" <<-EOF
	protocol=dyndns2
	use=web, web=http://127.0.0.1:$PORT/
	server=127.0.0.1:$PORT
	ssl=no
	login=d
	password='secret-d-long-enough'
	d.$ZONE
	EOF
	chmod 600 "$T/ddclient.conf"
	dd() {
		timeout 60 perl "$CLIENTS/usr/bin/ddclient" -daemon=0 -foreground \
		    -verbose -file "$T/ddclient.conf" -cache "$T/ddclient.cache" \
		    >"$T/dd.out" 2>&1
	}
	dd
	is "$? $(grep -c 'FAILED: *updating d\.dyn\.test: abuse' "$T/dd.out")" "1 1" \
	    "ddclient: FAILED ... abuse, exit 1"
	mark
	dd
	like "$(tr '\n' ' ' <"$T/dd.out")" 'skipping update of d\.dyn\.test .* last attempt on .* failed' \
	    "ddclient's next run skips the update, as its code says"
	! since_mark | grep -q 'client=d name='
	ok $? "and sends no request"
else
	echo "# skipping ddclient: $(cat "$T/tools.err")"
	skip 3 "ddclient cannot be had"
fi

# max-changes = 0: no limit; the setting is checked.
sed -i 's/^max-changes = 3/max-changes = 0/' "$T/conf"
for i in 2 3 4 5 6; do get $KEY --interface 127.0.0.$i >/dev/null; done
is "$(get $KEY --interface 127.0.0.7)" "200 OK" "max-changes = 0: no limit"
is "$("$SFTDYN" -t -v "$T/conf" | grep '^max-changes')" "max-changes = 0" "-t -v: max-changes"
printf 'max-changes = -1\n' >"$T/bad.conf"
"$SFTDYN" -t "$T/bad.conf" >/dev/null 2>&1
is "$?" 1 "-t: max-changes = -1 is refused"
printf 'max-changes = 1001\n' >"$T/bad.conf"
"$SFTDYN" -t "$T/bad.conf" >/dev/null 2>&1
is "$?" 1 "-t: max-changes = 1001 is refused"

done_testing
