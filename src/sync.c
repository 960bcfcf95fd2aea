/*
 * Bringing one name's records to what a request asks, for every
 * protocol: its A and AAAA records to one or two addresses, or the TXT
 * set of its ACME challenge given or rid of one value.  Under the name's
 * lock the state decides what DNS holds already (with verify-dns, the
 * primary confirms the addresses the state names); whatever must change
 * loses its state, durably, and goes to DNS in one nsupdate, one UPDATE
 * message; after the answer, what DNS took is recorded and the lock let
 * go.  A change beyond the client's max-changes an hour for a name and
 * type is refused before anything is forgotten, so DNS and the state stay
 * as they were.  Each wait has its phase: the lock and nsupdate timeout
 * seconds, the verify-dns query until timeout seconds after accept.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sftdyn.h"

/* Starts s: client cl's name host, to be brought up to date as kind says. */
void
sync_init(struct sync *s, const struct client *cl, const char *host,
    enum sync_kind kind)
{
	memset(s, 0, sizeof(*s));
	s->client = cl;
	s->host = host;
	s->kind = kind;
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
 * Whether the state of the records of a's type at s's name vouches for
 * a (state_judge()).
 */
static int
addr_current(const struct sync *s, const struct conf *c, const struct addr *a)
{
	struct state st;
	struct addr recorded;

	return state_judge(c, s->host, addr_type(a), s->client->ttl, &st) ==
	    VOUCH_VOUCHES && addr_parse(&recorded, st.value[0]) == 0 &&
	    memcmp(recorded.bytes, a->bytes, 16) == 0;
}

/*
 * verify-dns: the primary confirms each address the state vouches for, or
 * it is not current after all.  The queries share one phase, which ends
 * timeout seconds after accept.
 */
static void
sync_verify(struct sync *s, const struct conf *c)
{
	size_t i;

	deadline_from_start(c->timeout);
	for (i = 0; i < s->n; i++)
		if (s->current[i])
			s->current[i] = verify_confirms(c, s->host,
			    &s->addr[i]);
}

/* Takes the name's lock; returns 0, or -1 when another held it too long. */
static int
sync_lock(struct sync *s, const struct conf *c)
{
	deadline_in(c->timeout);
	return (s->lock = state_lock(c, s->host)) == STATE_BUSY ? -1 : 0;
}

/*
 * The change limit: whether the records of type at s's name may change
 * once more now, max-changes times in HISTORY_WINDOW seconds (0: no
 * limit).  When not, sets s->retry_after to the seconds until the oldest
 * change in the window leaves it, logs the refusal, and returns 0.  Only
 * a change reads the history: an UPTODATE answer never does.
 */
static int
limit_allows(struct sync *s, const struct conf *c, const char *type)
{
	time_t when[HISTORY_MAX], now = time(NULL);
	long max = s->client->max_changes, retry;
	size_t n, i = 0;

	if (max == 0 || s->lock < 0)
		return 1;
	history_read(c, s->host, type, when, HISTORY_MAX, &n);
	while (i < n && when[i] <= now - HISTORY_WINDOW)
		i++;
	if ((long)(n - i) < max)
		return 1;
	retry = (long)(when[n - (size_t)max] + HISTORY_WINDOW - now);
	retry = retry < 1 ? 1 : retry > HISTORY_WINDOW ? HISTORY_WINDOW : retry;
	if (retry > s->retry_after)
		s->retry_after = retry;
	log_info("limit: %s %s changed %ld times in the last hour, the limit; "
	    "refused for %ld s", s->host, type, max, retry);
	return 0;
}

/* Adds a change of the records of type at s's name, now, to its history. */
static void
limit_count(const struct sync *s, const struct conf *c, const char *type)
{
	time_t when[HISTORY_MAX + 1], now = time(NULL);
	long max = s->client->max_changes;
	size_t n, from = 0;

	if (max == 0)
		return;
	history_read(c, s->host, type, when, HISTORY_MAX, &n);
	while (from < n && when[from] <= now - HISTORY_WINDOW)
		from++;
	when[n++] = now;
	if (n - from > (size_t)max)
		from = n - (size_t)max;
	history_save(c, s->host, type, when + from, n - from);
}

/* Runs the update script, which it frees; SYNC_UPDATED or SYNC_FAILED. */
static enum sync_result
sync_run(struct sync *s, const struct conf *c, struct strbuf *script)
{
	int rc;

	update_send(script);
	deadline_in(c->timeout);
	rc = update_run(c, script->p, s->lock);
	free(script->p);
	if (rc != 0)
		return SYNC_FAILED;
	s->updated = s->lock >= 0;
	return SYNC_UPDATED;
}

/* The addresses: those the state does not vouch for go to DNS. */
static enum sync_result
sync_addrs(struct sync *s, const struct conf *c)
{
	struct strbuf b = { NULL, 0, 0 };
	size_t i;

	for (i = 0; i < s->n; i++)
		state_signature(c, s->host, addr_type(&s->addr[i]),
		    s->client->ttl, s->sig[i]);
	if (sync_lock(s, c) != 0)
		return SYNC_FAILED;
	for (i = 0; i < s->n; i++)
		s->current[i] = s->lock >= 0 &&
		    addr_current(s, c, &s->addr[i]);
	if (c->verify_dns)
		sync_verify(s, c);
	if (sync_all_current(s))
		return SYNC_CURRENT;
	for (i = 0; i < s->n; i++)
		if (!s->current[i] &&
		    !limit_allows(s, c, addr_type(&s->addr[i])))
			return SYNC_LIMITED;
	for (i = 0; i < s->n; i++)
		if (!s->current[i] &&
		    state_forget(c, s->host, addr_type(&s->addr[i])) != 0)
			return SYNC_FAILED;
	update_begin(&b, c, s->host);
	for (i = 0; i < s->n; i++) {
		const char *type = addr_type(&s->addr[i]);

		if (!s->current[i])
			update_addf(&b, "update delete %s %s\n"
			    "update add %s %ld %s %s\n", s->host, type, s->host,
			    s->client->ttl, type, s->addr[i].text);
	}
	return sync_run(s, c, &b);
}

/* Whether the TXT set st lists value; returns its index, or -1. */
static int
txt_index(const struct state *st, const char *value)
{
	size_t i;

	for (i = 0; i < st->n; i++)
		if (strcmp(st->value[i], value) == 0)
			return (int)i;
	return -1;
}

/* Removes the value at i from the set st. */
static void
txt_remove(struct state *st, size_t i)
{
	memmove(st->value[i], st->value[i + 1],
	    (st->n - i - 1) * sizeof(st->value[0]));
	st->n--;
}

/* Reads the TXT set into s->txt: whether the state vouches for it. */
static int
txt_known(struct sync *s, const struct conf *c)
{
	return s->lock >= 0 && state_judge(c, s->host, "TXT", s->client->ttl,
	    &s->txt) == VOUCH_VOUCHES;
}

/*
 * The TXT set at _acme-challenge.NAME, of which at most the two most
 * recent values are kept.  A present of a listed value, or a cleanup of
 * one the known set does not list, runs nothing.  A present adds the
 * value, deleting the oldest of two, or, when the set is unknown, every
 * value first; a cleanup deletes the value.  The set known afterwards is
 * recorded; after a cleanup of an unknown set it stays unknown.
 */
static enum sync_result
sync_txt(struct sync *s, const struct conf *c)
{
	struct strbuf b = { NULL, 0, 0 };
	char name[OWNER_MAX + 1];
	enum sync_result r = SYNC_CURRENT;
	int known, at;

	state_owner(name, s->host, "TXT");
	state_signature(c, s->host, "TXT", s->client->ttl, s->sig[0]);
	if (sync_lock(s, c) != 0)
		return SYNC_FAILED;
	known = txt_known(s, c);
	at = known ? txt_index(&s->txt, s->value) : -1;
	if ((s->kind == SYNC_PRESENT && at >= 0) ||
	    (s->kind == SYNC_CLEANUP && known && at < 0))
		goto out;
	r = SYNC_LIMITED;
	if (!limit_allows(s, c, "TXT"))
		goto out;
	r = SYNC_FAILED;
	if (state_forget(c, s->host, "TXT") != 0)
		goto out;
	update_begin(&b, c, name);
	if (s->kind == SYNC_CLEANUP) {
		update_addf(&b, "update delete %s TXT \"%s\"\n", name, s->value);
		if (known)
			txt_remove(&s->txt, (size_t)at);
	} else {
		if (!known) {
			update_addf(&b, "update delete %s TXT\n", name);
			s->txt.n = 0;
		} else if (s->txt.n == STATE_VALUES) {
			update_addf(&b, "update delete %s TXT \"%s\"\n", name,
			    s->txt.value[0]);
			txt_remove(&s->txt, 0);
		}
		update_addf(&b, "update add %s %ld TXT \"%s\"\n", name,
		    s->client->ttl, s->value);
		snprintf(s->txt.value[s->txt.n++], sizeof(s->txt.value[0]),
		    "%s", s->value);
		known = 1;
	}
	memcpy(s->txt.sig, s->sig[0], SIG_SIZE);
	s->txt_known = known;
	r = sync_run(s, c, &b);
out:
	return r;
}

/*
 * Brings s's name to what s asks.  Returns SYNC_CURRENT when the state
 * shows DNS holds it already, SYNC_UPDATED when nsupdate set it,
 * SYNC_FAILED when the lock, the state or nsupdate failed.  The lock
 * stays held until sync_record().
 */
enum sync_result
sync_host(struct sync *s, const struct conf *c)
{
	s->tried = 1;
	s->result = s->kind == SYNC_ADDRS ? sync_addrs(s, c) : sync_txt(s, c);
	return s->result;
}

/*
 * Once the answer is out and the connection has ended, so that the client
 * need not wait for an fsync: records what DNS took, then lets the next
 * connection for the name in.
 */
void
sync_record(struct sync *s, const struct conf *c)
{
	struct state st;
	size_t i;

	for (i = 0; s->updated && s->kind == SYNC_ADDRS && i < s->n; i++) {
		if (s->current[i])
			continue;
		memset(&st, 0, sizeof(st));
		st.n = 1;
		snprintf(st.value[0], sizeof(st.value[0]), "%s",
		    s->addr[i].text);
		memcpy(st.sig, s->sig[i], SIG_SIZE);
		state_save(c, s->host, addr_type(&s->addr[i]), &st);
		limit_count(s, c, addr_type(&s->addr[i]));
	}
	if (s->updated && s->kind != SYNC_ADDRS) {
		if (s->txt_known)
			state_save(c, s->host, "TXT", &s->txt);
		limit_count(s, c, "TXT");
	}
	if (s->lock >= 0)
		close(s->lock);
	s->lock = -1;
}
