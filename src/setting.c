/*
 * The settings, described once: this table drives the parse (conf.c), the
 * index records (index.c) and the dump of -t -v.  Each entry names its
 * scope, its kind, where its value lives, its default, and what it may
 * hold.
 */
#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sftdyn.h"

#define TOP(f)		.scope = SCOPE_TOP, .offset = offsetof(struct conf, f)
#define TLS(f)		.scope = SCOPE_TLS, .offset = offsetof(struct conf, f)
#define CLIENT(f)	.scope = SCOPE_CLIENT, .offset = offsetof(struct client, f)
#define LANHOST(f)	.scope = SCOPE_LANHOST, \
			.offset = offsetof(struct lanhost, f)
#define TTL_MAX		2147483647

const struct setting settings[] = {
	{ "ttl", TOP(ttl), .kind = SET_INT, .def = "30", .max = TTL_MAX },
	{ "timeout", TOP(timeout), .kind = SET_INT, .def = "10", .min = 1,
	    .max = 3600 },
	{ "nsupdate", TOP(nsupdate), .kind = SET_PATH,
	    .def = "/usr/bin/nsupdate", .access = X_OK },
	{ "nskeyfile", TOP(nskeyfile), .kind = SET_PATH, .access = R_OK },
	{ "nsserver", TOP(nsserver), .kind = SET_STR,
	    .check = valid_server_why },
	{ "nsport", TOP(nsport), .kind = SET_INT, .def = "53", .min = 1,
	    .max = 65535 },
	{ "statedir", TOP(statedir), .kind = SET_PATH,
	    .def = "/var/lib/sftdyn", .flags = SETF_DIR },
	{ "clients-dir", TOP(clients_dir), .kind = SET_PATH,
	    .access = R_OK | X_OK, .flags = SETF_DIR },
	{ "trusted-proxies", TOP(proxies), .kind = SET_NETS },
	{ "allow-from", TOP(allow), .kind = SET_NETS },
	{ "url", TOP(url), .kind = SET_STR, .def = "https://dyn.example.org",
	    .check = valid_url_why },
	{ "proxy-protocol", TOP(proxy_protocol), .kind = SET_BOOL,
	    .def = "false" },
	{ "allow-myip", TOP(allow_myip), .kind = SET_BOOL, .def = "true" },
	{ "allow-acme", TOP(allow_acme), .kind = SET_BOOL, .def = "true" },
	{ "max-changes", TOP(max_changes), .kind = SET_INT, .def = "20",
	    .max = HISTORY_MAX },
	{ "verify-dns", TOP(verify_dns), .kind = SET_BOOL, .def = "false" },
	{ "seccomp", TOP(seccomp), .kind = SET_BOOL, .def = "false" },
	{ "cert", TLS(tls_cert), .kind = SET_PATH, .access = R_OK },
	{ "key", TLS(tls_key), .kind = SET_PATH, .access = R_OK },
	{ "key", CLIENT(keys), .kind = SET_KEYS, .check = valid_key_why,
	    .flags = SETF_SECRET, .max = KEYS_MAX },
	{ "key-sha256", CLIENT(keys), .kind = SET_KEYS,
	    .check = valid_digest_why, .flags = SETF_SECRET | SETF_DIGEST,
	    .max = KEYS_MAX },
	{ "host", CLIENT(hosts), .kind = SET_NAMES, .check = valid_name_why,
	    .flags = SETF_REQUIRED, .max = NAMES_MAX },
	{ "ttl", CLIENT(ttl), .kind = SET_INT, .max = TTL_MAX,
	    .flags = SETF_INHERIT },
	{ "allow-myip", CLIENT(allow_myip), .kind = SET_BOOL,
	    .flags = SETF_INHERIT },
	{ "allow-acme", CLIENT(allow_acme), .kind = SET_BOOL,
	    .flags = SETF_INHERIT },
	{ "max-changes", CLIENT(max_changes), .kind = SET_INT,
	    .max = HISTORY_MAX, .flags = SETF_INHERIT },
	{ "allow-from", CLIENT(allow), .kind = SET_NETS,
	    .flags = SETF_INHERIT },
	{ "lan-host", CLIENT(lan), .kind = SET_LANHOSTS, .max = NAMES_MAX },
	{ "suffix", LANHOST(suffix), .kind = SET_STR, .check = valid_suffix_why,
	    .flags = SETF_REQUIRED },
	{ "subnet", LANHOST(subnet), .kind = SET_INT, .def = "0",
	    .max = SUBNET_MAX },
};
const size_t nsettings = sizeof(settings) / sizeof(settings[0]);
_Static_assert(sizeof(settings) / sizeof(settings[0]) <= SETTINGS_MAX,
    "SETTINGS_MAX is too small");

/*
 * Returns NULL when s is a DNS name that nsupdate's input can carry, else
 * why not: letters, digits, hyphens, underscores and dots, labels of 1 to
 * 63 bytes, at most 253 bytes, one trailing dot allowed.
 */
const char *
valid_host_why(const char *s)
{
	size_t len = strlen(s), label = 0, i;

	if (len > 0 && s[len - 1] == '.')
		len--;
	if (len == 0 || len > HOST_MAX)
		return "is not a valid DNS name";
	for (i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch == '.') {
			if (label == 0)
				return "is not a valid DNS name";
			label = 0;
		} else if (isalnum(ch) || ch == '-' || ch == '_') {
			if (++label > LABEL_MAX)
				return "is not a valid DNS name";
		} else
			return "is not a valid DNS name";
	}
	return label > 0 ? NULL : "is not a valid DNS name";
}

/*
 * Returns NULL when s is a name a client may own: a DNS name by
 * valid_host_why(), or "*." and one (a wildcard owner); "*" anywhere
 * else, or alone, is not.  Else why not.
 */
const char *
valid_name_why(const char *s)
{
	if (s[0] == '*' && s[1] == '.') {
		if (strlen(s) > HOST_MAX + (s[strlen(s) - 1] == '.'))
			return "is not a valid DNS name";
		return valid_host_why(s + 2) ? "is not a valid DNS name" : NULL;
	}
	return valid_host_why(s);
}

/* The name a wildcard owner "*.N" stands beside: N; any other name itself. */
const char *
name_base(const char *name)
{
	return name[0] == '*' && name[1] == '.' ? name + 2 : name;
}

/*
 * Whether name is base or a name below it, at any depth (any case, one
 * trailing dot of either ignored).
 */
int
name_below(const char *name, const char *base)
{
	char n[HOST_MAX + 4], b[HOST_MAX + 4];
	size_t nl, bl;

	host_fold(n, sizeof(n), name);
	host_fold(b, sizeof(b), base);
	nl = strlen(n);
	bl = strlen(b);
	return nl >= bl && strcmp(n + nl - bl, b) == 0 &&
	    (nl == bl || n[nl - bl - 1] == '.');
}

/*
 * Whether two clients cannot own the names a and b: they are the same
 * name (any case, a trailing dot aside), or one lies in the subtree of
 * the other's wildcard.  A wildcard "*.N" owns N's whole subtree: N and
 * every name below it, at any depth (they share _acme-challenge.N, and
 * a certificate for "*.N" matches every name one label below N).
 */
int
names_clash(const char *a, const char *b)
{
	return host_equal(a, b) ||
	    (name_base(a) != a && name_below(name_base(b), name_base(a))) ||
	    (name_base(b) != b && name_below(name_base(a), name_base(b)));
}

/* Returns NULL, or why s cannot be a key that a request-target carries. */
const char *
valid_key_why(const char *s)
{
	size_t len = strlen(s);

	if (len == 0)
		return "is empty (\"/\" answers the client's address)";
	if (len > TARGET_MAX - 1)
		return "is longer than a request-target may be";
	for (; *s != '\0'; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch <= ' ' || ch >= 0x7f)
			return "holds a space, a control or a non-ASCII byte";
		if (ch == '#')
			return "holds '#', which clients never send";
	}
	return NULL;
}

/* Returns NULL, or why s is not a key's SHA-256 digest in hex. */
const char *
valid_digest_why(const char *s)
{
	unsigned char d[SHA256_LEN];

	return key_unhex(s, d) == 0 ? NULL : "is not a SHA-256 digest "
	    "(64 hex digits)";
}

/*
 * Returns NULL when s is the server's URL as clients are to be given it:
 * http:// or https://, then a host (no user or password), an optional
 * port and path, of printable ASCII that a shell, a configuration file
 * and a URL carry as it is (no space, quote, backslash, '`', '$', '?'
 * or '#'); else why not.
 */
const char *
valid_url_why(const char *s)
{
	size_t scheme = strncmp(s, "https://", 8) == 0 ? 8 :
	    strncmp(s, "http://", 7) == 0 ? 7 : 0;

	if (scheme == 0)
		return "does not start with http:// or https://";
	if (s[scheme] == '\0' || s[scheme] == '/')
		return "names no host";
	if (memchr(s + scheme, '@', strcspn(s + scheme, "/")) != NULL)
		return "names a user (the client's credentials are its own)";
	for (s += scheme; *s != '\0'; s++)
		if ((unsigned char)*s <= ' ' || (unsigned char)*s >= 0x7f ||
		    strchr("\\\"'`?#$", *s) != NULL)
			return "holds a space, a control, a quote, '\\', '`', "
			    "'$', '?' or '#'";
	return NULL;
}

/*
 * Returns NULL when s is a LAN host's suffix: an IPv6 address whose upper
 * 64 bits are zero and whose low 64 bits, the interface identifier, are
 * not; else why not.
 */
const char *
valid_suffix_why(const char *s)
{
	static const unsigned char zero[8];
	struct addr a;

	if (addr_parse(&a, s) != 0 || a.family != AF_INET6)
		return "is not an IPv6 address";
	if (memcmp(a.bytes, zero, 8) != 0)
		return "has bits in its upper 64, where the prefix goes "
		    "(write the interface identifier: ::1:2:3:4)";
	if (memcmp(a.bytes + 8, zero, 8) == 0)
		return "has no interface identifier (its low 64 bits are 0)";
	return NULL;
}

/* Returns NULL when s is an address or a DNS name, else why not. */
const char *
valid_server_why(const char *s)
{
	struct addr a;

	if (addr_parse(&a, s) == 0 || valid_host_why(s) == NULL)
		return NULL;
	return "is neither an address nor a DNS name";
}

/*
 * Whether v is an ACME challenge value, the only TXT data sftdyn writes:
 * 43 characters of A-Z a-z 0-9 - _ (a key authorization's SHA-256
 * digest, base64url).
 */
int
valid_txt_value(const char *v)
{
	static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789-_";

	return strlen(v) == ACME_VALUE_LEN &&
	    strspn(v, alphabet) == ACME_VALUE_LEN;
}

void *
setting_ptr(const void *base, const struct setting *s)
{
	return (char *)(uintptr_t)base + s->offset;
}

/* The setting of scope called name, or NULL. */
const struct setting *
setting_find(enum setting_scope scope, const char *name)
{
	size_t i;

	for (i = 0; i < nsettings; i++)
		if (settings[i].scope == scope &&
		    strcmp(settings[i].name, name) == 0)
			return &settings[i];
	return NULL;
}

/*
 * Parses a decimal number without leading zeros, for the configuration
 * and the index alike: no octal "0300", no "0x12C".  Returns 0, or -1.
 */
int
parse_decimal(const char *text, long *v)
{
	const char *digits = text + (*text == '-');
	char *end;

	if (!isdigit((unsigned char)*digits) ||
	    (digits[0] == '0' && digits[1] != '\0'))
		return -1;
	errno = 0;
	*v = strtol(text, &end, 10);
	return *end != '\0' || errno != 0 ? -1 : 0;
}

/*
 * Reads a list of networks as setting_text() writes it, into nets, its
 * array allocated from pool (NULL: the heap).  Returns 0, or -1.
 */
static int
nets_from_text(struct nets *nets, const char *text, struct pool *pool)
{
	const char *p = text, *comma;
	char item[64];
	size_t n = 1;

	for (; *p != '\0'; p++)
		n += *p == ',';
	nets->v = pool != NULL ? pool_calloc(pool, n, sizeof(*nets->v)) :
	    xcalloc(n, sizeof(*nets->v));
	nets->n = 0;
	for (p = text; *p != '\0'; p = *comma ? comma + 1 : comma) {
		comma = p + strcspn(p, ",");
		if ((size_t)(comma - p) >= sizeof(item))
			return -1;
		memcpy(item, p, (size_t)(comma - p));
		item[comma - p] = '\0';
		if (net_parse(&nets->v[nets->n++], item) != 0)
			return -1;
	}
	return 0;
}

/*
 * Sets the value of s in base from its text, as the index and the
 * defaults hold it; strings are copied, a list of networks allocated
 * from pool (NULL: the heap).  Returns 0, or -1 when the text is not a
 * value of s's kind.
 */
int
setting_from_text(void *base, const struct setting *s, const char *text,
    struct pool *pool)
{
	void *p = setting_ptr(base, s);
	long v;

	switch (s->kind) {
	case SET_INT:
		if (parse_decimal(text, &v) != 0 || v < s->min || v > s->max)
			return -1;
		*(long *)p = v;
		return 0;
	case SET_BOOL:
		if (strcmp(text, "true") != 0 && strcmp(text, "false") != 0)
			return -1;
		*(int *)p = text[0] == 't';
		return 0;
	case SET_STR:
	case SET_PATH:
		*(char **)p = xstrdup(text);
		return 0;
	case SET_NETS:
		return nets_from_text(p, text, pool);
	case SET_NAMES:
	case SET_LANHOSTS:
		break;		/* the index's own encodings: *_decode() */
	case SET_KEYS:
		break;		/* never in the index */
	}
	return -1;
}

/* Whether s has a value in base. */
static int
setting_is_set(const void *base, const struct setting *s)
{
	void *p = setting_ptr(base, s);

	switch (s->kind) {
	case SET_INT:
		return !(s->flags & SETF_INHERIT) || *(long *)p >= 0;
	case SET_BOOL:
		return !(s->flags & SETF_INHERIT) || *(int *)p >= 0;
	case SET_STR:
	case SET_PATH:
		return *(char **)p != NULL;
	case SET_NAMES:
		return ((const struct names *)p)->n > 0;
	case SET_LANHOSTS:
		return ((const struct lanhosts *)p)->n > 0;
	case SET_NETS:
		return !(s->flags & SETF_INHERIT) ||
		    ((const struct nets *)p)->n > 0;
	case SET_KEYS:
		return ((const struct keys *)p)->n > 0;
	}
	return 1;
}

/*
 * Appends the text of s's value in base, NUL-terminated: as a
 * configuration writes it, but for a scalar's quotes (a list of LAN
 * hosts: their sections, one a line).
 */
static void
setting_text(struct strbuf *b, const void *base, const struct setting *s)
{
	const struct lanhosts *lan;
	const struct nets *nets;
	void *p = setting_ptr(base, s);
	char num[24], *line;
	size_t i;

	switch (s->kind) {
	case SET_INT:
		snprintf(num, sizeof(num), "%ld", *(long *)p);
		strbuf_add(b, num);
		return;
	case SET_BOOL:
		strbuf_add(b, *(int *)p ? "true" : "false");
		return;
	case SET_STR:
	case SET_PATH:
		strbuf_add(b, *(char **)p);
		return;
	case SET_NAMES:
		for (i = 0; i < ((struct names *)p)->n; i++) {
			strbuf_raw(b, i ? ", \"" : "\"", i ? 3 : 1);
			strbuf_raw(b, ((struct names *)p)->v[i],
			    strlen(((struct names *)p)->v[i]));
			strbuf_raw(b, "\"", 1);
		}
		strbuf_raw(b, "", 1);
		return;
	case SET_LANHOSTS:
		lan = p;
		for (i = 0; i < lan->n; i++) {
			line = xasprintf("%s\"%s\" { suffix = \"%s\" subnet = "
			    "%ld }", i ? "\n\tlan-host " : "", lan->v[i].name,
			    lan->v[i].suffix, lan->v[i].subnet);
			strbuf_raw(b, line, strlen(line));
			free(line);
		}
		strbuf_raw(b, "", 1);
		return;
	case SET_NETS:
		nets = p;
		for (i = 0; i < nets->n; i++) {
			char item[64];
			int n = snprintf(item, sizeof(item), "%s%s/%d",
			    i ? "," : "", nets->v[i].addr.text,
			    nets->v[i].prefix);

			strbuf_raw(b, item, (size_t)n);
		}
		strbuf_raw(b, "", 1);
		return;
	case SET_KEYS:
		strbuf_raw(b, "", 1);	/* a secret: never written */
		return;
	}
}

/* A list of names for the index: its count, then each name, as strings. */
static void
names_encode(struct strbuf *b, const struct names *v)
{
	char count[8];
	size_t i;

	snprintf(count, sizeof(count), "%zu", v->n);
	strbuf_add(b, count);
	for (i = 0; i < v->n; i++)
		strbuf_add(b, v->v[i]);
}

/*
 * Reads a list that names_encode() wrote, its count in text, from [*p,
 * end) into v, each name pointing into the buffer.  Returns 0, or -1.
 */
static int
names_decode(struct names *v, const char *text, const char **p,
    const char *end)
{
	long n;

	if (parse_decimal(text, &n) != 0 || n < 1 || n > NAMES_MAX)
		return -1;
	for (v->n = 0; v->n < (size_t)n; v->n++)
		if ((v->v[v->n] = next_str(p, end)) == NULL)
			return -1;
	return 0;
}

/*
 * A list of LAN hosts for the index: its count, then each host's name
 * and settings, as strings.
 */
static void
lanhosts_encode(struct strbuf *b, const struct lanhosts *v)
{
	char count[8];
	size_t i;

	snprintf(count, sizeof(count), "%zu", v->n);
	strbuf_add(b, count);
	for (i = 0; i < v->n; i++) {
		strbuf_add(b, v->v[i].name);
		settings_encode(b, &v->v[i], SCOPE_LANHOST);
	}
}

/*
 * Reads a list that lanhosts_encode() wrote, its count in text, from
 * [*p, end) into v, allocated from pool, its strings pointing into the
 * buffer.  Returns 0, or -1.
 */
static int
lanhosts_decode(struct lanhosts *v, const char *text, const char **p,
    const char *end, struct pool *pool)
{
	struct lanhost *h;
	long n;

	if (parse_decimal(text, &n) != 0 || n < 1 || n > NAMES_MAX)
		return -1;
	v->v = pool_calloc(pool, (size_t)n, sizeof(*v->v));
	for (v->n = 0; v->n < (size_t)n; v->n++) {
		h = &v->v[v->n];
		if ((h->name = next_str(p, end)) == NULL ||
		    settings_decode(h, SCOPE_LANHOST, p, end, pool) != 0 ||
		    h->suffix == NULL || valid_suffix_why(h->suffix) != NULL)
			return -1;
	}
	return 0;
}

/*
 * Appends every setting of scope in base but the secret ones, as the
 * strings NAME, then "=VALUE" (a list of names or LAN hosts: "=COUNT",
 * then each) or "-" when unset.
 */
void
settings_encode(struct strbuf *b, const void *base, enum setting_scope scope)
{
	size_t i;

	for (i = 0; i < nsettings; i++) {
		const struct setting *s = &settings[i];

		if (s->scope != scope || (s->flags & SETF_SECRET))
			continue;
		strbuf_add(b, s->name);
		if (!setting_is_set(base, s)) {
			strbuf_add(b, "-");
			continue;
		}
		strbuf_raw(b, "=", 1);
		if (s->kind == SET_NAMES)
			names_encode(b, setting_ptr(base, s));
		else if (s->kind == SET_LANHOSTS)
			lanhosts_encode(b, setting_ptr(base, s));
		else
			setting_text(b, base, s);
	}
}

/*
 * Reads what settings_encode() wrote from [*p, end) into base, advancing
 * *p.  Without a pool, the values are copied to the heap (the top-level
 * settings, which settings_free() frees; lists of names and LAN hosts
 * are not read so); with one, strings point into the buffer and lists
 * are allocated from the pool.  Returns 0, or -1 when the text does not
 * match the table.
 */
int
settings_decode(void *base, enum setting_scope scope, const char **p,
    const char *end, struct pool *pool)
{
	const char *name, *val;
	size_t i;

	for (i = 0; i < nsettings; i++) {
		const struct setting *s = &settings[i];

		if (s->scope != scope || (s->flags & SETF_SECRET))
			continue;
		if ((name = next_str(p, end)) == NULL ||
		    strcmp(name, s->name) != 0 ||
		    (val = next_str(p, end)) == NULL)
			return -1;
		if (strcmp(val, "-") == 0)
			continue;
		if (val[0] != '=')
			return -1;
		if (s->kind == SET_NAMES) {
			if (pool == NULL || names_decode(setting_ptr(base, s),
			    val + 1, p, end) != 0)
				return -1;
		} else if (s->kind == SET_LANHOSTS) {
			if (pool == NULL || lanhosts_decode(setting_ptr(base, s),
			    val + 1, p, end, pool) != 0)
				return -1;
		} else if (pool != NULL &&
		    (s->kind == SET_STR || s->kind == SET_PATH))
			*(const char **)setting_ptr(base, s) = val + 1;
		else if (setting_from_text(base, s, val + 1, pool) != 0)
			return -1;
	}
	return 0;
}

/* Gives a client's unset inheriting settings the top-level values. */
void
settings_inherit(const struct conf *c, struct client *cl)
{
	size_t i;

	for (i = 0; i < nsettings; i++) {
		const struct setting *s = &settings[i], *top;

		if (s->scope != SCOPE_CLIENT || !(s->flags & SETF_INHERIT) ||
		    setting_is_set(cl, s) ||
		    (top = setting_find(SCOPE_TOP, s->name)) == NULL)
			continue;
		if (s->kind == SET_INT)
			*(long *)setting_ptr(cl, s) =
			    *(long *)setting_ptr(c, top);
		else if (s->kind == SET_BOOL)
			*(int *)setting_ptr(cl, s) = *(int *)setting_ptr(c, top);
		else if (s->kind == SET_NETS)	/* the conf's, shared */
			*(struct nets *)setting_ptr(cl, s) =
			    *(struct nets *)setting_ptr(c, top);
	}
}

/* Prints a list of networks as the configuration writes it. */
static void
nets_dump(FILE *f, const char *text)
{
	const char *p = text;
	size_t n;

	fputs("{", f);
	while (*p != '\0') {
		n = strcspn(p, ",");
		fprintf(f, "%s \"%.*s\"", p == text ? "" : ",", (int)n, p);
		p += n + (p[n] == ',');
	}
	fputs(" }\n", f);
}

/* Prints client cl's settings in effect, its keys left out. */
static void
client_dump(FILE *f, const struct client *cl, struct strbuf *b)
{
	size_t i;

	fprintf(f, "client \"%s\" {\n", cl->name);
	for (i = 0; i < nsettings; i++) {
		const struct setting *s = &settings[i];

		if (s->scope != SCOPE_CLIENT || (s->flags & SETF_SECRET))
			continue;
		b->len = 0;
		if ((s->kind == SET_LANHOSTS || s->kind == SET_NETS) &&
		    !setting_is_set(cl, s))
			continue;	/* none (allow-from: anywhere) */
		setting_text(b, cl, s);
		if (s->kind == SET_NAMES)
			fprintf(f, "\t%s = { %s }\n", s->name, b->p);
		else if (s->kind == SET_LANHOSTS)
			fprintf(f, "\t%s %s\n", s->name, b->p);
		else if (s->kind == SET_NETS) {
			fprintf(f, "\t%s = ", s->name);
			nets_dump(f, b->p);
		} else
			fprintf(f, "\t%s = %s\n", s->name, b->p);
	}
	fprintf(f, "}\n");
}

/*
 * Prints the settings in effect, as a configuration would set them, and
 * every client's but its key.
 */
void
settings_dump(FILE *f, const struct conf *c)
{
	struct strbuf b = { NULL, 0, 0 };
	size_t i;

	for (i = 0; i < nsettings; i++) {
		const struct setting *s = &settings[i];
		int quote = s->kind == SET_STR || s->kind == SET_PATH;

		if (s->scope != SCOPE_TOP && s->scope != SCOPE_TLS)
			continue;
		if (!setting_is_set(c, s)) {
			fprintf(f, "# %s%s unset\n",
			    s->scope == SCOPE_TLS ? "tls " : "", s->name);
			continue;
		}
		b.len = 0;
		setting_text(&b, c, s);
		fprintf(f, "%s%s = ", s->scope == SCOPE_TLS ? "tls " : "",
		    s->name);
		if (s->kind == SET_NETS)
			nets_dump(f, b.p);
		else
			fprintf(f, "%s%s%s\n", quote ? "\"" : "", b.p,
			    quote ? "\"" : "");
	}
	fprintf(f, "# %zu clients\n", c->nclients);
	for (i = 0; i < c->nclients; i++)
		client_dump(f, &c->clients[i], &b);
	free(b.p);
}

/*
 * Frees what a configuration owns however it was loaded: its path, its
 * sources and the strings and lists among its settings.
 */
void
settings_free(struct conf *c)
{
	size_t i;

	for (i = 0; i < nsettings; i++) {
		const struct setting *s = &settings[i];
		void *p = setting_ptr(c, s);

		if (s->scope != SCOPE_TOP && s->scope != SCOPE_TLS)
			continue;
		if (s->kind == SET_STR || s->kind == SET_PATH) {
			free(*(char **)p);
			*(char **)p = NULL;
		} else if (s->kind == SET_NETS) {
			free(((struct nets *)p)->v);
			memset(p, 0, sizeof(struct nets));
		}
	}
	for (i = 0; i < c->nsources; i++)
		free(c->sources[i].path);
	free(c->sources);
	free(c->path);
	c->sources = NULL;
	c->nsources = 0;
	c->path = NULL;
}
