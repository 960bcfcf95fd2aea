#!/bin/bash
# make bench: the cost of one connection, side by side with the floor of a
# process-per-connection design, all measured in this one run.
#   BENCH_ROUNDS  rounds of interleaved batches (default 7)
#   BENCH_RUNS    handler runs per batch (default 200)
#   BENCH_UPDATES updates timed, each way (default 200)
#   BENCH_MAX_CLIENTS  the largest configuration (default 100000)
. "$(dirname "$0")/../t/lib.sh"

B=$TOP/build/bench
ROUNDS=${BENCH_ROUNDS:-7}
RUNS=${BENCH_RUNS:-200}
SD=$TOP/sftdyn
export REMOTE_ADDR=127.0.0.1
declare -A CPU RSS WALL RPS P50 P99

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# verdict VALUE LIMIT: "ok" when VALUE <= LIMIT, else "MISSED"
verdict() { awk -v v="$1" -v l="$2" 'BEGIN { print (v <= l ? "ok" : "MISSED") }'; }

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

# --- fixtures: configurations, state, certificates ---------------------

make_certs || { echo "openssl failed"; exit 1; }
mkdir -p "$T/state"
# conf_with N: a configuration with N clients in clients-dir, a hundred
# to a file as the README recommends, its index compiled; the client "c1"
# holds key "key-1-bench".
conf_with() {
	local n=$1 f=$T/conf-$1
	cat >"$f" <<-EOF
	statedir = "state"
	nsupdate = "$B/nsupdate-stub"
	tls {
		cert = "pki/fullchain.pem"
		key = "pki/leaf.key"
	}
	clients-dir = "clients-$n.d"
	EOF
	mkdir -p "$T/clients-$n.d"
	perl -e 'my ($n, $dir) = @ARGV;
		for (my $f = 0; $f * 100 < $n; $f++) {
			open(my $o, ">", sprintf("%s/%05d.conf", $dir, $f)) or die;
			for my $i ($f * 100 + 1 .. ($n < $f * 100 + 100 ? $n : $f * 100 + 100)) {
				print $o "client \"c$i\" {\n\tkey = \"key-$i-bench\"\n",
				    "\thost = \"h$i.dyn.test\"\n}\n" } }' "$n" "$T/clients-$n.d"
	# -t's elapsed seconds, CPU seconds and peak RSS (KiB)
	/usr/bin/time -f '%e %U %S %M' -o "$T/t-time-$n" "$SD" -t "$f" \
	    >/dev/null || exit 1
}
echo "compiling configurations with 1, 1000, 10000 and 100000 clients"
for n in 1 1000 10000 ${BENCH_MAX_CLIENTS:-100000}; do
	conf_with "$n"
done
sed 's/clients-1\.d/clients-noindex.d/' "$T/conf-1" >"$T/conf-noindex"
cp -r "$T/clients-1.d" "$T/clients-noindex.d"
# one update (nsupdate is true) records the state that makes h1 UPTODATE
printf 'GET /key-1-bench HTTP/1.0\r\n\r\n' |
    REMOTE_ADDR=127.0.0.1 "$SD" -q -e -c "$T/conf-1" | grep -q '^OK$' ||
    { echo "priming the state failed"; exit 1; }

# --- per-connection CPU and peak RSS --------------------------------

# verify-dns: h1's record in a real named, and a configuration that asks it
start_named || { echo "named did not start"; exit 1; }
printf 'update add h1.%s 30 A 127.0.0.1\nsend\n' "$ZONE" |
    nsupdate -l -p "$NSPORT" -k "$T/named/session.key" ||
    { echo "nsupdate failed"; exit 1; }
sed -e 's/^statedir.*/statedir = "state-verify"\nverify-dns = true\nnsport = '"$NSPORT"'/' \
    "$T/conf-1" >"$T/conf-verify"
"$SD" -t "$T/conf-verify" >/dev/null || exit 1
printf 'GET /key-1-bench HTTP/1.0\r\n\r\n' |
    REMOTE_ADDR=127.0.0.1 "$SD" -q -e -c "$T/conf-verify" | grep -q '^OK$' ||
    { echo "priming the verify-dns state failed"; exit 1; }
printf 'GET /key-1-bench HTTP/1.0\r\n\r\n' |
    REMOTE_ADDR=127.0.0.1 "$SD" -q -e -c "$T/conf-verify" |
    grep -q '^UPTODATE$' || { echo "verify-dns did not confirm"; exit 1; }

# a TXT value listed in h1's TXT state: presenting it again runs nothing
ACME_VALUE=$(printf '%043d' 1 | tr 0-9 A-J)
PRESENT="{\"fqdn\":\"_acme-challenge.h1.dyn.test.\",\"value\":\"$ACME_VALUE\"}"
BASIC="Authorization: Basic $(printf 'c1:key-1-bench' | base64)"
"$B/runner" -n 1 -H "$BASIC" -d "$PRESENT" -p /present -- "$SD" "$T/conf-1" |
    grep -q 'HTTP/1.1 200' || { echo "priming the TXT state failed"; exit 1; }

ROWS=(ref get uptodate verify dyndns2 present badkey noindex reftls tlsdirect
	tls s1 s1000 s10000 s100000)
declare -A CMD=(
	[ref]="$B/ref"
	[get]="-p / -- $SD $T/conf-1"
	[uptodate]="-p /key-1-bench -- $SD $T/conf-1"
	[verify]="-p /key-1-bench -- $SD $T/conf-verify"
	[dyndns2]="-p /nic/update?hostname=h1.dyn.test -- $SD $T/conf-1"
	[present]="-p /present -- $SD $T/conf-1"
	[badkey]="-p /nope -- $SD $T/conf-1"
	[noindex]="-p /key-1-bench -- $SD $T/conf-noindex"
	[reftls]="-t $T/pki/ca.pem -- $B/ref-tls $T/pki/fullchain.pem $T/pki/leaf.key"
	[tlsdirect]="-t $T/pki/ca.pem -p /key-1-bench -- $SD-tls --tls $T/conf-1"
	[tls]="-t $T/pki/ca.pem -p /key-1-bench -- $SD --tls $T/conf-1"
	[s1]="-p /key-1-bench -- $SD $T/conf-1"
	[s1000]="-p /key-1-bench -- $SD $T/conf-1000"
	[s10000]="-p /key-1-bench -- $SD $T/conf-10000"
	[s100000]="-p /key-1-bench -- $SD $T/conf-100000"
)
declare -A WANT=([ref]=200 [get]=200 [uptodate]=200 [verify]=200
	[dyndns2]=200 [present]=200 [badkey]=403
	[noindex]=200 [reftls]=200 [tlsdirect]=200 [tls]=200 [s1]=200 [s1000]=200
	[s10000]=200 [s100000]=200)
echo "measuring per-connection CPU: $ROUNDS rounds x $RUNS runs of each"
for r in $(seq "$ROUNDS"); do
	for row in "${ROWS[@]}"; do
		hdr=()
		[ "$row" = dyndns2 ] && hdr=(-H "$BASIC")
		[ "$row" = present ] && hdr=(-H "$BASIC" -d "$PRESENT")
		runner=$B/runner
		case "${CMD[$row]}" in -t*) runner=$B/runner-tls ;; esac
		# shellcheck disable=SC2086
		out=$("$runner" -n "$RUNS" "${hdr[@]}" ${CMD[$row]}) || exit 1
		set -- $out
		case "$5 $6" in
		"HTTP/1.1 ${WANT[$row]}") ;;
		*) echo "$row answered: ${*:5}"; exit 1 ;;
		esac
		echo "$1" >>"$T/cpu.$row"
		echo "$3" >>"$T/rss.$row"
		echo "$4" >>"$T/wall.$row"
	done
done
for row in "${ROWS[@]}"; do
	CPU[$row]=$(median <"$T/cpu.$row")
	RSS[$row]=$(median <"$T/rss.$row")
	WALL[$row]=$(median <"$T/wall.$row")
done

# --- throughput and latency under systemd-socket-activate -----------

# serve NAME COMMAND...: listen on a free port with --inetd, one process
# per connection, which finds its peer with getpeername().
serve() {
	local name=$1
	shift
	PORT=$(free_port)
	env -u REMOTE_ADDR systemd-socket-activate -a --inetd \
	    -l "127.0.0.1:$PORT" "$@" >>"$T/activate-$name.log" 2>&1 &
	SERVER_PID=$!
	PIDS="$PIDS $SERVER_PID"
	wait_for 10 perl -MIO::Socket::IP -e \
	    'IO::Socket::IP->new(PeerHost => "127.0.0.1", PeerPort => $ARGV[0])
	     or exit 1' "$PORT"
}
echo "measuring throughput: 3 rounds x 2000 connections, 4 at a time"
serve ref "$B/ref"
REF_PORT=$PORT
serve sftdyn "$SD" "$T/conf-1"
SD_PORT=$PORT
for r in 1 2 3; do
	"$B/load" -c 4 -n 2000 127.0.0.1 "$REF_PORT" / >>"$T/load.ref"
	"$B/load" -c 4 -n 2000 127.0.0.1 "$SD_PORT" /key-1-bench >>"$T/load.sftdyn"
done
for w in ref sftdyn; do
	if awk '$4 != 0 { exit 1 }' "$T/load.$w"; then :; else
		echo "$w: failed requests"; cat "$T/load.$w"; exit 1
	fi
	RPS[$w]=$(awk '{ print $1 }' "$T/load.$w" | median)
	P50[$w]=$(awk '{ print $2 }' "$T/load.$w" | median)
	P99[$w]=$(awk '{ print $3 }' "$T/load.$w" | median)
done

# --- update latency against a real named ----------------------------

UPDATES=${BENCH_UPDATES:-200}
echo "measuring update latency: sftdyn against bare nsupdate, $UPDATES each"
write_conf
"$SD" -t "$T/conf" >/dev/null || exit 1
serve update "$SD" "$T/conf"
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
		print $s "GET /secret-c HTTP/1.1\r\n\r\n";
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

# --- the table --------------------------------------------------------

row() {	# row LABEL VALUE REF UNIT TARGET_RATIO|- [RSS]
	local r
	r=$(ratio "$2" "$3")
	if [ "$5" = - ]; then
		printf '  %-44s %9s %-3s %6s   %-28s %s\n' "$1" "$2" "$4" "$r" "" "${6:-}"
	else
		printf '  %-44s %9s %-3s %6s   %-20s %-7s %s\n' "$1" "$2" "$4" "$r" \
		    "<= ${5}x reference" "$(verdict "$r" "$5")" "${6:-}"
	fi
}
rss() { printf 'rss %s KiB %s' "${RSS[$1]}" "$(verdict "${RSS[$1]}" 2048)"; }

cat <<EOF

sftdyn $(sed -n 's/^VERSION[[:space:]]*=[[:space:]]*//p' "$TOP/Makefile") bench, $(nproc) cores, $(date -u +%Y-%m-%d)
medians of $ROUNDS interleaved rounds of $RUNS runs; CPU is user+sys of the
handler process (wait4), peak RSS its maxrss; targets from the benchmark issue

per-connection CPU (one process per request)          value      ratio   target
EOF
row "reference: static C, read head, fixed 200" "${CPU[ref]}" "${CPU[ref]}" us - \
    "rss ${RSS[ref]} KiB"
row "sftdyn GET /" "${CPU[get]}" "${CPU[ref]}" us 1.5 "$(rss get)"
row "sftdyn UPTODATE" "${CPU[uptodate]}" "${CPU[ref]}" us 1.5 "$(rss uptodate)"
row "sftdyn UPTODATE, verify-dns (vs UPTODATE)" "${CPU[verify]}" "${CPU[uptodate]}" us 1.3 \
    "$(rss verify)"
printf '  %-44s %9s %-3s %6s   %-20s %-7s\n' "  its p50 wall time (vs UPTODATE)" \
    "${WALL[verify]}" us "+$((WALL[verify] - WALL[uptodate]))" "<= +1000 us" \
    "$(verdict "$((WALL[verify] - WALL[uptodate]))" 1000)"
row "sftdyn dyndns2 nochg (vs UPTODATE)" "${CPU[dyndns2]}" "${CPU[uptodate]}" us 1.1 \
    "$(rss dyndns2)"
row "sftdyn ACME /present, value listed (vs UPTODATE)" "${CPU[present]}" "${CPU[uptodate]}" us 1.2 \
    "$(rss present)"
row "sftdyn BADKEY" "${CPU[badkey]}" "${CPU[ref]}" us 1.5 "$(rss badkey)"
row "sftdyn UPTODATE, no index (1 client parsed)" "${CPU[noindex]}" "${CPU[ref]}" us - \
    "rss ${RSS[noindex]} KiB"
row "reference: libtls handshake, fixed 200" "${CPU[reftls]}" "${CPU[reftls]}" us - \
    "rss ${RSS[reftls]} KiB"
row "sftdyn-tls --tls UPTODATE, full handshake" "${CPU[tlsdirect]}" "${CPU[reftls]}" us 1.5 \
    "rss ${RSS[tlsdirect]} KiB"
row "  the same, against plain UPTODATE" "${CPU[tlsdirect]}" "${CPU[uptodate]}" us 1.5
row "sftdyn --tls (runs sftdyn-tls), UPTODATE" "${CPU[tls]}" "${CPU[reftls]}" us - \
    "rss ${RSS[tls]} KiB"
echo
echo "sftdyn -t, compiling the client index, clients-dir with 100 clients a file"
echo "(elapsed, CPU, peak RSS; the stock libconfuse)"
for n in 1000 10000 ${BENCH_MAX_CLIENTS:-100000}; do
	read -r el us sy kb <"$T/t-time-$n"
	printf '  %-44s %9s s   cpu %s s   rss %s MiB   %-20s %s\n' "$n clients" "$el" \
	    "$(awk -v u="$us" -v s="$sy" 'BEGIN { printf "%.2f", u + s }')" \
	    "$((kb / 1024))" "<= 2 s, 200 MiB" \
	    "$(awk -v e="$el" -v k="$kb" 'BEGIN { print (e <= 2 && k <= 204800 ? "ok" : "MISSED") }')"
done
echo
echo "configuration scaling (UPTODATE, client index)"
row "1 client" "${CPU[s1]}" "${CPU[s1]}" us -
for n in 1000 10000 100000; do
	row "$n clients" "${CPU[s$n]}" "${CPU[s1]}" us 2
done
echo
echo "throughput, one connection per request (systemd-socket-activate, 4 clients)"
row "reference, requests/s" "${RPS[ref]}" "${RPS[ref]}" r/s - \
    "p50 ${P50[ref]} ms, p99 ${P99[ref]} ms"
printf '  %-44s %9s %-3s %6s   %-20s %-7s %s\n' "sftdyn UPTODATE, requests/s" \
    "${RPS[sftdyn]}" r/s "$(ratio "${RPS[sftdyn]}" "${RPS[ref]}")" ">= 0.8x reference" \
    "$(awk -v a="${RPS[sftdyn]}" -v b="${RPS[ref]}" 'BEGIN { print (a >= 0.8 * b ? "ok" : "MISSED") }')" \
    "p50 ${P50[sftdyn]} ms, p99 ${P99[sftdyn]} ms"
echo
echo "update latency against named (median of 3 rounds of $((UPDATES / 3)), interleaved)"
row "bare nsupdate -l" "$NSUPD" "$NSUPD" ms -
printf '  %-44s %9s %-3s %6s   %-20s %-7s\n' "sftdyn update (HTTP request to OK)" "$SDUPD" ms \
    "$(ratio "$SDUPD" "$NSUPD")" "<= nsupdate + 2 ms" \
    "$(awk -v a="$SDUPD" -v b="$NSUPD" 'BEGIN { print (a <= b + 2 ? "ok" : "MISSED") }')"
