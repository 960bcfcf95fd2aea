/*
 * libFuzzer harness: the client index reader.  The input is an index
 * file beside a configuration; whatever it holds, loading and looking up
 * must neither crash nor find a client the configuration does not have.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "sftdyn.h"
#include "files.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static const char conf[] =
	    "client \"a\" {\n\tkey = \"k\"\n\thost = \"a.example\"\n}\n";
	static char path[128];
	const struct client *found;
	unsigned char k[SHA256_LEN], other[SHA256_LEN];
	struct conf c;

	if (path[0] == '\0') {
		snprintf(path, sizeof(path), "%s", fuzz_path("conf"));
		fuzz_write(path, conf, sizeof(conf) - 1);
	}
	fuzz_write(fuzz_path("conf.cdb"), data, len);
	if (index_load(&c, path) == 0) {
		key_hash("k", k);
		key_hash("not the key", other);
		if (index_client_find(&c, other, &found) == FOUND)
			abort();
		index_client_find(&c, k, &found);
		index_free(&c);
	}
	return 0;
}
