/*
 * libFuzzer harness: the comments blanked before libconfuse reads a
 * configuration, checked against libconfuse itself.  A text that
 * libconfuse reads must read to the same values once blanked: nothing
 * but what libconfuse takes for a comment was blanked.
 */
#include <confuse.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sftdyn.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
quiet(cfg_t *cfg, const char *fmt, va_list ap)
{
	(void)cfg;
	(void)fmt;
	(void)ap;
}

/* libconfuse's reading of text: its values printed, or NULL. */
static char *
parsed(char *text, size_t len)
{
	cfg_opt_t sec[] = {
		CFG_STR_LIST("v", NULL, CFGF_NONE),
		CFG_INT("n", 0, CFGF_NONE),
		CFG_END()
	};
	cfg_opt_t opts[] = {
		CFG_STR_LIST("a", NULL, CFGF_NONE),
		CFG_STR("b", NULL, CFGF_NONE),
		CFG_SEC("s", sec, CFGF_MULTI | CFGF_TITLE),
		CFG_SEC("t", sec, CFGF_NONE),
		CFG_END()
	};
	cfg_t *cfg = cfg_init(opts, CFGF_NONE);
	char *out = NULL;
	size_t size = 0;
	FILE *in = fmemopen(text, len, "r"), *mem;
	int rc;

	cfg_set_error_function(cfg, quiet);
	rc = cfg_parse_fp(cfg, in);
	fclose(in);
	if (rc == CFG_SUCCESS && (mem = open_memstream(&out, &size)) != NULL) {
		cfg_print(cfg, mem);
		fclose(mem);
	}
	cfg_free(cfg);
	return out;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	char *text, *blanked, *a, *b = NULL;

	if (len == 0 || memchr(data, '\0', len) != NULL)
		return 0;	/* the loader refuses a NUL before this */
	text = malloc(len);
	blanked = malloc(len);
	memcpy(text, data, len);
	memcpy(blanked, data, len);
	conf_blank_comments(blanked, len);
	if ((a = parsed(text, len)) != NULL &&
	    ((b = parsed(blanked, len)) == NULL || strcmp(a, b) != 0))
		abort();	/* blanked what libconfuse reads */
	free(a);
	free(b);
	free(text);
	free(blanked);
	return 0;
}
