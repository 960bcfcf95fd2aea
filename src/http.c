/*
 * HTTP/1.x: reading and parsing one request head (and the small body of
 * an ACME request), and writing the answer.  Every kind of bad input
 * maps to one precise status.
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "sftdyn.h"

/* tchar, RFC 9110 section 5.6.2 */
static int
is_tchar(unsigned char ch)
{
	return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') ||
	    (ch >= 'A' && ch <= 'Z') ||
	    (ch != '\0' && strchr("!#$%&'*+-.^_`|~", ch) != NULL);
}

static int
is_token(const char *s, size_t len)
{
	size_t i;

	if (len == 0)
		return 0;
	for (i = 0; i < len; i++)
		if (!is_tchar((unsigned char)s[i]))
			return 0;
	return 1;
}

/*
 * Returns the length of the head, empty line included, or -1 when the
 * buffer does not hold a whole head yet.  CRLF and bare LF both end lines.
 */
long
http_head_end(const char *buf, size_t len)
{
	const char *p = buf, *end = buf + len, *nl;

	while ((nl = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		if (nl == p || (nl == p + 1 && *p == '\r'))
			return nl + 1 - buf;
		p = nl + 1;
	}
	return -1;
}

/*
 * Returns ST_URI when the request line, complete or not, already carries a
 * request-target longer than TARGET_MAX, else 0.
 */
static enum status
http_target_overflow(const char *buf, size_t len)
{
	const char *nl = memchr(buf, '\n', len);
	const char *sp, *tend;

	if (nl != NULL)
		len = (size_t)(nl - buf);
	if ((sp = memchr(buf, ' ', len)) == NULL)
		return 0;
	sp++;
	tend = memchr(sp, ' ', len - (size_t)(sp - buf));
	if (tend == NULL)
		tend = buf + len;
	return tend - sp > TARGET_MAX ? ST_URI : 0;
}

/*
 * Reduces an absolute-form target ("http://host:8080/key?q") to its path
 * and query.  Returns the origin-form part, or NULL when the target is in
 * neither form.
 */
static const char *
http_origin_form(const char *target)
{
	const char *authority;
	size_t len;

	if (target[0] == '/')
		return target;
	if (strncasecmp(target, "http://", 7) == 0)
		authority = target + 7;
	else if (strncasecmp(target, "https://", 8) == 0)
		authority = target + 8;
	else
		return NULL;
	if ((len = strcspn(authority, "/?")) == 0)
		return NULL;
	return authority + len;
}

/*
 * request-line = method SP request-target SP HTTP-version
 * Fills in the method and target; returns ST_OK or the status it fails with.
 */
static enum status
parse_request_line(struct request *req, const char *line, size_t len)
{
	const char *sp1, *sp2, *origin;
	char target[TARGET_MAX + 1];
	size_t mlen, tlen;

	if ((sp1 = memchr(line, ' ', len)) == NULL)
		return ST_BADREQ;
	mlen = (size_t)(sp1 - line);
	sp2 = memchr(sp1 + 1, ' ', len - mlen - 1);
	if (sp2 == NULL)
		return http_target_overflow(line, len) ? ST_URI : ST_BADREQ;
	tlen = (size_t)(sp2 - sp1 - 1);
	if (tlen > TARGET_MAX)
		return ST_URI;
	if (!is_token(line, mlen) || tlen == 0)
		return ST_BADREQ;
	if (len - (size_t)(sp2 + 1 - line) != 8 ||
	    (memcmp(sp2 + 1, "HTTP/1.1", 8) != 0 &&
	    memcmp(sp2 + 1, "HTTP/1.0", 8) != 0))
		return ST_BADREQ;
	memcpy(target, sp1 + 1, tlen);
	target[tlen] = '\0';
	if (strpbrk(target, " \t") != NULL)
		return ST_BADREQ;
	if ((origin = http_origin_form(target)) == NULL)
		return ST_BADREQ;
	req->target[0] = '/';
	tlen = strlen(origin);
	if (*origin == '/')
		memcpy(req->target, origin, tlen + 1);
	else
		memcpy(req->target + 1, origin, tlen + 1);
	req->key = req->target + 1;
	if (mlen == 3 && memcmp(line, "GET", 3) == 0)
		req->method = METHOD_GET;
	else if (mlen == 4 && memcmp(line, "HEAD", 4) == 0)
		req->method = METHOD_HEAD;
	else if (mlen == 4 && memcmp(line, "POST", 4) == 0)
		req->method = METHOD_POST;
	else
		req->method = METHOD_OTHER;	/* routing answers 405 */
	return ST_OK;
}

/*
 * X-Forwarded-For, joined, and X-Real-IP, of the request being parsed:
 * apart from struct request, so that their pages are touched only when a
 * request carries them.
 */
static char xff_list[HEAD_MAX], xrealip_value[HEAD_MAX];

/* Appends a header value to a comma-joined list; 0, or -1 when full. */
static int
append_value(char *list, size_t size, const char *v, size_t vlen)
{
	size_t used = strlen(list);

	if (used + vlen + 2 > size)
		return -1;
	if (used > 0)
		list[used++] = ',';
	memcpy(list + used, v, vlen);
	list[used + vlen] = '\0';
	return 0;
}

/*
 * Content-Length = 1*DIGIT; a value too large for a long is as good as
 * infinite (413).  Given twice it must say the same.  Returns ST_OK or
 * ST_BADREQ.
 */
static enum status
parse_length(struct request *req, const char *v, size_t len)
{
	long n = 0;
	size_t i;

	if (len == 0)
		return ST_BADREQ;
	for (i = 0; i < len; i++) {
		if (v[i] < '0' || v[i] > '9')
			return ST_BADREQ;
		n = n > (LONG_MAX - 9) / 10 ? LONG_MAX : n * 10 + (v[i] - '0');
	}
	if (req->content_length >= 0 && req->content_length != n)
		return ST_BADREQ;
	req->content_length = n;
	return ST_OK;
}

/* Where a header's value lies; the last one counts, n says how many. */
static void
keep_header(struct header *h, const char *v, size_t len)
{
	h->v = v;
	h->len = len;
	h->n++;
}

/* Whether the header name [line, line + nlen) is name, in any case. */
static int
is_header(const char *line, size_t nlen, const char *name)
{
	return nlen == strlen(name) && strncasecmp(line, name, nlen) == 0;
}

/*
 * header-field = field-name ":" OWS field-value OWS
 * Keeps X-Forwarded-For (joined, in order), X-Real-IP, where the values
 * of Authorization, X-Api-User, X-Api-Key and Accept are, Content-Length,
 * and whether a Transfer-Encoding came.
 */
static enum status
parse_header(struct request *req, const char *line, size_t len)
{
	const char *colon = memchr(line, ':', len), *v, *vend;
	size_t nlen, vlen;

	if (colon == NULL || !is_token(line, (size_t)(colon - line)))
		return ST_BADREQ;
	nlen = (size_t)(colon - line);
	v = colon + 1;
	vend = line + len;
	while (v < vend && (*v == ' ' || *v == '\t'))
		v++;
	while (vend > v && (vend[-1] == ' ' || vend[-1] == '\t'))
		vend--;
	vlen = (size_t)(vend - v);
	if (is_header(line, nlen, "X-Forwarded-For")) {
		if (req->xff == NULL)
			xff_list[0] = '\0';
		req->xff = xff_list;
		if (append_value(xff_list, sizeof(xff_list), v, vlen) != 0)
			return ST_HEADERS;
	} else if (is_header(line, nlen, "Authorization"))
		keep_header(&req->auth, v, vlen);
	else if (is_header(line, nlen, "X-Api-User"))
		keep_header(&req->api_user, v, vlen);
	else if (is_header(line, nlen, "X-Api-Key"))
		keep_header(&req->api_key, v, vlen);
	else if (is_header(line, nlen, "Accept"))
		keep_header(&req->accept, v, vlen);
	else if (is_header(line, nlen, "Content-Length"))
		return parse_length(req, v, vlen);
	else if (is_header(line, nlen, "Transfer-Encoding"))
		req->transfer_encoding = 1;
	else if (is_header(line, nlen, "X-Real-IP")) {
		if (req->xrealip != NULL)
			return ST_BADREQ;	/* which one would be true? */
		xrealip_value[0] = '\0';
		append_value(xrealip_value, sizeof(xrealip_value), v, vlen);
		req->xrealip = xrealip_value;
	}
	return ST_OK;
}

/* Returns 1 when buf holds a NUL, a control byte or a CR not before LF. */
static int
has_bad_bytes(const char *buf, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)buf[i];

		if (ch == '\r' && i + 1 < len && buf[i + 1] == '\n')
			continue;
		if ((ch < 0x20 && ch != '\t' && ch != '\n') || ch == 0x7f)
			return 1;
	}
	return 0;
}

/*
 * Starts an empty request.  Its target is not cleared, only ended where
 * it starts: a handler's pages are touched only as needed.
 */
void
request_init(struct request *req)
{
	static const struct header none;

	req->method = METHOD_GET;
	req->target[0] = '/';
	req->target[1] = '\0';
	req->key = req->target + 1;
	req->xff = req->xrealip = NULL;
	req->auth = req->api_user = req->api_key = req->accept = none;
	req->content_length = -1;
	req->transfer_encoding = 0;
}

/*
 * Parses a complete request head (as found by http_head_end()).
 * Returns ST_OK or the status the request earns.
 */
enum status
http_parse_head(struct request *req, const char *buf, size_t len)
{
	const char *p = buf, *end = buf + len, *nl;
	enum status st = ST_OK, hst;
	size_t llen;
	int first = 1;

	request_init(req);
	if (len > HEAD_MAX)
		return http_target_overflow(buf, len) ? ST_URI : ST_HEADERS;
	if (has_bad_bytes(buf, len))
		return ST_BADREQ;
	while ((nl = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		llen = (size_t)(nl - p);
		if (llen > 0 && p[llen - 1] == '\r')
			llen--;
		if (llen == 0)
			break;
		if (first) {
			if ((st = parse_request_line(req, p, llen)) != ST_OK)
				return st;
			first = 0;
		} else if (*p == ' ' || *p == '\t')
			return ST_BADREQ;	/* obsolete line folding */
		else if ((hst = parse_header(req, p, llen)) != ST_OK)
			return hst;
		p = nl + 1;
	}
	return first ? ST_BADREQ : st;
}

/*
 * Reads from the connection until a whole request head has arrived, then
 * parses it.  Returns ST_OK, the status for bad input, or 0 when the
 * connection ended or failed before a head arrived (nothing to answer).
 */
enum status
http_read_head(struct conn *conn, struct request *req)
{
	long end;
	int n;

	for (;;) {
		const char *buf = conn->buf + conn->off;
		size_t len = conn->len - conn->off;

		if ((end = http_head_end(buf, len)) >= 0) {
			conn->off += (size_t)end;
			return http_parse_head(req, buf, (size_t)end);
		}
		if (http_target_overflow(buf, len))
			return ST_URI;
		if (len >= HEAD_MAX)
			return ST_HEADERS;
		if ((n = conn_fill(conn)) <= 0)
			return n == 0 && len > 0 ? ST_BADREQ : 0;
	}
}

/*
 * Reads the request's body into buf (at most max bytes, NUL-terminated)
 * within the request's deadline.  Returns ST_OK with *len set; ST_NOTIMPL
 * for a Transfer-Encoding; ST_LENGTH without Content-Length; ST_TOOLARGE
 * for more than max bytes, of which nothing is read; ST_TIMEOUT when it
 * did not arrive in time; ST_BADREQ when the client ended first.
 */
enum status
http_read_body(struct conn *conn, const struct request *req, char *buf,
    size_t max, size_t *len)
{
	size_t want, have;
	ssize_t n;

	*len = 0;
	if (req->transfer_encoding)
		return ST_NOTIMPL;
	if (req->content_length < 0)
		return ST_LENGTH;
	if ((unsigned long)req->content_length > max)
		return ST_TOOLARGE;
	want = (size_t)req->content_length;
	have = conn->len - conn->off;
	if (have > want)
		have = want;
	memcpy(buf, conn->buf + conn->off, have);
	conn->off += have;
	while (have < want) {
		if ((n = conn_read(conn, buf + have, want - have)) <= 0)
			return deadline_expired() ? ST_TIMEOUT : ST_BADREQ;
		have += (size_t)n;
	}
	buf[have] = '\0';
	*len = have;
	return ST_OK;
}

/*
 * Whether the request's Accept header (one) names application/json
 * before text/plain: its media ranges, parameters and case aside, in
 * the order given.
 */
int
http_wants_json(const struct request *req)
{
	const char *p = req->accept.v, *end = p + req->accept.len, *e;
	size_t n;

	if (req->accept.n != 1)
		return 0;
	for (; p < end; p = e + 1) {
		if ((e = memchr(p, ',', (size_t)(end - p))) == NULL)
			e = end;
		while (p < e && (*p == ' ' || *p == '\t'))
			p++;
		for (n = 0; p + n < e && p[n] != ' ' && p[n] != '\t' &&
		    p[n] != ';'; n++)
			;
		if (n == 16 && strncasecmp(p, "application/json", n) == 0)
			return 1;
		if (n == 10 && strncasecmp(p, "text/plain", n) == 0)
			return 0;
	}
	return 0;
}

static const char *
http_reason(enum status st)
{
	switch (st) {
	case ST_OK:		return "OK";
	case ST_BADREQ:		return "Bad Request";
	case ST_UNAUTH:		return "Unauthorized";
	case ST_FORBIDDEN:	return "Forbidden";
	case ST_METHOD:		return "Method Not Allowed";
	case ST_TIMEOUT:	return "Request Timeout";
	case ST_LENGTH:		return "Length Required";
	case ST_TOOLARGE:	return "Content Too Large";
	case ST_URI:		return "URI Too Long";
	case ST_TOOMANY:	return "Too Many Requests";
	case ST_HEADERS:	return "Request Header Fields Too Large";
	case ST_ERROR:		return "Internal Server Error";
	case ST_NOTIMPL:	return "Not Implemented";
	}
	return "Error";
}

/* The one-word body of an answer that carries no result of its own. */
const char *
http_word(enum status st)
{
	switch (st) {
	case ST_BADREQ:		return "BADREQUEST";
	case ST_UNAUTH:		return "badauth";
	case ST_FORBIDDEN:	return "BADKEY";
	case ST_METHOD:		return "BADMETHOD";
	case ST_TIMEOUT:	return "TIMEOUT";
	case ST_LENGTH:		return "LENGTHREQUIRED";
	case ST_TOOLARGE:	return "TOOLARGE";
	case ST_URI:		return "URITOOLONG";
	case ST_TOOMANY:	return "ABUSE";
	case ST_HEADERS:	return "HEADTOOLARGE";
	case ST_NOTIMPL:	return "NOTIMPLEMENTED";
	case ST_OK:
	case ST_ERROR:		break;
	}
	return "FAIL";
}

/* The headers that depend on the answer: Allow, WWW-Authenticate, ... */
static void
http_extra(char *buf, size_t size, const struct answer *a)
{
	int n = 0;

	buf[0] = '\0';
	if (a->status == ST_METHOD)
		n = snprintf(buf, size, "Allow: %s\r\n",
		    a->allow ? a->allow : "GET, HEAD");
	else if (a->status == ST_UNAUTH && a->challenge)
		n = snprintf(buf, size,
		    "WWW-Authenticate: Basic realm=\"sftdyn\"\r\n");
	if (a->retry_after > 0 && n >= 0 && (size_t)n < size)
		snprintf(buf + n, size - (size_t)n, "Retry-After: %ld\r\n",
		    a->retry_after);
}

/*
 * Formats the whole response to a into buf: status line, the fixed
 * headers and those a asks for, and the body plus newline unless the
 * method is HEAD.  Returns its length, or -1 when it does not fit.
 */
int
http_format(char *buf, size_t size, enum method m, const struct answer *a)
{
	const char *body = a->body ? a->body : http_word(a->status);
	char extra[128];
	int n;

	http_extra(extra, sizeof(extra), a);
	n = snprintf(buf, size, "HTTP/1.1 %d %s\r\n"
	    "Content-Type: %s\r\n"
	    "Content-Length: %zu\r\n"
	    "Cache-Control: no-store\r\n"
	    "%s"
	    "Connection: close\r\n"
	    "\r\n"
	    "%s%s",
	    (int)a->status, http_reason(a->status),
	    a->ctype ? a->ctype : "text/plain; charset=utf-8",
	    strlen(body) + 1, extra,
	    m == METHOD_HEAD ? "" : body, m == METHOD_HEAD ? "" : "\n");
	return n < 0 || (size_t)n >= size ? -1 : n;
}

/* Writes the answer; returns 0, or -1 when the connection failed. */
int
http_respond(struct conn *conn, enum method m, const struct answer *a)
{
	char buf[512 + sizeof(((struct exchange *)0)->body)];
	int n;

	if ((n = http_format(buf, sizeof(buf), m, a)) < 0)
		return -1;
	return conn_write(conn, buf, (size_t)n);
}
