#!/bin/bash
# The client index that sftdyn -t compiles beside the configuration: used
# while it matches the configuration, never trusted once it is stale or
# damaged, and a removed or changed key is never granted from it.
. "$(dirname "$0")/lib.sh"

start_named
write_conf 'include("clients.conf")'
cat >"$T/clients.conf" <<'EOF2'
client "d" {
	key = "secret-d"
	host = "d.dyn.test"
}
EOF2
is "$("$SFTDYN" -t "$T/conf")" "$T/conf: ok" "-t"
test -f "$T/conf.cdb"
ok $? "-t wrote the index beside the configuration"
is "$(stat -c %a "$T/conf.cdb")" 640 "the index is not world-readable"
grep -q 'secret-' "$T/conf.cdb"
ok $((! $?)) "the index holds no key"
start_sftdyn 127.0.0.1 -- -v
is "$(get /secret-a --interface 127.0.0.2)" "403 BADKEY" "index: BADKEY"
is "$(get "/host=a.$ZONE,key=secret-a" --interface 127.0.0.2)" "200 OK" "index: OK"
is "$(get /secret-d --interface 127.0.0.2)" "200 OK" "index: a client from an included file"
is "$(rr d.$ZONE A)" "127.0.0.2" "DNS follows"
like "$(cat "$T/sftdyn.log")" 'clients from the index' "the index was used"

# A change without -t: the index is stale and ignored.
sed -i 's/secret-c/secret-C/' "$T/conf"
is "$(get /secret-c --interface 127.0.0.3)" "403 BADKEY" "a changed key is not granted from a stale index"
is "$(get /secret-C --interface 127.0.0.3)" "200 OK" "the new key works at once"
like "$(cat "$T/sftdyn.log")" 'client index .*conf.cdb is older than the configuration' \
    "the stale index is logged"
sed -i '/^client "d"/,/^}/d' "$T/clients.conf"
is "$(get /secret-d --interface 127.0.0.3)" "403 BADKEY" "a client removed from an included file is gone"

# Same size, same mtime: the inode change time still tells.
"$SFTDYN" -t "$T/conf" >/dev/null
cp -p "$T/conf" "$T/conf.orig"
sed -i 's/secret-C/secret-X/' "$T/conf"
touch -r "$T/conf.orig" "$T/conf"
is "$(stat -c %s:%Y "$T/conf")" "$(stat -c %s:%Y "$T/conf.orig")" "size and mtime restored"
is "$(get /secret-C --interface 127.0.0.4)" "403 BADKEY" "the old key is still refused"
is "$(get /secret-X --interface 127.0.0.4)" "200 OK" "and the new one granted"

# A damaged record: not granted, logged.
"$SFTDYN" -t "$T/conf" >/dev/null
perl -pi -e 's/c\.dyn\.test/c.dyn.tesT/' "$T/conf.cdb"
is "$(get /secret-X --interface 127.0.0.5)" "403 BADKEY" "a damaged record grants nothing"
like "$(cat "$T/sftdyn.log")" 'damaged: a record failed its check' "the damage is logged"
is "$(rr c.$ZONE A)" "127.0.0.4" "DNS unchanged"
# A damaged header, a truncated or a foreign file: the configuration is parsed.
"$SFTDYN" -t "$T/conf" >/dev/null
perl -pi -e 's/sftdyn-index-1/sftdyn-index-9/' "$T/conf.cdb"
is "$(get /secret-X --interface 127.0.0.5)" "200 OK" "a damaged header: parsed instead"
"$SFTDYN" -t "$T/conf" >/dev/null
truncate -s 100 "$T/conf.cdb"
is "$(get /secret-X --interface 127.0.0.6)" "200 OK" "a truncated index: parsed instead"
head -c 5000 /dev/urandom >"$T/conf.cdb"
is "$(get /secret-X --interface 127.0.0.7)" "200 OK" "random bytes: parsed instead"
like "$(cat "$T/sftdyn.log")" 'conf.cdb is damaged; run sftdyn -t' "logged"
# A configuration broken after -t: the stale index does not paper over it.
"$SFTDYN" -t "$T/conf" >/dev/null
echo 'ttl = "x"' >>"$T/conf"
is "$(get /secret-X --interface 127.0.0.8)" "500 FAIL" "a broken configuration: FAIL, index or not"
sed -i '$d' "$T/conf"

# -t that cannot write the index still checks.
rm -f "$T/conf.cdb"
mkdir "$T/conf.cdb"
out=$("$SFTDYN" -t "$T/conf" 2>"$T/err"); st=$?
is "$st $out" "0 $T/conf: ok" "-t without a writable index: still ok"
like "$(cat "$T/err")" "warning: cannot write the client index" "and says why"
ls "$T"/conf.cdb.* >/dev/null 2>&1
ok $((! $?)) "no temporary file left behind"

done_testing
