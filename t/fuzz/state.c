/*
 * libFuzzer harness: the state reader.  The input is a state file; it may
 * vouch only for the exact address and signature it names.
 */
#include <sys/stat.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sftdyn.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static char dir[] = "/tmp/sftdyn-fuzz-state.XXXXXX";

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static const char sig[] = "0123456789abcdef";
	static char path[96];
	static struct conf c;
	struct addr a;
	char line[128];
	FILE *f;
	int v;

	if (path[0] == '\0') {
		if (mkdtemp(dir) == NULL)
			abort();
		c.statedir = dir;
		snprintf(path, sizeof(path), "%s/h.example.A", dir);
		log_init(1, -1);
	}
	if ((f = fopen(path, "w")) == NULL)
		abort();
	fwrite(data, 1, len, f);
	fclose(f);
	addr_parse(&a, "192.0.2.1");
	v = state_matches(&c, "h.example", &a, sig);
	snprintf(line, sizeof(line), "192.0.2.1 %s\n", sig);
	if (v && (len != strlen(line) || memcmp(data, line, len) != 0))
		abort();	/* it vouched for something else */
	return 0;
}
