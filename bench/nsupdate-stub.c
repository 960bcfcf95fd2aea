/*
 * nsupdate-stub: stands in for nsupdate where the bench needs an update
 * to succeed without a name server (priming the state, and the update
 * rows): reads its input to the end, as nsupdate does, and exits 0.
 * Static, like /bin/true was, so that the confinement of its handler
 * costs what nsupdate's would.  Given an HTTP request instead, it
 * answers 200 once the head has come: that is how bench/runner times
 * the stub itself, to take its runs out of an update row's cost.
 */
#include <string.h>
#include <unistd.h>

int
main(void)
{
	static const char ok[] = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
	char buf[4096];
	size_t len = 0;
	ssize_t n;

	while ((n = read(0, buf + len, sizeof(buf) - 1 - len)) > 0) {
		len += (size_t)n;
		buf[len] = '\0';
		if (strstr(buf, "\r\n\r\n") != NULL)
			return write(1, ok, sizeof(ok) - 1) == sizeof(ok) - 1 ? 0 : 1;
		if (len == sizeof(buf) - 1)
			len = 0;	/* nsupdate's input: read on */
	}
	return 0;
}
