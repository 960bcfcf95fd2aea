/*
 * The state directory (SPEC section 7): per host and record type, the
 * address that DNS last accepted and the signature of the update that
 * set it, as one line "ADDRESS SIGNATURE".  A per-host lock serialises
 * read, removal, nsupdate and write.  The state is removed durably before
 * nsupdate runs and written atomically after it succeeded, so it never
 * names an address that DNS may not hold.  Only regular files count; any
 * trouble means "unknown" and is logged.
 */
#include <sys/file.h>
#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sftdyn.h"

#define STATE_LINE_MAX	128

/*
 * State trouble: logged at err level, with the path and the reason, once
 * per connection; what follows from it only at debug level.
 */
static void ATTR_PRINTF(1, 2)
trouble(const char *fmt, ...)
{
	static int logged;
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (logged++)
		log_debug("state: %s", msg);
	else
		log_err("state: %s", msg);
}

/* statedir/host.suffix, host lower-cased and without a trailing dot. */
static void
state_path(char *buf, size_t size, const struct conf *c, const char *host,
    const char *suffix)
{
	char name[HOST_MAX + 2];
	size_t i, len = strlen(host);

	if (len > 0 && host[len - 1] == '.')
		len--;
	for (i = 0; i < len && i < sizeof(name) - 1; i++)
		name[i] = (char)tolower((unsigned char)host[i]);
	name[i] = '\0';
	snprintf(buf, size, "%s/%s.%s", c->statedir, name, suffix);
}

/*
 * Returns 0 when c's statedir is a directory or does not exist yet (it is
 * made when first needed), else -1, logged: a configuration error, as -t
 * reports it, for a configuration that came from the index.
 */
int
state_dir_check(const struct conf *c)
{
	struct stat st;

	if (stat(c->statedir, &st) != 0 || S_ISDIR(st.st_mode))
		return 0;
	log_err("configuration: statedir \"%s\" is not a directory; run "
	    "sftdyn -t %s", c->statedir, c->path);
	return -1;
}

/*
 * Opens path without following a symlink or blocking on a FIFO, and only
 * when it is a regular file.  Returns the fd, or -1 with errno set, the
 * trouble logged unless the file does not exist (ENOENT).
 */
static int
open_regular(const char *path, int flags)
{
	struct stat st;
	int fd;

	if (lstat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		trouble("%s is not a regular file, ignored", path);
		errno = EINVAL;
		return -1;
	}
	fd = open(path, flags | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0600);
	if (fd == -1) {
		if (errno != ENOENT)
			trouble("%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		trouble("%s is not a regular file, ignored", path);
		close(fd);
		errno = EINVAL;
		return -1;
	}
	return fd;
}

/*
 * Opens host's lock file, making the state directory if it is missing.
 * Returns the fd, or -1 (logged).
 */
static int
lock_open(const struct conf *c, const char *path)
{
	int fd = open_regular(path, O_RDWR | O_CREAT);

	if (fd != -1 || errno != ENOENT)
		return fd;
	if (mkdir(c->statedir, 0750) != 0 && errno != EEXIST) {
		trouble("cannot make the state directory %s: %s; nothing is "
		    "recorded", c->statedir, strerror(errno));
		return -1;
	}
	if ((fd = open_regular(path, O_RDWR | O_CREAT)) == -1 && errno == ENOENT)
		trouble("%s: %s", path, strerror(errno));
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
	char path[4096];
	int fd;

	state_path(path, sizeof(path), c, host, "lock");
	if ((fd = lock_open(c, path)) == -1)
		return STATE_NOLOCK;
	while (flock(fd, LOCK_EX) != 0) {
		if (errno == EINTR && !deadline_expired())
			continue;
		close(fd);
		if (errno == EINTR) {
			log_err("state: %s: another connection held the lock "
			    "until the deadline", path);
			return STATE_BUSY;
		}
		trouble("lock %s: %s", path, strerror(errno));
		return STATE_NOLOCK;
	}
	return fd;
}

/*
 * Reads the one line of a state file: one LF, at the end, and no NUL
 * that would hide bytes after it.  Returns 0, or -1 (logged).
 */
static int
state_read(const char *path, char line[STATE_LINE_MAX])
{
	ssize_t n;
	int fd;

	if ((fd = open_regular(path, O_RDONLY)) == -1)
		return -1;
	n = read(fd, line, STATE_LINE_MAX - 1);
	close(fd);
	if (n <= 0 || line[n - 1] != '\n' || memchr(line, '\n', (size_t)n) !=
	    line + n - 1 || memchr(line, '\0', (size_t)n) != NULL) {
		trouble("%s: corrupt, ignored", path);
		return -1;
	}
	line[n - 1] = '\0';
	return 0;
}

/*
 * Returns 1 when the state for host and a's type records a, set by an
 * update with signature sig: what DNS holds when nothing else changed it.
 */
int
state_matches(const struct conf *c, const char *host, const struct addr *a,
    const char *sig)
{
	char path[4096], line[STATE_LINE_MAX], *sp;
	struct addr recorded;

	state_path(path, sizeof(path), c, host, addr_type(a));
	if (state_read(path, line) != 0)
		return 0;
	if ((sp = strchr(line, ' ')) == NULL ||
	    addr_parsen(&recorded, line, (size_t)(sp - line)) != 0 ||
	    recorded.family != a->family) {
		trouble("%s: corrupt, ignored", path);
		return 0;
	}
	if (memcmp(recorded.bytes, a->bytes, 16) != 0)
		return 0;
	if (strcmp(sp + 1, sig) != 0) {
		log_info("state: %s was set by another update (server, port, "
		    "key file or TTL changed), so it vouches for nothing", path);
		return 0;
	}
	return 1;
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
 * Removes the state for host and a's type, durably, before an update:
 * whatever happens next, it is unknown, never an older address.  Returns
 * 0 when no regular file claims an address any more, -1 (logged) when
 * one still may.
 */
int
state_forget(const struct conf *c, const char *host, const struct addr *a)
{
	char path[4096];
	struct stat st;

	state_path(path, sizeof(path), c, host, addr_type(a));
	if (unlink(path) == 0) {
		if (state_sync_dir(c) == 0)
			return 0;
		trouble("%s: removed, but syncing %s failed: %s", path,
		    c->statedir, strerror(errno));
		return -1;
	}
	if (errno == ENOENT || errno == ENOTDIR)
		return 0;
	if (lstat(path, &st) == 0 && !S_ISREG(st.st_mode))
		return 0;	/* never read, so it vouches for nothing */
	trouble("cannot remove %s: %s", path, strerror(errno));
	return -1;
}

/*
 * Records a, set by the update with signature sig, as what DNS holds for
 * host: temporary file, fsync, rename.  Failure is logged and leaves the
 * state unknown.
 */
void
state_save(const struct conf *c, const char *host, const struct addr *a,
    const char *sig)
{
	char path[4096], tmp[4096 + 8], text[STATE_LINE_MAX];
	int fd, n, ok;

	state_path(path, sizeof(path), c, host, addr_type(a));
	snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path);
	if ((fd = mkostemp(tmp, O_CLOEXEC)) == -1) {
		trouble("%s: %s", tmp, strerror(errno));
		return;
	}
	n = snprintf(text, sizeof(text), "%s %s\n", a->text, sig);
	ok = write_all(fd, text, (size_t)n) == 0 && fsync(fd) == 0;
	if (close(fd) != 0 || !ok) {
		trouble("%s: %s", tmp, strerror(errno));
		unlink(tmp);
		return;
	}
	if (rename(tmp, path) != 0) {
		trouble("%s: %s", path, strerror(errno));
		unlink(tmp);
		return;
	}
	log_debug("state: %s written", path);
}
