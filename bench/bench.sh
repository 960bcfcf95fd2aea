#!/bin/bash
# make bench: the cost of one connection, each figure beside a reference
# measured the same way in this one run.
#
# Identical copies of one static binary differ by up to ~10% per exec on
# a virtual machine (where their pages lie), and the machine's speed
# drifts by as much from one tenth of a second to the next, so every
# program runs from COPIES copies; each round runs every row once, in a
# random order, from a copy picked at random, each run of it followed by
# one of its reference (the static C one, or the libtls one for TLS
# rows; bench/runner.c alternates them).  A row's figure is the median of
# its rounds' medians, printed with their min..max; its ratio is the
# median of its rounds' ratios to the reference runs interleaved with
# it, so that drift cancels (a ratio to another row divides the two
# rows' ratios).
#   BENCH_ROUNDS  rounds (default 9)
#   BENCH_RUNS    handler runs per batch (default 100)
#   BENCH_UPDATES updates timed, each way (default 150)
#   BENCH_MAX_CLIENTS  the largest configuration (default 100000)
. "$(dirname "$0")/../t/lib.sh"

B=$TOP/build/bench
ROUNDS=${BENCH_ROUNDS:-9}
RUNS=${BENCH_RUNS:-100}
COPIES=3
MAX=${BENCH_MAX_CLIENTS:-100000}
export REMOTE_ADDR=127.0.0.1

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
# verdict VALUE LIMIT: "ok" when VALUE <= LIMIT, else "MISSED"
verdict() { awk -v v="$1" -v l="$2" 'BEGIN { print (v <= l ? "ok" : "MISSED") }'; }

# --- the programs, COPIES of each -------------------------------------

for k in $(seq $COPIES); do
	mkdir -p "$T/c$k"
	cp "$B/ref" "$B/ref-tls" "$TOP/sftdyn" "$TOP/sftdyn-tls" "$T/c$k/"
done

# --- configurations and their state ------------------------------------

make_certs || { echo "openssl failed"; exit 1; }
mkdir -p "$T/state"
# conf_with NAME N PER [EXTRA]: the configuration conf-NAME: N clients in
# clients-dir, PER to a file, and the client "three" with three names;
# its index compiled (by -t under the default limit of 1024 open files),
# -t's elapsed seconds, CPU seconds and peak RSS (KiB) in t-time-NAME.
# Client c1 holds key "key-1-of-the-bench"; "dg" holds its key as a
# digest only; "home" and "home2" are routers with 10 LAN hosts each;
# "two" and "home2" are for the update rows.  nsupdate is a stub that
# reads its input and succeeds (the update rows run it; the others only
# prime the state with it).
DIGEST=$(printf '%s' key-digest-of-the-bench | sha256sum | cut -c1-64)
# lan_hosts PREFIX: 10 lan-host lines, PREFIX1 to PREFIX10
lan_hosts() { for i in $(seq 10); do printf '\tlan-host "%s%d.dyn.test" { suffix = "::%d" }\n' "$1" "$i" "$i"; done; }
conf_with() {
	local f=$T/conf-$1 n=$2 per=$3 dir=$T/clients-$2-$3.d
	cat >"$f" <<-EOF
	statedir = "state"
	nsupdate = "$B/nsupdate-stub"
	tls {
		cert = "pki/fullchain.pem"
		key = "pki/leaf.key"
	}
	clients-dir = "$dir"
	client "three" {
		key = "key-three-of-the-bench"
		host = { "t1.dyn.test", "t2.dyn.test", "t3.dyn.test" }
	}
	client "dg" {
		key-sha256 = "$DIGEST"
		host = "dg.dyn.test"
	}
	client "home" {
		key = "key-home-of-the-bench"
		host = "r.dyn.test"
	$(lan_hosts l)
	}
	client "two" {
		key = "key-two-of-the-bench"
		host = "u.dyn.test"
	}
	client "home2" {
		key = "key-home2-of-the-bench"
		host = "r2.dyn.test"
	$(lan_hosts m)
	}
	${4:-}
	EOF
	[ -d "$dir" ] || { mkdir "$dir" && perl -e 'my ($n, $per, $dir) = @ARGV;
	    for (my $f = 0; $f * $per < $n; $f++) {
		open(my $o, ">", sprintf("%s/%05d.conf", $dir, $f)) or die;
		my $last = $f * $per + $per;
		$last = $n if $n < $last;
		for my $i ($f * $per + 1 .. $last) {
			print $o "client \"c$i\" {\n\tkey = \"key-$i-of-the-bench\"\n",
			    "\thost = \"h$i.dyn.test\"\n}\n" } }' "$n" "$per" "$dir"; } ||
	    exit 1
	(ulimit -n 1024 && /usr/bin/time -f '%e %U %S %M' -o "$T/t-time-$1" \
	    "$TOP/sftdyn" -t "$f" >/dev/null) || exit 1
}
# prime CONF KEY [CURL-LIKE ARGS]: one update, so that the state vouches
prime() {
	"$B/runner" -n 1 -p "/$2" -- "$TOP/sftdyn" -q -e "$T/$1" | grep -q ' 200 ' ||
	    { echo "priming $1 $2 failed"; exit 1; }
}
# a thousand clients to a file; and the largest again in a file each,
# as a provider keeps one file per customer
echo "compiling configurations with 1, 1000, 10000 and $MAX clients," \
    "and $MAX in a file each"
for n in 1 1000 10000 "$MAX"; do
	conf_with "$n" "$n" 1000
done
conf_with files "$MAX" 1
prime conf-1 key-1-of-the-bench
prime conf-1 key-three-of-the-bench
prime conf-1 key-digest-of-the-bench
conf_with nolimit 1 1000 'max-changes = 0'
conf_with seccomp 1 1000 'seccomp = true'
conf_with noindex 1 1000
rm "$T/conf-noindex.cdb"
# a TXT value listed in h1's TXT state: presenting it again runs nothing
ACME_VALUE=$(printf '%043d' 1 | tr 0-9 A-J)
PRESENT="{\"fqdn\":\"_acme-challenge.h1.dyn.test.\",\"value\":\"$ACME_VALUE\"}"
BASIC="Authorization: Basic $(printf 'c1:key-1-of-the-bench' | base64)"
HOME_AUTH="Authorization: Basic $(printf 'home:key-home-of-the-bench' | base64)"
LANQ="/nic/update?myip=192.0.2.1,2001:db8::1&ip6lanprefix=2001:db8:100::/56"
# the update rows: each run sets what the run before did not
TWO_AUTH="Authorization: Basic $(printf 'two:key-two-of-the-bench' | base64)"
HOME2_AUTH="Authorization: Basic $(printf 'home2:key-home2-of-the-bench' | base64)"
UPDQ="/nic/update?myip=192.0.2.1,2001:db8::1"
UPDQ2="/nic/update?myip=192.0.2.2,2001:db8::2"
LANUQ="$UPDQ&ip6lanprefix=2001:db8:100::/56"
LANUQ2="$UPDQ2&ip6lanprefix=2001:db8:200::/56"
"$B/runner" -n 1 -H "$HOME_AUTH" -p "$LANQ" -- "$TOP/sftdyn" "$T/conf-1" |
    grep -q 'HTTP/1.1 200' || { echo "priming the LAN hosts failed"; exit 1; }
WRONG="Authorization: Basic $(printf 'c1:wrong-key' | base64)"
"$B/runner" -n 1 -H "$BASIC" -d "$PRESENT" -p /present -- "$TOP/sftdyn" \
    "$T/conf-1" | grep -q 'HTTP/1.1 200' || { echo "priming the TXT state failed"; exit 1; }

# verify-dns: h1's record in a real named, and a configuration that asks it
start_named || { echo "named did not start"; exit 1; }
printf 'update add h1.%s 30 A 127.0.0.1\nsend\n' "$ZONE" |
    nsupdate -l -p "$NSPORT" -k "$T/named/session.key" ||
    { echo "nsupdate failed"; exit 1; }
sed -e 's/^statedir.*/statedir = "state-verify"\nverify-dns = true\nnsport = '"$NSPORT"'/' \
    "$T/conf-1" >"$T/conf-verify"
"$TOP/sftdyn" -t "$T/conf-verify" >/dev/null || exit 1
prime conf-verify key-1-of-the-bench
"$B/runner" -n 1 -p /key-1-of-the-bench -- "$TOP/sftdyn" "$T/conf-verify" |
    grep -q 'HTTP/1.1 200' || { echo "verify-dns did not confirm"; exit 1; }

# --- the rows ------------------------------------------------------------

# ROW NAME; LABEL; WHAT IT RAN; RUNNER ARGUMENTS (@ is the copy's
# directory); THE STATUS IT ANSWERS; THE ROW IT IS COMPARED WITH; TARGET
ROWS=()
row_def() { ROWS+=("$1"); LABEL[$1]=$2; RAN[$1]=$3; ARGS[$1]=$4; WANT[$1]=$5; VS[$1]=$6; TARGET[$1]=$7; }
declare -A LABEL RAN ARGS WANT VS TARGET CPUS WALLS RSS NORM
C1="1 client, index, Landlock"
row_def ref "reference: static C, read head, fixed 200" "bench/ref.c" \
    "-- @/ref" 200 "" -
row_def get "sftdyn GET /" "$C1" "-p / -- @/sftdyn $T/conf-1" 200 ref 1.2
row_def uptodate "sftdyn UPTODATE" "$C1, max-changes 20" \
    "-p /key-1-of-the-bench -- @/sftdyn $T/conf-1" 200 ref 1.2
row_def badkey "sftdyn BADKEY" "$C1" "-p /nope -- @/sftdyn $T/conf-1" 403 ref 1.2
row_def nolimit "sftdyn UPTODATE, no change limit" "$C1, max-changes 0" \
    "-p /key-1-of-the-bench -- @/sftdyn $T/conf-nolimit" 200 ref -
row_def digest "UPTODATE, key-sha256 (vs a plain key)" "$C1" \
    "-p /key-digest-of-the-bench -- @/sftdyn $T/conf-1" 200 uptodate 1.05
row_def names3 "UPTODATE, a client of 3 names (vs 1 name)" "$C1" \
    "-p /key-three-of-the-bench -- @/sftdyn $T/conf-1" 200 uptodate 1.3
row_def dyndns2 "dyndns2 nochg (vs UPTODATE)" "$C1" \
    "-H '$BASIC' -p /nic/update?hostname=h1.dyn.test -- @/sftdyn $T/conf-1" \
    200 uptodate 1.1
row_def lan "dyndns2 nochg, router + 10 LAN hosts (vs 1)" "$C1, ip6lanprefix" \
    "-H '$HOME_AUTH' -p '$LANQ' -- @/sftdyn $T/conf-1" 200 dyndns2 -
row_def stub "nsupdate-stub alone (vs the reference)" "bench/nsupdate-stub.c" \
    "-- $B/nsupdate-stub" 200 ref -
row_def upd2 "dyndns2 update, 2 families (vs the reference)" \
    "$C1, max-changes 0, nsupdate-stub" \
    "-H '$TWO_AUTH' -p '$UPDQ' -P '$UPDQ2' -x good -X dnserr -- @/sftdyn $T/conf-nolimit" \
    200 ref -
row_def lanupd "... router + 10 LAN hosts, all moved (vs 1)" \
    "$C1, max-changes 0, nsupdate-stub" \
    "-H '$HOME2_AUTH' -p '$LANUQ' -P '$LANUQ2' -x good -X dnserr -- @/sftdyn $T/conf-nolimit" \
    200 upd2 -
row_def present "ACME /present, value listed (vs UPTODATE)" "$C1" \
    "-H '$BASIC' -d '$PRESENT' -p /present -- @/sftdyn $T/conf-1" 200 uptodate 1.2
row_def verify "UPTODATE, verify-dns (vs UPTODATE)" "$C1, a named on loopback" \
    "-p /key-1-of-the-bench -- @/sftdyn $T/conf-verify" 200 uptodate 1.3
row_def seccomp "UPTODATE, seccomp = true (vs UPTODATE)" "$C1, seccomp" \
    "-p /key-1-of-the-bench -- @/sftdyn $T/conf-seccomp" 200 uptodate 1.15
row_def noindex "UPTODATE, no index (1 client parsed)" "1 client, parsed, Landlock" \
    "-p /key-1-of-the-bench -- @/sftdyn $T/conf-noindex" 200 ref -
for n in 1000 10000 "$MAX"; do
	row_def "upt$n" "UPTODATE, $n clients (vs 1 client)" "index, Landlock" \
	    "-p /key-1-of-the-bench -- @/sftdyn $T/conf-$n" 200 uptodate 1.1
	row_def "bad$n" "BADKEY, $n clients (vs UPTODATE, 1)" "index, Landlock" \
	    "-p /nope -- @/sftdyn $T/conf-$n" 403 uptodate 1.1
	row_def "auth$n" "dyndns2 badauth, $n clients (vs UPTODATE, 1)" "index, Landlock" \
	    "-H '$WRONG' -p /nic/update -- @/sftdyn $T/conf-$n" 401 uptodate 1.1
done
row_def uptfiles "UPTODATE, $MAX clients in $MAX files (vs 1)" \
    "index, Landlock, a file each" "-p /key-1-of-the-bench -- @/sftdyn $T/conf-files" \
    200 uptodate 1.1
row_def badfiles "BADKEY, $MAX clients in $MAX files (vs 1)" \
    "index, Landlock, a file each" "-p /nope -- @/sftdyn $T/conf-files" \
    403 badkey 1.1
row_def reftls "reference: libtls server, fixed 200" "bench/ref-tls.c, ECDSA P-256" \
    "-t $T/pki/ca.pem -- @/ref-tls $T/pki/fullchain.pem $T/pki/leaf.key" 200 "" -
row_def tlsdirect "sftdyn-tls --tls UPTODATE (vs libtls server)" "$C1, full handshake" \
    "-t $T/pki/ca.pem -p /key-1-of-the-bench -- @/sftdyn-tls --tls $T/conf-1" 200 reftls 1.1
row_def tls "sftdyn --tls (runs sftdyn-tls) UPTODATE" "$C1, full handshake" \
    "-t $T/pki/ca.pem -p /key-1-of-the-bench -- @/sftdyn --tls $T/conf-1" 200 reftls -

# measure ROW: one batch of ROW's runs, each followed by one of its
# reference's, each from a copy picked at random
measure() {
	local row=$1 base=ref runner=$B/runner args out
	case "${ARGS[$row]}" in -t*) runner=$B/runner-tls base=reftls ;; esac
	args="${ARGS[$row]//@/$T/c$((RANDOM % COPIES + 1))} --"
	args+=" ${ARGS[$base]#*-- }"
	out=$(eval "\"$runner\" -n $RUNS ${args//@/$T/c$((RANDOM % COPIES + 1))}") ||
	    { echo "$row failed"; exit 1; }
	set -- $out
	[ "$6" = "${WANT[$row]}" ] || { echo "$row answered: ${*:5}"; exit 1; }
	CPUS[$row]+="$1 "
	RSS[$row]+="$3 "
	WALLS[$row]+="$4 "
	NORM[$row]+="$(awk -v a="$1" -v b="${@: -4:1}" \
	    'BEGIN { printf "%.4f", a / b }') "
	shift $(($# - 4))
	CPUS[$base]+="$1 "
	RSS[$base]+="$3 "
	WALLS[$base]+="$4 "
}
echo "measuring per-connection CPU: $ROUNDS rounds x $((${#ROWS[@]} - 2)) rows x $RUNS runs," \
    "each run followed by one of its reference, in random order, from $COPIES copies"
for r in $(seq "$ROUNDS"); do
	for row in $(printf '%s\n' "${ROWS[@]}" | grep -vx 'ref\|reftls' | shuf); do
		measure "$row"
	done
done

# stats ROW: "median min max" of its rounds' CPU medians
stats() { echo ${CPUS[$1]} | tr ' ' '\n' | sort -n |
    awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)], v[1], v[NR] }'; }
med() { stats "$1" | cut -d' ' -f1; }
medof() { echo ${2} | tr ' ' '\n' | median; }
# against ROW VS: ROW's ratio to VS, each as a ratio to its reference
against() { ratio "$(medof x "${NORM[$1]}")" "$(medof x "${NORM[$2]}")"; }

# --- -t, --status, throughput, update latency ---------------------------

echo "measuring sftdyn --status over 10000 state files"
mkdir -p "$T/state-status"
sed -e 's/^statedir.*/statedir = "state-status"/' "$T/conf-10000" >"$T/conf-status"
perl -e 'for (1 .. 10000) { open(my $f, ">", "$ARGV[0]/h$_.dyn.test.A") or die;
    print $f "127.0.0.1 0123456789abcdef\n" }' "$T/state-status"
/usr/bin/time -f '%e %U %S %M' -o "$T/status-time" "$TOP/sftdyn" --status \
    "$T/conf-status" >"$T/status.out" || { echo "--status failed"; exit 1; }
STATUS_LINES=$(($(wc -l <"$T/status.out") - 1))

# serve NAME COMMAND...: listen on a free port with --inetd, one process
# per connection, which finds its peer with getpeername().
serve() {
	local name=$1
	shift
	PORT=$(free_port)
	env -u REMOTE_ADDR systemd-socket-activate -a --inetd \
	    -l "127.0.0.1:$PORT" "$@" >>"$T/activate-$name.log" 2>&1 &
	PIDS="$PIDS $!"
	wait_port "$PORT"
}
echo "measuring throughput: 3 rounds x 2000 connections, 4 at a time"
serve ref "$B/ref"
REF_PORT=$PORT
serve sftdyn "$TOP/sftdyn" -q "$T/conf-1"
SD_PORT=$PORT
for r in 1 2 3; do
	"$B/load" -c 4 -n 2000 127.0.0.1 "$REF_PORT" / >>"$T/load.ref"
	"$B/load" -c 4 -n 2000 127.0.0.1 "$SD_PORT" /key-1-of-the-bench >>"$T/load.sftdyn"
done
declare -A RPS P50 P99
for w in ref sftdyn; do
	awk '$4 != 0 { exit 1 }' "$T/load.$w" || { echo "$w: failed requests"; cat "$T/load.$w"; exit 1; }
	RPS[$w]=$(awk '{ print $1 }' "$T/load.$w" | median)
	P50[$w]=$(awk '{ print $2 }' "$T/load.$w" | median)
	P99[$w]=$(awk '{ print $3 }' "$T/load.$w" | median)
done

UPDATES=${BENCH_UPDATES:-150}
echo "measuring update latency: sftdyn against bare nsupdate, $UPDATES each"
write_conf 'max-changes = 0'
sed -i '/^seccomp/d' "$T/conf"
"$TOP/sftdyn" -t "$T/conf" >/dev/null || exit 1
serve update "$TOP/sftdyn" -q "$T/conf"
# three rounds, each interleaving bare nsupdate and sftdyn request by
# request; the figures are the medians of the rounds' medians
for r in 1 2 3; do
perl -MTime::HiRes=time -MIO::Socket::IP -e '
	my ($port, $nsport, $key, $zone, $n) = @ARGV;
	my (@ns, @sd);
	for my $i (1 .. $n) {
		my $t = time;
		open(my $p, "|-", "nsupdate", "-l", "-p", $nsport, "-k", $key)
		    or die;
		printf $p "update delete b.%s A\nupdate add b.%s 30 A 10.0.0.%d\nsend\n",
		    $zone, $zone, $i % 2 + 1;
		close($p) or die "nsupdate failed";
		push @ns, (time - $t) * 1e3;
		$t = time;
		my $s = IO::Socket::IP->new(PeerHost => "127.0.0.1",
		    PeerPort => $port, LocalHost => "127.0.0." . ($i % 2 + 2))
		    or die;
		print $s "GET /secret-c-long-enough HTTP/1.1\r\n\r\n";
		local $/;
		my $ans = <$s>;
		$ans =~ /\nOK\n$/ or die "sftdyn: $ans";
		push @sd, (time - $t) * 1e3;
	}
	@ns = sort { $a <=> $b } @ns;
	@sd = sort { $a <=> $b } @sd;
	printf "%.2f %.2f\n", $ns[$n / 2], $sd[$n / 2];
' "$PORT" "$NSPORT" "$T/named/session.key" "$ZONE" "$((UPDATES / 3))" \
    >>"$T/update" || exit 1
done
NSUPD=$(awk '{ print $1 }' "$T/update" | median)
SDUPD=$(awk '{ print $2 }' "$T/update" | median)

# --- the tables ----------------------------------------------------------

# show ROW: its line of the per-connection table
show() {
	local row=$1 vs=${VS[$1]} m lo hi r tgt=${TARGET[$1]}
	read -r m lo hi <<<"$(stats "$row")"
	case "$vs" in
	"")	r="1.00" ;;
	ref|reftls) r=$(ratio "$(medof x "${NORM[$row]}")" 1) ;;
	*)	r=$(against "$row" "$vs") ;;
	esac
	printf '  %-46s %6s us  %6s..%-6s %5sx' "${LABEL[$row]}" "$m" "$lo" "$hi" "$r"
	if [ "$tgt" = - ]; then
		printf '   %-16s %-6s' "" ""
	else
		printf '   <= %-13s %-6s' "${tgt}x" "$(verdict "$r" "$tgt")"
	fi
	printf ' rss %5s KiB  %s\n' "$(medof x "${RSS[$row]}")" "${RAN[$row]}"
}
cat <<EOF

sftdyn $(sed -n 's/^VERSION[[:space:]]*=[[:space:]]*//p' "$TOP/Makefile") bench, $(nproc) cores, $(date -u +%Y-%m-%d)
per-connection CPU: user+sys of the handler process (wait4), median of
$ROUNDS rounds' medians of $RUNS runs (min..max of the rounds), each round
in a random order from one of $COPIES copies of each program, each batch
right after one of its reference; peak RSS is its maxrss.  A ratio is
the median of the rounds' ratios to that reference batch; one to another
row (named in the label) divides the two rows' ratios.  nsupdate never
runs in these rows.

per-connection CPU                                 median  min..max   ratio   target           ran
EOF
for row in ref get uptodate badkey nolimit; do show $row; done
printf '  %-46s %6s us  %15s %5sx   <= %-13s %-6s\n' "  the change limit on (vs off)" \
    "$(med uptodate)" "" "$(against uptodate nolimit)" 1.05x \
    "$(verdict "$(against uptodate nolimit)" 1.05)"
for row in digest names3 dyndns2 lan present verify; do show $row; done
for row in stub upd2 lanupd; do show $row; done
# the LAN update beyond its 11 nsupdate runs, against the plain update
# beyond its one (all as ratios to the reference)
lanbeyond=$(awk -v l="$(medof x "${NORM[lanupd]}")" -v u="$(medof x "${NORM[upd2]}")" \
    -v s="$(medof x "${NORM[stub]}")" 'BEGIN { printf "%.2f", (l - 11 * s) / (u - s) }')
printf '  %-46s %6s us  %15s %5sx   <= %-13s %-6s\n' "  beyond its 11 nsupdate runs (vs 1 run)" \
    "" "" "$lanbeyond" 1.3x "$(verdict "$lanbeyond" 1.3)"
vw=$(( $(medof x "${WALLS[verify]}") - $(medof x "${WALLS[uptodate]}") ))
printf '  %-46s %6s us  %15s %6s   <= %-13s %-6s\n' "  its wall time, p50, more than UPTODATE's" \
    "$vw" "" "" "+1000 us" "$(verdict "$vw" 1000)"
for row in seccomp noindex; do show $row; done
echo
echo "the client index at scale (clients-dir, 1000 clients a file)"
for n in 1000 10000 "$MAX"; do show "upt$n"; show "bad$n"; show "auth$n"; done
echo "the client index, one file per client (clients-dir of $MAX files)"
show uptfiles
show badfiles
echo
echo "TLS (runner-tls: its RSS counts libtls's pages too)"
for row in reftls tlsdirect tls; do show $row; done
printf '  %-46s %6s us  %15s %5sx\n' "  sftdyn-tls against plain UPTODATE" "$(med tlsdirect)" "" \
    "$(ratio "$(med tlsdirect)" "$(med uptodate)")"

echo
echo "sftdyn -t, compiling the client index, clients-dir, ulimit -n 1024"
echo "(elapsed, CPU, peak RSS; the stock libconfuse)"
for n in 1000 10000 "$MAX" files; do
	read -r el us sy kb <"$T/t-time-$n"
	label="$n clients, 1000 a file" limit=2
	[ "$n" = files ] && label="$MAX clients, a file each" limit=20
	printf '  %-44s %9s s   cpu %s s   rss %s MiB   %-20s %s\n' "$label" "$el" \
	    "$(awk -v u="$us" -v s="$sy" 'BEGIN { printf "%.2f", u + s }')" \
	    "$((kb / 1024))" "<= $limit s, 200 MiB" \
	    "$(awk -v e="$el" -v k="$kb" -v l="$limit" 'BEGIN { print (e <= l && k <= 204800 ? "ok" : "MISSED") }')"
done
read -r el us sy kb <"$T/status-time"
echo
echo "sftdyn --status over 10000 state files (10000 clients in clients-dir)"
printf '  %-44s %9s s   cpu %s s   rss %s MiB   %-20s %s\n' "$STATUS_LINES lines" "$el" \
    "$(awk -v u="$us" -v s="$sy" 'BEGIN { printf "%.2f", u + s }')" "$((kb / 1024))" \
    "<= 1 s" "$(verdict "$el" 1)"
echo
echo "throughput, one connection per request (systemd-socket-activate, 4 clients)"
printf '  %-44s %9s r/s   p50 %s ms, p99 %s ms\n' "reference" "${RPS[ref]}" \
    "${P50[ref]}" "${P99[ref]}"
printf '  %-44s %9s r/s   p50 %s ms, p99 %s ms   %sx   >= 0.8x reference %s\n' \
    "sftdyn UPTODATE" "${RPS[sftdyn]}" "${P50[sftdyn]}" "${P99[sftdyn]}" \
    "$(ratio "${RPS[sftdyn]}" "${RPS[ref]}")" \
    "$(awk -v a="${RPS[sftdyn]}" -v b="${RPS[ref]}" 'BEGIN { print (a >= 0.8 * b ? "ok" : "MISSED") }')"
echo
echo "update latency against named (median of 3 rounds of $((UPDATES / 3)), interleaved)"
printf '  %-44s %9s ms\n' "bare nsupdate -l" "$NSUPD"
printf '  %-44s %9s ms   %sx   <= nsupdate + 2 ms %s\n' "sftdyn update (HTTP request to OK)" \
    "$SDUPD" "$(ratio "$SDUPD" "$NSUPD")" \
    "$(awk -v a="$SDUPD" -v b="$NSUPD" 'BEGIN { print (a <= b + 2 ? "ok" : "MISSED") }')"
