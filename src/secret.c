/*
 * The secret-URL protocol, sftdyn's own: the request-target without its
 * leading '/' is the key, byte for byte.  The empty key answers the
 * client's address; a client's key brings its name's record of the
 * address's type to the address, or finds it current.
 */
#include <string.h>

#include "sftdyn.h"

/* The log line: peer, client, host, type, address, result, duration. */
static void
secret_log(const struct exchange *x)
{
	const struct client *cl = x->client;
	const struct answer *a = &x->answer;

	log_info("peer=%s client=%s host=%s type=%s addr=%s result=%d %s "
	    "time=%.1fms", x->peer.family ? x->peer.text : "-",
	    cl ? cl->name : "-", cl ? cl->host : "-",
	    x->have_addr ? addr_type(&x->addr) : "-",
	    x->have_addr ? x->addr.text : "-", (int)a->status,
	    a->body ? a->body : http_word(a->status), now_ms() - x->started);
}

/* Answers x: its address, BADKEY, UPTODATE, OK, or 500 FAIL. */
void
secret_serve(struct exchange *x)
{
	const char *key = x->req->key;
	const struct client *cl;
	struct sync *s = &x->sync[0];

	x->log = secret_log;
	x->answer.status = ST_ERROR;
	if (!x->lookup->ok)
		return;		/* a configuration that fails -t: 500 */
	if (*key == '\0') {
		x->answer.status = ST_OK;
		x->answer.body = x->addr.text;
		return;
	}
	switch (lookup_client(x->lookup, key, &cl)) {
	case FOUND_BROKEN:
		return;
	case FOUND_NONE:
		x->answer.status = ST_FORBIDDEN;
		return;
	case FOUND:
		break;
	}
	x->client = cl;
	sync_init(s, cl, cl->host, SYNC_ADDRS);
	sync_add(s, &x->addr);
	x->nsync = 1;
	switch (sync_host(s, &x->lookup->conf)) {
	case SYNC_CURRENT:
		x->answer.status = ST_OK;
		x->answer.body = "UPTODATE";
		break;
	case SYNC_UPDATED:
		x->answer.status = ST_OK;
		x->answer.body = "OK";
		break;
	case SYNC_FAILED:
		break;
	}
}
