#!/bin/bash
# The secret-URL protocol end to end: a real named, sftdyn under
# systemd-socket-activate (fd 3, and fd 0/1 with --inetd), curl clients
# from distinct loopback addresses, records checked with dig.
. "$(dirname "$0")/lib.sh"

start_named
ok $? "named runs on port $NSPORT"
write_conf
start_sftdyn 127.0.0.1
ok $? "sftdyn listens on fd 3 (LISTEN_FDS) at 127.0.0.1:$PORT"

KEY_A="/host=a.$ZONE,key=secret-a-long-enough"
KEY_B="/?hostname=b&password=secret-b-long-enough"

is "$(get / --interface 127.0.0.9)" "200 127.0.0.9" "GET / answers the address"
is "$(get "$KEY_A" --interface 127.0.0.2)" "200 OK" "first update: OK"
is "$(rr a.$ZONE A)" "127.0.0.2" "DNS holds the client's address"
is "$(get "$KEY_A" --interface 127.0.0.2)" "200 UPTODATE" "same address: UPTODATE"
s0=$(serial)
is "$(get "$KEY_A" --interface 127.0.0.2)" "200 UPTODATE" "UPTODATE again"
is "$(serial)" "$s0" "UPTODATE does not touch DNS"
is "$(get "$KEY_A" --interface 127.0.0.3)" "200 OK" "new address: OK"
is "$(rr a.$ZONE A)" "127.0.0.3" "DNS follows"
is "$(get /nope --interface 127.0.0.3)" "403 BADKEY" "unknown key: 403 BADKEY"
is "$(get "/host=a.$ZONE,key=secret-" --interface 127.0.0.3)" "403 BADKEY" \
    "a prefix of a key is not the key"
is "$(get "$KEY_B" --interface 127.0.0.4)" "200 OK" "query-string key: OK"
is "$(dig +noall +answer -p "$NSPORT" @127.0.0.1 b.$ZONE A | awk '{print $2}')" \
    60 "the client's own ttl"
is "$(dig +noall +answer -p "$NSPORT" @127.0.0.1 a.$ZONE A | awk '{print $2}')" \
    30 "the global ttl"
is "$(get "$KEY_B" --interface 127.0.0.4 \
    --request-target "http://example.org:8080$KEY_B")" "200 UPTODATE" \
    "absolute-form request-target"

# Headers and HEAD.
curl -s -D "$T/headers" -o "$T/body" --interface 127.0.0.4 \
    "http://127.0.0.1:$PORT$KEY_B"
h=$(tr -d '\r' <"$T/headers")
like "$h" '^HTTP/1\.1 200 OK' "status line"
like "$h" 'Content-Type: text/plain; charset=utf-8' "Content-Type"
like "$h" 'Content-Length: 9' "Content-Length"
like "$h" 'Cache-Control: no-store' "Cache-Control"
like "$h" 'Connection: close' "Connection: close"
is "$(cat "$T/body")" "UPTODATE" "body is one word and a newline"
is "$(wc -c <"$T/body")" 9 "body length"
curl -s -I -o "$T/head" --interface 127.0.0.4 "http://127.0.0.1:$PORT$KEY_B"
h=$(tr -d '\r' <"$T/head")
like "$h" 'Content-Length: 9' "HEAD: the GET's Content-Length"
printf 'HEAD / HTTP/1.1\r\nHost: x\r\n\r\n' | raw >"$T/head.out"
is "$(tail -c 4 "$T/head.out" | od -An -tx1 | tr -d ' \n')" 0d0a0d0a \
    "HEAD: the answer ends with the head"

# The log names the client, never the key.
like "$(cat "$T/sftdyn.log")" 'client=b host=b\.dyn\.test type=A addr=127\.0\.0\.4 result=200 OK' \
    "one line per request with client, host, type, address, result"
grep -q 'secret-' "$T/sftdyn.log"
ok $((! $?)) "no key in the log"

# IPv6: AAAA, independent of A.
stop_sftdyn
start_sftdyn '[::1]'
ok $? "sftdyn on [::1]:$PORT"
r=$(curl -s -g -o - -w '%{http_code}' "http://[::1]:$PORT$KEY_A")
is "$r" "OK
200" "IPv6 client: OK"
is "$(rr a.$ZONE AAAA)" "::1" "AAAA holds ::1"
is "$(rr a.$ZONE A)" "127.0.0.3" "A is untouched by the AAAA update"
r=$(curl -s -g -o - -w '%{http_code}' "http://[::1]:$PORT$KEY_A")
is "$r" "UPTODATE
200" "IPv6 again: UPTODATE"
is "$(state a.$ZONE AAAA)" "::1" "AAAA state"
is "$(state a.$ZONE A)" "127.0.0.3" "A state"
stop_sftdyn

# inetd mode: the connection on fd 0/1, the address from getpeername().
start_sftdyn 127.0.0.1 --inetd
is "$(get "$KEY_A" --interface 127.0.0.3)" "200 UPTODATE" "inetd mode: UPTODATE"
is "$(get "$KEY_A" --interface 127.0.0.5)" "200 OK" "inetd mode: OK"
is "$(rr a.$ZONE A)" "127.0.0.5" "inetd mode: DNS follows"
is "$(rr a.$ZONE AAAA)" "::1" "inetd mode: AAAA untouched"
stop_sftdyn

# A dual-stack listener sees IPv4 clients as ::ffff:a.b.c.d.
start_sftdyn '[::]'
is "$(get "$KEY_A" --interface 127.0.0.6)" "200 OK" "IPv4 on a dual-stack socket: OK"
is "$(rr a.$ZONE A)" "127.0.0.6" "A record as a dotted quad"
is "$(get / --interface 127.0.0.6)" "200 127.0.0.6" "shown as a dotted quad"
is "$(rr a.$ZONE AAAA)" "::1" "AAAA untouched"
stop_sftdyn

# A TSIG key and an explicit server instead of nsupdate -l.
write_conf "nsserver = \"127.0.0.1\"
nskeyfile = \"named/tsig.key\""
sed -i '/session.key/d' "$T/conf"
start_sftdyn 127.0.0.1
is "$(get "$KEY_A" --interface 127.0.0.7)" "200 OK" "TSIG key with nsserver: OK"
is "$(rr a.$ZONE A)" "127.0.0.7" "TSIG update reached DNS"
stop_sftdyn

# --nskeyfile overrides nskeyfile.
tsig-keygen sftdyn >"$T/wrong.key"
sed -i 's,^nskeyfile.*,nskeyfile = "wrong.key",' "$T/conf"
start_sftdyn 127.0.0.1
is "$(get "$KEY_A" --interface 127.0.0.8)" "500 FAIL" "a key named does not know: FAIL"
is "$(rr a.$ZONE A)" "127.0.0.7" "DNS unchanged"
grep -q 'nsupdate: .*\(BADSIG\|BADKEY\|NOTAUTH\|REFUSED\|tsig\)' "$T/sftdyn.log"
ok $? "nsupdate's complaint is in the log"
stop_sftdyn
start_sftdyn 127.0.0.1 -- --nskeyfile "$T/named/tsig.key"
is "$(get "$KEY_A" --interface 127.0.0.8)" "200 OK" "--nskeyfile with the right key: OK"
is "$(rr a.$ZONE A)" "127.0.0.8" "DNS follows"

done_testing
