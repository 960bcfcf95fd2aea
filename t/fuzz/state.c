/*
 * libFuzzer harness: the state reader.  The input is a state file; it may
 * vouch only for the exact address and signature it names.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sftdyn.h"
#include "files.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static const char sig[] = "0123456789abcdef";
	struct conf c;
	struct addr a;
	char line[128];
	int v;

	fuzz_write(fuzz_path("h.example.A"), data, len);
	memset(&c, 0, sizeof(c));
	c.statedir = fuzz_dir;
	addr_parse(&a, "192.0.2.1");
	v = state_matches(&c, "h.example", &a, sig);
	snprintf(line, sizeof(line), "192.0.2.1 %s\n", sig);
	if (v && (len != strlen(line) || memcmp(data, line, len) != 0))
		abort();	/* it vouched for something else */
	return 0;
}
