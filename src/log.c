/*
 * Logging: syslog(3) with ident "sftdyn", facility daemon, or stderr with -e.
 * Nothing here ever writes to the connection.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "sftdyn.h"

static int log_stderr;
static int log_level = LOG_INFO;

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
	if (!log_stderr)
		openlog("sftdyn", LOG_PID | LOG_NDELAY, LOG_DAEMON);
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

	if (prio > log_level)
		return;
	msg_vformat(line, sizeof(line), with_errno, fmt, ap);
	if (!log_stderr)
		syslog(prio, "%s", line);
	else
		dprintf(STDERR_FILENO, "sftdyn[%ld]: %s: %s\n",
		    (long)getpid(), names[prio], line);
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
