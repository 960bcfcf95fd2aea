/*
 * sftdyn: flags, and the wiring of one connection from request to answer.
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

struct options {
	const char	*conffile;
	const char	*nskeyfile;
	int		 tls;
	int		 check;
	int		 verbosity;
	int		 to_stderr;
};

/* What one request came to, for the answer and the log line. */
struct outcome {
	enum status		 status;
	const char		*body;		/* NULL: the status's word */
	const struct client	*client;
	struct addr		 addr;		/* the client's, by section 3 */
	int			 have_addr;
	struct sync		 sync;		/* the host's records */
	struct dyn		*dyn;		/* set: a dyndns2 request */
};

static void
usage(FILE *f)
{
	fprintf(f, "usage: sftdyn [-eqtVv] [--tls] [--nskeyfile file] "
	    "[-c file | conffile]\n"
	    "  -c, --config file   configuration (default %s)\n"
	    "      --tls           the connection is TLS\n"
	    "      --nskeyfile f   TSIG key file for nsupdate\n"
	    "  -t, --check         check the configuration and exit\n"
	    "  -v, --verbose       more log detail (repeatable)\n"
	    "  -q, --quiet         warnings and errors only\n"
	    "  -e, --stderr        log to stderr instead of syslog\n"
	    "  -V, --version       print the version and exit\n"
	    "  -h, --help          this text\n", DEFAULT_CONF);
}

static void
parse_options(struct options *o, int argc, char *argv[])
{
	enum { OPT_TLS = 256, OPT_NSKEYFILE };
	static const struct option longopts[] = {
		{ "config",	required_argument,	NULL, 'c' },
		{ "tls",	no_argument,		NULL, OPT_TLS },
		{ "nskeyfile",	required_argument,	NULL, OPT_NSKEYFILE },
		{ "check",	no_argument,		NULL, 't' },
		{ "verbose",	no_argument,		NULL, 'v' },
		{ "quiet",	no_argument,		NULL, 'q' },
		{ "stderr",	no_argument,		NULL, 'e' },
		{ "version",	no_argument,		NULL, 'V' },
		{ "help",	no_argument,		NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int ch;

	memset(o, 0, sizeof(*o));
	o->conffile = DEFAULT_CONF;
	while ((ch = getopt_long(argc, argv, "c:tvqeVh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':		o->conffile = optarg; break;
		case OPT_TLS:		o->tls = 1; break;
		case OPT_NSKEYFILE:	o->nskeyfile = optarg; break;
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
	if (optind + 1 == argc)
		o->conffile = argv[optind];
	else if (optind != argc) {
		usage(stderr);
		exit(1);
	}
}

/* Reports an error of the command line's: "FILE: message" for -t. */
static void ATTR_PRINTF(3, 4)
option_error(const struct options *o, int to_stderr, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (to_stderr)
		fprintf(stderr, "%s: %s\n", o->conffile, msg);
	else
		log_err("%s", msg);
}

/* Checks the command line against c; returns 0, or -1 (reported). */
static int
check_options(const struct conf *c, const struct options *o, int to_stderr)
{
	if (o->nskeyfile != NULL && access(o->nskeyfile, R_OK) != 0) {
		option_error(o, to_stderr, "--nskeyfile %s: %s", o->nskeyfile,
		    strerror(errno));
		return -1;
	}
	if (o->tls && (c->tls_cert == NULL || c->tls_key == NULL)) {
		option_error(o, to_stderr,
		    "--tls needs a tls section with cert and key");
		return -1;
	}
	return 0;
}

/* The command line's overrides, after the files (and never in the index). */
static void
apply_options(struct conf *c, const struct options *o)
{
	if (o->nskeyfile != NULL) {
		free(c->nskeyfile);
		c->nskeyfile = path_absolute(o->nskeyfile);
	}
}

static void
release_conf(struct conf *c)
{
	if (c->index != NULL)
		index_free(c);
	else
		conf_free(c);
}

/*
 * The handler's configuration: from the client index when it is fresh,
 * else parsed (or parsed because reparse is set: the index was damaged),
 * with the command line's overrides.  Returns 0, or -1 when it has
 * errors (logged).
 */
static int
load_conf(struct conf *c, const struct options *o, int reparse)
{
	int rc = -1;

	if (!reparse && (rc = index_load(c, o->conffile)) == 0) {
		log_debug("%s: clients from the index", c->path);
		if (state_dir_check(c) != 0)
			return -1;
	} else if ((rc = conf_load(c, o->conffile, 0)) != 0)
		return -1;
	if (check_options(c, o, 0) != 0)
		return -1;
	apply_options(c, o);
	return 0;
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
	struct conf c;
	int rc = conf_load(&c, o->conffile, CONF_CHECK);

	if (rc == 0)
		rc = check_options(&c, o, 1);
	if (rc == 0 && index_write(&c) != 0)
		fprintf(stderr, "%s: warning: cannot write the client index "
		    "%s.cdb: %s\n", o->conffile, c.path, strerror(errno));
	/* what was checked must still be what the files hold */
	if (rc == 0 && (changed = conf_changed(&c)) != NULL) {
		fprintf(stderr, "%s: changed while sftdyn -t ran; run it "
		    "again\n", changed);
		rc = -1;
	}
	if (rc == 0 && o->verbosity > 0) {
		apply_options(&c, o);
		settings_dump(stdout, &c);
	}
	if (rc == 0)
		printf("%s: ok\n", o->conffile);
	conf_free(&c);
	return rc == 0 ? 0 : 1;
}

/*
 * The client whose key is key, into *cl (NULL: none).  A damaged index
 * sends us to the parse.  Returns 0, or -1 when the configuration could
 * not be read after all.
 */
static int
find_client(struct conf *c, const struct options *o, const char *key,
    const struct client **cl)
{
	if (c->index == NULL) {
		*cl = conf_client_find(c, key);
		return 0;
	}
	if (index_client_find(c, key, cl) >= 0)
		return 0;
	release_conf(c);
	deadline_in(PARSE_BUDGET);
	if (load_conf(c, o, 1) != 0)
		return -1;
	*cl = conf_client_find(c, key);
	return 0;
}

/*
 * The secret-URL protocol: the empty key answers the address; a known key
 * brings its host's record to it, or finds it current.  key NULL: the
 * configuration did not load, 500 for every key.
 */
static void
serve_key(struct outcome *out, struct conf *c, const struct options *o,
    const char *key)
{
	const struct client *cl;

	out->status = ST_ERROR;
	if (key == NULL)
		return;		/* the configuration did not load */
	if (*key == '\0') {
		out->status = ST_OK;
		out->body = out->addr.text;
		return;
	}
	if (find_client(c, o, key, &cl) != 0)
		return;
	if (cl == NULL) {
		out->status = ST_FORBIDDEN;
		return;
	}
	out->client = cl;
	sync_init(&out->sync, cl);
	sync_add(&out->sync, &out->addr);
	switch (sync_host(&out->sync, c)) {
	case SYNC_CURRENT:
		out->status = ST_OK;
		out->body = "UPTODATE";
		break;
	case SYNC_UPDATED:
		out->status = ST_OK;
		out->body = "OK";
		break;
	case SYNC_FAILED:
		break;
	}
}

/*
 * The dyndns2 protocol: a configuration that fails answers 911, missing
 * or wrong credentials badauth; the client they name gets dyn_serve().
 */
static void
serve_dyndns2(struct outcome *out, struct conf *c, const struct options *o,
    const struct request *req, int conf_ok)
{
	struct dyn_auth auth;
	const struct client *cl = NULL;
	struct dyn *d = out->dyn;
	int found = 0;

	memset(d, 0, sizeof(*d));	/* no addresses, no names yet */
	out->status = ST_OK;
	out->body = d->body;
	dyn_query_parse(&d->q, req->key);
	if (!conf_ok) {
		dyn_word(d, "911");
		return;
	}
	if (dyn_auth_parse(&auth, req) == 0 && *auth.pass != '\0')
		found = find_client(c, o, auth.pass, &cl);
	if (cl != NULL && !dyn_user_matches(cl, auth.user))
		cl = NULL;
	explicit_bzero(auth.buf, sizeof(auth.buf));
	if (found != 0) {
		dyn_word(d, "911");
		return;
	}
	if (cl == NULL) {
		out->status = ST_UNAUTH;
		dyn_word(d, "badauth");
		return;
	}
	out->client = cl;
	dyn_serve(d, &out->sync, c, cl, &out->addr);
}

static void
log_request(const struct outcome *out, const struct addr *peer,
    double started)
{
	const struct client *cl = out->client;

	if (out->dyn != NULL) {
		dyn_log(out->dyn, peer, cl, started);
		return;
	}
	log_info("peer=%s client=%s host=%s type=%s addr=%s result=%d %s "
	    "time=%.1fms", peer->family ? peer->text : "-",
	    cl ? cl->name : "-", cl ? cl->host : "-",
	    out->have_addr ? addr_type(&out->addr) : "-",
	    out->have_addr ? out->addr.text : "-", (int)out->status,
	    out->body ? out->body : http_word(out->status),
	    now_ms() - started);
}

/*
 * Receives the request in its phase, timeout seconds from accept: the
 * PROXY header, the TLS handshake and the HTTP head.  Returns its status,
 * or 0 when there is nothing to answer: the client left, or TLS is not up
 * (a plaintext answer would be noise to a TLS client), or a TLS request
 * timed out.
 */
static enum status
receive(struct conn *conn, const struct options *o, struct conf *c,
    int conf_ok, struct addr *peer, struct request *req)
{
	long timeout = conf_ok ? c->timeout : DEFAULT_TIMEOUT;
	enum status st;

	deadline_from_start(timeout);
	st = peer_immediate(peer, conn->rfd);
	if (st == ST_OK && conf_ok && c->proxy_protocol &&
	    net_contains(c->proxies.v, c->proxies.n, peer)) {
		if ((st = proxy_read(conn, peer)) == ST_BADREQ &&
		    !deadline_expired())
			log_warn("peer=%s: missing or malformed PROXY header",
			    peer->text);
	}
	if (st == ST_OK && o->tls && (!conf_ok || secure_start(conn) != 0))
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
 * Before the request is read, within the parse budget: the configuration,
 * TLS's keys, then the confinement (SPEC section 7b; README).  Returns
 * whether the configuration loaded and the handler is confined.
 */
static int
prepare(struct conf *c, const struct options *o)
{
	int conf_ok;

	deadline_in(PARSE_BUDGET);
	if ((conf_ok = load_conf(c, o, 0) == 0))
		deadline_limit(c->timeout);
	if (o->tls && conf_ok)
		secure_prepare(c);
	if (confine(conf_ok ? c : NULL) != 0)
		conf_ok = 0;
	return conf_ok;
}

/* Serves the one connection; returns the exit status. */
static int
serve(const struct options *o)
{
	double started = now_ms();
	struct outcome out;
	struct dyn dyn;
	struct request req;
	struct addr peer;
	struct conn conn;
	struct conf c;
	long timeout = DEFAULT_TIMEOUT;
	int conf_ok;

	memset(&out, 0, sizeof(out));
	out.sync.lock = -1;
	memset(&peer, 0, sizeof(peer));
	memset(&req, 0, sizeof(req));
	deadline_start();
	conn_init(&conn);
	if ((conf_ok = prepare(&c, o)))
		timeout = c.timeout;
	out.status = receive(&conn, o, &c, conf_ok, &peer, &req);
	if (out.status == 0) {
		log_info("peer=%s: no request answered",
		    peer.family ? peer.text : "-");
		if (conn.tls != NULL)
			conn_finish(&conn, 0);
		release_conf(&c);
		return 0;
	}
	out.addr = peer;
	if (out.status == ST_OK)
		out.status = peer_forwarded(&out.addr, &c, &req);
	out.have_addr = out.status == ST_OK;
	if (out.status == ST_OK && dyn_is_update(req.key)) {
		out.dyn = &dyn;
		serve_dyndns2(&out, &c, o, &req, conf_ok);
	} else if (out.status == ST_OK)
		serve_key(&out, &c, o, conf_ok ? req.key : NULL);
	deadline_in(timeout);
	http_respond(&conn, req.method, out.status, out.body);
	conn_finish(&conn, out.status != ST_OK && out.status != ST_ERROR &&
	    out.status != ST_FORBIDDEN && out.status != ST_UNAUTH);
	deadline_clear();
	sync_record(&out.sync, &c);
	log_request(&out, &peer, started);
	release_conf(&c);
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
		log_err("--tls: /proc/self/exe: %s", strerror(errno));
		exit(1);
	}
	self[n] = '\0';
	snprintf(helper, sizeof(helper), "%s/sftdyn-tls", dirname(self));
	execv(helper, argv);
	log_err("--tls: %s: %s", helper, strerror(errno));
	exit(1);
}

int
main(int argc, char *argv[])
{
	struct options o;

	parse_options(&o, argc, argv);
	if (o.check)
		return check_conf(&o);
	signal(SIGPIPE, SIG_IGN);
	log_init(o.to_stderr, o.verbosity);
	if (o.tls && !secure_linked)
		tls_handoff(argv);
	return serve(&o);
}
