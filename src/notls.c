/*
 * TLS in sftdyn, which is linked without libtls: there is none, and
 * main() runs sftdyn-tls for --tls instead.
 */
#include <errno.h>

#include "sftdyn.h"

const int secure_linked = 0;

int
secure_prepare(const struct conf *c)
{
	(void)c;
	return -1;
}

int
secure_start(struct conn *conn)
{
	(void)conn;
	return -1;
}

ssize_t
secure_read(struct conn *conn, void *buf, size_t len)
{
	(void)conn;
	(void)buf;
	(void)len;
	errno = EIO;
	return -1;
}

int
secure_write(struct conn *conn, const void *buf, size_t len)
{
	(void)conn;
	(void)buf;
	(void)len;
	return -1;
}

void
secure_close(struct conn *conn)
{
	(void)conn;
}
