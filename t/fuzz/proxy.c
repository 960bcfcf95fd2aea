/* libFuzzer harness: the PROXY protocol header parser. */
#include <stdint.h>

#include "sftdyn.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct addr a;
	int has;

	if (len <= PROXY_MAX)
		proxy_parse((const char *)data, len, &a, &has);
	return 0;
}
