/*
 * The DNS wire format of verify-dns and --verify: building one question
 * and reading its answer, apart from the exchange (verify.c) so that it
 * can be tested and fuzzed on its own.  Names are compared in wire form,
 * label by label: as dotted text, a label that holds a dot or a NUL
 * would pass for two labels, or for fewer bytes.
 */
#include <sys/random.h>

#include <ctype.h>
#include <string.h>

#include "sftdyn.h"

#define CLASS_IN	1
#define FLAG_QR		0x8000
#define FLAG_AA		0x0400
#define FLAG_TC		0x0200
#define OPCODE(f)	(((f) >> 11) & 0xf)
#define RCODE(f)	((f) & 0xf)

unsigned
dns_get16(const unsigned char *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

void
dns_put16(unsigned char *p, unsigned v)
{
	p[0] = (unsigned char)(v >> 8);
	p[1] = (unsigned char)v;
}

/* Builds the query for host's type t records; 0, or -1 (not a name). */
int
dns_query_build(struct query *q, const char *host, int t)
{
	unsigned char *p = q->msg + DNS_HEADER, *label;
	const char *s;
	size_t i = 0;

	memset(q->msg, 0, DNS_HEADER);
	if (getrandom(q->msg, 2, 0) != 2)
		return -1;
	dns_put16(q->msg + 4, 1);		/* QDCOUNT; flags 0: QUERY, RD=0 */
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
	dns_put16(p, (unsigned)t);
	dns_put16(p + 2, CLASS_IN);
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
 * Why the header of answer m gives no set to read, or NULL: it is not
 * truncated (*truncated), for a QUERY, NOERROR or NXDOMAIN (*nxdomain),
 * and authoritative.
 */
static const char *
answer_header(const unsigned char *m, int *truncated, int *nxdomain)
{
	unsigned flags = dns_get16(m + 2);

	*truncated = (flags & FLAG_TC) != 0;
	*nxdomain = RCODE(flags) == 3;
	if (*truncated)
		return "the answer is truncated";
	if (OPCODE(flags) != 0)
		return "the answer is not for a QUERY";
	if (RCODE(flags) != 0 && !*nxdomain)
		return "the primary answered with an error (RCODE not NOERROR)";
	if (!(flags & FLAG_AA))
		return "the answer is not authoritative (AA=0)";
	return NULL;
}

/*
 * Reads answer m (len bytes; its header, question and ID checked by
 * dns_answer_matches()) to q into *got: the records of q's name, class IN
 * and q's type, as a set (NXDOMAIN: none).  Returns NULL, or why it gives
 * no such set: *truncated for TC=1; *clear when the answer is clear, but
 * not a set sftdyn uses: a CNAME or DNAME on the way (any record in the
 * answer section but the queried name's, class and type: the name is not
 * where it seems), more than RRSET_MAX records or one over RDATA_MAX
 * bytes; neither when it is no usable answer (an error, AA=0, malformed).
 */
const char *
dns_answer_read(const struct query *q, const unsigned char *m, size_t len,
    struct rrset *got, int *truncated, int *clear)
{
	unsigned char owner[DNS_NAME_MAX];
	size_t off = DNS_HEADER + q->qlen, qnlen = q->qlen - 4;
	unsigned i, an, type, class, rdlen;
	const char *why;
	int nxdomain;
	long olen;

	got->n = 0;
	*clear = 0;
	if ((why = answer_header(m, truncated, &nxdomain)) != NULL)
		return why;
	an = dns_get16(m + 6);
	for (i = 0; i < an; i++) {
		if ((olen = name_read(m, len, &off, owner)) < 0 ||
		    off + 10 > len)
			return "the answer is malformed";
		type = dns_get16(m + off);
		class = dns_get16(m + off + 2);
		rdlen = dns_get16(m + off + 8);
		if ((off += 10) + rdlen > len)
			return "the answer is malformed";
		if (type != (unsigned)q->type || class != CLASS_IN ||
		    (size_t)olen != qnlen ||
		    memcmp(owner, q->msg + DNS_HEADER, qnlen) != 0) {
			*clear = 1;
			return "the answer holds a record of another name or "
			    "type (a CNAME or DNAME on the way)";
		}
		if (got->n == RRSET_MAX || rdlen > RDATA_MAX) {
			*clear = 1;
			return "the primary holds more than sftdyn reads";
		}
		got->len[got->n] = rdlen;
		memcpy(got->rdata[got->n++], m + off, rdlen);
		off += rdlen;
	}
	if (nxdomain && got->n > 0)
		return "the answer is malformed (NXDOMAIN with records)";
	return NULL;
}

/* Whether set a holds rdata [data, data + len). */
static int
rrset_has(const struct rrset *a, const unsigned char *data, size_t len)
{
	size_t i;

	for (i = 0; i < a->n; i++)
		if (a->len[i] == len && memcmp(a->rdata[i], data, len) == 0)
			return 1;
	return 0;
}

/*
 * Why set got, of type, is not exactly set want (as sets: each record
 * once, in any order), or NULL when it is.
 */
const char *
rrset_differs(int type, const struct rrset *got, const struct rrset *want)
{
	size_t i;

	if (got->n == 0 && want->n > 0)
		return "the primary holds no such record";
	if (got->n > 1 && want->n == 1)
		return "the primary holds more than one record";
	if (got->n != want->n)
		return "the primary holds another number of records";
	for (i = 0; i < got->n; i++)
		if (!rrset_has(want, got->rdata[i], got->len[i]))
			return want->n == 1 && type != TYPE_TXT ?
			    "the primary holds another address" :
			    "the primary holds other values";
	return NULL;
}

/*
 * Whether m (len bytes) is the answer to q: ID, QR=1, and the same one
 * question, the name in any case.  q's name is lower case, and its length,
 * type and class bytes are never letters, so tolower() on the answer's
 * bytes lets only the name's letters differ in case.
 */
int
dns_answer_matches(const struct query *q, const unsigned char *m, size_t len)
{
	if (len < q->len || memcmp(m, q->msg, 2) != 0 ||
	    !(dns_get16(m + 2) & FLAG_QR) || dns_get16(m + 4) != 1)
		return 0;
	for (size_t i = DNS_HEADER; i < q->len; i++)
		if (tolower(m[i]) != q->msg[i])
			return 0;
	return 1;
}

