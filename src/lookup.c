/*
 * The handler's configuration and the one way to find a client in it:
 * from the client index while it is fresh, else parsed; a lookup that
 * finds the index damaged parses the configuration and looks again.  The
 * command line's overrides apply to either, and are never in the index.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sftdyn.h"

/*
 * Reports an error of the command line's, with errno's text when
 * with_errno is set: "FILE: message" for -t, else to the log.
 */
static void ATTR_PRINTF(4, 5)
option_error(const struct options *o, int to_stderr, int with_errno,
    const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	msg_vformat(msg, sizeof(msg), with_errno, fmt, ap);
	va_end(ap);
	if (to_stderr)
		fprintf(stderr, "%s: %s\n", o->conffile, msg);
	else
		log_err("%s", msg);
}

/*
 * Checks the command line against c; returns 0, or -1 (reported on
 * stderr when to_stderr is set, for -t; else logged).
 */
int
options_check(const struct conf *c, const struct options *o, int to_stderr)
{
	if (o->nskeyfile != NULL && access(o->nskeyfile, R_OK) != 0) {
		option_error(o, to_stderr, 1, "--nskeyfile %s", o->nskeyfile);
		return -1;
	}
	if (o->tls && (c->tls_cert == NULL || c->tls_key == NULL)) {
		option_error(o, to_stderr, 0,
		    "--tls needs a tls section with cert and key");
		return -1;
	}
	return 0;
}

/* The command line's overrides, after the files (and never in the index). */
void
options_apply(struct conf *c, const struct options *o)
{
	if (o->nskeyfile != NULL) {
		free(c->nskeyfile);
		c->nskeyfile = path_absolute(o->nskeyfile);
	}
}

static void
lookup_release(struct lookup *l)
{
	if (l->conf.index != NULL)
		index_free(&l->conf);
	else
		conf_free(&l->conf);
}

/*
 * The configuration, from the index unless reparse is set, else parsed,
 * with the command line's overrides.  Returns 0, or -1 when it has errors
 * (logged).
 */
static int
lookup_load(struct lookup *l, int reparse)
{
	struct conf *c = &l->conf;

	if (!reparse && index_load(c, l->o->conffile) == 0)
		log_debug("%s: clients from the index", c->path);
	else if (conf_load(c, l->o->conffile, 0) != 0)
		return -1;
	if (options_check(c, l->o, 0) != 0)
		return -1;
	options_apply(c, l->o);
	return 0;
}

/*
 * Loads the handler's configuration for the command line o.  Returns
 * whether it loaded, as l->ok.
 */
int
lookup_open(struct lookup *l, const struct options *o)
{
	memset(l, 0, sizeof(*l));
	l->o = o;
	l->ok = lookup_load(l, 0) == 0;
	return l->ok;
}

/* Whether a request from addr may use cl's keys (its allow-from). */
static int
client_allowed(const struct client *cl, const struct addr *addr)
{
	return cl->allow.n == 0 || net_contains(cl->allow.v, cl->allow.n,
	    addr);
}

/*
 * The client whose key is key, into *cl, if a request from addr may use
 * it.  A client's allow-from (or the top-level one) that does not hold
 * addr makes its key as wrong as any other: the same answer, and nothing
 * that takes longer first (not the parse that a client's changed file
 * calls for: its allow-from as the index knew it refuses already; the
 * log line waits for lookup_report(), after the answer).  Returns FOUND,
 * FOUND_NONE, or FOUND_BROKEN when the configuration did not load, or
 * an index found damaged sent us to a parse that failed.
 */
enum found
lookup_client(struct lookup *l, const char *key, const struct addr *addr,
    const struct client **cl)
{
	struct conf *c = &l->conf;
	unsigned char digest[SHA256_LEN];

	*cl = NULL;
	if (!l->ok)
		return FOUND_BROKEN;
	key_hash(key, digest);
	if (c->index == NULL)
		*cl = conf_client_find(c, digest);
	else if (index_client_find(c, digest, cl) == FOUND_BROKEN &&
	    (*cl == NULL || client_allowed(*cl, addr))) {
		lookup_release(l);
		deadline_in(PARSE_BUDGET);
		if (lookup_load(l, 1) != 0) {
			l->ok = 0;
			return FOUND_BROKEN;
		}
		*cl = conf_client_find(c, digest);
	}
	explicit_bzero(digest, sizeof(digest));
	if (*cl != NULL && !client_allowed(*cl, addr)) {
		l->denied = (*cl)->name;
		l->denied_from = *addr;
		*cl = NULL;
	}
	return *cl != NULL ? FOUND : FOUND_NONE;
}

/* Logs what lookup_client() kept from the answer: a key out of place. */
void
lookup_report(const struct lookup *l)
{
	if (l->denied != NULL)
		log_warn("client %s: not allowed from %s", l->denied,
		    l->denied_from.text);
}

/* Frees the configuration, however it was loaded. */
void
lookup_close(struct lookup *l)
{
	lookup_release(l);
}
