/*
 * Where the client address comes from: the immediate peer (environment of
 * systemd, xinetd, stunnel or ucspi-tcp, else getpeername), then, from a
 * trusted proxy only, X-Forwarded-For or X-Real-IP.
 */
#include <sys/socket.h>

#include <stdlib.h>
#include <string.h>

#include "sftdyn.h"

/*
 * Finds the immediate peer of the connection on fd.  Returns ST_OK,
 * ST_BADREQ when the environment names something that is not an address,
 * or ST_ERROR when there is no peer address at all.
 */
enum status
peer_immediate(struct addr *a, int fd)
{
	static const char *const vars[] = {
		"REMOTE_ADDR", "REMOTE_HOST", "TCPREMOTEIP"
	};
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	const char *v;
	size_t i;

	for (i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) {
		if ((v = getenv(vars[i])) == NULL || *v == '\0')
			continue;
		if (addr_parse(a, v) != 0) {
			log_warn("%s is not an address", vars[i]);
			return ST_BADREQ;
		}
		return ST_OK;
	}
	if (getpeername(fd, (struct sockaddr *)&ss, &len) == 0 &&
	    addr_from_sockaddr(a, (struct sockaddr *)&ss, len) == 0)
		return ST_OK;
	log_err("the connection has no peer address");
	return ST_ERROR;
}

/* Copies list element [s, e) trimmed of blanks into a. */
static int
parse_element(struct addr *a, const char *s, const char *e)
{
	while (s < e && (*s == ' ' || *s == '\t'))
		s++;
	while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	return addr_parsen(a, s, (size_t)(e - s));
}

/*
 * X-Forwarded-For = address *( "," address )
 * The client is the rightmost address that is not a trusted proxy, or the
 * leftmost when all of them are.  Returns ST_OK, or ST_BADREQ when an
 * element is not an address.
 */
static enum status
peer_from_xff(struct addr *a, const struct conf *c, const char *list)
{
	const char *end = list + strlen(list), *comma;
	struct addr cand;

	for (;;) {
		for (comma = end; comma > list && comma[-1] != ','; comma--)
			;
		if (parse_element(&cand, comma, end) != 0)
			return ST_BADREQ;
		*a = cand;
		if (comma == list || !net_contains(c->proxies.v, c->proxies.n, a))
			return ST_OK;
		end = comma - 1;
	}
}

/*
 * Replaces a with the forwarded client address when a is a trusted proxy
 * and the request names one.  Returns ST_OK, or ST_BADREQ for a header
 * that does not hold addresses.
 */
enum status
peer_forwarded(struct addr *a, const struct conf *c, const struct request *r)
{
	const char *s;

	if (!net_contains(c->proxies.v, c->proxies.n, a))
		return ST_OK;
	if (r->xff != NULL)
		return peer_from_xff(a, c, r->xff);
	if (r->xrealip != NULL) {
		s = r->xrealip;
		return parse_element(a, s, s + strlen(s)) == 0 ?
		    ST_OK : ST_BADREQ;
	}
	return ST_OK;
}
