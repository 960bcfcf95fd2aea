/*
 * Dyn's dyndns2 protocol (SPEC section 5a): /nic/update and /v3/update
 * with HTTP Basic credentials, a hostname list and myip addresses,
 * answered with one word per name.  Parsing here is strict and bounded:
 * the query and the credentials are decoded into fixed buffers, and
 * whatever is not exactly a name or an address is answered as such.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "sftdyn.h"

/* Whether key (a request-target without its '/') is a dyndns2 update. */
int
dyn_is_update(const char *key)
{
	static const char *const paths[] = { "nic/update", "v3/update" };
	size_t i;

	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		if (has_prefix(key, paths[i], "?"))
			return 1;
	return 0;
}

static int
hex_value(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/*
 * Percent-decodes [in, in + len) into out, NUL-terminated; returns the
 * decoded length.  "+" is a space; a '%' not followed by two hex digits
 * stays as it is.  A decoded NUL would end the value early, so it becomes
 * 0x01, which no name or address holds: the value fails as a whole.
 */
static size_t
pct_decode(char *out, const char *in, size_t len)
{
	size_t i, n = 0;
	int hi, lo;

	for (i = 0; i < len; i++) {
		char ch = in[i];

		if (ch == '+')
			ch = ' ';
		else if (ch == '%' && i + 2 < len &&
		    (hi = hex_value(in[i + 1])) >= 0 &&
		    (lo = hex_value(in[i + 2])) >= 0) {
			ch = (char)(hi << 4 | lo);
			i += 2;
		}
		out[n++] = ch == '\0' ? '\001' : ch;
	}
	out[n] = '\0';
	return n;
}

/* The query's parameter called name, for dyn_query_parse(). */
static char **
query_slot(struct dyn_query *q, const char *name)
{
	if (strcmp(name, "hostname") == 0)
		return &q->hostname;
	if (strcmp(name, "myip") == 0)
		return &q->myip;
	if (strcmp(name, "myipv6") == 0)
		return &q->myipv6;
	if (strcmp(name, "myip6") == 0)
		return &q->myip6;
	return NULL;
}

/*
 * Decodes the parameters of key's query that dyndns2 reads; the first
 * occurrence of each counts, others are ignored.
 */
void
dyn_query_parse(struct dyn_query *q, const char *key)
{
	const char *p = strchr(key, '?'), *amp, *eq;
	char name[16], *out = q->buf, **slot;

	memset(q, 0, sizeof(*q));
	for (p = p ? p + 1 : ""; *p != '\0'; p = *amp ? amp + 1 : amp) {
		amp = p + strcspn(p, "&");
		if ((eq = memchr(p, '=', (size_t)(amp - p))) == NULL)
			eq = amp;
		if ((size_t)(eq - p) >= sizeof(name))
			continue;
		pct_decode(name, p, (size_t)(eq - p));
		if ((slot = query_slot(q, name)) == NULL || *slot != NULL)
			continue;
		*slot = out;
		eq += eq < amp;
		out += pct_decode(out, eq, (size_t)(amp - eq)) + 1;
	}
}

static int
b64_value(char ch)
{
	static const char alphabet[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const char *p = ch != '\0' ? strchr(alphabet, ch) : NULL;

	return p != NULL ? (int)(p - alphabet) : -1;
}

/*
 * Decodes base64 (RFC 4648, padding optional) into out, NUL-terminated.
 * Returns the length, or -1 when in is not base64 or decodes to a NUL.
 */
static long
b64_decode(char *out, const char *in, size_t len)
{
	unsigned long bits = 0;
	size_t i, n = 0;
	int nbits = 0, v;

	while (len > 0 && in[len - 1] == '=' && len % 4 != 1)
		len--;
	if (len % 4 == 1)
		return -1;
	for (i = 0; i < len; i++) {
		if ((v = b64_value(in[i])) < 0)
			return -1;
		bits = (bits << 6 | (unsigned long)v) & 0xffffff;
		if ((nbits += 6) >= 8) {
			nbits -= 8;
			if ((out[n++] = (char)(bits >> nbits & 0xff)) == '\0')
				return -1;
		}
	}
	out[n] = '\0';
	return (long)n;
}

/*
 * Reads the request's Authorization header: "Basic" (any case), spaces,
 * base64 of "user:password".  Returns 0 with a->user and a->pass set, or
 * -1 when there is none, more than one, or it is malformed.
 */
int
dyn_auth_parse(struct dyn_auth *a, const struct request *req)
{
	const char *v = req->auth, *end = req->auth + req->auth_len;
	char *colon;

	memset(a, 0, sizeof(*a));
	if (req->nauth != 1 || req->auth_len < 6 ||
	    strncasecmp(v, "Basic ", 6) != 0)
		return -1;
	for (v += 6; v < end && (*v == ' ' || *v == '\t'); v++)
		;
	if ((size_t)(end - v) * 3 / 4 + 3 > sizeof(a->buf) ||
	    b64_decode(a->buf, v, (size_t)(end - v)) < 0 ||
	    (colon = strchr(a->buf, ':')) == NULL)
		return -1;
	*colon = '\0';
	a->user = a->buf;
	a->pass = colon + 1;
	return 0;
}

/* Whether two DNS names are equal, case-insensitive, one trailing dot off. */
static int
host_equal(const char *a, const char *b)
{
	size_t alen = strlen(a), blen = strlen(b);

	alen -= alen > 0 && a[alen - 1] == '.';
	blen -= blen > 0 && b[blen - 1] == '.';
	return alen == blen && strncasecmp(a, b, alen) == 0;
}

/* Whether user names client cl: its section name, or its host. */
int
dyn_user_matches(const struct client *cl, const char *user)
{
	return strcmp(user, cl->name) == 0 || host_equal(user, cl->host);
}

/*
 * Splits a comma list in place into at most max elements of v.  Returns
 * the number of elements, or max + 1 when there are more.
 */
static size_t
split_list(char *list, char **v, size_t max)
{
	size_t n = 0;
	char *el;

	while ((el = strsep(&list, ",")) != NULL) {
		if (n == max)
			return max + 1;
		v[n++] = el;
	}
	return n;
}

/* Adds the address text to a if it is one of a family a does not hold. */
static int
take_address(struct addr a[2], size_t *n, const char *text)
{
	struct addr x;

	if (*n == 2 || addr_parse(&x, text) != 0 ||
	    (*n == 1 && a[0].family == x.family))
		return -1;
	a[(*n)++] = x;
	return 0;
}

/* Takes myip's addresses, empty elements ignored; 0, or -1 malformed. */
static int
take_myip(struct addr a[2], size_t *n, const char *myip)
{
	char list[TARGET_MAX + 1], *p = list, *el;

	snprintf(list, sizeof(list), "%s", myip);
	while ((el = strsep(&p, ",")) != NULL)
		if (*el != '\0' && take_address(a, n, el) != 0)
			return -1;
	return 0;
}

/* Replaces a's IPv6 address, if any, by myipv6's; 0, or -1 malformed. */
static int
take_myipv6(struct addr a[2], size_t *n, const char *v6)
{
	struct addr x;
	size_t i, k;

	if (addr_parse(&x, v6) != 0 || x.family != AF_INET6)
		return -1;
	for (i = k = 0; i < *n; i++)
		if (a[i].family == AF_INET)
			a[k++] = a[i];
	a[k++] = x;
	*n = k;
	return 0;
}

/*
 * The addresses to set (SPEC section 5a): myip's, with myipv6's (else
 * myip6's) in place of an IPv6 one; when none is explicit, or allow-myip
 * is false, the connection's.  Returns 0 with a[0..n) set, IPv4 first, or
 * -1 when an explicit address is malformed.
 */
int
dyn_addresses(const struct dyn_query *q, const struct addr *conn, int allow,
    struct addr a[2], size_t *n)
{
	const char *v6 = q->myipv6 && *q->myipv6 ? q->myipv6 : q->myip6;
	struct addr t;

	*n = 0;
	if (allow && q->myip != NULL && take_myip(a, n, q->myip) != 0)
		return -1;
	if (allow && v6 != NULL && *v6 != '\0' && take_myipv6(a, n, v6) != 0)
		return -1;
	if (*n == 0)
		a[(*n)++] = *conn;
	if (*n == 2 && a[0].family == AF_INET6) {
		t = a[0];
		a[0] = a[1];
		a[1] = t;
	}
	return 0;
}

/* Sets the answer to one word for the whole request (rows 1 to 4). */
void
dyn_word(struct dyn *d, const char *word)
{
	d->n = 0;
	snprintf(d->body, sizeof(d->body), "%s", word);
}

/* The line for the client's host: nochg, good or dnserr. */
static const char *
host_word(struct sync *s, const struct conf *c)
{
	switch (sync_host(s, c)) {
	case SYNC_CURRENT:
		return "nochg";
	case SYNC_UPDATED:
		return "good";
	case SYNC_FAILED:
		break;
	}
	return "dnserr";
}

/* Joins the lines of d's names into its body. */
static void
dyn_body(struct dyn *d)
{
	size_t i, len = 0;
	int with_addrs;

	for (i = 0; i < d->n; i++) {
		with_addrs = strcmp(d->word[i], "good") == 0 ||
		    strcmp(d->word[i], "nochg") == 0;
		len += (size_t)snprintf(d->body + len, sizeof(d->body) - len,
		    "%s%s%s%s", i ? "\n" : "", d->word[i],
		    with_addrs ? " " : "", with_addrs ? d->addrs : "");
	}
}

/*
 * Answers a request whose credentials named client cl (rows 3 to 5 of
 * SPEC section 5a): one line per name, the client's host brought to the
 * addresses once through s, whose lock stays held until sync_record().
 */
void
dyn_serve(struct dyn *d, struct sync *s, const struct conf *c,
    const struct client *cl, const struct addr *conn)
{
	const char *word = NULL;
	struct addr a[2];
	size_t i, na;

	d->n = d->q.hostname == NULL ? 1 :
	    split_list(d->q.hostname, d->name, DYN_NAMES_MAX);
	if (d->q.hostname == NULL || (d->n == 1 && *d->name[0] == '\0'))
		d->name[0] = NULL;
	if (d->n > DYN_NAMES_MAX) {
		dyn_word(d, "numhost");
		return;
	}
	if (dyn_addresses(&d->q, conn, cl->allow_myip, a, &na) != 0) {
		dyn_word(d, "dnserr");
		return;
	}
	sync_init(s, cl);
	for (i = 0; i < na; i++)
		sync_add(s, &a[i]);
	snprintf(d->addrs, sizeof(d->addrs), "%s%s%s", a[0].text,
	    na > 1 ? "," : "", na > 1 ? a[1].text : "");
	for (i = 0; i < d->n; i++) {
		const char *name = d->name[i] ? d->name[i] : cl->host;

		if (valid_host_why(name) != NULL)
			d->word[i] = "notfqdn";
		else if (!host_equal(name, cl->host))
			d->word[i] = "nohost";
		else
			d->word[i] = word ? word : (word = host_word(s, c));
	}
	dyn_body(d);
}

/*
 * name for a log line: printable ASCII as it is, other bytes as \xHH,
 * the empty name as "".
 */
static void
log_name(char *out, size_t size, const char *name)
{
	size_t n = 0;

	if (*name == '\0')
		name = "\"\"";
	for (; *name != '\0' && n + 5 < size; name++) {
		unsigned char ch = (unsigned char)*name;

		if (ch > ' ' && ch < 0x7f && ch != '\\')
			out[n++] = (char)ch;
		else
			n += (size_t)snprintf(out + n, size - n, "\\x%02x", ch);
	}
	out[n] = '\0';
}

/* One info line per name answered, or one for the whole request. */
void
dyn_log(const struct dyn *d, const struct addr *peer,
    const struct client *cl, double started)
{
	char name[HOST_MAX + 8];
	size_t i;

	for (i = 0; i == 0 || i < d->n; i++) {
		log_name(name, sizeof(name), d->n == 0 ? "-" :
		    d->name[i] == NULL ? cl->host : d->name[i]);
		log_info("peer=%s client=%s name=%s addr=%s result=%s "
		    "time=%.1fms", peer->family ? peer->text : "-",
		    cl ? cl->name : "-", name, *d->addrs ? d->addrs : "-",
		    d->n == 0 ? d->body : d->word[i], now_ms() - started);
	}
}
