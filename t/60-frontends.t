#!/bin/bash
# The shipped front-end configurations, each run for real: xinetd, stunnel
# in exec mode and in PROXY mode, nginx as a reverse proxy, tcpserver, and
# a PROXY header before TLS.  The front-ends talk to sftdyn from 127.0.0.1; the
# clients come from other addresses, and DNS must hold the client's.
. "$(dirname "$0")/lib.sh"

start_named
make_certs
write_conf 'trusted-proxies = { "127.0.0.1" }'

# serves_clients NAME FETCH SOURCE [HOW]: through the front-end on $PORT,
# an unknown key gets 403 and a client's key sets its A record to SOURCE.
serves_clients() {
	local name=$1 fetch=$2 src=$3
	is "$($fetch /nope --interface "$src")" "403 BADKEY" "$name: BADKEY"
	is "$($fetch "/host=a.$ZONE,key=secret-a-long-enough" --interface "$src")" "200 OK" \
	    "$name: OK"
	is "$(rr a.$ZONE A)" "$src" "$name: DNS holds the client's address${4:+ ($4)}"
}

# --- xinetd ---
P=$(free_port)
start_xinetd xinetd "$TOP/units/xinetd" "$P" -e "s,/usr/local/bin/sftdyn,$SFTDYN," \
    -e "s,/etc/sftdyn/conf,-c $T/conf," -e "s,= bind,= root,"
ok $? "xinetd listens on $P"
PORT=$P
serves_clients xinetd get 127.0.0.4 REMOTE_HOST

# --- xinetd, HTTPS: the units/xinetd-tls stanza runs sftdyn-tls --tls ---
TLS_BIN=$(dirname "$SFTDYN")/sftdyn-tls
[ -x "$TLS_BIN" ] || TLS_BIN=$SFTDYN	# the sanitizer build is both
write_conf 'trusted-proxies = { "127.0.0.1" }
tls {
	cert = "pki/fullchain.pem"
	key = "pki/leaf.key"
}'
P=$(free_port)
start_xinetd xinetd-tls "$TOP/units/xinetd-tls" "$P" \
    -e "s,/usr/local/bin/sftdyn-tls,$TLS_BIN," -e "s,/etc/sftdyn/conf,-c $T/conf," \
    -e "s,= bind,= root,"
ok $? "xinetd (TLS) listens on $P"
PORT=$P
serves_clients "xinetd TLS" gets 127.0.0.10 REMOTE_HOST

# --- openbsd-inetd, unpacked into build/tools, never installed: the
# units/inetd.conf and units/inetd-tls.conf lines ---
if sh "$TOP/t/tools.sh" "$TOP/build/tools" openbsd-inetd 2>"$T/tools.err"; then
	P=$(free_port)
	Q=$(free_port)
	{ sed -e "s,^8080,127.0.0.1:$P," -e "s,/usr/local/bin/sftdyn,$SFTDYN," \
	    -e "s,/etc/sftdyn/conf,-c $T/conf," -e "s,\tbind\t,\troot\t," \
	    "$TOP/units/inetd.conf"
	  sed -e "s,^4443,127.0.0.1:$Q," -e "s,/usr/local/bin/sftdyn-tls,$TLS_BIN," \
	    -e "s,/etc/sftdyn/conf,-c $T/conf," -e "s,\tbind\t,\troot\t," \
	    "$TOP/units/inetd-tls.conf"; } >"$T/inetd.conf"
	"$TOP/build/tools/usr/sbin/inetd" -d "$T/inetd.conf" >"$T/inetd.log" 2>&1 &
	PIDS="$PIDS $!"
	wait_port "$P" && wait_port "$Q"
	ok $? "inetd listens on $P (HTTP) and $Q (HTTPS)"
	PORT=$P
	serves_clients inetd get 127.0.0.11 getpeername
	PORT=$Q
	serves_clients "inetd TLS" gets 127.0.0.12 getpeername
else
	echo "# skipping inetd: $(cat "$T/tools.err")"
	skip 7 "openbsd-inetd cannot be had"
fi
write_conf 'trusted-proxies = { "127.0.0.1" }'

# --- ucspi-tcp's tcpserver: the address from TCPREMOTEIP ---
P=$(free_port)
tcpserver -R -H 127.0.0.1 "$P" "$SFTDYN" -c "$T/conf" >"$T/tcpserver.log" 2>&1 &
PIDS="$PIDS $!"
wait_port "$P"
ok $? "tcpserver listens on $P"
PORT=$P
serves_clients tcpserver get 127.0.0.3 TCPREMOTEIP

# --- stunnel, exec mode ---
P=$(free_port)
sed -e '/^setuid/d; /^setgid/d' -e "s,^pid = .*,pid = $T/stunnel-exec.pid\nforeground = yes," \
    -e "s,^accept = 4443,accept = 127.0.0.1:$P," \
    -e "s,^cert = .*,cert = $T/pki/fullchain.pem," -e "s,^key = .*,key = $T/pki/leaf.key," \
    -e "s,^exec = .*,exec = $SFTDYN," -e "s,^execArgs = .*,execArgs = sftdyn -c $T/conf," \
    "$TOP/units/stunnel-exec.conf" >"$T/stunnel-exec.conf"
stunnel4 "$T/stunnel-exec.conf" >"$T/stunnel-exec.log" 2>&1 &
PIDS="$PIDS $!"
wait_port "$P"
ok $? "stunnel (exec) listens on $P"
PORT=$P
serves_clients "stunnel exec" gets 127.0.0.5 REMOTE_HOST

# --- stunnel, PROXY protocol to a socket-activated sftdyn ---
write_conf 'trusted-proxies = { "127.0.0.1" }
proxy-protocol = true'
start_sftdyn 127.0.0.1
Q=$PORT
P=$(free_port)
sed -e '/^setuid/d; /^setgid/d' -e "s,^pid = .*,pid = $T/stunnel-proxy.pid\nforeground = yes," \
    -e "s,^accept = 4443,accept = 127.0.0.1:$P," -e "s,^connect = .*,connect = 127.0.0.1:$Q," \
    -e "s,^cert = .*,cert = $T/pki/fullchain.pem," -e "s,^key = .*,key = $T/pki/leaf.key," \
    "$TOP/units/stunnel-proxy.conf" >"$T/stunnel-proxy.conf"
stunnel4 "$T/stunnel-proxy.conf" >"$T/stunnel-proxy.log" 2>&1 &
PIDS="$PIDS $!"
wait_port "$P"
ok $? "stunnel (PROXY) listens on $P"
PORT=$P
serves_clients "stunnel PROXY" gets 127.0.0.6 "PROXY header"
PORT=$Q
s0=$(serial)
is "$(printf 'GET /secret-c-long-enough HTTP/1.1\r\n\r\n' | raw -b 127.0.0.1 | status_of)" 400 \
    "a trusted peer without a PROXY header: 400"
is "$(printf 'PROXY TCP4 1.2.3.4 5.6.7.8 1 2\nGET /secret-c-long-enough HTTP/1.1\r\n\r\n' |
    raw -b 127.0.0.1 | status_of)" 400 "a malformed PROXY header: 400"
is "$(printf 'PROXY TCP4 192.0.2.77 10.0.0.1 1 2\r\nGET /secret-c-long-enough HTTP/1.1\r\n\r\n' |
    raw -b 127.0.0.7 | status_of)" 400 "a PROXY header from an untrusted peer is not HTTP: 400"
is "$(printf 'PROXY UNKNOWN %0200d\r\nGET /secret-c-long-enough HTTP/1.1\r\n\r\n' 0 |
    raw -b 127.0.0.1 | status_of)" 400 "a PROXY v1 line over 107 bytes: 400"
is "$(printf '\r\n\r\n\0\r\nQUIT\n\x21\x11\xff\xffGET /secret-c-long-enough HTTP/1.1\r\n\r\n' |
    raw -b 127.0.0.1 | status_of)" 400 "a PROXY v2 header claiming 65535 bytes: 400"
is "$(printf 'PROXY TCP4 192.0.2.77 10.0.0.1 1 2' | raw -b 127.0.0.1 8 | status_of)" 408 \
    "half a PROXY header, then a stall: 408"
is "$(serial)" "$s0" "none of them reached DNS"
is "$(get / --interface 127.0.0.7)" "200 127.0.0.7" "an untrusted peer speaks HTTP directly"
r=$(printf '\r\n\r\n\0\r\nQUIT\n\x21\x11\x00\x0c\xc0\x00\x02\x4d\x0a\x00\x00\x01\x30\x39\x1f\x90GET /secret-c-long-enough HTTP/1.1\r\n\r\n' |
    raw -b 127.0.0.1 | tail -n 1)
is "$r" "OK" "PROXY v2 naming 192.0.2.77: OK"
is "$(rr c.$ZONE A)" "192.0.2.77" "DNS holds the address from the v2 header"
stop_sftdyn

# --- a PROXY header before TLS (curl --haproxy-protocol) ---
write_conf 'trusted-proxies = { "127.0.0.8" }
proxy-protocol = true
tls {
	cert = "pki/fullchain.pem"
	key = "pki/leaf.key"
}'
start_sftdyn 127.0.0.1 -- --tls
is "$(gets /secret-c-long-enough --interface 127.0.0.8 --haproxy-protocol)" "200 OK" \
    "PROXY v1 then TLS: OK"
is "$(rr c.$ZONE A)" "127.0.0.8" "DNS follows"
is "$(gets /secret-c-long-enough --interface 127.0.0.8)" "000 " \
    "TLS without the required PROXY header: closed"
stop_sftdyn

# --- nginx as a reverse proxy ---
write_conf 'trusted-proxies = { "127.0.0.1" }'
start_sftdyn 127.0.0.1
Q=$PORT
P=$(free_port)
mkdir -p "$T/nginx"
sed -e "s,listen 443 ssl;,listen 127.0.0.1:$P ssl;," -e '/listen \[::\]:443/d' \
    -e "s,ssl_certificate .*,ssl_certificate $T/pki/fullchain.pem;," \
    -e "s,ssl_certificate_key .*,ssl_certificate_key $T/pki/leaf.key;," \
    -e "s,127.0.0.1:8080,127.0.0.1:$Q," "$TOP/units/nginx.conf" >"$T/nginx/site.conf"
cat >"$T/nginx/nginx.conf" <<EOF2
daemon off;
worker_processes 1;
pid $T/nginx/nginx.pid;
error_log $T/nginx/error.log;
events { }
http {
	client_body_temp_path $T/nginx;
	proxy_temp_path $T/nginx;
	fastcgi_temp_path $T/nginx;
	uwsgi_temp_path $T/nginx;
	scgi_temp_path $T/nginx;
	include $T/nginx/site.conf;
}
EOF2
nginx -p "$T/nginx" -c "$T/nginx/nginx.conf" &
PIDS="$PIDS $!"
wait_port "$P"
ok $? "nginx listens on $P"
PORT=$P
is "$(gets /nope --interface 127.0.0.9 -H 'X-Forwarded-For: 203.0.113.66')" \
    "403 BADKEY" "nginx: BADKEY"
is "$(gets "/host=a.$ZONE,key=secret-a-long-enough" --interface 127.0.0.9 \
    -H 'X-Forwarded-For: 203.0.113.66' -H 'X-Real-IP: 203.0.113.67')" "200 OK" "nginx: OK"
is "$(rr a.$ZONE A)" "127.0.0.9" \
    "nginx: DNS holds the client's address, not the one it made up"
is "$(gets / --interface 127.0.0.9)" "200 127.0.0.9" "nginx: GET /"

done_testing
