/*
 * verify-dns: when the state says DNS holds the
 * client's address, one question to the primary decides.  The question is
 * one A or AAAA query, RD=0, no TSIG, over UDP and once more over TCP when
 * the answer is truncated; no retries, and no wait beyond the phase's
 * deadline.  The answer confirms only when it is authoritative, NOERROR,
 * for our question, and its records of the host, class IN and that type
 * are exactly one: the client's address.  This is a resolver's smallest
 * part on purpose: no recursion, no cache, no configuration files.
 */
#include <sys/random.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "sftdyn.h"

#define DNS_HEADER	12
#define DNS_TCP_MAX	65535
#define DNS_NAME_MAX	255
#define TYPE_A		1
#define TYPE_AAAA	28
#define CLASS_IN	1
#define FLAG_QR		0x8000
#define FLAG_AA		0x0400
#define FLAG_TC		0x0200
#define OPCODE(f)	(((f) >> 11) & 0xf)
#define RCODE(f)	((f) & 0xf)

/* A question and where it goes. */
struct query {
	unsigned char		 msg[DNS_HEADER + DNS_NAME_MAX + 4];
	size_t			 len;
	size_t			 qlen;	/* the question section's length */
	char			 name[DNS_NAME_MAX + 1];	/* lower case */
	int			 type;
	struct sockaddr_storage	 to;
	socklen_t		 tolen;
};

static unsigned
get16(const unsigned char *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

static void
put16(unsigned char *p, unsigned v)
{
	p[0] = (unsigned char)(v >> 8);
	p[1] = (unsigned char)v;
}

/* Builds the query for host's type t records; 0, or -1 (not a name). */
static int
query_build(struct query *q, const char *host, int t)
{
	unsigned char *p = q->msg + DNS_HEADER, *label;
	const char *s;
	size_t i = 0;

	memset(q->msg, 0, DNS_HEADER);
	if (getrandom(q->msg, 2, 0) != 2)
		return -1;
	put16(q->msg + 4, 1);		/* QDCOUNT; flags 0: QUERY, RD=0 */
	for (s = host; *s != '\0'; s++) {
		if (*s == '.' && s[1] == '\0')
			break;
		q->name[i++] = (char)tolower((unsigned char)*s);
	}
	q->name[i] = '\0';
	for (s = q->name; *s != '\0'; s += *s == '.') {
		label = p++;
		while (*s != '\0' && *s != '.')
			*p++ = (unsigned char)*s++;
		if (p - label - 1 < 1 || p - label - 1 > LABEL_MAX)
			return -1;
		*label = (unsigned char)(p - label - 1);
	}
	*p++ = 0;
	put16(p, (unsigned)t);
	put16(p + 2, CLASS_IN);
	q->len = (size_t)(p + 4 - q->msg);
	q->qlen = q->len - DNS_HEADER;
	q->type = t;
	return 0;
}

/*
 * Reads the name at *off of msg into out in wire form, its labels' letters
 * lower-cased, following compression pointers backwards only; advances
 * *off past it.  Returns the length of the wire form, root label
 * included, or -1 when it is malformed.  Names are compared in this form,
 * label by label: as dotted text, a label that holds a dot or a NUL would
 * pass for two labels, or for fewer bytes.
 */
static long
name_read(const unsigned char *msg, size_t len, size_t *off,
    unsigned char out[DNS_NAME_MAX])
{
	size_t pos = *off, n = 0, end = 0;
	unsigned ll;

	for (;;) {
		if (pos >= len)
			return -1;
		ll = msg[pos];
		if ((ll & 0xc0) == 0xc0) {
			size_t to;

			if (pos + 1 >= len ||
			    (to = (ll & 0x3f) << 8 | msg[pos + 1]) >= pos)
				return -1;
			if (end == 0)
				end = pos + 2;
			pos = to;
			continue;
		}
		if (ll & 0xc0)
			return -1;
		if (pos + 1 + ll > len || n + ll + 1 >= DNS_NAME_MAX)
			return -1;
		out[n++] = (unsigned char)ll;
		for (size_t i = 0; i < ll; i++)
			out[n++] = (unsigned char)tolower(msg[pos + 1 + i]);
		pos += 1 + ll;
		if (ll == 0)
			break;
	}
	*off = end ? end : pos;
	return (long)n;
}

/*
 * Why the answer m does not confirm that q's name holds exactly a, or
 * NULL when it does; *truncated is set for an answer with TC=1.
 */
static const char *
answer_check(const struct query *q, const unsigned char *m, size_t len,
    const struct addr *a, int *truncated)
{
	unsigned char owner[DNS_NAME_MAX];
	size_t off = DNS_HEADER + q->qlen, alen, qnlen = q->qlen - 4;
	long olen;
	unsigned flags, i, an, match = 0, same = 0;

	flags = get16(m + 2);
	*truncated = (flags & FLAG_TC) != 0;
	if (*truncated)
		return "the answer is truncated";
	if (OPCODE(flags) != 0)
		return "the answer is not for a QUERY";
	if (RCODE(flags) == 3)
		return "NXDOMAIN";
	if (RCODE(flags) != 0)
		return "the primary answered with an error (RCODE not NOERROR)";
	if (!(flags & FLAG_AA))
		return "the answer is not authoritative (AA=0)";
	an = get16(m + 6);
	alen = a->family == AF_INET ? 4 : 16;
	for (i = 0; i < an; i++) {
		unsigned type, class, rdlen;

		if ((olen = name_read(m, len, &off, owner)) < 0 ||
		    off + 10 > len)
			return "the answer is malformed";
		type = get16(m + off);
		class = get16(m + off + 2);
		rdlen = get16(m + off + 8);
		if ((off += 10) + rdlen > len)
			return "the answer is malformed";
		if (type == (unsigned)q->type && class == CLASS_IN &&
		    (size_t)olen == qnlen &&
		    memcmp(owner, q->msg + DNS_HEADER, qnlen) == 0) {
			match++;
			same += rdlen == alen && memcmp(m + off, a->bytes,
			    alen) == 0;
		}
		off += rdlen;
	}
	if (match == 0)
		return "the primary holds no such record";
	if (match > 1)
		return "the primary holds more than one record";
	return same ? NULL : "the primary holds another address";
}

/*
 * Whether m (len bytes) is the answer to q: ID, QR=1, and the same one
 * question, the name in any case.  q's name is lower case, and its length,
 * type and class bytes are never letters, so tolower() on the answer's
 * bytes lets only the name's letters differ in case.
 */
static int
answer_matches(const struct query *q, const unsigned char *m, size_t len)
{
	if (len < q->len || memcmp(m, q->msg, 2) != 0 ||
	    !(get16(m + 2) & FLAG_QR) || get16(m + 4) != 1)
		return 0;
	for (size_t i = DNS_HEADER; i < q->len; i++)
		if (tolower(m[i]) != q->msg[i])
			return 0;
	return 1;
}

/* Where the question goes: nsserver (unset: 127.0.0.1) on nsport. */
static int
query_target(struct query *q, const struct conf *c)
{
	const char *server = c->nsserver ? c->nsserver : "127.0.0.1";
	struct addrinfo hints, *res;
	char port[8];
	int rc;

	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_DGRAM;
	snprintf(port, sizeof(port), "%ld", c->nsport);
	if ((rc = getaddrinfo(server, port, &hints, &res)) != 0) {
		log_err("verify-dns: %s: %s", server, gai_strerror(rc));
		return -1;
	}
	memcpy(&q->to, res->ai_addr, res->ai_addrlen);
	q->tolen = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}

/* The UDP exchange; returns the answer's length, or -1 with *why set. */
static long
query_udp(const struct query *q, unsigned char *m, const char **why)
{
	int fd = socket(q->to.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	ssize_t n = -1;

	*why = "the primary did not answer in time";
	if (fd == -1 || connect(fd, (const struct sockaddr *)&q->to,
	    q->tolen) != 0 || send(fd, q->msg, q->len, 0) != (ssize_t)q->len) {
		*why = "the query could not be sent";
		n = -1;
	} else {
		while (deadline_wait(fd, POLLIN) == 0) {
			n = recv(fd, m, DNS_TCP_MAX, 0);
			if (n < 0 && errno == ECONNREFUSED) {
				*why = "the primary refused the connection";
				break;
			}
			if (n > 0 && answer_matches(q, m, (size_t)n))
				break;
			n = -1;		/* not our answer: keep waiting */
		}
	}
	if (fd != -1)
		close(fd);
	return n;
}

/* Reads exactly len bytes from fd before the deadline; 0, or -1. */
static int
read_full(int fd, unsigned char *p, size_t len)
{
	ssize_t n;

	while (len > 0) {
		if (deadline_wait(fd, POLLIN) != 0)
			return -1;
		if ((n = read(fd, p, len)) <= 0) {
			if (n < 0 && errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* The TCP exchange; returns the answer's length, or -1 with *why set. */
static long
query_tcp(const struct query *q, unsigned char *m, const char **why)
{
	int fd = socket(q->to.ss_family, SOCK_STREAM | SOCK_CLOEXEC |
	    SOCK_NONBLOCK, 0), err = 0;
	socklen_t elen = sizeof(err);
	unsigned char out[2 + sizeof(q->msg)], len[2];
	long n = -1;

	*why = "the primary did not answer over TCP in time";
	put16(out, (unsigned)q->len);
	memcpy(out + 2, q->msg, q->len);
	if (fd == -1)
		return -1;
	if ((connect(fd, (const struct sockaddr *)&q->to, q->tolen) == 0 ||
	    (errno == EINPROGRESS && deadline_wait(fd, POLLOUT) == 0 &&
	    getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) == 0 &&
	    err == 0)) && write_all(fd, out, q->len + 2) == 0 &&
	    read_full(fd, len, 2) == 0 && get16(len) >= DNS_HEADER &&
	    read_full(fd, m, get16(len)) == 0) {
		n = get16(len);
		if (!answer_matches(q, m, (size_t)n)) {
			*why = "the TCP answer is not for the question";
			n = -1;
		}
	}
	close(fd);
	return n;
}

/*
 * Asks the primary whether host's record of a's type is exactly a, within
 * the phase's deadline.  Returns 1 when the answer confirms it; 0 when it
 * does not, logged with the reason.
 */
int
verify_confirms(const struct conf *c, const char *host, const struct addr *a)
{
	static unsigned char m[DNS_TCP_MAX];
	const char *why = NULL;
	struct query q;
	int truncated = 0;
	long n;

	if (query_build(&q, host, a->family == AF_INET ? TYPE_A : TYPE_AAAA)
	    != 0)
		why = "the host is not a name";
	else if (query_target(&q, c) != 0)
		why = "the primary's address is unknown";
	else if ((n = query_udp(&q, m, &why)) >= 0) {
		why = answer_check(&q, m, (size_t)n, a, &truncated);
		if (truncated && (n = query_tcp(&q, m, &why)) >= 0) {
			why = answer_check(&q, m, (size_t)n, a, &truncated);
			if (truncated)
				why = "the answer is truncated over TCP too";
		}
	}
	if (why == NULL)
		return 1;
	log_info("verify-dns: %s %s: %s; updating", host, addr_type(a), why);
	return 0;
}
