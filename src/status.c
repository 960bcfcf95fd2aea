/*
 * sftdyn --status: what the state directory vouches for, per client, name
 * and record type (A and AAAA per name, TXT per name a challenge is
 * kept for), as the handler would see it: the values, when they were
 * set, and whether the state vouches (written with today's server, port,
 * key file and TTL), is stale (written with others), unknown (damaged,
 * or not a regular file), or none.  --verify asks the primary, with
 * verify-dns's question, whether DNS holds what each state names.  Text,
 * one JSON document (--json), or Prometheus gauges (--prometheus).
 *
 * It only reads: no lock is taken, a state file is read once, nothing is
 * written, no key is printed, and every file is opened as the handler
 * opens it (never through a symlink, never blocking on a FIFO).
 */
#include <jansson.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sftdyn.h"

/* One line of the report. */
struct entry {
	const struct client	*cl;
	const char		*name;	/* for TXT, the challenge's name */
	char			 owner[OWNER_MAX + 1];	/* the records' */
	const char		*type;
	struct state		 st;
	enum vouch		 vouch;
	int			 asked;	/* the primary was asked */
	enum verdict		 verdict;
};

static const char *const verdicts[] = {
	[VERDICT_AGREES] = "agrees", [VERDICT_DIFFERS] = "disagrees",
	[VERDICT_NO_ANSWER] = "no-answer",
};

/* Whether e's state was read, with its values: it vouches or is stale. */
static int
entry_known(const struct entry *e)
{
	return e->vouch == VOUCH_VOUCHES || e->vouch == VOUCH_STALE;
}

/* Reads e's state and says what it is worth. */
static void
entry_read(struct entry *e, const struct conf *c)
{
	e->vouch = state_judge(c, e->name, e->type, e->cl->ttl, &e->st);
}

/* Asks the primary whether DNS holds what e's state names. */
static void
entry_verify(struct entry *e, const struct conf *c)
{
	static struct rrset want;
	struct addr a;
	const char *why;
	int type;

	if (!entry_known(e))
		return;
	if (strcmp(e->type, "TXT") == 0) {
		rrset_txt(&want, &e->st);
		type = TYPE_TXT;
	} else {
		addr_parse(&a, e->st.value[0]);
		rrset_addr(&want, &a);
		type = a.family == AF_INET ? TYPE_A : TYPE_AAAA;
	}
	/* each question gets timeout seconds, and no more */
	deadline_start();
	deadline_limit(c->timeout);
	deadline_from_start(c->timeout);
	e->verdict = verify_query(c, e->owner, type, &want, &why);
	deadline_stop();
	e->asked = 1;
}

/* Appends an entry for client cl's name and type to the report. */
static void
entry_add(struct entry *v, size_t *n, const struct client *cl,
    const char *name, const char *type)
{
	struct entry *e = &v[(*n)++];

	memset(e, 0, sizeof(*e));
	e->cl = cl;
	e->name = name;
	state_owner(e->owner, name, type);
	e->type = type;
}

/*
 * Every entry of the report, in the order of the clients and their
 * names: A and AAAA for each name, TXT once for each challenge (a name
 * and its wildcard share one), AAAA for each LAN host.
 */
static struct entry *
entries_of(const struct conf *c, size_t *n)
{
	struct entry *v;
	const char *base;
	size_t i, j, k;

	for (i = *n = 0; i < c->nclients; i++)
		*n += 3 * c->clients[i].hosts.n + c->clients[i].lan.n;
	v = xcalloc(*n + 1, sizeof(*v));
	*n = 0;
	for (i = 0; i < c->nclients; i++) {
		const struct client *cl = &c->clients[i];

		for (j = 0; j < cl->hosts.n; j++) {
			entry_add(v, n, cl, cl->hosts.v[j], "A");
			entry_add(v, n, cl, cl->hosts.v[j], "AAAA");
		}
		for (j = 0; j < cl->hosts.n; j++) {
			base = name_base(cl->hosts.v[j]);
			for (k = 0; k < j; k++)
				if (host_equal(base, name_base(cl->hosts.v[k])))
					break;
			if (k == j)
				entry_add(v, n, cl, base, "TXT");
		}
		for (j = 0; j < cl->lan.n; j++)	/* their AAAA alone */
			entry_add(v, n, cl, cl->lan.v[j].name, "AAAA");
	}
	return v;
}

/*
 * Seconds since e's state was set, never fewer than none: a time set
 * in the future (the clock was wrong, then stepped back) is age 0.
 */
static long
entry_age(const struct entry *e, time_t now)
{
	return e->st.set > now ? 0 : (long)(now - e->st.set);
}

/* The values of e: "-" for none, "(empty)" for a known empty TXT set. */
static void
entry_values(const struct entry *e, char *buf, size_t size)
{
	size_t i, len = 0;

	if (!entry_known(e) || e->st.n == 0) {
		snprintf(buf, size, "%s", entry_known(e) ? "(empty)" : "-");
		return;
	}
	for (i = 0; i < e->st.n; i++)
		len += (size_t)snprintf(buf + len, size - len, "%s%s",
		    i ? "," : "", e->st.value[i]);
}

/* t as RFC 3339 UTC, or "-" for none. */
static void
rfc3339(time_t t, char buf[32])
{
	struct tm tm;

	if (t == 0 || gmtime_r(&t, &tm) == NULL)
		snprintf(buf, 32, "-");
	else
		strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* A duration in seconds, short: 42s, 5m07s, 3h02m, 2d05h. */
static void
duration(long s, char buf[32])
{
	if (s < 60)
		snprintf(buf, 32, "%lds", s);
	else if (s < 3600)
		snprintf(buf, 32, "%ldm%02lds", s / 60, s % 60);
	else if (s < 86400)
		snprintf(buf, 32, "%ldh%02ldm", s / 3600, s % 3600 / 60);
	else
		snprintf(buf, 32, "%ldd%02ldh", s / 86400, s % 86400 / 3600);
}

/* The report as text: a header, then a line per entry. */
static void
print_text(const struct entry *v, size_t n, int verify, time_t now)
{
	char set[32], age[32], values[STATE_VALUES * (STATE_VALUE_MAX + 1)];
	size_t i;
	int wc = 6, wn = 4;

	for (i = 0; i < n; i++) {
		if ((int)strlen(v[i].cl->name) > wc)
			wc = (int)strlen(v[i].cl->name);
		if ((int)strlen(v[i].name) > wn)
			wn = (int)strlen(v[i].name);
	}
	printf("%-*s  %-*s  %-4s  %-7s  %-20s  %-6s  %s%s\n", wc, "CLIENT", wn,
	    "NAME", "TYPE", "STATE", "SET", "AGE", "VALUE",
	    verify ? "  DNS" : "");
	for (i = 0; i < n; i++) {
		const struct entry *e = &v[i];

		rfc3339(entry_known(e) ? e->st.set : 0, set);
		if (entry_known(e))
			duration(entry_age(e, now), age);
		else
			snprintf(age, sizeof(age), "-");
		entry_values(e, values, sizeof(values));
		printf("%-*s  %-*s  %-4s  %-7s  %-20s  %-6s  %s%s%s\n", wc,
		    e->cl->name, wn, e->name, e->type, vouch_word(e->vouch), set, age,
		    values, verify ? "  " : "", !verify ? "" : e->asked ?
		    verdicts[e->verdict] : "-");
	}
}

/* e's values as JSON: an address, an array of TXT values, or null. */
static json_t *
entry_values_json(const struct entry *e)
{
	json_t *vals;
	size_t i;

	if (!entry_known(e))
		return json_null();
	if (strcmp(e->type, "TXT") != 0)
		return json_string(e->st.value[0]);
	vals = json_array();
	for (i = 0; i < e->st.n; i++)
		json_array_append_new(vals, json_string(e->st.value[i]));
	return vals;
}

/* Entry e as a JSON object. */
static json_t *
entry_json(const struct entry *e, int verify, time_t now)
{
	json_t *o = json_object();
	int known = entry_known(e);
	char set[32];

	rfc3339(e->st.set, set);
	json_object_set_new(o, "client", json_string(e->cl->name));
	json_object_set_new(o, "name", json_string(e->name));
	json_object_set_new(o, "type", json_string(e->type));
	json_object_set_new(o, "value", entry_values_json(e));
	json_object_set_new(o, "set", known ? json_string(set) : json_null());
	json_object_set_new(o, "age_seconds", known ?
	    json_integer((json_int_t)entry_age(e, now)) : json_null());
	json_object_set_new(o, "state", json_string(vouch_word(e->vouch)));
	if (verify)
		json_object_set_new(o, "dns", e->asked ?
		    json_string(verdicts[e->verdict]) : json_null());
	return o;
}

/* The report as one JSON document, {"entries": [...]}. */
static void
print_json(const struct entry *v, size_t n, int verify, time_t now)
{
	json_t *doc = json_object(), *list = json_array();
	char *text;
	size_t i;

	for (i = 0; i < n; i++)
		json_array_append_new(list, entry_json(&v[i], verify, now));
	json_object_set_new(doc, "entries", list);
	if ((text = json_dumps(doc, JSON_INDENT(2))) != NULL)
		printf("%s\n", text);
	free(text);
	json_decref(doc);
}

/* A Prometheus label value: backslash, double quote and newline escaped. */
static void
label(const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '\\' || *s == '"')
			printf("\\%c", *s);
		else if (*s == '\n')
			printf("\\n");
		else
			putchar(*s);
	}
}

/* One sample of a gauge family for entry e. */
static void
sample(const char *family, const struct entry *e, long long value)
{
	printf("%s{client=\"", family);
	label(e->cl->name);
	printf("\",name=\"");
	label(e->name);
	printf("\",type=\"%s\"} %lld\n", e->type, value);
}

/*
 * The report as Prometheus gauges, for node_exporter's textfile
 * collector: when each state was set (where there is one), whether it
 * vouches, and with --verify whether DNS agrees (1, 0 when it holds
 * something else, -1 when the primary did not answer).
 */
static void
print_prometheus(const struct entry *v, size_t n, int verify)
{
	size_t i;

	printf("# HELP sftdyn_state_set_timestamp_seconds When sftdyn wrote "
	    "the state of a name and record type, in seconds since the "
	    "epoch.\n# TYPE sftdyn_state_set_timestamp_seconds gauge\n");
	for (i = 0; i < n; i++)
		if (entry_known(&v[i]))
			sample("sftdyn_state_set_timestamp_seconds", &v[i],
			    (long long)v[i].st.set);
	printf("# HELP sftdyn_state_vouches 1 when the state vouches for "
	    "what DNS holds, 0 when it is stale, unknown or missing.\n"
	    "# TYPE sftdyn_state_vouches gauge\n");
	for (i = 0; i < n; i++)
		sample("sftdyn_state_vouches", &v[i],
		    v[i].vouch == VOUCH_VOUCHES);
	if (!verify)
		return;
	printf("# HELP sftdyn_dns_agrees 1 when the primary holds what the "
	    "state names, 0 when it holds something else, -1 when it did "
	    "not answer.\n# TYPE sftdyn_dns_agrees gauge\n");
	for (i = 0; i < n; i++)
		if (v[i].asked)
			sample("sftdyn_dns_agrees", &v[i],
			    v[i].verdict == VERDICT_AGREES ? 1 :
			    v[i].verdict == VERDICT_DIFFERS ? 0 : -1);
}

/*
 * --status: prints the report for the configuration o names.  Returns
 * 0, or 1 when the configuration fails -t (its errors on stderr).
 */
int
status_print(const struct options *o)
{
	struct entry *v;
	struct conf c;
	time_t now = time(NULL);
	size_t i, n;

	/* state trouble shows in the report; the log says more with -v */
	log_init(1, o->verbosity > 0 ? o->verbosity : -2);
	if (conf_load(&c, o->conffile, CONF_CHECK) != 0 ||
	    options_check(&c, o, 1) != 0) {
		conf_free(&c);
		return 1;
	}
	options_apply(&c, o);
	v = entries_of(&c, &n);
	for (i = 0; i < n; i++) {
		entry_read(&v[i], &c);
		if (o->verify)
			entry_verify(&v[i], &c);
	}
	if (o->format == STATUS_JSON)
		print_json(v, n, o->verify, now);
	else if (o->format == STATUS_PROMETHEUS)
		print_prometheus(v, n, o->verify);
	else
		print_text(v, n, o->verify, now);
	free(v);
	conf_free(&c);
	return fflush(stdout) == 0 ? 0 : 1;
}
