#!/bin/bash
# clients-dir: every regular *.conf file of the directory holds client
# sections only, each file parsed on its own; names and keys are unique
# across all files (FILE:LINE of the second); the client index follows
# the directory (a file added or removed: at once; the file holding the
# client found, edited: its old key refused at once, its new one and
# other files' edits at the next -t); -t warns about one file with more
# clients than a parse should hold; -t at 100,000 files, one a client,
# under the default limit of 1024 open files.
. "$(dirname "$0")/lib.sh"

# client NAME KEY HOST: a client section
client() {
	printf 'client "%s" {\n\tkey = "%s"\n\thost = "%s"\n}\n' "$1" "$2" "$3"
}

start_named
write_conf 'clients-dir = "clients.d"'
mkdir "$T/clients.d"
client d secret-d-long-enough "d.$ZONE" >"$T/clients.d/10-d.conf"
client e secret-e-long-enough "e.$ZONE" >"$T/clients.d/20-e.conf"
client x secret-x-long-enough "x.$ZONE" >"$T/clients.d/e.conf.disabled"
echo 'not a configuration at all' >"$T/clients.d/README"
is "$("$SFTDYN" -t "$T/conf" 2>&1)" "$T/conf: ok" "-t: ok"
is "$("$SFTDYN" -t -v "$T/conf" | grep -E '^(clients-dir|# [0-9]+ clients)')" \
    "clients-dir = \"$T/clients.d\"
# 5 clients" "-t -v: the directory, made absolute, and every client"

start_sftdyn 127.0.0.1 -- -v
mark
is "$(get /secret-e-long-enough --interface 127.0.0.2)" "200 OK" "a client of clients-dir, from the index"
like "$(since_mark)" 'clients from the index' "(the index was used)"
is "$(rr e.$ZONE A)" 127.0.0.2 "DNS follows"
is "$(get /secret-x-long-enough --interface 127.0.0.2)" "403 BADKEY" "a file not named *.conf is not read"

# A file added: the directory's stamp changes, the index is stale, and
# the parse serves the new client at once.
client f secret-f-long-enough "f.$ZONE" >"$T/clients.d/30-f.conf"
mark
is "$(get /secret-f-long-enough --interface 127.0.0.3)" "200 OK" "a file added: its client, at once"
like "$(since_mark)" 'older than the configuration' "the index is stale"
"$SFTDYN" -t "$T/conf" >/dev/null
rm "$T/clients.d/30-f.conf"
is "$(get /secret-f-long-enough --interface 127.0.0.3)" "403 BADKEY" "a file removed: its client is gone"
# The index is no more readable than the strictest of its files: one
# clients-dir file of mode 0600 makes it 0600.
chmod 644 "$T/conf"
chmod 600 "$T/clients.d/20-e.conf"
"$SFTDYN" -t "$T/conf" >/dev/null
is "$(stat -c %a "$T/conf.cdb")" 600 "a clients-dir file of mode 0600: a 0600 index"
chmod 644 "$T/clients.d/20-e.conf"
"$SFTDYN" -t "$T/conf" >/dev/null
is "$(stat -c %a "$T/conf.cdb")" 644 "  every file 0644: a 0644 index"
# A file edited in place: a connection checks the main file, the
# directory, and the one file that holds the client it finds, whatever
# the number of files.  The old key of the edited file is refused at once
# (its file changed: the handler parses instead), the new one waits for
# -t, and the other files' clients are served from the index meanwhile.
"$SFTDYN" -t "$T/conf" >/dev/null
client d secret-D-long-enough "d.$ZONE" >"$T/clients.d/10-d.conf"
mark
is "$(get /secret-d-long-enough --interface 127.0.0.3)" "403 BADKEY" "a file edited: the old key is refused at once"
like "$(since_mark)" 'older than the file of clients-dir that holds client d' \
    "  its own file changed: the index is not trusted for it"
mark
is "$(get /secret-e-long-enough --interface 127.0.0.3)" "200 OK" "another file's client: served"
like "$(since_mark)" 'clients from the index' "  from the index"
! since_mark | grep -q 'older than'
ok $? "  which is not stale for it"
is "$(get /secret-D-long-enough --interface 127.0.0.3)" "403 BADKEY" "the edited file's new key waits for -t"
"$SFTDYN" -t "$T/conf" >/dev/null
is "$(get /secret-D-long-enough --interface 127.0.0.3)" "200 OK" "after -t it is granted"

# The errors, each at FILE:LINE, every one reported.
mkdir "$T/bad.d" "$T/bad.d/sub.conf"
cat >"$T/bad.conf" <<EOF2
clients-dir = "bad.d"
$(client a key-a-long-enough a.$ZONE)
EOF2
client b key-b-long-enough "b.$ZONE" >"$T/bad.d/1.conf"
{ client c key-c-long-enough "c.$ZONE"; client a key-a2-long-enough "a2.$ZONE"; } >"$T/bad.d/2.conf"
{ client z key-b-long-enough "z.$ZONE"; } >"$T/bad.d/3.conf"
printf 'ttl = 5\n' >"$T/bad.d/4.conf"
printf 'include("1.conf")\n' >"$T/bad.d/5.conf"
printf 'tls {\n}\n' >"$T/bad.d/6.conf"
mkfifo "$T/bad.d/7.conf"
out=$(timeout 10 "$SFTDYN" -t "$T/bad.conf" 2>&1); st=$?
is "$st" 1 "-t: exit 1"
for want in \
    "$T/bad.d/2.conf:8: client \"a\" has the same name as client \"a\" ($T/bad.conf:5)" \
    "$T/bad.d/3.conf:2: client \"z\" has the same key as client \"b\" ($T/bad.d/1.conf:2)" \
    "$T/bad.d/4.conf:1: ttl: a clients-dir file holds client sections only" \
    "$T/bad.d/5.conf:1: include() is not allowed in a clients-dir file" \
    "$T/bad.d/6.conf:2: tls: a clients-dir file holds client sections only" \
    "$T/bad.d/7.conf:0: warning: not a regular file, ignored" \
    "$T/bad.d/sub.conf:0: warning: not a regular file, ignored"; do
	printf '%s\n' "$out" | grep -qF -- "$want"
	ok $? "-t reports: ${want#$T/}"
done
is "$(printf '%s\n' "$out" | wc -l)" 7 "each once"
printf 'clients-dir = "nowhere.d"\n' >"$T/bad.conf"
like "$("$SFTDYN" -t "$T/bad.conf" 2>&1)" "^$T/bad.conf:1: clients-dir \"$T/nowhere.d\": No such file" \
    "-t: a missing clients-dir"
printf 'clients-dir = "conf"\n' >"$T/bad.conf"
like "$("$SFTDYN" -t "$T/bad.conf" 2>&1)" "^$T/bad.conf:1: clients-dir \"$T/conf\" is not a directory" \
    "-t: a clients-dir that is a file"

# One file with more clients than one parse should hold: a warning that
# says what to do; the same clients in clients-dir: none.
perl -e 'for (1 .. 5001) { print "client \"w$_\" {\n\tkey = \"wkey-long-enough-$_\"\n\thost = \"w$_.dyn.test\"\n}\n" }' \
    >"$T/wide.conf"
out=$("$SFTDYN" -t "$T/wide.conf" 2>&1 >/dev/null); st=$?
like "$st $out" "^0 $T/wide.conf:0: warning: 5001 clients in one file .*clients-dir" \
    "-t: 5001 clients in one file: valid, with a warning"
mkdir "$T/wide.d"
split -l 1000 -a 2 --additional-suffix=.conf "$T/wide.conf" "$T/wide.d/part-"
printf 'clients-dir = "wide.d"\n' >"$T/wide.conf"
out=$("$SFTDYN" -t "$T/wide.conf" 2>&1); st=$?
is "$st $out" "0 $T/wide.conf: ok" "-t: the same clients in clients-dir: no warning"

# A provider's layout: 100,000 files of one client each.  -t reads them
# one at a time, under the default limit of 1024 open files; a connection
# checks the main file, the directory and the found client's file only.
mkdir "$T/many.d"
perl -e 'for my $i (1 .. 100000) {
	open(my $o, ">", sprintf("%s/%06d.conf", $ARGV[0], $i)) or die;
	print $o "client \"p$i\" {\n\tkey = \"pkey-long-enough-$i\"\n\thost = \"p$i.dyn.test\"\n}\n";
	close($o) }' "$T/many.d"
sed 's/^clients-dir = .*/clients-dir = "many.d"/' "$T/conf" >"$T/many.conf"
out=$(ulimit -n 1024; /usr/bin/time -f '%M' -o "$T/many.time" "$SFTDYN" -t "$T/many.conf" 2>&1); st=$?
is "$st $out" "0 $T/many.conf: ok" "-t: 100,000 files under ulimit -n 1024: ok"
kib=$(tail -n 1 "$T/many.time")
if sanitized; then
	skip 1 "-t's peak memory was $kib KiB: the sanitizers' is not sftdyn's"
else
	[ "$kib" -lt 204800 ]
	ok $? "  in less than 200 MB ($kib KiB)"
fi
stop_sftdyn
CONF=$T/many.conf start_sftdyn 127.0.0.1 -- -v
mark
is "$(get /pkey-long-enough-99999 --interface 127.0.0.4)" "200 OK" "a client of the 100,000: served"
like "$(since_mark)" 'clients from the index' "  from the index"
is "$(get /pkey-long-enough-nope --interface 127.0.0.4)" "403 BADKEY" "an unknown key: BADKEY"
# the connection stats the main file, the directory and one file: not
# each of the 100,000
if command -v strace >/dev/null; then
	printf 'GET /pkey-long-enough-5 HTTP/1.0\r\n\r\n' | REMOTE_ADDR=127.0.0.5 ASAN_OPTIONS=detect_leaks=0 \
	    strace -f -o "$T/many.strace" -e trace=%file,%stat "$SFTDYN" -q -e -c "$T/many.conf" >/dev/null 2>&1
	n=$(grep -cE 'many\.d/|"[0-9]{6}\.conf"' "$T/many.strace")
	[ "$n" -ge 1 ] && [ "$n" -le 3 ]
	ok $? "  one connection looks at $n of the directory's files (its client's)"
else
	skip 1 "needs strace"
fi
printf 'client "q" {\n\tkey = "qkey-long-enough"\n\thost = "q.dyn.test"\n}\n' >"$T/many.d/zz.conf"
mark
is "$(get /qkey-long-enough --interface 127.0.0.4)" "500 FAIL" \
    "a file added to 100,000, without -t: a parse too large for a connection: FAIL"
like "$(since_mark)" 'run sftdyn -t' "  the log says to run -t"
(ulimit -n 1024; "$SFTDYN" -t "$T/many.conf" >/dev/null)
is "$(get /qkey-long-enough --interface 127.0.0.4)" "200 OK" "  after -t: served"
stop_sftdyn

done_testing
