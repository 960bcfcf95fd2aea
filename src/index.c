/*
 * The client index: the configuration compiled by
 * sftdyn -t into a constant database (tinycdb) beside it, FILE.cdb, so
 * that a connection looks its client up in constant time instead of
 * parsing every client section, which libconfuse does in quadratic time.
 *
 * Records, each value followed by an 8-byte MAC of the record's key and
 * value (HMAC-SHA-256, nettle's, under the index's random salt, cut to 8
 * bytes; each kind of MAC in this file tags its input with a byte of its
 * own):
 *   "\0m"   magic and salt (the MAC key is the salt)
 *   "\0s"   the main file, its includes and the clients-dir, with the
 *           stamp of what was read, each as a kind, the stamp and an
 *           absolute path: "f" for a file, "d" for the directory (whose
 *           stamp changes when a file is added, removed or renamed)
 *   "\0c"   the top-level settings, as setting.c encodes them
 *   digest  the name and settings of the client with a key of this
 *           digest: the HMAC under the salt of the key's SHA-256, cut
 *           to 16 bytes, so the index holds no key, nor a digest that
 *           a key could be checked against without the salt, and a
 *           lookup's timing tells nothing; one record for each key;
 *           then the name of the clients-dir file that holds it ("" for
 *           none) and, after a name, that file's stamp
 * After the database, a trailer: "SFTDYNIX", the database's length, a
 * MAC of its header (the 256 hash tables' places), a MAC of each hash
 * table, and a MAC of the trailer.  A lookup authenticates what it reads,
 * and only that: the trailer and the header, the one table its key's
 * hash leads to, and every record the probe of that table reads (tinycdb's
 * format, probed here; libcdb writes it).  A miss thus costs what a hit
 * costs, and still cannot be the work of damage: a damaged table or
 * record sends the connection to the parse, never to a wrong answer.
 * The index is trusted only for the main file it was compiled from (its
 * path first among the files, its stamp naming the same file), while the
 * files of "\0s" are unchanged, and, for a client found, while the file
 * of clients-dir that holds it is: a connection's checks do not grow
 * with the number of files.  An edit in place of another file of
 * clients-dir (which can only add a key, or break the configuration)
 * waits for the next sftdyn -t.
 */
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/stat.h>

#include <cdb.h>
#include <errno.h>
#include <nettle/hmac.h>
#include <stddef.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sftdyn.h"

#define INDEX_MAGIC	"sftdyn-index-9"
#define TRAILER_MAGIC	"SFTDYNIX"
#define SALT_LEN	32
#define MAC_LEN		8
#define DIGEST_LEN	16
#define CDB_TABLES	256	/* tinycdb's hash tables */
#define CDB_HEADER	(CDB_TABLES * 8)	/* their places */
#define INDEX_READ_MAX	(64 * 1024)	/* an index up to this size is read
					   whole, in one system call */
#define RECORD_READ	512	/* bytes read at a record of a larger one,
				   which holds most records whole */

/* The trailer: what authenticates the database before it. */
struct trailer {
	char		magic[8];
	uint64_t	length;		/* of the database */
	uint64_t	header_mac;
	uint64_t	table_mac[CDB_TABLES];
	uint64_t	mac;		/* of all of the above */
};

/* Bytes of a large index that a lookup read; freed with it. */
struct chunk {
	struct chunk	*next;
	unsigned char	 data[];
};

/*
 * An index being read.  A small one is read whole; of a larger one, a
 * lookup reads what it needs: the header, the trailer, the hash tables
 * and records its probes lead to (a few system calls, where a mapping
 * would take a page fault for each page, and 100,000 clients make a file
 * of many pages).
 */
struct index {
	int		 fd;
	const unsigned char *mem;	/* the whole file, when small */
	struct chunk	*chunks;	/* what was read of a larger one */
	size_t		 size;		/* the file's size */
	size_t		 length;	/* the database's, trailer left off */
	const unsigned char *header;	/* its first CDB_HEADER bytes */
	const unsigned char *table[CDB_TABLES];	/* those read */
	struct trailer	 t;
	struct hmac_sha256_ctx mac;	/* keyed with the salt */
	unsigned char	 checked[CDB_TABLES / 8];	/* tables verified */
	int		 dirfd;		/* the clients-dir (O_PATH), or -1 */
	struct client	 client;	/* the client last found */
	struct pool	 lists;		/* ... its lists */
};

/* The path of the index of the configuration file at path. */
static char *
index_path(const char *path)
{
	return xasprintf("%s.cdb", path);
}

/*
 * The MAC under k of tag, then the alen bytes at a and the blen at b,
 * into out, outlen bytes of it.
 */
static void
mac_of(struct hmac_sha256_ctx *k, char tag, const void *a, size_t alen,
    const void *b, size_t blen, void *out, size_t outlen)
{
	hmac_sha256_update(k, 1, (const uint8_t *)&tag);
	hmac_sha256_update(k, alen, a);
	hmac_sha256_update(k, blen, b);
	hmac_sha256_digest(k, outlen, out);	/* (and k is ready again) */
}

/* mac_of(), cut to 8 bytes. */
static uint64_t
mac64(struct hmac_sha256_ctx *k, char tag, const void *a, size_t alen,
    const void *b, size_t blen)
{
	uint64_t mac;

	mac_of(k, tag, a, alen, b, blen, &mac, sizeof(mac));
	return mac;
}

/* A record's MAC: of its key's length, its key and its value. */
static uint64_t
record_mac(struct hmac_sha256_ctx *k, const void *key, size_t klen,
    const void *val, size_t vlen)
{
	unsigned char *buf = xcalloc(1, 4 + klen);
	uint64_t mac;

	cdb_pack((unsigned)klen, buf);
	memcpy(buf + 4, key, klen);
	mac = mac64(k, 'r', buf, 4 + klen, val, vlen);
	free(buf);
	return mac;
}

/* The key of the record of the client with the key whose SHA-256 is d. */
static void
key_digest(struct hmac_sha256_ctx *k, const unsigned char d[SHA256_LEN],
    unsigned char digest[DIGEST_LEN])
{
	mac_of(k, 'k', d, SHA256_LEN, "", 0, digest, DIGEST_LEN);
}

/* Adds one record with its MAC; returns 0, or -1. */
static int
record_put(struct cdb_make *cm, struct hmac_sha256_ctx *k, const void *key,
    size_t klen, const struct strbuf *b)
{
	uint64_t mac = record_mac(k, key, klen, b->p, b->len);
	char *rec = xcalloc(1, b->len + MAC_LEN);
	int rc;

	memcpy(rec, b->p, b->len);
	memcpy(rec + b->len, &mac, MAC_LEN);
	rc = cdb_make_add(cm, key, (unsigned)klen, rec,
	    (unsigned)(b->len + MAC_LEN));
	free(rec);
	return rc;
}

/*
 * The files record: the main file, its includes and the clients-dir,
 * each as its kind, its stamp and its path; not the files of clients-dir,
 * which each client's record names.
 */
static void
sources_encode(struct strbuf *b, const struct conf *c)
{
	const struct source *dir = NULL;
	size_t i;

	for (i = 0; i < c->nsources; i++) {
		const struct source *s = &c->sources[i];

		if (dir != NULL && !s->is_dir)
			continue;	/* a file of clients-dir */
		strbuf_raw(b, s->is_dir ? "d" : "f", 1);
		strbuf_raw(b, &s->stamp, sizeof(s->stamp));
		strbuf_add(b, s->path);
		if (s->is_dir)
			dir = s;
	}
}

/* The file of clients-dir that holds cl: its name and stamp, or "". */
static void
member_encode(struct strbuf *b, const struct conf *c, const struct client *cl)
{
	const struct source *s;
	const char *name;

	if (cl->source == SOURCE_NONE) {
		strbuf_add(b, "");
		return;
	}
	s = &c->sources[cl->source];
	name = strrchr(s->path, '/');
	strbuf_add(b, name ? name + 1 : s->path);
	strbuf_raw(b, &s->stamp, sizeof(s->stamp));
}

/*
 * Writes every record of c into cm, under the salt and its MAC key k;
 * returns 0, or -1.  A client's record goes under each of its keys.
 */
static int
index_records(struct cdb_make *cm, const struct conf *c,
    const unsigned char *salt, struct hmac_sha256_ctx *k)
{
	struct strbuf b = { NULL, 0, 0 };
	unsigned char digest[DIGEST_LEN];
	size_t i, j;
	int rc = 0;

	strbuf_add(&b, INDEX_MAGIC);
	strbuf_raw(&b, salt, SALT_LEN);
	rc |= record_put(cm, k, "\0m", 2, &b);
	b.len = 0;
	sources_encode(&b, c);
	rc |= record_put(cm, k, "\0s", 2, &b);
	b.len = 0;
	settings_encode(&b, c, SCOPE_TOP);
	settings_encode(&b, c, SCOPE_TLS);
	rc |= record_put(cm, k, "\0c", 2, &b);
	for (i = 0; i < c->nclients && rc == 0; i++) {
		const struct client *cl = &c->clients[i];

		b.len = 0;
		strbuf_add(&b, cl->name);
		settings_encode(&b, cl, SCOPE_CLIENT);
		member_encode(&b, c, cl);
		for (j = 0; j < cl->keys.n; j++) {
			key_digest(k, cl->keys.v[j], digest);
			rc |= record_put(cm, k, digest, DIGEST_LEN, &b);
		}
	}
	free(b.p);
	return rc;
}

/*
 * Where hash table i lies by the header of a database of length bytes:
 * *pos and its slots *n.  Returns 0, or -1 when not within the database.
 */
static int
table_place(const unsigned char *header, size_t length, unsigned i,
    unsigned *pos, unsigned *n)
{
	*pos = cdb_unpack(header + 8 * i);
	*n = cdb_unpack(header + 8 * i + 4);
	return *n > (length - CDB_HEADER) / 8 || *pos < CDB_HEADER ||
	    *pos > length - (size_t)*n * 8 ? -1 : 0;
}

/* The MAC of hash table i, its n slots at slots. */
static uint64_t
table_mac(struct hmac_sha256_ctx *k, const unsigned char *slots, unsigned n,
    unsigned i)
{
	unsigned char which[4];

	cdb_pack(i, which);
	return mac64(k, 't', which, sizeof(which), slots, (size_t)n * 8);
}

/* The MAC of the header, the database's first CDB_HEADER bytes. */
static uint64_t
header_mac(struct hmac_sha256_ctx *k, const unsigned char *header)
{
	return mac64(k, 'h', header, CDB_HEADER, "", 0);
}

/* The MAC of the trailer, all of it before its own MAC. */
static uint64_t
trailer_mac(struct hmac_sha256_ctx *k, const struct trailer *t)
{
	return mac64(k, 'T', t, offsetof(struct trailer, mac), "", 0);
}

/* Fills t for the database mem, length bytes; 0, or -1 when malformed. */
static int
trailer_fill(struct trailer *t, struct hmac_sha256_ctx *k,
    const unsigned char *mem, size_t length)
{
	unsigned i, pos, n;

	memset(t, 0, sizeof(*t));
	memcpy(t->magic, TRAILER_MAGIC, 8);
	t->length = length;
	t->header_mac = header_mac(k, mem);
	for (i = 0; i < CDB_TABLES; i++) {
		if (table_place(mem, length, i, &pos, &n) != 0)
			return -1;
		t->table_mac[i] = table_mac(k, mem + pos, n, i);
	}
	t->mac = trailer_mac(k, t);
	return 0;
}

/* Appends the trailer to the database just finished on fd. */
static int
trailer_write(int fd, struct hmac_sha256_ctx *k)
{
	off_t length = lseek(fd, 0, SEEK_END);
	struct trailer t;
	void *p;
	int rc;

	if (length < CDB_HEADER || (p = mmap(NULL, (size_t)length, PROT_READ,
	    MAP_SHARED, fd, 0)) == MAP_FAILED)
		return -1;
	rc = trailer_fill(&t, k, p, (size_t)length);
	munmap(p, (size_t)length);
	return rc == 0 ? write_all(fd, &t, sizeof(t)) : -1;
}

/*
 * The read bits of the index of c, whose main file is st: only those
 * that every file it was made from grants the same reader.  Its keys'
 * digests can be tried against guesses, as a plain key can be read, so
 * whoever may read the index must be able to read every file: the
 * owner's bit where each file is the main file's owner's and readable
 * by it (or by anyone), the group's where each is readable by the main
 * file's group (or by anyone), the others' where each is readable by
 * anyone.  A file that cannot be asked grants nothing.
 */
static mode_t
index_read_bits(const struct conf *c, const struct stat *st)
{
	mode_t bits = st->st_mode & 0444;
	struct stat f;
	size_t i;

	for (i = 0; i < c->nsources && bits != 0; i++) {
		if (c->sources[i].is_dir)
			continue;
		if (stat(c->sources[i].path, &f) != 0)
			return 0;
		if (!(f.st_mode & S_IROTH)) {
			bits &= (mode_t)~S_IROTH;
			if (f.st_uid != st->st_uid || !(f.st_mode & S_IRUSR))
				bits &= (mode_t)~S_IRUSR;
			if (f.st_gid != st->st_gid || !(f.st_mode & S_IRGRP))
				bits &= (mode_t)~S_IRGRP;
		}
	}
	return bits;
}

/*
 * The index has the configuration's owner where we may, its group, and
 * the read bits every file of the configuration grants (index_read_bits):
 * nobody reads it who could not read them all.
 */
static int
index_mode(int fd, const struct conf *c, const struct stat *st)
{
	if (fchown(fd, st->st_uid, st->st_gid) != 0 &&
	    fchown(fd, (uid_t)-1, st->st_gid) != 0)
		log_debug("client index: keeping our own group");
	return fchmod(fd, index_read_bits(c, st) | S_IWUSR);
}

/* Fills the new index on fd; returns 0, or -1 with errno set. */
static int
index_fill(int fd, const struct conf *c, const struct stat *st)
{
	unsigned char salt[SALT_LEN];
	struct hmac_sha256_ctx k;
	struct cdb_make cm;

	if (getrandom(salt, sizeof(salt), 0) != (ssize_t)sizeof(salt))
		return -1;
	hmac_sha256_set_key(&k, SALT_LEN, salt);
	return index_mode(fd, c, st) == 0 && cdb_make_start(&cm, fd) == 0 &&
	    index_records(&cm, c, salt, &k) == 0 &&
	    cdb_make_finish(&cm) == 0 && trailer_write(fd, &k) == 0 &&
	    fsync(fd) == 0 ? 0 : -1;
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
 * Bytes [off, off + len) of the index: of the whole file when it was read
 * so, else read now.  Returns NULL when they do not lie in the file or
 * cannot be read.
 */
static const unsigned char *
index_bytes(struct index *ix, size_t off, size_t len)
{
	struct chunk *c;

	if (off > ix->size || len > ix->size - off)
		return NULL;
	if (ix->mem != NULL)
		return ix->mem + off;
	c = xcalloc(1, sizeof(*c) + len + 1);
	if (pread(ix->fd, c->data, len, (off_t)off) != (ssize_t)len) {
		free(c);
		return NULL;
	}
	c->next = ix->chunks;
	ix->chunks = c;
	return c->data;
}

/*
 * Hash table i's slots, *n of them, as the header places them; read once.
 * With check set, only as they were written (its MAC, checked once).
 * Returns NULL when the table is damaged.
 */
static const unsigned char *
table_get(struct index *ix, unsigned i, unsigned *n, int check)
{
	unsigned pos;

	if (table_place(ix->header, ix->length, i, &pos, n) != 0)
		return NULL;
	if (ix->table[i] == NULL &&
	    (ix->table[i] = index_bytes(ix, pos, (size_t)*n * 8)) == NULL)
		return NULL;
	if (!check || (ix->checked[i / 8] & (1 << i % 8)))
		return ix->table[i];
	if (table_mac(&ix->mac, ix->table[i], *n, i) != ix->t.table_mac[i])
		return NULL;
	ix->checked[i / 8] |= (unsigned char)(1 << i % 8);
	return ix->table[i];
}

/*
 * The record at pos, if its key is key: FOUND with *val and *vlen set
 * (the MAC left off); FOUND_NONE when its key is another; FOUND_BROKEN
 * when it does not lie in the database or, when check is set, its MAC
 * fails.
 */
static enum found
record_at(struct index *ix, unsigned pos, const void *key, size_t klen,
    const char **val, size_t *vlen, int check)
{
	size_t rk, rd, first = ix->length - pos;
	const unsigned char *r;
	uint64_t mac;

	if (pos < CDB_HEADER || pos > ix->length - 8)
		return FOUND_BROKEN;
	if (first > RECORD_READ)
		first = RECORD_READ;
	if ((r = index_bytes(ix, pos, first)) == NULL)
		return FOUND_BROKEN;
	rk = cdb_unpack(r);
	rd = cdb_unpack(r + 4);
	if (rd < MAC_LEN || rk > ix->length - pos - 8 ||
	    rd > ix->length - pos - 8 - rk)
		return FOUND_BROKEN;
	if (8 + rk + rd > first &&
	    (r = index_bytes(ix, pos, 8 + rk + rd)) == NULL)
		return FOUND_BROKEN;
	memcpy(&mac, r + 8 + rk + rd - MAC_LEN, MAC_LEN);
	if (check && mac != record_mac(&ix->mac, r + 8, rk, r + 8 + rk,
	    rd - MAC_LEN))
		return FOUND_BROKEN;
	if (rk != klen || memcmp(r + 8, key, klen) != 0)
		return FOUND_NONE;
	*val = (const char *)r + 8 + rk;
	*vlen = rd - MAC_LEN;
	return FOUND;
}

/*
 * Finds the record for key as tinycdb does (the table its hash names,
 * probed from the slot it names until an empty one).  With check set,
 * the table and every record the probe reads are authenticated.  Returns
 * FOUND and sets *val and *vlen (the MAC left off), FOUND_NONE when there
 * is no such record, or FOUND_BROKEN when what it read is damaged.
 */
static enum found
record_find(struct index *ix, const void *key, size_t klen, const char **val,
    size_t *vlen, int check)
{
	unsigned h = cdb_hash(key, (unsigned)klen), t = h & (CDB_TABLES - 1);
	unsigned n = cdb_unpack(ix->header + 8 * t + 4), slot, i;
	const unsigned char *s, *slots;
	enum found rc;

	if (n == 0)
		return FOUND_NONE;
	if ((slots = table_get(ix, t, &n, check)) == NULL)
		return FOUND_BROKEN;
	for (i = 0, slot = (h >> 8) % n; i < n; i++, slot = (slot + 1) % n) {
		s = slots + 8 * slot;
		if (cdb_unpack(s + 4) == 0)
			return FOUND_NONE;	/* an empty slot: not here */
		if (cdb_unpack(s) == h && (rc = record_at(ix, cdb_unpack(s + 4),
		    key, klen, val, vlen, check)) != FOUND_NONE)
			return rc;
	}
	return FOUND_NONE;
}

/* record_find(), authenticating all it reads. */
static enum found
record_get(struct index *ix, const void *key, size_t klen, const char **val,
    size_t *vlen)
{
	return record_find(ix, key, klen, val, vlen, 1);
}

/*
 * Reads the index (maps it, when it is large), its trailer and its salt.
 * The record holding the salt is found before anything can be checked,
 * and checks itself (its MAC is under the salt it holds); then the
 * trailer and the header are checked.  Returns 0, or -1 when the index
 * is damaged.
 */
static int
index_meta(struct index *ix)
{
	static const char magic[] = INDEX_MAGIC;
	const unsigned char *trailer;
	struct stat st;
	const char *val;
	size_t vlen, tail = sizeof(struct trailer);
	unsigned char *p;

	if (fstat(ix->fd, &st) != 0 ||
	    (size_t)st.st_size < CDB_HEADER + tail)
		return -1;
	ix->size = (size_t)st.st_size;
	ix->length = ix->size - tail;
	if (ix->size <= INDEX_READ_MAX) {
		ix->mem = p = xcalloc(1, ix->size);
		if (pread(ix->fd, p, ix->size, 0) != (ssize_t)ix->size)
			return -1;
	}
	if ((ix->header = index_bytes(ix, 0, CDB_HEADER)) == NULL ||
	    (trailer = index_bytes(ix, ix->length, tail)) == NULL)
		return -1;
	memcpy(&ix->t, trailer, tail);
	if (memcmp(ix->t.magic, TRAILER_MAGIC, 8) != 0 ||
	    ix->t.length != ix->length)
		return -1;
	/* the salt first: the record cannot be authenticated before */
	if (record_find(ix, "\0m", 2, &val, &vlen, 0) != FOUND ||
	    vlen != sizeof(magic) + SALT_LEN ||
	    memcmp(val, magic, sizeof(magic)) != 0)
		return -1;
	hmac_sha256_set_key(&ix->mac, SALT_LEN,
	    (const uint8_t *)val + sizeof(magic));
	return trailer_mac(&ix->mac, &ix->t) == ix->t.mac &&
	    header_mac(&ix->mac, ix->header) == ix->t.header_mac &&
	    record_get(ix, "\0m", 2, &val, &vlen) == FOUND ? 0 : -1;
}

/*
 * The next entry of the files record: its kind, stamp and path.  Returns
 * 0, or -1 when it is damaged.
 */
static int
source_next(const char **p, const char *end, int *kind, struct stamp *stamp,
    const char **path)
{
	if (end - *p < 1 + (ptrdiff_t)sizeof(*stamp))
		return -1;
	*kind = **p;
	memcpy(stamp, *p + 1, sizeof(*stamp));
	*p += 1 + sizeof(*stamp);
	if ((*path = next_str(p, end)) == NULL)
		return -1;
	return (*kind == 'f' || *kind == 'd') && **path == '/' ? 0 : -1;
}

/* Adds path to c's sources, as a parse would have. */
static void
source_keep(struct conf *c, const char *path, const struct stamp *stamp,
    int is_dir)
{
	c->sources = xgrow(c->sources, &c->sources_cap, c->nsources + 1,
	    sizeof(*c->sources));
	c->sources[c->nsources].path = xstrdup(path);
	c->sources[c->nsources].stamp = *stamp;
	c->sources[c->nsources++].is_dir = is_dir;
}

/*
 * Whether the file of one entry has the stamp it was parsed with; the
 * directory's entry leaves it open on *dirfd, for its files.
 */
static int
source_fresh(int kind, const char *path, const struct stamp *was,
    int *dirfd)
{
	struct stamp now;

	if (kind == 'd') {
		if (*dirfd != -1)
			close(*dirfd);
		*dirfd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
		return *dirfd != -1 && stamp_fd(*dirfd, &now) == 0 &&
		    stamp_same(&now, was);
	}
	return stamp_at(AT_FDCWD, path, &now) == 0 && stamp_same(&now, was);
}

/*
 * Returns 0 when the index was made from c's main file (the same path,
 * first among its files) and every file is as it was; 1 when one
 * changed; 2 when it was made from another configuration (a copy of the
 * directory, or another's index put here); -1 when the record is
 * damaged.  The files become c's sources, as a parse would make them
 * (the clients-dir standing for its files): confine() lets them be read,
 * for the parse that a damaged or stale record may still call for.  The
 * clients-dir stays open on ix->dirfd, for the file of a client found.
 */
static int
index_fresh(struct index *ix, struct conf *c)
{
	const char *val, *end, *path;
	struct stamp was;
	size_t vlen;
	int kind, rc = 0;

	if (record_get(ix, "\0s", 2, &val, &vlen) != FOUND)
		return -1;
	for (end = val + vlen; val < end && rc == 0;) {
		if (source_next(&val, end, &kind, &was, &path) != 0)
			rc = -1;
		else if (c->nsources == 0 && (kind != 'f' ||
		    strcmp(path, c->path) != 0))
			rc = 2;
		else if (!source_fresh(kind, path, &was, &ix->dirfd))
			rc = 1;
		else
			source_keep(c, path, &was, kind == 'd');
	}
	return rc != 0 || c->nsources > 0 ? rc : -1;
}

/* Fills c's settings from the index; returns 0, or -1. */
static int
index_conf(struct index *ix, struct conf *c)
{
	const char *val, *end;
	size_t vlen;

	if (record_get(ix, "\0c", 2, &val, &vlen) != FOUND)
		return -1;
	end = val + vlen;
	if (settings_decode(c, SCOPE_TOP, &val, end, NULL) != 0 ||
	    settings_decode(c, SCOPE_TLS, &val, end, NULL) != 0 || val != end)
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
			log_syserr("client index %s", ipath);
		free(ipath);
		index_free(c);
		return rc;
	}
	ix = xcalloc(1, sizeof(*ix));
	ix->fd = fd;
	ix->dirfd = -1;
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
 * The end of a client's record at *p: the file of clients-dir that holds
 * it ("" for none) and that file's stamp.  Returns 1 when the file is as
 * it was compiled (or there is none), 0 when it changed, -1 when the
 * record is damaged.
 */
static int
member_fresh(struct index *ix, const char **p, const char *end)
{
	const char *name = next_str(p, end);
	struct stamp was, now;

	if (name == NULL)
		return -1;
	if (*name == '\0')
		return 1;
	if (strchr(name, '/') != NULL || end - *p != (ptrdiff_t)sizeof(was) ||
	    ix->dirfd == -1)
		return -1;
	memcpy(&was, *p, sizeof(was));
	*p += sizeof(was);
	return stamp_at(ix->dirfd, name, &now) == 0 && stamp_same(&now, &was);
}

/*
 * Finds the client with the key whose SHA-256 is d.  Returns FOUND and
 * sets *found, FOUND_NONE when there is none, or FOUND_BROKEN when the
 * index cannot say (logged): it is damaged, or the file of clients-dir
 * that holds the client changed since -t.  Then the configuration must
 * be parsed to answer; for a changed file, *found is the client as the
 * index last knew it (enough to refuse, never to grant).
 */
enum found
index_client_find(struct conf *c, const unsigned char d[SHA256_LEN],
    const struct client **found)
{
	struct index *ix = c->index;
	unsigned char digest[DIGEST_LEN];
	const char *val, *end;
	size_t vlen;
	enum found rc;
	int fresh = -1;

	*found = NULL;
	key_digest(&ix->mac, d, digest);
	if ((rc = record_get(ix, digest, DIGEST_LEN, &val, &vlen)) ==
	    FOUND_NONE)
		return FOUND_NONE;	/* what the probe read was authentic */
	if (rc == FOUND) {
		end = val + vlen;
		pool_free(&ix->lists);
		memset(&ix->client, 0, sizeof(ix->client));
		ix->client.source = SOURCE_NONE;
		if ((ix->client.name = next_str(&val, end)) != NULL &&
		    settings_decode(&ix->client, SCOPE_CLIENT, &val, end,
		    &ix->lists) == 0 && ix->client.hosts.n > 0 &&
		    (fresh = member_fresh(ix, &val, end)) == 1 && val == end) {
			settings_inherit(c, &ix->client);
			*found = &ix->client;
			return FOUND;
		}
	}
	if (fresh == 0) {
		settings_inherit(c, &ix->client);
		*found = &ix->client;
		log_warn("client index of %s is older than the file of "
		    "clients-dir that holds client %s; parsing the "
		    "configuration instead; run sftdyn -t %s", c->path,
		    ix->client.name, c->path);
	} else
		log_err("client index of %s is damaged; parsing the "
		    "configuration instead; run sftdyn -t %s", c->path,
		    c->path);
	return FOUND_BROKEN;
}

/* Frees a configuration that index_load() loaded. */
void
index_free(struct conf *c)
{
	if (c->index != NULL) {
		struct chunk *ch, *next;

		for (ch = c->index->chunks; ch != NULL; ch = next) {
			next = ch->next;
			free(ch);
		}
		free((void *)(uintptr_t)c->index->mem);
		pool_free(&c->index->lists);
		if (c->index->dirfd != -1)
			close(c->index->dirfd);
		close(c->index->fd);
		free(c->index);
	}
	settings_free(c);
	memset(c, 0, sizeof(*c));
}
