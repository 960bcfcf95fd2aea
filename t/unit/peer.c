/* Unit tests for addresses and the forwarded-header rules. */
#include <sys/socket.h>

#include <stdlib.h>

#include "sftdyn.h"
#include "tap.h"

static struct conf conf;

static void
trust(const char *list[], size_t n)
{
	size_t i;

	conf.proxies.v = xcalloc(n + 1, sizeof(*conf.proxies.v));
	for (i = 0; i < n; i++)
		TEST(net_parse(&conf.proxies.v[i], list[i]) == 0, "net %s", list[i]);
	conf.proxies.n = n;
}

/* The client address for a request from peer with the given head. */
static const char *
client_of(const char *peer, const char *head, enum status *st)
{
	static struct addr a;
	struct request req;

	if (addr_parse(&a, peer) != 0 ||
	    http_parse_head(&req, head, strlen(head)) != ST_OK) {
		*st = 0;
		return "";
	}
	*st = peer_forwarded(&a, &conf, &req);
	return a.text;
}

int
main(void)
{
	static const char *proxies[] = { "127.0.0.1", "::1", "10.0.0.0/8",
	    "::ffff:192.168.0.0/112" };
	struct addr a;
	struct net n;
	enum status st;
	const char *c;

	TEST(addr_parse(&a, "192.0.2.7") == 0 && a.family == AF_INET,
	    "IPv4");
	TEST(addr_parse(&a, "::ffff:192.0.2.7") == 0 && a.family == AF_INET &&
	    strcmp(a.text, "192.0.2.7") == 0 && strcmp(addr_type(&a), "A") == 0,
	    "IPv4-mapped IPv6 is IPv4");
	TEST(addr_parse(&a, "2001:DB8::1") == 0 && a.family == AF_INET6 &&
	    strcmp(a.text, "2001:db8::1") == 0 &&
	    strcmp(addr_type(&a), "AAAA") == 0, "IPv6, canonical text");
	TEST(addr_parse(&a, "example.org") == -1, "a name is not an address");
	TEST(addr_parse(&a, "192.0.2.7:80") == -1, "address with a port");
	TEST(addr_parse(&a, "fe80::1%eth0") == -1, "scoped address");
	TEST(addr_parse(&a, "") == -1, "empty");
	TEST(addr_parse(&a, "1.2.3") == -1, "short IPv4");
	TEST(net_parse(&n, "10.0.0.0/33") == -1, "prefix too long");
	TEST(net_parse(&n, "10.0.0.0/") == -1, "empty prefix");
	TEST(net_parse(&n, "10.0.0.0/-1") == -1, "negative prefix");
	TEST(net_parse(&n, "10.0.0.0/8x") == -1, "junk after prefix");

	trust(proxies, 4);
	TEST(addr_parse(&a, "10.200.3.4") == 0 &&
	    net_contains(conf.proxies.v, conf.proxies.n, &a), "10/8 contains");
	TEST(addr_parse(&a, "11.0.0.1") == 0 &&
	    !net_contains(conf.proxies.v, conf.proxies.n, &a), "10/8 excludes");
	TEST(addr_parse(&a, "192.168.4.4") == 0 &&
	    net_contains(conf.proxies.v, conf.proxies.n, &a),
	    "mapped prefix folds into IPv4");

	c = client_of("127.0.0.1", "GET / HTTP/1.1\r\n"
	    "X-Forwarded-For: 203.0.113.9\r\n\r\n", &st);
	TEST(st == ST_OK && strcmp(c, "203.0.113.9") == 0,
	    "trusted peer: X-Forwarded-For");
	c = client_of("203.0.113.1", "GET / HTTP/1.1\r\n"
	    "X-Forwarded-For: 198.51.100.1\r\nX-Real-IP: 198.51.100.2\r\n\r\n",
	    &st);
	TEST(st == ST_OK && strcmp(c, "203.0.113.1") == 0,
	    "untrusted peer: headers ignored");
	c = client_of("203.0.113.1", "GET / HTTP/1.1\r\n"
	    "X-Forwarded-For: junk\r\n\r\n", &st);
	TEST(st == ST_OK && strcmp(c, "203.0.113.1") == 0,
	    "untrusted peer: junk ignored");
	c = client_of("127.0.0.1", "GET / HTTP/1.1\r\n"
	    "X-Forwarded-For: 198.51.100.7, 203.0.113.5, 10.1.1.1\r\n\r\n", &st);
	TEST(st == ST_OK && strcmp(c, "203.0.113.5") == 0,
	    "rightmost untrusted element");
	c = client_of("127.0.0.1", "GET / HTTP/1.1\r\n"
	    "X-Forwarded-For: 10.9.9.9,10.1.1.1\r\n\r\n", &st);
	TEST(st == ST_OK && strcmp(c, "10.9.9.9") == 0,
	    "all trusted: the leftmost");
	c = client_of("::1", "GET / HTTP/1.1\r\n"
	    "X-Forwarded-For: ::ffff:198.51.100.3\r\n\r\n", &st);
	TEST(st == ST_OK && strcmp(c, "198.51.100.3") == 0,
	    "forwarded IPv4-mapped becomes IPv4");
	c = client_of("127.0.0.1", "GET / HTTP/1.1\r\n"
	    "X-Forwarded-For: evil.example\r\n\r\n", &st);
	TEST(st == ST_BADREQ, "trusted peer, a name in X-Forwarded-For: 400");
	c = client_of("127.0.0.1", "GET / HTTP/1.1\r\n"
	    "X-Forwarded-For: 1.2.3.4,\r\n\r\n", &st);
	TEST(st == ST_BADREQ, "empty element: 400");
	c = client_of("127.0.0.1", "GET / HTTP/1.1\r\n"
	    "X-Forwarded-For: 1.2.3.4:5678\r\n\r\n", &st);
	TEST(st == ST_BADREQ, "element with a port: 400");
	c = client_of("127.0.0.1", "GET / HTTP/1.1\r\n"
	    "X-Real-IP: 2001:db8::5\r\n\r\n", &st);
	TEST(st == ST_OK && strcmp(c, "2001:db8::5") == 0, "X-Real-IP");
	c = client_of("127.0.0.1", "GET / HTTP/1.1\r\n"
	    "X-Real-IP: unknown\r\n\r\n", &st);
	TEST(st == ST_BADREQ, "X-Real-IP not an address: 400");
	c = client_of("127.0.0.1", "GET / HTTP/1.1\r\n"
	    "X-Real-IP: 198.51.100.9\r\nX-Forwarded-For: 198.51.100.8\r\n\r\n",
	    &st);
	TEST(st == ST_OK && strcmp(c, "198.51.100.8") == 0,
	    "X-Forwarded-For wins over X-Real-IP");
	free(conf.proxies.v);
	return TEST_DONE();
}
