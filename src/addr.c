/*
 * Addresses: literal IPv4 and IPv6 only, IPv4-mapped IPv6 folded into IPv4,
 * the address/prefix form used by trusted-proxies, and a LAN host's
 * address under the prefix its router was delegated.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "sftdyn.h"

static const unsigned char v4mapped[12] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff
};

/* Fills in the text form; IPv4-mapped IPv6 becomes plain IPv4 first. */
static void
addr_normalise(struct addr *a)
{
	if (a->family == AF_INET6 && memcmp(a->bytes, v4mapped, 12) == 0) {
		memmove(a->bytes, a->bytes + 12, 4);
		memset(a->bytes + 4, 0, 12);
		a->family = AF_INET;
	}
	inet_ntop(a->family, a->bytes, a->text, sizeof(a->text));
}

/* Parses a literal address; returns 0, or -1 when s is anything else. */
int
addr_parse(struct addr *a, const char *s)
{
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, s, a->bytes) == 1)
		a->family = AF_INET;
	else if (inet_pton(AF_INET6, s, a->bytes) == 1)
		a->family = AF_INET6;
	else
		return -1;
	addr_normalise(a);
	return 0;
}

/* addr_parse() on the first n bytes of s. */
int
addr_parsen(struct addr *a, const char *s, size_t n)
{
	char buf[64];

	if (n >= sizeof(buf))
		return -1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return addr_parse(a, buf);
}

/* Returns 0, or -1 when sa is not an IPv4 or IPv6 socket address. */
int
addr_from_sockaddr(struct addr *a, const struct sockaddr *sa, socklen_t len)
{
	memset(a, 0, sizeof(*a));
	if (sa->sa_family == AF_INET && len >= sizeof(struct sockaddr_in)) {
		a->family = AF_INET;
		memcpy(a->bytes, &((const struct sockaddr_in *)sa)->sin_addr, 4);
	} else if (sa->sa_family == AF_INET6 &&
	    len >= sizeof(struct sockaddr_in6)) {
		a->family = AF_INET6;
		memcpy(a->bytes, &((const struct sockaddr_in6 *)sa)->sin6_addr,
		    16);
	} else
		return -1;
	addr_normalise(a);
	return 0;
}

/*
 * net = address [ "/" prefix ]
 * Returns 0, or -1 when s is not an address or the prefix is out of range.
 */
int
net_parse(struct net *n, const char *s)
{
	const char *slash = strchr(s, '/');
	size_t alen = slash ? (size_t)(slash - s) : strlen(s);
	int v6text = memchr(s, ':', alen) != NULL;
	char *end;
	long prefix;

	if (addr_parsen(&n->addr, s, alen))
		return -1;
	n->prefix = n->addr.family == AF_INET ? 32 : 128;
	if (slash == NULL)
		return 0;
	if (slash[1] < '0' || slash[1] > '9')
		return -1;
	prefix = strtol(slash + 1, &end, 10);
	if (*end != '\0' || prefix > (v6text ? 128 : 32))
		return -1;
	/* "::ffff:10.0.0.0/104" was folded into IPv4: 10.0.0.0/8 */
	if (v6text && n->addr.family == AF_INET)
		prefix -= 96;
	if (prefix < 0)
		return -1;
	n->prefix = (int)prefix;
	return 0;
}

static int
net_match(const struct net *n, const struct addr *a)
{
	int bytes = n->prefix / 8, bits = n->prefix % 8;
	unsigned char mask;

	if (n->addr.family != a->family)
		return 0;
	if (memcmp(n->addr.bytes, a->bytes, (size_t)bytes) != 0)
		return 0;
	if (bits == 0)
		return 1;
	mask = (unsigned char)(0xff << (8 - bits));
	return (n->addr.bytes[bytes] & mask) == (a->bytes[bytes] & mask);
}

/* Returns 1 when a lies in one of the n networks. */
int
net_contains(const struct net *nets, size_t n, const struct addr *a)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (net_match(&nets[i], a))
			return 1;
	return 0;
}

/*
 * A prefix delegated to a router (dyndns2's ip6lanprefix): an IPv6
 * address, "/" and a length from LANPREFIX_MIN to 64, the bits beyond it
 * ignored (cleared).  Returns 0, or -1 when s is anything else: no "/",
 * another length, not IPv6 (IPv4-mapped included), a zone.
 */
int
lanprefix_parse(struct net *n, const char *s)
{
	const char *slash = strchr(s, '/');
	int i;

	if (slash == NULL || memchr(s, ':', (size_t)(slash - s)) == NULL ||
	    net_parse(n, s) != 0 || n->addr.family != AF_INET6 ||
	    n->prefix < LANPREFIX_MIN || n->prefix > 64)
		return -1;
	for (i = n->prefix; i < 128; i++)
		n->addr.bytes[i / 8] &= (unsigned char)~(0x80 >> i % 8);
	addr_normalise(&n->addr);
	return 0;
}

/*
 * The address of a LAN host under prefix p (lanprefix_parse()), into a:
 * the prefix's bits, then subnet in the bits from its length to 64, then
 * the low 64 bits of suffix.  Returns 0, or -1 when subnet does not fit
 * in those bits.
 */
int
lan_address(struct addr *a, const struct net *p, long subnet,
    const struct addr *suffix)
{
	int width = 64 - p->prefix, i;

	if (subnet < 0 || (width < 63 && subnet >= 1L << width))
		return -1;
	memset(a, 0, sizeof(*a));
	a->family = AF_INET6;
	memcpy(a->bytes, p->addr.bytes, 8);
	for (i = 0; i < width; i++)	/* bit 63 - i counts 2^i */
		if (subnet & (1L << i))
			a->bytes[(63 - i) / 8] |=
			    (unsigned char)(0x80 >> (63 - i) % 8);
	memcpy(a->bytes + 8, suffix->bytes + 8, 8);
	addr_normalise(a);
	return 0;
}

/* The DNS record type an address goes into. */
const char *
addr_type(const struct addr *a)
{
	return a->family == AF_INET ? "A" : "AAAA";
}
