/*
 * The client index: the configuration compiled by sftdyn -t into a
 * constant database (tinycdb) beside it, FILE.cdb.  A connection then
 * looks its client up in constant time instead of parsing every client
 * section, which libconfuse does in quadratic time.
 *
 * Records, each value followed by an 8-byte MAC, SipHash-2-4 under the
 * index's random salt of the record's key and value:
 *   "\0m"   magic and salt (the MAC key comes from the salt)
 *   "\0s"   every file the configuration was read from, with its stamp
 *   "\0c"   the global options
 *   digest  name, host and ttl of the client whose key has this digest:
 *           two SipHashes of the key under the salt, so the index holds
 *           no key and a lookup's timing tells nothing about one.
 * The index is trusted only while every file's stamp (device, inode,
 * size, mtime, ctime) is unchanged and every MAC checks out.
 */
#include <sys/random.h>
#include <sys/stat.h>

#include <cdb.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sftdyn.h"

#define INDEX_MAGIC	"sftdyn-index-1"
#define SALT_LEN	32
#define MAC_LEN		8
#define DIGEST_LEN	16
#define STAMP_MAX	128

struct index {
	struct cdb	cdb;
	int		fd;
	unsigned char	salt[SALT_LEN];	/* two SipHash keys */
	struct client	client;		/* the client last found */
};

/* A growing buffer of NUL-terminated strings. */
struct strbuf {
	char	*p;
	size_t	 len;
	size_t	 size;
};

static void
strbuf_raw(struct strbuf *b, const void *p, size_t n)
{
	if (b->len + n > b->size) {
		b->size = (b->len + n) * 2;
		if ((b->p = realloc(b->p, b->size)) == NULL) {
			log_err("out of memory");
			_exit(1);
		}
	}
	memcpy(b->p + b->len, p, n);
	b->len += n;
}

static void
strbuf_add(struct strbuf *b, const char *s)
{
	strbuf_raw(b, s, strlen(s) + 1);
}

static void
strbuf_addf(struct strbuf *b, const char *fmt, ...) ATTR_PRINTF(2, 3);

static void
strbuf_addf(struct strbuf *b, const char *fmt, ...)
{
	char s[STAMP_MAX + 64];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s, sizeof(s), fmt, ap);
	va_end(ap);
	strbuf_add(b, s);
}

/* The path of the index of the configuration file at path. */
static char *
index_path(const char *path)
{
	char *p;

	if (asprintf(&p, "%s.cdb", path) == -1) {
		log_err("out of memory");
		_exit(1);
	}
	return p;
}

/* What identifies a file's current content; -1 when it cannot be seen. */
static int
file_stamp(const char *path, char stamp[STAMP_MAX])
{
	struct stat st;

	if (stat(path, &st) != 0)
		return -1;
	snprintf(stamp, STAMP_MAX, "%ju:%ju:%jd:%jd.%09ld:%jd.%09ld",
	    (uintmax_t)st.st_dev, (uintmax_t)st.st_ino, (intmax_t)st.st_size,
	    (intmax_t)st.st_mtim.tv_sec, st.st_mtim.tv_nsec,
	    (intmax_t)st.st_ctim.tv_sec, st.st_ctim.tv_nsec);
	return 0;
}

static uint64_t
record_mac(const unsigned char *salt, const void *key, size_t klen,
    const void *val, size_t vlen)
{
	unsigned char *buf = xcalloc(1, klen + vlen + 1);
	uint64_t mac;

	memcpy(buf, key, klen);
	memcpy(buf + klen, val, vlen);
	mac = siphash24(salt, buf, klen + vlen);
	free(buf);
	return mac;
}

static void
key_digest(const unsigned char *salt, const char *key,
    unsigned char digest[DIGEST_LEN])
{
	uint64_t h[2];

	h[0] = siphash24(salt, key, strlen(key));
	h[1] = siphash24(salt + 16, key, strlen(key));
	memcpy(digest, h, DIGEST_LEN);
}

/* Adds one record with its MAC; returns 0, or -1. */
static int
record_put(struct cdb_make *cm, const unsigned char *salt, const void *key,
    size_t klen, const void *val, size_t vlen)
{
	uint64_t mac = record_mac(salt, key, klen, val, vlen);
	char *rec = xcalloc(1, vlen + MAC_LEN);
	int rc;

	memcpy(rec, val, vlen);
	memcpy(rec + vlen, &mac, MAC_LEN);
	rc = cdb_make_add(cm, key, (unsigned)klen, rec, (unsigned)(vlen + MAC_LEN));
	free(rec);
	return rc;
}

static void
conf_record(struct strbuf *b, const struct conf *c)
{
	size_t i;

	strbuf_addf(b, "%ld", c->ttl);
	strbuf_addf(b, "%ld", c->timeout);
	strbuf_add(b, c->nsupdate);
	strbuf_add(b, c->nskeyfile ? c->nskeyfile : "");
	strbuf_add(b, c->nsserver ? c->nsserver : "");
	strbuf_addf(b, "%ld", c->nsport);
	strbuf_add(b, c->statedir);
	strbuf_addf(b, "%d", c->proxy_protocol);
	strbuf_add(b, c->tls_cert ? c->tls_cert : "");
	strbuf_add(b, c->tls_key ? c->tls_key : "");
	for (i = 0; i < c->nproxies; i++)
		strbuf_addf(b, "%s/%d", c->proxies[i].addr.text,
		    c->proxies[i].prefix);
}

/* Writes every record of c into cm; returns 0, or -1. */
static int
index_records(struct cdb_make *cm, const struct conf *c,
    const unsigned char *salt)
{
	struct strbuf b = { NULL, 0, 0 };
	unsigned char digest[DIGEST_LEN];
	char stamp[STAMP_MAX];
	size_t i;
	int rc = 0;

	strbuf_add(&b, INDEX_MAGIC);
	strbuf_raw(&b, salt, SALT_LEN);
	rc |= record_put(cm, salt, "\0m", 2, b.p, b.len);
	b.len = 0;
	for (i = 0; i < c->nsources; i++) {
		if (file_stamp(c->sources[i], stamp) != 0) {
			free(b.p);
			return -1;
		}
		strbuf_add(&b, c->sources[i]);
		strbuf_add(&b, stamp);
	}
	rc |= record_put(cm, salt, "\0s", 2, b.p, b.len);
	b.len = 0;
	conf_record(&b, c);
	rc |= record_put(cm, salt, "\0c", 2, b.p, b.len);
	for (i = 0; i < c->nclients && rc == 0; i++) {
		const struct client *cl = &c->clients[i];

		b.len = 0;
		strbuf_add(&b, cl->name);
		strbuf_add(&b, cl->host);
		strbuf_addf(&b, "%ld", cl->ttl);
		key_digest(salt, cl->key, digest);
		rc |= record_put(cm, salt, digest, DIGEST_LEN, b.p, b.len);
	}
	free(b.p);
	return rc;
}

/*
 * Compiles c into its index, c->path.cdb, atomically and with the
 * configuration's mode and group.  Returns 0, or -1 with errno set.
 */
int
index_write(const struct conf *c)
{
	unsigned char salt[SALT_LEN];
	struct cdb_make cm;
	char *path = index_path(c->path), *tmp;
	struct stat st;
	int fd, ok, saved;

	if (asprintf(&tmp, "%s.XXXXXX", path) == -1) {
		log_err("out of memory");
		_exit(1);
	}
	ok = stat(c->path, &st) == 0 &&
	    getrandom(salt, sizeof(salt), 0) == (ssize_t)sizeof(salt) &&
	    (fd = mkostemp(tmp, O_CLOEXEC)) != -1;
	if (ok) {
		/* the configuration's group, where we may: it holds the keys */
		if (fchown(fd, (uid_t)-1, st.st_gid) != 0)
			(void)0;
		ok = fchmod(fd, st.st_mode & 0640) == 0 &&
		    cdb_make_start(&cm, fd) == 0 &&
		    index_records(&cm, c, salt) == 0 &&
		    cdb_make_finish(&cm) == 0 && fsync(fd) == 0;
		saved = errno;
		if (close(fd) != 0 && ok) {
			ok = 0;
			saved = errno;
		}
		if (ok && rename(tmp, path) != 0) {
			ok = 0;
			saved = errno;
		}
		if (!ok)
			unlink(tmp);
		errno = saved;
	}
	free(tmp);
	free(path);
	return ok ? 0 : -1;
}

/*
 * Finds the record for key and checks its MAC.  Returns 1 and sets *val
 * and *vlen (the MAC left off), 0 when there is no such record, or -1
 * when the record is damaged.
 */
static int
record_get(struct index *ix, const void *key, size_t klen, const char **val,
    size_t *vlen)
{
	uint64_t mac;
	unsigned n;
	int rc = cdb_find(&ix->cdb, key, (unsigned)klen);

	if (rc <= 0)
		return rc;
	n = cdb_datalen(&ix->cdb);
	if (n < MAC_LEN)
		return -1;
	*val = cdb_getdata(&ix->cdb);
	*vlen = n - MAC_LEN;
	memcpy(&mac, *val + *vlen, MAC_LEN);
	return mac == record_mac(ix->salt, key, klen, *val, *vlen) ? 1 : -1;
}

/* The next NUL-terminated string of [*p, end), or NULL. */
static const char *
next_str(const char **p, const char *end)
{
	const char *s = *p, *nul = memchr(s, '\0', (size_t)(end - s));

	if (s >= end || nul == NULL)
		return NULL;
	*p = nul + 1;
	return s;
}

/* Reads the salt from the magic record; returns 0, or -1 when damaged. */
static int
index_meta(struct index *ix)
{
	const char *val;
	size_t vlen;
	static const char magic[] = INDEX_MAGIC;

	if (cdb_find(&ix->cdb, "\0m", 2) <= 0 ||
	    cdb_datalen(&ix->cdb) != sizeof(magic) + SALT_LEN + MAC_LEN)
		return -1;
	val = cdb_getdata(&ix->cdb);
	if (memcmp(val, magic, sizeof(magic)) != 0)
		return -1;
	memcpy(ix->salt, val + sizeof(magic), SALT_LEN);
	return record_get(ix, "\0m", 2, &val, &vlen) == 1 ? 0 : -1;
}

/*
 * Returns 0 when every file the index was made from is as it was, 1 when
 * one changed, -1 when the record is damaged.
 */
static int
index_fresh(struct index *ix)
{
	const char *val, *end, *path, *stamp;
	char now[STAMP_MAX];
	size_t vlen;

	if (record_get(ix, "\0s", 2, &val, &vlen) != 1)
		return -1;
	for (end = val + vlen; val < end;) {
		if ((path = next_str(&val, end)) == NULL ||
		    (stamp = next_str(&val, end)) == NULL)
			return -1;
		if (file_stamp(path, now) != 0 || strcmp(now, stamp) != 0)
			return 1;
	}
	return 0;
}

static char *
opt_str(const char *s)
{
	return *s == '\0' ? NULL : xstrdup(s);
}

/* Fills c's global options from the index; returns 0, or -1. */
static int
index_conf(struct index *ix, struct conf *c)
{
	const char *val, *end, *f[10], *s;
	size_t vlen, i;

	if (record_get(ix, "\0c", 2, &val, &vlen) != 1)
		return -1;
	end = val + vlen;
	for (i = 0; i < 10; i++)
		if ((f[i] = next_str(&val, end)) == NULL)
			return -1;
	c->ttl = strtol(f[0], NULL, 10);
	c->timeout = strtol(f[1], NULL, 10);
	c->nsupdate = xstrdup(f[2]);
	c->nskeyfile = opt_str(f[3]);
	c->nsserver = opt_str(f[4]);
	c->nsport = strtol(f[5], NULL, 10);
	c->statedir = xstrdup(f[6]);
	c->proxy_protocol = strcmp(f[7], "1") == 0;
	c->tls_cert = opt_str(f[8]);
	c->tls_key = opt_str(f[9]);
	c->proxies = xcalloc(vlen / 4 + 1, sizeof(*c->proxies));
	while ((s = next_str(&val, end)) != NULL)
		if (net_parse(&c->proxies[c->nproxies++], s) != 0)
			return -1;
	return c->timeout > 0 ? 0 : -1;
}

/*
 * Loads the configuration at path from its index.  Returns 0 with c
 * filled in; 1 when there is no index; -1 when the index is out of date
 * or damaged (logged).  Unless it returns 0, c is empty again.
 */
int
index_load(struct conf *c, const char *path)
{
	char *ipath = index_path(path);
	struct index *ix;
	int fd, rc = -1;

	memset(c, 0, sizeof(*c));
	if ((fd = open(ipath, O_RDONLY | O_CLOEXEC)) == -1) {
		if (errno != ENOENT)
			log_err("client index %s: %s", ipath, strerror(errno));
		free(ipath);
		return errno == ENOENT ? 1 : -1;
	}
	ix = xcalloc(1, sizeof(*ix));
	ix->fd = fd;
	c->index = ix;
	c->path = xstrdup(path);
	c->sources = xcalloc(1, sizeof(char *));
	c->sources[c->nsources++] = c->path;
	if (cdb_init(&ix->cdb, fd) != 0 || index_meta(ix) != 0)
		log_err("client index %s is damaged; run sftdyn -t %s", ipath,
		    path);
	else if ((rc = index_fresh(ix)) == 1)
		log_warn("client index %s is older than the configuration; "
		    "run sftdyn -t %s", ipath, path);
	else if (rc != 0 || (rc = index_conf(ix, c)) != 0)
		log_err("client index %s is damaged; run sftdyn -t %s", ipath,
		    path);
	free(ipath);
	if (rc != 0) {
		conf_free(c);
		return -1;
	}
	return 0;
}

/*
 * Returns the client whose key is key, or NULL.  A damaged record is
 * logged and grants nothing.
 */
const struct client *
index_client_find(struct conf *c, const char *key)
{
	struct index *ix = c->index;
	unsigned char digest[DIGEST_LEN];
	const char *val, *end, *f[3];
	size_t vlen, i;
	int rc;

	key_digest(ix->salt, key, digest);
	if ((rc = record_get(ix, digest, DIGEST_LEN, &val, &vlen)) == 0)
		return NULL;
	end = val + vlen;
	for (i = 0; i < 3 && rc == 1; i++)
		if ((f[i] = next_str(&val, end)) == NULL)
			rc = -1;
	if (rc != 1) {
		log_err("client index of %s is damaged: a record failed its "
		    "check; run sftdyn -t %s", c->path, c->path);
		return NULL;
	}
	ix->client.name = f[0];
	ix->client.host = f[1];
	ix->client.key = "";
	ix->client.ttl = strtol(f[2], NULL, 10);
	return &ix->client;
}

void
index_close(struct index *ix)
{
	cdb_free(&ix->cdb);
	close(ix->fd);
	free(ix);
}
