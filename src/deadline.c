/*
 * The one clock of a connection.  The connection starts
 * with deadline_start(); deadline_limit() fixes its end, 3 x timeout + 2 s
 * later, once the configuration is known.  Each phase then ends at its own
 * deadline, never later than the connection's: code that polls waits at
 * most deadline_left(); calls that cannot poll (flock, open, a parse) are
 * interrupted by a timer at the phase's end.  Should the program still be
 * in that phase a second later, it exits, and kills nsupdate's process
 * group first.  The timer is set again only for a phase that ends sooner
 * than it fires: one that fires before its phase's end sets itself
 * anew (a connection's phases mostly end later and later, and each
 * setitimer(2) is a system call).
 */
#include <sys/time.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sftdyn.h"

#define GRACE_MS	1000	/* after a phase's end, before _exit() */

static double started, conn_end, phase_end;
static double armed;		/* when the timer fires; 0: not set */
static volatile sig_atomic_t expired;
static volatile pid_t doomed;	/* a process group that dies with us */

/* Milliseconds on the monotonic clock. */
double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Sets the timer to fire at ms on now_ms()'s clock. */
static void
timer_arm(double at)
{
	struct itimerval it;
	double ms = at - now_ms();

	armed = at;
	memset(&it, 0, sizeof(it));
	if (ms < 1)
		ms = 1;
	it.it_value.tv_sec = (time_t)(ms / 1000);
	it.it_value.tv_usec = (suseconds_t)((ms - it.it_value.tv_sec * 1000.0) *
	    1000);
	setitimer(ITIMER_REAL, &it, NULL);
}

static void
deadline_fire(int sig)
{
	(void)sig;
	armed = 0;
	if (now_ms() < phase_end - 1) {
		timer_arm(phase_end);	/* set for a phase that ended sooner */
		return;
	}
	if (expired) {
		if (doomed > 0) {
			kill(-doomed, SIGKILL);
			kill(doomed, SIGKILL);
		}
		_exit(1);
	}
	expired = 1;
	timer_arm(now_ms() + GRACE_MS);
}

/*
 * The connection starts now, with the default timeout until the
 * configuration tells its own; its first phase is set next, which arms
 * the timer.  System calls are not restarted.
 */
void
deadline_start(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = deadline_fire;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
	started = now_ms();
	deadline_limit(DEFAULT_TIMEOUT);
}

/* The connection ends 3 x timeout + 2 s after it started, grace included. */
void
deadline_limit(long timeout)
{
	conn_end = started + (3.0 * (double)timeout + 2) * 1000 - GRACE_MS;
}

/*
 * The current phase ends at ms on now_ms()'s clock, or at the latest.
 * The timer is set when it would fire later than that, or not at all.
 */
void
deadline_at(double ms)
{
	phase_end = ms < conn_end ? ms : conn_end;
	expired = 0;
	if (armed == 0 || armed > phase_end)
		timer_arm(phase_end);
}

/* The current phase ends seconds from now. */
void
deadline_in(long seconds)
{
	deadline_at(now_ms() + (double)seconds * 1000);
}

/* The current phase ends seconds after the connection started. */
void
deadline_from_start(long seconds)
{
	deadline_at(started + (double)seconds * 1000);
}

/*
 * The process group pgid (> 0; 0: none) is killed should the handler
 * exit because a phase overran: nothing it started outlives it.
 */
void
deadline_doom(pid_t pgid)
{
	doomed = pgid;
}

/* No connection any more: nothing stays armed (--status, between queries). */
void
deadline_stop(void)
{
	struct itimerval off;

	memset(&off, 0, sizeof(off));
	setitimer(ITIMER_REAL, &off, NULL);
	armed = 0;
	started = 0;
}

/* No phase: only the connection's end stays armed. */
void
deadline_clear(void)
{
	deadline_at(conn_end);
}

/*
 * Milliseconds left in the current phase, for poll(): 0 once past, -1
 * (no limit) outside a connection, as for -t.
 */
int
deadline_left(void)
{
	double left = phase_end - now_ms();

	if (started == 0)
		return -1;
	return left <= 0 ? 0 : (int)left + 1;
}

/* Returns 1 once the current phase's end has passed. */
int
deadline_expired(void)
{
	return started != 0 && (expired != 0 || now_ms() >= phase_end);
}

/*
 * Waits until fd is ready for events or the current phase ends; what is
 * ready already counts even when the phase ended.  Returns 0 when ready
 * (or when poll() failed: the I/O that follows tells why), -1 once the
 * deadline has passed.
 */
int
deadline_wait(int fd, short events)
{
	struct pollfd pfd = { .fd = fd, .events = events };
	int left, n;

	for (;;) {
		left = deadline_left();
		if ((n = poll(&pfd, 1, left)) > 0)
			return 0;
		if (left == 0 || deadline_expired())
			return -1;
		if (n < 0 && errno != EINTR)
			return 0;
	}
}
