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
#include "files.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Whether the index holds client cl as the parse made it. */
static int
same_client(const struct client *a, const struct client *b)
{
	size_t i;

	if (strcmp(a->name, b->name) != 0 || a->hosts.n != b->hosts.n ||
	    a->ttl != b->ttl || a->allow_myip != b->allow_myip ||
	    a->allow_acme != b->allow_acme)
		return 0;
	for (i = 0; i < a->hosts.n; i++)
		if (strcmp(a->hosts.v[i], b->hosts.v[i]) != 0)
			return 0;
	if (a->lan.n != b->lan.n || a->allow.n != b->allow.n)
		return 0;
	for (i = 0; i < a->allow.n; i++)
		if (a->allow.v[i].prefix != b->allow.v[i].prefix ||
		    a->allow.v[i].addr.family != b->allow.v[i].addr.family ||
		    memcmp(a->allow.v[i].addr.bytes, b->allow.v[i].addr.bytes,
		    16) != 0)
			return 0;
	for (i = 0; i < a->lan.n; i++)
		if (strcmp(a->lan.v[i].name, b->lan.v[i].name) != 0 ||
		    strcmp(a->lan.v[i].suffix, b->lan.v[i].suffix) != 0 ||
		    a->lan.v[i].subnet != b->lan.v[i].subnet)
			return 0;
	return 1;
}

static void
check_index(struct conf *c)
{
	const struct client *found;
	unsigned char none[SHA256_LEN];
	struct conf ix;
	size_t i, j;

	if (index_write(c) != 0 || index_load(&ix, c->path) != 0)
		abort();	/* a valid configuration always compiles */
	for (i = 0; i < c->nclients; i++)
		for (j = 0; j < c->clients[i].keys.n; j++)
			if (index_client_find(&ix, c->clients[i].keys.v[j],
			    &found) != FOUND ||
			    !same_client(&c->clients[i], found))
				abort();
	key_hash("no such key, surely", none);
	if (index_client_find(&ix, none, &found) != FOUND_NONE)
		abort();
	index_free(&ix);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	const char *path = fuzz_path("conf");
	struct conf c;

	fuzz_write(path, data, len);
	if (conf_load(&c, path, 0) == 0)
		check_index(&c);
	conf_free(&c);
	return 0;
}
