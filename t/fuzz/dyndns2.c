/*
 * libFuzzer harness: the dyndns2 query and Basic credentials.  The input
 * is split at its first NUL: a request-target key, then an Authorization
 * value.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sftdyn.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static struct dyn_query q;
	static struct credentials a;
	char key[TARGET_MAX + 1];
	const char *nul = memchr(data, '\0', len);
	size_t klen = nul ? (size_t)(nul - (const char *)data) : len;
	struct request req;
	struct addr conn, out[2];
	size_t n;

	if (klen > TARGET_MAX)
		return 0;
	memcpy(key, data, klen);
	key[klen] = '\0';
	addr_parse(&conn, "192.0.2.1");
	dyn_query_parse(&q, key);
	dyn_addresses(&q, &conn, 1, out, &n);
	if (nul != NULL) {
		memset(&req, 0, sizeof(req));
		req.auth.v = (const char *)nul + 1;
		req.auth.len = len - klen - 1;
		req.auth.n = 1;
		if (req.auth.len < HEAD_MAX)
			auth_basic(&a, &req);
	}
	return 0;
}
