#!/usr/bin/perl
# Prints a TCP port that is free on 127.0.0.1 and ::1 right now.
use strict;
use warnings;
use IO::Socket::IP;

for (1 .. 50) {
	my $s = IO::Socket::IP->new(LocalHost => '127.0.0.1', LocalPort => 0,
	    Listen => 1, ReuseAddr => 1) or next;
	my $port = $s->sockport;
	my $t = IO::Socket::IP->new(LocalHost => '::1', LocalPort => $port,
	    Listen => 1) or next;
	my $u = IO::Socket::IP->new(LocalHost => '127.0.0.1', LocalPort => $port,
	    Proto => 'udp') or next;
	print "$port\n";
	exit 0;
}
exit 1;
