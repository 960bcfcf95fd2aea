/*
 * Unit tests: the comments blanked from a configuration's text before
 * libconfuse reads it.  Each case is checked against what it must become,
 * and against libconfuse itself: a text it reads must read the same
 * blanked (libconfuse takes for comments exactly what was blanked), and
 * an option after the comments is then at its true line.
 */
#include <confuse.h>
#include <stdlib.h>

#include "sftdyn.h"
#include "tap.h"

static int last_line;

static int
note_line(cfg_t *cfg, cfg_opt_t *opt)
{
	(void)opt;
	last_line = cfg->line;
	return 0;
}

static void
quiet(cfg_t *cfg, const char *fmt, va_list ap)
{
	(void)cfg;
	(void)fmt;
	(void)ap;
}

/*
 * What libconfuse makes of text: its values printed, or "error"; the
 * line option "z" was validated at into last_line.
 */
static char *
parsed(const char *text)
{
	cfg_opt_t sec[] = {
		CFG_STR_LIST("v", NULL, CFGF_NONE),
		CFG_END()
	};
	cfg_opt_t opts[] = {
		CFG_STR_LIST("a", NULL, CFGF_NONE),
		CFG_STR("b", NULL, CFGF_NONE),
		CFG_STR("z", NULL, CFGF_NONE),
		CFG_SEC("s", sec, CFGF_MULTI | CFGF_TITLE),
		CFG_END()
	};
	cfg_t *cfg = cfg_init(opts, CFGF_NONE);
	char *out = NULL;
	size_t size = 0;
	FILE *in = fmemopen((void *)(uintptr_t)text, strlen(text), "r");
	FILE *mem = open_memstream(&out, &size);

	last_line = 0;
	cfg_set_validate_func(cfg, "z", note_line);
	cfg_set_error_function(cfg, quiet);
	if (cfg_parse_fp(cfg, in) == CFG_SUCCESS)
		cfg_print(cfg, mem);
	else
		fputs("error", mem);
	fclose(mem);
	fclose(in);
	cfg_free(cfg);
	return out;
}

static void
blanks(const char *text, const char *want, const char *what)
{
	char *b = strdup(text), *p1, *p2;
	int line, true_line;
	const char *z;

	conf_blank_comments(b, strlen(b));
	TEST(strcmp(b, want) == 0, "%s: blanked as it should be", what);
	p1 = parsed(text);
	line = last_line;
	p2 = parsed(b);
	if (strcmp(p1, "error") != 0)
		TEST(strcmp(p1, p2) == 0, "%s: libconfuse reads the same "
		    "values", what);
	else
		TEST(strcmp(p2, "error") != 0 || strstr(what, "error") != NULL,
		    "%s: refused by libconfuse as it is, read blanked", what);
	/* z's line, counted in the text itself */
	if ((z = strstr(text, "\nz = 1")) != NULL && strcmp(p2, "error") != 0) {
		true_line = 2;
		for (const char *p = text; p < z; p++)
			true_line += *p == '\n';
		TEST(last_line == true_line, "%s: z is at line %d (libconfuse "
		    "says %d unblanked)", what, true_line, line);
	}
	free(p1);
	free(p2);
	free(b);
}

int
main(void)
{
	blanks("# one\n# two\nb = x\nz = 1\n",
	    "     \n     \nb = x\nz = 1\n", "# comments");
	blanks("b = x # trailing\nz = 1\n",
	    "b = x           \nz = 1\n", "a trailing # comment");
	blanks("// c\nb = x\nz = 1\n", "    \nb = x\nz = 1\n", "// comment");
	blanks("/// c\nb = x\nz = 1\n", "     \nb = x\nz = 1\n", "/// comment");
	blanks("b = x //y\nz = 1\n", "b = x    \nz = 1\n",
	    "// after a word");
	blanks("b = //x\nb = 2\nz = 1\n", "b =    \nb = 2\nz = 1\n",
	    "// where a value would start: an error either way");
	blanks("b = a//b\nz = 1\n", "b = a//b\nz = 1\n",
	    "a//b is a word");
	blanks("b = a/*b\nz = 1\n", "b = a/*b\nz = 1\n",
	    "a/*b: the word ends at the *, an error either way");
	blanks("/* one\n two */ b = x\nz = 1\n",
	    "      \n        b = x\nz = 1\n", "a /* */ comment over two lines");
	blanks("/* a ** b */b = x\nz = 1\n",
	    "            b = x\nz = 1\n", "stars inside /* */");
	blanks("/* a */ /* b */\nz = 1\n",
	    "               \nz = 1\n", "two block comments");
	blanks("b = \"# not\" # but this\nz = 1\n",
	    "b = \"# not\"           \nz = 1\n", "# in double quotes");
	blanks("b = '/* x */'\nz = 1\n", "b = '/* x */'\nz = 1\n",
	    "/* */ in single quotes");
	blanks("b = \"a\\\"#b\" #c\nz = 1\n", "b = \"a\\\"#b\"   \nz = 1\n",
	    "an escaped quote");
	blanks("b = 'it\\'s#' # c\nz = 1\n", "b = 'it\\'s#'    \nz = 1\n",
	    "an escaped single quote");
	blanks("b = \"${X#\"}#\" # c\nz = 1\n",
	    "b = \"${X#\"}#\"    \nz = 1\n", "${VAR} in double quotes");
	blanks("b = ${X#} # c\nz = 1\n", "b = ${X#}    \nz = 1\n",
	    "${VAR} as a word");
	blanks("s t { v = {\"a\", # c\n\"b\"} }\nz = 1\n",
	    "s t { v = {\"a\",    \n\"b\"} }\nz = 1\n", "a comment in a list");
	blanks("s t { # c\n v = {\"a\"} }\nz = 1\n",
	    "s t {    \n v = {\"a\"} }\nz = 1\n", "a comment in a section");
	blanks("b = x#y\nz = 1\n", "b = x  \nz = 1\n", "# ends a word");
	blanks("# unterminated \"quote\nz = 1\n",
	    "                     \nz = 1\n", "a quote in a comment");
	blanks("/* open", "       ", "an unterminated /*");
	blanks("b = \"open", "b = \"open", "an unterminated string: an error");
	return TEST_DONE();
}
