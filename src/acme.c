/*
 * ACME dns-01 challenges: a client publishes the TXT record that an ACME
 * CA checks before it issues a certificate for the client's name or its
 * wildcard, at _acme-challenge.NAME, and nothing else.  Two protocols
 * that ACME clients speak already:
 *
 *   lego's httpreq (lego, Traefik; Caddy's acmeproxy): POST /present and
 *   /cleanup, HTTP Basic as for dyndns2,
 *   {"fqdn":"_acme-challenge.NAME.","value":"..."}; answered in text, and
 *   any status below 400 is success to lego; answered in JSON when Accept
 *   names application/json first (Caddy's), {"fqdn":...,"value":...}
 *   echoing the request on success, {"error":WORD} else;
 *
 *   acme-dns's /update (certbot's hook, acme.sh, lego, Traefik, Caddy):
 *   POST /update, X-Api-User and X-Api-Key, {"subdomain":"...",
 *   "txt":"..."}; answered in JSON, {"txt":"VALUE"} on success.
 *
 * The body is at most ACME_BODY_MAX bytes, framed by Content-Length, and
 * parsed with Jansson: an object whose members are found by name in any
 * case (the Go client of lego, Traefik and Caddy sends "SubDomain" and
 * "Txt"), unknown ones ignored, and one given twice, in any case, refused.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sftdyn.h"

/* The rows of the answer table, in the order they are decided. */
enum acme_row {
	ROW_911, ROW_BADAUTH, ROW_NOACME, ROW_BADREQ, ROW_NOHOST, ROW_BADVALUE,
	ROW_DNSERR, ROW_ABUSE, ROW_OK
};

static const struct {
	enum status	 status;
	const char	*text;		/* /present and /cleanup */
	const char	*json;		/* /update; NULL: {"txt":"VALUE"} */
} rows[] = {
	[ROW_911] =	 { ST_ERROR, "911", "{\"error\":\"911\"}" },
	[ROW_BADAUTH] =	 { ST_UNAUTH, "badauth", "{\"error\":\"forbidden\"}" },
	[ROW_NOACME] =	 { ST_FORBIDDEN, "noacme", "{\"error\":\"forbidden\"}" },
	[ROW_BADREQ] =	 { ST_BADREQ, "badrequest",
	    "{\"error\":\"malformed_request\"}" },
	[ROW_NOHOST] =	 { ST_FORBIDDEN, "nohost",
	    "{\"error\":\"bad_subdomain\"}" },
	[ROW_BADVALUE] = { ST_BADREQ, "badvalue", "{\"error\":\"bad_txt\"}" },
	[ROW_DNSERR] =	 { ST_ERROR, "dnserr", "{\"error\":\"dnserr\"}" },
	[ROW_ABUSE] =	 { ST_TOOMANY, "abuse", "{\"error\":\"abuse\"}" },
	[ROW_OK] =	 { ST_OK, "OK", NULL },
};

/* The two members each operation's body must have. */
static const char *const members[][2] = {
	[ROUTE_PRESENT] = { "fqdn", "value" },
	[ROUTE_CLEANUP] = { "fqdn", "value" },
	[ROUTE_UPDATE] = { "subdomain", "txt" },
};

/*
 * Copies the JSON string v into out; 0, or -1 when it does not fit.  A
 * NUL it holds ("\u0000") becomes 0x01, which no name or value holds:
 * the string fails as a whole, as what it is (a name, a value), rather
 * than ending early.
 */
static int
take_string(json_t *v, char *out, size_t size)
{
	size_t len = json_string_length(v), i;

	if (len >= size)
		return -1;
	memcpy(out, json_string_value(v), len + 1);
	for (i = 0; i < len; i++)
		if (out[i] == '\0')
			out[i] = '\001';
	return 0;
}

/*
 * Parses the body [body, body + len) of operation op into a->name and
 * a->value.  Returns 0, or -1 when it is not a JSON object with both of
 * op's members, each once (in any case) and a string.
 */
int
acme_parse(enum route op, const char *body, size_t len, struct acme *a)
{
	json_t *root, *v, *got[2] = { NULL, NULL };
	const char *k;
	int rc = -1, i;

	if (op < ROUTE_PRESENT || op > ROUTE_UPDATE || (root = json_loadb(body,
	    len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, NULL)) == NULL)
		return -1;
	if (!json_is_object(root))
		goto out;
	json_object_foreach(root, k, v) {
		for (i = 0; i < 2; i++) {
			if (strcasecmp(k, members[op][i]) != 0)
				continue;
			if (got[i] != NULL || !json_is_string(v))
				goto out;
			got[i] = v;
		}
	}
	if (got[0] != NULL && got[1] != NULL &&
	    take_string(got[0], a->name, sizeof(a->name)) == 0 &&
	    take_string(got[1], a->value, sizeof(a->value)) == 0)
		rc = 0;
out:
	json_decref(root);
	return rc;
}

/*
 * The name whose challenge the request is for, one of client cl's with
 * its leading "*." removed (a name and its wildcard share one), or NULL
 * when it names none: lego's fqdn is _acme-challenge. and the name (any
 * case, one trailing dot optional); acme-dns's subdomain is one of the
 * names, or the section name, which stands for the first.
 */
static const char *
acme_name(const struct acme *a, const struct client *cl)
{
	size_t plen = strlen(ACME_PREFIX), i;
	const char *want = a->name;

	if (a->op == ROUTE_UPDATE && strcmp(want, cl->name) == 0)
		return name_base(cl->hosts.v[0]);
	if (a->op != ROUTE_UPDATE) {
		if (strncasecmp(want, ACME_PREFIX, plen) != 0)
			return NULL;
		want += plen;
	}
	for (i = 0; i < cl->hosts.n; i++)
		if (host_equal(want, name_base(cl->hosts.v[i])) ||
		    (a->op == ROUTE_UPDATE && host_equal(want, cl->hosts.v[i])))
			return name_base(cl->hosts.v[i]);
	return NULL;
}

/* Answers with row r, in the words of the request's protocol. */
static void
acme_answer(struct exchange *x, enum acme_row r)
{
	struct acme *a = &x->p.acme;
	json_t *o;
	char *text;

	a->result = rows[r].text;
	x->answer.status = rows[r].status;
	x->answer.challenge = a->op != ROUTE_UPDATE;
	if (a->op != ROUTE_UPDATE && !a->json) {
		x->answer.body = rows[r].text;
		return;
	}
	x->answer.ctype = "application/json";
	x->answer.body = x->body;
	if (a->op == ROUTE_UPDATE && rows[r].json != NULL)
		snprintf(x->body, sizeof(x->body), "%s", rows[r].json);
	else if (a->op == ROUTE_UPDATE)
		snprintf(x->body, sizeof(x->body), "{\"txt\":\"%s\"}", a->value);
	else {
		o = r == ROW_OK ? json_pack("{s:s, s:s}", "fqdn", a->name,
		    "value", a->value) : json_pack("{s:s}", "error",
		    rows[r].text);
		text = o ? json_dumps(o, JSON_COMPACT) : NULL;
		snprintf(x->body, sizeof(x->body), "%s", text ? text :
		    "{\"error\":\"dnserr\"}");
		free(text);
		json_decref(o);
	}
}

/* The client the request's credentials name: Basic, or acme-dns's. */
static enum found
acme_client(struct exchange *x)
{
	struct credentials cr;
	enum found f = FOUND_NONE;

	if ((x->p.acme.op == ROUTE_UPDATE ? auth_api(&cr, x->req) :
	    auth_basic(&cr, x->req)) == 0)
		f = auth_client(x, &cr);
	explicit_bzero(cr.buf, sizeof(cr.buf));
	return f;
}

/* The row for a client's request whose body was read: rows 3 to 8. */
static enum acme_row
acme_row(struct exchange *x, const char *body, size_t len)
{
	struct acme *a = &x->p.acme;
	const struct client *cl = x->client;
	struct sync *s = &x->sync[0];
	const char *name;

	if (!cl->allow_acme)
		return ROW_NOACME;
	if (acme_parse(a->op, body, len, a) != 0)
		return ROW_BADREQ;
	if ((name = acme_name(a, cl)) == NULL)
		return ROW_NOHOST;
	if (!valid_txt_value(a->value))
		return ROW_BADVALUE;
	sync_init(s, cl, name,
	    a->op == ROUTE_CLEANUP ? SYNC_CLEANUP : SYNC_PRESENT);
	memcpy(s->value, a->value, ACME_VALUE_LEN + 1);	/* valid: it fits */
	x->nsync = 1;
	sync_lock(s, 1, &x->lookup->conf);
	switch (sync_host(s, &x->lookup->conf)) {
	case SYNC_LIMITED:
		x->answer.retry_after = s->retry_after;
		return ROW_ABUSE;
	case SYNC_CURRENT:
	case SYNC_UPDATED:
		return ROW_OK;
	case SYNC_FAILED:
	case SYNC_PENDING:
		break;
	}
	return ROW_DNSERR;
}

/* One info line: peer, client, operation, name, result, duration. */
static void
acme_log(const struct exchange *x)
{
	const struct acme *a = &x->p.acme;
	char name[4 * sizeof(a->name) + 8];

	log_escape(name, sizeof(name), *a->name ? a->name : "-");
	log_info("peer=%s client=%s op=%s name=%s result=%d %s time=%.1fms",
	    x->peer.family ? x->peer.text : "-",
	    x->client ? x->client->name : "-", route_path(a->op), name,
	    (int)x->answer.status, a->result ? a->result : "-",
	    now_ms() - x->started);
}

/*
 * Answers an ACME request for operation op: the body's framing first
 * (411, 413, 501, 408: a one-line text answer), then the answer table's
 * rows in order.
 */
void
acme_serve(struct exchange *x, enum route op)
{
	struct acme *a = &x->p.acme;
	char body[ACME_BODY_MAX + 1];
	enum status st;
	size_t len;

	memset(a, 0, sizeof(*a));
	a->op = op;
	a->json = http_wants_json(x->req);
	x->log = acme_log;
	if ((st = http_read_body(x->conn, x->req, body, ACME_BODY_MAX,
	    &len)) != ST_OK) {
		x->answer.status = st;
		a->result = http_word(st);
		return;
	}
	if (!x->lookup->ok) {
		acme_answer(x, ROW_911);
		return;
	}
	switch (acme_client(x)) {
	case FOUND_BROKEN:
		acme_answer(x, ROW_911);
		return;
	case FOUND_NONE:
		acme_answer(x, ROW_BADAUTH);
		return;
	case FOUND:
		break;
	}
	acme_answer(x, acme_row(x, body, len));
}
