/*
 * Credentials: HTTP Basic (dyndns2, and lego's httpreq for ACME) and
 * acme-dns's X-Api-User and X-Api-Key.  The secret is a client's key,
 * found through the lookup in time that tells nothing about it; the user
 * must name that client, by its section name or its host.  The buffer
 * that held the secret is cleared once it was looked up.
 */
#include <string.h>
#include <strings.h>

#include "sftdyn.h"

static int
b64_value(char ch)
{
	static const char alphabet[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const char *p = ch != '\0' ? strchr(alphabet, ch) : NULL;

	return p != NULL ? (int)(p - alphabet) : -1;
}

/*
 * Decodes base64 (RFC 4648, padding optional) into out, NUL-terminated.
 * Returns the length, or -1 when in is not base64 or decodes to a NUL.
 */
static long
b64_decode(char *out, const char *in, size_t len)
{
	unsigned long bits = 0;
	size_t i, n = 0;
	int nbits = 0, v;

	while (len > 0 && in[len - 1] == '=' && len % 4 != 1)
		len--;
	if (len % 4 == 1)
		return -1;
	for (i = 0; i < len; i++) {
		if ((v = b64_value(in[i])) < 0)
			return -1;
		bits = (bits << 6 | (unsigned long)v) & 0xffffff;
		if ((nbits += 6) >= 8) {
			nbits -= 8;
			if ((out[n++] = (char)(bits >> nbits & 0xff)) == '\0')
				return -1;
		}
	}
	out[n] = '\0';
	return (long)n;
}

/*
 * Reads the request's Authorization header: "Basic" (any case), spaces,
 * base64 of "user:password".  Returns 0 with cr->user and cr->pass set,
 * or -1 when there is none, more than one, or it is malformed.
 */
int
auth_basic(struct credentials *cr, const struct request *req)
{
	const char *v = req->auth.v, *end = req->auth.v + req->auth.len;
	char *colon;

	memset(cr, 0, sizeof(*cr));
	if (req->auth.n != 1 || req->auth.len < 6 ||
	    strncasecmp(v, "Basic ", 6) != 0)
		return -1;
	for (v += 6; v < end && (*v == ' ' || *v == '\t'); v++)
		;
	if ((size_t)(end - v) * 3 / 4 + 3 > sizeof(cr->buf) ||
	    b64_decode(cr->buf, v, (size_t)(end - v)) < 0 ||
	    (colon = strchr(cr->buf, ':')) == NULL)
		return -1;
	*colon = '\0';
	cr->user = cr->buf;
	cr->pass = colon + 1;
	return 0;
}

/*
 * Reads acme-dns's X-Api-User and X-Api-Key, each given once.  Returns 0
 * with cr->user and cr->pass set, or -1.
 */
int
auth_api(struct credentials *cr, const struct request *req)
{
	const struct header *u = &req->api_user, *k = &req->api_key;

	memset(cr, 0, sizeof(*cr));
	if (u->n != 1 || k->n != 1 || u->len + k->len + 2 > sizeof(cr->buf))
		return -1;
	memcpy(cr->buf, u->v, u->len);
	memcpy(cr->buf + u->len + 1, k->v, k->len);
	cr->user = cr->buf;
	cr->pass = cr->buf + u->len + 1;
	return 0;
}

/*
 * Which of client cl's names name is (any case, one trailing dot
 * ignored): its index, or -1.
 */
int
client_name_index(const struct client *cl, const char *name)
{
	size_t i;

	for (i = 0; i < cl->hosts.n; i++)
		if (host_equal(name, cl->hosts.v[i]))
			return (int)i;
	return -1;
}

/* Whether user names client cl: its section name, or one of its names. */
int
auth_user_matches(const struct client *cl, const char *user)
{
	return strcmp(user, cl->name) == 0 || client_name_index(cl, user) >= 0;
}

/*
 * Finds the client that cr name: the one whose key is the secret, if the
 * user names it.  Sets x->client; clears cr.  Returns FOUND, FOUND_NONE,
 * or FOUND_BROKEN when the configuration could not be read.
 */
enum found
auth_client(struct exchange *x, struct credentials *cr)
{
	const struct client *cl = NULL;
	enum found f = FOUND_NONE;

	if (cr->pass != NULL && *cr->pass != '\0')
		f = lookup_client(x->lookup, cr->pass, &x->addr, &cl);
	if (f == FOUND && !auth_user_matches(cl, cr->user))
		f = FOUND_NONE;
	explicit_bzero(cr->buf, sizeof(cr->buf));
	x->client = f == FOUND ? cl : NULL;
	return f;
}
