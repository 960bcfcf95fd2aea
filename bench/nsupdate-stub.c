/*
 * nsupdate-stub: stands in for nsupdate where the bench needs an update
 * to succeed without a name server (priming the state): reads its input
 * to the end, as nsupdate does, and exits 0.  Static, like /bin/true was,
 * so that the confinement of its handler costs what nsupdate's would.
 */
#include <unistd.h>

int
main(void)
{
	char buf[4096];

	while (read(0, buf, sizeof(buf)) > 0)
		;
	return 0;
}
