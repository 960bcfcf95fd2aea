/*
 * The one deadline of a connection: alarm(2).  When it fires, blocking
 * reads and writes fail with EINTR and deadline_expired() says why.  Should
 * the program still be blocked a second later, it exits.
 */
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "sftdyn.h"

static volatile sig_atomic_t expired;

static void
deadline_fire(int sig)
{
	(void)sig;
	if (expired)
		_exit(1);
	expired = 1;
	alarm(1);
}

/* Arms the deadline seconds from now; system calls are not restarted. */
void
deadline_set(long seconds)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = deadline_fire;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
	expired = 0;
	alarm((unsigned int)seconds);
}

void
deadline_clear(void)
{
	alarm(0);
}

/* Returns 1 once the deadline has passed. */
int
deadline_expired(void)
{
	return expired != 0;
}
