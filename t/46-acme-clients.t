#!/bin/bash
# Certificates for a client's name and its wildcard from a real ACME CA,
# Debian's pebble on loopback, which checks the dns-01 challenge at the
# test's named: with Debian's lego (httpreq, over HTTP and over HTTPS),
# with the acme-dns request exactly as the Go client of lego, Traefik and
# Caddy sends it (from lego's exec provider: Debian's lego has no acme-dns
# provider), with Debian's certbot and hooks that call curl, and with the
# request acme.sh's dns_acmedns sends.  The client owns the name and its
# wildcard, which share one challenge.  These are the README's recipes.
. "$(dirname "$0")/lib.sh"

for p in pebble lego; do
	if ! command -v "$p" >/dev/null; then
		echo "1..0 # SKIP $p is missing (t/deps.sh installs it)"
		exit 0
	fi
done
start_named
make_certs
TLS_BIN=$(dirname "$SFTDYN")/sftdyn-tls
[ -x "$TLS_BIN" ] || TLS_BIN=$SFTDYN	# the sanitizer build is both
write_conf 'client "alpha" {
	key = "secret-alpha-long-enough"
	host = { "alpha.dyn.test", "*.alpha.dyn.test" }
}
tls {
	cert = "pki/fullchain.pem"
	key = "pki/leaf.key"
}'
start_sftdyn 127.0.0.1
HTTP_PORT=$PORT
SFTDYN=$TLS_BIN start_sftdyn 127.0.0.1 -- --tls
HTTPS_PORT=$PORT
NAME=alpha.$ZONE
CHALLENGE=_acme-challenge.$NAME

# pebble, its directory over HTTPS with the test CA's certificate
PP=$(free_port)
cat >"$T/pebble.json" <<EOF
{ "pebble": {
	"listenAddress": "127.0.0.1:$PP",
	"managementListenAddress": "127.0.0.1:$(free_port)",
	"certificate": "$T/pki/fullchain.pem",
	"privateKey": "$T/pki/leaf.key",
	"httpPort": $(free_port), "tlsPort": $(free_port),
	"ocspResponderURL": "", "externalAccountBindingRequired": false } }
EOF
PEBBLE_VA_NOSLEEP=1 PEBBLE_WFE_NONCEREJECT=0 \
    pebble -config "$T/pebble.json" -dnsserver "127.0.0.1:$NSPORT" \
    >"$T/pebble.log" 2>&1 &
PIDS="$PIDS $!"
DIRECTORY=https://127.0.0.1:$PP/dir
wait_for 20 curl -sf --cacert "$T/pki/ca.pem" "$DIRECTORY"
ok $? "pebble serves its directory"

# sans CERT: the certificate's DNS names, sorted, one line
sans() {
	openssl x509 -in "$1" -noout -ext subjectAltName 2>/dev/null |
	    tr ',' '\n' | sed -n 's/^ *DNS://p' | sort | tr '\n' ' ' | sed 's/ $//'
}
want_sans="*.$NAME $NAME"

# lego_run DIR [lego options]: a certificate for the name and its
# wildcard, in one order, through the provider the environment names
lego_run() {
	local dir=$1
	shift
	LEGO_CA_CERTIFICATES=$T/pki/ca.pem timeout 120 lego --server "$DIRECTORY" \
	    --accept-tos --email admin@example.org --path "$dir" \
	    --dns.resolvers "127.0.0.1:$NSPORT" --dns.disable-cp \
	    --domains "$NAME" --domains "*.$NAME" "$@" run >"$dir.log" 2>&1
}

# --- lego, httpreq, over HTTP and over HTTPS -----------------------------
HTTPREQ_ENDPOINT=http://127.0.0.1:$HTTP_PORT HTTPREQ_USERNAME=alpha \
    HTTPREQ_PASSWORD=secret-alpha-long-enough HTTPREQ_PROPAGATION_TIMEOUT=60 \
    HTTPREQ_POLLING_INTERVAL=1 lego_run "$T/lego-http" --dns httpreq
ok $? "lego --dns httpreq over HTTP: a certificate"
passing || tail -n 15 "$T/lego-http.log" | sed 's/^/# /'
is "$(sans "$T/lego-http/certificates/$NAME.crt")" "$want_sans" \
    "for $NAME and *.$NAME"
is "$(rr $CHALLENGE TXT)" "" "afterwards no TXT is left"
like "$(cat "$T/sftdyn.log")" "client=alpha op=present name=$CHALLENGE\\. result=200 OK" \
    "sftdyn logged the presents"
SSL_CERT_FILE=$T/pki/ca.pem HTTPREQ_ENDPOINT=https://127.0.0.1:$HTTPS_PORT \
    HTTPREQ_USERNAME=alpha HTTPREQ_PASSWORD=secret-alpha-long-enough \
    HTTPREQ_PROPAGATION_TIMEOUT=60 HTTPREQ_POLLING_INTERVAL=1 \
    lego_run "$T/lego-https" --dns httpreq
ok $? "lego --dns httpreq over HTTPS (sftdyn-tls): a certificate"
passing || tail -n 15 "$T/lego-https.log" | sed 's/^/# /'
is "$(sans "$T/lego-https/certificates/$NAME.crt")" "$want_sans" \
    "for $NAME and *.$NAME"
is "$(rr $CHALLENGE TXT)" "" "afterwards no TXT is left"

# --- acme-dns's /update as the Go client sends it, from lego's exec -------
mkdir -p "$T/bin"
cat >"$T/bin/acme-dns-go" <<EOF
#!/bin/sh
# lego's exec provider: \$1 present|cleanup, \$2 the fqdn, \$3 the value.
# The request of the acme-dns Go client (goacmedns) that lego, Traefik and
# Caddy use; acme-dns has no cleanup, and neither does that client.
[ "\$1" = present ] || exit 0
exec curl -sf -X POST -H 'Content-Type: application/json' \\
    -H 'X-Api-User: alpha' -H 'X-Api-Key: secret-alpha-long-enough' \\
    --data "{\"SubDomain\":\"alpha\",\"Txt\":\"\$3\"}" \\
    http://127.0.0.1:$HTTP_PORT/update
EOF
chmod +x "$T/bin/acme-dns-go"
EXEC_PATH=$T/bin/acme-dns-go EXEC_PROPAGATION_TIMEOUT=60 EXEC_POLLING_INTERVAL=1 \
    EXEC_SEQUENCE_INTERVAL=1 \
    lego_run "$T/lego-acmedns" --dns exec
ok $? "acme-dns's request, as the Go client sends it: a certificate"
passing || tail -n 15 "$T/lego-acmedns.log" | sed 's/^/# /'
is "$(sans "$T/lego-acmedns/certificates/$NAME.crt")" "$want_sans" \
    "for $NAME and *.$NAME"
like "$(cat "$T/sftdyn.log")" "client=alpha op=update name=alpha result=200 OK" \
    "sftdyn logged the updates"
is "$(rr $CHALLENGE TXT | wc -l)" 2 "the two values stay, as at acme-dns"

# --- certbot --manual, with hooks that call curl ------------------------
if sh "$TOP/t/tools.sh" "$TOP/build/tools" certbot 2>"$T/tools.err" &&
    /usr/bin/python3 -c 'import certbot' 2>/dev/null; then
	cat >"$T/bin/certbot-auth" <<EOF
#!/bin/sh
# certbot's auth hook: acme-dns's /update
exec curl -sf -H 'X-Api-User: alpha' -H 'X-Api-Key: secret-alpha-long-enough' \\
    --data "{\"subdomain\":\"alpha\",\"txt\":\"\$CERTBOT_VALIDATION\"}" \\
    http://127.0.0.1:$HTTP_PORT/update
EOF
	cat >"$T/bin/certbot-cleanup" <<EOF
#!/bin/sh
# certbot's cleanup hook: lego's /cleanup
exec curl -sf -u alpha:secret-alpha-long-enough \\
    --data "{\"fqdn\":\"_acme-challenge.\$CERTBOT_DOMAIN.\",\"value\":\"\$CERTBOT_VALIDATION\"}" \\
    http://127.0.0.1:$HTTP_PORT/cleanup
EOF
	chmod +x "$T/bin/certbot-auth" "$T/bin/certbot-cleanup"
	REQUESTS_CA_BUNDLE=$T/pki/ca.pem timeout 120 \
	    /usr/bin/python3 "$TOP/build/tools/usr/bin/certbot" certonly --non-interactive \
	    --agree-tos -m admin@example.org --server "$DIRECTORY" \
	    --config-dir "$T/certbot/config" --work-dir "$T/certbot/work" \
	    --logs-dir "$T/certbot/logs" --manual --preferred-challenges dns \
	    --manual-auth-hook "$T/bin/certbot-auth" \
	    --manual-cleanup-hook "$T/bin/certbot-cleanup" \
	    -d "$NAME" -d "*.$NAME" >"$T/certbot.log" 2>&1
	ok $? "certbot --manual with the hooks: a certificate"
	passing || tail -n 15 "$T/certbot.log" | sed 's/^/# /'
	is "$(sans "$T/certbot/config/live/$NAME/cert.pem")" "$want_sans" \
	    "for $NAME and *.$NAME"
	is "$(rr $CHALLENGE TXT)" "" "afterwards no TXT is left"
else
	echo "# skipping certbot: $(cat "$T/tools.err")"
	skip 3 "certbot cannot be had"
fi

# --- acme.sh's dns_acmedns, its request (acme.sh is not in Debian) ------
V=$(head -c 32 /dev/urandom | base64 -w0 | tr '+/' '-_' | head -c 43)
r=$(curl -s -X POST -H 'X-Api-User: alpha' -H 'X-Api-Key: secret-alpha-long-enough' \
    -H 'Content-Type: application/json' \
    --data "{\"subdomain\":\"alpha\", \"txt\": \"$V\"}" \
    "https://127.0.0.1:$HTTPS_PORT/update" --cacert "$T/pki/ca.pem")
printf '%s' "$r" | grep -q "\"$V\""
ok $? "acme.sh's request: the answer holds the quoted value, which it looks for"
rr $CHALLENGE TXT | grep -q "$V"
ok $? "and DNS holds it"

# --- a wildcard beside another client's name: no certificate -------------
# Client w owns *.w, client xw owns x.w: a certificate for *.w would match
# x.w, so the configuration fails -t, the handler answers 911 (500), and
# pebble issues nothing.
cat >>"$T/conf" <<EOF
client "w" {
	key = "secret-w-long-enough"
	host = "*.w.$ZONE"
}
client "xw" {
	key = "secret-xw-long-enough"
	host = "x.w.$ZONE"
}
EOF
out=$("$SFTDYN" -t "$T/conf" 2>&1); st=$?
like "$st $out" "^1 .*client \"xw\" has \"x\\.w\\.$ZONE\", in the subtree of client \"w\"'s \"\\*\\.w\\.$ZONE\"" \
    "-t: x.w beside *.w in another client fails, and says why"
mark
HTTPREQ_ENDPOINT=http://127.0.0.1:$HTTP_PORT HTTPREQ_USERNAME=w \
    HTTPREQ_PASSWORD=secret-w-long-enough HTTPREQ_PROPAGATION_TIMEOUT=10 \
    HTTPREQ_POLLING_INTERVAL=1 LEGO_CA_CERTIFICATES=$T/pki/ca.pem \
    timeout 120 lego --server "$DIRECTORY" --accept-tos --email admin@example.org \
    --path "$T/lego-w" --dns.resolvers "127.0.0.1:$NSPORT" --dns.disable-cp \
    --domains "*.w.$ZONE" --dns httpreq run >"$T/lego-w.log" 2>&1
st=$?
[ "$st" -ne 0 ] && [ -z "$(ls "$T/lego-w/certificates" 2>/dev/null | grep '\.crt$')" ]
ok $? "lego gets no certificate for *.w.$ZONE (exit $st)"
like "$(tr '\n' ' ' <"$T/lego-w.log")" '911' "  lego was told 911"
like "$(since_mark)" "op=present name=- result=500 911" \
    "  sftdyn answered 500 911"
is "$(rr _acme-challenge.w.$ZONE TXT)" "" "  no TXT was set"

done_testing
