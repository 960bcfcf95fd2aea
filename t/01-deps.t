#!/bin/bash
# t/deps.sh installs what is missing and touches no service: it neither
# starts, stops, enables nor disables one, and keeps freshly installed
# daemons from starting.  The package tools are stand-ins that record
# their calls: a test never installs packages for real.
. "$(dirname "$0")/lib.sh"

if [ "$(id -u)" != 0 ]; then
	skip 5 "t/deps.sh installs as root only"
	done_testing
	exit
fi
mkdir -p "$T/bin"
cat >"$T/bin/dpkg-query" <<'EOF2'
#!/bin/sh
# every package is installed but xinetd
case "$*" in *xinetd*) exit 1;; esac
echo 'install ok installed'
EOF2
cat >"$T/bin/apt-get" <<EOF2
#!/bin/sh
echo "apt-get \$*" >>"$T/calls"
if [ "\$1" = install ]; then
	"$T/policy-rc.d" xinetd start; echo "policy-rc.d says \$?" >>"$T/calls"
fi
EOF2
for cmd in systemctl service invoke-rc.d deb-systemd-invoke; do
	printf '#!/bin/sh\necho "%s $*" >>"%s/calls"\n' "$cmd" "$T" >"$T/bin/$cmd"
done
chmod +x "$T"/bin/*
PATH="$T/bin:$PATH" POLICY_RC_D="$T/policy-rc.d" sh "$TOP/t/deps.sh" >"$T/out" 2>&1
is $? 0 "deps.sh: exit 0"
like "$(cat "$T/calls")" 'apt-get install .*xinetd' "installs what is missing"
like "$(cat "$T/calls")" 'policy-rc.d says 101' "daemons may not start during the install"
! grep -Eq '^(systemctl|service|invoke-rc.d|deb-systemd-invoke) ' "$T/calls"
ok $? "no service is touched"
test ! -e "$T/policy-rc.d"
ok $? "its policy-rc.d is gone afterwards"
done_testing
