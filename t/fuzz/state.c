/*
 * libFuzzer harness: the state reader.  The input is a state file; it may
 * vouch only for the exact line it holds, so what it reads, written out
 * again, must be the input byte for byte.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sftdyn.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	char line[STATE_LINE_MAX];
	struct state st;

	if (state_parse((const char *)data, len, &st) != 0)
		return 0;
	if (state_format(&st, line) != len || memcmp(line, data, len) != 0)
		abort();	/* it vouched for something else */
	return 0;
}
