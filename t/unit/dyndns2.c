/* Unit tests: the dyndns2 query, Basic credentials and address choice. */
#include <stdlib.h>

#include "sftdyn.h"
#include "tap.h"

/* The addresses for query q (a key), as "A|B", or "malformed". */
static const char *
addrs(const char *key, int allow)
{
	static char out[128];
	static struct dyn_query q;
	struct addr conn, a[2];
	size_t n;

	addr_parse(&conn, "198.51.100.1");
	dyn_query_parse(&q, key);
	if (dyn_addresses(&q, &conn, allow, a, &n) != 0)
		return "malformed";
	snprintf(out, sizeof(out), "%s%s%s", a[0].text, n > 1 ? "|" : "",
	    n > 1 ? a[1].text : "");
	return out;
}

/* The credentials in an Authorization value, as "user|pass", or "bad". */
static const char *
creds(const char *value)
{
	static char out[256];
	static struct credentials a;
	struct request req;

	memset(&req, 0, sizeof(req));
	req.auth.v = value;
	req.auth.len = strlen(value);
	req.auth.n = 1;
	if (auth_basic(&a, &req) != 0)
		return "bad";
	snprintf(out, sizeof(out), "%s|%s", a.user, a.pass);
	return out;
}

static void
test_paths(void)
{
	TEST(route_of("nic/update") == ROUTE_DYNDNS2, "nic/update");
	TEST(route_of("v3/update?hostname=x") == ROUTE_DYNDNS2,
	    "v3/update?...");
	TEST(route_of("nic/update/") == ROUTE_SECRET, "nic/update/ is a key");
	TEST(route_of("nic/updates") == ROUTE_SECRET, "nic/updates is a key");
	TEST(route_of("NIC/UPDATE") == ROUTE_SECRET, "NIC/UPDATE is a key");
	TEST(route_of("x/nic/update") == ROUTE_SECRET,
	    "x/nic/update is a key");
	TEST(route_of("present") == ROUTE_PRESENT, "present");
	TEST(route_of("cleanup?x") == ROUTE_CLEANUP, "cleanup?x");
	TEST(route_of("update") == ROUTE_UPDATE, "update");
	TEST(route_of("updates") == ROUTE_SECRET, "updates is a key");
	TEST(route_of("") == ROUTE_SECRET, "the empty key");
}

static void
test_query(void)
{
	static struct dyn_query q;

	dyn_query_parse(&q, "nic/update?hostname=a%2Eb&hostname=c&myip=1%2c2"
	    "&system=dyndns&myip6=%zz+x&myipv6");
	TEST(q.hostname && strcmp(q.hostname, "a.b") == 0,
	    "hostname decoded, the first counts");
	TEST(q.myip && strcmp(q.myip, "1,2") == 0, "%%2c is a comma");
	TEST(q.myip6 && strcmp(q.myip6, "%zz x") == 0,
	    "a bad escape stays, + is a space");
	TEST(q.myipv6 && *q.myipv6 == '\0', "a name without '=' is empty");
	dyn_query_parse(&q, "nic/update?hostname=a%00b");
	TEST(q.hostname && strlen(q.hostname) == 3 && q.hostname[1] == '\001',
	    "%%00 does not end the value");
	dyn_query_parse(&q, "nic/update");
	TEST(!q.hostname && !q.myip && !q.myipv6 && !q.myip6, "no query");
	dyn_query_parse(&q, "nic/update?hostname%3d=x&%68ostname=y");
	TEST(q.hostname && strcmp(q.hostname, "y") == 0,
	    "names are decoded too");
}

/* A key's query, allow-myip, and the addresses expected (or "malformed"). */
static const struct {
	const char	*key;
	int		 allow;
	const char	*want;
	const char	*what;
} address_cases[] = {
	{ "nic/update", 1, "198.51.100.1", "none: the connection's" },
	{ "nic/update?myip=2001:db8::1,192.0.2.1", 1, "192.0.2.1|2001:db8::1",
	    "V6,V4: IPv4 first" },
	{ "nic/update?myip=192.0.2.1&myipv6=2001:db8::2", 1,
	    "192.0.2.1|2001:db8::2", "myip and myipv6" },
	{ "nic/update?myip=2001:db8::1&myipv6=2001:db8::2", 1, "2001:db8::2",
	    "myipv6 replaces myip's IPv6" },
	{ "nic/update?myipv6=2001:db8::2", 1, "2001:db8::2",
	    "myipv6 alone: never the connection's" },
	{ "nic/update?myipv6=&myip6=2001:db8::3", 1, "2001:db8::3",
	    "an empty myipv6 falls back to myip6" },
	{ "nic/update?myip=,192.0.2.1,,", 1, "192.0.2.1",
	    "empty elements ignored" },
	{ "nic/update?myip=::ffff:192.0.2.1", 1, "192.0.2.1",
	    "IPv4-mapped is IPv4" },
	{ "nic/update?myip=192.0.2.1,192.0.2.2", 1, "malformed", "two IPv4" },
	{ "nic/update?myip=1.2.3.4,::1,5.6.7.8", 1, "malformed", "three" },
	{ "nic/update?myip=192.0.2.01", 1, "malformed", "leading zero" },
	{ "nic/update?myip=2001:db8::/64", 1, "malformed", "a prefix" },
	{ "nic/update?myip=fe80::1%25eth0", 1, "malformed", "a zone" },
	{ "nic/update?myipv6=192.0.2.1", 1, "malformed", "myipv6 with IPv4" },
	{ "nic/update?myip=junk&myipv6=junk", 0, "198.51.100.1",
	    "allow-myip false: nothing is read" },
};

/* An Authorization value and the credentials expected (or "bad"). */
static const struct {
	const char	*value;
	const char	*want;
	const char	*what;
} credential_cases[] = {
	{ "Basic YTpiOmM=", "a|b:c", "split at the first colon" },
	{ "bAsIc  YTpiOmM", "a|b:c", "any case, spaces, no padding" },
	{ "Basic OmI=", "|b", "empty user" },
	{ "Basic YWI=", "bad", "no colon" },
	{ "Basic YQBiOmM=", "bad", "a NUL" },
	{ "Basic YTpi*", "bad", "not base64" },
	{ "Basic YTpiO", "bad", "a dangling sixth" },
	{ "Basic YT=pi", "bad", "padding inside" },
	{ "Basic", "bad", "no token" },
	{ "Digest YTpi", "bad", "another scheme" },
	{ "BasicYTpi", "bad", "no space" },
};

#define NCASES(v)	(sizeof(v) / sizeof(v[0]))

static void
test_addresses(void)
{
	size_t i;

	for (i = 0; i < NCASES(address_cases); i++)
		TEST(strcmp(addrs(address_cases[i].key, address_cases[i].allow),
		    address_cases[i].want) == 0, "%s", address_cases[i].what);
}

static void
test_credentials(void)
{
	size_t i;

	for (i = 0; i < NCASES(credential_cases); i++)
		TEST(strcmp(creds(credential_cases[i].value),
		    credential_cases[i].want) == 0, "%s",
		    credential_cases[i].what);
}

int
main(void)
{
	test_paths();
	test_query();
	test_addresses();
	test_credentials();
	return TEST_DONE();
}
