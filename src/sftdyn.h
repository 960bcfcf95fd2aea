/*
 * sftdyn: a dynamic DNS update handler that serves one connection and exits.
 *
 * Data flows one way: connection -> request -> client -> update -> state
 * -> response.  Each concern lives in the file named in the comments below.
 */
#ifndef SFTDYN_H
#define SFTDYN_H

#include <sys/types.h>

#include <netinet/in.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#ifndef SFTDYN_VERSION
#define SFTDYN_VERSION		"0.1.0"
#endif
#define DEFAULT_CONF		"/etc/sftdyn/conf"

#define HEAD_MAX		8192	/* request line + headers + empty line */
#define TARGET_MAX		2048	/* request-target, leading '/' included */
#define PROXY_MAX		536	/* longest PROXY header we accept (v2) */
#define PROXY_V1_MAX		107	/* PROXY v1 line, CRLF included */
#define CHILD_LOG_MAX		4096	/* bytes of nsupdate's output we log */
#define LINGER_MAX		65536	/* bytes drained after an early answer */
#define LINGER_MS		1000	/* time spent draining, at most */
#define HOST_MAX		253	/* DNS name, text form, no trailing dot */
#define LABEL_MAX		63

#define ATTR_PRINTF(f, a)	__attribute__((format(printf, f, a)))
#define ATTR_NORETURN		__attribute__((noreturn))
#define ATTR_WEAK		__attribute__((weak))

/* An IPv4 or IPv6 address; IPv4-mapped IPv6 is stored as IPv4. */
struct addr {
	int		family;		/* AF_INET or AF_INET6 */
	unsigned char	bytes[16];
	char		text[46];	/* INET6_ADDRSTRLEN */
};

/* An address with a prefix length: one entry of trusted-proxies. */
struct net {
	struct addr	addr;
	int		prefix;
};

struct client {
	const char	*name;
	const char	*key;
	const char	*host;
	long		 ttl;
	size_t		 index;		/* position in the configuration */
};

struct conf {
	char		*path;		/* the main configuration file */
	long		 ttl;
	long		 timeout;
	char		*nsupdate;
	char		*nskeyfile;	/* NULL: none */
	char		*nsserver;	/* NULL: nsupdate -l */
	long		 nsport;
	char		*statedir;
	struct net	*proxies;
	size_t		 nproxies;
	int		 proxy_protocol;
	char		*tls_cert;
	char		*tls_key;
	struct client	*clients;
	size_t		 nclients;
	char		**sources;	/* every file the configuration read */
	size_t		 nsources;
	void		*cfg;		/* libconfuse's tree, which owns the strings */
	struct index	*index;		/* set: clients come from the index */
};

/* The connection: plain fds, or a TLS context over them. */
struct conn {
	int		 rfd;
	int		 wfd;
	struct tls	*tls;
	char		 buf[HEAD_MAX + 1];	/* the request head */
	size_t		 len;		/* bytes in buf */
	size_t		 off;		/* bytes consumed from buf */
};

enum method { METHOD_GET, METHOD_HEAD };

struct request {
	enum method	 method;
	char		 target[TARGET_MAX + 1];	/* origin-form path+query */
	const char	*key;		/* target + 1 */
	char		 xff[HEAD_MAX];	/* X-Forwarded-For, joined */
	char		 xrealip[HEAD_MAX];
	int		 has_xff;
	int		 has_xrealip;
};

/* HTTP statuses sftdyn answers with. */
enum status {
	ST_OK = 200,
	ST_BADREQ = 400,
	ST_FORBIDDEN = 403,
	ST_METHOD = 405,
	ST_TIMEOUT = 408,
	ST_URI = 414,
	ST_HEADERS = 431,
	ST_ERROR = 500,
};

/* index.c */
int	index_write(const struct conf *);
int	index_load(struct conf *, const char *);
const struct client *index_client_find(struct conf *, const char *);
void	index_close(struct index *);

/* log.c */
void	log_init(int to_stderr, int verbosity);
void	log_err(const char *, ...) ATTR_PRINTF(1, 2);
void	log_warn(const char *, ...) ATTR_PRINTF(1, 2);
void	log_info(const char *, ...) ATTR_PRINTF(1, 2);
void	log_debug(const char *, ...) ATTR_PRINTF(1, 2);

/* addr.c */
int	addr_parse(struct addr *, const char *);
int	addr_parsen(struct addr *, const char *, size_t);
int	addr_from_sockaddr(struct addr *, const struct sockaddr *, socklen_t);
int	net_parse(struct net *, const char *);
int	net_contains(const struct net *, size_t, const struct addr *);
const char *addr_type(const struct addr *);

/* conf.c */
int	conf_load(struct conf *, const char *, int);
int	conf_open(struct conf *, const char *);
void	conf_free(struct conf *);
const struct client *conf_client_find(struct conf *, const char *);

/* conn.c */
void	conn_init(struct conn *);
int	conn_fill(struct conn *);
int	conn_write(struct conn *, const char *, size_t);
void	conn_finish(struct conn *, int);

/* deadline.c */
void	deadline_set(long);
void	deadline_clear(void);
int	deadline_expired(void);

/* http.c */
enum status http_parse_head(struct request *, const char *, size_t);
long	http_head_end(const char *, size_t);
enum status http_read_head(struct conn *, struct request *);
int	http_format(char *, size_t, enum method, enum status, const char *);
int	http_respond(struct conn *, enum method, enum status, const char *);
const char *http_word(enum status);

/* peer.c */
enum status peer_immediate(struct addr *, int);
enum status peer_forwarded(struct addr *, const struct conf *,
	    const struct request *);

/* update.c */
int	update_run(const struct conf *, const struct client *,
	    const struct addr *);

/* proxy.c */
enum status proxy_parse(const char *, size_t, struct addr *, int *);
enum status proxy_read(struct conn *, struct addr *);

/* siphash.c */
uint64_t siphash24(const unsigned char[16], const void *, size_t);

/* state.c */
int	state_lock(const struct conf *, const char *);
int	state_matches(const struct conf *, const char *, const struct addr *);
void	state_save(const struct conf *, const char *, const struct addr *);

/*
 * tls.c: linked into sftdyn-tls only, so that plain connections do not map
 * libtls, libssl and libcrypto.  In sftdyn these are NULL, and --tls runs
 * sftdyn-tls instead.
 */
int	secure_start(struct conn *, const struct conf *) ATTR_WEAK;
ssize_t	secure_read(struct conn *, void *, size_t) ATTR_WEAK;
int	secure_write(struct conn *, const void *, size_t) ATTR_WEAK;
void	secure_close(struct conn *) ATTR_WEAK;

/* util.c */
int	ct_equal(const char *, const char *);
void	*xcalloc(size_t, size_t);
char	*xstrdup(const char *);
char	*path_join(const char *, const char *);
double	now_ms(void);
int	read_all(int, void *, size_t);
int	write_all(int, const void *, size_t);

#endif
