/*
 * Small helpers: constant-time comparison, allocation that cannot fail
 * silently, paths, clocks, and complete reads and writes.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sftdyn.h"

/*
 * Returns 1 when a and b are equal.  The time taken depends only on the
 * lengths of the two strings, never on where they first differ.
 */
int
ct_equal(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i;
	unsigned char diff = la != lb;

	for (i = 0; i < la; i++)
		diff |= (unsigned char)a[i] ^ (unsigned char)b[i % (lb ? lb : 1)];
	return diff == 0;
}

/* calloc(3) that exits on failure: only used before the answer matters. */
void *
xcalloc(size_t n, size_t size)
{
	void *p = calloc(n, size);

	if (p == NULL) {
		log_err("out of memory");
		_exit(1);
	}
	return p;
}

char *
xstrdup(const char *s)
{
	char *p = strdup(s);

	if (p == NULL) {
		log_err("out of memory");
		_exit(1);
	}
	return p;
}

/* Returns dir/name, or a copy of name when it is absolute or dir is NULL. */
char *
path_join(const char *dir, const char *name)
{
	size_t ld, ln;
	char *p;

	if (name[0] == '/' || dir == NULL)
		return xstrdup(name);
	ld = strlen(dir);
	ln = strlen(name);
	p = xcalloc(1, ld + ln + 2);
	memcpy(p, dir, ld);
	p[ld] = '/';
	memcpy(p + ld + 1, name, ln);
	return p;
}

/* Milliseconds on the monotonic clock. */
double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/*
 * Reads exactly len bytes from fd; returns 0, or -1 at end of input, on
 * error, or once the deadline has passed.
 */
int
read_all(int fd, void *buf, size_t len)
{
	char *p = buf;
	ssize_t n;

	while (len > 0) {
		n = read(fd, p, len);
		if (n == -1 && errno == EINTR && !deadline_expired())
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Writes all of buf to fd; returns 0, or -1 with errno set. */
int
write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	ssize_t n;

	while (len > 0) {
		n = write(fd, p, len);
		if (n == -1 && errno == EINTR && !deadline_expired())
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}
