/*
 * Logging: syslog(3) with ident "sftdyn", facility daemon, or stderr with -e.
 * Nothing here ever writes to the connection.
 */
#include <stdarg.h>
#include <stdio.h>
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

static void
log_vwrite(int prio, const char *fmt, va_list ap)
{
	static const char *const names[] = {
		[LOG_ERR] = "error", [LOG_WARNING] = "warning",
		[LOG_INFO] = "info", [LOG_DEBUG] = "debug",
	};
	char line[2048];

	if (prio > log_level)
		return;
	if (!log_stderr) {
		vsyslog(prio, fmt, ap);
		return;
	}
	vsnprintf(line, sizeof(line), fmt, ap);
	dprintf(STDERR_FILENO, "sftdyn[%ld]: %s: %s\n", (long)getpid(),
	    names[prio], line);
}

#define LOG_FUNC(fn, prio)				\
void							\
fn(const char *fmt, ...)				\
{							\
	va_list ap;					\
							\
	va_start(ap, fmt);				\
	log_vwrite(prio, fmt, ap);			\
	va_end(ap);					\
}

LOG_FUNC(log_err, LOG_ERR)
LOG_FUNC(log_warn, LOG_WARNING)
LOG_FUNC(log_info, LOG_INFO)
LOG_FUNC(log_debug, LOG_DEBUG)

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
