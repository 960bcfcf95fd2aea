/* SipHash-2-4 against the reference vectors of its paper. */
#include "sftdyn.h"
#include "tap.h"

int
main(void)
{
	unsigned char key[16], msg[64];
	int i;

	for (i = 0; i < 16; i++)
		key[i] = (unsigned char)i;
	for (i = 0; i < 64; i++)
		msg[i] = (unsigned char)i;
	TEST(siphash24(key, msg, 0) == 0x726fdb47dd0e0e31ULL, "empty message");
	TEST(siphash24(key, msg, 15) == 0xa129ca6149be45e5ULL,
	    "15 bytes (the paper's example)");
	TEST(siphash24(key, msg, 8) == 0x93f5f5799a932462ULL, "8 bytes");
	TEST(siphash24(key, msg, 63) == 0x958a324ceb064572ULL, "63 bytes");
	key[0] ^= 1;
	TEST(siphash24(key, msg, 15) != 0xa129ca6149be45e5ULL,
	    "another key, another value");
	return TEST_DONE();
}
