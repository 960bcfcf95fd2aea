#!/bin/bash
# The command line: -V, -h, a wrong flag, and -t with FILE:LINE errors.
. "$(dirname "$0")/lib.sh"

out=$("$SFTDYN" -V); st=$?
is "$st $out" "0 sftdyn $(sed -n 's/^VERSION[[:space:]]*=[[:space:]]*//p' "$TOP/Makefile")" "-V"
is "$("$SFTDYN" --version)" "$out" "--version"
out=$("$SFTDYN" -h 2>/dev/null); st=$?
like "$st $out" '^0 usage: sftdyn' "-h: usage on stdout, 0"
out=$("$SFTDYN" --help 2>/dev/null)
like "$out" '--nskeyfile' "--help lists the flags"
out=$("$SFTDYN" --bogus 2>&1 >/dev/null); st=$?
is "$st" 1 "a wrong flag: exit 1"
like "$out" 'usage: sftdyn' "a wrong flag: usage on stderr"
"$SFTDYN" one two >/dev/null 2>&1
is $? 1 "two configuration files: 1"

mkdir -p "$T/etc/keys" "$T/etc/clients"
touch "$T/etc/keys/tsig.key"
cat >"$T/etc/conf" <<'EOF2'
# a valid configuration with relative paths and an include
ttl = 60
nskeyfile = "keys/tsig.key"
statedir = "state"
trusted-proxies = { "127.0.0.1", "::1", "10.0.0.0/8" }
include("clients/all.conf")
EOF2
cat >"$T/etc/clients/all.conf" <<'EOF2'
client "router" {
	key = "host=r.dyn.example,key=abc"
	host = "r.dyn.example"
	ttl = 120
}
EOF2
out=$(cd / && "$SFTDYN" -t "$T/etc/conf" 2>&1); st=$?
is "$st $out" "0 $T/etc/conf: ok" "-t: valid, relative paths from the file's directory"
out=$(cd / && "$SFTDYN" --check -c "$T/etc/conf" 2>&1)
is "$out" "$T/etc/conf: ok" "--check -c FILE"

cat >"$T/etc/bad.conf" <<'EOF2'
ttl = -5
timeout = 0
nsport = 70000
nskeyfile = "keys/missing.key"
trusted-proxies = { "127.0.0.1", "not-an-address", "10.0.0.0/40" }
nsserver = "bad server"
include("clients/bad.conf")
client "x" {
	key = "host=x,key=1-long-enough"
	host = "x.dyn.example"
}
EOF2
cat >"$T/etc/clients/bad.conf" <<'EOF2'
client "y" {
	key = "has space"
	host = "bad..name"
}
client "z" {
	host = "z.dyn.example"
}
client "w" {
	key = "host=x,key=1-long-enough"
	host = "-ok-.dyn.example"
}
client "v" {
	key = "v-key-long-enough"
	host = "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx.dyn.example"
}
EOF2
out=$("$SFTDYN" -t "$T/etc/bad.conf" 2>&1 >"$T/stdout"); st=$?
is "$st" 1 "-t: invalid, exit 1"
is "$(cat "$T/stdout")" "" "-t: nothing on stdout when invalid"
B=$T/etc/bad.conf
C=$T/etc/clients/bad.conf
for want in \
    "$B:1: ttl must be between" \
    "$B:2: timeout must be between" \
    "$B:3: nsport must be between" \
    "$B:4: nskeyfile \"$T/etc/keys/missing.key\": No such file" \
    "$B:5: trusted-proxies: \"not-an-address\"" \
    "$B:5: trusted-proxies: \"10.0.0.0/40\"" \
    "$B:6: nsserver \"bad server\"" \
    "$C:2: key holds a space" \
    "$C:3: host \"bad..name\" is not a valid DNS name" \
    "$C:7: client \"z\" has no key" \
    "$C:14: host \"x*\.dyn\.example\" is not a valid DNS name" \
    "$B:9: client \"x\" has the same key as client \"w\""; do
	printf '%s\n' "$out" | grep -q -- "^$want"
	ok $? "-t reports: $want"
done
is "$(printf '%s\n' "$out" | grep -vc "^$T/etc/[a-z/.]*:[0-9]*: ")" 0 \
    "every line is FILE:LINE: message"
is "$(printf '%s\n' "$out" | wc -l)" 12 "each error once"

printf 'ttl = 5\nbogus = 1\n' >"$T/etc/syntax.conf"
out=$("$SFTDYN" -t "$T/etc/syntax.conf" 2>&1); st=$?
is "$st $out" "1 $T/etc/syntax.conf:2: no such option 'bogus'" \
    "-t: an unknown option, named"
printf 'client "a" {\n key = "secret-of-client-a"\n hots = "a.example"\n}\n' >"$T/etc/syntax.conf"
out=$("$SFTDYN" -t "$T/etc/syntax.conf" 2>&1); st=$?
like "$st $out" "^1 $T/etc/syntax.conf:3: no such option 'hots'" \
    "-t: a misspelt option in a client section, named"
# A value libconfuse cannot take is reported at its own line, whatever
# follows it.
for layout in 'verify-dns = maybe\nclient "a" {' \
    'verify-dns = maybe\n\n\nclient "a" {' 'verify-dns = maybe\n# a comment\n\nclient "a" {' \
    'verify-dns = maybe client "a" {'; do
	printf "$layout"'\n key = "secret-of-client-a"\n host = "a.example"\n}\n' >"$T/etc/line.conf"
	out=$("$SFTDYN" -t "$T/etc/line.conf" 2>&1)
	is "$out" "$T/etc/line.conf:1: invalid boolean value for option 'verify-dns'" \
	    "-t: verify-dns = maybe, then a client section: line 1 ($(printf "$layout" | wc -l) newlines)"
done
printf 'client "a" {\n key = "secret-of-client-a"\n host = "a.example"\n}\nttl = 1\nverify-dns = maybe\nclient "b" {\n key = "secret-of-client-b"\n host = "b.example"\n}\n' \
    >"$T/etc/line.conf"
is "$("$SFTDYN" -t "$T/etc/line.conf" 2>&1)" \
    "$T/etc/line.conf:6: invalid boolean value for option 'verify-dns'" \
    "-t: between two client sections: its own line"

# Every check names its line, comments above it or not (libconfuse 3.3
# counts a comment's line more than once), in the last section as in
# any: a bad name in a host list, 21 names, an empty list, a name in
# two clients, a value libconfuse refuses; in the main file, an included
# one and a file of clients-dir.
mkdir -p "$T/etc/lines.d"
n=0
for pre in '' '# one\n# two\n' '// one\n/* two\n three */\n' 'ttl = 5 # trailing\n'; do
	for body in 'host = { "a.ex", "b..ex" }' \
	    "host = { $(seq -f '"h%g.ex"' -s ', ' 21) }" 'host = { }' \
	    'host = "dup.ex"' 'ttl = x'; do
		n=$((n + 1))
		text="${pre}client \"first$n\" {\n\tkey = \"first-client-key-$n\"\n\thost = \"dup.ex\"\n}\n# between\nclient \"last$n\" {\n\tkey = \"last-client-key-$n\" # its key\n\t$body\n}\n"
		line=$(printf "$text" | grep -n "$(printf '%s' "$body" | cut -c1-8)" | tail -n 1 | cut -d: -f1)
		[ "$body" = 'host = { }' ] && line=$((line + 1))	# the section's end
		printf "$text" >"$T/etc/lines.conf"
		out=$("$SFTDYN" -t "$T/etc/lines.conf" 2>&1 | head -n 1)
		like "$out" "^$T/etc/lines\.conf:$line: " "-t: line $line of $(printf "$text" | wc -l): $body"
		printf "$text" >"$T/etc/lines-inc.conf"
		printf '# including\ninclude("lines-inc.conf")\n' >"$T/etc/lines.conf"
		out=$("$SFTDYN" -t "$T/etc/lines.conf" 2>&1 | head -n 1)
		like "$out" "^$T/etc/lines-inc\.conf:$line: " "  the same, included"
		printf "$text" | grep -v '^ttl' >"$T/etc/lines.d/x.conf"
		[ -n "$(printf "$pre" | grep '^ttl')" ] && line=$((line - 1))
		printf 'clients-dir = "lines.d"\n' >"$T/etc/lines.conf"
		out=$("$SFTDYN" -t "$T/etc/lines.conf" 2>&1 | head -n 1)
		like "$out" "^$T/etc/lines\.d/x\.conf:$line: " "  the same, in clients-dir"
	done
done

# libconfuse quotes what it could not parse: never in a message, it may be
# part of a key (an unquoted key with a stray word).
printf 'client "a" {\n key = ZeCr3t-part1 s3cReT-part2\n host = "a.example"\n}\n' \
    >"$T/etc/stray.conf"
out=$("$SFTDYN" -t "$T/etc/stray.conf" 2>&1); st=$?
like "$st $out" "^1 $T/etc/stray.conf:2: " "-t: a key with a stray word fails at its line"
printf '%s' "$out" | grep -Eqi 'zecr3t|s3cret|part[12]'
ok $((! $?)) "-t: no part of the key in the message"
printf 'client "a" {\n key = "ZeCr3t"\n s3cReT-part2\n host = "a.example"\n}\n' \
    >"$T/etc/stray.conf"
out=$("$SFTDYN" -t "$T/etc/stray.conf" 2>&1)
printf '%s' "$out" | grep -Eqi 'zecr3t|s3cret|part[12]'
ok $((! $?)) "-t: nor of a key that goes on on the next line"
printf 'client "a" {\n key = ZeCr3t-part1 s3cReT-part2\n host = "a.example"\n}\n' \
    >"$T/etc/stray.conf"
out=$(printf 'GET /x HTTP/1.0\r\n\r\n' | REMOTE_ADDR=127.0.0.1 \
    "$SFTDYN" -e -c "$T/etc/stray.conf" 2>&1)
like "$out" "configuration: $T/etc/stray.conf:2: " "the handler logs the error's line"
printf '%s' "$out" | grep -Eqi 'zecr3t|s3cret|part[12]'
ok $((! $?)) "and no part of the key"
printf 'bogus = 1\n' >"$T/etc/stray.conf"
out=$(printf 'GET /x HTTP/1.0\r\n\r\n' | REMOTE_ADDR=127.0.0.1 \
    "$SFTDYN" -e -c "$T/etc/stray.conf" 2>&1)
like "$out" "configuration: $T/etc/stray.conf:1: no such option '\.\.\.'" \
    "the handler's log masks what libconfuse quotes"
write_conf_min() {	# the smallest valid configuration, plus $1
	printf 'client "a" {\n key = "secret-of-client-a"\n host = "a.example"\n}\n%s\n' "$1" \
	    >"$T/etc/edge.conf"
}
write_conf_min 'client "b" {
 key = "first-key-long-enough"
 key = "second-key-long-enough"
 host = "b.example"
}'
out=$("$SFTDYN" -t "$T/etc/edge.conf" 2>&1); st=$?
like "$st $out" "^1 $T/etc/edge.conf:7: key is given twice" "-t: a key given twice"
printf '%s' "$out" | grep -q 'first-key\|second-key'
ok $((! $?)) "-t: and neither key is shown"
for v in 0300 0x12C 1e3 30s; do
	write_conf_min "ttl = $v"
	out=$("$SFTDYN" -t "$T/etc/edge.conf" 2>&1); st=$?
	like "$st $out" "^1 $T/etc/edge.conf:5: ttl must be a decimal number" \
	    "-t: ttl = $v is refused"
done
write_conf_min 'ttl = 300'
is "$("$SFTDYN" -t -v "$T/etc/edge.conf" 2>&1 | grep '^ttl')" "ttl = 300" \
    "-t -v: the settings in effect"
mkdir -p "$T/etc/dir.d"
write_conf_min 'include("dir.d")'
out=$("$SFTDYN" -t "$T/etc/edge.conf" 2>&1); st=$?
is "$st $out" "1 $T/etc/edge.conf:5: include \"$T/etc/dir.d\": Is a directory" \
    "-t: include() of a directory"
out=$("$SFTDYN" -t "$T/etc/dir.d" 2>&1); st=$?
is "$st $out" "1 $T/etc/dir.d:0: Is a directory" "-t: a directory as the configuration"
mkfifo "$T/etc/fifo"
write_conf_min 'include("fifo")'
out=$(timeout 5 "$SFTDYN" -t "$T/etc/edge.conf" 2>&1); st=$?
is "$st $out" "1 $T/etc/edge.conf:5: include \"$T/etc/fifo\": not a regular file" \
    "-t: include() of a FIFO, without blocking"
write_conf_min 'client "u" {
 key = "u-key-long-enough"
 host = "_u.example"
}'
out=$("$SFTDYN" -t "$T/etc/edge.conf" 2>"$T/err"); st=$?
is "$st $out" "0 $T/etc/edge.conf: ok" "-t: a host with '_' is valid"
like "$(cat "$T/err")" "^$T/etc/edge.conf:7: warning: host \"_u.example\" holds '_'" \
    "-t: but warns that check-names refuses it"

# -t in the configuration's directory: the index names absolute paths.
write_conf_min 'statedir = "state"'
out=$(cd "$T/etc" && "$SFTDYN" -t edge.conf 2>&1); st=$?
is "$st $out" "0 edge.conf: ok" "-t with a relative path"
grep -qa "$T/etc/edge.conf" "$T/etc/edge.conf.cdb"
ok $? "the index names the configuration by its absolute path"
is "$(cd "$T/etc" && "$SFTDYN" -t -v edge.conf | grep '^statedir')" \
    "statedir = \"$T/etc/state\"" "relative settings become absolute"
printf 'client "a" {\n key = "secret-of-client-a"\n host = "a.example"\n}\nclient "a" {\n key = "secret-of-client-b"\n host = "b.example"\n}\n' \
    >"$T/etc/dup.conf"
out=$("$SFTDYN" -t "$T/etc/dup.conf" 2>&1); st=$?
like "$st $out" "^1 $T/etc/dup.conf:[0-9]+: .*a" "-t: a client name twice"
# trusted-proxies given twice would lose the first list: an error; +=
# appends.
write_conf_min 'trusted-proxies = { "127.0.0.1" }
trusted-proxies = { "::1" }'
out=$("$SFTDYN" -t "$T/etc/edge.conf" 2>&1); st=$?
is "$st $out" "1 $T/etc/edge.conf:6: trusted-proxies is given twice in this section; the first list would be lost (append to it with +=)" \
    "-t: trusted-proxies given twice"
write_conf_min 'trusted-proxies = { "127.0.0.1" }
trusted-proxies += { "::1" }'
is "$("$SFTDYN" -t -v "$T/etc/edge.conf" | grep '^trusted')" \
    'trusted-proxies = { "127.0.0.1/32", "::1/128" }' "-t: += appends"
# A statedir that is not a directory: an error at its line.
: >"$T/etc/statefile"
mkfifo "$T/etc/statefifo"
for f in statefile statefifo; do
	write_conf_min "statedir = \"$f\""
	out=$(timeout 5 "$SFTDYN" -t "$T/etc/edge.conf" 2>&1); st=$?
	is "$st $out" "1 $T/etc/edge.conf:5: statedir \"$T/etc/$f\" is not a directory" \
	    "-t: statedir is a ${f#state}"
done

# NUL bytes: an error at their line, at once, whatever their number.
printf 'ttl = 30\n# a comment\nstatedir = "st\0ate"\n' >"$T/etc/nul.conf"
out=$("$SFTDYN" -t "$T/etc/nul.conf" 2>&1); st=$?
is "$st $out" "1 $T/etc/nul.conf:3: a NUL byte; a configuration is text" \
    "-t: a NUL in the main file, at its line"
{ printf 'client "n" {\n key = "secret-of-client-a"\n host = "n.example"\n}\n'; head -c 20000 /dev/zero; } \
    >"$T/etc/nuls.conf"
printf 'ttl = 30\ninclude("nuls.conf")\n' >"$T/etc/nul.conf"
timed "$SFTDYN" -t "$T/etc/nul.conf" 2>/dev/null
out=$("$SFTDYN" -t "$T/etc/nul.conf" 2>&1); st=$?
is "$st $out" "1 $T/etc/nuls.conf:5: a NUL byte; a configuration is text" \
    "-t: 20000 NULs in an included file, at their line"
took_between 0 2000 "-t: at once"
head -c 100000 /dev/zero >"$T/etc/nul.conf"
timed sh -c "printf 'GET /k HTTP/1.0\r\n\r\n' | REMOTE_ADDR=127.0.0.1 \
    '$SFTDYN' -e -c '$T/etc/nul.conf' 2>'$T/nul.err'"
like "$out" '^HTTP/1.1 500 ' "the handler: 500 for a configuration of 100 kB of NULs"
took_between 0 3000 "the handler: at once"
like "$(cat "$T/nul.err")" "configuration: $T/etc/nul.conf:1: a NUL byte" "the handler: logged"

out=$("$SFTDYN" -t "$T/etc/none.conf" 2>&1); st=$?
like "$st $out" "^1 $T/etc/none.conf:0: No such file" "-t: a missing file"
out=$("$SFTDYN" -t --nskeyfile "$T/nokey" "$T/etc/conf" 2>&1); st=$?
like "$st $out" "^1 $T/etc/conf: --nskeyfile $T/nokey: No such file" \
    "-t: a missing --nskeyfile"

done_testing
