/*
 * Dyn's dyndns2 protocol: /nic/update and /v3/update with HTTP Basic
 * credentials, a hostname list, myip addresses and, from routers such as
 * the FRITZ!Box, the IPv6 prefix delegated to them (ip6lanprefix), which
 * moves the AAAA records of the client's LAN hosts.  The answer, decided
 * in this order: 911 when the configuration fails -t; badauth (401) for
 * missing or wrong credentials; numhost for more than 20 names; dnserr
 * for a malformed address or prefix; else one line per name: notfqdn,
 * nohost, or the name's nochg, good, abuse (the change limit) or dnserr;
 * then, with a prefix, one line per LAN host not named already.  All but
 * badauth are 200: that is how the clients read them.  Parsing here is
 * strict and bounded: the query and the credentials are decoded into
 * fixed buffers, and whatever is not exactly a name, an address or a
 * prefix is answered as such.
 */
#include <stdio.h>
#include <string.h>

#include "sftdyn.h"

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
	if (strcmp(name, "ip6lanprefix") == 0)
		return &q->ip6lanprefix;
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

/*
 * Splits a comma list in place into at most max elements of v.  Returns
 * the number of elements, or max + 1 when there are more.
 */
static size_t
split_list(char *list, const char **v, size_t max)
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
 * The addresses to set: myip's, with myipv6's (else
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

/* Sets the answer to one word for the whole request: 911, badauth,
 * numhost or dnserr. */
static void
dyn_word(struct exchange *x, const char *word)
{
	x->p.dyn.n = 0;
	snprintf(x->body, sizeof(x->body), "%s", word);
}

/* The line for one of the client's names: nochg, good, abuse or dnserr. */
static const char *
name_word(enum sync_result r)
{
	switch (r) {
	case SYNC_CURRENT:
		return "nochg";
	case SYNC_UPDATED:
		return "good";
	case SYNC_LIMITED:
		return "abuse";
	case SYNC_FAILED:
	case SYNC_PENDING:
		break;
	}
	return "dnserr";
}

/* Joins the lines of the request's names into x's body. */
static void
dyn_body(struct exchange *x)
{
	const struct dyn *d = &x->p.dyn;
	size_t i, len = 0;
	int with_addrs;

	for (i = 0; i < d->n && len < sizeof(x->body); i++) {
		with_addrs = strcmp(d->word[i], "good") == 0 ||
		    strcmp(d->word[i], "nochg") == 0;
		len += (size_t)snprintf(x->body + len, sizeof(x->body) - len,
		    "%s%s%s%s", i ? "\n" : "", d->word[i],
		    with_addrs ? " " : "", with_addrs ? d->addr[i] : "");
	}
}

/*
 * The delegated prefix the request brings: ip6lanprefix, when allow-myip
 * lets its parameters count (empty, as a router without IPv6 sends it, is
 * none).  Returns 1 with *p set, 0 for none, -1 when it is malformed.
 */
static int
dyn_prefix(const struct dyn_query *q, int allow, struct net *p)
{
	if (!allow || q->ip6lanprefix == NULL || *q->ip6lanprefix == '\0')
		return 0;
	return lanprefix_parse(p, q->ip6lanprefix) == 0 ? 1 : -1;
}

/* Which of client cl's LAN hosts name is (any case): its index, or -1. */
static int
lan_index(const struct client *cl, const char *name)
{
	size_t i;

	for (i = 0; i < cl->lan.n; i++)
		if (host_equal(name, cl->lan.v[i].name))
			return (int)i;
	return -1;
}

/*
 * Adds the sync of LAN host l under prefix p (NULL: none) to x, for line
 * i: its address, or the line's dnserr when there is no prefix or its
 * subnet does not fit the prefix.
 */
static void
dyn_lan_sync(struct exchange *x, const struct lanhost *l, const struct net *p,
    size_t i, int *at)
{
	struct sync *s = &x->sync[x->nsync];
	struct addr suffix, a;

	if (p == NULL || addr_parse(&suffix, l->suffix) != 0 ||
	    lan_address(&a, p, l->subnet, &suffix) != 0) {
		at[i] = -1;
		x->p.dyn.word[i] = "dnserr";
		x->p.dyn.addr[i] = "-";
		if (p != NULL)
			log_info("client %s: lan-host %s: subnet %ld does not "
			    "fit the prefix %s/%d", x->client->name, l->name,
			    l->subnet, p->addr.text, p->prefix);
		return;
	}
	sync_init(s, x->client, l->name, SYNC_ADDRS);
	sync_add(s, &a);
	x->p.dyn.addr[i] = s->addr[0].text;
	at[i] = (int)x->nsync++;
}

/*
 * The syncs of the lines: each name asked for that is client cl's, once
 * (the addresses a[0..na)), a LAN host asked for in its place, then,
 * with a prefix p, every LAN host not asked for, as a line of its own.
 * at[i] says which sync is line i's, or -1 for a line that has its word
 * already (or, when none, notfqdn or nohost).
 */
static void
dyn_syncs(struct exchange *x, const struct addr *a, size_t na,
    const struct net *p, int *at)
{
	const struct client *cl = x->client;
	struct dyn *d = &x->p.dyn;
	int per[NAMES_MAX], lan[NAMES_MAX], j;
	size_t i, k, asked = d->n;

	for (i = 0; i < NAMES_MAX; i++)
		per[i] = lan[i] = -1;
	x->nsync = 0;
	for (i = 0; i < asked; i++) {
		at[i] = -1;
		d->addr[i] = d->addrs;
		if (valid_name_why(d->name[i]) != NULL)
			continue;
		if ((j = client_name_index(cl, d->name[i])) >= 0) {
			if (per[j] < 0) {
				per[j] = (int)x->nsync;
				sync_init(&x->sync[x->nsync], cl,
				    cl->hosts.v[j], SYNC_ADDRS);
				for (k = 0; k < na; k++)
					sync_add(&x->sync[x->nsync], &a[k]);
				x->nsync++;
			}
			at[i] = per[j];
		} else if ((j = lan_index(cl, d->name[i])) >= 0) {
			if (lan[j] == -1) {	/* its first line */
				dyn_lan_sync(x, &cl->lan.v[j], p, i, at);
				lan[j] = at[i] >= 0 ? at[i] : -2;
			} else if (lan[j] >= 0) {
				at[i] = lan[j];
				d->addr[i] = x->sync[at[i]].addr[0].text;
			} else {
				d->word[i] = "dnserr";	/* as its first */
				d->addr[i] = "-";
			}
		}
	}
	for (j = 0; p != NULL && (size_t)j < cl->lan.n; j++) {
		if (lan[j] != -1)
			continue;	/* asked for already */
		i = d->n++;
		d->name[i] = cl->lan.v[j].name;
		dyn_lan_sync(x, &cl->lan.v[j], p, i, at);
	}
}

/*
 * The answer to a request whose credentials named client x->client:
 * numhost, dnserr for a malformed address or prefix, or one line per
 * name asked for (absent or empty: every name of the client): notfqdn,
 * nohost, or what bringing that name to the addresses came to, each name
 * once; then, with a prefix, a line per LAN host.  The names' locks are
 * all taken first, in the one order, and held until main records the
 * states.
 */
static void
dyn_lines(struct exchange *x)
{
	const struct client *cl = x->client;
	struct dyn *d = &x->p.dyn;
	struct addr a[2];
	struct net prefix;
	int at[DYN_LINES_MAX], has_prefix;
	size_t i, na;

	if (d->q.hostname == NULL || *d->q.hostname == '\0') {
		for (d->n = 0; d->n < cl->hosts.n; d->n++)
			d->name[d->n] = cl->hosts.v[d->n];
	} else if ((d->n = split_list(d->q.hostname, d->name, NAMES_MAX)) >
	    NAMES_MAX) {
		dyn_word(x, "numhost");
		return;
	}
	if (dyn_addresses(&d->q, &x->addr, cl->allow_myip, a, &na) != 0 ||
	    (has_prefix = dyn_prefix(&d->q, cl->allow_myip, &prefix)) < 0) {
		dyn_word(x, "dnserr");
		return;
	}
	snprintf(d->addrs, sizeof(d->addrs), "%s%s%s", a[0].text,
	    na > 1 ? "," : "", na > 1 ? a[1].text : "");
	for (i = 0; i < DYN_LINES_MAX; i++)
		d->word[i] = NULL;
	dyn_syncs(x, a, na, has_prefix ? &prefix : NULL, at);
	sync_lock(x->sync, x->nsync, &x->lookup->conf);
	for (i = 0; i < d->n; i++) {
		if (at[i] >= 0)
			d->word[i] = name_word(x->sync[at[i]].tried ?
			    x->sync[at[i]].result :
			    sync_host(&x->sync[at[i]], &x->lookup->conf));
		else if (d->word[i] == NULL)
			d->word[i] = valid_name_why(d->name[i]) != NULL ?
			    "notfqdn" : "nohost";
	}
	dyn_body(x);
}

/* One info line per name answered, or one for the whole request. */
static void
dyn_log(const struct exchange *x)
{
	const struct dyn *d = &x->p.dyn;
	const struct client *cl = x->client;
	char name[HOST_MAX * 4 + 8];
	size_t i;

	for (i = 0; i == 0 || i < d->n; i++) {
		log_escape(name, sizeof(name), d->n == 0 ? "-" : d->name[i]);
		log_info("peer=%s client=%s name=%s addr=%s result=%s "
		    "time=%.1fms", x->peer.family ? x->peer.text : "-",
		    cl ? cl->name : "-", name, d->n > 0 ? d->addr[i] :
		    *d->addrs ? d->addrs : "-",
		    d->n == 0 ? x->body : d->word[i],
		    now_ms() - x->started);
	}
}

/*
 * Answers a dyndns2 request: 911 when the configuration fails, badauth
 * (401) for missing or wrong credentials, else the lines of dyn_lines().
 * Every answer is 200 but badauth: that is how the clients read them.
 */
void
dyn_serve(struct exchange *x)
{
	struct dyn *d = &x->p.dyn;
	struct credentials cr;
	enum found f = FOUND_NONE;

	memset(d, 0, sizeof(*d));	/* no addresses, no names yet */
	x->log = dyn_log;
	x->answer.status = ST_OK;
	x->answer.body = x->body;
	dyn_query_parse(&d->q, x->req->key);
	if (!x->lookup->ok) {
		dyn_word(x, "911");
		return;
	}
	if (auth_basic(&cr, x->req) == 0)
		f = auth_client(x, &cr);
	explicit_bzero(cr.buf, sizeof(cr.buf));
	if (f == FOUND_BROKEN)
		dyn_word(x, "911");
	else if (f == FOUND_NONE) {
		x->answer.status = ST_UNAUTH;
		x->answer.challenge = 1;
		dyn_word(x, "badauth");
	} else
		dyn_lines(x);
}
