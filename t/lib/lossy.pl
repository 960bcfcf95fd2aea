# lossy.pl PORT SERVER_PORT READY_FILE [MODE]: a UDP relay on
# 127.0.0.1:PORT to a DNS server on 127.0.0.1:SERVER_PORT.  MODE
# "answers" (the default) passes every answer but those to UPDATE
# messages: the server takes the update, its answer is lost.  MODE
# "first" drops the first UPDATE message itself, as a lossy network
# would, and passes everything after it, a retransmission included;
# READY_FILE.dropped says when it has dropped it.
use strict;
use warnings;
use IO::Socket::IP;
use IO::Select;

my ($port, $server, $ready, $mode) = @ARGV;
$mode //= 'answers';
my $front = IO::Socket::IP->new(LocalHost => '127.0.0.1', LocalPort => $port,
    Proto => 'udp') or die "listen: $!";
my $back = IO::Socket::IP->new(PeerHost => '127.0.0.1', PeerPort => $server,
    Proto => 'udp') or die "connect: $!";
open(my $f, '>', $ready) or die; close($f);
my %client;	# query id => the client's address
my $dropped = 0;
my $sel = IO::Select->new($front, $back);
my $until = time + 300;
sub opcode { (ord(substr($_[0], 2, 1)) >> 3) & 0xf }
while (time < $until) {
	for my $s ($sel->can_read(1)) {
		my $buf;
		if ($s == $front) {
			my $from = $front->recv($buf, 65535) // next;
			next if length($buf) < 12;
			if ($mode eq 'first' && !$dropped && opcode($buf) == 5) {
				$dropped = 1;
				open(my $d, '>', "$ready.dropped") or die; close($d);
				next;
			}
			$client{substr($buf, 0, 2)} = $from;
			$back->send($buf);
		} else {
			$back->recv($buf, 65535) // next;
			next if length($buf) < 12;
			my $to = delete $client{substr($buf, 0, 2)} // next;
			next if $mode eq 'answers' && opcode($buf) == 5;
			$front->send($buf, 0, $to);
		}
	}
}
