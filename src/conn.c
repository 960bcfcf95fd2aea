/*
 * The connection: fd 3 from systemd (LISTEN_FDS), else fd 0 and fd 1, with
 * TLS layered on top when asked for.  Reads fill one buffer that the PROXY
 * and HTTP parsers consume from.
 */
#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sftdyn.h"

#define SD_LISTEN_FDS_START 3

/* Returns 1 when systemd passed exactly one socket to this process. */
static int
conn_from_systemd(void)
{
	const char *pid = getenv("LISTEN_PID"), *fds = getenv("LISTEN_FDS");
	char *end;
	long n;

	if (pid == NULL || fds == NULL)
		return 0;
	n = strtol(pid, &end, 10);
	if (*end != '\0' || n != (long)getpid())
		return 0;
	return strcmp(fds, "1") == 0;
}

/* Finds the connection; the LISTEN_* variables are not passed on. */
void
conn_init(struct conn *conn)
{
	/* (its buffer is not cleared: its pages are touched only as read) */
	conn->tls = NULL;
	conn->len = conn->off = 0;
	if (conn_from_systemd()) {
		conn->rfd = conn->wfd = SD_LISTEN_FDS_START;
		fcntl(SD_LISTEN_FDS_START, F_SETFD, FD_CLOEXEC);
	} else {
		conn->rfd = STDIN_FILENO;
		conn->wfd = STDOUT_FILENO;
	}
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_FDNAMES");
}

/*
 * Reads up to len bytes of the connection into buf, waiting no longer
 * than the current phase.  Returns how many, 0 at end of input, -1 on
 * error or when the deadline passed.
 */
ssize_t
conn_read(struct conn *conn, void *buf, size_t len)
{
	ssize_t n;

	if (conn->tls == NULL && deadline_wait(conn->rfd, POLLIN) != 0)
		return -1;
	do {
		if (conn->tls != NULL)
			n = secure_read(conn, buf, len);
		else
			n = read(conn->rfd, buf, len);
	} while (n == -1 && errno == EINTR && !deadline_expired());
	return n;
}

/*
 * Reads more bytes into the buffer.  Returns how many, 0 at end of input
 * or when the buffer is full, -1 on error or when the deadline passed.
 */
int
conn_fill(struct conn *conn)
{
	size_t room = sizeof(conn->buf) - 1 - conn->len;
	ssize_t n;

	if (room == 0)
		return 0;
	if ((n = conn_read(conn, conn->buf + conn->len, room)) > 0)
		conn->len += (size_t)n;
	return (int)n;
}

/* Writes all of buf; returns 0, or -1. */
int
conn_write(struct conn *conn, const char *buf, size_t len)
{
	if (conn->tls != NULL)
		return secure_write(conn, buf, len);
	return write_all(conn->wfd, buf, len);
}

/*
 * Ends the connection, so that the client sees the end of the answer now
 * rather than when this process exits.  After an answer given before the
 * request was read to its end (early, or with bytes after the head), drain
 * what the client still sends for a moment, so that closing does not reset
 * the connection before the answer is read.
 */
void
conn_finish(struct conn *conn, int linger)
{
	char sink[4096];
	size_t drained = 0;
	struct pollfd pfd;
	double until;
	ssize_t n;

	if (conn->tls != NULL) {
		secure_close(conn);
		return;
	}
	if (shutdown(conn->wfd, SHUT_WR) != 0) {
		close(conn->wfd);	/* a pipe, not a socket */
		return;
	}
	if (!linger && conn->len == conn->off)
		return;
	until = now_ms() + LINGER_MS;
	pfd.fd = conn->rfd;
	pfd.events = POLLIN;
	while (drained < LINGER_MAX && now_ms() < until) {
		int left = deadline_left();

		if (left <= 0 || left > until - now_ms() + 1)
			left = (int)(until - now_ms()) + 1;
		if (deadline_expired() || poll(&pfd, 1, left) <= 0)
			break;
		if ((n = read(conn->rfd, sink, sizeof(sink))) <= 0)
			break;
		drained += (size_t)n;
	}
}
