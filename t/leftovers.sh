#!/bin/sh
# After a pass of the suite: no process started for a test directory
# (its command line names /tmp/sftdyn-test.TEST.XXXXXX) is still running,
# and no test directory is left.  Processes get 10 s to finish exiting.
# What is left is listed (the directory names the test), then stopped and
# removed, so that the machine is as it was; the exit status is 1.
tmp=${TMPDIR:-/tmp}
left() { pgrep -af 'sftdyn-test\.' | grep -v -e pgrep -e leftovers.sh; }
i=0
while [ -n "$(left)" ] && [ "$i" -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
procs=$(left)
dirs=$(ls -d "$tmp"/sftdyn-test.* 2>/dev/null)
[ -z "$procs$dirs" ] && exit 0
if [ -n "$procs" ]; then
	echo "leftovers: processes a test started are still running:"
	printf '%s\n' "$procs" | sed 's/^/  /'
	printf '%s\n' "$procs" | awk '{ print $1 }' | xargs -r kill 2>/dev/null
fi
if [ -n "$dirs" ]; then
	echo "leftovers: test directories were not removed:"
	printf '%s\n' "$dirs" | sed 's/^/  /'
	sleep 1
	printf '%s\n' "$dirs" | xargs -r rm -rf
fi
exit 1
