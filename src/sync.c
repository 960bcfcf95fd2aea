/*
 * Bringing one host's records to a client's addresses (SPEC section 7),
 * for either protocol: under the host's lock, the state decides which
 * addresses DNS holds already (with verify-dns, the primary confirms what
 * the state says); the others lose their state, durably, and
 * go to DNS in one nsupdate; after the answer, what DNS took is recorded
 * and the lock let go.  Each wait has its phase (SPEC section 7b).
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sftdyn.h"

/* Starts s for client cl, with no addresses yet. */
void
sync_init(struct sync *s, const struct client *cl)
{
	memset(s, 0, sizeof(*s));
	s->client = cl;
	s->lock = -1;
}

/* Adds a, which must be of a family s does not hold yet. */
void
sync_add(struct sync *s, const struct addr *a)
{
	if (s->n < 2)
		s->addr[s->n++] = *a;
}

/* Whether every address of s is current. */
static int
sync_all_current(const struct sync *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (!s->current[i])
			return 0;
	return 1;
}

/*
 * verify-dns: the primary confirms each address the state vouches for, or
 * it is not current after all.  The queries share one phase, which ends
 * timeout seconds after accept (SPEC section 7b).
 */
static void
sync_verify(struct sync *s, const struct conf *c)
{
	size_t i;

	deadline_from_start(c->timeout);
	for (i = 0; i < s->n; i++)
		if (s->current[i])
			s->current[i] = verify_confirms(c, s->client->host,
			    &s->addr[i]);
}

/*
 * Removes the state of every address that is not current; returns 0, or
 * -1 when one may still claim an older address.
 */
static int
sync_forget(const struct sync *s, const struct conf *c)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (!s->current[i] &&
		    state_forget(c, s->client->host, &s->addr[i]) != 0)
			return -1;
	return 0;
}

/*
 * Brings the host's records to s's addresses.  Returns SYNC_CURRENT when
 * the state shows DNS holds them all, SYNC_UPDATED when nsupdate set the
 * others, SYNC_FAILED when the lock, the state or nsupdate failed.  The
 * lock stays held until sync_record().
 */
enum sync_result
sync_host(struct sync *s, const struct conf *c)
{
	const char *host = s->client->host;
	struct addr todo[2];
	size_t i, n = 0;
	char *script;
	int rc;

	for (i = 0; i < s->n; i++)
		update_signature(c, host, addr_type(&s->addr[i]),
		    s->client->ttl, s->sig[i]);
	deadline_in(c->timeout);
	if ((s->lock = state_lock(c, host)) == STATE_BUSY)
		return SYNC_FAILED;
	for (i = 0; i < s->n; i++)
		s->current[i] = s->lock >= 0 &&
		    state_matches(c, host, &s->addr[i], s->sig[i]);
	if (c->verify_dns)
		sync_verify(s, c);
	if (sync_all_current(s))
		return SYNC_CURRENT;
	if (sync_forget(s, c) != 0)
		return SYNC_FAILED;
	for (i = 0; i < s->n; i++)
		if (!s->current[i])
			todo[n++] = s->addr[i];
	deadline_in(c->timeout);
	script = update_script(c, host, s->client->ttl, todo, n);
	rc = update_run(c, script, s->lock);
	free(script);
	if (rc != 0)
		return SYNC_FAILED;
	s->updated = s->lock >= 0;
	return SYNC_UPDATED;
}

/*
 * Once the answer is out and the connection has ended, so that the client
 * need not wait for an fsync: records what DNS took, then lets the next
 * connection for the host in.
 */
void
sync_record(struct sync *s, const struct conf *c)
{
	size_t i;

	for (i = 0; s->updated && i < s->n; i++)
		if (!s->current[i])
			state_save(c, s->client->host, &s->addr[i], s->sig[i]);
	if (s->lock >= 0)
		close(s->lock);
	s->lock = -1;
}
