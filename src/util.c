/*
 * Small helpers: allocation that cannot fail silently, paths, file
 * stamps, complete reads and writes, a growing buffer of strings, and a
 * pool of strings freed at once.
 */
#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "sftdyn.h"

/* Allocation failed: only used before the answer matters. */
static void ATTR_NORETURN
oom(void)
{
	log_err("out of memory");
	_exit(1);
}

void *
xcalloc(size_t n, size_t size)
{
	void *p = calloc(n, size);

	if (p == NULL)
		oom();
	return p;
}

/* reallocarray(3) that exits on failure. */
void *
xrealloc(void *p, size_t n, size_t size)
{
	if ((p = reallocarray(p, n, size)) == NULL)
		oom();
	return p;
}

/*
 * Makes room in the array p, of *cap elements of size bytes, for need of
 * them: it grows to twice what it held (at least 16), so that n additions
 * cost n copies in all, not n squared.  Returns the array.
 */
void *
xgrow(void *p, size_t *cap, size_t need, size_t size)
{
	if (need <= *cap)
		return p;
	*cap = need > 2 * *cap ? need : 2 * *cap;
	if (*cap < 16)
		*cap = 16;
	return xrealloc(p, *cap, size);
}

char *
xstrdup(const char *s)
{
	char *p = strdup(s);

	if (p == NULL)
		oom();
	return p;
}

/* strndup(3) that exits on failure. */
char *
xstrndup(const char *s, size_t n)
{
	char *p = strndup(s, n);

	if (p == NULL)
		oom();
	return p;
}

/* vasprintf(3) that exits on failure; returns the string. */
char *
xvasprintf(const char *fmt, va_list ap)
{
	char *s;

	if (vasprintf(&s, fmt, ap) < 0)
		oom();
	return s;
}

/* asprintf(3) that exits on failure; returns the string. */
char *
xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	return s;
}

/*
 * Whether s starts with the whole of prefix: followed by its end or by
 * a byte of ends ("/" for a directory, "?" for a query).
 */
int
has_prefix(const char *s, const char *prefix, const char *ends)
{
	size_t len = strlen(prefix);

	/* strchr() finds the terminating NUL of ends too */
	return strncmp(s, prefix, len) == 0 && strchr(ends, s[len]) != NULL;
}

/* Whether two DNS names are equal, case-insensitive, one trailing dot off. */
int
host_equal(const char *a, const char *b)
{
	size_t alen = strlen(a), blen = strlen(b);

	alen -= alen > 0 && a[alen - 1] == '.';
	blen -= blen > 0 && b[blen - 1] == '.';
	return alen == blen && strncasecmp(a, b, alen) == 0;
}

/*
 * The DNS name as host_equal() compares it, into buf: lower-cased, one
 * trailing dot off, cut to size - 1 bytes.
 */
void
host_fold(char *buf, size_t size, const char *host)
{
	size_t i, len = strlen(host);

	len -= len > 0 && host[len - 1] == '.';
	for (i = 0; i < len && i + 1 < size; i++)
		buf[i] = (char)tolower((unsigned char)host[i]);
	buf[i] = '\0';
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

/* path made absolute against the working directory, not resolved. */
char *
path_absolute(const char *path)
{
	char *cwd, *p;

	if (path[0] == '/' || (cwd = getcwd(NULL, 0)) == NULL)
		return xstrdup(path);
	p = path_join(cwd, path);
	free(cwd);
	return p;
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

void
strbuf_raw(struct strbuf *b, const void *p, size_t n)
{
	if (b->len + n > b->size) {
		b->size = (b->len + n) * 2;
		b->p = xrealloc(b->p, b->size, 1);
	}
	memcpy(b->p + b->len, p, n);
	b->len += n;
}

/* Appends s with its NUL. */
void
strbuf_add(struct strbuf *b, const char *s)
{
	strbuf_raw(b, s, strlen(s) + 1);
}

#define POOL_BLOCK	65536	/* bytes a pool asks for at a time, at least */

struct pool_block {
	struct pool_block	*next;
	size_t			 used;
	size_t			 size;
	_Alignas(max_align_t) char data[];
};

/*
 * len bytes of the pool, zeroed, at a multiple of align; they live until
 * pool_free().
 */
static void *
pool_take(struct pool *pool, size_t len, size_t align)
{
	struct pool_block *b = pool->head;
	size_t at = b != NULL ? (b->used + align - 1) / align * align : 0,
	    block;

	if (b == NULL || at > b->size || b->size - at < len) {
		block = len > POOL_BLOCK ? len : POOL_BLOCK;
		b = xcalloc(1, sizeof(*b) + block);
		b->size = block;
		b->next = pool->head;
		pool->head = b;
		at = 0;
	}
	b->used = at + len;
	return b->data + at;	/* (the block came zeroed) */
}

/* An array of n objects of size bytes, zeroed, in the pool. */
void *
pool_calloc(struct pool *pool, size_t n, size_t size)
{
	if (size != 0 && n > (SIZE_MAX - POOL_BLOCK) / size)
		oom();
	return pool_take(pool, n * size, _Alignof(max_align_t));
}

/* A copy of s that lives until pool_free(). */
char *
pool_strdup(struct pool *pool, const char *s)
{
	size_t len = strlen(s) + 1;

	return memcpy(pool_take(pool, len, 1), s, len);
}

/* Frees every string of the pool. */
void
pool_free(struct pool *pool)
{
	struct pool_block *b, *next;

	for (b = pool->head; b != NULL; b = next) {
		next = b->next;
		free(b);
	}
	pool->head = NULL;
}

/* The next NUL-terminated string of [*p, end), or NULL. */
const char *
next_str(const char **p, const char *end)
{
	const char *s = *p, *nul;

	if (s >= end || (nul = memchr(s, '\0', (size_t)(end - s))) == NULL)
		return NULL;
	*p = nul + 1;
	return s;
}

static void
stamp_of(const struct stat *st, struct stamp *stamp)
{
	stamp->dev = (uint64_t)st->st_dev;
	stamp->ino = (uint64_t)st->st_ino;
	stamp->size = (uint64_t)st->st_size;
	stamp->mtime = (uint64_t)st->st_mtim.tv_sec * 1000000000 +
	    (uint64_t)st->st_mtim.tv_nsec;
	stamp->ctime = (uint64_t)st->st_ctim.tv_sec * 1000000000 +
	    (uint64_t)st->st_ctim.tv_nsec;
}

/* The stamp of the file open on fd; returns 0, or -1. */
int
stamp_fd(int fd, struct stamp *stamp)
{
	struct stat st;

	if (fstat(fd, &st) != 0)
		return -1;
	stamp_of(&st, stamp);
	return 0;
}

/*
 * The stamp of the file at path (relative to the directory open on dirfd,
 * or AT_FDCWD), symbolic links followed; -1 when it cannot be seen.
 */
int
stamp_at(int dirfd, const char *path, struct stamp *stamp)
{
	struct stat st;

	if (fstatat(dirfd, path, &st, 0) != 0)
		return -1;
	stamp_of(&st, stamp);
	return 0;
}

/* Whether two stamps name the same content (never a zeroed one). */
int
stamp_same(const struct stamp *a, const struct stamp *b)
{
	return a->ino != 0 && memcmp(a, b, sizeof(*a)) == 0;
}
