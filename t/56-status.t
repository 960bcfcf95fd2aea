#!/bin/bash
# sftdyn --status: what the state directory vouches for, per client, name
# and type, as text, JSON (python3's json.tool and jq read it) and
# Prometheus gauges (promtool checks them, from Debian's prometheus,
# unpacked, never installed or started); a TTL change shown as stale; a
# hand edit in DNS shown by --verify; hostile state files reported, never
# followed, never blocking; read-only, no key printed, as the service user.
. "$(dirname "$0")/lib.sh"

start_named
write_conf 'client "multi" {
	key = "secret-multi-long-enough"
	host = { "m1.dyn.test", "*.m1.dyn.test" }
}'
# named removes its session key when it stops; the TSIG key stays
sed -i 's,named/session.key,named/tsig.key,' "$T/conf"
start_sftdyn 127.0.0.1
status() { "$SFTDYN" --status "$@" "$T/conf"; }
# row CLIENT NAME TYPE: that entry's line of the text report, its fields
# but the times squeezed to one space each
row() { status ${VERIFY:+--verify} | awk -v c="$1" -v n="$2" -v t="$3" \
    '$1 == c && $2 == n && $3 == t { $5 = "SET"; $6 = "AGE"; print }'; }

is "$(get "/host=a.$ZONE,key=secret-a-long-enough" --interface 127.0.0.2)" "200 OK" "a: A"
is "$(get "/nic/update?myip=2001:db8::2" -u "a:host=a.$ZONE,key=secret-a-long-enough")" "200 good 2001:db8::2" "a: AAAA"
V=$(printf '%043d' 5 | tr 0-9 A-J)
curl -s -u "a:host=a.$ZONE,key=secret-a-long-enough" --data \
    "{\"fqdn\":\"_acme-challenge.a.$ZONE.\",\"value\":\"$V\"}" "http://127.0.0.1:$PORT/present" >/dev/null
is "$(get /secret-multi-long-enough --interface 127.0.0.3)" "200 OK" "multi: two names"
for h in a m1 '*.m1'; do settle "$h.$ZONE"; done

out=$(status); st=$?
is "$st" 0 "--status: exit 0"
like "$(printf '%s\n' "$out" | head -n 1)" '^CLIENT +NAME +TYPE +STATE +SET +AGE +VALUE$' "a header"
is "$(row a a.$ZONE A)" "a a.$ZONE A vouches SET AGE 127.0.0.2" "a A: vouches, its address"
is "$(row a a.$ZONE AAAA)" "a a.$ZONE AAAA vouches SET AGE 2001:db8::2" "a AAAA"
is "$(row a a.$ZONE TXT)" "a a.$ZONE TXT vouches SET AGE $V" "a TXT: the value"
is "$(row b b.$ZONE A)" "b b.$ZONE A none SET AGE -" "b A: none"
is "$(row multi "*.m1.$ZONE" A)" "multi *.m1.$ZONE A vouches SET AGE 127.0.0.3" "a wildcard name"
is "$(status | grep -c "^multi .* TXT ")" 1 "one TXT line for a name and its wildcard"
like "$(status | awk '$1 == "a" && $3 == "A"')" \
    "^a +a\\.$ZONE +A +vouches +$(date -u +%Y-%m-%d)T[0-9:]{8}Z +[0-9]+s" "the time set, and the age"
! status | grep -q 'secret-'
ok $? "no key is printed"

# JSON, read by python3's json.tool and by jq
status --json >"$T/status.json"
/usr/bin/python3 -m json.tool "$T/status.json" >/dev/null
ok $? "--json: python3 -m json.tool reads it"
is "$(jq -r '.entries[] | select(.client == "a" and .type == "A") | [.name, .value, .state, (.age_seconds|type), (.set|test("Z$"))] | @tsv' "$T/status.json")" \
    "a.$ZONE	127.0.0.2	vouches	number	true" "--json: a's A entry"
is "$(jq -c '.entries[] | select(.client == "a" and .type == "TXT") | .value' "$T/status.json")" \
    "[\"$V\"]" "--json: TXT values, an array"
is "$(jq -c '.entries[] | select(.client == "b" and .type == "A") | [.value, .set, .age_seconds, .state]' "$T/status.json")" \
    '[null,null,null,"none"]' "--json: none"
is "$(jq -r '.entries[0] | keys | join(",")' "$T/status.json")" \
    "age_seconds,client,name,set,state,type,value" "--json: the members"

# Prometheus, checked by promtool
if sh "$TOP/t/tools.sh" "$TOP/build/tools" prometheus 2>"$T/tools.err"; then
	status --prometheus >"$T/status.prom"
	"$TOP/build/tools/usr/bin/promtool" check metrics <"$T/status.prom" >"$T/promtool.out" 2>&1
	ok $? "--prometheus: promtool check metrics is content"
	passing || sed 's/^/# /' "$T/promtool.out"
	like "$(cat "$T/status.prom")" "^sftdyn_state_vouches\\{client=\"a\",name=\"a\\.$ZONE\",type=\"A\"\\} 1\$" \
	    "--prometheus: sftdyn_state_vouches"
	like "$(cat "$T/status.prom")" "^sftdyn_state_set_timestamp_seconds\\{client=\"a\",name=\"a\\.$ZONE\",type=\"A\"\\} [0-9]+\$" \
	    "--prometheus: sftdyn_state_set_timestamp_seconds"
	status --prometheus --verify >"$T/status.prom"
	"$TOP/build/tools/usr/bin/promtool" check metrics <"$T/status.prom" >/dev/null 2>&1
	ok $? "--prometheus --verify: promtool is content"
	like "$(cat "$T/status.prom")" "^sftdyn_dns_agrees\\{client=\"a\",name=\"a\\.$ZONE\",type=\"A\"\\} 1\$" \
	    "--prometheus --verify: sftdyn_dns_agrees"
	# the shipped timer's service, its command as written, paths put in
	mkdir "$T/textfile"
	cmd=$(sed -n "s/^ExecStart=\/bin\/sh -c '\(.*\)'\$/\1/p" "$TOP/units/sftdyn-status.service" |
	    sed -e "s,/usr/local/bin/sftdyn,$SFTDYN," -e "s,/etc/sftdyn/conf,$T/conf," \
	    -e "s,/var/lib/prometheus/node-exporter,$T/textfile,g")
	sh -c "$cmd"
	is "$? $(ls "$T/textfile")" "0 sftdyn.prom" \
	    "units/sftdyn-status.service: the .prom file, written by a rename"
	"$TOP/build/tools/usr/bin/promtool" check metrics <"$T/textfile/sftdyn.prom" >/dev/null 2>&1
	ok $? "and promtool is content with it"
else
	echo "# skipping promtool: $(cat "$T/tools.err")"
	skip 7 "prometheus cannot be had"
fi

# --verify: the primary agrees; a hand edit disagrees
VERIFY=1
is "$(row a a.$ZONE A)" "a a.$ZONE A vouches SET AGE 127.0.0.2 agrees" "--verify: A agrees"
is "$(row a a.$ZONE TXT)" "a a.$ZONE TXT vouches SET AGE $V agrees" "--verify: TXT agrees"
printf 'update delete a.%s A\nupdate add a.%s 30 A 192.0.2.99\nsend\n' $ZONE $ZONE |
    nsupdate -l -p "$NSPORT" -k "$T/named/session.key"
is "$(row a a.$ZONE A)" "a a.$ZONE A vouches SET AGE 127.0.0.2 disagrees" \
    "--verify: a hand edit in DNS: disagrees"
is "$(row b b.$ZONE A)" "b b.$ZONE A none SET AGE - -" "--verify: nothing to ask for none"
is "$(status --json --verify | jq -r '.entries[] | select(.client == "a" and .type == "A") | .dns')" \
    disagrees "--json --verify: dns"
stop_named
timed row a a.$ZONE AAAA
is "$out" "a a.$ZONE AAAA vouches SET AGE 2001:db8::2 no-answer" "--verify, the primary down: no-answer"
restart_named

# A CNAME or DNAME on the way to a name never agrees, whatever DNS holds
# beyond it: b's known, empty TXT set over a CNAME to a name with a TXT
# record; c's A record, with c's address beyond a CNAME; d's under a
# DNAME.  Each kind of state: vouches and stale are asked about (and
# disagree), none and unknown are not asked.
hand() { printf '%s\nsend\n' "$@" | nsupdate -l -p "$NSPORT" -k "$T/named/session.key"; }
W=$(printf '%043d' 6 | tr 0-9 A-J)
for op in present cleanup; do
	curl -s -u "b:?hostname=b&password=secret-b-long-enough" --data \
	    "{\"fqdn\":\"_acme-challenge.b.$ZONE.\",\"value\":\"$W\"}" \
	    "http://127.0.0.1:$PORT/$op" >/dev/null
done
is "$(get '/?hostname=b&password=secret-b-long-enough' --interface 127.0.0.4)" "200 OK" "b: A"
is "$(get /secret-c-long-enough --interface 127.0.0.5)" "200 OK" "c: A"
settle b.$ZONE
settle c.$ZONE
like "$(cat "$T/state/b.$ZONE.TXT")" '^[0-9a-f]{16}$' "b's TXT state: a known, empty set"
is "$(row b b.$ZONE TXT)" "b b.$ZONE TXT vouches SET AGE (empty) agrees" \
    "--verify: the empty set agrees, before"
hand "update add _acme-challenge.b.$ZONE 30 CNAME t.$ZONE" \
    "update add t.$ZONE 30 TXT \"$W\""
hand "update delete c.$ZONE A" "update add c.$ZONE 30 CNAME c2.$ZONE" \
    "update add c2.$ZONE 30 A 127.0.0.5"
is "$(row b b.$ZONE TXT)" "b b.$ZONE TXT vouches SET AGE (empty) disagrees" \
    "--verify: the empty TXT set, over a CNAME: disagrees"
is "$(row c c.$ZONE A)" "c c.$ZONE A vouches SET AGE 127.0.0.5 disagrees" \
    "--verify: an A record, its address beyond a CNAME: disagrees"
sed -i 's/^ttl = 30/ttl = 31/' "$T/conf"
is "$(row c c.$ZONE A)" "c c.$ZONE A stale SET AGE 127.0.0.5 disagrees" \
    "--verify, a stale state: disagrees too"
sed -i 's/^ttl = 31/ttl = 30/' "$T/conf"
is "$(row c c.$ZONE AAAA)" "c c.$ZONE AAAA none SET AGE - -" \
    "--verify, no state: not asked"
settle b.$ZONE
mv "$T/state/b.$ZONE.A" "$T/state/b.A.saved"
mkdir "$T/state/b.$ZONE.A"
is "$(row b b.$ZONE A)" "b b.$ZONE A unknown SET AGE - -" \
    "--verify, an unknown state: not asked"
rmdir "$T/state/b.$ZONE.A"
mv "$T/state/b.A.saved" "$T/state/b.$ZONE.A"
hand "update add dname.$ZONE 30 DNAME elsewhere.$ZONE" \
    "update add b.elsewhere.$ZONE 30 A 127.0.0.4"
cp "$T/state/b.$ZONE.A" "$T/state/b.dname.$ZONE.A"
write_conf 'client "multi" {
	key = "secret-multi-long-enough"
	host = { "m1.dyn.test", "*.m1.dyn.test" }
}
client "d" {
	key = "secret-d-long-enough"
	host = "b.dname.dyn.test"
}'
sed -i 's,named/session.key,named/tsig.key,' "$T/conf"
like "$(rr b.dname.$ZONE A | tr '\n' ' ')" "b\\.elsewhere\\.$ZONE\\. 127\\.0\\.0\\.4" \
    "(b.dname.$ZONE leads by the DNAME to an A record of the address)"
like "$(row d b.dname.$ZONE A)" "^d b\\.dname\\.$ZONE A (vouches|stale) SET AGE 127\\.0\\.0\\.4 disagrees\$" \
    "--verify: an A record under a DNAME: disagrees"
is "$(status --json --verify | jq -r '.entries[] | select(.client == "b" and .type == "TXT") | .dns')" \
    disagrees "--json --verify: the CNAME too"
hand "update delete _acme-challenge.b.$ZONE CNAME" "update delete c.$ZONE CNAME" \
    "update delete dname.$ZONE DNAME"
rm "$T"/state/c.$ZONE.* "$T"/state/b.dname.$ZONE.*
VERIFY=

# A state dated in the future (the clock was wrong when it was written,
# then stepped back) is age 0, never less.
settle a.$ZONE
touch -d '+2 hours' "$T/state/a.$ZONE.A"
is "$(status --json | jq -c '.entries[] | select(.client == "a" and .type == "A") | .age_seconds')" \
    0 "--json: a state set in the future: age_seconds 0"
is "$(row a a.$ZONE A)" "a a.$ZONE A vouches SET AGE 127.0.0.2" "(the text says so too)"
like "$(status | awk '$1 == "a" && $3 == "A" { print $6 }')" '^0s$' "  with the age 0s"
touch "$T/state/a.$ZONE.A"

# A TTL change: the states no longer vouch.
sed -i 's/^ttl = 30/ttl = 31/' "$T/conf"
is "$(row a a.$ZONE A)" "a a.$ZONE A stale SET AGE 127.0.0.2" "another TTL: stale"
sed -i 's/^ttl = 31/ttl = 30/' "$T/conf"

# Read-only: nothing is written, nothing locked.
for h in a m1 '*.m1'; do settle "$h.$ZONE"; done
listing() { ls -la --time-style=full-iso "$T/state"; }
before=$(listing)
status --verify >/dev/null
is "$(listing)" "$before" "the state directory is as it was"

# Hostile state files: reported, never followed, never blocking.
head -c 200 /dev/urandom >"$T/state/b.$ZONE.A"
head -c 10000000 /dev/zero >"$T/state/b.$ZONE.AAAA"
mkfifo "$T/state/c.$ZONE.A"
ln -s "$T/state/a.$ZONE.A" "$T/state/c.$ZONE.AAAA"
timed status
took_between 0 5000 "(a FIFO does not block it)"
for e in "b.$ZONE A" "b.$ZONE AAAA" "c.$ZONE A" "c.$ZONE AAAA"; do
	set -- $e
	is "$(row "${1%%.*}" "$1" "$2")" "${1%%.*} $1 $2 unknown SET AGE -" \
	    "$2 of $1, $(stat -c %F "$T/state/$1.$2"): unknown"
done

# As the service user, who can read the configuration and the state.
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	chmod 755 "$T" "$T/state" "$T/named"
	chmod 644 "$T/conf" "$T/named/tsig.key" "$T"/state/*.A
	out=$(setpriv --reuid=65534 --regid=65534 --clear-groups \
	    "$SFTDYN" --status "$T/conf" 2>&1)
	like "$out" "^a +a\\.$ZONE +A +vouches" "--status as another user"
	chmod 700 "$T"
else
	skip 1 "needs root and setpriv"
fi

# A configuration that fails -t: exit 1, the errors on stderr.
echo 'ttl = "x"' >>"$T/conf"
out=$(status 2>&1 >/dev/null); st=$?
is "$st" 1 "a configuration that fails -t: exit 1"
like "$out" "^$T/conf:[0-9]+: " "and says why"
"$SFTDYN" --json "$T/conf" >/dev/null 2>&1
is "$?" 1 "--json without --status: a usage error"

done_testing
