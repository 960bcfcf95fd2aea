#!/bin/bash
# LAN hosts from the router's IPv6 prefix: a FRITZ!Box-style request
# (its User-Agent, Basic credentials, myip=<ipaddr>,<ip6addr> and
# ip6lanprefix=<ip6lanprefix>, unescaped as the box sends them) sets the
# router's A and AAAA and every LAN host's AAAA; a repeat is nochg; a new
# prefix moves them all; a /56 gives each subnet its own; a subnet that
# does not fit is dnserr for that host alone; a malformed prefix changes
# nothing; a LAN host's A record is never touched; --status lists them;
# -t checks the sections, and the index carries them.
. "$(dirname "$0")/lib.sh"

start_named
write_conf "client \"home\" {
	key = \"secret-home-long-enough\"
	host = \"router.home.$ZONE\"
	lan-host \"nas.home.$ZONE\" { suffix = \"::211:32ff:fe12:3456\" }
	# a device on the second subnet of a /56
	lan-host \"tv.home.$ZONE\" {
		suffix = \"::1:2\"
		subnet = 1
	}
}
client \"plain\" {
	key = \"secret-plain-long-enough\"
	host = \"plain.$ZONE\"
	allow-myip = false
	lan-host \"pc.plain.$ZONE\" { suffix = \"::9\" }
}"
is "$("$SFTDYN" -t "$T/conf")" "$T/conf: ok" "-t: lan-host sections"
like "$("$SFTDYN" -t -v "$T/conf" | grep 'lan-host' | tr '\n' '|')" \
    "^	lan-host \"nas\\.home\\.$ZONE\" \\{ suffix = \"::211:32ff:fe12:3456\" subnet = 0 \\}\\|	lan-host \"tv\\.home\\.$ZONE\" \\{ suffix = \"::1:2\" subnet = 1 \\}\\|" \
    "-t -v shows them"
start_sftdyn 127.0.0.1 -- -v
AAAA() { rr "$1.$ZONE" AAAA; }
# fritz QUERY: the box's request, as it sends it (no escaping)
fritz() {
	get "/nic/update?$1" -u "home:secret-home-long-enough" -A 'Fritz!Box DDNS/1.0.1'
}
Q="hostname=router.home.$ZONE&myip=192.0.2.7,2001:db8:1:2::1"

# --- a /56, subnets 0 and 1 --------------------------------------------
mark
is "$(fritz "$Q&ip6lanprefix=2001:db8:100::/56" | tr '\n' '|')" \
    "200 good 192.0.2.7,2001:db8:1:2::1|good 2001:db8:100:0:211:32ff:fe12:3456|good 2001:db8:100:1::1:2" \
    "the FRITZ!Box's request: the router, then each LAN host, a line each"
is "$(rr router.home.$ZONE A) $(AAAA router.home)" "192.0.2.7 2001:db8:1:2::1" \
    "the router's A and AAAA: <ipaddr>, <ip6addr> (the box checks its own name)"
is "$(AAAA nas.home)" "2001:db8:100:0:211:32ff:fe12:3456" "nas: subnet 0 of the /56"
is "$(AAAA tv.home)" "2001:db8:100:1::1:2" "tv: subnet 1"
is "$(since_mark | grep -c 'client=home name=')" 3 "one log line per name"
like "$(since_mark)" "name=tv\\.home\\.$ZONE addr=2001:db8:100:1::1:2 result=good" \
    "a LAN host's line logs its own address"
is "$(state tv.home.$ZONE AAAA)" "2001:db8:100:1::1:2" "each has its own state"
is "$(rr nas.home.$ZONE A)" "" "no A record for a LAN host"

# --- the repeat, and a new prefix -------------------------------------
s0=$(serial)
is "$(fritz "$Q&ip6lanprefix=2001:db8:100::/56" | tr '\n' '|')" \
    "200 nochg 192.0.2.7,2001:db8:1:2::1|nochg 2001:db8:100:0:211:32ff:fe12:3456|nochg 2001:db8:100:1::1:2" \
    "the same again: nochg for every name"
is "$(serial)" "$s0" "  DNS untouched"
printf 'update add nas.home.%s 30 A 192.0.2.99\nsend\n' $ZONE |
    nsupdate -l -p "$NSPORT" -k "$T/named/session.key"
is "$(fritz "$Q&ip6lanprefix=2001:db8:200::/56" | tr '\n' '|')" \
    "200 nochg 192.0.2.7,2001:db8:1:2::1|good 2001:db8:200:0:211:32ff:fe12:3456|good 2001:db8:200:1::1:2" \
    "the provider's new prefix: every LAN host moves"
is "$(AAAA nas.home) $(AAAA tv.home)" "2001:db8:200:0:211:32ff:fe12:3456 2001:db8:200:1::1:2" \
    "  DNS follows"
is "$(rr nas.home.$ZONE A)" "192.0.2.99" "  and an A record set by hand at a LAN name stays"

# --- a /64: subnet 1 does not fit -------------------------------------
mark
is "$(fritz "$Q&ip6lanprefix=2001:db8:1:2::/64" | tr '\n' '|')" \
    "200 nochg 192.0.2.7,2001:db8:1:2::1|good 2001:db8:1:2:211:32ff:fe12:3456|dnserr" \
    "a /64: nas moves; tv's subnet 1 does not fit: dnserr for it alone"
is "$(AAAA tv.home)" "2001:db8:200:1::1:2" "  tv is left as it was"
like "$(since_mark)" "lan-host tv\\.home\\.$ZONE: subnet 1 does not fit the prefix 2001:db8:1:2::/64" \
    "  logged"

# --- a LAN host by name, and without a prefix --------------------------
is "$(fritz "hostname=tv.home.$ZONE,router.home.$ZONE&myip=192.0.2.7,2001:db8:1:2::1&ip6lanprefix=2001:db8:300::/56" | tr '\n' '|')" \
    "200 good 2001:db8:300:1::1:2|nochg 192.0.2.7,2001:db8:1:2::1|good 2001:db8:300:0:211:32ff:fe12:3456" \
    "hostname lists tv first: updated in its place, and not again after"
is "$(fritz "hostname=tv.home.$ZONE&myip=192.0.2.7" | tr '\n' '|')" "200 dnserr" \
    "a LAN host asked for without ip6lanprefix: dnserr"
is "$(fritz "myip=192.0.2.8&ip6lanprefix=" | tr '\n' '|')" "200 good 192.0.2.8" \
    "an empty ip6lanprefix (a box without IPv6) is none: the router alone"

# --- malformed prefixes: nothing changes --------------------------------
s0=$(serial)
for p in 2001:db8:1:2:: 2001:db8::/47 2001:db8::/65 2001:db8::/ 192.0.2.0/24 \
    'fe80::1%25eth0/64' '<ip6lanprefix>' 2001:db8::/64x ::ffff:192.0.2.0/120; do
	is "$(fritz "$Q&ip6lanprefix=$p")" "200 dnserr" "ip6lanprefix=$p: dnserr"
done
is "$(serial)" "$s0" "the zone's serial is unchanged"
is "$(get "/nic/update?myip=192.0.2.5&ip6lanprefix=nonsense" -u plain:secret-plain-long-enough)" \
    "200 good 127.0.0.1" \
    "allow-myip = false: ip6lanprefix is ignored, as myip is"

# --- --status lists each LAN host (AAAA) --------------------------------
settle tv.home.$ZONE
"$SFTDYN" --status --json "$T/conf" >"$T/status.json"
is "$(jq -r '.entries[] | select(.client == "home") | "\(.name) \(.type) \(.state)"' "$T/status.json" | tr '\n' '|')" \
    "router.home.$ZONE A vouches|router.home.$ZONE AAAA vouches|router.home.$ZONE TXT none|nas.home.$ZONE AAAA vouches|tv.home.$ZONE AAAA vouches|" \
    "--status --json: the router's names, then each LAN host's AAAA"
is "$(jq -r '.entries[] | select(.name == "tv.home.'$ZONE'") | .value' "$T/status.json")" \
    "2001:db8:300:1::1:2" "  with its address"

# --- the index carries them ---------------------------------------------
"$SFTDYN" -t "$T/conf" >/dev/null
mark
is "$(fritz "$Q&ip6lanprefix=2001:db8:400::/56" | tr '\n' '|')" \
    "200 good 192.0.2.7,2001:db8:1:2::1|good 2001:db8:400:0:211:32ff:fe12:3456|good 2001:db8:400:1::1:2" \
    "from the index: the same lines"
like "$(since_mark)" 'clients from the index' "  (the index was used)"

# --- -t: the rules, FILE:LINE -------------------------------------------
bad() {		# bad NAME SECTION WANT
	printf 'client "x" {\n\tkey = "key-x-long-enough"\n\thost = "x.ex"\n%s\n}\n' "$2" >"$T/bad.conf"
	out=$("$SFTDYN" -t "$T/bad.conf" 2>&1)
	like "$? $out" "^1 $3" "-t: $1"
}
bad "a name that is none" '	lan-host "a..b" { suffix = "::1" }' "$T/bad.conf:4: lan-host \"a\\.\\.b\" is not a valid DNS name"
bad "a wildcard" '	lan-host "*.x.ex" { suffix = "::1" }' "$T/bad.conf:4: lan-host \"\\*\\.x\\.ex\" is not a valid DNS name"
bad "no suffix" '	lan-host "a.ex" { subnet = 1 }' "$T/bad.conf:4: lan-host \"a\\.ex\" has no suffix"
bad "a suffix with prefix bits" '	lan-host "a.ex" { suffix = "2001:db8::1" }' "$T/bad.conf:4: suffix \"2001:db8::1\" has bits in its upper 64"
bad "a suffix of zeros" '	lan-host "a.ex" { suffix = "::" }' "$T/bad.conf:4: suffix \"::\" has no interface identifier"
bad "an IPv4 suffix" '	lan-host "a.ex" { suffix = "0.0.0.1" }' "$T/bad.conf:4: suffix \"0\\.0\\.0\\.1\" is not an IPv6 address"
bad "subnet 65536" '	lan-host "a.ex" {
		suffix = "::1"
		subnet = 65536
	}' "$T/bad.conf:6: subnet must be between 0 and 65535"
bad "its own host again" '	lan-host "X.ex." { suffix = "::1" }' "$T/bad.conf:4: client \"x\" names \"X\\.ex\\.\" twice"
bad "21 names" "$(for i in $(seq 20); do printf '\tlan-host "l%d.ex" { suffix = "::1" }\n' "$i"; done)" \
    "$T/bad.conf:24: client \"x\" has 21 names and lan-hosts, more than 20"
printf 'client "x" {\n\tkey = "key-x-long-enough"\n\thost = "x.ex"\n}\nclient "y" {\n\tkey = "key-y-long-enough"\n\thost = "y.ex"\n\tlan-host "x.ex" { suffix = "::1" }\n}\n' >"$T/bad.conf"
like "$("$SFTDYN" -t "$T/bad.conf" 2>&1)" "^$T/bad.conf:8: client \"y\" has the same host \"x\\.ex\" as client \"x\" \\($T/bad.conf:3\\)" \
    "-t: a LAN name another client has"
printf 'client "w" {\n\tkey = "key-w-long-enough"\n\thost = "*.w.ex"\n}\nclient "y" {\n\tkey = "key-y-long-enough"\n\thost = "y.ex"\n\tlan-host "d.w.ex" { suffix = "::1" }\n}\n' >"$T/bad.conf"
like "$("$SFTDYN" -t "$T/bad.conf" 2>&1)" "^$T/bad.conf:8: client \"y\" has \"d\\.w\\.ex\", in the subtree of client \"w\"'s" \
    "-t: a LAN name below another's wildcard"

done_testing
