/*
 * Unit tests: keys (their SHA-256, the hex of key-sha256, matching, a
 * new key's form), the server's url, and which names two clients cannot
 * both own.
 */
#include <stdlib.h>

#include "sftdyn.h"
#include "tap.h"

/* SHA-256 of "abc" (FIPS 180-2, appendix B.1) */
#define ABC	"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"

int
main(void)
{
	unsigned char d[SHA256_LEN], e[SHA256_LEN], v[3][SHA256_LEN];
	struct keys keys = { v, 3 };
	char hex[SHA256_HEX + 1], k1[KEY_TEXT_LEN + 1], k2[KEY_TEXT_LEN + 1];
	size_t i;
	int ok;

	key_hash("abc", d);
	key_hex(d, hex);
	TEST(strcmp(hex, ABC) == 0, "SHA-256 of \"abc\", in lower-case hex");
	TEST(key_unhex(ABC, e) == 0 && memcmp(d, e, SHA256_LEN) == 0,
	    "hex read back");
	TEST(key_unhex("BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD",
	    e) == 0 && memcmp(d, e, SHA256_LEN) == 0, "upper case too");
	TEST(key_unhex(ABC "0", e) == -1, "65 digits: refused");
	TEST(key_unhex(ABC + 1, e) == -1, "63 digits: refused");
	TEST(key_unhex("ga7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
	    e) == -1, "a non-hex digit: refused");
	TEST(key_unhex(" a7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
	    e) == -1, "a space: refused");
	TEST(valid_digest_why(ABC) == NULL && valid_digest_why("abc") != NULL,
	    "valid_digest_why");

	key_hash("one", v[0]);
	key_hash("two", v[1]);
	key_hash("abc", v[2]);
	key_hash("two", e);
	TEST(keys_match(&keys, e), "the second key of three matches");
	TEST(keys_match(&keys, d), "the third");
	key_hash("abd", e);
	TEST(!keys_match(&keys, e), "another key does not");
	keys.n = 2;
	TEST(!keys_match(&keys, d), "nor one beyond the list's count");

	TEST(key_make(k1) == 0 && key_make(k2) == 0, "two new keys");
	ok = strlen(k1) == KEY_TEXT_LEN;
	for (i = 0; i < KEY_TEXT_LEN; i++)
		ok &= strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		    "0123456789-_", k1[i]) != NULL && k1[i] != '\0';
	TEST(ok, "a new key: 22 characters of base64url (%s)", k1);
	TEST(strcmp(k1, k2) != 0, "two new keys differ");
	TEST(valid_key_why(k1) == NULL && route_of(k1) == ROUTE_SECRET,
	    "a new key is a valid key, and a secret URL");

	TEST(valid_url_why("https://dyn.example.org") == NULL &&
	    valid_url_why("http://127.0.0.1:8080/dyn/") == NULL &&
	    valid_url_why("http://[::1]:8080") == NULL, "urls");
	TEST(valid_url_why("ftp://x") != NULL && valid_url_why("https://") !=
	    NULL && valid_url_why("https:///x") != NULL &&
	    valid_url_why("https://a b") != NULL &&
	    valid_url_why("https://a'b") != NULL &&
	    valid_url_why("https://a/?x") != NULL &&
	    valid_url_why("https://a/$(id)") != NULL &&
	    valid_url_why("https://user:pw@a/") != NULL, "not urls");
	TEST(valid_url_why("https://a/x@y") == NULL, "an '@' in the path");

	TEST(name_below("a.b.example", "b.example") &&
	    name_below("B.Example.", "b.example") &&
	    !name_below("ab.example", "b.example") &&
	    !name_below("example", "b.example"), "name_below");
	TEST(names_clash("a.example", "A.EXAMPLE."), "the same name clashes");
	TEST(names_clash("*.w.example", "w.example") &&
	    names_clash("x.y.w.example", "*.w.example") &&
	    names_clash("*.w.example", "*.x.w.example"),
	    "a wildcard's subtree clashes with it");
	TEST(!names_clash("*.w.example", "aw.example") &&
	    !names_clash("*.w.example", "x-w.example") &&
	    !names_clash("*.w.example", "w.example.org") &&
	    !names_clash("a.example", "b.example"), "names beside it do not");
	return TEST_DONE();
}
