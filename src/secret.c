/*
 * The secret-URL protocol, sftdyn's own: the request-target without its
 * leading '/' is the key, byte for byte.  The empty key answers the
 * client's address; a client's key brings each of its names' records of
 * the address's type to the address, in the order written, each with its
 * own state, lock and nsupdate.  Every name is decided before any update
 * runs: when one's lock cannot be had (500 FAIL) or its change limit
 * refuses it (429 ABUSE, Retry-After the longest wait), nothing runs.
 * One word answers for all of them, the first that applies of: 500 FAIL
 * (an update failed; the names before it keep their new state, and
 * those after it are left to the next request), 429 ABUSE, OK, UPTODATE
 * (every name was current).
 */
#include <string.h>

#include "sftdyn.h"

/* What one name came to, for its log line. */
static const char *
name_word(const struct sync *s)
{
	if (!s->tried)
		return "UNTRIED";
	switch (s->result) {
	case SYNC_CURRENT:
		return "UPTODATE";
	case SYNC_UPDATED:
		return "OK";
	case SYNC_LIMITED:
		return "ABUSE";
	case SYNC_PENDING:
		return "UNTRIED";	/* another name kept it from running */
	case SYNC_FAILED:
		break;
	}
	return "FAIL";
}

/*
 * The log: one line per name (peer, client, name, type, address, the
 * answer's status, what the name came to, duration), or one for an
 * answer that reached no name.
 */
static void
secret_log(const struct exchange *x)
{
	const struct client *cl = x->client;
	const struct answer *a = &x->answer;
	size_t i;

	for (i = 0; i == 0 || i < x->nsync; i++)
		log_info("peer=%s client=%s host=%s type=%s addr=%s result=%d "
		    "%s time=%.1fms", x->peer.family ? x->peer.text : "-",
		    cl ? cl->name : "-", x->nsync ? x->sync[i].host : "-",
		    x->have_addr ? addr_type(&x->addr) : "-",
		    x->have_addr ? x->addr.text : "-", (int)a->status,
		    x->nsync ? name_word(&x->sync[i]) : a->body ? a->body :
		    http_word(a->status), now_ms() - x->started);
}

/*
 * Brings each of the client's names to the address, every one decided
 * before any runs; the answer's word.
 */
static void
secret_names(struct exchange *x)
{
	const struct client *cl = x->client;
	const struct conf *c = &x->lookup->conf;
	int updated = 0, failed = 0, limited = 0;
	size_t i;

	for (i = 0; i < cl->hosts.n; i++) {
		sync_init(&x->sync[i], cl, cl->hosts.v[i], SYNC_ADDRS);
		sync_add(&x->sync[i], &x->addr);
	}
	x->nsync = cl->hosts.n;
	sync_lock(x->sync, x->nsync, c);
	for (i = 0; i < x->nsync; i++) {
		switch (sync_check(&x->sync[i], c)) {
		case SYNC_FAILED:
			failed = 1;
			break;
		case SYNC_LIMITED:
			limited = 1;
			if (x->sync[i].retry_after > x->answer.retry_after)
				x->answer.retry_after = x->sync[i].retry_after;
			break;
		default:
			break;
		}
	}
	x->answer.status = failed ? ST_ERROR : limited ? ST_TOOMANY : ST_OK;
	for (i = 0; x->answer.status == ST_OK && i < x->nsync; i++) {
		if (x->sync[i].result != SYNC_PENDING)
			continue;
		if (sync_run(&x->sync[i], c) == SYNC_FAILED)
			x->answer.status = ST_ERROR;
		else
			updated = 1;
	}
	if (x->answer.status == ST_OK)
		x->answer.body = updated ? "OK" : "UPTODATE";
	else if (x->answer.status == ST_ERROR)
		x->answer.retry_after = 0;
}

/* Answers x: its address, BADKEY, UPTODATE, OK, or 500 FAIL. */
void
secret_serve(struct exchange *x)
{
	const char *key = x->req->key;
	const struct client *cl;

	x->log = secret_log;
	x->answer.status = ST_ERROR;
	if (!x->lookup->ok)
		return;		/* a configuration that fails -t: 500 */
	if (*key == '\0') {
		x->answer.status = ST_OK;
		x->answer.body = x->addr.text;
		return;
	}
	switch (lookup_client(x->lookup, key, &x->addr, &cl)) {
	case FOUND_BROKEN:
		return;
	case FOUND_NONE:
		x->answer.status = ST_FORBIDDEN;
		return;
	case FOUND:
		break;
	}
	x->client = cl;
	secret_names(x);
}
