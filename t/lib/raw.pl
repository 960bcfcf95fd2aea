#!/usr/bin/perl
# raw.pl [-b source] host port [wait]: sends stdin as it is to host:port,
# never closes its writing side, and prints what comes back until the peer
# closes or `wait` seconds (default 20) pass.
use strict;
use warnings;
use IO::Socket::IP;
use IO::Select;

my $src;
if (@ARGV && $ARGV[0] eq '-b') { shift; $src = shift; }
my ($host, $port, $wait) = @ARGV;
$wait //= 20;
my $s = IO::Socket::IP->new(PeerHost => $host, PeerPort => $port,
    ($src ? (LocalHost => $src) : ()), Proto => 'tcp')
    or die "connect $host:$port: $@\n";
local $/;
my $payload = <STDIN> // '';
print $s $payload if length $payload;
my $sel = IO::Select->new($s);
my $until = time + $wait;
binmode STDOUT;
while ((my $left = $until - time) > 0) {
	last unless $sel->can_read($left);
	my $n = sysread($s, my $buf, 65536);
	last unless $n;
	print $buf;
}
