/*
 * Unit tests: a LAN host's address under its router's delegated prefix,
 * and the prefix a dyndns2 request brings (ip6lanprefix).
 */
#include <stdlib.h>

#include "sftdyn.h"
#include "tap.h"

/* The address for prefix, subnet and suffix, or "nofit" or "badprefix". */
static const char *
lan(const char *prefix, long subnet, const char *suffix)
{
	static struct addr a;
	struct addr s;
	struct net p;

	if (lanprefix_parse(&p, prefix) != 0)
		return "badprefix";
	if (addr_parse(&s, suffix) != 0)
		return "badsuffix";
	if (lan_address(&a, &p, subnet, &s) != 0)
		return "nofit";
	return a.text;
}

#define IS(got, want, ...) TEST(strcmp((got), (want)) == 0, __VA_ARGS__)

int
main(void)
{
	/* a /64: the prefix, the identifier; only subnet 0 fits */
	IS(lan("2001:db8:1:2::/64", 0, "::211:32ff:fe12:3456"),
	    "2001:db8:1:2:211:32ff:fe12:3456", "/64, subnet 0");
	IS(lan("2001:db8:1:2::/64", 1, "::1"), "nofit", "/64, subnet 1");
	/* a /56: subnets 0 to 255 in the fourth group's low byte */
	IS(lan("2001:db8:100::/56", 0, "::1:2"), "2001:db8:100::1:2",
	    "/56, subnet 0");
	IS(lan("2001:db8:100::/56", 1, "::1:2"), "2001:db8:100:1::1:2",
	    "/56, subnet 1");
	IS(lan("2001:db8:100::/56", 255, "::a"), "2001:db8:100:ff::a",
	    "/56, subnet 255");
	IS(lan("2001:db8:100::/56", 256, "::a"), "nofit", "/56, subnet 256");
	/* a /48: the whole fourth group */
	IS(lan("2001:db8:7::/48", 65535, "::a:b:c:d"),
	    "2001:db8:7:ffff:a:b:c:d", "/48, subnet 65535");
	IS(lan("2001:db8:7::/48", 0x1234, "::1"), "2001:db8:7:1234::1",
	    "/48, subnet 0x1234");
	/* a /60: four bits */
	IS(lan("2001:db8:0:10::/60", 15, "::1"), "2001:db8:0:1f::1",
	    "/60, subnet 15");
	IS(lan("2001:db8:0:10::/60", 16, "::1"), "nofit", "/60, subnet 16");
	/* odd boundaries: a /57 has 7 bits, a /63 one */
	IS(lan("2001:db8:0:80::/57", 127, "::1"), "2001:db8:0:ff::1",
	    "/57, subnet 127");
	IS(lan("2001:db8:0:80::/57", 128, "::1"), "nofit", "/57, subnet 128");
	IS(lan("2001:db8:0:2::/63", 1, "::1"), "2001:db8:0:3::1",
	    "/63, subnet 1");
	IS(lan("2001:db8:0:2::/63", 2, "::1"), "nofit", "/63, subnet 2");
	/* bits beyond the length are the provider's to change: ignored */
	IS(lan("2001:db8:100:ab::/56", 1, "::1"), "2001:db8:100:1::1",
	    "/56 with bits beyond it: cleared, then the subnet");
	IS(lan("2001:db8:1:2:ffff::5/64", 0, "::1"), "2001:db8:1:2::1",
	    "/64 with an interface identifier of its own: replaced");
	/* the suffix's upper bits never count */
	IS(lan("2001:db8:1:2::/64", 0, "fe80::211:32ff:fe12:3456"),
	    "2001:db8:1:2:211:32ff:fe12:3456",
	    "a link-local suffix: its identifier only");
	/* malformed prefixes */
	IS(lan("2001:db8:1:2::", 0, "::1"), "badprefix", "no length");
	IS(lan("2001:db8:1:2::/47", 0, "::1"), "badprefix", "/47");
	IS(lan("2001:db8:1:2::/65", 0, "::1"), "badprefix", "/65");
	IS(lan("2001:db8:1:2::/", 0, "::1"), "badprefix", "a / alone");
	IS(lan("2001:db8:1:2::/64x", 0, "::1"), "badprefix", "/64x");
	IS(lan("2001:db8:1:2::/-64", 0, "::1"), "badprefix", "/-64");
	IS(lan("192.0.2.0/24", 0, "::1"), "badprefix", "IPv4");
	IS(lan("::ffff:192.0.2.0/120", 0, "::1"), "badprefix",
	    "IPv4-mapped");
	IS(lan("fe80::%eth0/64", 0, "::1"), "badprefix", "a zone");
	IS(lan("2001:db8::1::/64", 0, "::1"), "badprefix", "two ::");
	IS(lan("<ip6lanprefix>", 0, "::1"), "badprefix", "a placeholder");
	IS(lan("", 0, "::1"), "badprefix", "empty");
	return TEST_DONE();
}
