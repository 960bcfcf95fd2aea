#!/bin/bash
# ACME dns-01: lego's httpreq (POST /present, /cleanup, HTTP Basic) and
# acme-dns's POST /update (X-Api-User, X-Api-Key), every row of their
# answer table, the framing answers, the two-most-recent record set, the
# TXT state, and hostile bodies: each answered exactly, and none of them
# reaching DNS or the state.
. "$(dirname "$0")/lib.sh"

start_named
# timeout 4 s: short for the body's deadline below, long enough for
# nsupdate under the sanitizers on a loaded machine (its phase ends
# timeout seconds after the connection started)
TIMEOUT=4 write_conf 'client "n" {
	key = "secret-n-long-enough"
	host = "n.dyn.test"
	allow-acme = false
}'
"$SFTDYN" -t "$T/conf" >/dev/null
start_sftdyn 127.0.0.1
A=_acme-challenge.a.$ZONE
B=_acme-challenge.b.$ZONE
AUTH_A="a:host=a.$ZONE,key=secret-a-long-enough"

# val N: a challenge value, 43 characters
val() { printf '%043d' "$1" | tr 0-9 A-J; }
V1=$(val 1) V2=$(val 2) V3=$(val 3) V4=$(val 4)

# post PATH BODY [curl options]: "STATUS BODY" of a POST to sftdyn
post() {
	local path=$1 body=$2
	shift 2
	rm -f "$T/body" "$T/headers"
	curl -s --max-time 20 -o "$T/body" -D "$T/headers" -w '%{http_code}' \
	    -H 'Content-Type: application/json' --data-binary "$body" "$@" \
	    "http://127.0.0.1:$PORT$path" >"$T/status"
	printf '%s %s' "$(cat "$T/status")" "$(cat "$T/body" 2>/dev/null)"
}
# present VALUE [FQDN [USER:PASS]], cleanup ...: lego's requests
present() {
	post /present "{\"fqdn\":\"${2:-$A.}\",\"value\":\"$1\"}" -u "${3:-$AUTH_A}"
}
cleanup() {
	post /cleanup "{\"fqdn\":\"${2:-$A.}\",\"value\":\"$1\"}" -u "${3:-$AUTH_A}"
}
# update TXT [SUBDOMAIN [USER [KEY]]]: acme-dns's request
update() {
	post /update "{\"subdomain\":\"${2:-a}\",\"txt\":\"$1\"}" \
	    -H "X-Api-User: ${3:-a}" -H "X-Api-Key: ${4:-host=a.$ZONE,key=secret-a-long-enough}"
}
# txt NAME: the TXT values DNS holds, sorted, one line
txt() { rr "$1" TXT | tr -d '"' | sort | tr '\n' ' ' | sed 's/ $//'; }
header() { tr -d '\r' <"$T/headers" | sed -n "s/^$1: //Ip"; }
# unchanged NAME: DNS, the states and nsupdate's runs are as they were
snapshot() { SNAP="$(serial) $(ls "$T/state" 2>/dev/null | tr '\n' ' ') $(cat "$T"/state/*.TXT 2>/dev/null)"; }
unchanged() {
	settle a.$ZONE
	is "$(serial) $(ls "$T/state" 2>/dev/null | tr '\n' ' ') $(cat "$T"/state/*.TXT 2>/dev/null)" \
	    "$SNAP" "$1: DNS and the state are unchanged"
}

# --- the record set: the two most recent values ------------------------
is "$(get "/host=a.$ZONE,key=secret-a-long-enough" --interface 127.0.0.2)" "200 OK" "a's A record"
is "$(present "$V1")" "200 OK" "present V1: 200 OK"
is "$(header Content-Type)" "text/plain; charset=utf-8" "lego's answers are text"
is "$(txt $A)" "$V1" "DNS holds V1 at $A"
snapshot
is "$(present "$V1")" "200 OK" "present V1 again: 200 OK"
unchanged "present of a listed value"
is "$(present "$V2")" "200 OK" "present V2"
is "$(txt $A)" "$V1 $V2" "DNS holds V1 and V2 (a name and its wildcard)"
is "$(present "$V3")" "200 OK" "present V3"
is "$(txt $A)" "$V2 $V3" "V3 rolls V1, the oldest, out"
settle a.$ZONE
like "$(cat "$T/state/a.$ZONE.TXT")" "^$V2 $V3 [0-9a-f]{16}\$" "the TXT state lists V2, V3"
is "$(cleanup "$V2")" "200 OK" "cleanup V2"
is "$(txt $A)" "$V3" "V3 is left"
snapshot
is "$(cleanup "$V1")" "200 OK" "cleanup of a value the known set does not list: 200"
unchanged "cleanup of an unknown value"
is "$(cleanup "$V3")" "200 OK" "cleanup V3"
is "$(txt $A)" "" "no TXT left"
settle a.$ZONE
like "$(cat "$T/state/a.$ZONE.TXT")" '^[0-9a-f]{16}$' "the state: a known, empty set"
is "$(rr a.$ZONE A)" 127.0.0.2 "the A record is untouched"
like "$(cat "$T/state/a.$ZONE.A")" '^127\.0\.0\.2 ' "and its state too"

# A lost state: the whole set is deleted first, whatever DNS held.
settle a.$ZONE
rm "$T/state/a.$ZONE.TXT"
printf 'update add %s 30 TXT "left-over"\nupdate add %s 30 TXT "%s"\nsend\n' \
    "$A" "$A" "$V1" | nsupdate -l -p "$NSPORT" -k "$T/named/session.key"
is "$(txt $A)" "$V1 left-over" "(values DNS holds, unknown to the state)"
is "$(present "$V1")" "200 OK" "present with the state lost: 200 OK"
is "$(txt $A)" "$V1" "the set was replaced: V1 alone"
# cleanup with the state unknown: the value is deleted, the state stays
# unknown
settle a.$ZONE
rm "$T/state/a.$ZONE.TXT"
is "$(cleanup "$V1")" "200 OK" "cleanup with the state lost: 200 OK"
is "$(txt $A)" "" "the value is gone"
settle a.$ZONE
test ! -e "$T/state/a.$ZONE.TXT"
ok $? "and the state stays unknown"

# The client's TTL: b's is 60.
is "$(present "$V1" "$B" "b:?hostname=b&password=secret-b-long-enough")" "200 OK" "b presents"
is "$(dig +noall +answer -p "$NSPORT" @127.0.0.1 "$B" TXT | awk '{print $2}')" 60 \
    "with b's TTL, 60"

# --- acme-dns's /update -------------------------------------------------
is "$(update "$V2")" "200 {\"txt\":\"$V2\"}" "/update: 200 {\"txt\":VALUE}"
is "$(header Content-Type)" "application/json" "acme-dns's answers are JSON"
is "$(txt $A)" "$V2" "DNS holds it"
is "$(post /update "{\"SubDomain\":\"a.$ZONE\",\"Txt\":\"$V3\"}" \
    -H "X-Api-User: a.$ZONE" -H "X-Api-Key: host=a.$ZONE,key=secret-a-long-enough")" \
    "200 {\"txt\":\"$V3\"}" "the Go client's capitalised members, the host as user and subdomain"
is "$(txt $A)" "$V2 $V3" "both values"

# --- Caddy's acmeproxy module (libdns/acmeproxy) ----------------------
# Its request as its Go code makes it: {"FQDN":...,"Value":...} and a
# newline (json.Encoder), Accept and Content-Type application/json, Basic
# credentials.  It takes only a 200 whose JSON, decoded into those two
# members (Go matches their names in any case), echoes both exactly.
caddy() {	# caddy PATH FQDN VALUE [USER:PASS]
	post "/$1" "$(printf '{"FQDN":"%s","Value":"%s"}\n' "$2" "$3")" \
	    -H 'Accept: application/json' -u "${4:-$AUTH_A}"
}
is "$(caddy present "$A." "$V3")" "200 {\"fqdn\":\"$A.\",\"value\":\"$V3\"}" \
    "Caddy's present: 200, the fqdn (as sent) and the value echoed"
is "$(header Content-Type)" "application/json" "  as application/json"
is "$(txt $A)" "$V2 $V3" "  DNS holds it"
is "$(caddy cleanup "$A" "$V3")" "200 {\"fqdn\":\"$A\",\"value\":\"$V3\"}" \
    "Caddy's cleanup: the fqdn echoed as sent, without its dot"
is "$(txt $A)" "$V2" "  DNS no longer holds it"
is "$(caddy present "$A." "$V3" "a:wrong")" "401 {\"error\":\"badauth\"}" \
    "Caddy, a wrong key: 401, the word in JSON"
is "$(header WWW-Authenticate)" 'Basic realm="sftdyn"' "  with WWW-Authenticate"
is "$(caddy present "$B." "$V3")" "403 {\"error\":\"nohost\"}" "Caddy, another's name: 403"
is "$(post /present "{\"fqdn\":\"$A.\",\"value\":\"$V3\"}" -u "$AUTH_A" \
    -H 'Accept: text/plain, application/json')" "200 OK" \
    "Accept naming text/plain first: text"
is "$(post /present "{\"fqdn\":\"$A.\",\"value\":\"$V3\"}" -u "$AUTH_A" \
    -H 'Accept: */*')" "200 OK" "Accept */*: text"
is "$(post /present "{\"fqdn\":\"$A.\",\"value\":\"$V3\"}" -u "$AUTH_A" \
    -H 'Accept: text/html;q=0.9, Application/JSON; charset=utf-8')" \
    "200 {\"fqdn\":\"$A.\",\"value\":\"$V3\"}" "Accept with parameters, any case: JSON"
is "$(printf 'POST /present HTTP/1.1\r\nAccept: application/json\r\nTransfer-Encoding: chunked\r\n\r\n' |
    raw | tr -d '\r' | sed -n '/^$/,$p' | tail -n 1)" "NOTIMPLEMENTED" \
    "a framing answer stays one line of text"
cleanup "$V3" >/dev/null

# --- every row of the answer table --------------------------------------
mark
snapshot
is "$(present "$V4" "$A." "a:wrong")" "401 badauth" "row 2: a wrong key: 401 badauth"
is "$(header WWW-Authenticate)" 'Basic realm="sftdyn"' "with WWW-Authenticate"
is "$(post /present "{\"fqdn\":\"$A.\",\"value\":\"$V4\"}")" "401 badauth" "row 2: no credentials"
is "$(present "$V4" "$A." "b:host=a.$ZONE,key=secret-a-long-enough")" "401 badauth" "row 2: another client's user"
is "$(present "$V4" "$A." "n:secret-n-long-enough")" "403 noacme" "row 3: allow-acme = false: 403 noacme"
is "$(post /present 'not json' -u "$AUTH_A")" "400 badrequest" "row 4: not JSON"
is "$(post /present "[\"$A.\",\"$V4\"]" -u "$AUTH_A")" "400 badrequest" "row 4: an array"
is "$(post /present "{\"fqdn\":\"$A.\"}" -u "$AUTH_A")" "400 badrequest" "row 4: no value"
is "$(post /present "{\"fqdn\":\"$A.\",\"value\":43}" -u "$AUTH_A")" "400 badrequest" \
    "row 4: a value that is no string"
is "$(post /present "{\"fqdn\":\"$A.\",\"value\":\"$V4\",\"Value\":\"$V4\"}" -u "$AUTH_A")" \
    "400 badrequest" "row 4: a member twice, in another case"
is "$(post /present "{\"fqdn\":\"$A.\",\"value\":\"$V4\",\"value\":\"$V4\"}" -u "$AUTH_A")" \
    "400 badrequest" "row 4: a member twice"
is "$(post /present "{\"domain\":\"a.$ZONE\",\"token\":\"t\",\"keyAuth\":\"$V4\"}" -u "$AUTH_A")" \
    "400 badrequest" "row 4: lego's RAW mode"
is "$(present "$V4" "$B.")" "403 nohost" "row 5: another client's name: 403 nohost"
is "$(present "$V4" "a.$ZONE.")" "403 nohost" "row 5: the host without _acme-challenge."
is "$(present "$V4" "_acme-challenge.a.$ZONE..")" "403 nohost" "row 5: two trailing dots"
is "$(present "${V4%?}")" "400 badvalue" "row 6: 42 characters: 400 badvalue"
is "$(present "${V4%?}=")" "400 badvalue" "row 6: a character not of base64url"
is "$(update "$V4" b)" "403 {\"error\":\"bad_subdomain\"}" "/update row 5: another subdomain"
is "$(update "${V4%?}")" "400 {\"error\":\"bad_txt\"}" "/update row 6"
is "$(update "$V4" a a wrong)" "401 {\"error\":\"forbidden\"}" "/update row 2"
is "$(header WWW-Authenticate)" "" "without WWW-Authenticate"
is "$(post /update "{\"subdomain\":\"a\",\"txt\":\"$V4\"}")" "401 {\"error\":\"forbidden\"}" \
    "/update row 2: no headers"
is "$(update "$V4" a n secret-n-long-enough)" "403 {\"error\":\"forbidden\"}" "/update row 3"
is "$(post /update '{"subdomain":"a"}' -H "X-Api-User: a" \
    -H "X-Api-Key: host=a.$ZONE,key=secret-a-long-enough")" "400 {\"error\":\"malformed_request\"}" \
    "/update row 4"
unchanged "rows 2 to 6"
! since_mark | grep -Eq 'secret-|Authorization|X-Api-Key|Basic '
ok $? "no key, Authorization or X-Api-Key in the log"
like "$(since_mark)" "client=a op=present name=$B\\. result=403 nohost" "logged: client, operation, name, result"

# --- framing: before the table ----------------------------------------
raw_post() {	# raw_post HEAD-LINES...: a POST /present with these headers
	{ printf 'POST /present HTTP/1.1\r\nAuthorization: Basic %s\r\n' \
	    "$(printf '%s' "$AUTH_A" | base64 -w0)"; printf '%s\r\n' "$@"; printf '\r\n'; } |
	    raw | status_of
}
is "$(raw_post)" 411 "no Content-Length: 411"
is "$(raw_post 'Content-Length: 1025')" 413 "Content-Length 1025: 413"
is "$(raw_post 'Transfer-Encoding: chunked')" 501 "Transfer-Encoding: 501"
is "$(raw_post 'Content-Length: 12x')" 400 "a malformed Content-Length: 400"
is "$(raw_post 'Content-Length: 5' 'Content-Length: 6')" 400 "two Content-Lengths that differ: 400"
timed sh -c "printf 'POST /present HTTP/1.1\r\nContent-Length: 50\r\n\r\n{\"fqdn\"' |
    perl '$TOP/t/lib/raw.pl' 127.0.0.1 $PORT 10 | head -n 1 | awk '{print \$2}'"
is "$out" 408 "half a body, then nothing: 408"
took_between 3500 7000 "at the request deadline (4 s)"
is "$(post / '{}' -u "$AUTH_A")" "405 BADMETHOD" "POST elsewhere: 405"
is "$(header Allow)" "GET, HEAD" "with Allow: GET, HEAD"
is "$(get /present)" "405 BADMETHOD" "GET /present: 405"
r=$(printf 'GET /update?x=1 HTTP/1.1\r\n\r\n' | raw | tr -d '\r')
like "$r" 'Allow: POST' "GET /update?x=1: 405 with Allow: POST"
is "$(printf 'PUT /cleanup HTTP/1.1\r\nContent-Length: 0\r\n\r\n' | raw | status_of)" 405 "PUT /cleanup: 405"
is "$(printf 'HEAD /present HTTP/1.1\r\n\r\n' | raw | tr -d '\r' | grep -c '^Allow: POST')" 1 \
    "HEAD /present: 405 with Allow: POST"
unchanged "the framing answers"

# --- hostile bodies ------------------------------------------------------
hostile() {	# hostile NAME BODY: 400 and nothing else
	is "$(post /present "$2" -u "$AUTH_A")" "400 badrequest" "hostile: $1"
}
hostile "nested 500 deep" "$(printf '%0500d' 0 | tr 0 '[')"
is "$(post /present "{\"fqdn\":\"$A.\",\"value\":\"${V4%?}\\u0000\"}" -u "$AUTH_A")" \
    "400 badvalue" "a NUL escaped in the value: the value's answer, 400 badvalue"
is "$(post /present "{\"fqdn\":\"$A\\u0000.\",\"value\":\"$V4\"}" -u "$AUTH_A")" \
    "403 nohost" "a NUL escaped in the name: the name's answer, 403 nohost"
is "$(update "${V4%?}\\u0000")" "400 {\"error\":\"bad_txt\"}" "/update: a NUL in the value: bad_txt"
hostile "invalid UTF-8" "$(printf '{"fqdn":"%s.","value":"\xff\xfe"}' "$A")"
hostile "a huge number" "{\"fqdn\":\"$A.\",\"value\":1e999999}"
hostile "a lone surrogate" "{\"fqdn\":\"$A.\",\"value\":\"\\ud800\"}"
hostile "trailing garbage" "{\"fqdn\":\"$A.\",\"value\":\"$V4\"} x"
hostile "1024 bytes of spaces" "$(printf '%1024s' '')"
is "$(post /present "$(head -c 1024 /dev/urandom | base64 -w0 | head -c 1024)" -u "$AUTH_A")" \
    "400 badrequest" "hostile: 1024 random bytes"
unchanged "hostile bodies"

# --- faults: nsupdate fails, a CNAME at the challenge --------------------
mkdir -p "$T/bin"
printf '#!/bin/sh\ncat >/dev/null\nexit 1\n' >"$T/bin/fails"
chmod +x "$T/bin/fails"
echo "nsupdate = \"$T/bin/fails\"" >>"$T/conf"
is "$(present "$V4")" "500 dnserr" "nsupdate fails: 500 dnserr"
is "$(update "$V4")" "500 {\"error\":\"dnserr\"}" "/update: 500 {\"error\":\"dnserr\"}"
settle a.$ZONE
test ! -e "$T/state/a.$ZONE.TXT"
ok $? "the TXT state is forgotten"
sed -i '$d' "$T/conf"
printf 'update delete %s TXT\nupdate add %s 300 CNAME elsewhere.example.org.\nsend\n' "$A" "$A" |
    nsupdate -l -p "$NSPORT" -k "$T/named/session.key"
mark
is "$(present "$V4")" "500 dnserr" "a CNAME at $A: 500 dnserr"
like "$(since_mark)" 'TXT: the set cannot be read from the primary: .*a CNAME or DNAME on the way' \
    "logged: the set read again leads elsewhere"
printf 'update delete %s CNAME\nsend\n' "$A" | nsupdate -l -p "$NSPORT" -k "$T/named/session.key"
is "$(present "$V4")" "200 OK" "the CNAME gone: 200 OK"
is "$(txt $A)" "$V4" "DNS holds V4"

# --- a configuration that fails -t ------------------------------------
echo 'ttl = "x"' >>"$T/conf"
is "$(present "$V1")" "500 911" "row 1: the configuration fails -t: 500 911"
is "$(update "$V1")" "500 {\"error\":\"911\"}" "/update row 1"
sed -i '$d' "$T/conf"

# --- the -t key rule, allow-acme in the index and -t -v ------------------
for k in present cleanup update 'update?x=1' 'present?'; do
	printf 'client "k" {\n\tkey = "%s"\n\thost = "k.%s"\n}\n' "$k" $ZONE >"$T/keys.conf"
	"$SFTDYN" -t "$T/keys.conf" >"$T/keys.out" 2>&1
	is "$? $(grep -c 'path of another protocol' "$T/keys.out")" "1 1" "-t rejects the key $k"
done
printf 'client "k" {\n\tkey = "presents"\n\thost = "k.%s"\n}\n' $ZONE >"$T/keys.conf"
"$SFTDYN" -t "$T/keys.conf" >/dev/null 2>&1
is "$?" 0 "-t takes the key presents"
is "$("$SFTDYN" -t -v "$T/conf" | grep '^allow-acme')" "allow-acme = true" "-t -v: allow-acme"
printf 'allow-acme = maybe\n' >"$T/bad.conf"
"$SFTDYN" -t "$T/bad.conf" >/dev/null 2>&1
is "$?" 1 "-t: allow-acme = maybe is an error"
mark
is "$(present "$V1" "_acme-challenge.n.$ZONE" "n:secret-n-long-enough")" "403 noacme" \
    "allow-acme = false, from the index: 403 noacme"
like "$(since_mark)" 'result=403 noacme' "(logged)"

done_testing
