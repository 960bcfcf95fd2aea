/*
 * libFuzzer harness: the dyndns2 query (its addresses and its delegated
 * prefix, and a LAN host's address under it) and Basic credentials.  The
 * input is split at its first NUL: a request-target key, then an
 * Authorization value.
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
	struct addr conn, out[2], suffix, lan;
	struct net prefix;
	long subnet;
	size_t n;

	if (klen > TARGET_MAX)
		return 0;
	memcpy(key, data, klen);
	key[klen] = '\0';
	addr_parse(&conn, "192.0.2.1");
	dyn_query_parse(&q, key);
	dyn_addresses(&q, &conn, 1, out, &n);
	if (q.ip6lanprefix != NULL &&
	    lanprefix_parse(&prefix, q.ip6lanprefix) == 0) {
		addr_parse(&suffix, "::211:32ff:fe12:3456");
		for (subnet = 0; subnet <= SUBNET_MAX; subnet += 4369)
			if (lan_address(&lan, &prefix, subnet, &suffix) == 0 &&
			    (lan.family != AF_INET6 ||
			    memcmp(lan.bytes, prefix.addr.bytes, 6) != 0 ||
			    memcmp(lan.bytes + 8, suffix.bytes + 8, 8) != 0))
				abort();	/* not under the prefix */
	}
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
