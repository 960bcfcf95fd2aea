/*
 * The state directory: per name and record type, what DNS last accepted
 * (an address, or the TXT values of an ACME challenge) and the signature
 * of the update that set it, as one line "VALUE... SIGNATURE".  A
 * per-name lock serialises read, removal, nsupdate and write.  The state
 * is removed durably before nsupdate runs and written atomically after
 * it succeeded, so it never names what DNS may not hold.  Only regular
 * files count; any trouble means "unknown" and is logged.
 */
#include <sys/file.h>
#include <sys/stat.h>

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sftdyn.h"

/*
 * State trouble: logged at err level, with the path and the reason
 * (errno's text, with with_errno set), once per connection; what follows
 * from it only at debug level.
 */
static void
vtrouble(int with_errno, const char *fmt, va_list ap)
{
	static int logged;
	char msg[1024];

	msg_vformat(msg, sizeof(msg), with_errno, fmt, ap);
	if (logged++)
		log_debug("state: %s", msg);
	else
		log_err("state: %s", msg);
}

static void ATTR_PRINTF(1, 2)
trouble(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vtrouble(0, fmt, ap);
	va_end(ap);
}

/* trouble(), and ": " and errno's text. */
static void ATTR_PRINTF(1, 2)
systrouble(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vtrouble(1, fmt, ap);
	va_end(ap);
}

/*
 * statedir/host.suffix, host lower-cased and without a trailing dot (to
 * be freed: a path of any length, and no large buffer on the stack).
 */
static char *
state_path(const struct conf *c, const char *host, const char *suffix)
{
	char name[HOST_MAX + 2];

	host_fold(name, sizeof(name), host);
	return xasprintf("%s/%s.%s", c->statedir, name, suffix);
}

/*
 * Opens path without following a symlink or blocking on a FIFO, and only
 * when it is a regular file; its status into *out, unless NULL.  Returns
 * the fd, or -1 with errno set, the trouble logged unless the file does
 * not exist (ENOENT).
 */
static int
open_regular(const char *path, int flags, struct stat *out)
{
	struct stat st;
	int fd;

	fd = open(path, flags | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0600);
	if (fd == -1) {
		if (errno == ELOOP || errno == EISDIR || errno == ENXIO) {
			/* a symlink; a directory or socket to write */
			trouble("%s is not a regular file, ignored", path);
			errno = EINVAL;
		} else if (errno != ENOENT)
			systrouble("%s", path);
		return -1;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		trouble("%s is not a regular file, ignored", path);
		close(fd);
		errno = EINVAL;
		return -1;
	}
	if (out != NULL)
		*out = st;
	return fd;
}

/*
 * Opens host's lock file, making the state directory if it is missing.
 * Returns the fd, or -1 (logged).
 */
static int
lock_open(const struct conf *c, const char *path)
{
	int fd = open_regular(path, O_RDWR | O_CREAT, NULL);

	if (fd != -1 || errno != ENOENT)
		return fd;
	if (mkdir(c->statedir, 0750) != 0 && errno != EEXIST) {
		systrouble("cannot make the state directory %s", c->statedir);
		return -1;
	}
	if ((fd = open_regular(path, O_RDWR | O_CREAT, NULL)) == -1 &&
	    errno == ENOENT)
		systrouble("%s", path);
	return fd;
}

/*
 * Takes the lock for host, waiting for other connections that hold it
 * until the current phase's deadline.  Returns the lock's fd; STATE_NOLOCK
 * (logged) when there is no usable lock, so the state is unknown and
 * nothing is recorded; STATE_BUSY when the deadline passed first.
 */
int
state_lock(const struct conf *c, const char *host)
{
	char *path = state_path(c, host, "lock");
	int fd;

	if ((fd = lock_open(c, path)) == -1)
		fd = STATE_NOLOCK;
	while (fd >= 0 && flock(fd, LOCK_EX) != 0) {
		if (errno == EINTR && !deadline_expired())
			continue;
		close(fd);
		if (errno == EINTR) {
			log_err("state: %s: another connection held the lock "
			    "until the deadline", path);
			fd = STATE_BUSY;
		} else {
			systrouble("lock %s", path);
			fd = STATE_NOLOCK;
		}
	}
	free(path);
	return fd;
}

/*
 * Parses the line of a state file, [buf, buf + len): the values (at most
 * STATE_VALUES, each 1 to STATE_VALUE_MAX printable bytes), then the
 * signature (SIG_SIZE - 1 hex digits), one space between each, and one LF
 * at the end; no NUL that could hide bytes after it.  Returns 0, or -1
 * when it is anything else.
 */
int
state_parse(const char *buf, size_t len, struct state *st)
{
	const char *p = buf, *end = buf + len - 1, *sp;
	size_t n;

	memset(st, 0, sizeof(*st));
	if (len == 0 || *end != '\n')
		return -1;
	for (;;) {
		sp = memchr(p, ' ', (size_t)(end - p));
		n = (size_t)((sp ? sp : end) - p);
		if (n == 0 || n > STATE_VALUE_MAX)
			return -1;
		for (size_t i = 0; i < n; i++)
			if (p[i] <= ' ' || p[i] >= 0x7f)
				return -1;
		if (sp == NULL)
			break;
		if (st->n == STATE_VALUES)
			return -1;
		memcpy(st->value[st->n++], p, n);
		p = sp + 1;
	}
	if (n != SIG_SIZE - 1 || strspn(p, "0123456789abcdef") < n)
		return -1;
	memcpy(st->sig, p, n);
	return 0;
}

/* Formats st as the line of a state file; returns its length. */
size_t
state_format(const struct state *st, char line[STATE_LINE_MAX])
{
	size_t i, len = 0;

	for (i = 0; i < st->n; i++)
		len += (size_t)snprintf(line + len, STATE_LINE_MAX - len,
		    "%s ", st->value[i]);
	len += (size_t)snprintf(line + len, STATE_LINE_MAX - len, "%s\n",
	    st->sig);
	return len;
}

/*
 * Reads the state of host's records of type into st, st->set the time it
 * was written.  Returns 0, or -1 when it is unknown: missing (errno
 * ENOENT), or not a regular file, unreadable or corrupt (logged).
 */
int
state_read(const struct conf *c, const char *host, const char *type,
    struct state *st)
{
	char *path = state_path(c, host, type), line[STATE_LINE_MAX];
	struct stat sb;
	ssize_t n;
	int fd, rc = -1;

	if ((fd = open_regular(path, O_RDONLY, &sb)) == -1)
		goto out;
	n = read(fd, line, sizeof(line));
	close(fd);
	if (n <= 0 || (size_t)n == sizeof(line) ||
	    state_parse(line, (size_t)n, st) != 0) {
		trouble("%s: corrupt, ignored", path);
		errno = EINVAL;
		goto out;
	}
	st->set = sb.st_mtime;
	rc = 0;
out:
	free(path);
	return rc;
}

/*
 * The owner of the records of type that host's state is about, into
 * owner: host itself, or for TXT its ACME challenge, _acme-challenge.HOST.
 */
void
state_owner(char owner[OWNER_MAX + 1], const char *host, const char *type)
{
	snprintf(owner, OWNER_MAX + 1, "%s%s",
	    strcmp(type, "TXT") == 0 ? ACME_PREFIX : "", host);
}

/* The signature that an update of host's records of type with ttl has. */
void
state_signature(const struct conf *c, const char *host, const char *type,
    long ttl, char sig[SIG_SIZE])
{
	char owner[OWNER_MAX + 1];

	state_owner(owner, host, type);
	update_signature(c, owner, type, ttl, sig);
}

/* Whether st's values are ones of type: one address of it, or TXT's. */
static int
values_fit(const struct state *st, const char *type)
{
	struct addr a;
	size_t i;

	if (strcmp(type, "TXT") == 0) {
		for (i = 0; i < st->n; i++)
			if (!valid_txt_value(st->value[i]))
				return 0;
		return 1;
	}
	return st->n == 1 && addr_parse(&a, st->value[0]) == 0 &&
	    strcmp(addr_type(&a), type) == 0;
}

/*
 * Reads the state of host's records of type (A, AAAA or TXT), sent with
 * ttl, into st, and says what it is worth: the one rule of what a state
 * vouches for, for the handler and --status alike.  Whatever is not
 * VOUCH_NONE or VOUCH_VOUCHES is logged.
 */
enum vouch
state_judge(const struct conf *c, const char *host, const char *type,
    long ttl, struct state *st)
{
	char sig[SIG_SIZE];

	if (state_read(c, host, type, st) != 0)
		return errno == ENOENT ? VOUCH_NONE : VOUCH_UNKNOWN;
	if (!values_fit(st, type)) {
		trouble("%s %s: corrupt, ignored", host, type);
		return VOUCH_UNKNOWN;
	}
	state_signature(c, host, type, ttl, sig);
	if (strcmp(st->sig, sig) != 0) {
		log_info("state: %s %s was set by another update (server, "
		    "port, key file or TTL changed), so it vouches for nothing",
		    host, type);
		return VOUCH_STALE;
	}
	return VOUCH_VOUCHES;
}

/* The word --status shows for v. */
const char *
vouch_word(enum vouch v)
{
	static const char *const words[] = {
		[VOUCH_NONE] = "none", [VOUCH_UNKNOWN] = "unknown",
		[VOUCH_STALE] = "stale", [VOUCH_VOUCHES] = "vouches",
	};

	return words[v];
}

/* fsync(2) of the state directory, so that a removal or rename lasts. */
static int
state_sync_dir(const struct conf *c)
{
	int fd = open(c->statedir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc;

	if (fd == -1)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

/*
 * Removes the state of host's records of type, durably, before an
 * update: whatever happens next, it is unknown, never older values.
 * Returns 0 when no regular file claims values any more, -1 (logged) when
 * one still may.
 */
int
state_forget(const struct conf *c, const char *host, const char *type)
{
	char *path = state_path(c, host, type);
	struct stat st;
	int rc = 0;

	if (unlink(path) == 0) {
		if (state_sync_dir(c) != 0) {
			systrouble("%s: removed, but syncing %s failed",
			    path, c->statedir);
			rc = -1;
		}
	} else if (errno != ENOENT && errno != ENOTDIR &&
	    (lstat(path, &st) != 0 || S_ISREG(st.st_mode))) {
		/* (what is no regular file was never read: it vouches
		 * for nothing) */
		systrouble("cannot remove %s", path);
		rc = -1;
	}
	free(path);
	return rc;
}

/*
 * Writes [data, data + len) as the file at path: temporary file, fsync,
 * rename.  Failure is logged and leaves no file behind but the old one.
 */
static void
write_atomic(const char *path, const char *data, size_t len)
{
	char *tmp = xasprintf("%s.XXXXXX", path);
	int fd, ok;

	if ((fd = mkostemp(tmp, O_CLOEXEC)) == -1) {
		systrouble("%s", tmp);
		goto out;
	}
	ok = write_all(fd, data, len) == 0 && fsync(fd) == 0;
	if (close(fd) != 0 || !ok) {
		systrouble("%s", tmp);
		unlink(tmp);
	} else if (rename(tmp, path) != 0) {
		systrouble("%s", path);
		unlink(tmp);
	} else
		log_debug("state: %s written", path);
out:
	free(tmp);
}

/*
 * Records st as what DNS holds for host's records of type.  Failure is
 * logged and leaves the state unknown.
 */
void
state_save(const struct conf *c, const char *host, const char *type,
    const struct state *st)
{
	char *path = state_path(c, host, type), line[STATE_LINE_MAX];
	size_t n = state_format(st, line);

	write_atomic(path, line, n);
	free(path);
}

/*
 * The change history of host's records of type (HOST.TYPE.changes beside
 * the state): the times of the last changes, in seconds since the epoch,
 * one a line, oldest first, at most max.  Reads it into when[], *n
 * entries.  Returns 0 (no history counts as none), or -1 when it is
 * damaged (logged): *n is 0, as a lost history allows changes.
 */
int
history_read(const struct conf *c, const char *host, const char *type,
    time_t *when, size_t max, size_t *n)
{
	const size_t size = HISTORY_MAX * 21 + 1;
	char *path, *buf = NULL, suffix[16], *p, *end;
	long long v;
	ssize_t len;
	int fd, rc = 0;

	*n = 0;
	snprintf(suffix, sizeof(suffix), "%s.changes", type);
	path = state_path(c, host, suffix);
	if ((fd = open_regular(path, O_RDONLY, NULL)) == -1) {
		rc = errno == ENOENT ? 0 : -1;
		goto out;
	}
	buf = xcalloc(1, size);
	len = read(fd, buf, size - 1);
	close(fd);
	if (len < 0 || (size_t)len == size - 1 || memchr(buf, '\0',
	    (size_t)len) != NULL)
		goto damaged;
	buf[len] = '\0';	/* strtoll() stops there, at the latest */
	for (p = buf, end = buf + len; p < end; p++) {
		errno = 0;
		v = strtoll(p, &p, 10);
		if (errno != 0 || p >= end || *p != '\n' || v <= 0 ||
		    (*n > 0 && v < (long long)when[*n - 1]) || *n == max)
			goto damaged;
		when[(*n)++] = (time_t)v;
	}
	goto out;
damaged:
	*n = 0;
	trouble("%s: damaged, ignored: the change limit starts afresh", path);
	rc = -1;
out:
	free(buf);
	free(path);
	return rc;
}

/* Writes the change history of host's records of type: n times. */
void
history_save(const struct conf *c, const char *host, const char *type,
    const time_t *when, size_t n)
{
	const size_t size = HISTORY_MAX * 21;
	char *path, *buf = xcalloc(1, size), suffix[16];
	size_t i, len = 0;

	snprintf(suffix, sizeof(suffix), "%s.changes", type);
	path = state_path(c, host, suffix);
	for (i = 0; i < n && i < HISTORY_MAX; i++)
		len += (size_t)snprintf(buf + len, size - len, "%lld\n",
		    (long long)when[i]);
	write_atomic(path, buf, len);
	free(buf);
	free(path);
}
