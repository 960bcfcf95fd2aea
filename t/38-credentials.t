#!/bin/bash
# Credentials: a client's key list (each key works, on every protocol: the
# secret URL, dyndns2, lego's httpreq and acme-dns's /update), keys kept
# only as SHA-256 digests (key-sha256), which leave no key in the
# configuration, the index, the log or --status; allow-from inside and
# outside, IPv4 and IPv6, directly and through a trusted proxy, answered
# exactly as a wrong key with nothing run; -t's checks of every form; and
# sftdyn --new-client, whose section passes -t and whose key then updates
# DNS through the printed secret URL, dyndns2 URL and ddclient lines.
. "$(dirname "$0")/lib.sh"

sha() { printf '%s' "$1" | sha256sum | cut -d' ' -f1; }
upper() { tr a-f A-F; }
K1=rotation-key-one-0001
K2=rotation-key-two-0002
K3=rotation-key-three-digest
DK=digest-only-key-of-client-dig
FK=fenced-key-of-client-fenced
F6=fenced-key-of-client-fenced6

CLIENTS=$TOP/build/tools
start_named
SFTDYN_PORT=$(free_port)
write_conf "url = \"http://127.0.0.1:$SFTDYN_PORT\"
trusted-proxies = { \"127.0.0.90\" }
client \"rot\" {
	key = { \"$K1\", \"$K2\" }
	# one of its keys as a digest, in upper case
	key-sha256 = \"$(sha "$K3" | upper)\"
	host = \"rot.$ZONE\"
}
client \"dig\" {
	key-sha256 = \"$(sha "$DK")\"
	host = { \"dig.$ZONE\", \"*.w.$ZONE\" }
}
client \"fenced\" {
	key = \"$FK\"
	host = \"fenced.$ZONE\"
	allow-from = { \"127.0.0.16/30\", \"::1\" }
}
client \"fenced6\" {
	key = \"$F6\"
	host = \"fenced6.$ZONE\"
	allow-from = \"2001:db8::/32\"
}"
is "$("$SFTDYN" -t "$T/conf" 2>&1)" "$T/conf: ok" "-t: key lists, digests and allow-from"
start_sftdyn 127.0.0.1
V4PORT=$PORT
unset SFTDYN_PORT

# val N: a challenge value, 43 characters
val() { printf '%043d' "$1" | tr 0-9 A-J; }
post() {	# post PATH BODY [curl options]: "STATUS BODY"
	local path=$1 body=$2
	shift 2
	curl -s --max-time 20 -o "$T/body" -w '%{http_code}' \
	    --data-binary "$body" "$@" "http://127.0.0.1:$V4PORT$path" >"$T/status"
	printf '%s %s' "$(cat "$T/status")" "$(cat "$T/body" 2>/dev/null)"
}
present() {	# present CLIENT KEY NAME VALUE [curl options]
	local user=$1 key=$2 name=$3 value=$4
	shift 4
	post /present "{\"fqdn\":\"_acme-challenge.$name.\",\"value\":\"$value\"}" \
	    -u "$user:$key" "$@"
}
update() {	# update CLIENT KEY NAME VALUE [curl options]: acme-dns's
	local user=$1 key=$2 name=$3 value=$4
	shift 4
	post /update "{\"subdomain\":\"$name\",\"txt\":\"$value\"}" \
	    -H "X-Api-User: $user" -H "X-Api-Key: $key" "$@"
}
txt() { rr "$1" TXT | tr -d '"' | sort | tr '\n' ' ' | sed 's/ $//'; }

# --- every key of a list, on every protocol -----------------------------
n=10
for k in "$K1" "$K2" "$K3"; do
	n=$((n + 1))
	is "$(get "/$k" --interface 127.0.0.$n)" "200 OK" "secret URL, key $((n - 10)) of rot"
	is "$(rr rot.$ZONE A)" "127.0.0.$n" "  DNS follows"
	is "$(get "/nic/update?myip=192.0.2.$n" -u "rot:$k")" "200 good 192.0.2.$n" \
	    "dyndns2, key $((n - 10))"
	is "$(rr rot.$ZONE A)" "192.0.2.$n" "  DNS follows"
	is "$(present rot "$k" "rot.$ZONE" "$(val $n)")" "200 OK" "lego's /present, key $((n - 10))"
	is "$(update rot "$k" "rot.$ZONE" "$(val $((n + 50)))")" "200 {\"txt\":\"$(val $((n + 50)))\"}" \
	    "acme-dns's /update, key $((n - 10))"
	is "$(txt _acme-challenge.rot.$ZONE)" "$(printf '%s\n' "$(val $n)" "$(val $((n + 50)))" | sort | tr '\n' ' ' | sed 's/ $//')" \
	    "  DNS holds both values"
done

# --- a client with digests only -------------------------------------------
is "$(get "/$DK" --interface 127.0.0.21)" "200 OK" "digest only: secret URL"
is "$(rr dig.$ZONE A)" 127.0.0.21 "  DNS follows"
is "$(get "/$DK" --interface 127.0.0.21)" "200 UPTODATE" "  UPTODATE"
is "$(get "/nic/update?hostname=dig.$ZONE&myip=192.0.2.21" -u "dig:$DK")" \
    "200 good 192.0.2.21" "digest only: dyndns2"
is "$(present dig "$DK" "w.$ZONE" "$(val 21)")" "200 OK" "digest only: /present for the wildcard's challenge"
is "$(update dig "$DK" "dig.$ZONE" "$(val 22)")" "200 {\"txt\":\"$(val 22)\"}" "digest only: /update"
is "$(txt _acme-challenge.w.$ZONE) | $(txt _acme-challenge.dig.$ZONE)" "$(val 21) | $(val 22)" \
    "  DNS holds the values"

# --- what is not a key ----------------------------------------------------
snap() { settle dig.$ZONE; echo "$(serial) $(cat "$T"/state/* 2>/dev/null | md5sum)"; }
S=$(snap)
is "$(get "/$(sha "$DK")" --interface 127.0.0.22)" "403 BADKEY" "a digest is not a key"
is "$(get "/$(sha "$DK" | upper)" --interface 127.0.0.22)" "403 BADKEY" "  nor in upper case"
is "$(get "/nic/update?myip=192.0.2.9" -u "dig:$(sha "$DK")")" "401 badauth" "  nor for dyndns2"
is "$(get "/nic/update?myip=192.0.2.9" -u "rot:$DK")" "401 badauth" \
    "one client's key with another's name: badauth"
is "$(get "/${K1}x" --interface 127.0.0.22)" "403 BADKEY" "a key with a byte more"
is "$(snap)" "$S" "  none of them reached DNS or the state"

# --- allow-from -----------------------------------------------------------
S=$(snap)
mark
is "$(get "/$FK" --interface 127.0.0.17)" "200 OK" "allow-from: inside (127.0.0.16/30)"
is "$(rr fenced.$ZONE A)" 127.0.0.17 "  DNS follows"
S=$(snap)
is "$(get "/$FK" --interface 127.0.0.20)" "403 BADKEY" "outside: BADKEY, as a wrong key"
is "$(get "/nic/update?myip=192.0.2.30" -u "fenced:$FK" --interface 127.0.0.20 -D "$T/h")" \
    "401 badauth" "outside: dyndns2's badauth"
grep -qi '^WWW-Authenticate: Basic realm="sftdyn"' "$T/h"
ok $? "  with the challenge a wrong key gets"
is "$(present fenced "$FK" "fenced.$ZONE" "$(val 30)" --interface 127.0.0.20)" "401 badauth" \
    "outside: lego's /present, badauth"
is "$(update fenced "$FK" "fenced.$ZONE" "$(val 30)" --interface 127.0.0.20)" \
    "401 {\"error\":\"forbidden\"}" "outside: acme-dns's /update, forbidden"
is "$(snap)" "$S" "  nothing ran: DNS and the state as they were"
is "$(rr fenced.$ZONE A)" 127.0.0.17 "  the record as it was"
is "$(since_mark | grep -c 'client fenced: not allowed from 127.0.0.20')" 4 \
    "  each logged: not allowed from ADDR"
# through the trusted proxy: the address it names counts, v4 and v6
is "$(get "/$FK" --interface 127.0.0.90 -H 'X-Forwarded-For: 127.0.0.18')" "200 OK" \
    "through the trusted proxy, from inside"
is "$(rr fenced.$ZONE A)" 127.0.0.18 "  DNS holds the address the proxy named"
S=$(snap)
is "$(get "/$FK" --interface 127.0.0.90 -H 'X-Forwarded-For: 127.0.0.21')" "403 BADKEY" \
    "through the trusted proxy, from outside"
is "$(get "/$FK" --interface 127.0.0.21 -H 'X-Forwarded-For: 127.0.0.17')" "403 BADKEY" \
    "an untrusted peer that claims an inside address"
is "$(snap)" "$S" "  nothing ran"
is "$(get "/$F6" --interface 127.0.0.90 -H 'X-Forwarded-For: 2001:db8::6')" "200 OK" \
    "IPv6 through the proxy, inside 2001:db8::/32"
is "$(rr fenced6.$ZONE AAAA)" 2001:db8::6 "  DNS holds it"
S=$(snap)
is "$(get "/$F6" --interface 127.0.0.90 -H 'X-Forwarded-For: 2001:db9::6')" "403 BADKEY" \
    "IPv6 through the proxy, outside"
is "$(snap)" "$S" "  nothing ran"
start_sftdyn '[::1]'
r=$(curl -s -g --max-time 20 -o "$T/b6" -w '%{http_code}' "http://[::1]:$PORT/$FK")
is "$r $(cat "$T/b6")" "200 OK" "IPv6 directly, inside (::1)"
is "$(rr fenced.$ZONE AAAA)" ::1 "  DNS follows"
S=$(snap)
r=$(curl -s -g --max-time 20 -o "$T/b6" -w '%{http_code}' "http://[::1]:$PORT/$F6")
is "$r $(cat "$T/b6")" "403 BADKEY" "IPv6 directly, outside 2001:db8::/32"
is "$(snap)" "$S" "  nothing ran"
like "$(cat "$T/sftdyn.log")" "client fenced6: not allowed from ::1" "  logged"

# --- no key anywhere it could be read ---------------------------------------
"$SFTDYN" --status "$T/conf" >"$T/status.txt" 2>&1
"$SFTDYN" --status --json "$T/conf" >>"$T/status.txt" 2>&1
like "$(cat "$T/status.txt")" "rot\\.$ZONE" "--status lists the clients"
for k in "$K1" "$K2" "$K3" "$DK" "$FK" "$F6"; do
	hits=$(grep -cF -- "$k" "$T/conf.cdb" "$T/sftdyn.log" "$T/status.txt" |
	    awk -F: '{n += $NF} END {print n}')
	is "$hits" 0 "key ${k%%-*}... is in neither the index, the log nor --status"
done
for k in "$K3" "$DK"; do
	grep -qiF -- "$k" "$T/conf"
	ok $((! $?)) "the configuration holds no key written as key-sha256 (${k%%-*}...)"
	for d in "$(sha "$k")" "$(sha "$k" | upper)"; do
		grep -qiF -- "$d" "$T/conf.cdb" "$T/sftdyn.log" "$T/status.txt"
		ok $((! $?)) "  nor does the index, the log or --status hold its digest"
	done
done

# --- -t: every form checked, at its line --------------------------------------
bad() {	# bad NAME SECTION-BODY WANT
	printf 'client "x" {\n\thost = "x.ex"\n%s\n}\n' "$2" >"$T/bad.conf"
	out=$("$SFTDYN" -t "$T/bad.conf" 2>&1); st=$?
	like "$st $out" "^1 $T/bad.conf:$3" "-t: $1"
	printf '%s\n' "$out" | grep -qF -- "$K1"
	ok $((! $?)) "  and no key in the message"
}
bad "five keys" "	key = { \"$K1\", \"k2-long-enough-2\", \"k3-long-enough-3\", \"k4-long-enough-4\", \"k5-long-enough-5\" }" \
    "3: key lists more than 4 keys"
bad "five digests" "	key-sha256 = { \"$(sha 1)\", \"$(sha 2)\", \"$(sha 3)\", \"$(sha 4)\", \"$(sha 5)\" }" \
    "3: key-sha256 lists more than 4 keys"
bad "a digest of 63 hex digits" "	key-sha256 = \"$(sha 1 | cut -c2-)\"" \
    "3: key-sha256 is not a SHA-256 digest \\(64 hex digits\\)"
bad "a digest with a non-hex digit" "	key-sha256 = \"$(sha 1 | sed 's/^./g/')\"" \
    "3: key-sha256 is not a SHA-256 digest"
bad "one key twice in a list" "	key = { \"$K1\", \"$K1\" }" "3: key lists the same key twice"
bad "one digest twice, in two cases" "	key-sha256 = { \"$(sha 1)\", \"$(sha 1 | upper)\" }" \
    "3: key-sha256 lists the same key twice"
bad "no key of either form" "" "4: client \"x\" has no key \\(key or key-sha256\\)"
bad "a key list given twice" "	key = \"$K1\"
	key = \"$K2\"" "4: key is given twice in this section"
bad "allow-from that is no network" "	key = \"$K1\"
	allow-from = { \"127.0.0.1\", \"10.0.0.0/33\" }" "4: allow-from: \"10.0.0.0/33\" is not an address"
# unique across forms and files: a plain key and another client's digest
printf 'client "p" {\n\tkey = "%s"\n\thost = "p.ex"\n}\nclient "q" {\n\thost = "q.ex"\n\tkey-sha256 = "%s"\n}\n' \
    "$K1" "$(sha "$K1" | upper)" >"$T/bad.conf"
out=$("$SFTDYN" -t "$T/bad.conf" 2>&1); st=$?
is "$st $out" "1 $T/bad.conf:7: client \"q\" has the same key as client \"p\" ($T/bad.conf:2)" \
    "-t: a plain key and another client's digest of it clash, at the digest's line"
printf 'client "p" {\n\tkey = { "%s", "short" }\n\thost = "p.ex"\n}\nurl = "ftp://x"\n' "$K1" >"$T/bad.conf"
out=$("$SFTDYN" -t "$T/bad.conf" 2>&1); st=$?
like "$st $out" "^1 $T/bad.conf:2: warning: client \"p\": a key of 5 bytes is short; .*
$T/bad.conf:5: url \"ftp://x\" does not start with http:// or https://\$" \
    "-t: a short key warns (without the key), a url that is no URL fails"
printf 'client "p" {\n\tkey = "%s"\n\thost = "p.ex"\n}\n' "$(sha "$K1")" >"$T/ok.conf"
out=$("$SFTDYN" -t "$T/ok.conf" 2>&1); st=$?
is "$st $out" "0 $T/ok.conf:2: warning: client \"p\": a key of 64 hex digits, as a SHA-256 digest is, is the key itself here; a digest belongs in key-sha256
$T/ok.conf: ok" "-t: a digest written as key warns"
printf 'client "p" {\n\tkey = "short-key"\n\thost = "p.ex"\n}\n' >"$T/ok.conf"
out=$("$SFTDYN" -t "$T/ok.conf" 2>/dev/null); st=$?
is "$st $out" "0 $T/ok.conf: ok" "  a warning alone: exit 0"

# -t -v: allow-from in effect for each client; no key, no digest
out=$("$SFTDYN" -t -v "$T/conf")
is "$(printf '%s\n' "$out" | sed -n '/^client "fenced" {/,/^}/p' | grep allow-from)" \
    "	allow-from = { \"127.0.0.16/30\", \"::1/128\" }" "-t -v: a client's allow-from"
is "$(printf '%s\n' "$out" | sed -n '/^client "dig" {/,/^}/p' | grep -c allow-from)" 0 \
    "  none for a client without (anywhere)"
printf '%s\n' "$out" | grep -qiF -e "$(sha "$DK")" -e "$K1" -e key-sha256
ok $((! $?)) "  and neither keys nor digests"

# the top level's allow-from, for a client without its own
sed "s|^trusted-proxies.*|&\nallow-from = { \"127.0.0.40/29\" }|" "$T/conf" >"$T/top.conf"
"$SFTDYN" -t "$T/top.conf" >/dev/null
CONF=$T/top.conf start_sftdyn 127.0.0.1
is "$(get "/$DK" --interface 127.0.0.41)" "200 OK" "top-level allow-from: inside"
S=$(snap)
is "$(get "/$DK" --interface 127.0.0.22)" "403 BADKEY" "  outside"
is "$(snap)" "$S" "  nothing ran"
is "$(get "/$FK" --interface 127.0.0.18)" "200 UPTODATE" "  a client's own list wins"

# A client whose own file of clients-dir changed after -t (half an edit
# that does not parse): its key from outside its allow-from is refused
# as a wrong key is, at once, not after a parse that fails (500).
mkdir "$T/cd"
printf 'client "fz" {\n\tkey = "%s"\n\thost = "fz.%s"\n\tallow-from = "192.0.2.0/24"\n}\n' \
    "$FK-fz" "$ZONE" >"$T/cd/fz.conf"
sed "s|^statedir.*|&\nclients-dir = \"cd\"|" "$T/conf" >"$T/cd.conf"
"$SFTDYN" -t "$T/cd.conf" >/dev/null
printf 'client "half" {\n\thost = "half.%s"\n' "$ZONE" >>"$T/cd/fz.conf"
CONF=$T/cd.conf start_sftdyn 127.0.0.1
mark
is "$(get "/$FK-fz" --interface 127.0.0.23)" "403 BADKEY" \
    "its file half edited: the key from outside is BADKEY, as a wrong one"
is "$(get "/$FK-fz-wrong" --interface 127.0.0.23)" "403 BADKEY" "  and a wrong key"
is "$(get "/$FK-fz" --interface 127.0.0.90 -H 'X-Forwarded-For: 192.0.2.7')" "500 FAIL" \
    "  from inside: the parse, which fails"
like "$(since_mark)" "client fz: not allowed from 127\\.0\\.0\\.23" "  the refusal is logged"

# --- -t: where each clashing key and name is ---------------------------------
printf 'client "p" {\n\tkey = {\n\t\t"%s",\n\t\t"%s"\n\t}\n\thost = { "p.ex",\n\t\t"m.ex" }\n}\nclient "q" {\n\tkey-sha256 = "%s"\n\thost = { "q.ex",\n\t\t"M.ex." }\n\tkey = "%s"\n}\n' \
    "$K1" "$K2" "$(sha "$K2")" "$DK" >"$T/lines.conf"
out=$("$SFTDYN" -t "$T/lines.conf" 2>&1)
is "$out" "$T/lines.conf:10: client \"q\" has the same key as client \"p\" ($T/lines.conf:4)
$T/lines.conf:12: client \"q\" has the same host \"m.ex\" as client \"p\" ($T/lines.conf:7)" \
    "-t: a clash is at the line of each key and name, in a list over lines"

# --- sftdyn --new-client ----------------------------------------------------
PORT=$V4PORT
"$SFTDYN" --new-client router "new.$ZONE" "*.new.$ZONE" -c "$T/conf" >"$T/new.out" 2>"$T/new.err"
is "$? $(cat "$T/new.err")" "0 " "--new-client: exit 0, nothing on stderr"
KEY=$(awk '/shown this once/ { getline; getline; print $1; exit }' "$T/new.out")
like "$KEY" '^[A-Za-z0-9_-]{22}$' "  a key of 22 base64url characters (128 bits)"
sed -n '/^client "router" {/,/^}/p' "$T/new.out" >"$T/stanza"
like "$(cat "$T/stanza")" "key-sha256 = \"$(sha "$KEY")\"" "  the section holds its SHA-256"
grep -qF -- "$KEY" "$T/stanza"
ok $((! $?)) "  and not the key"
grep -qF "sftdyn -t $T/conf" "$T/new.out"
ok $? "  it says to run -t"
"$SFTDYN" --new-client router "new.$ZONE" -c "$T/conf" >"$T/new2.out"
KEY2=$(awk '/shown this once/ { getline; getline; print $1; exit }' "$T/new2.out")
[ -n "$KEY2" ] && [ "$KEY2" != "$KEY" ]
ok $? "  another run, another key"
cat "$T/stanza" >>"$T/conf"
is "$("$SFTDYN" -t "$T/conf" 2>&1)" "$T/conf: ok" "the section appended: -t passes"
grep -qF -- "$KEY" "$T/conf" "$T/conf.cdb"
ok $((! $?)) "  neither the configuration nor the index holds the key"
# the printed secret URL, as printed
line=$(grep -A1 '^The secret URL' "$T/new.out" | tail -n 1)
is "$line" "	curl -fsS 'http://127.0.0.1:$V4PORT/$KEY'" "the secret URL, at the url setting"
is "$(bash -c "$line")" OK "  run as printed: OK"
is "$(rr new.$ZONE A)" 127.0.0.1 "  DNS holds the address"
is "$(rr x.new.$ZONE A)" 127.0.0.1 "  and the wildcard's"
# the printed dyndns2 request, as printed, after the records moved away
is "$(get "/nic/update?myip=192.0.2.77" -u "router:$KEY" | tr '\n' '|')" \
    "200 good 192.0.2.77|good 192.0.2.77" "dyndns2 with the key (the records moved away)"
line=$(grep -A1 '^dyndns2, Basic' "$T/new.out" | tail -n 1)
is "$(bash -c "$line" | paste -sd'|')" "good 127.0.0.1|good 127.0.0.1" \
    "the printed dyndns2 request: good, for each name"
is "$(rr new.$ZONE A)" 127.0.0.1 "  DNS follows"
if sh "$TOP/t/tools.sh" "$CLIENTS" ddclient 2>"$T/clients.err"; then
	get "/nic/update?myip=192.0.2.78" -u "router:$KEY" >/dev/null
	is "$(rr new.$ZONE A)" 192.0.2.78 "the record moved away again"
	sed -n '/^ddclient, /,/^$/p' "$T/new.out" | sed -e 1d -e '/^$/d' -e 's/^\t//' \
	    >"$T/ddclient.conf"
	like "$(cat "$T/ddclient.conf")" "password='$KEY'" "ddclient.conf from the printed lines"
	chmod 600 "$T/ddclient.conf"
	timeout 60 perl "$CLIENTS/usr/bin/ddclient" -daemon=0 -foreground -verbose \
	    -file "$T/ddclient.conf" -cache "$T/ddclient.cache" >"$T/dd.out" 2>&1
	is "$? $(grep -c 'SUCCESS: .*good: IP address set to 127.0.0.1' "$T/dd.out")" \
	    "0 2" "ddclient with the printed lines: good, for each name"
	is "$(rr new.$ZONE A)" 127.0.0.1 "  DNS follows"
else
	skip 4 "ddclient: $(cat "$T/clients.err")"
fi
for tool in inadyn FRITZ lego acme.sh; do
	grep -q "^$tool" "$T/new.out" && grep -A8 "^$tool" "$T/new.out" | grep -qF -- "$KEY"
	ok $? "  settings for $tool, with the key"
done

# taken names and hosts: exit 1, nothing printed
taken() {	# taken DESCRIPTION NAME HOST...
	local what=$1
	shift
	"$SFTDYN" --new-client "$@" -c "$T/conf" >"$T/taken.out" 2>"$T/taken.err"
	is "$? $(wc -c <"$T/taken.out")" "1 0" "--new-client: $what: exit 1, nothing on stdout"
}
taken "a client's name" rot "fresh.$ZONE"
like "$(cat "$T/taken.err")" 'there is a client "rot" already' "  says which"
taken "another client's host" fresh "a.$ZONE"
like "$(cat "$T/taken.err")" "host \"a\\.$ZONE\": client \"a\" has \"a\\.$ZONE\"" "  says whose"
taken "a host in another client's wildcard subtree" fresh "deep.x.w.$ZONE"
taken "a wildcard over another client's host" fresh "*.$ZONE"
taken "a host in another case, with a dot" fresh "A.${ZONE^^}."
taken "a host given twice" fresh "fresh.$ZONE" "FRESH.$ZONE"
taken "an invalid host" fresh "bad..name"
taken "a name with a quote" 'fr"esh' "fresh.$ZONE"
taken "a name with a colon" 'fr:esh' "fresh.$ZONE"
taken "a name with a comma" 'fr,esh' "fresh.$ZONE"
taken "a name with a '#'" 'fr#esh' "fresh.$ZONE"
"$SFTDYN" --new-client fresh -c "$T/conf" >/dev/null 2>&1
is "$?" 1 "--new-client without a host: exit 1"
"$SFTDYN" --new-client fresh "fresh.$ZONE" -c "$T/nowhere.conf" >"$T/nowhere.out" 2>"$T/nowhere.err"
is "$? $(wc -c <"$T/nowhere.out")" "1 0" "--new-client with a missing configuration (a typo): exit 1"
like "$(cat "$T/nowhere.err")" "nowhere.conf" "  says which"
printf 'statedir = "state"\n' >"$T/bare.conf"
"$SFTDYN" --new-client fresh "fresh.$ZONE" -c "$T/bare.conf" >"$T/bare.out" 2>/dev/null
is "$? $(grep -c "^	curl -fsS 'https://dyn.example.org/" "$T/bare.out")" "0 1" \
    "--new-client, a configuration without url: the default one"
grep -q '^		username = "fresh"$' "$T/bare.out"
ok $? "  inadyn's username quoted"

done_testing
