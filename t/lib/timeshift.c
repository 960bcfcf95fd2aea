/*
 * A time shim for tests (LD_PRELOAD, in a dynamically linked sftdyn):
 * time(2) says the true time moved by TIMESHIFT seconds, as a clock that
 * is wrong would.  Nothing else is changed: clock_gettime() stays true,
 * so the nsupdate a handler runs signs its TSIG with the true time.
 */
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

time_t
time(time_t *t)
{
	const char *shift = getenv("TIMESHIFT");
	struct timespec ts;
	time_t now;

	syscall(SYS_clock_gettime, CLOCK_REALTIME, &ts);
	now = ts.tv_sec + (shift ? atol(shift) : 0);
	if (t != NULL)
		*t = now;
	return now;
}
