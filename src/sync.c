/*
 * Bringing names' records to what a request asks, for every protocol:
 * the A and AAAA records of a name to one or two addresses, or the TXT
 * set of its ACME challenge given or rid of one value.
 *
 * A request locks all of its names first, in one order (their names
 * folded to lower case, without a trailing dot, in byte order), whatever
 * order the request or the configuration lists them in: two requests
 * for the same names never wait on each other.  Then, per name and under
 * its lock, what DNS holds is decided: the state says, and with
 * verify-dns the primary confirms the addresses or gives the TXT set
 * (sync_check()); a change beyond the client's max-changes an hour for
 * the name and type is refused before anything is forgotten, so DNS and
 * the state stay as they were; whatever must change loses its state,
 * durably, and goes to DNS in one nsupdate, one UPDATE message
 * (sync_run()).  After the answer, what DNS took is recorded and the
 * locks let go (sync_record()).  Each wait has its phase: the locks and
 * nsupdate timeout seconds, a question to the primary until timeout
 * seconds after accept.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sftdyn.h"

/* A TXT set's records written as nsupdate's input writes one, at most. */
#define TXT_TEXT_MAX	(4 * RDATA_MAX + 8)

/*
 * The TXT set at a name's challenge, of which at most the STATE_VALUES
 * most recent values are kept.
 */
struct txt {
	struct state	 listed;	/* the state's values, oldest first */
	int		 known;		/* before is what DNS holds */
	struct rrset	 before;	/* the set the update starts from */
	struct state	 after;		/* what DNS holds once it took it */
	int		 after_known;	/* ... and that can be recorded */
};

/* Starts s: client cl's name host, to be brought up to date as kind says. */
void
sync_init(struct sync *s, const struct client *cl, const char *host,
    enum sync_kind kind)
{
	memset(s, 0, sizeof(*s));
	s->client = cl;
	s->host = host;
	s->kind = kind;
	s->lock = STATE_NOLOCK;
	if (kind != SYNC_ADDRS)
		s->txt = xcalloc(1, sizeof(*s->txt));
}

/* Adds a, which must be of a family s does not hold yet. */
void
sync_add(struct sync *s, const struct addr *a)
{
	if (s->n < 2)
		s->addr[s->n++] = *a;
}

/* The order names are locked in: folded, in byte order. */
static int
lock_cmp(const void *a, const void *b)
{
	char x[HOST_MAX + 2], y[HOST_MAX + 2];

	host_fold(x, sizeof(x), (*(struct sync *const *)a)->host);
	host_fold(y, sizeof(y), (*(struct sync *const *)b)->host);
	return strcmp(x, y);
}

/*
 * Takes the locks of the n names of v, in the one order, waiting for
 * other connections until timeout seconds from now in all.  A name whose
 * lock another connection held too long fails at sync_check(); one
 * without a usable lock is unknown, and its update runs unrecorded.
 */
void
sync_lock(struct sync *v, size_t n, const struct conf *c)
{
	struct sync *order[NAMES_MAX];
	size_t i;

	for (i = 0; i < n && i < NAMES_MAX; i++)
		order[i] = &v[i];
	qsort(order, i, sizeof(order[0]), lock_cmp);
	deadline_in(c->timeout);
	for (i = 0; i < n && i < NAMES_MAX; i++)
		order[i]->lock = state_lock(c, order[i]->host);
}

/* Whether every address of s is current. */
static int
all_current(const struct sync *s)
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
 * The change history of the records of type at s's name, under its lock,
 * into when[] (*n times, oldest first).  A time later than now (the clock
 * was wrong when it was written, then stepped back) counts as now, and
 * is written back so: it leaves the window an hour from now, whatever
 * the clock said then.
 */
static void
history_get(const struct sync *s, const struct conf *c, const char *type,
    time_t when[HISTORY_MAX], size_t *n, time_t now)
{
	size_t i, later = 0;

	history_read(c, s->host, type, when, HISTORY_MAX, n);
	for (i = 0; i < *n; i++)
		if (when[i] > now) {
			when[i] = now;
			later++;
		}
	if (later == 0)
		return;
	log_info("limit: %s %s: %zu change times later than now, counted as "
	    "now", s->host, type, later);
	history_save(c, s->host, type, when, *n);
}

/*
 * The change limit: whether the records of type at s's name may change
 * once more now, max-changes times in HISTORY_WINDOW seconds (0: no
 * limit).  When not, sets s->retry_after to the seconds until the oldest
 * change in the window leaves it (never more than the window: no time
 * counts as later than now), logs the refusal, and returns 0.  Only a
 * change reads the history: an UPTODATE never does.
 */
static int
limit_allows(struct sync *s, const struct conf *c, const char *type)
{
	time_t when[HISTORY_MAX], now = time(NULL);
	long max = s->client->max_changes, retry;
	size_t n, i = 0;

	if (max == 0 || s->lock < 0)
		return 1;
	history_get(s, c, type, when, &n, now);
	while (i < n && when[i] <= now - HISTORY_WINDOW)
		i++;
	if ((long)(n - i) < max)
		return 1;
	retry = (long)(when[n - (size_t)max] + HISTORY_WINDOW - now);
	retry = retry < 1 ? 1 : retry;
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
	history_get(s, c, type, when, &n, now);
	while (from < n && when[from] <= now - HISTORY_WINDOW)
		from++;
	when[n++] = now;
	if (n - from > (size_t)max)
		from = n - (size_t)max;
	history_save(c, s->host, type, when + from, n - from);
}

/*
 * Runs the update script, which it frees, holding s's lock.  Returns
 * update_run()'s answer.
 */
static enum update
sync_nsupdate(struct sync *s, const struct conf *c, struct strbuf *script)
{
	enum update rc;

	update_send(script);
	deadline_in(c->timeout);
	rc = update_run(c, script->p, s->lock);
	free(script->p);
	script->p = NULL;
	script->len = script->size = 0;
	return rc;
}

/* Logs that nsupdate's prerequisite of no CNAME at the name failed. */
static void
log_cname(void)
{
	log_err("nsupdate: the name holds a CNAME (the update's prerequisite "
	    "failed): DNS takes no other record beside one, so nothing was "
	    "changed");
}

/*
 * The addresses: which of them the state vouches for (with verify-dns,
 * confirmed by the primary, in one phase that ends timeout seconds after
 * accept), and whether the others may change.
 */
static enum sync_result
check_addrs(struct sync *s, const struct conf *c)
{
	size_t i;

	for (i = 0; i < s->n; i++) {
		state_signature(c, s->host, addr_type(&s->addr[i]),
		    s->client->ttl, s->sig[i]);
		s->current[i] = s->lock >= 0 &&
		    addr_current(s, c, &s->addr[i]);
	}
	if (c->verify_dns) {
		deadline_from_start(c->timeout);
		for (i = 0; i < s->n; i++)
			if (s->current[i])
				s->current[i] = verify_confirms(c, s->host,
				    &s->addr[i]);
	}
	if (all_current(s))
		return SYNC_CURRENT;
	for (i = 0; i < s->n; i++)
		if (!s->current[i] &&
		    !limit_allows(s, c, addr_type(&s->addr[i])))
			return SYNC_LIMITED;
	return SYNC_PENDING;
}

/* The addresses the state does not vouch for go to DNS, in one message. */
static enum sync_result
run_addrs(struct sync *s, const struct conf *c)
{
	struct strbuf b = { NULL, 0, 0 };
	enum update rc;
	size_t i;

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
	if ((rc = sync_nsupdate(s, c, &b)) == UPDATE_PREREQ)
		log_cname();
	if (rc != UPDATE_DONE)
		return SYNC_FAILED;
	s->updated = s->changed = s->lock >= 0;
	return SYNC_UPDATED;
}

/*
 * Writes the data of a TXT record, rdata, as nsupdate's input writes it
 * into text: each of its strings quoted, '"' and '\' escaped, bytes
 * outside printable ASCII as \DDD.  Returns 0, or -1 when rdata is not
 * made of strings.
 */
static int
txt_text(const unsigned char *rdata, size_t len, char text[TXT_TEXT_MAX])
{
	size_t i = 0, n = 0, end;

	while (i < len) {
		if ((end = i + 1 + rdata[i]) > len)
			return -1;
		if (n > 0)
			text[n++] = ' ';
		text[n++] = '"';
		for (i++; i < end; i++) {
			unsigned char ch = rdata[i];

			if (ch == '"' || ch == '\\')
				n += (size_t)snprintf(text + n, 3, "\\%c", ch);
			else if (ch < ' ' || ch > '~')
				n += (size_t)snprintf(text + n, 5, "\\%03u", ch);
			else
				text[n++] = (char)ch;
		}
		text[n++] = '"';
	}
	if (n == 0)
		return -1;	/* no string: not what a TXT record holds */
	text[n] = '\0';
	return 0;
}

/*
 * The value of a TXT record that sftdyn can record: one string, a
 * challenge value; into value.  Returns 0, or -1 when it is another's.
 */
static int
txt_value(const unsigned char *rdata, size_t len,
    char value[STATE_VALUE_MAX + 1])
{
	if (len < 2 || rdata[0] != len - 1 || len - 1 > STATE_VALUE_MAX)
		return -1;
	memcpy(value, rdata + 1, len - 1);
	value[len - 1] = '\0';
	return valid_txt_value(value) ? 0 : -1;
}

/* Where t's state lists rdata, counted from 1 (the oldest); 0: nowhere. */
static size_t
txt_rank(const struct txt *t, const unsigned char *rdata, size_t len)
{
	char value[STATE_VALUE_MAX + 1];
	size_t i;

	if (txt_value(rdata, len, value) != 0)
		return 0;
	for (i = 0; i < t->listed.n; i++)
		if (strcmp(t->listed.value[i], value) == 0)
			return i + 1;
	return 0;
}

/* The set being sorted by txt_order(). */
static const struct txt *sorting;

static int
txt_cmp(const void *a, const void *b)
{
	size_t i = *(const size_t *)a, j = *(const size_t *)b;
	const struct rrset *s = &sorting->before;
	size_t ri = txt_rank(sorting, s->rdata[i], s->len[i]),
	    rj = txt_rank(sorting, s->rdata[j], s->len[j]);
	int d;

	if (ri != rj)
		return ri < rj ? -1 : 1;
	d = memcmp(s->rdata[i], s->rdata[j], s->len[i] < s->len[j] ?
	    s->len[i] : s->len[j]);
	return d != 0 ? d : (s->len[i] > s->len[j]) - (s->len[i] < s->len[j]);
}

/*
 * The records of t->before, oldest first, into order: those the state
 * does not list come first, among themselves in byte order; then the
 * listed ones, as the state lists them.
 */
static void
txt_order(const struct txt *t, size_t order[RRSET_MAX])
{
	size_t i;

	for (i = 0; i < t->before.n; i++)
		order[i] = i;
	sorting = t;
	qsort(order, t->before.n, sizeof(order[0]), txt_cmp);
	sorting = NULL;
}

/* Whether t->before holds value v. */
static int
txt_holds(const struct txt *t, const char *v)
{
	char value[STATE_VALUE_MAX + 1];
	size_t i;

	for (i = 0; i < t->before.n; i++)
		if (txt_value(t->before.rdata[i], t->before.len[i], value) ==
		    0 && strcmp(value, v) == 0)
			return 1;
	return 0;
}

/*
 * Reads the TXT set at s's challenge from the primary into s->txt, in
 * one phase that ends timeout seconds after accept.  Returns 0, or -1
 * (logged) when it cannot be had: no usable answer, a CNAME or DNAME on
 * the way, or a set larger than sftdyn reads.
 */
static int
txt_read(struct sync *s, const struct conf *c)
{
	char owner[OWNER_MAX + 1], text[TXT_TEXT_MAX];
	struct txt *t = s->txt;
	const char *why;
	size_t i;

	state_owner(owner, s->host, "TXT");
	deadline_from_start(c->timeout);
	t->known = 0;
	if (verify_read(c, owner, TYPE_TXT, &t->before, &why) !=
	    VERDICT_AGREES) {
		log_err("verify-dns: %s TXT: the set cannot be read from the "
		    "primary: %s", owner, why);
		return -1;
	}
	for (i = 0; i < t->before.n; i++)
		if (txt_text(t->before.rdata[i], t->before.len[i], text) != 0) {
			log_err("verify-dns: %s TXT: the primary holds a "
			    "record that is no TXT data", owner);
			return -1;
		}
	t->known = 1;
	return 0;
}

/*
 * Whether the TXT set is what s asks already: a present of a value it
 * holds, a cleanup of one it does not.  Only a known set can say.
 */
static int
txt_current(const struct sync *s)
{
	const struct txt *t = s->txt;

	if (!t->known)
		return 0;
	return (s->kind == SYNC_PRESENT) == txt_holds(t, s->value);
}

/*
 * The TXT set: read from the primary with verify-dns (DNS is the truth,
 * across front-ends), else what the state vouches for; the state's list
 * gives the order in either case.  Current when it holds what s asks.
 */
static enum sync_result
check_txt(struct sync *s, const struct conf *c)
{
	struct txt *t = s->txt;
	enum vouch v = VOUCH_NONE;

	state_signature(c, s->host, "TXT", s->client->ttl, s->sig[0]);
	if (s->lock >= 0)
		v = state_judge(c, s->host, "TXT", s->client->ttl, &t->listed);
	if (v != VOUCH_VOUCHES && v != VOUCH_STALE)
		t->listed.n = 0;
	if (c->verify_dns) {
		if (txt_read(s, c) != 0)
			return SYNC_FAILED;
	} else if (v == VOUCH_VOUCHES) {
		rrset_txt(&t->before, &t->listed);
		t->known = 1;
	}
	if (txt_current(s))
		return SYNC_CURRENT;
	return limit_allows(s, c, "TXT") ? SYNC_PENDING : SYNC_LIMITED;
}

/*
 * The update of a known TXT set, into b: it requires the set to be
 * exactly the one it was computed from (compare and swap: no other
 * front-end or hand edit changed it since it was read), and gives it the
 * value, deleting the oldest so that at most STATE_VALUES remain, or rids
 * it of the value.  t->after is the set once DNS took it.
 */
static void
txt_script_known(struct sync *s, const char *name, struct strbuf *b)
{
	struct txt *t = s->txt;
	size_t order[RRSET_MAX], i, keep_from = 0;
	char text[TXT_TEXT_MAX];
	int drop;

	if (t->before.n == 0)
		update_addf(b, "prereq nxrrset %s TXT\n", name);
	for (i = 0; i < t->before.n; i++) {
		txt_text(t->before.rdata[i], t->before.len[i], text);
		update_addf(b, "prereq yxrrset %s TXT %s\n", name, text);
	}
	txt_order(t, order);
	if (s->kind == SYNC_PRESENT && t->before.n >= STATE_VALUES)
		keep_from = t->before.n - (STATE_VALUES - 1);
	t->after.n = 0;
	t->after_known = 1;
	for (i = 0; i < t->before.n; i++) {
		const unsigned char *r = t->before.rdata[order[i]];
		size_t len = t->before.len[order[i]];
		char value[STATE_VALUE_MAX + 1];

		drop = i < keep_from || (s->kind == SYNC_CLEANUP &&
		    txt_value(r, len, value) == 0 &&
		    strcmp(value, s->value) == 0);
		if (drop) {
			txt_text(r, len, text);
			update_addf(b, "update delete %s TXT %s\n", name, text);
		} else if (txt_value(r, len, value) == 0 &&
		    t->after.n < STATE_VALUES)
			memcpy(t->after.value[t->after.n++], value,
			    sizeof(value));
		else
			t->after_known = 0;	/* another's: not recorded */
	}
	if (s->kind == SYNC_PRESENT) {
		update_addf(b, "update add %s %ld TXT \"%s\"\n", name,
		    s->client->ttl, s->value);
		snprintf(t->after.value[t->after.n++], sizeof(t->after.value[0]),
		    "%s", s->value);
	}
}

/*
 * The update of a TXT set that is not known (no verify-dns, no state
 * that vouches: one front-end, no hand edits), into b: a present
 * replaces the whole set by the value, a cleanup deletes the value and
 * leaves the set unknown.
 */
static void
txt_script_unknown(struct sync *s, const char *name, struct strbuf *b)
{
	struct txt *t = s->txt;

	t->after.n = 0;
	t->after_known = s->kind == SYNC_PRESENT;
	if (s->kind == SYNC_CLEANUP) {
		update_addf(b, "update delete %s TXT \"%s\"\n", name, s->value);
		return;
	}
	update_addf(b, "update delete %s TXT\nupdate add %s %ld TXT \"%s\"\n",
	    name, name, s->client->ttl, s->value);
	snprintf(t->after.value[t->after.n++], sizeof(t->after.value[0]), "%s",
	    s->value);
}

/*
 * The TXT set goes to DNS: its state forgotten, one UPDATE message.
 * When the primary refuses it for its prerequisite, the set changed
 * since it was read: it is read again, once, and the update computed and
 * sent again, once.  A second refusal fails, the state forgotten.
 */
static enum sync_result
run_txt(struct sync *s, const struct conf *c)
{
	struct strbuf b = { NULL, 0, 0 };
	struct txt *t = s->txt;
	char name[OWNER_MAX + 1];
	enum update rc;
	int again;

	state_owner(name, s->host, "TXT");
	if (state_forget(c, s->host, "TXT") != 0)
		return SYNC_FAILED;
	for (again = 0;; again = 1) {
		update_begin(&b, c, name);
		if (t->known)
			txt_script_known(s, name, &b);
		else
			txt_script_unknown(s, name, &b);
		if ((rc = sync_nsupdate(s, c, &b)) == UPDATE_DONE)
			break;
		t->after_known = 0;
		if (rc != UPDATE_PREREQ || again) {
			if (rc == UPDATE_PREREQ)
				log_err("nsupdate: %s TXT changed again while "
				    "the update was sent; nothing was changed",
				    name);
			return SYNC_FAILED;
		}
		log_info("nsupdate: %s TXT is not the set the update was "
		    "made for (another front-end or a hand edit changed it); "
		    "reading it again", name);
		if (txt_read(s, c) != 0)
			return SYNC_FAILED;
		if (txt_current(s)) {
			t->after_known = 0;
			return SYNC_CURRENT;
		}
	}
	s->updated = s->lock >= 0 && t->after_known;
	s->changed = s->lock >= 0;
	return SYNC_UPDATED;
}

/*
 * Decides, under s's lock (taken by sync_lock()), whether s's name needs
 * a change: SYNC_CURRENT when DNS holds what s asks already, SYNC_LIMITED
 * when the change limit refuses it (s->retry_after says for how long),
 * SYNC_FAILED when its lock was held too long or, for TXT with
 * verify-dns, the set could not be read; else SYNC_PENDING, for
 * sync_run().  Nothing is changed.
 */
enum sync_result
sync_check(struct sync *s, const struct conf *c)
{
	s->tried = 1;
	if (s->lock == STATE_BUSY)
		s->result = SYNC_FAILED;
	else if (s->kind == SYNC_ADDRS)
		s->result = check_addrs(s, c);
	else
		s->result = check_txt(s, c);
	return s->result;
}

/*
 * Sends the change sync_check() found pending.  Returns SYNC_UPDATED
 * when nsupdate set it, SYNC_FAILED when the state or nsupdate failed
 * (SYNC_CURRENT when a TXT set read again holds what s asks already).
 */
enum sync_result
sync_run(struct sync *s, const struct conf *c)
{
	s->result = s->kind == SYNC_ADDRS ? run_addrs(s, c) : run_txt(s, c);
	return s->result;
}

/* sync_check(), then sync_run() if a change is pending. */
enum sync_result
sync_host(struct sync *s, const struct conf *c)
{
	if (sync_check(s, c) == SYNC_PENDING)
		sync_run(s, c);
	return s->result;
}

/*
 * Once the answer is out and the connection has ended, so that the client
 * need not wait for an fsync: records what DNS took and counts the
 * change, then lets the next connection for the name in.
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
	if (s->kind != SYNC_ADDRS) {
		if (s->updated) {
			memcpy(s->txt->after.sig, s->sig[0], SIG_SIZE);
			state_save(c, s->host, "TXT", &s->txt->after);
		}
		if (s->changed)
			limit_count(s, c, "TXT");
		free(s->txt);
		s->txt = NULL;
	}
	if (s->lock >= 0)
		close(s->lock);
	s->lock = STATE_NOLOCK;
}
