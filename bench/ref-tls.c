/*
 * The floor of a TLS process-per-connection handler: libtls on fd 0/1, a
 * full handshake, read a request head, answer a fixed 200.  Linked the
 * way sftdyn-tls is (statically).  Usage: ref-tls cert key
 */
#include <stdio.h>
#include <string.h>
#include <tls.h>

int
main(int argc, char *argv[])
{
	static const char answer[] = "HTTP/1.1 200 OK\r\n"
	    "Content-Type: text/plain; charset=utf-8\r\n"
	    "Content-Length: 3\r\nCache-Control: no-store\r\n"
	    "Connection: close\r\n\r\nOK\n";
	struct tls_config *cfg;
	struct tls *srv, *cctx;
	char buf[8193];
	size_t len = 0;
	ssize_t n;

	if (argc != 3 || tls_init() != 0 || (cfg = tls_config_new()) == NULL ||
	    tls_config_set_keypair_file(cfg, argv[1], argv[2]) != 0 ||
	    tls_config_set_protocols(cfg, TLS_PROTOCOL_TLSv1_2 |
	    TLS_PROTOCOL_TLSv1_3) != 0 || (srv = tls_server()) == NULL ||
	    tls_configure(srv, cfg) != 0 ||
	    tls_accept_fds(srv, &cctx, 0, 1) != 0 || tls_handshake(cctx) != 0)
		return 1;
	tls_config_clear_keys(cfg);
	while (len < sizeof(buf) - 1 &&
	    (n = tls_read(cctx, buf + len, sizeof(buf) - 1 - len)) > 0) {
		len += (size_t)n;
		buf[len] = '\0';
		if (strstr(buf, "\r\n\r\n") != NULL)
			break;
	}
	if (tls_write(cctx, answer, sizeof(answer) - 1) < 0)
		return 1;
	tls_close(cctx);
	return 0;
}
