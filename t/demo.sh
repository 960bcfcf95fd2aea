#!/bin/bash
# make demo: a private named with the zone dyn.test, sftdyn on
# 127.0.0.1:8080 through systemd-socket-activate, one update with curl and
# the new record with dig.  DEMO_ONESHOT=1 exits after the update, with a
# non-zero status when it did not reach DNS.
. "$(dirname "$0")/lib.sh"
trap 'echo; echo "stopping named and sftdyn"; exit 0' INT TERM

step() { printf '\n\033[1m%s\033[0m\n' "$*"; }

step "Starting a private named for zone $ZONE on 127.0.0.1"
start_named || { echo "named did not start:"; cat "$T/named/named.log"; exit 1; }
echo "named listens on port $NSPORT, pid $NAMED_PID"
write_conf
step "Starting sftdyn on 127.0.0.1:8080 (systemd-socket-activate, Accept=yes)"
SFTDYN_PORT=${DEMO_PORT:-8080} start_sftdyn 127.0.0.1 ||
    { echo "sftdyn could not listen on port ${DEMO_PORT:-8080}; is it busy?"; exit 1; }
echo "configuration: $T/conf"

URL="http://127.0.0.1:$PORT/host=a.$ZONE,key=secret-a-long-enough"
DIG="dig +short -p $NSPORT @127.0.0.1 a.$ZONE A"
step "What does sftdyn see of us?"
echo "\$ curl http://127.0.0.1:$PORT/"
curl -s "http://127.0.0.1:$PORT/"
step "An update, as a router would send it"
echo "\$ curl '$URL'"
curl -s "$URL"
step "The record in DNS"
echo "\$ $DIG"
got=$($DIG)
echo "$got"
if [ "$got" != 127.0.0.1 ]; then
	echo "the update did not reach DNS; sftdyn's log:"
	cat "$T/sftdyn.log"
	exit 1
fi
step "Asking again changes nothing"
echo "\$ curl '$URL'"
curl -s "$URL"

[ -n "${DEMO_ONESHOT:-}" ] && exit 0
step "Try it yourself"
cat <<EOM
  curl '$URL'
  curl --interface 127.0.0.2 '$URL'     # another address: OK
  $DIG
  tail -f $T/sftdyn.log
Press Ctrl-C to stop named and sftdyn.
EOM
wait "$SFTDYN_PID"
