/*
 * The configuration's text format: libconfuse, driven by the settings
 * table, with FILE:LINE errors, relative paths, include(), clients-dir,
 * and the stamp of every file as it was read.
 *
 * libconfuse compares each section title with every earlier one of its
 * parse, so one parse of n clients costs n squared.  Each file of
 * clients-dir is therefore parsed on its own, its tree freed once its
 * clients are copied out, and names and keys are checked for uniqueness
 * across all files here.  What libconfuse quotes from the input reaches
 * the handler's log only masked: it may be part of a key.
 */
#include <sys/mman.h>
#include <sys/stat.h>

#include <confuse.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "sftdyn.h"

#define PARSE_TRIES	3	/* parses when files change while read */
#define INCLUDES_MAX	64	/* files include()d, in all */
#define OPT_SEEN	(1 << 30)	/* a flag of ours: the option was set */
#define KEY_SHORT	16	/* a plain key shorter is warned about */

/* What a client section names, each at a line of its own. */
enum { AT_HOST, AT_LAN, AT_KEY, AT_DIGEST, AT_KINDS };

/*
 * Where a client section is, for errors found after the parse: where
 * it ends, and where each of its names and keys is (its host names,
 * where each lan-host ends, its keys, its key-sha256s).  One per
 * section, so it stays small: the lines themselves are in a pool.
 */
struct place {
	const char	*file;		/* in the configuration's pool */
	int		 line;		/* where the section ends */
	unsigned char	 n[AT_KINDS];	/* how many of each kind */
	int		*at;		/* their lines, kind after kind */
};

/* The parse in progress; libconfuse callbacks have no user pointer. */
static struct {
	struct conf	*conf;
	const char	*dir;
	int		 check;		/* -t: CONF_CHECK */
	int		 in_clients_dir;	/* a file of clients-dir */
	size_t		 member;	/* ... which source it is, or
					   SOURCE_NONE */
	int		 errors;
	int		 timed_out;
	int		 too_large;	/* over PARSE_BYTES_MAX, not parsed */
	int		 changed;	/* a file changed while it was read */
	off_t		 bytes;		/* in the files read so far */
	struct {
		int	 fd;		/* its text, as a memory file */
		char	*path;
	}		 includes[INCLUDES_MAX];
	size_t		 nincludes;
	unsigned int	 seen[2][SETTINGS_MAX];	/* elements of each list
					   added: at the top level, and in
					   the client section being read */
	struct {
		int		 at[AT_KINDS][NAMES_MAX];
		unsigned char	 n[AT_KINDS];
	}		 cur;		/* the lines of the client section
					   being read */
	struct place	*places;	/* one per client section */
	size_t		 nplaces;
	size_t		 places_size;
	struct pool	 lines;		/* what the places point to */
} parse;

/* Notes that the j-th name or key of a kind is at line. */
static void
line_note(int kind, unsigned int j, int line)
{
	if (j >= NAMES_MAX)
		return;
	parse.cur.at[kind][j] = line;
	if (parse.cur.n[kind] <= j)
		parse.cur.n[kind] = (unsigned char)(j + 1);
}

/* An error at file:line, with errno's text when with_errno is set. */
static void
conf_verror(const char *file, int line, int with_errno, const char *fmt,
    va_list ap)
{
	char msg[1024];

	msg_vformat(msg, sizeof(msg), with_errno, fmt, ap);
	parse.errors++;
	if (parse.check)
		fprintf(stderr, "%s:%d: %s\n", file, line, msg);
	else
		log_err("configuration: %s:%d: %s", file, line, msg);
}

static void ATTR_PRINTF(3, 4)
conf_error(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	conf_verror(file, line, 0, fmt, ap);
	va_end(ap);
}

/* conf_error(), and ": " and errno's text. */
static void ATTR_PRINTF(3, 4)
conf_syserror(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	conf_verror(file, line, 1, fmt, ap);
	va_end(ap);
}

/* A warning, for -t only: the configuration is valid. */
static void ATTR_PRINTF(3, 4)
conf_warn(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	if (!parse.check)
		return;
	va_start(ap, fmt);
	fprintf(stderr, "%s:%d: warning: ", file, line);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

/* The file libconfuse is reading: an include's memory file by its path. */
static const char *
cfg_file(const cfg_t *cfg)
{
	const char *name = cfg != NULL ? cfg->filename : NULL;
	char fdpath[32];
	size_t i;

	if (name == NULL)
		return parse.conf->path;
	for (i = 0; i < parse.nincludes; i++) {
		snprintf(fdpath, sizeof(fdpath), "/proc/self/fd/%d",
		    parse.includes[i].fd);
		if (strcmp(name, fdpath) == 0)
			return parse.includes[i].path;
	}
	return name;
}

/* An error of ours at the line libconfuse is at. */
static void ATTR_PRINTF(2, 3)
report(cfg_t *cfg, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	conf_verror(cfg_file(cfg), cfg->line, 0, fmt, ap);
	va_end(ap);
}

/* Whether libconfuse's message fmt quotes only names of ours. */
static int
message_is_safe(const char *fmt)
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
	size_t i;

	for (i = 0; i < sizeof(safe) / sizeof(safe[0]); i++)
		if (strcmp(fmt, safe[i]) == 0)
			return 1;
	return 0;
}

/*
 * Whether line `line` of file starts with word and then an operator
 * ("=", "+=", "{", "("): an option that the administrator wrote, rather
 * than text from a value that libconfuse took for one.
 */
static int
starts_statement(const char *file, int line, const char *word)
{
	FILE *f = fopen(file, "re");
	char *buf = NULL, *p;
	size_t size = 0, len = strlen(word);
	int n = 0, yes = 0;

	while (f != NULL && ++n <= line && getline(&buf, &size, f) != -1) {
		if (n < line)
			continue;
		for (p = buf; *p == ' ' || *p == '\t'; p++)
			;
		if (strncmp(p, word, len) == 0) {
			for (p += len; *p == ' ' || *p == '\t'; p++)
				;
			yes = *p != '\0' && strchr("=+{(", *p) != NULL;
		}
	}
	free(buf);
	if (f != NULL)
		fclose(f);
	return yes;
}

/*
 * libconfuse's own messages.  Those whose arguments are names of ours
 * are passed on, and -t names an unknown option that starts a statement
 * (`bogus = 1`).  Any other argument is text from the input, perhaps a
 * key (`key = part1 part2` makes libconfuse take part2 for an option),
 * and is left out.
 */
static void
conf_errfunc(cfg_t *cfg, const char *fmt, va_list ap)
{
	char msg[256];
	const char *p, *file = cfg_file(cfg);
	int line = cfg ? cfg->line : 0;
	size_t n = 0;
	va_list copy;

	va_copy(copy, ap);
	if (message_is_safe(fmt) || (parse.check &&
	    strcmp(fmt, "no such option '%s'") == 0 &&
	    starts_statement(file, line, va_arg(copy, const char *)))) {
		va_end(copy);
		conf_verror(file, line, 0, fmt, ap);
		return;
	}
	va_end(copy);
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
	conf_error(file, line, "%s", msg);
}

/* Bytes that end an unquoted word of libconfuse's format. */
#define WORD_END	" #\"'\t\n\r={}()+,*"

static int
word_byte(char ch)
{
	return strchr(WORD_END, ch) == NULL;	/* never NUL: nul_line() */
}

/* At "${VAR}" (i the '$'), the index past its '}'; else i. */
static size_t
skip_variable(const char *s, size_t len, size_t i)
{
	const char *close;

	if (i + 2 < len && s[i] == '$' && s[i + 1] == '{' &&
	    (close = memchr(s + i + 2, '}', len - i - 2)) != NULL)
		return (size_t)(close - s) + 1;
	return i;
}

/*
 * At a quoted string (i its opening quote), the index past its closing
 * quote: a backslash takes the byte after it, and in double quotes
 * ${VAR} is taken whole.
 */
static size_t
skip_quoted(const char *s, size_t len, size_t i)
{
	char quote = s[i++];
	size_t j;

	while (i < len && s[i] != quote) {
		if (s[i] == '\\')
			i += 2;
		else if (quote == '"' && (j = skip_variable(s, len, i)) != i)
			i = j;
		else
			i++;
	}
	return i < len ? i + 1 : len;
}

/* Blanks [from, to) of s: spaces, but for the newlines. */
static void
blank(char *s, size_t from, size_t to)
{
	for (; from < to; from++)
		if (s[from] != '\n')
			s[from] = ' ';
}

/*
 * Blanks the comments in [s, s + len), a configuration's text without a
 * NUL: their bytes become spaces, their newlines stay.  libconfuse 3.3
 * counts the line of a comment two or three times, so that FILE:LINE
 * would name a line further down for every comment above it; it is
 * given the text without them.  A comment is what libconfuse's lexer
 * takes for one, outside quoted strings and ${VAR}: where no unquoted
 * word goes on, "#" or "//" to the end of the line, "/" "*" to the next
 * "*" "/".  libconfuse refuses a comment in some places (inside a list,
 * after "="); blanked, it may stand anywhere between words.
 */
void
conf_blank_comments(char *s, size_t len)
{
	const char *end;
	size_t i = 0, j;

	while (i < len) {
		if (s[i] == '"' || s[i] == '\'') {
			i = skip_quoted(s, len, i);
			continue;
		}
		if ((j = skip_variable(s, len, i)) != i) {
			i = j;
			continue;
		}
		if (s[i] == '/' && i + 1 < len && s[i + 1] == '*') {
			end = memmem(s + i + 2, len - i - 2, "*/", 2);
			j = end != NULL ? (size_t)(end - s) + 2 : len;
			blank(s, i, j);
			i = j;
			continue;
		}
		if (s[i] == '#' || (s[i] == '/' && i + 1 < len &&
		    s[i + 1] == '/')) {
			end = memchr(s + i, '\n', len - i);
			j = end != NULL ? (size_t)(end - s) : len;
			blank(s, i, j);
			i = j;
			continue;
		}
		if (word_byte(s[i])) {
			while (i < len && word_byte(s[i]))
				i++;
			continue;
		}
		i++;
	}
}

/*
 * Returns the line of the first NUL in [text, text + len), or 0 when it
 * holds none.  libconfuse would stop reading there, and take time
 * growing with the square of their number.
 */
static int
nul_line(const char *text, size_t len)
{
	const char *nul = memchr(text, '\0', len), *p;
	int line = 1;

	if (nul == NULL)
		return 0;
	for (p = text; (p = memchr(p, '\n', (size_t)(nul - p))) != NULL; p++)
		line++;
	return line;
}

/* Records path, with the stamp of what was read, as a source. */
static void
source_add(const char *path, const struct stamp *stamp, int is_dir)
{
	struct conf *c = parse.conf;
	struct source *src;

	c->sources = xgrow(c->sources, &c->sources_cap, c->nsources + 1,
	    sizeof(*src));
	src = &c->sources[c->nsources++];
	src->path = xstrdup(path);
	src->is_dir = is_dir;
	src->stamp = *stamp;
}

/*
 * Whether the file open on fd, stamped was before it was read, is still
 * what its path names, unchanged: the bytes read are the bytes with that
 * stamp.  When not, the parse is to be done again (parse.changed).
 */
static int
source_unchanged(int fd, const char *path, const struct stamp *was)
{
	struct stamp now;

	if (stamp_fd(fd, &now) == 0 && stamp_same(&now, was) &&
	    stamp_at(AT_FDCWD, path, &now) == 0 && stamp_same(&now, was))
		return 1;
	parse.changed = 1;
	return 0;
}

/*
 * Reports why the file at path cannot be read: at the file itself, or,
 * for an include, at file:line as "include PATH: why".  why: NULL for
 * errno's text.
 */
static void
source_refused(const char *path, const char *file, int line, const char *why)
{
	char include[PATH_MAX + 16] = "";

	if (file != NULL)
		snprintf(include, sizeof(include), "include \"%s\"", path);
	if (why == NULL)
		conf_syserror(file ? file : path, line, "%s", include);
	else
		conf_error(file ? file : path, line, "%s%s%s", include,
		    *include ? ": " : "", why);
}

/*
 * Reads a file of the configuration into memory, for libconfuse: it must
 * be a regular file without a NUL, and a connection (not -t) parses no
 * more than PARSE_BYTES_MAX in all.  Its comments are blanked
 * (conf_blank_comments()), and it is recorded as a source with the stamp
 * of the bytes read.  It is closed before this returns: -t holds one
 * file open at a time, however many clients-dir holds.  Returns the text,
 * NUL-terminated, *len bytes (to be freed), or NULL once the error is
 * reported (file and line: the include() that names it, if any), or once
 * the file changed while it was read.
 */
static char *
source_load(const char *path, const char *file, int line, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK), nul;
	struct stamp was;
	struct stat st;
	char *text = NULL;

	if (fd == -1 || fstat(fd, &st) != 0) {
		source_refused(path, file, line, NULL);
		goto fail;
	}
	if (S_ISDIR(st.st_mode) || !S_ISREG(st.st_mode)) {
		errno = EISDIR;
		source_refused(path, file, line,
		    S_ISDIR(st.st_mode) ? NULL : "not a regular file");
		goto fail;
	}
	stamp_fd(fd, &was);
	source_add(path, &was, 0);
	parse.bytes += st.st_size;
	if (!parse.check && parse.bytes > PARSE_BYTES_MAX) {
		parse.too_large = 1;
		parse.errors++;
		goto fail;
	}
	*len = (size_t)st.st_size;
	text = xcalloc(1, *len + 1);
	if (read_all(fd, text, *len) != 0) {
		source_refused(path, file, line, NULL);
		goto fail;
	}
	if (!source_unchanged(fd, path, &was))
		goto fail;
	if ((nul = nul_line(text, *len)) != 0) {
		conf_error(path, nul, "a NUL byte; a configuration is text");
		goto fail;
	}
	close(fd);
	conf_blank_comments(text, *len);
	return text;
fail:
	if (fd != -1)
		close(fd);
	free(text);
	return NULL;
}

/*
 * include("file"): relative to the main file's directory, read and
 * recorded as any file is, and handed to libconfuse's include (which
 * goes on reading where it was when the file ends) as a memory file of
 * that text, /proc/self/fd/N.  That stays open until the main file's
 * parse is over: its name says, in errors, which file it is.
 */
static int
conf_include(cfg_t *cfg, cfg_opt_t *opt, int argc, const char **argv)
{
	const char *args[1];
	char *path, *text, fdpath[32];
	size_t len;
	int fd, rc = 1;

	if (parse.in_clients_dir) {
		report(cfg, "include() is not allowed in a clients-dir file, "
		    "which holds client sections only");
		return 1;
	}
	if (argc != 1) {
		report(cfg, "include() takes one file name");
		return 1;
	}
	if (parse.nincludes == INCLUDES_MAX) {
		report(cfg, "more than %d files included; put clients in "
		    "clients-dir", INCLUDES_MAX);
		return 1;
	}
	path = path_join(parse.dir, argv[0]);
	if ((text = source_load(path, cfg_file(cfg), cfg->line, &len)) == NULL)
		goto out;
	/* named as the file: /proc/PID/fd shows which is being read */
	if ((fd = memfd_create(strrchr(path, '/') + 1, MFD_CLOEXEC)) == -1 ||
	    write_all(fd, text, len) != 0) {
		conf_syserror(cfg_file(cfg), cfg->line, "include \"%s\"",
		    path);
		if (fd != -1)
			close(fd);
		goto out;
	}
	parse.includes[parse.nincludes].fd = fd;
	parse.includes[parse.nincludes++].path = xstrdup(path);
	snprintf(fdpath, sizeof(fdpath), "/proc/self/fd/%d", fd);
	args[0] = fdpath;
	rc = cfg_include(cfg, opt, 1, args);
out:
	free(text);
	free(path);
	return rc;
}

/* Closes the included files' memory files. */
static void
includes_close(void)
{
	size_t i;

	for (i = 0; i < parse.nincludes; i++) {
		close(parse.includes[i].fd);
		free(parse.includes[i].path);
	}
	parse.nincludes = 0;
}

/* The scope of the section cfg is. */
static enum setting_scope
cfg_scope(const cfg_t *cfg)
{
	if (strcmp(cfg->name, "tls") == 0)
		return SCOPE_TLS;
	if (strcmp(cfg->name, "client") == 0)
		return SCOPE_CLIENT;
	if (strcmp(cfg->name, "lan-host") == 0)
		return SCOPE_LANHOST;
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

/*
 * A list's elements come one at a time.  A second `NAME = { ... }` in a
 * section would silently replace the first list (libconfuse empties it
 * before adding the element), so it is an error; `+=` appends, as it
 * says.  Returns the element's setting.
 */
static const struct setting *
list_item(cfg_t *cfg, cfg_opt_t *opt)
{
	enum setting_scope scope = cfg_scope(cfg);
	const struct setting *s = setting_find(scope, opt->name);
	unsigned int *seen = &parse.seen[scope != SCOPE_TOP][s - settings];

	if (opt->nvalues != *seen + 1)
		report(cfg, "%s is given twice in this section; the first list "
		    "would be lost (append to it with +=)", opt->name);
	*seen = opt->nvalues;
	return s;
}

/* An element of trusted-proxies or allow-from: an address/prefix. */
static int
parse_net_item(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *result)
{
	struct net n;

	list_item(cfg, opt);
	if (net_parse(&n, value) != 0)
		report(cfg, "%s: \"%s\" is not an address or address/prefix",
		    opt->name, value);
	*(const char **)result = value;
	return 0;
}

/* check-names (nsupdate's, BIND's) takes owners of letters, digits, '-'. */
static void
warn_host(cfg_t *cfg, const char *host)
{
	if (strchr(host, '_') != NULL)
		conf_warn(cfg_file(cfg), cfg->line, "host \"%s\" holds '_': "
		    "the default check-names of nsupdate and BIND refuses A "
		    "and AAAA records for it", host);
}

/*
 * A name of a client's host: a DNS name or a wildcard owner, one of at
 * most NAMES_MAX, not given twice in the section.
 */
static int
parse_name_item(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *result)
{
	const char *why;
	unsigned int i;

	list_item(cfg, opt);
	line_note(AT_HOST, opt->nvalues - 1, cfg->line);
	if ((why = valid_name_why(value)) != NULL)
		report(cfg, "%s \"%s\" %s", opt->name, value, why);
	else if (opt->nvalues == NAMES_MAX + 1)
		report(cfg, "%s names more than %d names", opt->name,
		    NAMES_MAX);
	else
		warn_host(cfg, value);
	for (i = 0; why == NULL && i + 1 < opt->nvalues; i++)
		if (host_equal(cfg_opt_getnstr(opt, i), value))
			report(cfg, "%s names \"%s\" twice", opt->name, value);
	*(const char **)result = value;
	return 0;
}

/*
 * A key of a client, plain (key) or its SHA-256 (key-sha256): at most
 * KEYS_MAX of each, none twice, a plain one never a path of another
 * protocol (a request there is never the secret URL).  -t warns about a
 * short plain key, and one that looks like a digest.  The value is never
 * quoted: it is a secret.
 */
static int
parse_key_item(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *result)
{
	const struct setting *s = list_item(cfg, opt);
	const char *why = s->check(value);
	unsigned char digest[SHA256_LEN];
	unsigned int i;

	line_note(s->flags & SETF_DIGEST ? AT_DIGEST : AT_KEY,
	    opt->nvalues - 1, cfg->line);
	if (why != NULL)
		report(cfg, "%s %s", opt->name, why);
	else if (opt->nvalues == KEYS_MAX + 1)
		report(cfg, "%s lists more than %d keys", opt->name, KEYS_MAX);
	else if (!(s->flags & SETF_DIGEST) && route_of(value) != ROUTE_SECRET)
		report(cfg, "client \"%s\": key is the path of another "
		    "protocol (%s), which is never a secret URL", cfg_title(cfg),
		    route_paths());
	else if (!(s->flags & SETF_DIGEST) && parse.check &&
	    strlen(value) < KEY_SHORT)
		conf_warn(cfg_file(cfg), cfg->line, "client \"%s\": a key of "
		    "%zu bytes is short; sftdyn --new-client makes keys that "
		    "cannot be guessed", cfg_title(cfg), strlen(value));
	else if (!(s->flags & SETF_DIGEST) && parse.check &&
	    key_unhex(value, digest) == 0)
		conf_warn(cfg_file(cfg), cfg->line, "client \"%s\": a key of "
		    "64 hex digits, as a SHA-256 digest is, is the key itself "
		    "here; a digest belongs in key-sha256", cfg_title(cfg));
	for (i = 0; why == NULL && i + 1 < opt->nvalues; i++)
		if (strcasecmp(cfg_opt_getnstr(opt, i), value) == 0 &&
		    ((s->flags & SETF_DIGEST) ||
		    strcmp(cfg_opt_getnstr(opt, i), value) == 0))
			report(cfg, "%s lists the same key twice", opt->name);
	*(const char **)result = value;
	return 0;
}

/*
 * Checks that a path setting names what it should, at its own line: a
 * file we may use (s->access), a directory where one exists (SETF_DIR).
 * A connection does not check the tls files: only -t and a TLS handler,
 * when it loads them, need them.
 */
static void
check_path(cfg_t *cfg, cfg_opt_t *opt, const struct setting *s)
{
	char *path = path_join(parse.dir, cfg_opt_getnstr(opt, 0));
	struct stat st;

	if ((s->flags & SETF_DIR) && stat(path, &st) == 0 &&
	    !S_ISDIR(st.st_mode))
		report(cfg, "%s \"%s\" is not a directory", opt->name, path);
	else if (s->access != 0 && (parse.check || s->scope != SCOPE_TLS) &&
	    access(path, s->access) != 0)
		conf_syserror(cfg_file(cfg), cfg->line, "%s \"%s\"", opt->name,
		    path);
	free(path);
}

/* A string setting's value: one the table allows, a path that works. */
static void
check_string(cfg_t *cfg, cfg_opt_t *opt, const struct setting *s)
{
	const char *v = cfg_opt_getnstr(opt, 0),
	    *why = s->check ? s->check(v) : NULL;

	if (why != NULL && (s->flags & SETF_SECRET))
		report(cfg, "%s %s", opt->name, why);
	else if (why != NULL)
		report(cfg, "%s \"%s\" %s", opt->name, v, why);
	else if (s->kind == SET_PATH)
		check_path(cfg, opt, s);
}

/*
 * Every setting, as libconfuse sets it: given once per section, in a
 * file that may hold it, and a value the table allows.
 */
static int
check_setting(cfg_t *cfg, cfg_opt_t *opt)
{
	const struct setting *s = setting_find(cfg_scope(cfg), opt->name);
	long v;

	if (s == NULL)
		return 0;
	if (parse.in_clients_dir && s->scope != SCOPE_CLIENT &&
	    s->scope != SCOPE_LANHOST) {
		report(cfg, "%s: a clients-dir file holds client sections only",
		    opt->name);
		return 0;
	}
	if (s->kind == SET_NETS || s->kind == SET_NAMES ||
	    s->kind == SET_KEYS || s->kind == SET_LANHOSTS)
		return 0;	/* parse_*_item() and check_lanhost() do */
	if (opt->flags & OPT_SEEN)
		report(cfg, "%s is given twice in this section; the first "
		    "would be ignored", opt->name);
	opt->flags |= OPT_SEEN;
	if (s->kind == SET_INT) {
		v = cfg_opt_getnint(opt, 0);
		if (v < s->min || v > s->max)
			report(cfg, "%s must be between %ld and %ld", opt->name,
			    s->min, s->max);
	} else if (s->kind == SET_STR || s->kind == SET_PATH)
		check_string(cfg, opt, s);
	return 0;
}

/* The tls section: not in clients-dir, and given once. */
static int
check_tls(cfg_t *cfg, cfg_opt_t *opt)
{
	if (parse.in_clients_dir)
		report(cfg, "tls: a clients-dir file holds client sections "
		    "only");
	else if (opt->flags & OPT_SEEN)
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
	size_t k, n = 0;

	if (parse.nplaces == parse.places_size) {
		parse.places_size = parse.places_size * 2 + 64;
		parse.places = xrealloc(parse.places, parse.places_size,
		    sizeof(*parse.places));
	}
	p = &parse.places[parse.nplaces++];
	memcpy(p->n, parse.cur.n, sizeof(p->n));
	for (k = 0; k < AT_KINDS; k++)
		n += p->n[k];
	p->at = n > 0 ? pool_calloc(&parse.lines, n, sizeof(int)) : NULL;
	for (k = 0, n = 0; k < AT_KINDS; n += p->n[k++])
		memcpy(p->at + n, parse.cur.at[k], p->n[k] * sizeof(int));
	if (parse.nplaces > 1 && strcmp(p[-1].file, file) == 0)
		p->file = p[-1].file;
	else
		p->file = pool_strdup(&parse.conf->strings, file);
	p->line = cfg->line;
	memset(parse.cur.n, 0, sizeof(parse.cur.n));
	memset(parse.seen[1], 0, sizeof(parse.seen[1]));
}

/*
 * A lan-host section has ended: its title a DNS name (no wildcard: a
 * device is one name), its suffix given; where it ends is remembered.
 */
static int
check_lanhost(cfg_t *cfg, cfg_opt_t *opt)
{
	cfg_t *sec = cfg_opt_getnsec(opt, cfg_opt_size(opt) - 1);
	const char *why = valid_host_why(cfg_title(sec));
	size_t i;

	if (why != NULL)
		report(cfg, "lan-host \"%s\" %s", cfg_title(sec), why);
	for (i = 0; i < nsettings; i++)
		if (settings[i].scope == SCOPE_LANHOST &&
		    (settings[i].flags & SETF_REQUIRED) &&
		    cfg_size(sec, settings[i].name) == 0)
			report(cfg, "lan-host \"%s\" has no %s", cfg_title(sec),
			    settings[i].name);
	line_note(AT_LAN, parse.cur.n[AT_LAN], cfg->line);
	return 0;
}

/*
 * Reports a client section's names beyond NAMES_MAX (host and lan-host
 * together), and a lan-host that names one of its names again (in any
 * case, a trailing dot aside).
 */
static void
check_lan_names(cfg_t *cfg, cfg_t *sec)
{
	unsigned int nh = cfg_size(sec, "host"), nl = cfg_size(sec, "lan-host"),
	    i, j;
	const char *a, *b;

	if (nh + nl > NAMES_MAX)
		report(cfg, "client \"%s\" has %u names and lan-hosts, more "
		    "than %d", cfg_title(sec), nh + nl, NAMES_MAX);
	for (i = 0; i < nl; i++) {
		a = cfg_title(cfg_getnsec(sec, "lan-host", i));
		for (j = 0; j < nh + i; j++) {
			b = j < nh ? cfg_getnstr(sec, "host", j) :
			    cfg_title(cfg_getnsec(sec, "lan-host", j - nh));
			if (host_equal(a, b)) {
				conf_error(cfg_file(cfg), i < parse.cur.n[AT_LAN] ?
				    parse.cur.at[AT_LAN][i] : cfg->line, "client "
				    "\"%s\" names \"%s\" twice", cfg_title(sec),
				    a);
				break;
			}
		}
	}
}

/* How many keys a client section lists, of both forms. */
static unsigned int
client_keys(cfg_t *sec)
{
	return cfg_size(sec, "key") + cfg_size(sec, "key-sha256");
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
	check_lan_names(cfg, sec);
	place_add(cfg);
	if (client_keys(sec) == 0)
		report(cfg, "client \"%s\" has no key (key or key-sha256)",
		    cfg_title(sec));
	for (i = 0; i < nsettings; i++)
		if (settings[i].scope == SCOPE_CLIENT &&
		    (settings[i].flags & SETF_REQUIRED) &&
		    cfg_size(sec, settings[i].name) == 0)
			report(cfg, "client \"%s\" has no %s", cfg_title(sec),
			    settings[i].name);
	return 0;
}

/*
 * libconfuse's description of the settings of scope, into opts; a
 * section's (lan-host) options are sub's.
 */
static void
scope_opts(cfg_opt_t *opts, enum setting_scope scope, cfg_opt_t *sub)
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
		case SET_LANHOSTS:
			o->type = CFGT_SEC;
			o->subopts = sub;
			o->flags = CFGF_MULTI | CFGF_TITLE |
			    CFGF_NO_TITLE_DUPES;
			break;
		case SET_NETS:
		case SET_NAMES:
		case SET_KEYS:
			o->flags = CFGF_LIST;
			o->parsecb = s->kind == SET_NETS ? parse_net_item :
			    s->kind == SET_NAMES ? parse_name_item :
			    parse_key_item;
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

/* A parser for the file path: the whole format, checked as it goes. */
static cfg_t *
conf_parser(const char *path)
{
	cfg_opt_t top[SETTINGS_MAX + 4], tls[SETTINGS_MAX + 1],
	    client[SETTINGS_MAX + 1], lan[SETTINGS_MAX + 1];
	static const char *const prefix[] = {
		[SCOPE_TOP] = "", [SCOPE_TLS] = "tls|",
		[SCOPE_CLIENT] = "client|", [SCOPE_LANHOST] = "client|lan-host|",
	};
	cfg_opt_t *extra;
	cfg_t *cfg;
	size_t i, n;

	scope_opts(top, SCOPE_TOP, NULL);
	scope_opts(tls, SCOPE_TLS, NULL);
	scope_opts(lan, SCOPE_LANHOST, NULL);
	scope_opts(client, SCOPE_CLIENT, lan);
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
		    prefix[settings[i].scope], settings[i].name);
		cfg_set_validate_func(cfg, name, settings[i].kind ==
		    SET_LANHOSTS ? check_lanhost : check_setting);
	}
	cfg_set_validate_func(cfg, "tls", check_tls);
	cfg_set_validate_func(cfg, "client", check_client);
	cfg->filename = xstrdup(path);
	return cfg;
}

static void take_setting(void *, const struct setting *, cfg_t *);

/*
 * Adds the keys of sec's setting s to keys, as their digests: a plain
 * key hashed, a digest read from its hex.  Both forms of a client share
 * one list, in the configuration's pool.
 */
static void
take_keys(struct keys *keys, const struct setting *s, cfg_t *sec)
{
	unsigned int n = cfg_size(sec, s->name), i;
	unsigned char (*v)[SHA256_LEN];
	const char *text;

	if (n > KEYS_MAX)
		n = KEYS_MAX;	/* (reported by parse_key_item()) */
	if (n == 0)
		return;
	v = pool_calloc(&parse.conf->strings, keys->n + n, SHA256_LEN);
	if (keys->n > 0)
		memcpy(v, keys->v, keys->n * SHA256_LEN);
	for (i = 0; i < n; i++) {
		text = cfg_getnstr(sec, s->name, i);
		if (!(s->flags & SETF_DIGEST))
			key_hash(text, v[keys->n++]);
		else if (key_unhex(text, v[keys->n]) == 0)
			keys->n++;
	}
	keys->v = v;
}

/* Copies the lan-host sections of sec (setting s) into v, in the pool. */
static void
take_lanhosts(struct lanhosts *v, const struct setting *s, cfg_t *sec)
{
	unsigned int n = cfg_size(sec, s->name), i;
	size_t j;

	if (n > NAMES_MAX)
		n = NAMES_MAX;	/* (reported by check_lan_names()) */
	v->v = pool_calloc(&parse.conf->strings, n, sizeof(*v->v));
	for (i = 0; i < n; i++) {
		cfg_t *l = cfg_getnsec(sec, s->name, i);

		v->v[i].name = pool_strdup(&parse.conf->strings, cfg_title(l));
		for (j = 0; j < nsettings; j++)
			if (settings[j].scope == SCOPE_LANHOST)
				take_setting(&v->v[i], &settings[j], l);
	}
	v->n = n;
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
		if ((str = cfg_getstr(sec, s->name)) == NULL)
			break;
		if (s->scope == SCOPE_CLIENT || s->scope == SCOPE_LANHOST)
			*(const char **)p = pool_strdup(&parse.conf->strings,
			    str);
		else
			*(char **)p = s->kind == SET_PATH ?
			    path_join(parse.dir, str) : xstrdup(str);
		break;
	case SET_NAMES:
		n = cfg_size(sec, s->name);
		for (i = 0; i < n && i < NAMES_MAX; i++)
			((struct names *)p)->v[i] = pool_strdup(
			    &parse.conf->strings, cfg_getnstr(sec, s->name, i));
		((struct names *)p)->n = i;
		break;
	case SET_LANHOSTS:
		take_lanhosts(p, s, sec);
		break;
	case SET_NETS:
		if ((n = cfg_size(sec, s->name)) == 0 && s->scope != SCOPE_TOP)
			break;	/* none: a client inherits the top level's */
		((struct nets *)p)->v = s->scope == SCOPE_TOP ?
		    xcalloc(n + 1, sizeof(struct net)) :
		    pool_calloc(&parse.conf->strings, n + 1, sizeof(struct net));
		for (i = 0; i < n; i++) {
			struct nets *nets = p;

			if (net_parse(&nets->v[nets->n],
			    cfg_getnstr(sec, s->name, i)) == 0)
				nets->n++;
		}
		break;
	case SET_KEYS:
		take_keys(p, s, sec);
		break;
	}
}

/* Copies the top-level and tls settings out of the main file's tree. */
static void
take_top(struct conf *c, cfg_t *cfg)
{
	cfg_t *tls = cfg_getsec(cfg, "tls");
	size_t j;

	for (j = 0; j < nsettings; j++) {
		if (settings[j].scope == SCOPE_TOP)
			take_setting(c, &settings[j], cfg);
		else if (settings[j].scope == SCOPE_TLS && tls != NULL)
			take_setting(c, &settings[j], tls);
	}
}

/*
 * Copies the client sections out of a tree whose first section is place
 * first; the settings they leave unset come later (settings_inherit).
 */
static void
take_clients(struct conf *c, cfg_t *cfg, size_t first)
{
	unsigned int i, n = cfg_size(cfg, "client");
	size_t j;

	c->clients = xgrow(c->clients, &c->clients_cap, c->nclients + n + 1,
	    sizeof(*c->clients));
	for (i = 0; i < n; i++) {
		cfg_t *sec = cfg_getnsec(cfg, "client", i);
		struct client *cl = &c->clients[c->nclients];

		if (client_keys(sec) == 0 || cfg_size(sec, "host") == 0)
			continue;	/* reported by check_client() */
		memset(cl, 0, sizeof(*cl));
		c->nclients++;
		cl->index = first + i;
		cl->source = parse.member;
		cl->name = pool_strdup(&c->strings, cfg_title(sec));
		for (j = 0; j < nsettings; j++)
			if (settings[j].scope == SCOPE_CLIENT)
				take_setting(cl, &settings[j], sec);
	}
}

/*
 * Parses text, len bytes, read from the file at path, with its includes;
 * the main file gives the top-level settings.  Its clients are copied
 * into c and its tree freed.  Returns 0, or -1 when libconfuse failed.
 */
static int
parse_file(struct conf *c, const char *path, char *text, size_t len,
    int main_file)
{
	size_t first = parse.nplaces;
	unsigned int n;
	cfg_t *cfg;
	FILE *fp;
	int rc = CFG_PARSE_ERROR;

	if ((cfg = conf_parser(path)) == NULL)
		return -1;
	if ((fp = fmemopen(text, len, "r")) == NULL)
		conf_syserror(path, 0, "%s", "");
	else {
		rc = cfg_parse_fp(cfg, fp);
		fclose(fp);
	}
	includes_close();
	if (rc == CFG_SUCCESS) {
		if (main_file)
			take_top(c, cfg);
		take_clients(c, cfg, first);
		if ((n = cfg_size(cfg, "client")) > CLIENTS_PER_PARSE)
			conf_warn(path, 0, "%u clients in one file (with its "
			    "includes): libconfuse's parse time grows with the "
			    "square of that; put them in clients-dir, about a "
			    "thousand to a file", n);
	}
	cfg_free(cfg);
	return rc == CFG_SUCCESS ? 0 : -1;
}

/*
 * Reads the file at path and parses it; 0, or -1.  Its clients know
 * the file that holds them when it is one of clients-dir's.
 */
static int
parse_path(struct conf *c, const char *path, int main_file)
{
	size_t len;
	char *text = source_load(path, NULL, 0, &len);
	int rc = -1;

	parse.member = parse.in_clients_dir ? c->nsources - 1 : SOURCE_NONE;
	if (text != NULL)
		rc = parse_file(c, path, text, len, main_file);
	parse.member = SOURCE_NONE;
	free(text);
	return rc;
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * The names of clients-dir's files that end in ".conf", sorted in byte
 * order, into *names (to be freed); the directory becomes a source, its
 * stamp changing when a file is added, removed or renamed.  Returns their
 * number.
 */
static size_t
clients_dir_names(struct conf *c, char ***names)
{
	struct dirent *e;
	struct stamp was;
	size_t n = 0, cap = 0, len;
	int fd;
	DIR *d;

	*names = NULL;
	if ((fd = open(c->clients_dir, O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC)) == -1 || stamp_fd(fd, &was) != 0 ||
	    (d = fdopendir(fd)) == NULL) {
		if (parse.errors == 0)	/* else check_path() said why */
			conf_syserror(c->path, 0, "clients-dir \"%s\"",
			    c->clients_dir);
		if (fd != -1)
			close(fd);
		return 0;
	}
	source_add(c->clients_dir, &was, 1);
	while ((e = readdir(d)) != NULL) {
		len = strlen(e->d_name);
		if (len < 5 || strcmp(e->d_name + len - 5, ".conf") != 0)
			continue;
		*names = xgrow(*names, &cap, n + 1, sizeof(**names));
		(*names)[n++] = xstrdup(e->d_name);
	}
	source_unchanged(dirfd(d), c->clients_dir, &was);
	closedir(d);
	qsort(*names, n, sizeof(**names), name_cmp);
	return n;
}

/*
 * Parses every regular file of clients-dir whose name ends in ".conf",
 * each on its own, in byte order of the names.
 */
static void
parse_clients_dir(struct conf *c)
{
	struct stat st;
	char **names, *path;
	size_t n = clients_dir_names(c, &names), i;

	parse.in_clients_dir = 1;
	for (i = 0; i < n && !parse.too_large && !parse.timed_out &&
	    !parse.changed; i++) {
		path = path_join(c->clients_dir, names[i]);
		if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
			conf_warn(path, 0, "not a regular file, ignored");
		else
			parse_path(c, path, 0);
		free(path);
	}
	parse.in_clients_dir = 0;
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/* One string of a client, and the line that holds it, for -t's checks. */
struct entry {
	const char	*s;
	size_t		 client;
	int		 line;
};

static int
entry_cmp(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;
	int d = strcmp(x->s, y->s);

	return d != 0 ? d : (x->client > y->client) - (x->client < y->client);
}

/*
 * Sorts v, one string of a client per entry, and reports every client
 * whose string an earlier client has, as what ("name", "key", "host"), at
 * the later one's line.  A key is never quoted.  A client naming a host
 * twice was reported by its section.
 */
static void
check_unique(struct conf *c, struct entry *v, size_t n, const char *what)
{
	int host = strcmp(what, "host") == 0;
	char quoted[HOST_MAX + 4] = "";
	size_t i, first = 0;

	qsort(v, n, sizeof(*v), entry_cmp);
	for (i = 1; i < n; i++) {
		const struct client *a, *b;

		if (strcmp(v[i].s, v[first].s) != 0) {
			first = i;
			continue;
		}
		if (v[i].client == v[first].client)
			continue;
		a = &c->clients[v[first].client];
		b = &c->clients[v[i].client];
		if (host)
			snprintf(quoted, sizeof(quoted), " \"%s\"", v[i].s);
		conf_error(parse.places[b->index].file, v[i].line,
		    "client \"%s\" has the same %s%s as client \"%s\" "
		    "(%s:%d)", b->name, what, quoted, a->name,
		    parse.places[a->index].file, v[first].line);
	}
}

/* name lower-cased and without a trailing dot, in the pool. */
static const char *
name_key(struct pool *pool, const char *name)
{
	char buf[HOST_MAX + 4];

	host_fold(buf, sizeof(buf), name);
	return pool_strdup(pool, buf);
}

/* A name with its bytes reversed: a subtree's names sort together. */
static const char *
name_reversed(struct pool *pool, const char *name)
{
	char buf[HOST_MAX + 4];
	size_t len = strlen(name), i;

	for (i = 0; i < len && i + 1 < sizeof(buf); i++)
		buf[i] = name[len - 1 - i];
	buf[i] = '\0';
	return pool_strdup(pool, buf);
}

static int
entry_str_cmp(const void *a, const void *b)
{
	return strcmp(((const struct entry *)a)->s,
	    ((const struct entry *)b)->s);
}

/*
 * A wildcard's client owns its whole subtree (names_clash()).  v is
 * every client's names, folded, n of them; each that lies in another
 * client's subtree is reported at the later of the two clients.  The
 * names whose reversed text starts with a wildcard's base, reversed,
 * are found by a binary search; names_clash() decides among them.
 */
static void
check_subtrees(struct conf *c, const struct entry *v, size_t n)
{
	struct entry *r = xcalloc(n + 1, sizeof(*r)), key;
	struct pool pool = { NULL };
	size_t i, k, len, lo, hi;

	for (i = 0; i < n; i++)	/* each name's base, reversed: r[i].s */
		r[i] = (struct entry){ name_reversed(&pool,
		    name_base(v[i].s)), i, 0 };
	qsort(r, n, sizeof(*r), entry_str_cmp);
	for (i = 0; i < n; i++) {
		const struct entry *w = &v[i], *e;
		const struct client *a, *b;
		const struct place *pa, *pb;

		if (name_base(w->s) == w->s)
			continue;	/* not a wildcard */
		key.s = name_reversed(&pool, name_base(w->s));
		len = strlen(key.s);
		/* the subtree: every reversed base that starts with N's */
		for (lo = 0, hi = n; lo < hi;) {
			k = lo + (hi - lo) / 2;
			if (strcmp(r[k].s, key.s) < 0)
				lo = k + 1;
			else
				hi = k;
		}
		for (k = lo; k < n && strncmp(r[k].s, key.s, len) == 0; k++) {
			e = &v[r[k].client];
			if (e->client == w->client || strcmp(e->s, w->s) == 0 ||
			    !names_clash(e->s, w->s))
				continue;	/* its own, twice, or not below */
			a = &c->clients[w->client];
			b = &c->clients[e->client];
			pa = &parse.places[a->index];
			pb = &parse.places[b->index];
			if (a->index > b->index)
				conf_error(pa->file, w->line, "client "
				    "\"%s\" has \"%s\", whose subtree holds "
				    "client \"%s\"'s \"%s\" (%s:%d); a wildcard's "
				    "client owns every name below it", a->name,
				    w->s, b->name, e->s, pb->file, e->line);
			else
				conf_error(pb->file, e->line, "client "
				    "\"%s\" has \"%s\", in the subtree of client "
				    "\"%s\"'s \"%s\" (%s:%d); a wildcard's client "
				    "owns every name below it", b->name, e->s,
				    a->name, w->s, pa->file, w->line);
		}
	}
	pool_free(&pool);
	free(r);
}

/*
 * The line of the j-th name or key of a kind in a client's place, or
 * where the section ends when it is not known.
 */
static int
place_line(const struct place *pl, int kind, size_t j)
{
	size_t off = 0;
	int k;

	for (k = 0; k < kind; k++)
		off += pl->n[k];
	return j < pl->n[kind] ? pl->at[off + j] : pl->line;
}

/*
 * Where key j of a client is: its keys are its plain ones (key), then
 * its digests (key-sha256), each in the order written.
 */
static int
key_place(const struct place *pl, size_t j)
{
	return j < pl->n[AT_KEY] ? place_line(pl, AT_KEY, j) :
	    place_line(pl, AT_DIGEST, j - pl->n[AT_KEY]);
}

/*
 * Names, keys and hosts are unique across every file: a key as its
 * digest, whichever form wrote it; a host is one client's, in any case
 * and with or without a trailing dot.
 */
static void
check_clients(struct conf *c)
{
	struct entry *v = xcalloc(c->nclients * (NAMES_MAX > 2 * KEYS_MAX ?
	    NAMES_MAX : 2 * KEYS_MAX) + 1, sizeof(*v));
	struct pool keys = { NULL };
	char hex[SHA256_HEX + 1];
	size_t i, j, n = 0;

	for (i = 0; i < c->nclients; i++)
		v[i] = (struct entry){ c->clients[i].name, i,
		    parse.places[c->clients[i].index].line };
	check_unique(c, v, c->nclients, "name");
	for (i = 0; i < c->nclients; i++) {
		const struct client *cl = &c->clients[i];
		const struct place *pl = &parse.places[cl->index];

		for (j = 0; j < cl->keys.n; j++) {
			key_hex(cl->keys.v[j], hex);
			v[n++] = (struct entry){ pool_strdup(&keys, hex), i,
			    key_place(pl, j) };
		}
	}
	check_unique(c, v, n, "key");
	pool_free(&keys);
	n = 0;
	for (i = 0; i < c->nclients; i++) {
		const struct client *cl = &c->clients[i];
		const struct place *pl = &parse.places[cl->index];

		for (j = 0; j < cl->hosts.n; j++)
			v[n++] = (struct entry){ name_key(&keys,
			    cl->hosts.v[j]), i, place_line(pl, AT_HOST, j) };
		for (j = 0; j < cl->lan.n && cl->hosts.n + j < NAMES_MAX; j++)
			v[n++] = (struct entry){ name_key(&keys,
			    cl->lan.v[j].name), i, place_line(pl, AT_LAN, j) };
	}
	check_unique(c, v, n, "host");
	check_subtrees(c, v, n);
	pool_free(&keys);
	free(v);
	for (i = 0; i < c->nclients; i++)
		settings_inherit(c, &c->clients[i]);
}

static void
places_free(void)
{
	free(parse.places);
	parse.places = NULL;
	parse.nplaces = parse.places_size = 0;
	pool_free(&parse.lines);
}

/* Resets the parse state for a parse of c. */
static void
parse_start(struct conf *c, const char *path, char *dircopy)
{
	memset(c, 0, sizeof(*c));
	c->path = path_absolute(path);
	snprintf(dircopy, PATH_MAX, "%s", c->path);
	parse.conf = c;
	parse.dir = dirname(dircopy);
	parse.errors = 0;
	parse.timed_out = 0;
	parse.too_large = 0;
	parse.changed = 0;
	parse.bytes = 0;
	memset(parse.seen, 0, sizeof(parse.seen));
	memset(parse.cur.n, 0, sizeof(parse.cur.n));
	parse.in_clients_dir = 0;
	parse.member = SOURCE_NONE;
}

/*
 * One parse of the files.  Returns 0, -1 when the configuration has
 * errors, or 1 when a file changed while it was read.
 */
static int
conf_load_once(struct conf *c, const char *path)
{
	char dircopy[PATH_MAX];
	int rc;

	parse_start(c, path, dircopy);
	if ((rc = parse_path(c, c->path, 1)) == 0 && c->clients_dir != NULL)
		parse_clients_dir(c);
	/* each file was read whole; none may have changed since */
	if (rc == 0 && !parse.changed && conf_changed(c) != NULL)
		parse.changed = 1;
	if (rc == 0 && !parse.changed)
		check_clients(c);
	places_free();
	if (parse.timed_out)
		log_err("configuration: parsing %s took longer than %d s; "
		    "run sftdyn -t %s to compile its client index", c->path,
		    PARSE_BUDGET, c->path);
	if (parse.too_large)
		log_err("configuration: %s and its other files are over %d "
		    "KiB, more than a connection parses; run sftdyn -t %s to "
		    "compile its client index", c->path, PARSE_BYTES_MAX / 1024,
		    c->path);
	if (parse.changed)
		return 1;
	return rc == 0 && parse.errors == 0 ? 0 : -1;
}

/*
 * Parses and checks the configuration file at path, with flags (CONF_*).
 * Errors go to stderr as FILE:LINE: message for CONF_CHECK, else to the
 * log.  Returns 0, or -1 when the configuration has any error; either way
 * c is freed with conf_free().
 */
int
conf_load(struct conf *c, const char *path, int flags)
{
	int tries, rc;

	parse.check = (flags & CONF_CHECK) != 0;
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
 * Returns the path of the first file (or clients-dir) of c whose stamp is
 * not what was parsed any more, or NULL when none changed.
 */
const char *
conf_changed(const struct conf *c)
{
	struct stamp now;
	size_t i;

	for (i = 0; i < c->nsources; i++)
		if (stamp_at(AT_FDCWD, c->sources[i].path, &now) != 0 ||
		    !stamp_same(&now, &c->sources[i].stamp))
			return c->sources[i].path;
	return NULL;
}

/*
 * Returns the client that has the key whose SHA-256 is digest, or NULL.
 * Every key of every client is compared, in time that does not depend
 * on their contents.
 */
const struct client *
conf_client_find(const struct conf *c, const unsigned char digest[SHA256_LEN])
{
	const struct client *found = NULL;
	size_t i;

	for (i = 0; i < c->nclients; i++)
		if (keys_match(&c->clients[i].keys, digest))
			found = &c->clients[i];
	return found;
}

/* Frees what conf_load() allocated. */
void
conf_free(struct conf *c)
{
	settings_free(c);
	free(c->clients);
	pool_free(&c->strings);
	memset(c, 0, sizeof(*c));
}
