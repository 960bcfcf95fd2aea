/*
 * The configuration: libconfuse parsing, validation with FILE:LINE errors,
 * relative paths, and the client table.
 */
#include <sys/stat.h>

#include <confuse.h>
#include <ctype.h>
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sftdyn.h"

/* Where a client section ends, for errors found after the parse. */
struct place {
	char		*file;
	int		 line;
};

/* The parse in progress; libconfuse callbacks have no user pointer. */
static struct {
	struct conf	*conf;
	const char	*dir;
	int		 to_stderr;
	int		 errors;
	unsigned int	 proxies_seen;	/* trusted-proxies elements checked */
	struct place	*places;	/* one per client section */
	size_t		 nplaces;
	size_t		 places_size;
} parse;

static void
conf_verror(const char *file, int line, const char *fmt, va_list ap)
{
	char msg[1024];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	parse.errors++;
	if (parse.to_stderr)
		fprintf(stderr, "%s:%d: %s\n", file, line, msg);
	else
		log_err("configuration: %s:%d: %s", file, line, msg);
}

static void
conf_errfunc(cfg_t *cfg, const char *fmt, va_list ap)
{
	conf_verror(cfg && cfg->filename ? cfg->filename : parse.conf->path,
	    cfg ? cfg->line : 0, fmt, ap);
}

static void ATTR_PRINTF(3, 4)
conf_error(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	conf_verror(file, line, fmt, ap);
	va_end(ap);
}

/* include("file"): relative to the main file's directory, and recorded. */
static int
conf_include(cfg_t *cfg, cfg_opt_t *opt, int argc, const char **argv)
{
	struct conf *c = parse.conf;
	const char *args[1];
	char *path;

	if (argc != 1) {
		cfg_error(cfg, "include() takes one file name");
		return 1;
	}
	path = path_join(parse.dir, argv[0]);
	c->sources = realloc(c->sources, (c->nsources + 1) * sizeof(char *));
	if (c->sources == NULL) {
		log_err("out of memory");
		_exit(1);
	}
	c->sources[c->nsources++] = path;
	args[0] = path;
	return cfg_include(cfg, opt, 1, args);
}

/* Returns 1 when s is a DNS name: labels of [A-Za-z0-9_-], 1-63 bytes. */
static int
valid_host(const char *s)
{
	size_t len = strlen(s), label = 0, i;

	if (len > 0 && s[len - 1] == '.')
		len--;
	if (len == 0 || len > HOST_MAX)
		return 0;
	for (i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch == '.') {
			if (label == 0)
				return 0;
			label = 0;
		} else if (isalnum(ch) || ch == '-' || ch == '_') {
			if (++label > LABEL_MAX)
				return 0;
		} else
			return 0;
	}
	return label > 0;
}

/* Returns NULL, or why s cannot be a key that a request-target carries. */
static const char *
invalid_key(const char *s)
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

static int
check_range(cfg_t *cfg, cfg_opt_t *opt, long min, long max)
{
	long v = cfg_opt_getnint(opt, cfg_opt_size(opt) - 1);

	if (v < min || v > max)
		cfg_error(cfg, "%s must be between %ld and %ld", opt->name,
		    min, max);
	return 0;
}

static int
validate_ttl(cfg_t *cfg, cfg_opt_t *opt)
{
	return check_range(cfg, opt, 0, 2147483647);
}

static int
validate_timeout(cfg_t *cfg, cfg_opt_t *opt)
{
	return check_range(cfg, opt, 1, 3600);
}

static int
validate_port(cfg_t *cfg, cfg_opt_t *opt)
{
	return check_range(cfg, opt, 1, 65535);
}

static int
validate_host(cfg_t *cfg, cfg_opt_t *opt)
{
	const char *host = cfg_opt_getnstr(opt, 0);

	if (!valid_host(host))
		cfg_error(cfg, "host \"%s\" is not a valid DNS name", host);
	return 0;
}

static int
validate_nsserver(cfg_t *cfg, cfg_opt_t *opt)
{
	struct addr a;
	const char *s = cfg_opt_getnstr(opt, 0);

	if (addr_parse(&a, s) != 0 && !valid_host(s))
		cfg_error(cfg, "nsserver \"%s\" is neither an address nor a "
		    "DNS name", s);
	return 0;
}

static int
validate_key(cfg_t *cfg, cfg_opt_t *opt)
{
	const char *why = invalid_key(cfg_opt_getnstr(opt, 0));

	if (why != NULL)
		cfg_error(cfg, "key %s", why);
	return 0;
}

static int
validate_proxies(cfg_t *cfg, cfg_opt_t *opt)
{
	struct net n;
	const char *s;

	/* called as elements are added, and again for the whole list */
	for (; parse.proxies_seen < cfg_opt_size(opt); parse.proxies_seen++) {
		s = cfg_opt_getnstr(opt, parse.proxies_seen);
		if (net_parse(&n, s) != 0)
			cfg_error(cfg, "trusted-proxies: \"%s\" is not an "
			    "address or address/prefix", s);
	}
	return 0;
}

/* Checks that a file option names a file we can use, at its own line. */
static int
validate_file(cfg_t *cfg, cfg_opt_t *opt, int mode)
{
	char *path = path_join(parse.dir, cfg_opt_getnstr(opt, 0));

	if (access(path, mode) != 0)
		cfg_error(cfg, "%s \"%s\": %s", opt->name, path,
		    strerror(errno));
	free(path);
	return 0;
}

static int
validate_readable(cfg_t *cfg, cfg_opt_t *opt)
{
	return validate_file(cfg, opt, R_OK);
}

static int
validate_executable(cfg_t *cfg, cfg_opt_t *opt)
{
	return validate_file(cfg, opt, X_OK);
}

/* Remembers where the client section that just ended is. */
static void
place_add(cfg_t *cfg)
{
	struct place *p;
	const char *file = cfg->filename ? cfg->filename : parse.conf->path;

	if (parse.nplaces == parse.places_size) {
		parse.places_size = parse.places_size * 2 + 64;
		parse.places = realloc(parse.places,
		    parse.places_size * sizeof(*parse.places));
		if (parse.places == NULL) {
			log_err("out of memory");
			_exit(1);
		}
	}
	p = &parse.places[parse.nplaces++];
	if (parse.nplaces > 1 && strcmp(p[-1].file, file) == 0)
		p->file = p[-1].file;
	else
		p->file = xstrdup(file);
	p->line = cfg->line;
}

static int
validate_client(cfg_t *cfg, cfg_opt_t *opt)
{
	cfg_t *sec = cfg_opt_getnsec(opt, cfg_opt_size(opt) - 1);
	const char *p;

	for (p = cfg_title(sec); *p != '\0'; p++)
		if (!isprint((unsigned char)*p)) {
			cfg_error(cfg, "client names are printable text");
			break;
		}
	place_add(cfg);
	if (cfg_size(sec, "key") == 0)
		cfg_error(cfg, "client \"%s\" has no key", cfg_title(sec));
	if (cfg_size(sec, "host") == 0)
		cfg_error(cfg, "client \"%s\" has no host", cfg_title(sec));
	return 0;
}

static cfg_t *
conf_parser(void)
{
	static cfg_opt_t tls_opts[] = {
		CFG_STR("cert", NULL, CFGF_NODEFAULT),
		CFG_STR("key", NULL, CFGF_NODEFAULT),
		CFG_END()
	};
	static cfg_opt_t client_opts[] = {
		CFG_STR("key", NULL, CFGF_NODEFAULT),
		CFG_STR("host", NULL, CFGF_NODEFAULT),
		CFG_INT("ttl", -1, CFGF_NONE),
		CFG_END()
	};
	static cfg_opt_t opts[] = {
		CFG_INT("ttl", 30, CFGF_NONE),
		CFG_INT("timeout", 10, CFGF_NONE),
		CFG_STR("nsupdate", "/usr/bin/nsupdate", CFGF_NONE),
		CFG_STR("nskeyfile", NULL, CFGF_NODEFAULT),
		CFG_STR("nsserver", NULL, CFGF_NODEFAULT),
		CFG_INT("nsport", 53, CFGF_NONE),
		CFG_STR("statedir", "/var/lib/sftdyn", CFGF_NONE),
		CFG_STR_LIST("trusted-proxies", NULL, CFGF_NONE),
		CFG_BOOL("proxy-protocol", cfg_false, CFGF_NONE),
		CFG_SEC("tls", tls_opts, CFGF_NONE),
		CFG_SEC("client", client_opts,
		    CFGF_MULTI | CFGF_TITLE | CFGF_NO_TITLE_DUPES),
		CFG_FUNC("include", conf_include),
		CFG_END()
	};
	static const struct {
		const char		*name;
		cfg_validate_callback_t	 func;
	} checks[] = {
		{ "ttl", validate_ttl },
		{ "timeout", validate_timeout },
		{ "nsport", validate_port },
		{ "nsupdate", validate_executable },
		{ "nskeyfile", validate_readable },
		{ "nsserver", validate_nsserver },
		{ "trusted-proxies", validate_proxies },
		{ "tls|cert", validate_readable },
		{ "tls|key", validate_readable },
		{ "client", validate_client },
		{ "client|key", validate_key },
		{ "client|host", validate_host },
		{ "client|ttl", validate_ttl },
	};
	cfg_t *cfg;
	size_t i;

	cfg = cfg_init(opts, CFGF_NONE);
	if (cfg == NULL)
		return NULL;
	cfg_set_error_function(cfg, conf_errfunc);
	for (i = 0; i < sizeof(checks) / sizeof(checks[0]); i++)
		cfg_set_validate_func(cfg, checks[i].name, checks[i].func);
	return cfg;
}

static int
client_keycmp(const void *a, const void *b)
{
	const struct client *const *ca = a, *const *cb = b;

	return strcmp((*ca)->key, (*cb)->key);
}

/* Reports every key that a client shares with an earlier one. */
static void
check_unique_keys(struct conf *c)
{
	struct client **sorted;
	size_t i;

	if (c->nclients < 2)
		return;
	sorted = xcalloc(c->nclients, sizeof(*sorted));
	for (i = 0; i < c->nclients; i++)
		sorted[i] = &c->clients[i];
	qsort(sorted, c->nclients, sizeof(*sorted), client_keycmp);
	for (i = 1; i < c->nclients; i++) {
		struct client *a = sorted[i - 1], *b = sorted[i];
		struct place *p;

		if (strcmp(a->key, b->key) != 0)
			continue;
		if (b < a) {
			struct client *t = a;

			a = b;
			b = t;
		}
		p = &parse.places[b->index];
		conf_error(p->file, p->line,
		    "client \"%s\" has the same key as client \"%s\"",
		    b->name, a->name);
	}
	free(sorted);
}

static char *
conf_path_opt(cfg_t *cfg, const char *name)
{
	const char *s = cfg_getstr(cfg, name);

	return s == NULL ? NULL : path_join(parse.dir, s);
}

/* Copies the parsed values into c; paths become relative to the file. */
static void
conf_take(struct conf *c, cfg_t *cfg)
{
	cfg_t *tls = cfg_getsec(cfg, "tls");
	unsigned int i, n;

	c->ttl = cfg_getint(cfg, "ttl");
	c->timeout = cfg_getint(cfg, "timeout");
	c->nsupdate = conf_path_opt(cfg, "nsupdate");
	c->nskeyfile = conf_path_opt(cfg, "nskeyfile");
	c->nsserver = cfg_getstr(cfg, "nsserver") ?
	    xstrdup(cfg_getstr(cfg, "nsserver")) : NULL;
	c->nsport = cfg_getint(cfg, "nsport");
	c->statedir = conf_path_opt(cfg, "statedir");
	c->proxy_protocol = cfg_getbool(cfg, "proxy-protocol");
	if (tls != NULL) {
		c->tls_cert = conf_path_opt(tls, "cert");
		c->tls_key = conf_path_opt(tls, "key");
	}
	n = cfg_size(cfg, "trusted-proxies");
	c->proxies = xcalloc(n + 1, sizeof(*c->proxies));
	for (i = 0; i < n; i++)
		if (net_parse(&c->proxies[c->nproxies],
		    cfg_getnstr(cfg, "trusted-proxies", i)) == 0)
			c->nproxies++;
	n = cfg_size(cfg, "client");
	c->clients = xcalloc(n + 1, sizeof(*c->clients));
	for (i = 0; i < n; i++) {
		cfg_t *sec = cfg_getnsec(cfg, "client", i);
		struct client *cl = &c->clients[c->nclients];

		if (cfg_size(sec, "key") == 0 || cfg_size(sec, "host") == 0)
			continue;	/* reported by validate_client() */
		c->nclients++;
		cl->index = i;
		cl->name = cfg_title(sec);
		cl->key = cfg_getstr(sec, "key");
		cl->host = cfg_getstr(sec, "host");
		cl->ttl = cfg_getint(sec, "ttl");
		if (cl->ttl < 0)
			cl->ttl = c->ttl;
	}
}

static void
places_free(void)
{
	size_t i;

	for (i = 0; i < parse.nplaces; i++)
		if (i == 0 || parse.places[i].file != parse.places[i - 1].file)
			free(parse.places[i].file);
	free(parse.places);
	parse.places = NULL;
	parse.nplaces = parse.places_size = 0;
}

/*
 * Parses and checks the configuration file at path.  Errors go to stderr
 * as FILE:LINE: message when to_stderr is set, else to the log.  Returns
 * 0, or -1 when the configuration has any error.
 */
int
conf_load(struct conf *c, const char *path, int to_stderr)
{
	char *dircopy;
	cfg_t *cfg;
	int rc;

	memset(c, 0, sizeof(*c));
	c->path = xstrdup(path);
	c->sources = xcalloc(1, sizeof(char *));
	c->sources[c->nsources++] = c->path;
	dircopy = xstrdup(path);
	parse.conf = c;
	parse.dir = dirname(dircopy);
	parse.to_stderr = to_stderr;
	parse.errors = 0;
	parse.proxies_seen = 0;
	if ((cfg = conf_parser()) == NULL) {
		free(dircopy);
		return -1;
	}
	c->cfg = cfg;
	rc = cfg_parse(cfg, path);
	if (rc == CFG_FILE_ERROR)
		conf_error(path, 0, "%s", strerror(errno));
	else if (rc == CFG_SUCCESS) {
		conf_take(c, cfg);
		check_unique_keys(c);
	}
	places_free();
	free(dircopy);
	return rc == CFG_SUCCESS && parse.errors == 0 ? 0 : -1;
}

/*
 * The handler's configuration: from the client index when it is up to
 * date, else parsed.  Returns 0, or -1 when the configuration has errors
 * (logged).
 */
int
conf_open(struct conf *c, const char *path)
{
	if (index_load(c, path) == 0) {
		log_debug("%s: clients from the index", path);
		return 0;
	}
	return conf_load(c, path, 0);
}

/*
 * Returns the client whose key equals key, or NULL.  Without an index,
 * every client is compared, each in time that does not depend on the
 * key's contents.
 */
const struct client *
conf_client_find(struct conf *c, const char *key)
{
	const struct client *found = NULL;
	size_t i;

	if (c->index != NULL)
		return index_client_find(c, key);
	for (i = 0; i < c->nclients; i++)
		if (ct_equal(key, c->clients[i].key))
			found = &c->clients[i];
	return found;
}

/* Frees what conf_load() allocated. */
void
conf_free(struct conf *c)
{
	size_t i;

	for (i = 0; i < c->nsources; i++)
		free(c->sources[i]);
	free(c->sources);
	free(c->nsupdate);
	free(c->nskeyfile);
	free(c->nsserver);
	free(c->statedir);
	free(c->tls_cert);
	free(c->tls_key);
	free(c->proxies);
	free(c->clients);
	if (c->cfg != NULL)
		cfg_free(c->cfg);
	if (c->index != NULL)
		index_close(c->index);
	memset(c, 0, sizeof(*c));
}
