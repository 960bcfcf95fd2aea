/* Unit tests for the request parser: every status a request head earns. */
#include <limits.h>
#include <stdlib.h>

#include "sftdyn.h"
#include "tap.h"

static struct request req;

static enum status
parse(const char *head)
{
	return http_parse_head(&req, head, strlen(head));
}

static enum status
parse_n(const char *head, size_t len)
{
	return http_parse_head(&req, head, len);
}

/* A head of exactly len bytes: a GET with one long header. */
static char *
head_of(size_t len)
{
	static const char pre[] = "GET / HTTP/1.1\r\nX-Pad: ";
	char *h = malloc(len + 1);

	memcpy(h, pre, sizeof(pre) - 1);
	memset(h + sizeof(pre) - 1, 'x', len - (sizeof(pre) - 1) - 4);
	memcpy(h + len - 4, "\r\n\r\n", 5);
	return h;
}

static char *
target_of(size_t tlen)
{
	char *h = malloc(tlen + 32);

	strcpy(h, "GET /");
	memset(h + 5, 'k', tlen - 1);
	strcpy(h + 4 + tlen, " HTTP/1.1\r\n\r\n");
	return h;
}

int
main(void)
{
	char *h;
	char resp[512];
	int n;

	TEST(parse("GET / HTTP/1.1\r\nHost: x\r\n\r\n") == ST_OK, "plain GET");
	TEST(req.method == METHOD_GET && strcmp(req.key, "") == 0, "empty key");
	TEST(parse("HEAD /k?x=1 HTTP/1.0\r\n\r\n") == ST_OK, "HEAD, 1.0");
	TEST(req.method == METHOD_HEAD && strcmp(req.key, "k?x=1") == 0,
	    "key keeps the query string");
	TEST(parse("GET /a HTTP/1.1\n\n") == ST_OK, "bare LF tolerated");
	TEST(parse("GET http://h:8080/key?q HTTP/1.1\r\n\r\n") == ST_OK &&
	    strcmp(req.key, "key?q") == 0, "absolute-form reduced to path");
	TEST(parse("GET HTTP://h?q HTTP/1.1\r\n\r\n") == ST_OK &&
	    strcmp(req.target, "/?q") == 0, "absolute-form without a path");
	TEST(parse("GET http:///x HTTP/1.1\r\n\r\n") == ST_BADREQ,
	    "absolute-form without authority");
	TEST(parse("GET * HTTP/1.1\r\n\r\n") == ST_BADREQ, "asterisk-form");
	TEST(parse("POST /k HTTP/1.1\r\n\r\n") == ST_OK &&
	    req.method == METHOD_POST && req.content_length == -1,
	    "POST, no Content-Length");
	TEST(parse("PUT /k HTTP/1.1\r\nContent-Length: 0\r\n\r\n") == ST_OK &&
	    req.method == METHOD_OTHER && req.content_length == 0,
	    "PUT: another method (routing answers 405)");
	TEST(parse("get /k HTTP/1.1\r\n\r\n") == ST_OK &&
	    req.method == METHOD_OTHER, "methods are case-sensitive");
	TEST(parse("POST /k HTTP/1.1\r\nContent-Length: 0012\r\n\r\n") == ST_OK &&
	    req.content_length == 12, "Content-Length");
	TEST(parse("POST /k HTTP/1.1\r\nContent-Length: 99999999999999999999999\r\n\r\n")
	    == ST_OK && req.content_length == LONG_MAX, "a huge Content-Length");
	TEST(parse("POST /k HTTP/1.1\r\nContent-Length: -1\r\n\r\n") == ST_BADREQ,
	    "a negative Content-Length");
	TEST(parse("POST /k HTTP/1.1\r\nContent-Length: 1 2\r\n\r\n") == ST_BADREQ,
	    "a Content-Length list");
	TEST(parse("POST /k HTTP/1.1\r\nContent-Length: 3\r\ncontent-length: 3\r\n\r\n")
	    == ST_OK && req.content_length == 3, "the same Content-Length twice");
	TEST(parse("POST /k HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n")
	    == ST_BADREQ, "two Content-Lengths that differ");
	TEST(parse("POST /k HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n") == ST_OK &&
	    req.transfer_encoding, "Transfer-Encoding seen");
	TEST(parse("POST /k HTTP/1.1\r\nX-Api-User: u\r\nx-api-key:  k \r\n\r\n") == ST_OK &&
	    req.api_user.n == 1 && req.api_user.len == 1 && req.api_key.len == 1 &&
	    req.api_key.v[0] == 'k', "X-Api-User and X-Api-Key");
	TEST(parse("G(T /k HTTP/1.1\r\n\r\n") == ST_BADREQ, "bad method token");
	TEST(parse("PATCH /k HTTP/2.0\r\n\r\n") == ST_BADREQ,
	    "a bad version wins over the method");
	TEST(parse("GET /k\r\n\r\n") == ST_BADREQ, "missing version");
	TEST(parse("GET /k HTTP/2.0\r\n\r\n") == ST_BADREQ, "HTTP/2.0");
	TEST(parse("GET /k HTTP/1.2\r\n\r\n") == ST_BADREQ, "HTTP/1.2");
	TEST(parse("GET /k http/1.1\r\n\r\n") == ST_BADREQ, "lower-case version");
	TEST(parse("GET /k HTTP/1.1 \r\n\r\n") == ST_BADREQ, "trailing space");
	TEST(parse("GET  /k HTTP/1.1\r\n\r\n") == ST_BADREQ, "double space");
	TEST(parse("GET /a b HTTP/1.1\r\n\r\n") == ST_BADREQ, "space in target");
	TEST(parse("GET /a\tb HTTP/1.1\r\n\r\n") == ST_BADREQ, "tab in target");
	TEST(parse_n("GET /a\0b HTTP/1.1\r\n\r\n", 21) == ST_BADREQ, "NUL");
	TEST(parse("GET /a\x01 HTTP/1.1\r\n\r\n") == ST_BADREQ, "control byte");
	TEST(parse("GET /a\x7f HTTP/1.1\r\n\r\n") == ST_BADREQ, "DEL");
	TEST(parse("GET /a\rb HTTP/1.1\r\n\r\n") == ST_BADREQ, "bare CR");
	TEST(parse("GET /a HTTP/1.1\r\nX: a\x1b[0m\r\n\r\n") == ST_BADREQ,
	    "escape in a header value");
	TEST(parse("GET /a HTTP/1.1\r\nX: a\tb\r\n\r\n") == ST_OK,
	    "tab in a header value");
	TEST(parse("GET /a HTTP/1.1\r\nNoColon\r\n\r\n") == ST_BADREQ,
	    "header without a colon");
	TEST(parse("GET /a HTTP/1.1\r\nBad Name: x\r\n\r\n") == ST_BADREQ,
	    "space in a header name");
	TEST(parse("GET /a HTTP/1.1\r\n: x\r\n\r\n") == ST_BADREQ,
	    "empty header name");
	TEST(parse("GET /a HTTP/1.1\r\nX: a\r\n b\r\n\r\n") == ST_BADREQ,
	    "obsolete line folding");
	TEST(parse("\r\n") == ST_BADREQ, "empty head");
	TEST(parse("GET /a HTTP/1.1\r\nX-Forwarded-For: 1.2.3.4\r\n"
	    "x-forwarded-for:  5.6.7.8 , 9.9.9.9\r\n\r\n") == ST_OK &&
	    req.xff != NULL && strcmp(req.xff, "1.2.3.4,5.6.7.8 , 9.9.9.9") == 0,
	    "X-Forwarded-For headers joined in order");
	TEST(parse("GET /a HTTP/1.1\r\nX-Real-IP: ::1\r\n\r\n") == ST_OK &&
	    req.xrealip != NULL && strcmp(req.xrealip, "::1") == 0, "X-Real-IP");
	TEST(parse("GET /a HTTP/1.1\r\nX-Real-IP: ::1\r\nX-Real-IP: ::2\r\n\r\n")
	    == ST_BADREQ, "two X-Real-IP");

	h = target_of(TARGET_MAX);
	TEST(parse(h) == ST_OK, "target of %d bytes", TARGET_MAX);
	free(h);
	h = target_of(TARGET_MAX + 1);
	TEST(parse(h) == ST_URI, "target of %d bytes: 414", TARGET_MAX + 1);
	free(h);
	h = head_of(HEAD_MAX);
	TEST(parse(h) == ST_OK, "head of %d bytes", HEAD_MAX);
	free(h);
	h = head_of(HEAD_MAX + 1);
	TEST(parse(h) == ST_HEADERS, "head of %d bytes: 431", HEAD_MAX + 1);
	free(h);

	TEST(http_head_end("GET / HTTP/1.1\r\n", 16) == -1, "head incomplete");
	TEST(http_head_end("GET / HTTP/1.1\r\n\r\nxyz", 21) == 18,
	    "head end found");
	TEST(http_head_end("GET / HTTP/1.1\n\nxyz", 19) == 16,
	    "head end found, bare LF");

	n = http_format(resp, sizeof(resp), METHOD_GET,
	    &(struct answer){ .status = ST_FORBIDDEN });
	TEST(n > 0 && strstr(resp, "HTTP/1.1 403 Forbidden\r\n") == resp &&
	    strstr(resp, "Content-Length: 7\r\n") &&
	    strstr(resp, "Cache-Control: no-store\r\n") &&
	    strstr(resp, "Connection: close\r\n") &&
	    strstr(resp, "Content-Type: text/plain; charset=utf-8\r\n") &&
	    strcmp(resp + n - 11, "\r\n\r\nBADKEY\n") == 0, "403 answer");
	n = http_format(resp, sizeof(resp), METHOD_HEAD,
	    &(struct answer){ .status = ST_METHOD });
	TEST(n > 0 && strstr(resp, "Allow: GET, HEAD\r\n") &&
	    strstr(resp, "Content-Length: 10\r\n") &&
	    strcmp(resp + n - 4, "\r\n\r\n") == 0, "HEAD: no body, 405: Allow");
	n = http_format(resp, sizeof(resp), METHOD_GET, &(struct answer){
	    .status = ST_METHOD, .allow = "POST" });
	TEST(n > 0 && strstr(resp, "Allow: POST\r\n"), "405 on ACME's paths: Allow: POST");
	n = http_format(resp, sizeof(resp), METHOD_POST, &(struct answer){
	    .status = ST_OK, .body = "{\"txt\":\"x\"}", .ctype = "application/json" });
	TEST(n > 0 && strstr(resp, "Content-Type: application/json\r\n") &&
	    strstr(resp, "Content-Length: 12\r\n"), "a JSON answer");
	n = http_format(resp, sizeof(resp), METHOD_GET, &(struct answer){
	    .status = ST_TOOMANY, .retry_after = 1800 });
	TEST(n > 0 && strstr(resp, "HTTP/1.1 429 Too Many Requests\r\n") &&
	    strstr(resp, "Retry-After: 1800\r\n") &&
	    strcmp(resp + n - 6, "ABUSE\n") == 0, "429 with Retry-After");
	n = http_format(resp, sizeof(resp), METHOD_GET, &(struct answer){
	    .status = ST_UNAUTH, .challenge = 1 });
	TEST(n > 0 && strstr(resp, "WWW-Authenticate: Basic realm=\"sftdyn\"\r\n"),
	    "401 with a challenge");
	n = http_format(resp, sizeof(resp), METHOD_GET, &(struct answer){
	    .status = ST_UNAUTH });
	TEST(n > 0 && !strstr(resp, "WWW-Authenticate"), "401 without one");
	return TEST_DONE();
}
