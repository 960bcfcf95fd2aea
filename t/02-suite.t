#!/bin/bash
# The suite itself: no test (nor the bench or the demo, which source
# t/lib.sh too) defines a function of t/lib.sh's again, which would
# change what every helper calling it does, nor touches a name lib.sh
# keeps for itself (_lib_*), such as what its exit trap runs.
. "$(dirname "$0")/lib.sh"

funcs() { grep -oE '^[[:space:]]*[A-Za-z_][A-Za-z0-9_]*\(\)' "$1" | tr -d '() \t' | sort -u; }
funcs "$TOP/t/lib.sh" >"$T/lib.funcs"
[ "$(wc -l <"$T/lib.funcs")" -gt 20 ]
ok $? "t/lib.sh defines its helpers ($(wc -l <"$T/lib.funcs") functions)"
grep -qx _lib_exit "$T/lib.funcs" && grep -q '^trap _lib_exit EXIT$' "$TOP/t/lib.sh"
ok $? "its exit trap runs _lib_exit"
for f in "$TOP"/t/*.t "$TOP/bench/bench.sh" "$TOP/t/demo.sh"; do
	[ "${f##*/}" = "${0##*/}" ] && continue
	again=$(funcs "$f" | comm -12 - "$T/lib.funcs" | tr '\n' ' ')
	is "$again" "" "${f#$TOP/} defines none of t/lib.sh's functions again"
	! grep -q '_lib_' "$f"
	ok $? "${f#$TOP/} leaves lib.sh's own names alone"
done

done_testing
