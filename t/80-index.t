#!/bin/bash
# The client index that sftdyn -t compiles beside the configuration: used
# while it matches the configuration, never trusted once it is stale or
# damaged, and a removed or changed key is never granted from it.
. "$(dirname "$0")/lib.sh"

start_named
write_conf 'include("clients.conf")'
cat >"$T/clients.conf" <<'EOF2'
client "d" {
	key = "secret-d-long-enough"
	host = "d.dyn.test"
}
EOF2
is "$("$SFTDYN" -t "$T/conf")" "$T/conf: ok" "-t"
test -f "$T/conf.cdb"
ok $? "-t wrote the index beside the configuration"
is "$(stat -c %a "$T/conf.cdb")" "$(stat -c %a "$T/conf")" \
    "the index has the configuration's read bits"
grep -q 'secret-' "$T/conf.cdb"
ok $((! $?)) "the index holds no key"
start_sftdyn 127.0.0.1 -- -v
is "$(get /secret-a-long-enough --interface 127.0.0.2)" "403 BADKEY" "index: BADKEY"
is "$(get "/host=a.$ZONE,key=secret-a-long-enough" --interface 127.0.0.2)" "200 OK" "index: OK"
is "$(get /secret-d-long-enough --interface 127.0.0.2)" "200 OK" "index: a client from an included file"
is "$(rr d.$ZONE A)" "127.0.0.2" "DNS follows"
like "$(cat "$T/sftdyn.log")" 'clients from the index' "the index was used"

# A change without -t: the index is stale and ignored.
sed -i 's/secret-c-long-enough/secret-C-long-enough/' "$T/conf"
is "$(get /secret-c-long-enough --interface 127.0.0.3)" "403 BADKEY" "a changed key is not granted from a stale index"
is "$(get /secret-C-long-enough --interface 127.0.0.3)" "200 OK" "the new key works at once"
like "$(cat "$T/sftdyn.log")" 'client index .*conf.cdb is older than the configuration' \
    "the stale index is logged"
sed -i '/^client "d"/,/^}/d' "$T/clients.conf"
is "$(get /secret-d-long-enough --interface 127.0.0.3)" "403 BADKEY" "a client removed from an included file is gone"

# Same size, same mtime: the inode change time still tells.
"$SFTDYN" -t "$T/conf" >/dev/null
cp -p "$T/conf" "$T/conf.orig"
sed -i 's/secret-C-long-enough/secret-X-long-enough/' "$T/conf"
touch -r "$T/conf.orig" "$T/conf"
is "$(stat -c %s:%Y "$T/conf")" "$(stat -c %s:%Y "$T/conf.orig")" "size and mtime restored"
is "$(get /secret-C-long-enough --interface 127.0.0.4)" "403 BADKEY" "the old key is still refused"
is "$(get /secret-X-long-enough --interface 127.0.0.4)" "200 OK" "and the new one granted"

# Damage anywhere sends the connection to the parse, never to a wrong
# answer: a damaged record, table or header, a truncated or foreign file.
n=10
damaged() {	# damaged NAME: after damage, a valid key still works
	n=$((n + 1))
	mark
	is "$(get /secret-X-long-enough --interface 127.0.0.$n)" "200 OK" "$1: parsed instead"
	like "$(since_mark)" 'is damaged' "$1: logged"
	is "$(rr c.$ZONE A)" "127.0.0.$n" "$1: DNS follows"
}
"$SFTDYN" -t "$T/conf" >/dev/null
perl -pi -e 's/c\.dyn\.test/c.dyn.tesT/' "$T/conf.cdb"
damaged "a damaged record"
"$SFTDYN" -t "$T/conf" >/dev/null
perl -pi -e 's/sftdyn-index-[0-9]+/sftdyn-index-99/' "$T/conf.cdb"
damaged "a damaged header"
for cut in 1 8 24 25 40 2080 2081; do
	"$SFTDYN" -t "$T/conf" >/dev/null
	truncate -s "-$cut" "$T/conf.cdb"
	damaged "$cut bytes cut off the end"
done
# A lookup authenticates what it reads: the header, the hash table its
# key leads to, the records the probe reads.  Every table damaged (the
# trailer is 2080 bytes: magic, length, the header's MAC, 256 tables'
# MACs, its own MAC): a miss notices it as a hit does.
"$SFTDYN" -t "$T/conf" >/dev/null
perl "$TOP/t/lib/cdbtables.pl" "$T/conf.cdb" 2080
mark
is "$(get /secret-nope-long-enough --interface 127.0.0.3)" "403 BADKEY" \
    "an unknown key with damaged tables: BADKEY from the parse"
like "$(since_mark)" 'is damaged' "damaged hash tables: noticed at the miss"
n=$((n + 1))
is "$(get /secret-X-long-enough --interface 127.0.0.$n)" "200 OK" \
    "damaged hash tables: a valid key is still granted"
is "$(rr c.$ZONE A)" "127.0.0.$n" "damaged hash tables: DNS follows"
"$SFTDYN" -t "$T/conf" >/dev/null
printf '\377' | dd of="$T/conf.cdb" bs=1 seek=700 conv=notrunc 2>/dev/null
damaged "a damaged header (the tables' places)"
"$SFTDYN" -t "$T/conf" >/dev/null
truncate -s 100 "$T/conf.cdb"
damaged "a truncated index"
head -c 5000 /dev/urandom >"$T/conf.cdb"
damaged "random bytes"
like "$(cat "$T/sftdyn.log")" 'conf.cdb is damaged; run sftdyn -t' "logged"
# The parse that a damaged index calls for happens after the handler has
# confined itself: an include outside the configuration's directory must
# still be readable then.
mkdir -p "$T/etc" "$T/lib"
printf 'client "far" {\n\tkey = "secret-far-long-enough"\n\thost = "far.%s"\n}\n' $ZONE \
    >"$T/lib/far.conf"
sed -e "s,\"named/,\"$T/named/," -e "s,^statedir.*,statedir = \"$T/state\"," \
    -e '/^include/d' "$T/conf" >"$T/etc/conf"
echo "include(\"$T/lib/far.conf\")" >>"$T/etc/conf"
"$SFTDYN" -t "$T/etc/conf" >/dev/null
perl "$TOP/t/lib/cdbtables.pl" "$T/etc/conf.cdb" 2080
CONF=$T/etc/conf start_sftdyn 127.0.0.1
mark
is "$(get /secret-nope-long-enough --interface 127.0.0.3)" "403 BADKEY" \
    "a damaged index, an include in another directory: the confined parse reads it"
like "$(since_mark)" 'is damaged' "(the damage was noticed)"
is "$(get /secret-far-long-enough --interface 127.0.0.3)" "200 OK" \
    "and its client is served"
stop_sftdyn
start_sftdyn 127.0.0.1 -- -v

# A configuration broken after -t: the stale index does not paper over it.
"$SFTDYN" -t "$T/conf" >/dev/null
echo 'ttl = "x"' >>"$T/conf"
is "$(get /secret-X-long-enough --interface 127.0.0.8)" "500 FAIL" "a broken configuration: FAIL, index or not"
sed -i '$d' "$T/conf"

# An index belongs to the main file it was compiled from.  A copy of the
# configuration's directory (cp -a), edited: a key revoked, its own state
# directory; the copied index must not serve the original's clients.
mkdir -p "$T/orig"
sed -e "s,\"named/,\"$T/named/," -e '/^include/d' "$T/conf" >"$T/orig/conf"
"$SFTDYN" -t "$T/orig/conf" >/dev/null
cp -a "$T/orig" "$T/copy"
sed -i -e '/^client "c"/,/^}/d' "$T/copy/conf"
CONF=$T/copy/conf start_sftdyn 127.0.0.1 -- -v
mark
is "$(get /secret-X-long-enough --interface 127.0.0.40)" "403 BADKEY" \
    "a copy of the directory, the key revoked there: BADKEY"
like "$(since_mark)" "client index $T/copy/conf.cdb was compiled from another configuration file" \
    "the original's index is not used, and the log says why"
is "$(get "/host=a.$ZONE,key=secret-a-long-enough" --interface 127.0.0.40)" "200 OK" \
    "the copy's own client: OK"
settle a.$ZONE
test -f "$T/copy/state/a.$ZONE.A" && test ! -e "$T/orig/state"
ok $? "its state is the copy's, not the original's"
stop_sftdyn
# Another configuration's index beside this one: this one's keys work.
cp "$T/orig/conf.cdb" "$T/conf.cdb"
start_sftdyn 127.0.0.1 -- -v
mark
is "$(get /secret-d-long-enough --interface 127.0.0.41)" "403 BADKEY" "(d is gone from this one)"
"$SFTDYN" -t "$T/orig/conf" >/dev/null
cp "$T/orig/conf.cdb" "$T/conf.cdb"
is "$(get "/host=a.$ZONE,key=secret-a-long-enough" --interface 127.0.0.41)" "200 OK" \
    "a foreign index beside the configuration: its own keys work"
like "$(since_mark)" 'compiled from another configuration file' "logged"

# -t that cannot write the index still checks.
rm -f "$T/conf.cdb"
mkdir "$T/conf.cdb"
out=$("$SFTDYN" -t "$T/conf" 2>"$T/err"); st=$?
is "$st $out" "0 $T/conf: ok" "-t without a writable index: still ok"
like "$(cat "$T/err")" "warning: cannot write the client index" "and says why"
ls "$T"/conf.cdb.* >/dev/null 2>&1
ok $((! $?)) "no temporary file left behind"
rmdir "$T/conf.cdb"

# -t in the configuration's directory, with relative paths: connections,
# whose working directory is another, still use the index.
(cd "$T" && "$SFTDYN" -t conf >/dev/null)
mark
is "$(get /secret-X-long-enough --interface 127.0.0.30)" "200 OK" "after a relative -t: OK"
like "$(since_mark)" 'clients from the index' "the index was used"
! since_mark | grep -q 'older than the configuration'
ok $? "and not taken for stale"

# -t --nskeyfile: the flag is checked, never compiled into the index.
tsig-keygen other >"$T/other.key"
"$SFTDYN" -t --nskeyfile "$T/other.key" "$T/conf" >/dev/null
mark
is "$(get /secret-X-long-enough --interface 127.0.0.31)" "200 OK" \
    "the configuration's key file, not -t's --nskeyfile"
like "$(since_mark)" 'clients from the index' "from the index"

# Whoever may read the configuration may read the index.
chmod 755 "$T"
chmod 644 "$T/conf" "$T/clients.conf"
"$SFTDYN" -t "$T/conf" >/dev/null
is "$(stat -c %a "$T/conf.cdb")" 644 "a 0644 configuration: a 0644 index"
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	out=$(printf 'GET / HTTP/1.0\r\n\r\n' | REMOTE_ADDR=127.0.0.9 \
	    setpriv --reuid=65534 --regid=65534 --clear-groups \
	    "$SFTDYN" -e -v -c "$T/conf" 2>&1)
	like "$out" 'clients from the index' "the service user reads the index"
	! printf '%s' "$out" | grep -q 'Permission denied'
	ok $? "without Permission denied"
	chgrp nogroup "$T/conf"
	chmod 640 "$T/conf"
	"$SFTDYN" -t "$T/conf" >/dev/null
	is "$(stat -c '%a %G' "$T/conf.cdb")" "640 nogroup" \
	    "a 0640 configuration: the index has its group and mode"
	chmod 640 "$T/clients.conf"
	"$SFTDYN" -t "$T/conf" >/dev/null
	is "$(stat -c '%a %G' "$T/conf.cdb")" "600 nogroup" \
	    "an included file its group may not read: nor may it read the index"
	chmod 644 "$T/clients.conf"
else
	skip 4 "needs root and setpriv"
fi
# The index's digests can be tried against guesses, as a plain key can be
# read: it is no more readable than the strictest of the files.
chmod 600 "$T/clients.conf"
"$SFTDYN" -t "$T/conf" >/dev/null
like "$(stat -c %a "$T/conf.cdb")" '^600$' "an included file of mode 0600: a 0600 index"
chmod 644 "$T/clients.conf"
chmod 700 "$T"

# An edit after -t has read the files, while it writes the index (strace
# holds its rename back): -t must not say ok.
if command -v strace >/dev/null; then
	rm -f "$T/strace.out"
	# (LeakSanitizer cannot work under ptrace)
	ASAN_OPTIONS=detect_leaks=0 strace -f -o "$T/strace.out" \
	    -e trace=rename,renameat,renameat2 \
	    -e inject=rename,renameat,renameat2:delay_enter=1000000 \
	    "$SFTDYN" -t "$T/conf" >"$T/t.out" 2>&1 &
	tpid=$!
	wait_for 60 grep -q 'rename(' "$T/strace.out"
	ok $? "-t is writing the index"
	sed -i 's/secret-X-long-enough/secret-Z-long-enough/' "$T/conf"
	wait "$tpid"
	is "$? $(cat "$T/t.out")" "1 $T/conf: changed while sftdyn -t ran; run it again" \
	    "-t, overtaken by an edit: exit 1, and says so"
	is "$(get /secret-Z-long-enough --interface 127.0.0.32)" "200 OK" "the edit is in force"
	is "$(get /secret-X-long-enough --interface 127.0.0.32)" "403 BADKEY" \
	    "the index -t wrote is not taken for the new contents"
	"$SFTDYN" -t "$T/conf" >/dev/null
else
	skip 4 "needs strace"
fi

# An edit while -t parses: what -t records is what it read, so the old
# key never survives in a fresh index.
perl -e 'for $i (1..$ARGV[0]) { print "client \"n$i\" {\n key = \"nkey-long-enough-$i\"\n host = \"n$i.dyn.test\"\n}\n" }' \
    20000 >"$T/many.conf"
echo 'include("many.conf")' >>"$T/conf"
rm -f "$T/conf.cdb"
"$SFTDYN" -t "$T/conf" >"$T/t.out" 2>/dev/null &
tpid=$!
# wait until -t reads the include (the memory file libconfuse reads it
# from is named as the file), then edit the main file in place
wait_for 30 sh -c "ls -l /proc/$tpid/fd 2>/dev/null | grep -q many.conf"
ok $? "-t is parsing"
sed 's/secret-Z-long-enough/secret-Y-long-enough/' "$T/conf" >"$T/conf.new"
cat "$T/conf.new" >"$T/conf"
wait "$tpid"
is "$? $(tail -n 1 "$T/t.out")" "0 $T/conf: ok" "-t parsed again and succeeded"
is "$(get /secret-Z-long-enough --interface 127.0.0.33)" "403 BADKEY" "the old key is refused"
is "$(get /secret-Y-long-enough --interface 127.0.0.33)" "200 OK" "the new key is granted"
mark
is "$(get /nkey-long-enough-19999 --interface 127.0.0.33)" "200 OK" "a client of 20000, from the index"
like "$(since_mark)" 'clients from the index' "the index is fresh"

# A stale index on a configuration too large to parse per connection
# (20000 clients, over 512 KiB): refused at once, not parsed, and the log
# says what to do.
echo '# edited' >>"$T/conf"
mark
timed get /nkey-long-enough-1 --interface 127.0.0.34
is "$out" "500 FAIL" "stale index, large configuration: 500 FAIL"
took_between 0 5000 "answered within the parse budget"
like "$(since_mark)" 'over 512 KiB, more than a connection parses; run sftdyn -t' \
    "refused without parsing, and the log says to run -t"
is "$(get '/nic/update' -u nkey:nkey-long-enough-1 --interface 127.0.0.34)" "200 911" \
    "dyndns2 hears 911"
"$SFTDYN" -t "$T/conf" >/dev/null 2>&1	# (it warns: 20000 clients in a file)
is "$(get /nkey-long-enough-1 --interface 127.0.0.34)" "200 OK" "after -t: served from the index"

# No index at all, 150000 clients: the same, at once.
perl -e 'for $i (1..$ARGV[0]) { print "client \"m$i\" {\n key = \"mkey-long-enough-$i\"\n host = \"m$i.dyn.test\"\n}\n" }' \
    150000 >"$T/many.conf"
rm -f "$T/conf.cdb"
mark
timed get /nkey-long-enough-1 --interface 127.0.0.35
is "$out" "500 FAIL" "no index, 150000 clients: 500 FAIL"
took_between 0 5000 "answered within the parse budget"
like "$(since_mark)" 'over 512 KiB, more than a connection parses' \
    "refused without parsing"

done_testing
