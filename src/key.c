/*
 * Keys.  A client's keys are kept only as their SHA-256 digests, whether
 * the configuration writes a key plain (key) or as its digest
 * (key-sha256): a presented key is hashed once, and belongs to the
 * client that lists its digest.  SHA-256, the constant-time comparison
 * and the encodings are nettle's; a new key is 128 bits from the kernel.
 *
 * SHA-256 is enough for these digests because the keys it guards are
 * not guessable: --new-client makes 128 random bits, which no search
 * reaches, slow hash or fast.  A key a person chose may be guessable, and
 * only a slow hash (argon2id, bcrypt) would make each guess at its
 * digest costly; such a key stays plain, where the configuration's
 * file mode guards it, not in key-sha256.
 */
#include <sys/random.h>

#include <nettle/base16.h>
#include <nettle/base64.h>
#include <nettle/memops.h>
#include <nettle/sha2.h>
#include <string.h>

#include "sftdyn.h"

_Static_assert(SHA256_LEN == SHA256_DIGEST_SIZE, "SHA256_LEN is not "
    "SHA-256's");
_Static_assert(BASE64_ENCODE_RAW_LENGTH(16) == KEY_TEXT_LEN + 2,
    "KEY_TEXT_LEN is not 16 bytes in base64 without padding");

/* The SHA-256 digest of key, the bytes a client sends. */
void
key_hash(const char *key, unsigned char out[SHA256_LEN])
{
	struct sha256_ctx ctx;

	sha256_init(&ctx);
	sha256_update(&ctx, strlen(key), (const uint8_t *)key);
	sha256_digest(&ctx, SHA256_LEN, out);
}

/*
 * Reads a digest written in hex, 64 digits of either case.  Returns 0,
 * or -1 when hex is not one.
 */
int
key_unhex(const char *hex, unsigned char out[SHA256_LEN])
{
	struct base16_decode_ctx ctx;
	size_t len = SHA256_LEN;

	if (strlen(hex) != SHA256_HEX || strspn(hex,
	    "0123456789abcdefABCDEF") != SHA256_HEX)
		return -1;
	base16_decode_init(&ctx);
	return base16_decode_update(&ctx, &len, out, SHA256_HEX, hex) &&
	    base16_decode_final(&ctx) && len == SHA256_LEN ? 0 : -1;
}

/* A digest in hex, lower case, NUL-terminated. */
void
key_hex(const unsigned char d[SHA256_LEN], char out[SHA256_HEX + 1])
{
	base16_encode_update(out, SHA256_LEN, d);
	out[SHA256_HEX] = '\0';
}

/*
 * Whether one of keys is the key whose digest is d.  Every digest is
 * compared whole, in time that does not depend on their contents.
 */
int
keys_match(const struct keys *keys, const unsigned char d[SHA256_LEN])
{
	int match = 0;
	size_t i;

	for (i = 0; i < keys->n; i++)
		match |= memeql_sec(keys->v[i], d, SHA256_LEN);
	return match;
}

/*
 * A new key: 128 bits from the kernel's random source, in base64url
 * without padding (22 characters that need no quoting in a URL, an HTTP
 * header or a shell).  Returns 0, or -1 with errno set.
 */
int
key_make(char out[KEY_TEXT_LEN + 1])
{
	struct base64_encode_ctx ctx;
	unsigned char bits[16];
	char text[BASE64_ENCODE_RAW_LENGTH(16) + 1];
	size_t n;

	if (getrandom(bits, sizeof(bits), 0) != (ssize_t)sizeof(bits))
		return -1;
	base64url_encode_init(&ctx);
	n = base64_encode_update(&ctx, text, sizeof(bits), bits);
	n += base64_encode_final(&ctx, text + n);
	explicit_bzero(bits, sizeof(bits));
	memcpy(out, text, KEY_TEXT_LEN);
	out[KEY_TEXT_LEN] = '\0';
	explicit_bzero(text, sizeof(text));
	return n == KEY_TEXT_LEN + 2 ? 0 : -1;
}
