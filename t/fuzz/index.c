/*
 * libFuzzer harness: the client index reader.  The input is an index
 * file beside a configuration; whatever it holds, loading and looking up
 * must neither crash nor find a client the configuration does not have.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "sftdyn.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static char dir[] = "/tmp/sftdyn-fuzz-index.XXXXXX";

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static char path[64], cdb[80];
	const struct client *found;
	struct conf c;
	FILE *f;

	if (path[0] == '\0') {
		if (mkdtemp(dir) == NULL)
			abort();
		snprintf(path, sizeof(path), "%s/conf", dir);
		snprintf(cdb, sizeof(cdb), "%s.cdb", path);
		if ((f = fopen(path, "w")) == NULL)
			abort();
		fputs("client \"a\" {\n\tkey = \"k\"\n\thost = \"a.example\"\n}\n",
		    f);
		fclose(f);
		log_init(1, -1);
	}
	if ((f = fopen(cdb, "w")) == NULL)
		abort();
	fwrite(data, 1, len, f);
	fclose(f);
	if (index_load(&c, path) == 0) {
		if (index_client_find(&c, "not the key", &found) == 1)
			abort();
		index_client_find(&c, "k", &found);
		index_free(&c);
	}
	return 0;
}
