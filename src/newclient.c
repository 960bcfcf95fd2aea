/*
 * sftdyn --new-client NAME HOST...: a client section for a new client
 * with a fresh key, stored as its SHA-256 only, and the key itself,
 * shown this once, in the settings of each kind of client.  Nothing is
 * written: the configuration is read only to refuse a name or host
 * another client has, and for the server's URL (url).
 */
#include <stdio.h>
#include <string.h>

#include "sftdyn.h"

/* The server's URL taken apart: http or https, host[:port], and a path. */
struct url {
	int		 tls;
	char		 base[1024];	/* the whole URL, no trailing '/' */
	char		 server[512];	/* host[:port] */
	const char	*path;		/* in base: "" or "/...", no trailing
					   '/' */
};

static void
url_split(struct url *u, const char *text)
{
	size_t len, scheme;

	snprintf(u->base, sizeof(u->base), "%s", text);
	for (len = strlen(u->base); len > 0 && u->base[len - 1] == '/'; len--)
		u->base[len - 1] = '\0';
	u->tls = strncmp(u->base, "https://", 8) == 0;
	scheme = u->tls ? 8 : 7;
	len = strcspn(u->base + scheme, "/");
	snprintf(u->server, sizeof(u->server), "%.*s", (int)len,
	    u->base + scheme);
	u->path = u->base + scheme + len;
}

/*
 * Why name cannot be a new client's section name, or NULL: it is the
 * user of Basic credentials and goes unquoted into clients' files, so
 * letters, digits, '.', '_', '-' and '@' only.
 */
static const char *
client_name_why(const char *name)
{
	if (*name == '\0' || strlen(name) > HOST_MAX)
		return "is empty or longer than 253 bytes";
	if (strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789._-@") != strlen(name))
		return "holds other than letters, digits, '.', '_', '-' and '@'";
	return NULL;
}

/*
 * Whether name or one of hosts cannot be the new client's (reported on
 * stderr): not valid, given twice, or another client's (names_clash():
 * a wildcard's subtree is its client's alone).
 */
static int
taken(const struct conf *c, const char *name, char *const *hosts, int n)
{
	const char *why;
	size_t i, j;
	int k, m, bad = 0;

	if ((why = client_name_why(name)) != NULL) {
		fprintf(stderr, "sftdyn: client name \"%s\" %s\n", name, why);
		bad = 1;
	}
	for (k = 0; k < n; k++) {
		if ((why = valid_name_why(hosts[k])) != NULL) {
			fprintf(stderr, "sftdyn: host \"%s\" %s\n", hosts[k],
			    why);
			bad = 1;
		}
		for (m = 0; m < k; m++)
			if (host_equal(hosts[k], hosts[m])) {
				fprintf(stderr, "sftdyn: host \"%s\" is given "
				    "twice\n", hosts[k]);
				bad = 1;
			}
	}
	if (bad)
		return 1;
	for (i = 0; i < c->nclients; i++) {
		const struct client *cl = &c->clients[i];

		if (strcmp(cl->name, name) == 0) {
			fprintf(stderr, "sftdyn: there is a client \"%s\" "
			    "already\n", name);
			bad = 1;
		}
		for (k = 0; k < n; k++) {
			for (j = 0; j < cl->hosts.n; j++)
				if (names_clash(hosts[k], cl->hosts.v[j])) {
					fprintf(stderr, "sftdyn: host \"%s\": "
					    "client \"%s\" has \"%s\"\n",
					    hosts[k], cl->name, cl->hosts.v[j]);
					bad = 1;
				}
			for (j = 0; j < cl->lan.n; j++)
				if (names_clash(hosts[k], cl->lan.v[j].name)) {
					fprintf(stderr, "sftdyn: host \"%s\": "
					    "client \"%s\" has the LAN host "
					    "\"%s\"\n", hosts[k], cl->name,
					    cl->lan.v[j].name);
					bad = 1;
				}
		}
	}
	return bad;
}

/* Prints hosts joined by sep, each between quote and quote. */
static void
print_hosts(char *const *hosts, int n, const char *sep, const char *quote)
{
	int k;

	for (k = 0; k < n; k++)
		printf("%s%s%s%s", k ? sep : "", quote, hosts[k], quote);
}

/*
 * Prints hosts as a configuration value: one, between quote and quote;
 * several, as a list of quoted names.
 */
static void
print_value(char *const *hosts, int n, const char *quote)
{
	if (n == 1) {
		print_hosts(hosts, n, "", quote);
		return;
	}
	printf("{ ");
	print_hosts(hosts, n, ", ", "\"");
	printf(" }");
}

/* What the client is to be given: the key in each client's settings. */
static void
print_settings(const struct url *u, const char *name, const char *key,
    char *const *hosts, int n)
{
	printf("\nThe client's key, shown this once (the configuration holds "
	    "only its SHA-256):\n\n\t%s\n\nGive the client one of these.\n",
	    key);

	printf("\nThe secret URL (curl, wget, a cron job): the requester's "
	    "address is set\n\tcurl -fsS '%s/%s'\n", u->base, key);

	printf("\ndyndns2, Basic credentials (the client's name and key)\n"
	    "\tcurl -fsS -u '%s:%s' '%s/nic/update?hostname=", name, key,
	    u->base);
	print_hosts(hosts, n, ",", "");
	printf("'\n");

	printf("\nddclient, /etc/ddclient.conf\n"
	    "\tprotocol=dyndns2\n\tuse=web, web=%s/\n\tssl=%s\n\tserver=%s\n",
	    u->base, u->tls ? "yes" : "no", u->server);
	if (*u->path != '\0')
		printf("\tscript=%s/nic/update\n", u->path);
	printf("\tlogin=%s\n\tpassword='%s'\n\t", name, key);
	print_hosts(hosts, n, ",", "");
	printf("\n");

	printf("\ninadyn, /etc/inadyn.conf\n\tcustom sftdyn {\n"
	    "\t\tssl = %s\n\t\tusername = \"%s\"\n\t\tpassword = \"%s\"\n"
	    "\t\tddns-server = %s\n"
	    "\t\tddns-path = \"%s/nic/update?hostname=%%h&myip=%%i\"\n"
	    "\t\tcheckip-server = %s\n\t\tcheckip-path = \"%s/\"\n"
	    "\t\tcheckip-ssl = %s\n\t\thostname = ",
	    u->tls ? "true" : "false", name, key, u->server, u->path,
	    u->server, u->path, u->tls ? "true" : "false");
	print_value(hosts, n, "");
	printf("\n\t}\n");

	printf("\nFRITZ!Box, Internet > Permit Access > DynDNS, provider "
	    "\"User-defined\"\n\tUpdate URL:  %s/nic/update?%smyip=<ipaddr>,"
	    "<ip6addr>&ip6lanprefix=<ip6lanprefix>\n\tDomain name: %s\n"
	    "\tUser name:   %s\n\tPassword:    %s\n", u->base,
	    n == 1 ? "hostname=<domain>&" : "", hosts[0], name, key);
	if (n > 1)
		printf("\t(without hostname=<domain>, each of the client's "
		    "names follows)\n");

	printf("\nlego (httpreq), a certificate for the names\n"
	    "\tHTTPREQ_ENDPOINT='%s' HTTPREQ_USERNAME='%s' \\\n"
	    "\tHTTPREQ_PASSWORD='%s' \\\n"
	    "\tlego --email you@example.org --dns httpreq --domains ",
	    u->base, name, key);
	print_hosts(hosts, n, " --domains ", "'");
	printf(" run\n");

	printf("\nacme.sh (dns_acmedns)\n"
	    "\texport ACMEDNS_BASE_URL='%s' ACMEDNS_USERNAME='%s'\n"
	    "\texport ACMEDNS_PASSWORD='%s' ACMEDNS_SUBDOMAIN='%s'\n"
	    "\tacme.sh --issue --dns dns_acmedns -d '%s'\n",
	    u->base, name, key, hosts[0], hosts[0]);
}

/*
 * --new-client NAME HOST...: prints the section and the key's settings.
 * Returns the exit status: 0, or 1 when the name or a host is taken or
 * not valid, or the configuration cannot be read (a missing one too: a
 * mistyped -c must not pass for an empty configuration).
 */
int
new_client(const struct options *o)
{
	char *const *hosts = o->new_client + 1;
	const char *name = o->new_client[0];
	unsigned char digest[SHA256_LEN];
	char key[KEY_TEXT_LEN + 1], hex[SHA256_HEX + 1], msg[256];
	struct conf c;
	struct url u;
	int n = o->nnew - 1;

	if (n < 1 || n > NAMES_MAX) {
		fprintf(stderr, "sftdyn: --new-client NAME HOST...: one to %d "
		    "hosts\n", NAMES_MAX);
		return 1;
	}
	if (conf_load(&c, o->conffile, CONF_CHECK) != 0) {
		fprintf(stderr, "sftdyn: %s cannot be read or has errors: the "
		    "new client's name and hosts are checked against it\n",
		    o->conffile);
		conf_free(&c);
		return 1;
	}
	if (taken(&c, name, hosts, n)) {
		conf_free(&c);
		return 1;
	}
	url_split(&u, c.url);
	conf_free(&c);
	if (key_make(key) != 0) {
		msg_format(msg, sizeof(msg), 1, "a random key");
		fprintf(stderr, "sftdyn: %s\n", msg);
		return 1;
	}
	key_hash(key, digest);
	key_hex(digest, hex);
	printf("Add this section to %s, or to a file of its clients-dir:\n\n"
	    "client \"%s\" {\n\tkey-sha256 = \"%s\"\n\thost = ", o->conffile,
	    name, hex);
	print_value(hosts, n, "\"");
	printf("\n}\n\nthen check it, which also compiles the client index:"
	    "\n\n\tsftdyn -t %s\n", o->conffile);
	print_settings(&u, name, key, hosts, n);
	explicit_bzero(key, sizeof(key));
	return fflush(stdout) == 0 && !ferror(stdout) ? 0 : 1;
}
