/*
 * The client index: the configuration compiled by
 * sftdyn -t into a constant database (tinycdb) beside it, FILE.cdb, so
 * that a connection looks its client up in constant time instead of
 * parsing every client section, which libconfuse does in quadratic time.
 *
 * Records, each value followed by an 8-byte MAC, SipHash-2-4 under the
 * index's random salt of the record's key and value:
 *   "\0m"   magic and salt (the MAC key comes from the salt)
 *   "\0s"   every file the configuration was read from (absolute), "f",
 *           and the stamp of the bytes that were parsed; the clients-dir
 *           with "d" and its stamp
 *   "\0c"   the top-level settings, as setting.c encodes them
 *   digest  the name and settings of the client whose key has this
 *           digest: two SipHashes of the key under the salt, so the
 *           index holds no key and a lookup's timing tells nothing
 * After the database, a trailer: "SFTDYNIX", the database's length and
 * a MAC of all of it.  The index is trusted only for the main file it
 * was compiled from (its path first among the files, its stamp naming
 * the same file), while every file's stamp is unchanged, the length is
 * right and every MAC checks out; a lookup
 * that finds nothing checks the whole file first, so damage anywhere
 * sends the connection to the parse, never to a wrong answer.
 */
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/stat.h>

#include <cdb.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sftdyn.h"

#define INDEX_MAGIC	"sftdyn-index-5"
#define TRAILER_MAGIC	"SFTDYNIX"
#define TRAILER_LEN	24	/* magic, length, MAC */
#define SALT_LEN	32
#define MAC_LEN		8
#define DIGEST_LEN	16

struct index {
	struct cdb	cdb;
	int		fd;
	off_t		length;		/* of the database, trailer left off */
	uint64_t	mac;		/* of the database, from the trailer */
	unsigned char	salt[SALT_LEN];	/* two SipHash keys */
	struct client	client;		/* the client last found */
};

/* The path of the index of the configuration file at path. */
static char *
index_path(const char *path)
{
	return xasprintf("%s.cdb", path);
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
    size_t klen, const struct strbuf *b)
{
	uint64_t mac = record_mac(salt, key, klen, b->p, b->len);
	char *rec = xcalloc(1, b->len + MAC_LEN);
	int rc;

	memcpy(rec, b->p, b->len);
	memcpy(rec + b->len, &mac, MAC_LEN);
	rc = cdb_make_add(cm, key, (unsigned)klen, rec,
	    (unsigned)(b->len + MAC_LEN));
	free(rec);
	return rc;
}

/* Writes every record of c into cm; returns 0, or -1. */
static int
index_records(struct cdb_make *cm, const struct conf *c,
    const unsigned char *salt)
{
	struct strbuf b = { NULL, 0, 0 };
	unsigned char digest[DIGEST_LEN];
	size_t i;
	int rc = 0;

	strbuf_add(&b, INDEX_MAGIC);
	strbuf_raw(&b, salt, SALT_LEN);
	rc |= record_put(cm, salt, "\0m", 2, &b);
	b.len = 0;
	for (i = 0; i < c->nsources; i++) {
		strbuf_add(&b, c->sources[i].path);
		strbuf_add(&b, c->sources[i].is_dir ? "d" : "f");
		strbuf_add(&b, c->sources[i].stamp);
	}
	rc |= record_put(cm, salt, "\0s", 2, &b);
	b.len = 0;
	settings_encode(&b, c, SCOPE_TOP);
	settings_encode(&b, c, SCOPE_TLS);
	rc |= record_put(cm, salt, "\0c", 2, &b);
	for (i = 0; i < c->nclients && rc == 0; i++) {
		const struct client *cl = &c->clients[i];

		b.len = 0;
		strbuf_add(&b, cl->name);
		settings_encode(&b, cl, SCOPE_CLIENT);
		key_digest(salt, cl->key, digest);
		rc |= record_put(cm, salt, digest, DIGEST_LEN, &b);
	}
	free(b.p);
	return rc;
}

/* The MAC of the first length bytes of the file on fd; 0, or -1. */
static int
file_mac(int fd, off_t length, const unsigned char *salt, uint64_t *mac)
{
	void *p = mmap(NULL, (size_t)length, PROT_READ, MAP_PRIVATE, fd, 0);

	if (p == MAP_FAILED)
		return -1;
	*mac = siphash24(salt, p, (size_t)length);
	munmap(p, (size_t)length);
	return 0;
}

/* Appends the trailer to the database just finished on fd. */
static int
trailer_write(int fd, const unsigned char *salt)
{
	unsigned char t[TRAILER_LEN];
	off_t length = lseek(fd, 0, SEEK_END);
	uint64_t len64 = (uint64_t)length, mac;

	if (length <= 0 || file_mac(fd, length, salt, &mac) != 0)
		return -1;
	memcpy(t, TRAILER_MAGIC, 8);
	memcpy(t + 8, &len64, 8);
	memcpy(t + 16, &mac, 8);
	return write_all(fd, t, sizeof(t));
}

/*
 * The index has the configuration's owner where we may, its group, and
 * its read bits: whoever may read the configuration may read the index.
 */
static int
index_mode(int fd, const struct stat *st)
{
	if (fchown(fd, st->st_uid, st->st_gid) != 0 &&
	    fchown(fd, (uid_t)-1, st->st_gid) != 0)
		log_debug("client index: keeping our own group");
	return fchmod(fd, (st->st_mode & 0444) | S_IWUSR);
}

/* Fills the new index on fd; returns 0, or -1 with errno set. */
static int
index_fill(int fd, const struct conf *c, const struct stat *st)
{
	unsigned char salt[SALT_LEN];
	struct cdb_make cm;

	if (getrandom(salt, sizeof(salt), 0) != (ssize_t)sizeof(salt))
		return -1;
	return index_mode(fd, st) == 0 && cdb_make_start(&cm, fd) == 0 &&
	    index_records(&cm, c, salt) == 0 && cdb_make_finish(&cm) == 0 &&
	    trailer_write(fd, salt) == 0 && fsync(fd) == 0 ? 0 : -1;
}

/*
 * Compiles c, as its files say, into its index, c->path.cdb, atomically.
 * Returns 0, or -1 with errno set.
 */
int
index_write(const struct conf *c)
{
	char *path = index_path(c->path), *tmp = xasprintf("%s.XXXXXX", path);
	struct stat st;
	int fd, ok = 0, saved;

	if (stat(c->path, &st) == 0 &&
	    (fd = mkostemp(tmp, O_CLOEXEC)) != -1) {
		ok = index_fill(fd, c, &st) == 0;
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
 * when the record or the table that leads to it is damaged.
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
	if (n < MAC_LEN || cdb_datapos(&ix->cdb) + n > (unsigned)ix->length)
		return -1;
	*val = cdb_getdata(&ix->cdb);
	*vlen = n - MAC_LEN;
	memcpy(&mac, *val + *vlen, MAC_LEN);
	return mac == record_mac(ix->salt, key, klen, *val, *vlen) ? 1 : -1;
}

/* Reads the trailer and the salt; returns 0, or -1 when damaged. */
static int
index_meta(struct index *ix)
{
	static const char magic[] = INDEX_MAGIC;
	unsigned char t[TRAILER_LEN];
	struct stat st;
	uint64_t len64;
	const char *val;
	size_t vlen;

	if (fstat(ix->fd, &st) != 0 || st.st_size < 2048 + TRAILER_LEN ||
	    pread(ix->fd, t, sizeof(t), st.st_size - TRAILER_LEN) !=
	    (ssize_t)sizeof(t) || memcmp(t, TRAILER_MAGIC, 8) != 0)
		return -1;
	memcpy(&len64, t + 8, 8);
	memcpy(&ix->mac, t + 16, 8);
	ix->length = st.st_size - TRAILER_LEN;
	if (len64 != (uint64_t)ix->length || cdb_init(&ix->cdb, ix->fd) != 0)
		return -1;
	if (cdb_find(&ix->cdb, "\0m", 2) <= 0 ||
	    cdb_datalen(&ix->cdb) != sizeof(magic) + SALT_LEN + MAC_LEN)
		return -1;
	val = cdb_getdata(&ix->cdb);
	if (memcmp(val, magic, sizeof(magic)) != 0)
		return -1;
	memcpy(ix->salt, val + sizeof(magic), SALT_LEN);
	return record_get(ix, "\0m", 2, &val, &vlen) == 1 ? 0 : -1;
}

/* Returns 0 when the whole database is as it was written, else -1. */
static int
index_verify(struct index *ix)
{
	uint64_t mac;

	return file_mac(ix->fd, ix->length, ix->salt, &mac) == 0 &&
	    mac == ix->mac ? 0 : -1;
}

/*
 * Returns 0 when the index was made from c's main file (the same path,
 * first among its files) and every file is as it was; 1 when one
 * changed; 2 when it was made from another configuration (a copy of the
 * directory, or another's index put here); -1 when the record is
 * damaged.  The files become c's sources, as a parse would make them:
 * confine() lets them be read, for the parse that a damaged record may
 * still call for.
 */
static int
index_fresh(struct index *ix, struct conf *c)
{
	const char *val, *end, *path, *kind, *stamp;
	char now[STAMP_MAX];
	size_t vlen;

	if (record_get(ix, "\0s", 2, &val, &vlen) != 1)
		return -1;
	for (end = val + vlen; val < end;) {
		if ((path = next_str(&val, end)) == NULL ||
		    (kind = next_str(&val, end)) == NULL ||
		    (stamp = next_str(&val, end)) == NULL || path[0] != '/' ||
		    strlen(stamp) >= STAMP_MAX ||
		    (strcmp(kind, "d") != 0 && strcmp(kind, "f") != 0))
			return -1;
		if (c->nsources == 0 && strcmp(path, c->path) != 0)
			return 2;
		if (stamp_path(path, now) != 0 || strcmp(now, stamp) != 0)
			return 1;
		c->sources = xrealloc(c->sources, c->nsources + 1,
		    sizeof(*c->sources));
		c->sources[c->nsources].path = xstrdup(path);
		c->sources[c->nsources].is_dir = kind[0] == 'd';
		memcpy(c->sources[c->nsources++].stamp, stamp,
		    strlen(stamp) + 1);
	}
	return c->nsources > 0 ? 0 : -1;
}

/* Fills c's settings from the index; returns 0, or -1. */
static int
index_conf(struct index *ix, struct conf *c)
{
	const char *val, *end;
	size_t vlen;

	if (record_get(ix, "\0c", 2, &val, &vlen) != 1)
		return -1;
	end = val + vlen;
	if (settings_decode(c, SCOPE_TOP, &val, end, 1) != 0 ||
	    settings_decode(c, SCOPE_TLS, &val, end, 1) != 0 || val != end)
		return -1;
	return c->timeout > 0 && c->statedir != NULL &&
	    c->nsupdate != NULL ? 0 : -1;
}

/*
 * Loads the configuration at path from its index.  Returns 0 with c
 * filled in; 1 when there is no index; -1 when the index is out of date
 * or damaged (logged).  Unless it returns 0, c is empty again.
 */
int
index_load(struct conf *c, const char *path)
{
	struct index *ix;
	char *ipath;
	int fd, rc = -1;

	memset(c, 0, sizeof(*c));
	c->path = path_absolute(path);
	ipath = index_path(c->path);
	if ((fd = open(ipath, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) == -1) {
		rc = errno == ENOENT ? 1 : -1;
		if (rc == -1)
			log_err("client index %s: %s", ipath, strerror(errno));
		free(ipath);
		index_free(c);
		return rc;
	}
	ix = xcalloc(1, sizeof(*ix));
	ix->fd = fd;
	c->index = ix;
	if (index_meta(ix) != 0)
		log_err("client index %s is damaged; run sftdyn -t %s", ipath,
		    c->path);
	else if ((rc = index_fresh(ix, c)) == 1)
		log_warn("client index %s is older than the configuration; "
		    "run sftdyn -t %s", ipath, c->path);
	else if (rc == 2)
		log_warn("client index %s was compiled from another "
		    "configuration file, not %s; run sftdyn -t %s", ipath,
		    c->path, c->path);
	else if (rc != 0 || (rc = index_conf(ix, c)) != 0)
		log_err("client index %s is damaged; run sftdyn -t %s", ipath,
		    c->path);
	free(ipath);
	if (rc != 0)
		index_free(c);
	return rc == 0 ? 0 : -1;
}

/*
 * Finds the client whose key is key.  Returns 1 and sets *found, 0 when
 * there is none, or -1 when the index is damaged (logged): then the
 * configuration must be parsed to answer.
 */
int
index_client_find(struct conf *c, const char *key,
    const struct client **found)
{
	struct index *ix = c->index;
	unsigned char digest[DIGEST_LEN];
	const char *val, *end;
	size_t vlen;
	int rc;

	*found = NULL;
	key_digest(ix->salt, key, digest);
	rc = record_get(ix, digest, DIGEST_LEN, &val, &vlen);
	if (rc == 0 && index_verify(ix) == 0)
		return 0;
	if (rc == 1) {
		end = val + vlen;
		memset(&ix->client, 0, sizeof(ix->client));
		ix->client.key = "";
		if ((ix->client.name = next_str(&val, end)) != NULL &&
		    settings_decode(&ix->client, SCOPE_CLIENT, &val, end,
		    0) == 0 && val == end && ix->client.hosts.n > 0) {
			settings_inherit(c, &ix->client);
			*found = &ix->client;
			return 1;
		}
	}
	log_err("client index of %s is damaged; parsing the configuration "
	    "instead; run sftdyn -t %s", c->path, c->path);
	return -1;
}

/* Frees a configuration that index_load() loaded. */
void
index_free(struct conf *c)
{
	if (c->index != NULL) {
		cdb_free(&c->index->cdb);
		close(c->index->fd);
		free(c->index);
	}
	settings_free(c);
	memset(c, 0, sizeof(*c));
}
