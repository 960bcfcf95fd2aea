/* Unit tests for the PROXY protocol parser, v1 and v2. */
#include <stdlib.h>

#include "sftdyn.h"
#include "tap.h"

static struct addr a;
static int has;

static enum status
v1(const char *s)
{
	memset(&a, 0, sizeof(a));
	return proxy_parse(s, strlen(s), &a, &has);
}

/* A v2 header: version/command, family/protocol, then alen bytes. */
static enum status
v2(int vercmd, int fam, const unsigned char *addrs, size_t alen, size_t len)
{
	unsigned char buf[PROXY_MAX];

	memcpy(buf, "\r\n\r\n\0\r\nQUIT\n", 12);
	buf[12] = (unsigned char)vercmd;
	buf[13] = (unsigned char)fam;
	buf[14] = (unsigned char)(alen >> 8);
	buf[15] = (unsigned char)alen;
	memcpy(buf + 16, addrs, alen);
	memset(&a, 0, sizeof(a));
	return proxy_parse((const char *)buf, len ? len : 16 + alen, &a, &has);
}

int
main(void)
{
	static const unsigned char in4[12] = { 192, 0, 2, 7, 10, 0, 0, 1,
	    0x30, 0x39, 0x1f, 0x90 };
	unsigned char in6[36] = { 0x20, 0x01, 0x0d, 0xb8 };
	unsigned char big[PROXY_MAX];
	char line[200];

	in6[15] = 5;
	TEST(v1("PROXY TCP4 192.0.2.7 10.0.0.1 12345 8080\r\n") == ST_OK &&
	    has && strcmp(a.text, "192.0.2.7") == 0, "v1 TCP4");
	TEST(v1("PROXY TCP6 2001:db8::5 2001:db8::1 65535 0\r\n") == ST_OK &&
	    has && strcmp(a.text, "2001:db8::5") == 0, "v1 TCP6");
	TEST(v1("PROXY TCP6 ::ffff:192.0.2.9 ::ffff:10.0.0.1 1 2\r\n") == ST_OK &&
	    has && strcmp(a.text, "192.0.2.9") == 0 && a.family == AF_INET,
	    "v1 TCP6 with IPv4-mapped addresses is IPv4");
	TEST(v1("PROXY UNKNOWN\r\n") == ST_OK && !has, "v1 UNKNOWN");
	TEST(v1("PROXY UNKNOWN ffff::1 ffff::2 1 2\r\n") == ST_OK && !has,
	    "v1 UNKNOWN with addresses");
	TEST(v1("PROXY TCP4 192.0.2.7 10.0.0.1 12345 8080\n") == ST_BADREQ,
	    "v1 bare LF");
	TEST(v1("PROXY TCP4 192.0.2.7 10.0.0.1 12345\r\n") == ST_BADREQ,
	    "v1 truncated: no destination port");
	TEST(v1("PROXY TCP4 192.0.2.7\r\n") == ST_BADREQ, "v1 truncated");
	TEST(v1("PROXY TCP4 192.0.2.7 10.0.0.1 12345 8080 9\r\n") == ST_BADREQ,
	    "v1 extra field");
	TEST(v1("PROXY TCP4  192.0.2.7 10.0.0.1 12345 8080\r\n") == ST_BADREQ,
	    "v1 double space");
	TEST(v1("PROXY TCP5 192.0.2.7 10.0.0.1 12345 8080\r\n") == ST_BADREQ,
	    "v1 wrong family");
	TEST(v1("PROXY UDP4 192.0.2.7 10.0.0.1 12345 8080\r\n") == ST_BADREQ,
	    "v1 UDP");
	TEST(v1("PROXY TCP4 2001:db8::5 10.0.0.1 12345 8080\r\n") == ST_BADREQ,
	    "v1 TCP4 with an IPv6 source");
	TEST(v1("PROXY TCP6 192.0.2.7 2001:db8::1 12345 8080\r\n") == ST_BADREQ,
	    "v1 TCP6 with an IPv4 source");
	TEST(v1("PROXY TCP4 192.0.2.7 2001:db8::1 12345 8080\r\n") == ST_BADREQ,
	    "v1 TCP4 with an IPv6 destination");
	TEST(v1("PROXY TCP4 host.example 10.0.0.1 12345 8080\r\n") == ST_BADREQ,
	    "v1 a name as source");
	TEST(v1("PROXY TCP4 192.0.2.7 10.0.0.1 65536 8080\r\n") == ST_BADREQ,
	    "v1 port over 65535");
	TEST(v1("PROXY TCP4 192.0.2.7 10.0.0.1 -1 8080\r\n") == ST_BADREQ,
	    "v1 negative port");
	TEST(v1("PROXY TCP4 192.0.2.7 10.0.0.1 080 8080\r\n") == ST_BADREQ,
	    "v1 port with a leading zero");
	TEST(v1("PROXY TCP4 192.0.2.7 10.0.0.1 1a 8080\r\n") == ST_BADREQ,
	    "v1 port not a number");
	TEST(v1("PROXY TCP4 192.0.2.7 10.0.0.1 123456 8080\r\n") == ST_BADREQ,
	    "v1 port too long");
	TEST(v1("proxy TCP4 192.0.2.7 10.0.0.1 1 2\r\n") == ST_BADREQ,
	    "v1 lower case");
	TEST(v1("GET / HTTP/1.1\r\n") == ST_BADREQ, "no header at all");
	memset(line, 0, sizeof(line));
	strcpy(line, "PROXY UNKNOWN ");
	memset(line + 14, 'x', 100);
	strcpy(line + 114, "\r\n");
	TEST(v1(line) == ST_BADREQ, "v1 over 107 bytes");

	TEST(v2(0x21, 0x11, in4, 12, 0) == ST_OK && has &&
	    strcmp(a.text, "192.0.2.7") == 0, "v2 PROXY TCP4");
	TEST(v2(0x21, 0x21, in6, 36, 0) == ST_OK && has &&
	    strcmp(a.text, "2001:db8::5") == 0, "v2 PROXY TCP6");
	memset(big, 0, sizeof(big));
	memcpy(big, in4, 12);
	TEST(v2(0x21, 0x11, big, 40, 0) == ST_OK && has,
	    "v2 with TLVs after the addresses");
	TEST(v2(0x20, 0x00, in4, 0, 0) == ST_OK && !has, "v2 LOCAL");
	TEST(v2(0x20, 0x11, in4, 12, 0) == ST_OK && !has,
	    "v2 LOCAL with addresses: the peer");
	TEST(v2(0x21, 0x00, in4, 0, 0) == ST_OK && !has, "v2 PROXY UNSPEC");
	TEST(v2(0x11, 0x11, in4, 12, 0) == ST_BADREQ, "v2 version 1");
	TEST(v2(0x31, 0x11, in4, 12, 0) == ST_BADREQ, "v2 version 3");
	TEST(v2(0x22, 0x11, in4, 12, 0) == ST_BADREQ, "v2 unknown command");
	TEST(v2(0x21, 0x31, in4, 12, 0) == ST_BADREQ, "v2 AF_UNIX");
	TEST(v2(0x21, 0x41, in4, 12, 0) == ST_BADREQ, "v2 unknown family");
	TEST(v2(0x21, 0x12, in4, 12, 0) == ST_BADREQ, "v2 UDP");
	TEST(v2(0x21, 0x10, in4, 12, 0) == ST_BADREQ, "v2 unspecified protocol");
	TEST(v2(0x21, 0x11, in4, 8, 0) == ST_BADREQ,
	    "v2 TCP4 with too short an address block");
	TEST(v2(0x21, 0x21, in6, 12, 0) == ST_BADREQ,
	    "v2 TCP6 with a TCP4-sized address block");
	TEST(v2(0x21, 0x11, in4, 12, 20) == ST_BADREQ,
	    "v2 truncated: fewer bytes than its length");
	return TEST_DONE();
}
