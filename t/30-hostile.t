#!/bin/bash
# Hostile input: each kind gets its precise status and nothing else: no
# nsupdate run (the zone's SOA serial stays), no state change, no crash.
. "$(dirname "$0")/lib.sh"

start_named
TIMEOUT=2 write_conf 'trusted-proxies = { "127.0.0.20" }'
start_sftdyn 127.0.0.1
KEY_C=/secret-c-long-enough
is "$(get $KEY_C --interface 127.0.0.2)" "200 OK" "a first update for c"
s0=$(serial)
settle c.$ZONE
state0=$(ls -l --time-style=+%s.%N "$T/state")

status() {	# status SOURCE: the status code answering stdin
	raw -b "$1" | status_of
}
long() {	# long N CHAR
	head -c "$1" /dev/zero | tr '\0' "$2"
}

is "$(get "/$(long 3000 k)" --interface 127.0.0.3)" "414 URITOOLONG" \
    "3 KB request-target: 414"
is "$( { printf 'GET /'; long 9000 k; } | status 127.0.0.3)" 414 \
    "9 KB request line that never ends: 414"
is "$(get $KEY_C --interface 127.0.0.3 -H "X-Pad: $(long 9000 x)")" \
    "431 HEADTOOLARGE" "9 KB of headers: 431"
# inputs are built before the connection opens: its clock is running
perl -e 'print "GET /secret-c-long-enough HTTP/1.1\r\n";
    printf("X-%d: %s\r\n", $_, "y" x 50) for 1..200; print "\r\n"' \
    >"$T/many-headers"
is "$(status 127.0.0.3 <"$T/many-headers")" 431 "many headers over 8 KB: 431"
is "$(printf 'GET /secret-c-long-enough\0 HTTP/1.1\r\n\r\n' | status 127.0.0.3)" 400 \
    "NUL in the target: 400"
is "$(printf 'GET /secret-c-long-enough HTTP/1.1\r\nX: a\0b\r\n\r\n' | status 127.0.0.3)" \
    400 "NUL in a header: 400"
is "$(printf 'GET /secret-c-long-enough\x01 HTTP/1.1\r\n\r\n' | status 127.0.0.3)" 400 \
    "control byte in the target: 400"
is "$(printf 'GET /secret-c-long-enough HTTP/1.1\r\nX: \x1b[31m\r\n\r\n' | status 127.0.0.3)" \
    400 "escape sequence in a header: 400"
is "$(printf 'GET /secret-c-long-enough\r\n\r\n' | status 127.0.0.3)" 400 \
    "missing HTTP version: 400"
is "$(printf 'GET /secret-c-long-enough HTTP/2.0\r\n\r\n' | status 127.0.0.3)" 400 \
    "HTTP/2.0: 400"
is "$(printf 'GET /secret-c-long-enough HTTP/0.9\r\n\r\n' | status 127.0.0.3)" 400 \
    "HTTP/0.9: 400"
is "$(printf 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n' | status 127.0.0.3)" 400 \
    "HTTP/2 preface: 400"
is "$(head -c 600 /dev/urandom | tr -d '\n' | { cat; printf '\n\n'; } |
    status 127.0.0.3)" 400 "binary garbage: 400"
is "$(printf 'GET /secret-c-long-enough HTTP/1.1\r\nBad Header\r\n\r\n' | status 127.0.0.3)" \
    400 "malformed header: 400"
r=$(printf 'GET / HTTP/1.1\r\nContent-Length: 5000\r\n\r\n%s' "$(long 5000 b)" |
    raw -b 127.0.0.3 | tr -d '\r')
is "$(printf '%s\n' "$r" | sed -n '1p;$p' | tr '\n' ' ')" "HTTP/1.1 200 OK 127.0.0.3 " \
    "a GET with a body: answered, not reset"
r=$(curl -s -i -X POST --interface 127.0.0.3 "http://127.0.0.1:$PORT$KEY_C" | tr -d '\r')
like "$r" '^HTTP/1.1 405' "POST: 405"
like "$r" 'Allow: GET, HEAD' "405 carries Allow"
is "$(get $KEY_C --interface 127.0.0.3 -X PUT -d x)" "405 BADMETHOD" "PUT: 405"
is "$(get $KEY_C --interface 127.0.0.3 -X DELETE)" "405 BADMETHOD" "DELETE: 405"
is "$(get '/secret-c-long-enough%0A' --interface 127.0.0.3)" "403 BADKEY" \
    "encoded newline in the key: 403"
is "$(get '/secret-c-long-enough%0d%0aupdate%20add%20x.dyn.test%2030%20A%201.2.3.4' \
    --interface 127.0.0.3)" "403 BADKEY" "encoded nsupdate line in the key: 403"
is "$(printf 'GET /secret-c-long-enough\nupdate add x.dyn.test 30 A 1.2.3.4 HTTP/1.1\r\n\r\n' |
    status 127.0.0.3)" 400 "literal newline in the key: the request line has no version, 400"
is "$(printf 'GET /secret-c-long-enough\rX HTTP/1.1\r\n\r\n' | status 127.0.0.3)" 400 \
    "literal CR in the key: 400"
r=$(printf 'GET /secret-c-long-enough HTTP/1.1\r\nX-Forwarded-For: 198.51.100.1\r\nX-Real-IP: 198.51.100.2\r\n\r\n' |
    raw -b 127.0.0.2 | tail -n 1)
is "$r" "UPTODATE" "X-Forwarded-For and X-Real-IP from an untrusted peer: ignored"
is "$(printf 'GET /secret-c-long-enough HTTP/1.1\r\nX-Forwarded-For: evil.example\r\n\r\n' |
    status 127.0.0.20)" 400 "a name in X-Forwarded-For from a trusted proxy: 400"
is "$(printf 'GET /secret-c-long-enough HTTP/1.1\r\nX-Real-IP: 1.2.3.4.5\r\n\r\n' |
    status 127.0.0.20)" 400 "a bad X-Real-IP from a trusted proxy: 400"

timed raw -b 127.0.0.3 10 < <(printf 'GET /secret-c-long-enough HTTP/1.1\r\nHost: x\r\n')
like "$out" '^HTTP/1.1 408 ' "half a request, then a stall: 408"
took_between 1900 4000 "closed after the 2 s timeout"
r=$(printf '' | raw -b 127.0.0.3 10)
like "$r" '^HTTP/1.1 408 ' "nothing at all, then a stall: 408"
r=$(printf 'GET /secr' | perl -e 'use IO::Socket::IP;
    my $s = IO::Socket::IP->new(PeerHost => "127.0.0.1", PeerPort => $ARGV[0]) or die;
    print $s <STDIN>; shutdown($s, 1); print <$s>;' "$PORT")
like "$r" '^HTTP/1.1 400 ' "half a request, then end of input: 400"

is "$(serial)" "$s0" "no hostile request reached DNS"
is "$(ls -l --time-style=+%s.%N "$T/state")" "$state0" "no hostile request changed the state"
is "$(state c.$ZONE A)" "127.0.0.2" "state holds the first address"
grep -q 'secret-' "$T/sftdyn.log"
ok $((! $?)) "no key in the log"

# The trusted proxy's forwarded address is used when it is an address.
r=$(printf 'GET /secret-c-long-enough HTTP/1.1\r\nX-Forwarded-For: 127.0.0.33, 127.0.0.20\r\n\r\n' |
    raw -b 127.0.0.20 | tail -n 1)
is "$r" "OK" "X-Forwarded-For from a trusted proxy: OK"
is "$(rr c.$ZONE A)" "127.0.0.33" "DNS holds the forwarded address"

done_testing
