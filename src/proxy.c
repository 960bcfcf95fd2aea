/*
 * The PROXY protocol (haproxy's proxy-protocol.txt), versions 1 and 2: the
 * header a trusted front-end sends first, naming the real client.  It is
 * read with exact-length reads, so that nothing after it (an HTTP request,
 * or a TLS ClientHello that libtls will read from the socket) is consumed.
 */
#include <sys/socket.h>

#include <string.h>

#include "sftdyn.h"

#define V2_SIG		"\r\n\r\n\0\r\nQUIT\n"
#define V2_SIGLEN	12
#define V2_HEADLEN	16
#define V2_CMD_LOCAL	0x0
#define V2_CMD_PROXY	0x1
#define V2_AF_UNSPEC	0x0
#define V2_AF_INET	0x1
#define V2_AF_INET6	0x2
#define V2_STREAM	0x1

/* port = "0" / %x31-39 0*4DIGIT, at most 65535 */
static int
parse_port(const char *s, size_t len)
{
	long v = 0;
	size_t i;

	if (len == 0 || len > 5 || (s[0] == '0' && len > 1))
		return -1;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v <= 65535 ? 0 : -1;
}

/* Splits off the next space-separated field of [*p, end). */
static int
next_field(const char **p, const char *end, const char **f, size_t *flen)
{
	const char *sp = memchr(*p, ' ', (size_t)(end - *p));

	*f = *p;
	*flen = (size_t)((sp ? sp : end) - *p);
	*p = sp ? sp + 1 : end;
	return *flen > 0 ? 0 : -1;
}

/*
 * v1 = "PROXY" SP ( "UNKNOWN" *anything / proto SP src SP dst SP sport
 *      SP dport ) CRLF, proto = "TCP4" / "TCP6", at most 107 bytes.
 * buf holds the whole line.  Sets *a to the source unless UNKNOWN.
 */
static enum status
parse_v1(const char *buf, size_t len, struct addr *a, int *has_addr)
{
	const char *p = buf + 6, *end, *f[4];
	size_t flen[4], i;
	struct addr src, dst;
	int family;

	if (len > PROXY_V1_MAX || len < 8 || memcmp(buf, "PROXY ", 6) != 0)
		return ST_BADREQ;
	end = buf + len - 2;
	if (memcmp(end, "\r\n", 2) != 0 || memchr(buf, '\n', len - 1) != NULL)
		return ST_BADREQ;
	if ((size_t)(end - p) >= 7 && memcmp(p, "UNKNOWN", 7) == 0 &&
	    (end - p == 7 || p[7] == ' ')) {
		*has_addr = 0;
		return ST_OK;
	}
	if ((size_t)(end - p) < 5 || p[4] != ' ')
		return ST_BADREQ;
	if (memcmp(p, "TCP4", 4) == 0)
		family = AF_INET;
	else if (memcmp(p, "TCP6", 4) == 0)
		family = AF_INET6;
	else
		return ST_BADREQ;
	p += 5;
	for (i = 0; i < 4; i++)
		if (next_field(&p, end, &f[i], &flen[i]) != 0)
			return ST_BADREQ;
	if (p != end || addr_parsen(&src, f[0], flen[0]) != 0 ||
	    addr_parsen(&dst, f[1], flen[1]) != 0 ||
	    parse_port(f[2], flen[2]) != 0 || parse_port(f[3], flen[3]) != 0)
		return ST_BADREQ;
	/* TCP4 takes dotted quads only; TCP6 takes IPv6 text only */
	if ((family == AF_INET) != (memchr(f[0], ':', flen[0]) == NULL) ||
	    (family == AF_INET) != (memchr(f[1], ':', flen[1]) == NULL))
		return ST_BADREQ;
	*a = src;
	*has_addr = 1;
	return ST_OK;
}

/*
 * v2 = signature(12) ver_cmd(1) fam(1) len(2, big-endian) addresses
 * buf holds the whole header.  Sets *a to the source for PROXY over TCP;
 * LOCAL and UNSPEC mean the immediate peer is the client.
 */
static enum status
parse_v2(const unsigned char *buf, size_t len, struct addr *a, int *has_addr)
{
	size_t alen = (size_t)(buf[14] << 8 | buf[15]);
	unsigned int ver = buf[12] >> 4, cmd = buf[12] & 0xf;
	unsigned int af = buf[13] >> 4, proto = buf[13] & 0xf;
	struct sockaddr_in sin = { .sin_family = AF_INET };
	struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6 };

	if (len != V2_HEADLEN + alen || ver != 2 || cmd > V2_CMD_PROXY)
		return ST_BADREQ;
	*has_addr = 0;
	if (cmd == V2_CMD_LOCAL || af == V2_AF_UNSPEC)
		return ST_OK;
	if (proto != V2_STREAM || (af != V2_AF_INET && af != V2_AF_INET6))
		return ST_BADREQ;
	/* source and destination address, then the two ports */
	if (alen < (af == V2_AF_INET ? 12u : 36u))
		return ST_BADREQ;
	if (af == V2_AF_INET) {
		memcpy(&sin.sin_addr, buf + V2_HEADLEN, 4);
		addr_from_sockaddr(a, (struct sockaddr *)&sin, sizeof(sin));
	} else {
		memcpy(&sin6.sin6_addr, buf + V2_HEADLEN, 16);
		addr_from_sockaddr(a, (struct sockaddr *)&sin6, sizeof(sin6));
	}
	*has_addr = 1;
	return ST_OK;
}

/*
 * Parses one complete PROXY header, v1 or v2.  Returns ST_OK, setting *a
 * and *has_addr = 1 when the header names the client, or ST_BADREQ.
 */
enum status
proxy_parse(const char *buf, size_t len, struct addr *a, int *has_addr)
{
	*has_addr = 0;
	if (len >= V2_HEADLEN && memcmp(buf, V2_SIG, V2_SIGLEN) == 0)
		return parse_v2((const unsigned char *)buf, len, a, has_addr);
	return parse_v1(buf, len, a, has_addr);
}

/*
 * Reads the PROXY header that must start the connection and replaces *a
 * with the client it names.  Returns ST_OK, ST_BADREQ for a missing or
 * malformed header, or 0 when the connection failed or timed out.
 */
enum status
proxy_read(struct conn *conn, struct addr *a)
{
	char buf[PROXY_MAX];
	size_t len = 5, alen;
	int has_addr;

	if (read_all(conn->rfd, buf, len) != 0)
		return 0;
	if (memcmp(buf, "PROXY", 5) == 0) {
		do {
			if (read_all(conn->rfd, buf + len, 1) != 0)
				return 0;
		} while (buf[len++] != '\n' && len < PROXY_V1_MAX);
	} else if (memcmp(buf, V2_SIG, 5) == 0) {
		if (read_all(conn->rfd, buf + len, V2_HEADLEN - len) != 0)
			return 0;
		len = V2_HEADLEN;
		alen = (size_t)((unsigned char)buf[14] << 8 |
		    (unsigned char)buf[15]);
		if (alen > sizeof(buf) - V2_HEADLEN)
			return ST_BADREQ;
		if (read_all(conn->rfd, buf + len, alen) != 0)
			return 0;
		len += alen;
	} else
		return ST_BADREQ;
	if (proxy_parse(buf, len, a, &has_addr) != ST_OK)
		return ST_BADREQ;
	return ST_OK;
}
