#!/bin/bash
# dyndns2 with curl: every row of the answer tables, the
# addresses, credentials and names, hostile queries and headers.  An
# nsupdate wrapper counts the runs, so "changes nothing" is checked at
# DNS, at the state and at nsupdate.
. "$(dirname "$0")/lib.sh"

start_named
ok $? "named runs on port $NSPORT"
mkdir -p "$T/bin"
# the wrapper is confined with the handler: it says "nsupdate-run" on its
# output, which the handler logs
printf '#!/bin/sh\necho nsupdate-run >&2\nexec /usr/bin/nsupdate "$@"\n' \
    >"$T/bin/nsupdate"
chmod +x "$T/bin/nsupdate"
TIMEOUT=3 write_conf "nsupdate = \"$T/bin/nsupdate\"
client \"nomyip\" {
	key = \"secret-n-long-enough\"
	host = \"n.$ZONE\"
	allow-myip = false
}"
start_sftdyn 127.0.0.1
ok $? "sftdyn listens at 127.0.0.1:$PORT"

PW_A="host=a.$ZONE,key=secret-a-long-enough"
runs() { grep -c 'nsupdate: nsupdate-run' "$T/sftdyn.log"; }
# dyn QUERY [curl options]: "STATUS BODY" of /nic/update?QUERY as client a
dyn() {
	local q=$1
	shift
	get "/nic/update?$q" -u "a:$PW_A" "$@"
}
# unchanged WHAT: DNS (serial), state and nsupdate are as at the last save
save() { s0=$(serial); r0=$(runs); settle a.$ZONE; st0=$(ls -l "$T/state"); }
unchanged() {
	settle a.$ZONE
	[ "$(serial)" = "$s0" ] && [ "$(runs)" = "$r0" ] &&
	    [ "$(ls -l "$T/state")" = "$st0" ]
	ok $? "$1: no nsupdate run, DNS and state unchanged"
}

# The first update and nochg; the connection's address by default.
is "$(dyn "hostname=a.$ZONE" --interface 127.0.0.2)" "200 good 127.0.0.2" \
    "first update: good ADDR"
is "$(rr a.$ZONE A)" 127.0.0.2 "DNS holds it"
is "$(state a.$ZONE A)" 127.0.0.2 "the state records it"
save
is "$(dyn "hostname=a.$ZONE" --interface 127.0.0.2)" "200 nochg 127.0.0.2" \
    "same address: nochg ADDR"
unchanged "nochg"
is "$(get /v3/update -u "a:$PW_A" --interface 127.0.0.2)" \
    "200 nochg 127.0.0.2" "/v3/update, no hostname: the client's host"
is "$(dyn "hostname=" --interface 127.0.0.2)" "200 nochg 127.0.0.2" \
    "an empty hostname: the client's host"
is "$(get "$(printf '/host=a.%s,key=secret-a-long-enough' $ZONE)" --interface 127.0.0.2)" \
    "200 UPTODATE" "the state is shared: the secret URL says UPTODATE"
is "$(get "/host=a.$ZONE,key=secret-a-long-enough" --interface 127.0.0.3)" "200 OK" \
    "the secret URL sets a new address"
is "$(dyn "myip=127.0.0.3" --interface 127.0.0.9)" "200 nochg 127.0.0.3" \
    "and dyndns2 says nochg for it"

# Credentials (row 2).
save
hdr=$(curl -s -D - -o /dev/null "http://127.0.0.1:$PORT/nic/update" | tr -d '\r')
like "$hdr" '^HTTP/1\.1 401 ' "no credentials: 401"
like "$hdr" 'WWW-Authenticate: Basic realm="sftdyn"' "with a Basic challenge"
is "$(get /nic/update)" "401 badauth" "body badauth"
is "$(get /nic/update -u a:wrong)" "401 badauth" "wrong password: badauth"
is "$(get /nic/update -u "b:$PW_A")" "401 badauth" \
    "another client's name with a's key: badauth"
is "$(get /nic/update -u ":$PW_A")" "401 badauth" "empty user: badauth"
is "$(get /nic/update -u "a:")" "401 badauth" "empty password: badauth"
is "$(get /nic/update -u "A.DYN.TEST.:$PW_A" --interface 127.0.0.3)" \
    "200 nochg 127.0.0.3" "user = host, any case, trailing dot: accepted"
is "$(get /nic/update -u "A:$PW_A")" "401 badauth" \
    "the section name is exact: A is not a"
auth() { local h=$1; shift; get /nic/update -H "Authorization: $h" "$@"; }
is "$(auth "Basic !!!!")" "401 badauth" "bad base64: badauth"
is "$(auth "Basic $(printf 'a%s' "$PW_A" | base64 -w0)")" "401 badauth" \
    "no colon: badauth"
is "$(auth "Basic $(printf 'a:%s\0x' "$PW_A" | base64 -w0)")" "401 badauth" \
    "NUL after decoding: badauth"
is "$(auth "Bearer $(printf 'a:%s' "$PW_A" | base64 -w0)")" "401 badauth" \
    "another scheme: badauth"
is "$(auth "basic   $(printf 'a:%s' "$PW_A" | base64 -w0 | tr -d =)" \
    --interface 127.0.0.3)" "200 nochg 127.0.0.3" \
    "scheme in any case, spaces, no padding: accepted"
is "$(get /nic/update -u "a:$PW_A" -H "Authorization: Basic eA==" \
    --interface 127.0.0.3)" "401 badauth" "two Authorization headers: badauth"
is "$(auth "Basic $(head -c 6000 /dev/zero | tr '\0' A)")" "401 badauth" \
    "an 8 KB Authorization header: badauth"
is "$(get "/nic/update?hostname=a.$ZONE" -u "a:secret-c-long-enough")" "401 badauth" \
    "a key of another client, user a: badauth"
unchanged "badauth"

# Which paths: exactly /nic/update and /v3/update.
is "$(get /nic/update/ -u "a:$PW_A")" "403 BADKEY" "/nic/update/ is a key"
is "$(get /NIC/UPDATE -u "a:$PW_A")" "403 BADKEY" "/NIC/UPDATE is a key"
is "$(get "/nic/update?hostname=a.$ZONE" -u "a:$PW_A" --interface 127.0.0.3 \
    --request-target "http://example.org/nic/update?hostname=a.$ZONE")" \
    "200 nochg 127.0.0.3" "absolute form reduced to /nic/update"

# numhost (row 3) before dnserr (row 4).
names20=$(for i in $(seq 20); do printf 'x%d.%s,' "$i" $ZONE; done)
names20=${names20%,}
is "$(dyn "hostname=$names20,a.$ZONE&myip=bad")" "200 numhost" \
    "21 names: numhost, even with a bad myip"
r=$(dyn "hostname=$names20" --interface 127.0.0.3)
is "$(echo "$r" | wc -l)" 20 "20 names: 20 lines"
like "$r" '^200 nohost' "each of them nohost"
unchanged "numhost and nohost"

# Malformed myip (row 4): dnserr, nothing changes.
for bad in 2001:db8::/64 'fe80::1%25eth0' 192.0.2.07 a.dyn.test '<ipaddr>' \
    192.0.2.1,192.0.2.2 192.0.2.1,2001:db8::1,192.0.2.3 '192.0.2.1%0a' \
    '192.0.2.1%00' '%20192.0.2.1'; do
	is "$(dyn "myip=$bad")" "200 dnserr" "myip=$bad: dnserr"
done
is "$(dyn "myipv6=192.0.2.1")" "200 dnserr" "myipv6 holding IPv4: dnserr"
is "$(dyn "myipv6=::ffff:192.0.2.1")" "200 dnserr" \
    "myipv6 holding an IPv4-mapped address: dnserr"
is "$(dyn "myip6=2001:db8::1,2001:db8::2")" "200 dnserr" "myip6 with two: dnserr"
unchanged "dnserr"

# Addresses and families.
is "$(dyn "myip=192.0.2.10,2001:db8::10")" "200 good 192.0.2.10,2001:db8::10" \
    "myip=V4,V6: good V4,V6"
is "$(rr a.$ZONE A) $(rr a.$ZONE AAAA)" "192.0.2.10 2001:db8::10" \
    "both records set"
is "$(state a.$ZONE A) $(state a.$ZONE AAAA)" "192.0.2.10 2001:db8::10" \
    "both states recorded"
save
is "$(dyn "myip=2001:db8::10,192.0.2.10")" "200 nochg 192.0.2.10,2001:db8::10" \
    "V6,V4, both current: nochg, IPv4 first"
unchanged "nochg for both families"
is "$(dyn "myip=2001:db8::10,192.0.2.11")" "200 good 192.0.2.11,2001:db8::10" \
    "one family new: good for both"
is "$(($(runs) - r0))" 1 "one nsupdate run"
is "$(dyn "myip=192.0.2.12,")" "200 good 192.0.2.12" "myip=V4, (no IPv6): A only"
is "$(rr a.$ZONE AAAA)" 2001:db8::10 "AAAA untouched"
is "$(dyn "myipv6=2001:db8::12" --interface 127.0.0.4)" \
    "200 good 2001:db8::12" "myipv6 alone over IPv4: AAAA only"
is "$(rr a.$ZONE A) $(rr a.$ZONE AAAA)" "192.0.2.12 2001:db8::12" \
    "A is not the connection's address"
is "$(dyn "myip=192.0.2.12,2001:db8::99&myipv6=2001:db8::13")" \
    "200 good 192.0.2.12,2001:db8::13" "myipv6 wins over myip's IPv6"
is "$(dyn "myip6=2001:db8::13&myip=192.0.2.12")" \
    "200 nochg 192.0.2.12,2001:db8::13" "myip6 is myipv6's other name"
is "$(dyn "myip=::ffff:192.0.2.12")" "200 nochg 192.0.2.12" \
    "an IPv4-mapped myip is IPv4"
is "$(dyn "myip=2001%3adb8%3a%3a13%2c192%2E0%2E2%2E12")" \
    "200 nochg 192.0.2.12,2001:db8::13" "percent-decoded (as inadyn sends)"
is "$(dyn "myip=,,192.0.2.12,,")" "200 nochg 192.0.2.12" \
    "empty myip elements are ignored"
is "$(dyn "myip=&myipv6=" --interface 127.0.0.5)" "200 good 127.0.0.5" \
    "empty myip and myipv6: the connection's address"
is "$(dyn "myip=192.0.2.14&myip=192.0.2.15")" "200 good 192.0.2.14" \
    "the first occurrence counts"

# allow-myip false: myip is ignored, by the client's setting.
PW_N=secret-n-long-enough
is "$(get "/nic/update?myip=192.0.2.20,2001:db8::20" -u "nomyip:$PW_N" \
    --interface 127.0.0.6)" "200 good 127.0.0.6" \
    "allow-myip false: the connection's address"
is "$(get "/nic/update?myip=nonsense" -u "nomyip:$PW_N" \
    --interface 127.0.0.6)" "200 nochg 127.0.0.6" \
    "allow-myip false: a bad myip is not even read"
is "$(rr n.$ZONE AAAA)" "" "no AAAA from the ignored myip"
"$SFTDYN" -t "$T/conf" >/dev/null 2>&1 && test -s "$T/conf.cdb"
ok $? "-t compiles the client index"
mark
is "$(get "/nic/update?myip=192.0.2.20" -u "nomyip:$PW_N" \
    --interface 127.0.0.6)" "200 nochg 127.0.0.6" \
    "from the index: allow-myip false still holds"
is "$(dyn "myip=192.0.2.14" --interface 127.0.0.6)" "200 nochg 192.0.2.14" \
    "from the index: allow-myip true (inherited) too"
! since_mark | grep -q 'client index\|configuration'
ok $? "no parse while the index is fresh"

# Names (row 5): one line per name, in order.
save
r=$(dyn "hostname=a.$ZONE,b.$ZONE,,bad_name!,A.DYN.TEST.&myip=192.0.2.14" | tr '\n' '|')
is "$r" "200 nochg 192.0.2.14|nohost|notfqdn|notfqdn|nochg 192.0.2.14" \
    "nochg, nohost, notfqdn (empty), notfqdn, nochg (any case, trailing dot)"
is "$(dyn "hostname=a.$ZONE%0a.x" | tr '\n' '|')" "200 notfqdn" \
    "an encoded newline: notfqdn"
is "$(dyn "hostname=a.$ZONE%00" | tr '\n' '|')" "200 notfqdn" \
    "an encoded NUL: notfqdn, not a shorter name"
is "$(dyn "hostname=a%2Edyn%2etest&myip=192.0.2.14")" "200 nochg 192.0.2.14" \
    "a percent-encoded name"
is "$(dyn "hostname=a.$ZONE+" )" "200 notfqdn" "+ is a space: notfqdn"
is "$(dyn "hostname=$(head -c 300 /dev/zero | tr '\0' a)")" "200 notfqdn" \
    "a 300-byte label: notfqdn"
unchanged "names"
grep -q 'name=a\.dyn\.test\\x0a\.x ' "$T/sftdyn.log"
ok $? "the encoded newline is logged escaped"
r=$(dyn "hostname=a.$ZONE,a.$ZONE&myip=192.0.2.16" | tr '\n' '|')
is "$r" "200 good 192.0.2.16|good 192.0.2.16" "the host twice: one update"
is "$(($(runs) - r0))" 1 "one nsupdate run for both lines"

# HEAD: the answer without a body, the update all the same.
h=$(curl -s -I -u "a:$PW_A" "http://127.0.0.1:$PORT/nic/update?myip=192.0.2.16" | tr -d '\r')
like "$h" '^HTTP/1\.1 200 OK' "HEAD: 200"
like "$h" 'Content-Length: 17' "HEAD: the GET's Content-Length"

# nsupdate fails: dnserr, and the state is unknown.
sed -i "s,^nsupdate.*,nsupdate = \"/bin/false\"," "$T/conf"
is "$(dyn "myip=192.0.2.17,2001:db8::17" | tr '\n' '|')" "200 dnserr" \
    "nsupdate fails: dnserr"
test ! -e "$T/state/a.$ZONE.A" && test ! -e "$T/state/a.$ZONE.AAAA"
ok $? "after dnserr both states are unknown"
is "$(rr a.$ZONE A)" 192.0.2.16 "DNS unchanged"

# A configuration that fails -t: 911 (row 1), before the credentials.
echo 'bogus = 1' >>"$T/conf"
is "$(get /nic/update)" "200 911" "a broken configuration: 911"
is "$(dyn "myip=192.0.2.18")" "200 911" "911 with credentials too"
sed -i '/^bogus/d; s,^nsupdate.*,nsupdate = "'"$T"'/bin/nsupdate",' "$T/conf"
is "$(dyn "myip=192.0.2.18,2001:db8::18")" "200 good 192.0.2.18,2001:db8::18" \
    "fixed: good"

# -t: a key that is a dyndns2 request would never be reached.
for k in nic/update v3/update 'nic/update?x=1' 'v3/update?'; do
	printf 'client "k" {\n\tkey = "%s"\n\thost = "k.%s"\n}\n' "$k" $ZONE \
	    >"$T/keys.conf"
	"$SFTDYN" -t "$T/keys.conf" >"$T/keys.out" 2>&1
	r=$?
	is "$r $(grep -c 'path of another protocol' "$T/keys.out")" "1 1" \
	    "-t rejects the key $k"
done
printf 'client "k" {\n\tkey = "nic/updates"\n\thost = "k.%s"\n}\n' $ZONE \
    >"$T/keys.conf"
"$SFTDYN" -t "$T/keys.conf" >/dev/null 2>&1
ok $? "-t accepts nic/updates"
printf 'allow-myip = maybe\n' >"$T/keys.conf"
"$SFTDYN" -t "$T/keys.conf" >/dev/null 2>&1
ok $((! $?)) "-t rejects allow-myip = maybe"

# Secrets stay out of the log.
grep -q 'secret-' "$T/sftdyn.log"
ok $((! $?)) "no key in the log"
grep -qi 'authorization\|Basic ' "$T/sftdyn.log"
ok $((! $?)) "no Authorization header in the log"
like "$(cat "$T/sftdyn.log")" \
    'peer=127\.0\.0\.1 client=a name=a\.dyn\.test addr=192\.0\.2\.18,2001:db8::18 result=good time=' \
    "one line per name: peer, client, name, addresses, answer, time"
like "$(cat "$T/sftdyn.log")" 'client=- name=- addr=- result=badauth' \
    "badauth is logged without a client"

done_testing
