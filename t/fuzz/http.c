/* libFuzzer harness: the request-head parser and the forwarded headers. */
#include <stdint.h>
#include <string.h>

#include "sftdyn.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static struct net trusted = { { AF_INET, { 127, 0, 0, 1 }, "127.0.0.1" },
	    32 };
	struct conf c = { .proxies = { &trusted, 1 } };
	struct request req;
	struct addr a;
	long end;

	if ((end = http_head_end((const char *)data, len)) < 0)
		end = (long)len;
	if (http_parse_head(&req, (const char *)data, (size_t)end) == ST_OK) {
		addr_parse(&a, "127.0.0.1");
		peer_forwarded(&a, &c, &req);
	}
	return 0;
}
