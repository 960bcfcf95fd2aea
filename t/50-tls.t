#!/bin/bash
# HTTPS with --tls: libtls on fd 3 and on fd 0/1, a full chain, and the
# ways a TLS connection goes wrong: each logged, none answered in plaintext.
. "$(dirname "$0")/lib.sh"

start_named
make_certs
ok $? "a CA, an intermediate and a leaf"
TIMEOUT=2 write_conf 'tls {
	cert = "pki/fullchain.pem"
	key = "pki/leaf.key"
}'
out=$("$SFTDYN" -t --tls "$T/conf" 2>&1)
is "$out" "$T/conf: ok" "-t --tls: valid"
start_sftdyn 127.0.0.1 -- --tls
is "$(gets /secret-c-long-enough --interface 127.0.0.4)" "200 OK" "HTTPS on fd 3: OK"
is "$(rr c.$ZONE A)" "127.0.0.4" "DNS holds the client's address"
is "$(gets /secret-c-long-enough --interface 127.0.0.4)" "200 UPTODATE" "HTTPS: UPTODATE"
is "$(gets /nope --interface 127.0.0.4)" "403 BADKEY" "HTTPS: BADKEY"
is "$(gets / --interface 127.0.0.9)" "200 127.0.0.9" "HTTPS: GET /"
r=$(curl -s -I --cacert "$T/pki/ca.pem" "https://127.0.0.1:$PORT/" | tr -d '\r')
like "$r" 'Content-Length: 10' "HTTPS: HEAD"
is "$(gets / --interface 127.0.0.9 --tlsv1.2 --tls-max 1.2)" "200 127.0.0.9" "TLS 1.2"
is "$(gets / --interface 127.0.0.9 --tlsv1.3)" "200 127.0.0.9" "TLS 1.3"
echo | openssl s_client -connect "127.0.0.1:$PORT" -tls1_1 >/dev/null 2>&1
ok $((! $?)) "TLS 1.1 refused"
chain=$(echo | openssl s_client -connect "127.0.0.1:$PORT" -showcerts 2>/dev/null |
    grep -c 'BEGIN CERTIFICATE')
is "$chain" 2 "the full chain is served"

# Plaintext HTTP on the TLS port: no plaintext answer, logged, and the
# next TLS client is served.
r=$(printf 'GET /secret-c-long-enough HTTP/1.1\r\nHost: x\r\n\r\n' | raw -b 127.0.0.5 5)
is "$r" "" "plaintext request on the TLS port: no answer"
like "$(cat "$T/sftdyn.log")" 'error: tls: handshake' "the failed handshake is logged"
is "$(gets /secret-c-long-enough --interface 127.0.0.5)" "200 OK" "the next TLS request works"
s1=$(serial)

# Garbage instead of a ClientHello.
head -c 2000 /dev/urandom >"$T/garbage"
r=$(raw -b 127.0.0.6 5 <"$T/garbage" | head -c 200 | tr -d '\0')
unlike=$(printf '%s' "$r" | grep -c 'HTTP/')
is "$unlike" 0 "garbage: no plaintext answer"

# A stalled handshake: closed after the timeout, nothing sent, logged.
n0=$(grep -c 'handshake: timed out' "$T/sftdyn.log")
timed raw -b 127.0.0.6 10 </dev/null
is "$out" "" "stalled handshake: nothing answered"
took_between 1900 4000 "closed after the 2 s timeout"
timed_out_more() { [ "$(grep -c 'handshake: timed out' "$T/sftdyn.log")" -gt "$n0" ]; }
wait_for 5 timed_out_more
ok $? "the stalled handshake is logged"

# A TLS client that completes the handshake but sends no request: closed,
# no 408 over TLS.
r=$( (sleep 4) | timeout 8 openssl s_client -quiet -connect "127.0.0.1:$PORT" \
    -CAfile "$T/pki/ca.pem" 2>/dev/null)
is "$r" "" "TLS without a request: closed without an answer"
is "$(serial)" "$s1" "garbage, stalls and silence did not reach DNS"
stop_sftdyn

# fd 0/1 (inetd style): tls_accept_fds on two descriptors.
start_sftdyn 127.0.0.1 --inetd -- --tls
is "$(gets /secret-c-long-enough --interface 127.0.0.7)" "200 OK" "HTTPS on fd 0/1: OK"
is "$(rr c.$ZONE A)" "127.0.0.7" "DNS follows"
stop_sftdyn

# sftdyn runs sftdyn-tls, found beside it, for --tls.
if [ -x "$(dirname "$SFTDYN")/sftdyn-tls" ]; then
	mkdir "$T/bin"
	cp "$SFTDYN" "$T/bin/sftdyn"
	out=$(printf 'GET / HTTP/1.1\r\n\r\n' |
	    REMOTE_ADDR=127.0.0.1 "$T/bin/sftdyn" -e --tls -c "$T/conf" 2>"$T/err")
	st=$?
	is "$st:$out" "1:" "--tls without sftdyn-tls beside it: exit 1, nothing on the connection"
	like "$(cat "$T/err")" "--tls: $T/bin/sftdyn-tls: No such file" "and the reason is logged"
fi

# Only the leaf: a client that knows the root cannot verify it.
sed -i 's,pki/fullchain.pem,pki/leaf.pem,' "$T/conf"
start_sftdyn 127.0.0.1 -- --tls
is "$(gets / --interface 127.0.0.7)" "000 " "without the chain: the client refuses"

# A missing key: -t says so, the handler logs it and closes.
sed -i 's,pki/leaf.key,pki/missing.key,' "$T/conf"
out=$("$SFTDYN" -t --tls "$T/conf" 2>&1)
like "$out" "^$T/conf:[0-9]+: key \"$T/pki/missing.key\": No such file" "-t: a missing TLS key"
is "$(gets / --interface 127.0.0.7)" "000 " "missing key: no answer"
like "$(cat "$T/sftdyn.log")" 'error: tls: .*missing.key' "missing key: logged"
grep -q 'secret-' "$T/sftdyn.log"
ok $((! $?)) "no key in the log"

# A plain handler never needs the tls section's files: with a key only
# root may read, the service user serves HTTP, from the index and from
# the parse alike.
sed -i 's,pki/missing.key,pki/leaf.key,' "$T/conf"
chmod 600 "$T/pki/leaf.key"
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	chmod 755 "$T" "$T/pki"
	sed '/^nskeyfile/d' "$T/conf" >"$T/plain.conf"	# root's too
	chmod 644 "$T/plain.conf"
	"$SFTDYN" -t "$T/plain.conf" >/dev/null
	as_nobody() {
		printf 'GET / HTTP/1.0\r\n\r\n' | REMOTE_ADDR=127.0.0.9 \
		    setpriv --reuid=65534 --regid=65534 --clear-groups \
		    "$SFTDYN" -e -v "$@" -c "$T/plain.conf" 2>"$T/nobody.err"
	}
	like "$(as_nobody)" '127\.0\.0\.9$' "an unreadable TLS key, from the index: plain HTTP is served"
	like "$(cat "$T/nobody.err")" 'clients from the index' "(the index was used)"
	rm "$T/plain.conf.cdb"
	like "$(as_nobody)" '127\.0\.0\.9$' "an unreadable TLS key, parsed: plain HTTP is served"
	! grep -q 'leaf.key' "$T/nobody.err"
	ok $? "and nothing is said of the key"
	is "$(as_nobody --tls)" "" "--tls as a user who cannot read the key: no answer"
	like "$(cat "$T/nobody.err")" 'error: tls: .*leaf.key' "and the reason is logged"
	chmod 700 "$T"
else
	skip 6 "needs root and setpriv"
fi

done_testing
