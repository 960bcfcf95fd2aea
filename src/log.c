/*
 * Logging: to the system log, ident "sftdyn", facility daemon, or to
 * stderr with -e.  Nothing here ever writes to the connection.
 *
 * The system log is written as syslog(3) writes it, but for the time
 * stamp: a datagram "<PRI>sftdyn[PID]: message" to /dev/log, connected at
 * the first line (a connection that logs nothing never opens it).  The
 * daemon (journald, rsyslog) stamps the time it received it.  glibc's
 * syslog(3) reads and parses /etc/localtime for its stamp in every
 * process, and each connection is one: seven more system calls a line.
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "sftdyn.h"

#define LOG_SOCKET	"/dev/log"

static int log_stderr;
static int log_level = LOG_INFO;
static int log_fd = -1;		/* LOG_SOCKET, once connected */

/*
 * Sets the destination and the threshold: -2 nothing, -1 quiet, 0
 * normal, 1+ verbose.
 */
void
log_init(int to_stderr, int verbosity)
{
	log_stderr = to_stderr;
	if (verbosity < -1)
		log_level = LOG_CRIT;
	else if (verbosity < 0)
		log_level = LOG_WARNING;
	else if (verbosity > 0)
		log_level = LOG_DEBUG;
}

/*
 * Connects to the system log's socket: a datagram socket, or a stream
 * one where the daemon listens so (as syslog(3) falls back).  Returns 0,
 * or -1 (nothing can be logged now).
 */
static int
log_connect(int *stream)
{
	static const struct sockaddr_un sun = { AF_UNIX, LOG_SOCKET };
	int type;

	for (type = SOCK_DGRAM;; type = SOCK_STREAM) {
		if ((log_fd = socket(AF_UNIX, type | SOCK_CLOEXEC, 0)) == -1)
			return -1;
		if (connect(log_fd, (const struct sockaddr *)&sun,
		    sizeof(sun)) == 0) {
			*stream = type == SOCK_STREAM;
			return 0;
		}
		close(log_fd);
		log_fd = -1;
		if (errno != EPROTOTYPE || type == SOCK_STREAM)
			return -1;
	}
}

/*
 * Sends one line, line[0, len) and its NUL, to the system log,
 * connecting first; once more when the daemon went away since (it
 * restarted).  A line that cannot be sent is lost, as syslog(3) loses it.
 */
static void
log_send(const char *line, size_t len)
{
	static int stream;
	int tries;

	for (tries = 0; tries < 2; tries++) {
		if (log_fd == -1 && log_connect(&stream) != 0)
			return;
		/* a stream's lines end in a NUL, as syslog(3) ends them */
		if (send(log_fd, line, len + (size_t)stream, MSG_NOSIGNAL) >= 0)
			return;
		close(log_fd);
		log_fd = -1;
	}
}

/*
 * Formats fmt into buf, and with with_errno set ": " and the text of the
 * errno the caller had (the text alone after an empty message): the one
 * place where errno's text is written, for the log and for -t's messages
 * alike.
 */
void
msg_vformat(char *buf, size_t size, int with_errno, const char *fmt,
    va_list ap)
{
	int saved = errno;
	size_t n;

	vsnprintf(buf, size, fmt, ap);
	if (with_errno && (n = strlen(buf)) + 1 < size)
		snprintf(buf + n, size - n, "%s%s", n ? ": " : "",
		    strerror(saved));
}

/* msg_vformat(), with the arguments given. */
void
msg_format(char *buf, size_t size, int with_errno, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	msg_vformat(buf, size, with_errno, fmt, ap);
	va_end(ap);
}

static void
log_vwrite(int prio, int with_errno, const char *fmt, va_list ap)
{
	static const char *const names[] = {
		[LOG_ERR] = "error", [LOG_WARNING] = "warning",
		[LOG_INFO] = "info", [LOG_DEBUG] = "debug",
	};
	char line[2048];
	int n;

	if (prio > log_level)
		return;
	if (log_stderr)
		n = snprintf(line, sizeof(line), "sftdyn[%ld]: %s: ",
		    (long)getpid(), names[prio]);
	else
		n = snprintf(line, sizeof(line), "<%d>sftdyn[%ld]: ",
		    LOG_DAEMON | prio, (long)getpid());
	msg_vformat(line + n, sizeof(line) - (size_t)n - 1, with_errno, fmt,
	    ap);
	if (!log_stderr) {
		log_send(line, strlen(line));
		return;
	}
	n = (int)strlen(line);
	line[n++] = '\n';
	(void)!write(STDERR_FILENO, line, (size_t)n);
}

#define LOG_FUNC(fn, prio, with_errno)			\
void							\
fn(const char *fmt, ...)				\
{							\
	va_list ap;					\
							\
	va_start(ap, fmt);				\
	log_vwrite(prio, with_errno, fmt, ap);		\
	va_end(ap);					\
}

LOG_FUNC(log_err, LOG_ERR, 0)
LOG_FUNC(log_syserr, LOG_ERR, 1)	/* ... ": " and errno's text */
LOG_FUNC(log_warn, LOG_WARNING, 0)
LOG_FUNC(log_info, LOG_INFO, 0)
LOG_FUNC(log_debug, LOG_DEBUG, 0)

/*
 * s for a log line, where it may be anything a client sent: printable
 * ASCII as it is, other bytes and the backslash as \xHH, the empty
 * string as "".
 */
void
log_escape(char *out, size_t size, const char *s)
{
	size_t n = 0;

	if (*s == '\0')
		s = "\"\"";
	for (; *s != '\0' && n + 5 < size; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch > ' ' && ch < 0x7f && ch != '\\')
			out[n++] = (char)ch;
		else
			n += (size_t)snprintf(out + n, size - n, "\\x%02x", ch);
	}
	out[n] = '\0';
}
