/*
 * TLS with libtls, for --tls only, in sftdyn-tls; sftdyn has notls.c
 * instead, so plain connections pay neither for loading libtls, libssl
 * and libcrypto nor for initialising them.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <tls.h>

#include "sftdyn.h"

const int secure_linked = 1;

/* The server context behind the connection's; freed with it. */
static struct tls *server;

/*
 * Waits until libtls can go on after TLS_WANT_POLLIN/POLLOUT.  Returns 0,
 * or -1 when the deadline passed.
 */
static int
secure_wait(struct conn *conn, ssize_t want)
{
	return want == TLS_WANT_POLLIN ? deadline_wait(conn->rfd, POLLIN) :
	    deadline_wait(conn->wfd, POLLOUT);
}

/* A server context with the configured keypair, TLS 1.2 and 1.3 only. */
static struct tls *
secure_server(const struct conf *c)
{
	struct tls_config *cfg;
	struct tls *srv = NULL;

	if (tls_init() != 0 || (cfg = tls_config_new()) == NULL) {
		log_err("tls: cannot initialise libtls");
		return NULL;
	}
	if (tls_config_set_keypair_file(cfg, c->tls_cert, c->tls_key) != 0 ||
	    tls_config_set_protocols(cfg,
	    TLS_PROTOCOL_TLSv1_2 | TLS_PROTOCOL_TLSv1_3) != 0) {
		log_err("tls: %s", tls_config_error(cfg));
		goto out;
	}
	if ((srv = tls_server()) == NULL ||
	    tls_configure(srv, cfg) != 0) {
		log_err("tls: %s", srv ? tls_error(srv) : "no memory");
		if (srv != NULL)
			tls_free(srv);
		srv = NULL;
	}
out:
	tls_config_clear_keys(cfg);
	tls_config_free(cfg);
	return srv;
}

/*
 * Loads the keypair and sets up the server context, before the handler
 * confines itself: the files need not stay readable.  Returns 0, or -1
 * (logged).
 */
int
secure_prepare(const struct conf *c)
{
	return (server = secure_server(c)) != NULL ? 0 : -1;
}

/*
 * Wraps the connection in TLS (secure_prepare() done) and completes the
 * handshake under the connection's deadline.  Returns 0, or -1 (logged):
 * then nothing may be written to the connection.
 */
int
secure_start(struct conn *conn)
{
	struct tls *cctx = NULL;
	int rv;

	if (server == NULL)
		return -1;
	/* libssl retries reads on EINTR: wait in poll(), where the deadline
	 * interrupts */
	if (fcntl(conn->rfd, F_SETFL, fcntl(conn->rfd, F_GETFL) | O_NONBLOCK) ||
	    fcntl(conn->wfd, F_SETFL, fcntl(conn->wfd, F_GETFL) | O_NONBLOCK)) {
		log_syserr("tls: fcntl");
		goto fail;
	}
	if (conn->rfd == conn->wfd)
		rv = tls_accept_socket(server, &cctx, conn->rfd);
	else
		rv = tls_accept_fds(server, &cctx, conn->rfd, conn->wfd);
	if (rv != 0) {
		log_err("tls: accept: %s", tls_error(server));
		goto fail;
	}
	while ((rv = tls_handshake(cctx)) != 0) {
		if ((rv != TLS_WANT_POLLIN && rv != TLS_WANT_POLLOUT) ||
		    secure_wait(conn, rv) != 0) {
			log_err("tls: handshake: %s", deadline_expired() ?
			    "timed out" : tls_error(cctx));
			goto fail;
		}
	}
	conn->tls = cctx;
	return 0;
fail:
	if (cctx != NULL)
		tls_free(cctx);
	tls_free(server);
	server = NULL;
	return -1;
}

/* tls_read() with the waits done; returns bytes, 0 at end, -1 (logged). */
ssize_t
secure_read(struct conn *conn, void *buf, size_t len)
{
	ssize_t n;

	while ((n = tls_read(conn->tls, buf, len)) < 0) {
		if ((n != TLS_WANT_POLLIN && n != TLS_WANT_POLLOUT) ||
		    secure_wait(conn, n) != 0) {
			if (!deadline_expired())
				log_err("tls: read: %s", tls_error(conn->tls));
			errno = deadline_expired() ? EINTR : EIO;
			return -1;
		}
	}
	return n;
}

/* Writes all of buf; returns 0, or -1 (logged). */
int
secure_write(struct conn *conn, const void *buf, size_t len)
{
	const char *p = buf;
	ssize_t n;

	while (len > 0) {
		n = tls_write(conn->tls, p, len);
		if (n == TLS_WANT_POLLIN || n == TLS_WANT_POLLOUT) {
			if (secure_wait(conn, n) != 0)
				return -1;
			continue;
		}
		if (n < 0) {
			log_err("tls: write: %s", tls_error(conn->tls));
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Sends close_notify, as far as the peer lets us, and frees the context. */
void
secure_close(struct conn *conn)
{
	int rv;

	while ((rv = tls_close(conn->tls)) == TLS_WANT_POLLIN ||
	    rv == TLS_WANT_POLLOUT)
		if (secure_wait(conn, rv) != 0)
			break;
	tls_free(conn->tls);
	tls_free(server);
	conn->tls = NULL;
	server = NULL;
}
