# cdbtables.pl FILE TRAILER: overwrites every hash table of the tinycdb
# database that FILE holds (before a trailer of TRAILER bytes) with 0xff,
# as damage that any lookup's probe reads.  The tables follow the
# records; the header's 256 entries say where each begins.
use strict;
use warnings;

my ($file, $trailer) = @ARGV;
open(my $f, '+<:raw', $file) or die "$file: $!";
my $size = -s $f;
read($f, my $header, 2048) == 2048 or die "short";
my $start = $size - $trailer;
for my $i (0 .. 255) {
	my ($pos, $n) = unpack('V V', substr($header, 8 * $i, 8));
	$start = $pos if $n > 0 && $pos < $start;
}
seek($f, $start, 0) or die;
print $f "\xff" x ($size - $trailer - $start);
close($f) or die;
