/*
 * libFuzzer harness: the verify-dns answer parser.  The input is an answer
 * to the question for a.dyn.test A (its ID is made to match); it may
 * confirm only when it holds exactly one A record of 192.0.2.1.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sftdyn.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/*
 * What any answer that confirms must show on its face: AA=1, TC=0,
 * NOERROR, an answer record, and the address's bytes somewhere.
 */
static int
plausible(const unsigned char *m, size_t len)
{
	static const unsigned char addr[4] = { 192, 0, 2, 1 };
	unsigned flags = dns_get16(m + 2);

	return (flags & 0x0400) && !(flags & 0x0200) && (flags & 0xf) == 0 &&
	    dns_get16(m + 6) >= 1 && memmem(m, len, addr, sizeof(addr)) != NULL;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static unsigned char m[DNS_TCP_MAX];
	static struct rrset want, got;
	struct query q;
	struct addr a;
	int truncated, clear;

	if (len > sizeof(m) || dns_query_build(&q, "a.dyn.test", TYPE_A) != 0)
		return 0;
	memcpy(m, data, len);
	if (len >= 2)
		memcpy(m, q.msg, 2);
	addr_parse(&a, "192.0.2.1");
	rrset_addr(&want, &a);
	if (dns_answer_matches(&q, m, len) &&
	    dns_answer_read(&q, m, len, &got, &truncated, &clear) == NULL &&
	    rrset_differs(TYPE_A, &got, &want) == NULL &&
	    (truncated || clear || !plausible(m, len)))
		abort();	/* it confirmed what it should not */
	return 0;
}
