#!/usr/bin/perl
# dnsproxy.pl PORT UPSTREAM MODEFILE LOGFILE: a test-only DNS relay on
# 127.0.0.1:PORT (UDP and TCP) in front of a real named on UPSTREAM.  It
# passes every message through, except that answers to A and AAAA queries
# (what verify-dns asks; nsupdate's own SOA queries pass) are bent as the
# one word in MODEFILE says, read for each query:
#   pass      unchanged
#   aa0       AA cleared
#   tc        TC set over UDP (TCP unchanged)
#   tc-always TC set over UDP and TCP
#   refused   RCODE REFUSED
#   silence   no answer at all
#   garbage   the answer cut after its header
#   dotlabel  the first answer record's owner spelt with its first two
#             labels as one that holds a dot ("a.dyn" "test")
#   nullabel  the same owner with a NUL and a byte added to its last label
# Each of those queries is logged as "PROTO ID FLAGS QTYPE" (flags hex).
use strict;
use warnings;
use IO::Socket::IP;
use IO::Select;

my ($port, $upstream, $modefile, $logfile) = @ARGV;
my $udp = IO::Socket::IP->new(LocalHost => '127.0.0.1', LocalPort => $port,
    Proto => 'udp') or die "udp: $@";
my $tcp = IO::Socket::IP->new(LocalHost => '127.0.0.1', LocalPort => $port,
    Listen => 16, ReuseAddr => 1) or die "tcp: $@";
open(my $log, '>>', $logfile) or die "$logfile: $!";
$log->autoflush(1);

sub mode {
	open(my $f, '<', $modefile) or return 'pass';
	my $m = <$f> // 'pass';
	chomp $m;
	return $m;
}

sub opcode { return (ord(substr($_[0], 2, 1)) >> 3) & 0xf; }

# the QUERY's type: after the header and the name
sub qtype {
	my $m = shift;
	my $off = 12;
	while ($off < length($m) && (my $l = ord(substr($m, $off, 1)))) {
		$off += $l + 1;
	}
	return unpack('n', substr($m, $off + 1, 2) // "\0\0");
}

# the wire form of the question's name in $m, and where the question ends
sub qname {
	my $m = shift;
	my $off = 12;
	while ($off < length($m) && (my $l = ord(substr($m, $off, 1)))) {
		$off += $l + 1;
	}
	return (substr($m, 12, $off + 1 - 12), $off + 5);
}

# the first answer record's owner, a pointer to the question, replaced by
# the question's name bent: labels 1 and 2 joined by a dot, or a NUL and
# a byte added to the last label
sub owner {
	my ($ans, $mode) = @_;
	my ($name, $at) = qname($ans);
	return $ans if unpack('n', substr($ans, 6, 2)) == 0 ||
	    ord(substr($ans, $at, 1)) != 0xc0;
	my @l;
	for (my $o = 0; (my $n = ord(substr($name, $o, 1))); $o += $n + 1) {
		push @l, substr($name, $o + 1, $n);
	}
	if ($mode eq 'dotlabel') { splice(@l, 0, 2, "$l[0].$l[1]"); }
	else { $l[-1] .= "\0x"; }
	substr($ans, $at, 2) = join('', map { chr(length) . $_ } @l) . "\0";
	return $ans;
}

sub bend {
	my ($ans, $mode, $proto) = @_;
	return owner($ans, $mode) if $mode eq 'dotlabel' || $mode eq 'nullabel';
	my ($b2, $b3) = map { ord(substr($ans, $_, 1)) } 2, 3;
	if ($mode eq 'aa0') { $b2 &= ~0x04; }
	elsif ($mode eq 'tc' && $proto eq 'udp') { $b2 |= 0x02; }
	elsif ($mode eq 'tc-always') { $b2 |= 0x02; }
	elsif ($mode eq 'refused') { $b3 = ($b3 & 0xf0) | 5; }
	elsif ($mode eq 'garbage') { return substr($ans, 0, 14); }
	substr($ans, 2, 2) = chr($b2) . chr($b3);
	return $ans;
}

sub ask_udp {
	my $q = shift;
	my $s = IO::Socket::IP->new(PeerHost => '127.0.0.1',
	    PeerPort => $upstream, Proto => 'udp') or return;
	$s->send($q);
	return unless IO::Select->new($s)->can_read(3);
	$s->recv(my $ans, 65535);
	return $ans;
}

sub readn {
	my ($s, $n) = @_;
	my $buf = '';
	my $sel = IO::Select->new($s);
	while (length($buf) < $n) {
		return unless $sel->can_read(3);
		my $got = sysread($s, $buf, $n - length($buf), length($buf));
		return unless $got;
	}
	return $buf;
}

sub ask_tcp {
	my $q = shift;
	my $s = IO::Socket::IP->new(PeerHost => '127.0.0.1',
	    PeerPort => $upstream) or return;
	print $s pack('n', length $q) . $q;
	my $len = readn($s, 2) // return;
	return readn($s, unpack('n', $len));
}

# relay PROTO QUERY: the answer to send back, or undef for none
sub relay {
	my ($proto, $q) = @_;
	return if length($q) < 12;
	my $isquery = opcode($q) == 0 && (qtype($q) == 1 || qtype($q) == 28);
	my $mode = $isquery ? mode() : 'pass';
	printf $log "%s %d %04x %d\n", $proto, unpack('n', $q),
	    unpack('n', substr($q, 2, 2)), qtype($q) if $isquery;
	return if $mode eq 'silence';
	my $ans = $proto eq 'udp' ? ask_udp($q) : ask_tcp($q);
	return unless defined $ans && length($ans) >= 12;
	return $isquery ? bend($ans, $mode, $proto) : $ans;
}

my $sel = IO::Select->new($udp, $tcp);
while (1) {
	for my $s ($sel->can_read) {
		if ($s == $udp) {
			my $from = $udp->recv(my $q, 65535) or next;
			my $ans = relay('udp', $q);
			$udp->send($ans, 0, $from) if defined $ans;
			next;
		}
		my $c = $tcp->accept or next;
		my $len = readn($c, 2);
		my $q = defined $len ? readn($c, unpack('n', $len)) : undef;
		my $ans = defined $q ? relay('tcp', $q) : undef;
		print $c pack('n', length $ans) . $ans if defined $ans;
		close($c);
	}
}
