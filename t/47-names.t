#!/bin/bash
# Several names per client, a wildcard among them: one key updates them
# all, each with its own state, lock and nsupdate, in the order written;
# dyndns2 answers a line per name; -t refuses what cannot be.
. "$(dirname "$0")/lib.sh"

start_named
TIMEOUT=3 write_conf 'client "router" {
	key = "secret-router-long-enough"
	host = { "nas.dyn.test", "*.home.dyn.test", "vpn.dyn.test" }
}'
cp "$T/conf" "$T/conf.good"
start_sftdyn 127.0.0.1 -- -v
NAMES="nas.$ZONE *.home.$ZONE vpn.$ZONE"
# records TYPE: each name's records of TYPE, in order, one line
records() {
	local n out=
	for n in $NAMES; do out="$out $(rr "$n" "$1")"; done
	echo "${out# }"
}

# --- -t ------------------------------------------------------------------
is "$("$SFTDYN" -t -v "$T/conf" | sed -n '/^client "router"/,/^}/p' | grep host)" \
    "	host = { \"nas.dyn.test\", \"*.home.dyn.test\", \"vpn.dyn.test\" }" \
    "-t -v shows the list"
bad() {		# bad NAME CLIENTS WANT: -t reports WANT for these clients
	printf '%s\n' "$2" >"$T/bad.conf"
	out=$("$SFTDYN" -t "$T/bad.conf" 2>&1)
	is "$?" 1 "-t: $1: exit 1"
	like "$out" "$3" "-t: $1: $3"
}
bad "a name in two clients" 'client "x" {
 key = "key-x-long-enough"
 host = { "a.example", "b.example" }
}
client "y" {
 key = "key-y-long-enough"
 host = { "c.example", "B.example." }
}' "^$T/bad.conf:7: client \"y\" has the same host \"b.example\" as client \"x\" \\($T/bad.conf:3\\)"
bad "a.*.b" 'client "x" {
 key = "key-x-long-enough"
 host = { "a.example", "a.*.b" }
}' "^$T/bad.conf:3: host \"a\\.\\*\\.b\" is not a valid DNS name"
bad "* alone" 'client "x" {
 key = "key-x-long-enough"
 host = "*"
}' "^$T/bad.conf:3: host \"\\*\" is not a valid DNS name"
bad "**.a" 'client "x" {
 key = "key-x-long-enough"
 host = "**.a.example"
}' "is not a valid DNS name"
bad "a*.b" 'client "x" {
 key = "key-x-long-enough"
 host = "a*.b.example"
}' "is not a valid DNS name"
bad "21 names" "client \"x\" {
 key = \"key-x-long-enough\"
 host = { $(for i in $(seq 21); do printf '"n%d.example",' "$i"; done | sed 's/,$//') }
}" "^$T/bad.conf:3: host names more than 20 names"
bad "an empty list" 'client "x" {
 key = "key-x-long-enough"
 host = { }
}' "client \"x\" has no host"
bad "a name twice in one client" 'client "x" {
 key = "key-x-long-enough"
 host = { "a.example", "b.example", "A.example" }
}' "^$T/bad.conf:3: host names \"A.example\" twice"
bad "a wildcard and its base in two clients" 'client "x" {
 key = "key-x-long-enough"
 host = "a.example"
}
client "y" {
 key = "key-y-long-enough"
 host = "*.a.example"
}' "^$T/bad.conf:7: client \"y\" has \"\\*\\.a\\.example\", whose subtree holds client \"x\"'s \"a\\.example\" \\($T/bad.conf:3\\)"
# A wildcard owns the whole subtree below its base, at any depth: no
# other client's name may lie there (a certificate for *.w matches x.w).
# -t says so at the second client's host line, whichever comes first.
bad "a name below another's wildcard" 'client "w" {
 key = "key-w-long-enough"
 host = "*.w.example"
}
client "xw" {
 key = "key-xw-long-enough"
 host = "x.w.example"
}' "^$T/bad.conf:7: client \"xw\" has \"x\\.w\\.example\", in the subtree of client \"w\"'s \"\\*\\.w\\.example\" \\($T/bad.conf:3\\)"
bad "a wildcard above another's name" 'client "xw" {
 key = "key-xw-long-enough"
 host = { "v.example", "a.b.x.w.example" }
}
client "w" {
 key = "key-w-long-enough"
 host = "*.w.example"
}' "^$T/bad.conf:7: client \"w\" has \"\\*\\.w\\.example\", whose subtree holds client \"xw\"'s \"a\\.b\\.x\\.w\\.example\""
bad "a wildcard below another's wildcard" 'client "w" {
 key = "key-w-long-enough"
 host = "*.W.example."
}
client "aw" {
 key = "key-aw-long-enough"
 host = "*.a.w.example"
}' "^$T/bad.conf:7: client \"aw\" has \"\\*\\.a\\.w\\.example\", in the subtree of client \"w\"'s \"\\*\\.w\\.example\""
bad "a wildcard over a whole zone" 'client "all" {
 key = "key-all-long-enough"
 host = "*.example"
}
client "one" {
 key = "key-one-long-enough"
 host = "one.example"
}' "^$T/bad.conf:7: client \"one\" has \"one\\.example\", in the subtree of client \"all\"'s"
printf 'client "w" {\n key = "key-w-long-enough"\n host = { "*.w.example", "w.example", "x.w.example" }\n}\nclient "v" {\n key = "key-v-long-enough"\n host = { "aw.example", "x-w.example", "w.example.org" }\n}\n' \
    >"$T/ok.conf"
is "$("$SFTDYN" -t "$T/ok.conf" 2>&1)" "$T/ok.conf: ok" \
    "-t: a wildcard's subtree in its own client; names beside it in another"
bad "host given twice" 'client "x" {
 key = "key-x-long-enough"
 host = "a.example"
 host = "b.example"
}' "^$T/bad.conf:4: host is given twice"
printf 'client "x" {\n key = "key-x-long-enough"\n host = "a.example"\n}\nclient "y" {\n key = "key-y-long-enough"\n host = "b.example"\n}\n' \
    >"$T/ok.conf"
is "$("$SFTDYN" -t "$T/ok.conf" 2>&1)" "$T/ok.conf: ok" "-t: one name as a plain string"

# --- the secret URL: every name, one word ---------------------------------
KEY=/secret-router-long-enough
mark
is "$(get $KEY --interface 127.0.0.2)" "200 OK" "three names: OK"
is "$(records A)" "127.0.0.2 127.0.0.2 127.0.0.2" "DNS holds the address for each"
is "$(since_mark | grep -c 'client=router host=.* result=200 OK')" 3 "one log line per name"
is "$(dig +short -p "$NSPORT" @127.0.0.1 x.y.home.$ZONE A)" 127.0.0.2 \
    "the wildcard answers x.y.home.$ZONE"
is "$(get $KEY --interface 127.0.0.2)" "200 UPTODATE" "then UPTODATE: every name is current"
for n in $NAMES; do settle "$n"; done
ls -l --time-style=full-iso "$T"/state/*.A >"$T/states.before"

# One name edited by hand, verify-dns on: only that name is updated.
printf 'update delete vpn.%s A\nupdate add vpn.%s 30 A 192.0.2.99\nsend\n' $ZONE $ZONE |
    nsupdate -l -p "$NSPORT" -k "$T/named/session.key"
echo 'verify-dns = true' >>"$T/conf"
s0=$(serial)
is "$(get $KEY --interface 127.0.0.2)" "200 OK" "vpn edited by hand, verify-dns: OK"
is "$(records A)" "127.0.0.2 127.0.0.2 127.0.0.2" "DNS holds the address for each again"
is "$(($(serial) - s0))" 1 "one UPDATE: the serial moved by one"
for n in $NAMES; do settle "$n"; done
is "$(ls -l --time-style=full-iso "$T"/state/*.A | grep -v vpn)" \
    "$(grep -v vpn "$T/states.before")" "the other names' states are untouched"

# nsupdate fails for the second name: FAIL; the first keeps its new
# state, the third is not tried; the next request completes them.
cp "$T/conf.good" "$T/conf"
mkdir -p "$T/bin"
cat >"$T/bin/picky" <<'EOF'
#!/bin/sh
# fails for the name *.home, passes everything else on
input=$(cat)
case "$input" in *'*.home.'*) exit 1 ;; esac
printf '%s\n' "$input" | /usr/bin/nsupdate "$@"
EOF
chmod +x "$T/bin/picky"
echo "nsupdate = \"$T/bin/picky\"" >>"$T/conf"
mark
is "$(get $KEY --interface 127.0.0.3)" "500 FAIL" "nsupdate fails for the second name: 500 FAIL"
is "$(records A)" "127.0.0.3 127.0.0.2 127.0.0.2" "the first updated, the second failed, the third not tried"
for n in $NAMES; do settle "$n"; done
like "$(cat "$T/state/nas.$ZONE.A")" '^127\.0\.0\.3 ' "the first keeps its new state"
test ! -e "$T/state/*.home.$ZONE.A"
ok $? "the second's state is unknown"
like "$(since_mark)" "host=vpn.$ZONE type=A addr=127.0.0.3 result=500 UNTRIED" \
    "the third is logged as not tried"
cp "$T/conf.good" "$T/conf"
is "$(get $KEY --interface 127.0.0.3)" "200 OK" "the next request: OK"
is "$(records A)" "127.0.0.3 127.0.0.3 127.0.0.3" "and every name holds the address"
is "$(get $KEY --interface 127.0.0.3)" "200 UPTODATE" "then UPTODATE"

# --- dyndns2: a line per name ---------------------------------------------
dyn() { get "/nic/update?$1" -u "${2:-router}:secret-router-long-enough" --interface 127.0.0.4; }
is "$(dyn 'myip=192.0.2.10')" "200 good 192.0.2.10
good 192.0.2.10
good 192.0.2.10" "no hostname: every name, a line each"
is "$(dyn "hostname=vpn.$ZONE,nas.$ZONE,other.$ZONE&myip=192.0.2.10")" "200 nochg 192.0.2.10
nochg 192.0.2.10
nohost" "a listed name that is not the client's: nohost"
is "$(dyn "hostname=*.home.$ZONE&myip=192.0.2.11" "vpn.$ZONE")" "200 good 192.0.2.11" \
    "the user may be any of the names; the wildcard by its name"
is "$(records A)" "192.0.2.10 192.0.2.11 192.0.2.10" "DNS follows, name by name"
is "$(dyn "hostname=nas.$ZONE,NAS.$ZONE.&myip=192.0.2.12")" "200 good 192.0.2.12
good 192.0.2.12" "one name twice: updated once, a line each"

# --- ACME: a name and its wildcard share one challenge --------------------
V=$(printf '%043d' 7 | tr 0-9 A-J)
r=$(curl -s -u router:secret-router-long-enough --data "{\"fqdn\":\"_acme-challenge.home.$ZONE.\",\"value\":\"$V\"}" \
    "http://127.0.0.1:$PORT/present")
is "$r" OK "/present for _acme-challenge.home (the base of *.home): OK"
is "$(rr _acme-challenge.home.$ZONE TXT)" "\"$V\"" "DNS holds it"
r=$(curl -s -H 'X-Api-User: router' -H 'X-Api-Key: secret-router-long-enough' \
    --data "{\"subdomain\":\"*.home.$ZONE\",\"txt\":\"$V\"}" "http://127.0.0.1:$PORT/update")
is "$r" "{\"txt\":\"$V\"}" "/update with the wildcard as subdomain: the same set"
r=$(curl -s -u router:secret-router-long-enough --data "{\"fqdn\":\"_acme-challenge.*.home.$ZONE.\",\"value\":\"$V\"}" \
    "http://127.0.0.1:$PORT/present")
is "$r" nohost "/present for _acme-challenge.*.home: nohost"

done_testing
