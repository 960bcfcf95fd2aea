# Test helpers: TAP output, a private named with a throwaway zone, sftdyn
# behind systemd-socket-activate, and clients.  Every server listens on a
# free loopback port and is stopped by its PID when the test exits.

# A test that sets NEEDS_NS before sourcing this file runs in a private
# mount namespace of its own (as root), for mounts only it sees; it tells
# by SFTDYN_NS.
if [ -n "${NEEDS_NS:-}" ] && [ -z "${SFTDYN_NS:-}" ] && [ "$(id -u)" = 0 ] &&
    unshare -m --propagation private true 2>/dev/null; then
	SFTDYN_NS=1 exec unshare -m --propagation private bash "$0" "$@"
fi

TOP=$(cd "$(dirname "$0")/.." && pwd)
SFTDYN=$(cd "$TOP" && readlink -f "${SFTDYN:-./sftdyn}")
ZONE=dyn.test
# the test's name in its directory's, so that what it leaves is known
T=$(mktemp -d "${TMPDIR:-/tmp}/sftdyn-test.$(basename "$0" .t).XXXXXX")
PIDS=
# What this file keeps for itself is named _lib_*: a test defines no
# such name (t/02-suite.t checks that none redefines a function of
# this file).
_lib_tap_n=0
_lib_tap_failed=0

_lib_exit() {
	for pid in $PIDS; do
		kill "$pid" 2>/dev/null
	done
	for pid in $PIDS; do
		wait "$pid" 2>/dev/null
	done
	if [ "$_lib_tap_failed" -ne 0 ] && [ -f "$T/sftdyn.log" ]; then
		sed 's/^/# log: /' "$T/sftdyn.log" | tail -n 40
	fi
	[ -n "${KEEP:-}" ] || rm -rf "$T"
}
trap _lib_exit EXIT
trap 'exit 1' INT TERM

# --- TAP -------------------------------------------------------------

ok() {		# ok STATUS NAME...
	local st=$1
	shift
	_lib_tap_n=$((_lib_tap_n + 1))
	if [ "$st" -eq 0 ]; then
		echo "ok $_lib_tap_n - $*"
	else
		_lib_tap_failed=$((_lib_tap_failed + 1))
		echo "not ok $_lib_tap_n - $*"
	fi
}

# skip N REASON: N tests that cannot run here, each a TAP skip.
skip() {
	local i
	for i in $(seq "$1"); do
		_lib_tap_n=$((_lib_tap_n + 1))
		echo "ok $_lib_tap_n # SKIP $2"
	done
}

# passing: no test has failed so far (for diagnostics worth printing).
passing() {
	[ "$_lib_tap_failed" -eq 0 ]
}

# diag GOT WANT: a failure's diagnostics, on stderr as TAP has them, so
# that prove shows them without -v; every line of a value is a comment.
diag() {
	printf '%s\n' "got: $1" "want: $2" | sed 's/^/#   /' >&2
}

is() {		# is GOT WANT NAME...
	local got=$1 want=$2
	shift 2
	[ "$got" = "$want" ]
	ok $? "$@"
	[ "$got" = "$want" ] || diag "$got" "$want"
}

like() {	# like GOT REGEX NAME...
	local got=$1 re=$2
	shift 2
	printf '%s' "$got" | grep -Eq -- "$re"
	ok $? "$@"
	printf '%s' "$got" | grep -Eq -- "$re" || diag "$got" "/$re/"
}

# KILLED: PIDs of handlers a test killed on purpose, as "p1|p2".
done_testing() {
	if [ -f "$T/sftdyn.log" ]; then
		! grep -Ev "^Child (${KILLED:-none}) died" "$T/sftdyn.log" |
		    grep -Eq 'died with (signal|code [^0])|Sanitizer|runtime error'
		ok $? "every sftdyn process exited cleanly"
	fi
	echo "1..$_lib_tap_n"
	[ "$_lib_tap_failed" -eq 0 ]
}

# now_ms: milliseconds since the epoch.
now_ms() {
	echo $(($(date +%s%N) / 1000000))
}

# timed COMMAND...: runs COMMAND with the standard input given; its output
# goes to $out and the milliseconds it took to $took.
timed() {
	local start
	start=$(now_ms)
	out=$("$@")
	took=$(($(now_ms) - start))
}

# took_between LOW HIGH NAME: the last timed command took at least LOW
# milliseconds and less than HIGH.
took_between() {
	[ "$took" -ge "$1" ] && [ "$took" -lt "$2" ]
	ok $? "$3 (took $took ms)"
}

# wait_for SECONDS COMMAND...: runs COMMAND until it succeeds, at most
# SECONDS long; fails when it never does.
wait_for() {
	local until=$(($(now_ms) + $1 * 1000))
	shift
	until "$@" >/dev/null 2>&1; do
		[ "$(now_ms)" -lt "$until" ] || return 1
		sleep 0.05
	done
}

# sanitized: $SFTDYN is the AddressSanitizer build.  Its handler spends
# some 70 times a plain one's CPU, so no latency is asserted against it,
# and a test that loads the machine scales its load by handler_cpu_ms.
sanitized() {
	ldd "$SFTDYN" 2>/dev/null | grep -q libasan
}

# handler_cpu_ms CONF: the CPU time one handler of $SFTDYN takes to
# answer GET / with the configuration CONF, in milliseconds (the mean of
# ten, at least 1).
handler_cpu_ms() {
	perl -e 'my ($bin, $conf) = @ARGV;
	    $ENV{REMOTE_ADDR} = "127.0.0.1";
	    open(my $out, ">&", \*STDOUT) or die;
	    open(STDOUT, ">", "/dev/null") or die;
	    for (1 .. 10) {
		open(my $h, "|-", $bin, "-q", "-e", "-c", $conf) or die;
		print $h "GET / HTTP/1.0\r\n\r\n";
		close($h);
	    }
	    my (undef, undef, $cu, $cs) = times;
	    my $ms = int(($cu + $cs) * 100 + 0.999);
	    print $out $ms < 1 ? 1 : $ms, "\n"' "$SFTDYN" "$1" 2>/dev/null
}

# dynamic_sftdyn: a build of sftdyn linked dynamically, which a time shim
# (LD_PRELOAD) can reach: $SFTDYN, or else the binary the package ships,
# as make check unpacks it; not the sanitizer build, whose runtime must
# come before any preloaded library.  Fails when there is none.
dynamic_sftdyn() {
	local b libs
	for b in "$SFTDYN" "$TOP/build/deb/root/usr/sbin/sftdyn"; do
		libs=$(ldd "$b" 2>/dev/null)
		case "$libs" in *libasan*|*libubsan*) continue ;; esac
		printf '%s\n' "$libs" | grep -q 'libc\.so' && { echo "$b"; return 0; }
	done
	return 1
}

# mark; ...; since_mark: the lines sftdyn logged after the mark.
mark() {
	LOG_MARK=$(wc -l <"$T/sftdyn.log" 2>/dev/null || echo 0)
}
since_mark() {
	tail -n +"$((LOG_MARK + 1))" "$T/sftdyn.log"
}

free_port() {
	perl "$TOP/t/lib/freeport.pl"
}

# --- named -----------------------------------------------------------

# named_options DIR: the options of a test's named, its files in DIR, on
# 127.0.0.1 and ::1 port $NSPORT.
named_options() {
	cat <<-EOF
	options {
		directory "$1";
		pid-file "$1/named.pid";
		session-keyfile "$1/session.key";
		listen-on port $NSPORT { 127.0.0.1; };
		listen-on-v6 port $NSPORT { ::1; };
		recursion no;
		dnssec-validation no;
	};
	EOF
}

# start_named: a named on 127.0.0.1 and ::1 port $NSPORT, authoritative for
# $ZONE, taking updates signed by $T/named/tsig.key or by its session key.
start_named() {
	local d=$T/named
	mkdir -p "$d"
	NSPORT=$(free_port)
	tsig-keygen sftdyn >"$d/tsig.key"
	cat >"$d/$ZONE.zone" <<-EOF
	\$TTL 300
	@ IN SOA ns.$ZONE. hostmaster.$ZONE. 1 3600 600 86400 60
	@ IN NS ns.$ZONE.
	ns IN A 127.0.0.1
	EOF
	{ echo "include \"$d/tsig.key\";"; named_options "$d"; } >"$d/named.conf"
	cat >>"$d/named.conf" <<-EOF
	controls { };
	zone "$ZONE" {
		type primary;
		file "$ZONE.zone";
		update-policy {
			grant local-ddns zonesub any;
			grant sftdyn zonesub any;
		};
	};
	EOF
	named -f -n 1 -c "$d/named.conf" >"$d/named.log" 2>&1 &
	NAMED_PID=$!
	PIDS="$PIDS $NAMED_PID"
	wait_for 10 test -s "$d/session.key" &&
	wait_for 10 serial
}

stop_named() {
	kill "$NAMED_PID" && wait "$NAMED_PID" 2>/dev/null
}

# restart_named: the same server, zone and port again.
restart_named() {
	named -f -n 1 -c "$T/named/named.conf" >>"$T/named/named.log" 2>&1 &
	NAMED_PID=$!
	PIDS="$PIDS $NAMED_PID"
	wait_for 10 serial
}

# rr NAME TYPE: the record set, as dig +short prints it.
rr() {
	dig +short +norec +time=2 +tries=1 -p "$NSPORT" @127.0.0.1 "$1" "$2"
}

# serial: the zone's SOA serial; it changes with every accepted update.
serial() {
	local s
	s=$(rr "$ZONE" SOA) && [ -n "$s" ] && echo "$s" | awk '{print $3}'
}

# --- sftdyn ----------------------------------------------------------

# write_conf [EXTRA]: a configuration with clients a, b and c that update
# through the session key (nsupdate -l), plus EXTRA lines; confined with
# seccomp as well, so that every test runs under the system call filter.
write_conf() {
	cat >"$T/conf" <<-EOF
	ttl = 30
	timeout = ${TIMEOUT:-5}
	seccomp = true
	nskeyfile = "named/session.key"
	nsport = $NSPORT
	statedir = "state"
	client "a" {
		key = "host=a.$ZONE,key=secret-a-long-enough"
		host = "a.$ZONE"
	}
	client "b" {
		key = "?hostname=b&password=secret-b-long-enough"
		host = "b.$ZONE"
		ttl = 60
	}
	client "c" {
		key = "secret-c-long-enough"
		host = "c.$ZONE"
	}
	${1:-}
	EOF
}

# start_sftdyn ADDR [socket-activate options] [-- sftdyn options]: sftdyn
# behind systemd-socket-activate on ADDR:$PORT (ADDR as it takes it), with
# the configuration $CONF (default $T/conf).
start_sftdyn() {
	local addr=$1 sa=()
	shift
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		sa+=("$1")
		shift
	done
	[ $# -gt 0 ] && shift
	PORT=${SFTDYN_PORT:-$(free_port)}
	systemd-socket-activate -a -l "$addr:$PORT" "${sa[@]}" \
	    "$SFTDYN" -e "$@" -c "${CONF:-$T/conf}" >>"$T/sftdyn.log" 2>&1 &
	SFTDYN_PID=$!
	PIDS="$PIDS $SFTDYN_PID"
	wait_port "$PORT" "${addr//[\[\]]/}"
}

# wait_port PORT [ADDR]: until something accepts connections on ADDR
# (default 127.0.0.1) port PORT, 10 s at most.
wait_port() {
	wait_for 10 perl -MIO::Socket::IP -e \
	    'IO::Socket::IP->new(PeerHost => $ARGV[1], PeerPort => $ARGV[0])
	     or exit 1' "$1" "${2:-127.0.0.1}"
}

# start_xinetd NAME STANZA PORT [sed expressions...]: an xinetd of its own
# ($XINETD) serving the stanza in the file STANZA on 127.0.0.1:PORT, its
# other lines changed by the sed expressions; $T/NAME.conf is the stanza
# as it runs, $T/NAME.log xinetd's output.  Returns once it listens.
start_xinetd() {
	local name=$1 stanza=$2 port=$3
	shift 3
	sed -e "s,^\tport\t\t= [0-9]*,\tport\t\t= $port\n\tbind\t\t= 127.0.0.1," \
	    "$@" "$stanza" >"$T/$name.conf"
	xinetd -dontfork -f "$T/$name.conf" -pidfile "$T/$name.pid" \
	    >"$T/$name.log" 2>&1 &
	XINETD=$!
	PIDS="$PIDS $XINETD"
	wait_port "$port"
}

stop_sftdyn() {
	kill "$SFTDYN_PID" && wait "$SFTDYN_PID" 2>/dev/null
}

# get PATH [curl options]: prints "STATUS BODY" of a request to sftdyn.
get() {
	local path=$1
	shift
	rm -f "$T/body"
	curl -s -g --max-time 20 -o "$T/body" -w '%{http_code}' "$@" \
	    "http://127.0.0.1:$PORT$path" >"$T/status"
	printf '%s %s' "$(cat "$T/status")" "$(cat "$T/body" 2>/dev/null)"
}

# raw [-b SOURCE] [WAIT]: sends stdin to sftdyn as it is, prints the answer.
raw() {
	local src=()
	if [ "${1:-}" = -b ]; then
		src=(-b "$2")
		shift 2
	fi
	perl "$TOP/t/lib/raw.pl" "${src[@]}" 127.0.0.1 "$PORT" "${1:-20}"
}

# status_of: the status code of the HTTP answer on stdin.
status_of() {
	head -n 1 | awk '{print $2}'
}

# --- installed units -------------------------------------------------

# unit_execs DIR: the Exec lines of the units in DIR, sorted, joined by |
unit_execs() {
	grep -h '^Exec' "$1"/* | sort | tr '\n' '|'
}

# shipped_execs BINDIR: what unit_execs must print for units installed
# with their binaries in BINDIR
shipped_execs() {
	local d=/var/lib/prometheus/node-exporter
	printf '%s\n' "ExecStart=$1/sftdyn -t /etc/sftdyn/conf" \
	    "ExecStart=$1/sftdyn /etc/sftdyn/conf" \
	    "ExecStart=$1/sftdyn-tls --tls /etc/sftdyn/conf" \
	    "ExecStartPre=-$1/sftdyn -t /etc/sftdyn/conf" \
	    "ExecStart=/bin/sh -c '$1/sftdyn --status --prometheus /etc/sftdyn/conf >$d/sftdyn.prom.tmp && exec mv $d/sftdyn.prom.tmp $d/sftdyn.prom'" |
	    sort | tr '\n' '|'
}

# --- syslog ----------------------------------------------------------

# private_syslog: a /dev of the test's own, whose /dev/log writes to
# $T/syslog.log, for handlers that log to syslog (under xinetd stderr is
# the connection).  Only in a private mount namespace: the test runs
# itself under unshare -m first (see in_mount_namespace).
private_syslog() {
	[ -n "${SFTDYN_NS:-}" ] || return 1
	mount -t tmpfs -o mode=755 tmpfs /dev || return 1
	mknod -m 666 /dev/null c 1 3 && mknod -m 666 /dev/zero c 1 5 &&
	    mknod -m 666 /dev/full c 1 7 && mknod -m 666 /dev/random c 1 8 &&
	    mknod -m 666 /dev/urandom c 1 9 && mknod -m 666 /dev/tty c 5 0 ||
	    return 1
	ln -s /proc/self/fd /dev/fd
	mkdir /dev/pts /dev/shm
	perl "$TOP/t/lib/syslog.pl" /dev/log "$T/syslog.log" &
	PIDS="$PIDS $!"
	wait_for 10 test -S /dev/log
}

# --- the Debian package ----------------------------------------------

# find_deb: DEB and CHANGES, the package make deb built (built now when
# there is none).
find_deb() {
	DEB=$(ls "$TOP"/build/deb/sftdyn_*_*.deb 2>/dev/null | grep -v dbgsym | head -n 1)
	if [ -z "$DEB" ]; then
		make -s -C "$TOP" deb >"$T/deb.log" 2>&1 ||
		    { tail -n 20 "$T/deb.log" | sed 's/^/# /'; return 1; }
		DEB=$(ls "$TOP"/build/deb/sftdyn_*_*.deb | grep -v dbgsym | head -n 1)
	fi
	CHANGES=$(ls "$TOP"/build/deb/sftdyn_*.changes 2>/dev/null | head -n 1)
	test -f "$DEB" && test -f "$CHANGES"
}

# unpack_deb: the package, found (or built) and extracted with dpkg-deb
# into R=$T/root, its control files into $T/control; never installed.
# Two assertions; the test ends when there is no package.
unpack_deb() {
	find_deb
	ok $? "the package: a .deb and a .changes"
	[ -f "$DEB" ] || { done_testing; exit 1; }
	R=$T/root
	dpkg-deb -x "$DEB" "$R" && dpkg-deb -e "$DEB" "$T/control"
	ok $? "dpkg-deb -x and -e into a throwaway directory"
}

# --- TLS -------------------------------------------------------------

# make_certs: $T/pki with a root CA (ca.pem), an intermediate, and a leaf
# for localhost, 127.0.0.1 and ::1 (leaf.pem, leaf.key; fullchain.pem is
# the leaf and the intermediate).
make_certs() {
	local d=$T/pki
	mkdir -p "$d"
	(
	cd "$d" || exit 1
	key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1"; }
	key ca.key && key int.key && key leaf.key
	printf 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n' >ca.ext
	printf 'subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1\nextendedKeyUsage=serverAuth\n' >leaf.ext
	openssl req -x509 -key ca.key -out ca.pem -subj /CN=sftdyn-test-root \
	    -days 2 -addext basicConstraints=critical,CA:TRUE \
	    -addext keyUsage=critical,keyCertSign,cRLSign
	openssl req -new -key int.key -out int.csr -subj /CN=sftdyn-test-intermediate
	openssl x509 -req -in int.csr -CA ca.pem -CAkey ca.key -CAcreateserial \
	    -out int.pem -days 2 -extfile ca.ext
	openssl req -new -key leaf.key -out leaf.csr -subj /CN=localhost
	openssl x509 -req -in leaf.csr -CA int.pem -CAkey int.key -CAcreateserial \
	    -out leaf.pem -days 2 -extfile leaf.ext
	cat leaf.pem int.pem >fullchain.pem
	) >"$T/pki.log" 2>&1
}

# gets PATH [curl options]: "STATUS BODY" of an HTTPS request to sftdyn.
gets() {
	local path=$1
	shift
	rm -f "$T/body"
	curl -s -g --max-time 20 --cacert "$T/pki/ca.pem" -o "$T/body" \
	    -w '%{http_code}' "$@" "https://127.0.0.1:$PORT$path" >"$T/status"
	printf '%s %s' "$(cat "$T/status")" "$(cat "$T/body" 2>/dev/null)"
}

# --- state -----------------------------------------------------------

# settle HOST: waits until no handler holds HOST's state lock.  A handler
# answers first and writes the state after, still holding the lock.
settle() {
	[ -f "$T/state/$1.lock" ] && timeout 30 flock "$T/state/$1.lock" true
	return 0
}

# state HOST TYPE: the address the state directory records (the line is
# "ADDRESS SIGNATURE").
state() {
	settle "$1"
	awk '{print $1}' "$T/state/$1.$2"
}
