/*
 * sftdyn: flags, and the wiring of one connection: prepare (the
 * configuration, TLS's keys, confinement), receive the request, route it
 * to its protocol, answer, record what DNS took, log.
 */
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sftdyn.h"

static void
usage(FILE *f)
{
	fprintf(f, "usage: sftdyn [-eqtVv] [--tls] [--nskeyfile file] "
	    "[-c file | conffile]\n"
	    "       sftdyn --status [--verify] [--json | --prometheus] "
	    "[-c file | conffile]\n"
	    "       sftdyn --new-client NAME HOST... [-c file]\n"
	    "  -c, --config file   configuration (default %s)\n"
	    "      --tls           the connection is TLS\n"
	    "      --nskeyfile f   TSIG key file for nsupdate\n"
	    "  -t, --check         check the configuration and exit\n"
	    "      --status        what the state vouches for, per name\n"
	    "      --verify        ... and whether the primary agrees\n"
	    "      --json          ... as one JSON document\n"
	    "      --prometheus    ... as Prometheus gauges\n"
	    "      --new-client    a client section with a new key, and the\n"
	    "                      key in each client's settings, once\n"
	    "  -v, --verbose       more log detail (repeatable)\n"
	    "  -q, --quiet         warnings and errors only\n"
	    "  -e, --stderr        log to stderr instead of syslog\n"
	    "  -V, --version       print the version and exit\n"
	    "  -h, --help          this text\n", DEFAULT_CONF);
}

static void
parse_options(struct options *o, int argc, char *argv[])
{
	enum { OPT_TLS = 256, OPT_NSKEYFILE, OPT_STATUS, OPT_VERIFY, OPT_JSON,
		OPT_PROMETHEUS, OPT_NEW_CLIENT };
	static const struct option longopts[] = {
		{ "config",	required_argument,	NULL, 'c' },
		{ "tls",	no_argument,		NULL, OPT_TLS },
		{ "nskeyfile",	required_argument,	NULL, OPT_NSKEYFILE },
		{ "status",	no_argument,		NULL, OPT_STATUS },
		{ "verify",	no_argument,		NULL, OPT_VERIFY },
		{ "json",	no_argument,		NULL, OPT_JSON },
		{ "prometheus",	no_argument,		NULL, OPT_PROMETHEUS },
		{ "new-client",	no_argument,		NULL, OPT_NEW_CLIENT },
		{ "check",	no_argument,		NULL, 't' },
		{ "verbose",	no_argument,		NULL, 'v' },
		{ "quiet",	no_argument,		NULL, 'q' },
		{ "stderr",	no_argument,		NULL, 'e' },
		{ "version",	no_argument,		NULL, 'V' },
		{ "help",	no_argument,		NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int ch, new_client = 0;

	memset(o, 0, sizeof(*o));
	o->conffile = DEFAULT_CONF;
	while ((ch = getopt_long(argc, argv, "c:tvqeVh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':		o->conffile = optarg; break;
		case OPT_TLS:		o->tls = 1; break;
		case OPT_NSKEYFILE:	o->nskeyfile = optarg; break;
		case OPT_STATUS:	o->status = 1; break;
		case OPT_VERIFY:	o->verify = 1; break;
		case OPT_JSON:		o->format = STATUS_JSON; break;
		case OPT_PROMETHEUS:	o->format = STATUS_PROMETHEUS; break;
		case OPT_NEW_CLIENT:	new_client = 1; break;
		case 't':		o->check = 1; break;
		case 'v':		o->verbosity++; break;
		case 'q':		o->verbosity = -1; break;
		case 'e':		o->to_stderr = 1; break;
		case 'V':
			printf("sftdyn %s\n", SFTDYN_VERSION);
			exit(0);
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			exit(1);
		}
	}
	if (new_client && !o->check && !o->status && !o->tls &&
	    o->nskeyfile == NULL && optind + 2 <= argc) {
		o->new_client = argv + optind;
		o->nnew = argc - optind;
		return;
	} else if (new_client) {
		fprintf(stderr, "sftdyn: --new-client takes a name and hosts, "
		    "and no flag but -c\n");
		usage(stderr);
		exit(1);
	} else if (optind + 1 == argc)
		o->conffile = argv[optind];
	else if (optind != argc) {
		usage(stderr);
		exit(1);
	}
	if ((o->verify || o->format != STATUS_TEXT) && !o->status) {
		fprintf(stderr, "sftdyn: --verify, --json and --prometheus go "
		    "with --status\n");
		usage(stderr);
		exit(1);
	}
}

/*
 * -t: 0 and "FILE: ok" when the configuration is valid, else 1.  A valid
 * configuration is compiled, as its files say, into its client index, if
 * its directory lets us write; -v prints the settings in effect.  A file
 * edited after it was read, the index written or not, makes it 1: "ok"
 * is said only of what the files hold.
 */
static int
check_conf(const struct options *o)
{
	const char *changed;
	char msg[PATH_MAX + 64];
	struct conf c;
	int rc = conf_load(&c, o->conffile, CONF_CHECK);

	if (rc == 0)
		rc = options_check(&c, o, 1);
	if (rc == 0 && index_write(&c) != 0) {
		msg_format(msg, sizeof(msg), 1, "cannot write the client index "
		    "%s.cdb", c.path);
		fprintf(stderr, "%s: warning: %s\n", o->conffile, msg);
	}
	/* what was checked must still be what the files hold */
	if (rc == 0 && (changed = conf_changed(&c)) != NULL) {
		fprintf(stderr, "%s: changed while sftdyn -t ran; run it "
		    "again\n", changed);
		rc = -1;
	}
	if (rc == 0 && o->verbosity > 0) {
		options_apply(&c, o);
		settings_dump(stdout, &c);
	}
	if (rc == 0)
		printf("%s: ok\n", o->conffile);
	conf_free(&c);
	return rc == 0 ? 0 : 1;
}

/*
 * Receives the request in its phase, timeout seconds from accept: the
 * PROXY header, the TLS handshake and the HTTP head.  Returns its status,
 * or 0 when there is nothing to answer: the client left, or TLS is not up
 * (a plaintext answer would be noise to a TLS client), or a TLS request
 * timed out.
 */
static enum status
receive(struct exchange *x, struct request *req, const struct options *o)
{
	const struct conf *c = &x->lookup->conf;
	int ok = x->lookup->ok;
	long timeout = ok ? c->timeout : DEFAULT_TIMEOUT;
	struct conn *conn = x->conn;
	struct addr *peer = &x->peer;
	enum status st;

	deadline_from_start(timeout);
	st = peer_immediate(peer, conn->rfd);
	if (st == ST_OK && ok && c->proxy_protocol &&
	    net_contains(c->proxies.v, c->proxies.n, peer)) {
		if ((st = proxy_read(conn, peer)) == ST_BADREQ &&
		    !deadline_expired())
			log_warn("peer=%s: missing or malformed PROXY header",
			    peer->text);
	}
	if (st == ST_OK && o->tls && (!ok || secure_start(conn) != 0))
		st = 0;
	if (st == ST_OK)
		st = http_read_head(conn, req);
	if (st != ST_OK && deadline_expired()) {
		log_warn("peer=%s: no request within %ld s",
		    peer->family ? peer->text : "-", timeout);
		st = o->tls ? 0 : ST_TIMEOUT;
	}
	return o->tls && conn->tls == NULL ? 0 : st;
}

/*
 * Hands the request to the protocol its path belongs to (route.c): ACME's
 * paths take POST, dyndns2's and the secret URL GET or HEAD.  Any other
 * method is 405: with Allow: POST on ACME's paths, Allow: GET, HEAD
 * elsewhere.
 */
static void
route(struct exchange *x)
{
	enum method m = x->req->method;
	enum route r = route_of(x->req->key);
	int acme = r == ROUTE_PRESENT || r == ROUTE_CLEANUP ||
	    r == ROUTE_UPDATE;

	if (acme && m == METHOD_POST)
		acme_serve(x, r);
	else if (acme || (m != METHOD_GET && m != METHOD_HEAD)) {
		x->answer.status = ST_METHOD;
		x->answer.allow = acme ? "POST" : NULL;
	} else if (r == ROUTE_DYNDNS2)
		dyn_serve(x);
	else
		secret_serve(x);
}

/* The log line of a request that no protocol took. */
static void
log_request(const struct exchange *x)
{
	log_info("peer=%s client=- addr=%s result=%d %s time=%.1fms",
	    x->peer.family ? x->peer.text : "-",
	    x->have_addr ? x->addr.text : "-", (int)x->answer.status,
	    x->answer.body ? x->answer.body : http_word(x->answer.status),
	    now_ms() - x->started);
}

/*
 * Before the request is read, within the parse budget: the configuration,
 * TLS's keys, then the confinement.  Returns whether the configuration
 * loaded and the handler is confined.
 */
static int
prepare(struct lookup *l, const struct options *o)
{
	deadline_in(PARSE_BUDGET);
	if (lookup_open(l, o))
		deadline_limit(l->conf.timeout);
	if (o->tls && l->ok)
		secure_prepare(&l->conf);
	if (confine(l->ok ? &l->conf : NULL) != 0)
		l->ok = 0;
	return l->ok;
}

/* Whether an answer with status st leaves a request's rest unread. */
static int
answered_early(enum status st)
{
	return st != ST_OK && st != ST_ERROR && st != ST_FORBIDDEN &&
	    st != ST_UNAUTH && st != ST_TOOMANY;
}

/* Serves the one connection; returns the exit status. */
static int
serve(const struct options *o)
{
	static struct exchange x;
	struct request req;
	struct lookup lookup;
	struct conn conn;
	size_t i;

	request_init(&req);
	x.started = now_ms();
	x.conn = &conn;
	x.lookup = &lookup;
	x.req = &req;
	x.log = log_request;
	deadline_start();
	conn_init(&conn);
	prepare(&lookup, o);
	x.answer.status = receive(&x, &req, o);
	if (x.answer.status == 0) {
		log_info("peer=%s: no request answered",
		    x.peer.family ? x.peer.text : "-");
		if (conn.tls != NULL)
			conn_finish(&conn, 0);
		lookup_close(&lookup);
		return 0;
	}
	x.addr = x.peer;
	if (x.answer.status == ST_OK)
		x.answer.status = peer_forwarded(&x.addr, &lookup.conf, &req);
	x.have_addr = x.answer.status == ST_OK;
	if (x.answer.status == ST_OK)
		route(&x);
	deadline_in(lookup.ok ? lookup.conf.timeout : DEFAULT_TIMEOUT);
	http_respond(&conn, req.method, &x.answer);
	conn_finish(&conn, answered_early(x.answer.status));
	deadline_clear();
	for (i = 0; i < x.nsync; i++)
		sync_record(&x.sync[i], &lookup.conf);
	x.log(&x);
	lookup_report(&lookup);
	lookup_close(&lookup);
	return 0;
}

/*
 * --tls in a binary without TLS: runs sftdyn-tls from the same directory
 * with the same arguments, before anything of the connection is read.
 */
static void ATTR_NORETURN
tls_handoff(char *argv[])
{
	char self[PATH_MAX], helper[PATH_MAX + 16];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n <= 0) {
		log_syserr("--tls: /proc/self/exe");
		exit(1);
	}
	self[n] = '\0';
	snprintf(helper, sizeof(helper), "%s/sftdyn-tls", dirname(self));
	execv(helper, argv);
	log_syserr("--tls: %s", helper);
	exit(1);
}

int
main(int argc, char *argv[])
{
	struct options o;

	parse_options(&o, argc, argv);
	if (o.check)
		return check_conf(&o);
	if (o.status)
		return status_print(&o);
	if (o.new_client != NULL)
		return new_client(&o);
	signal(SIGPIPE, SIG_IGN);
	log_init(o.to_stderr, o.verbosity);
	if (o.tls && !secure_linked)
		tls_handoff(argv);
	return serve(&o);
}
