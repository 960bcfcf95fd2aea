/*
 * The configuration's text format: libconfuse, driven by the settings
 * table, with FILE:LINE errors, relative paths, include(), and the stamp
 * of every file as it was read.  Nothing of what libconfuse quotes from
 * the input reaches a message: it may be part of a key.
 */
#include <sys/stat.h>

#include <confuse.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sftdyn.h"

#define PARSE_TRIES	3	/* parses when files change while read */
#define OPT_SEEN	(1 << 30)	/* a flag of ours: the option was set */

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
	int		 timed_out;
	int		 too_large;	/* over PARSE_BYTES_MAX, not parsed */
	off_t		 bytes;		/* in the files opened so far */
	int		*fds;		/* one per source, open while parsing */
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

static void ATTR_PRINTF(3, 4)
conf_error(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	conf_verror(file, line, fmt, ap);
	va_end(ap);
}

static const char *
cfg_file(const cfg_t *cfg)
{
	return cfg != NULL && cfg->filename != NULL ? cfg->filename :
	    parse.conf->path;
}

/* An error of ours at the line libconfuse is at. */
static void ATTR_PRINTF(2, 3)
report(cfg_t *cfg, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	conf_verror(cfg_file(cfg), cfg->line, fmt, ap);
	va_end(ap);
}

/*
 * libconfuse's own messages.  Those whose arguments are option or section
 * names of ours are passed on; in any other, an argument is text from the
 * input, perhaps a key, and is left out.
 */
static void
conf_errfunc(cfg_t *cfg, const char *fmt, va_list ap)
{
	static const char *const safe[] = {
		"invalid integer value for option '%s'",
		"integer value for option '%s' is out of range",
		"invalid boolean value for option '%s'",
		"missing equal sign after option '%s'",
		"attempt to append to non-list option '%s'",
		"missing opening brace for section '%s'",
		"missing title for section '%s'",
		"missing parenthesis for function '%s'",
		"syntax error in call of function '%s'",
		"found duplicate title '%s'",
	};
	char msg[256];
	const char *p;
	size_t i, n = 0;

	for (i = 0; i < sizeof(safe) / sizeof(safe[0]); i++)
		if (strcmp(fmt, safe[i]) == 0) {
			conf_verror(cfg_file(cfg), cfg ? cfg->line : 0, fmt, ap);
			return;
		}
	for (p = fmt; *p != '\0' && n + 4 < sizeof(msg); p++) {
		if (p[0] == '%' && p[1] == '%') {
			msg[n++] = *p++;
		} else if (*p == '%') {
			p += strcspn(p + 1, "diouxXcsp") + 1;
			memcpy(msg + n, "...", 3);
			n += 3;
		} else
			msg[n++] = *p;
		if (*p == '\0')
			break;
	}
	msg[n] = '\0';
	conf_error(cfg_file(cfg), cfg ? cfg->line : 0, "%s", msg);
}

/*
 * Opens a file of the configuration and records it with the stamp of
 * what is about to be read.  A connection (not -t) parses no more than
 * PARSE_BYTES_MAX in all: EFBIG.  Returns the fd, or -1 with errno set.
 */
static int
source_open(const char *path)
{
	struct conf *c = parse.conf;
	struct source *src;
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);

	if (fd == -1)
		return -1;
	c->sources = xrealloc(c->sources, c->nsources + 1, sizeof(*src));
	parse.fds = xrealloc(parse.fds, c->nsources + 1, sizeof(int));
	src = &c->sources[c->nsources];
	src->path = xstrdup(path);
	src->stamp[0] = '\0';
	parse.fds[c->nsources++] = fd;
	if (fstat(fd, &st) != 0 || stamp_fd(fd, src->stamp) != 0)
		return -1;
	if (!S_ISREG(st.st_mode)) {
		errno = S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
		return -1;
	}
	parse.bytes += st.st_size;
	if (!parse.to_stderr && parse.bytes > PARSE_BYTES_MAX) {
		parse.too_large = 1;
		errno = EFBIG;
		return -1;
	}
	return fd;
}

/*
 * Returns 0 when every file still has the stamp it had when it was opened,
 * both the open file and what its path names now: the bytes parsed are
 * the bytes with that stamp.
 */
static int
sources_unchanged(void)
{
	struct conf *c = parse.conf;
	char now[STAMP_MAX];
	size_t i;

	for (i = 0; i < c->nsources; i++) {
		if (stamp_fd(parse.fds[i], now) != 0 ||
		    strcmp(now, c->sources[i].stamp) != 0 ||
		    stamp_path(c->sources[i].path, now) != 0 ||
		    strcmp(now, c->sources[i].stamp) != 0)
			return -1;
	}
	return 0;
}

static void
sources_close(void)
{
	size_t i;

	for (i = 0; i < parse.conf->nsources; i++)
		if (parse.fds[i] != -1)
			close(parse.fds[i]);
	free(parse.fds);
	parse.fds = NULL;
}

static const char *
open_error(int err)
{
	return err == EINVAL ? "not a regular file" : strerror(err);
}

/* include("file"): relative to the main file's directory, and recorded. */
static int
conf_include(cfg_t *cfg, cfg_opt_t *opt, int argc, const char **argv)
{
	const char *args[1];
	char *path;
	int rc;

	if (argc != 1) {
		report(cfg, "include() takes one file name");
		return 1;
	}
	path = path_join(parse.dir, argv[0]);
	if (source_open(path) == -1) {
		report(cfg, "include \"%s\": %s", path, open_error(errno));
		free(path);
		return 1;
	}
	args[0] = path;
	rc = cfg_include(cfg, opt, 1, args);
	free(path);
	return rc;
}

/* The scope of the section cfg is. */
static enum setting_scope
cfg_scope(const cfg_t *cfg)
{
	if (strcmp(cfg->name, "tls") == 0)
		return SCOPE_TLS;
	if (strcmp(cfg->name, "client") == 0)
		return SCOPE_CLIENT;
	return SCOPE_TOP;
}

/* Integers are decimal: no octal "0300", no "0x12C". */
static int
parse_int(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *result)
{
	if (parse_decimal(value, result) == 0)
		return 0;
	report(cfg, "%s must be a decimal number without leading zeros",
	    opt->name);
	return -1;
}

static void
check_proxies(cfg_t *cfg, cfg_opt_t *opt)
{
	struct net n;
	const char *s;

	/* called as elements are added, and again for the whole list */
	if (parse.proxies_seen > cfg_opt_size(opt))
		parse.proxies_seen = 0;
	for (; parse.proxies_seen < cfg_opt_size(opt); parse.proxies_seen++) {
		s = cfg_opt_getnstr(opt, parse.proxies_seen);
		if (net_parse(&n, s) != 0)
			report(cfg, "trusted-proxies: \"%s\" is not an "
			    "address or address/prefix", s);
	}
}

/* Checks a path option names a file we can use, at its own line. */
static void
check_file(cfg_t *cfg, cfg_opt_t *opt, int mode)
{
	char *path = path_join(parse.dir, cfg_opt_getnstr(opt, 0));

	if (access(path, mode) != 0)
		report(cfg, "%s \"%s\": %s", opt->name, path, strerror(errno));
	free(path);
}

/* check-names (nsupdate's, BIND's) takes owners of letters, digits, '-'. */
static void
warn_host(cfg_t *cfg, const char *host)
{
	if (strchr(host, '_') == NULL || !parse.to_stderr)
		return;
	fprintf(stderr, "%s:%d: warning: host \"%s\" holds '_': the default "
	    "check-names of nsupdate and BIND refuses A and AAAA records for "
	    "it\n",
	    cfg_file(cfg), cfg->line, host);
}

/*
 * Every setting, as libconfuse sets it: given once per section, and a
 * value the table allows.
 */
static int
check_setting(cfg_t *cfg, cfg_opt_t *opt)
{
	const struct setting *s = setting_find(cfg_scope(cfg), opt->name);
	const char *why = NULL;
	long v;

	if (s == NULL)
		return 0;
	if (s->kind == SET_NETS) {
		check_proxies(cfg, opt);
		return 0;
	}
	if (opt->flags & OPT_SEEN)
		report(cfg, "%s is given twice in this section; the first "
		    "would be ignored", opt->name);
	opt->flags |= OPT_SEEN;
	if (s->kind == SET_INT) {
		v = cfg_opt_getnint(opt, 0);
		if (v < s->min || v > s->max)
			report(cfg, "%s must be between %ld and %ld", opt->name,
			    s->min, s->max);
	} else if (s->kind == SET_STR || s->kind == SET_PATH) {
		if (s->check && (why = s->check(cfg_opt_getnstr(opt, 0))) &&
		    (s->flags & SETF_SECRET))
			report(cfg, "%s %s", opt->name, why);
		else if (why != NULL)
			report(cfg, "%s \"%s\" %s", opt->name,
			    cfg_opt_getnstr(opt, 0), why);
		else if (s->access != 0)
			check_file(cfg, opt, s->access);
		if (s->check == valid_host_why)
			warn_host(cfg, cfg_opt_getnstr(opt, 0));
	}
	return 0;
}

/* The tls section, given twice, would hide the first. */
static int
check_tls(cfg_t *cfg, cfg_opt_t *opt)
{
	if (opt->flags & OPT_SEEN)
		report(cfg, "tls is given twice; the first would be ignored");
	opt->flags |= OPT_SEEN;
	return 0;
}

/* Remembers where the client section that just ended is. */
static void
place_add(cfg_t *cfg)
{
	struct place *p;
	const char *file = cfg_file(cfg);

	if (parse.nplaces == parse.places_size) {
		parse.places_size = parse.places_size * 2 + 64;
		parse.places = xrealloc(parse.places, parse.places_size,
		    sizeof(*parse.places));
	}
	p = &parse.places[parse.nplaces++];
	if (parse.nplaces > 1 && strcmp(p[-1].file, file) == 0)
		p->file = p[-1].file;
	else
		p->file = xstrdup(file);
	p->line = cfg->line;
}

/* A client section has ended.  A parse past its deadline stops here. */
static int
check_client(cfg_t *cfg, cfg_opt_t *opt)
{
	cfg_t *sec = cfg_opt_getnsec(opt, cfg_opt_size(opt) - 1);
	const char *p;
	size_t i;

	if (deadline_expired()) {
		parse.timed_out = 1;
		return -1;
	}
	for (p = cfg_title(sec); *p != '\0'; p++)
		if (!isprint((unsigned char)*p)) {
			report(cfg, "client names are printable text");
			break;
		}
	place_add(cfg);
	if (cfg_size(sec, "key") > 0 && dyn_is_update(cfg_getstr(sec, "key")))
		report(cfg, "client \"%s\": key is a dyndns2 path (/nic/update, "
		    "/v3/update), which is never a secret URL", cfg_title(sec));
	for (i = 0; i < nsettings; i++)
		if (settings[i].scope == SCOPE_CLIENT &&
		    (settings[i].flags & SETF_REQUIRED) &&
		    cfg_size(sec, settings[i].name) == 0)
			report(cfg, "client \"%s\" has no %s", cfg_title(sec),
			    settings[i].name);
	return 0;
}

/* libconfuse's description of the settings of scope, into opts. */
static void
scope_opts(cfg_opt_t *opts, enum setting_scope scope)
{
	size_t i, n = 0;

	for (i = 0; i < nsettings; i++) {
		const struct setting *s = &settings[i];
		cfg_opt_t *o = &opts[n];

		if (s->scope != scope)
			continue;
		n++;
		memset(o, 0, sizeof(*o));
		o->name = s->name;
		o->flags = s->def == NULL ? CFGF_NODEFAULT : CFGF_NONE;
		switch (s->kind) {
		case SET_INT:
			o->type = CFGT_INT;
			o->parsecb = parse_int;
			o->flags = CFGF_NONE;
			o->def.number = s->def ? strtol(s->def, NULL, 10) : -1;
			break;
		case SET_BOOL:
			o->type = CFGT_BOOL;
			o->def.boolean = s->def && strcmp(s->def, "true") == 0;
			break;
		case SET_NETS:
			o->flags = CFGF_LIST;
			/* FALLTHROUGH */
		case SET_STR:
		case SET_PATH:
			o->type = CFGT_STR;
			o->def.string = s->def;
			break;
		}
	}
	memset(&opts[n], 0, sizeof(opts[n]));
}

static cfg_t *
conf_parser(void)
{
	cfg_opt_t top[SETTINGS_MAX + 4], tls[SETTINGS_MAX + 1],
	    client[SETTINGS_MAX + 1];
	cfg_opt_t *extra;
	cfg_t *cfg;
	size_t i, n;

	scope_opts(top, SCOPE_TOP);
	scope_opts(tls, SCOPE_TLS);
	scope_opts(client, SCOPE_CLIENT);
	for (n = 0; top[n].name != NULL; n++)
		;
	extra = &top[n];
	memset(extra, 0, 4 * sizeof(*extra));
	extra[0].name = "tls";
	extra[0].type = CFGT_SEC;
	extra[0].subopts = tls;
	extra[1].name = "client";
	extra[1].type = CFGT_SEC;
	extra[1].subopts = client;
	extra[1].flags = CFGF_MULTI | CFGF_TITLE | CFGF_NO_TITLE_DUPES;
	extra[2].name = "include";
	extra[2].type = CFGT_FUNC;
	extra[2].func = conf_include;
	if ((cfg = cfg_init(top, CFGF_NONE)) == NULL)
		return NULL;
	cfg_set_error_function(cfg, conf_errfunc);
	for (i = 0; i < nsettings; i++) {
		char name[64];

		snprintf(name, sizeof(name), "%s%s",
		    settings[i].scope == SCOPE_TLS ? "tls|" :
		    settings[i].scope == SCOPE_CLIENT ? "client|" : "",
		    settings[i].name);
		cfg_set_validate_func(cfg, name, check_setting);
	}
	cfg_set_validate_func(cfg, "tls", check_tls);
	cfg_set_validate_func(cfg, "client", check_client);
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

/* Copies the value of s from section sec into base. */
static void
take_setting(void *base, const struct setting *s, cfg_t *sec)
{
	void *p = setting_ptr(base, s);
	const char *str;
	unsigned int i, n;

	switch (s->kind) {
	case SET_INT:
		*(long *)p = cfg_getint(sec, s->name);
		break;
	case SET_BOOL:
		if ((s->flags & SETF_INHERIT) && cfg_size(sec, s->name) == 0)
			*(int *)p = -1;
		else
			*(int *)p = cfg_getbool(sec, s->name) == cfg_true;
		break;
	case SET_STR:
	case SET_PATH:
		str = cfg_getstr(sec, s->name);
		if (s->scope == SCOPE_CLIENT)
			*(const char **)p = str;
		else if (str != NULL)
			*(char **)p = s->kind == SET_PATH ?
			    path_join(parse.dir, str) : xstrdup(str);
		break;
	case SET_NETS:
		n = cfg_size(sec, s->name);
		((struct nets *)p)->v = xcalloc(n + 1, sizeof(struct net));
		for (i = 0; i < n; i++) {
			struct nets *nets = p;

			if (net_parse(&nets->v[nets->n],
			    cfg_getnstr(sec, s->name, i)) == 0)
				nets->n++;
		}
		break;
	}
}

/* Copies the parsed values into c; paths become absolute. */
static void
conf_take(struct conf *c, cfg_t *cfg)
{
	cfg_t *tls = cfg_getsec(cfg, "tls");
	unsigned int i, n;
	size_t j;

	for (j = 0; j < nsettings; j++) {
		if (settings[j].scope == SCOPE_TOP)
			take_setting(c, &settings[j], cfg);
		else if (settings[j].scope == SCOPE_TLS && tls != NULL)
			take_setting(c, &settings[j], tls);
	}
	n = cfg_size(cfg, "client");
	c->clients = xcalloc(n + 1, sizeof(*c->clients));
	for (i = 0; i < n; i++) {
		cfg_t *sec = cfg_getnsec(cfg, "client", i);
		struct client *cl = &c->clients[c->nclients];

		if (cfg_size(sec, "key") == 0 || cfg_size(sec, "host") == 0)
			continue;	/* reported by check_client() */
		c->nclients++;
		cl->index = i;
		cl->name = cfg_title(sec);
		for (j = 0; j < nsettings; j++)
			if (settings[j].scope == SCOPE_CLIENT)
				take_setting(cl, &settings[j], sec);
		settings_inherit(c, cl);
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

/* Parses the main file at c->path, open on fd.  Returns libconfuse's rc. */
static int
conf_parse(struct conf *c, int fd)
{
	FILE *fp;
	cfg_t *cfg;
	int rc;

	if ((cfg = conf_parser()) == NULL)
		return CFG_PARSE_ERROR;
	c->cfg = cfg;
	cfg->filename = xstrdup(c->path);
	if ((fp = fdopen(dup(fd), "r")) == NULL) {
		conf_error(c->path, 0, "%s", strerror(errno));
		return CFG_PARSE_ERROR;
	}
	rc = cfg_parse_fp(cfg, fp);
	fclose(fp);
	return rc;
}

/*
 * One parse of the files.  Returns 0, -1 when the configuration has
 * errors, or 1 when a file changed while it was read.
 */
static int
conf_load_once(struct conf *c, const char *path)
{
	int fd, rc = CFG_PARSE_ERROR, changed = 0;
	char *dircopy;

	memset(c, 0, sizeof(*c));
	c->path = path_absolute(path);
	dircopy = xstrdup(c->path);
	parse.conf = c;
	parse.dir = dirname(dircopy);
	parse.errors = 0;
	parse.timed_out = 0;
	parse.too_large = 0;
	parse.bytes = 0;
	parse.proxies_seen = 0;
	if ((fd = source_open(c->path)) == -1)
		conf_error(c->path, 0, "%s", open_error(errno));
	else
		rc = conf_parse(c, fd);
	if (rc == CFG_SUCCESS && sources_unchanged() != 0)
		changed = 1;
	else if (rc == CFG_SUCCESS) {
		conf_take(c, c->cfg);
		check_unique_keys(c);
	}
	sources_close();
	places_free();
	free(dircopy);
	if (parse.timed_out)
		log_err("configuration: parsing %s took longer than %d s; "
		    "run sftdyn -t %s to compile its client index", c->path,
		    PARSE_BUDGET, c->path);
	if (parse.too_large)
		log_err("configuration: %s and its includes are over %d KiB, "
		    "more than a connection parses; run sftdyn -t %s to "
		    "compile its client index", c->path, PARSE_BYTES_MAX / 1024,
		    c->path);
	if (changed)
		return 1;
	return rc == CFG_SUCCESS && parse.errors == 0 ? 0 : -1;
}

/*
 * Parses and checks the configuration file at path.  Errors go to stderr
 * as FILE:LINE: message when to_stderr is set, else to the log.  Returns
 * 0, or -1 when the configuration has any error; either way c is freed
 * with conf_free().
 */
int
conf_load(struct conf *c, const char *path, int to_stderr)
{
	int tries, rc;

	parse.to_stderr = to_stderr;
	for (tries = 1;; tries++) {
		if ((rc = conf_load_once(c, path)) != 1)
			return rc;
		if (tries == PARSE_TRIES)
			break;
		conf_free(c);
	}
	conf_error(c->path, 0, "changed while it was read, %d times; "
	    "try again", PARSE_TRIES);
	return -1;
}

/*
 * Returns the client whose key equals key, or NULL.  Every client is
 * compared, each in time that does not depend on the key's contents.
 */
const struct client *
conf_client_find(const struct conf *c, const char *key)
{
	const struct client *found = NULL;
	size_t i;

	for (i = 0; i < c->nclients; i++)
		if (ct_equal(key, c->clients[i].key))
			found = &c->clients[i];
	return found;
}

/* Frees what conf_load() allocated. */
void
conf_free(struct conf *c)
{
	settings_free(c);
	free(c->clients);
	if (c->cfg != NULL)
		cfg_free(c->cfg);
	memset(c, 0, sizeof(*c));
}
