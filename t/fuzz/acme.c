/*
 * libFuzzer harness: ACME request bodies.  The first byte picks the
 * operation (present, cleanup or update), the rest is the body.  A body
 * that parses gives two strings that fit, without a NUL inside.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sftdyn.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static struct acme a;
	enum route op;

	if (len < 1 || len - 1 > ACME_BODY_MAX)
		return 0;
	op = (enum route)(ROUTE_PRESENT + data[0] % 3);
	memset(&a, 0, sizeof(a));
	if (acme_parse(op, (const char *)data + 1, len - 1, &a) != 0)
		return 0;
	if (strlen(a.name) >= sizeof(a.name) || strlen(a.value) >= sizeof(a.value))
		abort();
	(void)valid_txt_value(a.value);
	return 0;
}
