# syslog.pl SOCKET FILE: a syslog receiver on the Unix datagram socket
# SOCKET (mode 0666, as /dev/log is) that appends each message to FILE as
# one line.  For tests whose handlers log to syslog, in a /dev of their own.
use strict;
use warnings;
use IO::Handle;
use IO::Socket::UNIX;

my ($path, $file) = @ARGV;
unlink $path;
my $s = IO::Socket::UNIX->new(Type => SOCK_DGRAM, Local => $path)
    or die "$path: $!";
chmod 0666, $path or die "chmod $path: $!";
open(my $f, '>>', $file) or die "$file: $!";
$f->autoflush(1);
my $until = time + 600;
while (time < $until) {
	defined(recv($s, my $msg, 8192, 0)) or next;
	$msg =~ s/\n+$//;
	print $f "$msg\n";
}
