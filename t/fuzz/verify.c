/*
 * libFuzzer harness: the verify-dns answer parser.  The input is an answer
 * to the question for a.dyn.test A (its ID is made to match); it may
 * confirm only when it holds exactly one A record of 192.0.2.1.
 */
#include <stdint.h>

#include "../../src/verify.c"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static unsigned char m[DNS_TCP_MAX];
	struct query q;
	struct addr a;
	int truncated;

	if (len > sizeof(m) || query_build(&q, "a.dyn.test", TYPE_A) != 0)
		return 0;
	memcpy(m, data, len);
	if (len >= 2)
		memcpy(m, q.msg, 2);
	addr_parse(&a, "192.0.2.1");
	if (answer_matches(&q, m, len))
		(void)answer_check(&q, m, len, &a, &truncated);
	return 0;
}
