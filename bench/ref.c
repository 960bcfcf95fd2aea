/*
 * The floor of a process-per-connection design: read a request head from
 * fd 0 and answer a fixed 200 on fd 1.  Linked statically.
 */
#include <string.h>
#include <unistd.h>

int
main(void)
{
	static const char answer[] = "HTTP/1.1 200 OK\r\n"
	    "Content-Type: text/plain; charset=utf-8\r\n"
	    "Content-Length: 3\r\nCache-Control: no-store\r\n"
	    "Connection: close\r\n\r\nOK\n";
	char buf[8193];
	size_t len = 0;
	ssize_t n;

	while (len < sizeof(buf) - 1 &&
	    (n = read(0, buf + len, sizeof(buf) - 1 - len)) > 0) {
		len += (size_t)n;
		buf[len] = '\0';
		if (strstr(buf, "\r\n\r\n") != NULL)
			break;
	}
	return write(1, answer, sizeof(answer) - 1) < 0;
}
