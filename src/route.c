/*
 * Which protocol a request path belongs to: the one table of the paths
 * that are not secret-URL keys.  The router (main.c) hands a request to
 * its protocol by it, and -t (conf.c) refuses a client key that would be
 * one of them, so that a key is never a path another protocol serves.
 * A path is one of the table's when the request-target, without its
 * leading '/', is exactly it, or it and a query ("?...").
 */
#include <stdio.h>
#include <string.h>

#include "sftdyn.h"

static const struct {
	const char	*path;
	enum route	 route;
} routes[] = {
	{ "nic/update",	ROUTE_DYNDNS2 },	/* Dyn's, ddclient's */
	{ "v3/update",	ROUTE_DYNDNS2 },	/* OpenWrt's dyndns.org */
	{ "present",	ROUTE_PRESENT },	/* lego's httpreq */
	{ "cleanup",	ROUTE_CLEANUP },
	{ "update",	ROUTE_UPDATE },		/* acme-dns's */
};
#define NROUTES	(sizeof(routes) / sizeof(routes[0]))

/* The protocol of key, a request-target without its leading '/'. */
enum route
route_of(const char *key)
{
	size_t i;

	for (i = 0; i < NROUTES; i++)
		if (has_prefix(key, routes[i].path, "?"))
			return routes[i].route;
	return ROUTE_SECRET;
}

/* The first path of route r ("-" for the secret URL, which has none). */
const char *
route_path(enum route r)
{
	size_t i;

	for (i = 0; i < NROUTES; i++)
		if (routes[i].route == r)
			return routes[i].path;
	return "-";
}

/* Every path of the table, as "/nic/update, /v3/update, ...". */
const char *
route_paths(void)
{
	static char list[128];
	size_t i, len = 0;

	for (i = 0; i < NROUTES && len < sizeof(list); i++)
		len += (size_t)snprintf(list + len, sizeof(list) - len, "%s/%s",
		    i ? ", " : "", routes[i].path);
	return list;
}
