#!/usr/bin/perl
# Prints a port that is free for TCP and UDP on 127.0.0.1 and ::1 right
# now, for a test's server.  It lies below the kernel's range of
# ephemeral ports, from which every client picks its source port (dig,
# nsupdate and named's own queries, curl): while one test starts its
# server, a client of another test running beside it cannot hold the
# port, nor receive what is meant for the server.
use strict;
use warnings;
use IO::Socket::IP;

my ($lo) = eval {
	open(my $f, '<', '/proc/sys/net/ipv4/ip_local_port_range') or die;
	split(' ', scalar <$f>);
};
$lo = 32768 unless $lo && $lo > 11000;

for (1 .. 200) {
	my $port = 10000 + int(rand($lo - 10000));
	my @held;
	for my $host ('127.0.0.1', '::1') {
		push @held, IO::Socket::IP->new(LocalHost => $host,
		    LocalPort => $port, Listen => 1) || last;
		push @held, IO::Socket::IP->new(LocalHost => $host,
		    LocalPort => $port, Proto => 'udp') || last;
	}
	next unless @held == 4;
	print "$port\n";
	exit 0;
}
exit 1;
