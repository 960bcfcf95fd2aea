#!/bin/bash
# dyndns2 with the real clients: Debian's ddclient and inadyn (unpacked by
# t/tools.sh, never installed), GNU wget, and a Fritz!Box-style URL with
# curl; over HTTP and, with the test CA, over HTTPS.  The README's recipes
# are these configurations.
. "$(dirname "$0")/lib.sh"

CLIENTS=$TOP/build/tools
start_named
make_certs
write_conf 'tls {
	cert = "pki/fullchain.pem"
	key = "pki/leaf.key"
}
client "multi" {
	key = "secret-multi-long-enough"
	host = { "m1.dyn.test", "m2.dyn.test" }
}'
PW="host=a.$ZONE,key=secret-a-long-enough"
start_sftdyn 127.0.0.1
ok $? "sftdyn (HTTP) at 127.0.0.1:$PORT"
HTTP_PORT=$PORT
# the TLS binary beside sftdyn (the sanitizer build is one binary)
TLS_BIN=$(dirname "$SFTDYN")/sftdyn-tls
[ -x "$TLS_BIN" ] || TLS_BIN=$SFTDYN
SFTDYN=$TLS_BIN start_sftdyn 127.0.0.1 -- --tls
ok $? "sftdyn-tls (HTTPS) at 127.0.0.1:$PORT"
HTTPS_PORT=$PORT

# --- GNU wget: credentials only after the 401 challenge ---------------
timeout 60 wget -q -O "$T/wget.out" --user=a --password="$PW" \
    "http://127.0.0.1:$HTTP_PORT/nic/update?hostname=a.$ZONE&myip=192.0.2.50"
is "$? $(cat "$T/wget.out")" "0 good 192.0.2.50" \
    "wget --user/--password: good after the challenge"
is "$(rr a.$ZONE A)" 192.0.2.50 "DNS holds wget's address"
timeout 60 wget -q -O "$T/wget.out" --ca-certificate="$T/pki/ca.pem" \
    "https://a:$PW@127.0.0.1:$HTTPS_PORT/v3/update?hostname=a.$ZONE&myip=192.0.2.50"
is "$? $(cat "$T/wget.out")" "0 nochg 192.0.2.50" \
    "wget with user:pass@ over HTTPS, as OpenWrt sends it: nochg"

# --- Fritz!Box: a user-defined URL, <ipaddr> and <ip6addr> ------------
fritz() {	# fritz QUERY: the body for /nic/update?QUERY with Basic
	curl -s -u "a:$PW" "http://127.0.0.1:$HTTP_PORT/nic/update?$1"
}
is "$(fritz "hostname=a.$ZONE&myip=192.0.2.51,2001:db8::51")" \
    "good 192.0.2.51,2001:db8::51" "Fritz!Box myip=V4,V6: good"
is "$(rr a.$ZONE A) $(rr a.$ZONE AAAA)" "192.0.2.51 2001:db8::51" \
    "both records set"
is "$(fritz "hostname=a.$ZONE&myip=192.0.2.52,")" "good 192.0.2.52" \
    "Fritz!Box without IPv6 (myip=V4,): good"
is "$(rr a.$ZONE AAAA)" 2001:db8::51 "AAAA kept"
is "$(fritz "hostname=a.$ZONE&myipv6=2001:db8::52")" "good 2001:db8::52" \
    "myipv6 alone: good"
is "$(rr a.$ZONE A) $(rr a.$ZONE AAAA)" "192.0.2.52 2001:db8::52" \
    "AAAA set, A kept"

# --- ddclient ---------------------------------------------------------
if sh "$TOP/t/tools.sh" "$CLIENTS" ddclient inadyn 2>"$T/clients.err"; then
	have_clients=1
else
	have_clients=
	echo "# skipping ddclient and inadyn: $(cat "$T/clients.err")"
fi

# ddclient_conf PORT SSL [LOGIN PASSWORD HOSTS]: the README's
# ddclient.conf; the address from sftdyn's GET / over HTTP
ddclient_conf() {
	cat >"$T/ddclient.conf" <<-EOF
	protocol=dyndns2
	use=web, web=http://127.0.0.1:$HTTP_PORT/
	server=127.0.0.1:$1
	ssl=$2
	ssl_ca_file=$T/pki/ca.pem
	login=${3:-a}
	password='${4:-$PW}'
	${5:-a.$ZONE}
	EOF
	chmod 600 "$T/ddclient.conf"
}
# ddclient_run [options]: one run in the foreground; its output in dd.out
ddclient_run() {
	timeout 60 perl "$CLIENTS/usr/bin/ddclient" -daemon=0 -foreground \
	    -verbose -file "$T/ddclient.conf" -cache "$T/ddclient.cache" "$@" \
	    >"$T/dd.out" 2>&1
}
if [ -n "$have_clients" ]; then
	ddclient_conf "$HTTP_PORT" no
	ddclient_run
	is "$? $(grep -c 'SUCCESS: .*good: IP address set to 127.0.0.1' "$T/dd.out")" \
	    "0 1" "ddclient over HTTP: good"
	is "$(rr a.$ZONE A)" 127.0.0.1 "DNS holds the address ddclient saw"
	ddclient_run -force
	is "$? $(grep -c 'nochg' "$T/dd.out")" "0 2" \
	    "ddclient again (-force): nochg, a success"
	grep -q FAILED "$T/dd.out"
	ok $((! $?)) "no FAILED in ddclient's output"

	fritz "myip=192.0.2.61" >/dev/null
	rm -f "$T/ddclient.cache"
	ddclient_conf "$HTTPS_PORT" yes
	ddclient_run
	is "$? $(grep -c 'SUCCESS: .*good: IP address set to 127.0.0.1' "$T/dd.out")" \
	    "0 1" "ddclient over HTTPS with the test CA: good"
	is "$(rr a.$ZONE A)" 127.0.0.1 "DNS holds it"
	ddclient_run -force
	is "$? $(grep -c 'nochg' "$T/dd.out")" "0 2" "ddclient over HTTPS: nochg"
	grep -q 'CONNECTED: *using SSL' "$T/dd.out"
	ok $? "ddclient used TLS"

	# two of a client's names under one login: one request, a line each
	rm -f "$T/ddclient.cache"
	ddclient_conf "$HTTP_PORT" no multi secret-multi-long-enough "m1.$ZONE,m2.$ZONE"
	mark
	ddclient_run
	is "$? $(grep -c 'SUCCESS: .*good: IP address set to 127.0.0.1' "$T/dd.out")" \
	    "0 2" "ddclient, two names under one login: good, good"
	is "$(rr m1.$ZONE A) $(rr m2.$ZONE A)" "127.0.0.1 127.0.0.1" "DNS holds both"
	like "$(since_mark)" "hostname=m1\.$ZONE,m2\.$ZONE|client=multi name=m2" \
	    "(in one request)"
	ddclient_run -force
	is "$? $(grep -c "updating m[12]\.$ZONE: nochg" "$T/dd.out")" "0 2" \
	    "ddclient again: nochg, nochg"
	grep -q FAILED "$T/dd.out"
	ok $((! $?)) "no FAILED"
fi

# --- inadyn -----------------------------------------------------------
# inadyn_conf PORT SSL [CHECKIP]: the README's inadyn.conf (a custom
# provider; the address from sftdyn's GET /, or CHECKIP's output).  The
# tests' addresses are loopback ones, which inadyn refuses unless
# verify-address is false.
inadyn_conf() {
	local checkip="checkip-server = 127.0.0.1:$HTTP_PORT
		checkip-path = \"/\"
		checkip-ssl = false"
	[ -n "${3:-}" ] && checkip="checkip-command = \"$3\""
	cat >"$T/inadyn.conf" <<-EOF
	allow-ipv6 = true
	verify-address = false
	ca-trust-file = $T/pki/ca.pem
	custom sftdyn {
		ssl = $2
		username = a
		password = "$PW"
		ddns-server = 127.0.0.1:$1
		ddns-path = "/nic/update?hostname=%h&myip=%i"
		$checkip
		hostname = a.$ZONE
	}
	EOF
	# a cache entry, so that inadyn does not look the name up in DNS
	mkdir -p "$T/inadyn"
	: >"$T/inadyn/a.$ZONE.cache"
}
# inadyn_run [options]: one run (-1) in the foreground; output in in.out
inadyn_run() {
	timeout 60 "$CLIENTS/usr/sbin/inadyn" -1 -n -l info \
	    -f "$T/inadyn.conf" --cache-dir="$T/inadyn" -P "$T/inadyn.pid" \
	    "$@" >"$T/in.out" 2>&1
}
if [ -n "$have_clients" ]; then
	fritz "myip=192.0.2.70" >/dev/null
	inadyn_conf "$HTTP_PORT" false
	inadyn_run -C
	is "$? $(grep -c 'Successful alias table update for a.dyn.test => new IP# 127.0.0.1' "$T/in.out")" \
	    "0 1" "inadyn over HTTP: success"
	is "$(rr a.$ZONE A)" 127.0.0.1 "DNS holds the address inadyn saw"
	inadyn_run -C --force
	is "$(grep -c 'Successful alias table update' "$T/in.out")" 1 \
	    "inadyn again (--force): nochg is a success"

	inadyn_conf "$HTTP_PORT" false "echo 2001:db8::70"
	inadyn_run -C
	is "$(grep -c 'Successful alias table update for a.dyn.test => new IP# 2001:db8::70' "$T/in.out")" \
	    1 "inadyn with IPv6 (sent as 2001%3adb8%3a%3a70): success"
	is "$(rr a.$ZONE AAAA) $(rr a.$ZONE A)" "2001:db8::70 127.0.0.1" \
	    "AAAA set, A kept"

	fritz "myip=192.0.2.71" >/dev/null
	inadyn_conf "$HTTPS_PORT" true
	inadyn_run -C
	is "$(grep -c 'Successful alias table update for a.dyn.test => new IP# 127.0.0.1' "$T/in.out")" \
	    1 "inadyn over HTTPS with the test CA: success"
	is "$(rr a.$ZONE A)" 127.0.0.1 "DNS holds it"

	# a wrong password: inadyn hears badauth (401) and gives up
	fritz "myip=192.0.2.72" >/dev/null
	inadyn_conf "$HTTP_PORT" false
	sed -i 's/key=secret-a-long-enough/key=wrong/' "$T/inadyn.conf"
	inadyn_run
	is "$(($? != 0)) $(grep -c 'Error response from DDNS server, exiting' "$T/in.out")" \
	    "1 1" "inadyn with a wrong password: badauth is fatal"
	is "$(rr a.$ZONE A)" 192.0.2.72 "DNS unchanged"
fi

grep -q 'secret-a-long-enough' "$T/sftdyn.log"
ok $((! $?)) "no key in the log"

done_testing
