/*
 * verify-dns and --verify: when the state says DNS holds the client's
 * address, one question to the primary decides.  The question is one A,
 * AAAA (or, for --verify, TXT) query, RD=0, no TSIG, over UDP and once
 * more over TCP when the answer is truncated; no retries, and no wait
 * beyond the phase's deadline.  The answer confirms only when it is
 * authoritative, NOERROR, for our question, and its records of the name,
 * class IN and that type are exactly the ones expected (dns.c).  This is
 * a resolver's smallest part on purpose: no recursion, no cache, no
 * configuration files.
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
			if (n > 0 && dns_answer_matches(q, m, (size_t)n))
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
	dns_put16(out, (unsigned)q->len);
	memcpy(out + 2, q->msg, q->len);
	if (fd == -1)
		return -1;
	if ((connect(fd, (const struct sockaddr *)&q->to, q->tolen) == 0 ||
	    (errno == EINPROGRESS && deadline_wait(fd, POLLOUT) == 0 &&
	    getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) == 0 &&
	    err == 0)) && write_all(fd, out, q->len + 2) == 0 &&
	    read_full(fd, len, 2) == 0 && dns_get16(len) >= DNS_HEADER &&
	    read_full(fd, m, dns_get16(len)) == 0) {
		n = dns_get16(len);
		if (!dns_answer_matches(q, m, (size_t)n)) {
			*why = "the TCP answer is not for the question";
			n = -1;
		}
	}
	close(fd);
	return n;
}

/*
 * Asks the primary for name's records of type (TYPE_A, TYPE_AAAA or
 * TYPE_TXT), within the phase's deadline: one query over UDP, once more
 * over TCP when truncated.  Returns VERDICT_AGREES with *got the set
 * DNS holds (possibly none); VERDICT_DIFFERS when DNS clearly holds
 * something else there (a CNAME, a DNAME, a set larger than sftdyn
 * reads); VERDICT_NO_ANSWER when no usable answer came.  *why says why
 * not.
 */
enum verdict
verify_read(const struct conf *c, const char *name, int type,
    struct rrset *got, const char **why)
{
	static unsigned char m[DNS_TCP_MAX];
	struct query q;
	int truncated = 0, clear = 0;
	long n;

	*why = NULL;
	got->n = 0;
	if (dns_query_build(&q, name, type) != 0)
		*why = "the host is not a name";
	else if (query_target(&q, c) != 0)
		*why = "the primary's address is unknown";
	else if ((n = query_udp(&q, m, why)) >= 0) {
		*why = dns_answer_read(&q, m, (size_t)n, got, &truncated,
		    &clear);
		if (truncated && (n = query_tcp(&q, m, why)) >= 0) {
			*why = dns_answer_read(&q, m, (size_t)n, got,
			    &truncated, &clear);
			if (truncated)
				*why = "the answer is truncated over TCP too";
		}
	}
	if (*why == NULL)
		return VERDICT_AGREES;
	return clear ? VERDICT_DIFFERS : VERDICT_NO_ANSWER;
}

/*
 * Asks the primary whether name's records of type are exactly the set
 * want.  Returns the verdict; *why says what did not agree.
 */
enum verdict
verify_query(const struct conf *c, const char *name, int type,
    const struct rrset *want, const char **why)
{
	static struct rrset got;
	enum verdict v = verify_read(c, name, type, &got, why);

	if (v == VERDICT_AGREES && (*why = rrset_differs(type, &got, want)) !=
	    NULL)
		v = VERDICT_DIFFERS;
	return v;
}

/* The set of an address record: exactly a. */
void
rrset_addr(struct rrset *e, const struct addr *a)
{
	e->n = 1;
	e->len[0] = a->family == AF_INET ? 4 : 16;
	memcpy(e->rdata[0], a->bytes, e->len[0]);
}

/* The TXT set of st's values: one record per value, one string each. */
void
rrset_txt(struct rrset *e, const struct state *st)
{
	size_t i, len;

	for (i = 0; i < st->n; i++) {
		len = strlen(st->value[i]);
		e->rdata[i][0] = (unsigned char)len;
		memcpy(e->rdata[i] + 1, st->value[i], len);
		e->len[i] = len + 1;
	}
	e->n = st->n;
}

/*
 * verify-dns: asks the primary whether host's record of a's type is
 * exactly a.  Returns 1 when the answer confirms it; 0 when it does not,
 * logged with the reason.
 */
int
verify_confirms(const struct conf *c, const char *host, const struct addr *a)
{
	static struct rrset want;
	const char *why;

	rrset_addr(&want, a);
	if (verify_query(c, host, a->family == AF_INET ? TYPE_A : TYPE_AAAA,
	    &want, &why) == VERDICT_AGREES)
		return 1;
	log_info("verify-dns: %s %s: %s; updating", host, addr_type(a), why);
	return 0;
}
