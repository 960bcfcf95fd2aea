/*
 * libFuzzer harness: the configuration loader.  The input is a
 * configuration file; when it loads, it is compiled into the client index,
 * and the index must find every client exactly as the parse does.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sftdyn.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static char dir[] = "/tmp/sftdyn-fuzz-conf.XXXXXX";

/* Whether the index holds client cl as the parse made it. */
static int
same_client(const struct client *a, const struct client *b)
{
	return strcmp(a->name, b->name) == 0 && strcmp(a->host, b->host) == 0 &&
	    a->ttl == b->ttl && a->allow_myip == b->allow_myip;
}

static void
check_index(struct conf *c)
{
	const struct client *found;
	struct conf ix;
	size_t i;

	if (index_write(c) != 0 || index_load(&ix, c->path) != 0)
		abort();	/* a valid configuration always compiles */
	for (i = 0; i < c->nclients; i++)
		if (index_client_find(&ix, c->clients[i].key, &found) != 1 ||
		    !same_client(&c->clients[i], found))
			abort();
	if (index_client_find(&ix, "no such key, surely", &found) != 0)
		abort();
	index_free(&ix);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static char path[64];
	struct conf c;
	FILE *f;

	if (path[0] == '\0') {
		if (mkdtemp(dir) == NULL)
			abort();
		snprintf(path, sizeof(path), "%s/conf", dir);
		log_init(1, -1);
	}
	if ((f = fopen(path, "w")) == NULL)
		abort();
	fwrite(data, 1, len, f);
	fclose(f);
	if (conf_load(&c, path, 0) == 0)
		check_index(&c);
	conf_free(&c);
	return 0;
}
