/*
 * The state directory: per host and record type, the address that DNS last
 * accepted.  A per-host lock serialises read, update and write; files are
 * replaced atomically; any trouble means "unknown" and is only logged.
 */
#include <sys/file.h>
#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sftdyn.h"

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
 * Takes the lock for host, waiting for other connections that hold it.
 * Returns the lock's fd, or -1 (logged) when there is no usable lock.
 */
int
state_lock(const struct conf *c, const char *host)
{
	char path[4096];
	int fd;

	state_path(path, sizeof(path), c, host, "lock");
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd == -1 && errno == ENOENT && mkdir(c->statedir, 0750) == 0)
		fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW,
		    0600);
	if (fd == -1) {
		log_err("state: %s: %s", path, strerror(errno));
		return -1;
	}
	if (flock(fd, LOCK_EX) != 0) {
		log_err("state: lock %s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/* Returns 1 when the recorded address for host and a's type is a. */
int
state_matches(const struct conf *c, const char *host, const struct addr *a)
{
	char path[4096], text[64];
	struct addr recorded;
	ssize_t n;
	int fd;

	state_path(path, sizeof(path), c, host, addr_type(a));
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) == -1) {
		if (errno != ENOENT)
			log_err("state: %s: %s", path, strerror(errno));
		return 0;
	}
	n = read(fd, text, sizeof(text) - 1);
	close(fd);
	if (n <= 0 || text[n - 1] != '\n') {
		log_err("state: %s: corrupt, ignored", path);
		return 0;
	}
	text[n - 1] = '\0';
	if (addr_parse(&recorded, text) != 0 || recorded.family != a->family) {
		log_err("state: %s: corrupt, ignored", path);
		return 0;
	}
	return memcmp(recorded.bytes, a->bytes, 16) == 0;
}

/*
 * Records a as the address DNS holds for host: temporary file, fsync,
 * rename.  Failure is logged and leaves the old state in place.
 */
void
state_save(const struct conf *c, const char *host, const struct addr *a)
{
	char path[4096], tmp[4096 + 8], text[64];
	int fd, n, ok;

	state_path(path, sizeof(path), c, host, addr_type(a));
	snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path);
	if ((fd = mkostemp(tmp, O_CLOEXEC)) == -1) {
		log_err("state: %s: %s", tmp, strerror(errno));
		return;
	}
	n = snprintf(text, sizeof(text), "%s\n", a->text);
	ok = write_all(fd, text, (size_t)n) == 0 && fsync(fd) == 0;
	if (close(fd) != 0 || !ok) {
		log_err("state: %s: %s", tmp, strerror(errno));
		unlink(tmp);
		return;
	}
	if (rename(tmp, path) != 0) {
		log_err("state: %s: %s", path, strerror(errno));
		unlink(tmp);
	}
	log_debug("state: %s written", path);
}
