/*
 * sftdyn: a dynamic DNS update handler that serves one connection and exits.
 *
 * Data flows one way: connection -> request -> client -> update -> state
 * -> response.  Each concern lives in the file named in the comments below.
 */
#ifndef SFTDYN_H
#define SFTDYN_H

#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#define DEFAULT_CONF		"/etc/sftdyn/conf"
#define DEFAULT_TIMEOUT		10	/* seconds, until the configuration says */
#define PARSE_BUDGET		5	/* seconds a connection may parse for */
#define PARSE_BYTES_MAX		(512 * 1024)	/* bytes it may parse */
#define CLIENTS_PER_PARSE	5000	/* libconfuse compares each section
					   title with every earlier one of its
					   parse: -t warns above this */

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
#define SIG_SIZE		17	/* an update's signature, hex, NUL */

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

/* A growing buffer, of NUL-terminated strings mostly. */
struct strbuf {
	char	*p;
	size_t	 len;
	size_t	 size;
};

/* Strings that live until the pool is freed, all at once (util.c). */
struct pool {
	struct pool_block	*head;
};

/* The trusted proxies: a list of networks. */
struct nets {
	struct net	*v;
	size_t		 n;
};

/*
 * A client section.  Its strings belong to the configuration's pool or
 * to the index, whichever the client came from.
 */
#define NAMES_MAX	20	/* names of a client; names of a dyndns2 request */

/* A list of DNS names, of one client. */
struct names {
	const char	*v[NAMES_MAX];
	size_t		 n;
};

/*
 * A device behind a client's router (lan-host): its name, and its
 * address under the prefix the router's dyndns2 request brings: the
 * prefix's bits, then subnet up to bit 64, then the low 64 bits of
 * suffix (an IPv6 address, its interface identifier).
 */
struct lanhost {
	const char	*name;
	const char	*suffix;
	long		 subnet;
};
struct lanhosts {
	struct lanhost	*v;
	size_t		 n;
};
#define SUBNET_MAX	65535	/* a subnet ID fits 16 bits ... */
#define LANPREFIX_MIN	48	/* ... above a prefix of 48 bits or more */

/*
 * A client's keys, each kept as its SHA-256 digest: a key written plain
 * (key) is hashed as it is read, one written as a digest (key-sha256) is
 * taken as it is.  At most KEYS_MAX of each form.
 */
#define KEYS_MAX	4
#define SHA256_LEN	32
struct keys {
	unsigned char	(*v)[SHA256_LEN];
	size_t		 n;
};

struct client {
	const char	*name;
	struct keys	 keys;		/* never in the index: the digests
					   are the index's keys */
	struct nets	 allow;		/* allow-from; none: anywhere */
	struct names	 hosts;		/* its names, in the order written */
	struct lanhosts	 lan;		/* its LAN hosts, as written; with the
					   names, at most NAMES_MAX */
	long		 ttl;
	int		 allow_myip;	/* dyndns2's myip counts */
	int		 allow_acme;	/* ACME may set the TXT challenge */
	long		 max_changes;	/* per name and type an hour; 0: any */
	size_t		 index;		/* position in the configuration */
	size_t		 source;	/* the clients-dir file that holds it
					   (of conf's sources), or SOURCE_NONE */
};
#define SOURCE_NONE	((size_t)-1)

/*
 * What identifies a file's content: device, inode, size, modification and
 * change times (in nanoseconds).  An inode is never 0, so a zeroed stamp
 * matches no file.
 */
struct stamp {
	uint64_t	dev, ino, size, mtime, ctime;
};

/*
 * A file the configuration was read from, and the stamp of what was read;
 * or the clients-dir, whose stamp changes when a file is added or removed.
 */
struct source {
	char		*path;		/* absolute */
	struct stamp	 stamp;
	int		 is_dir;
};

/*
 * The configuration.  The settings of the table in setting.c live here
 * (and in struct client); the strings among them are the conf's own.
 */
struct conf {
	char		*path;		/* the main configuration file, absolute */
	long		 ttl;
	long		 timeout;
	char		*nsupdate;
	char		*nskeyfile;	/* NULL: none */
	char		*nsserver;	/* NULL: nsupdate -l */
	long		 nsport;
	char		*statedir;
	struct nets	 proxies;
	int		 proxy_protocol;
	struct nets	 allow;		/* allow-from, for clients that set
					   none; none: anywhere */
	char		*url;		/* the server's, for --new-client */
	int		 allow_myip;
	int		 allow_acme;
	long		 max_changes;
	int		 verify_dns;	/* a matching state asks the primary */
	int		 seccomp;	/* confine() adds a system call filter */
	char		*clients_dir;	/* NULL: none */
	char		*tls_cert;
	char		*tls_key;
	struct client	*clients;
	size_t		 nclients;
	size_t		 clients_cap;	/* room in clients */
	struct pool	 strings;	/* the clients' strings, when parsed */
	struct source	*sources;	/* every file the configuration read */
	size_t		 nsources;
	size_t		 sources_cap;	/* room in sources */
	struct index	*index;		/* set: clients come from the index */
};

/* How conf_load() reads: for -t, or for a connection. */
#define CONF_CHECK	0x1	/* -t: every check, errors and warnings to
				   stderr, no parse budget */

/* What a setting is, where it lives, and what it may hold. */
enum setting_kind { SET_INT, SET_BOOL, SET_STR, SET_PATH, SET_NETS,
	SET_NAMES, SET_LANHOSTS, SET_KEYS };
/* (SCOPE_LANHOST: a lan-host section of a client) */
enum setting_scope { SCOPE_TOP, SCOPE_TLS, SCOPE_CLIENT, SCOPE_LANHOST };

struct setting {
	const char		*name;
	enum setting_scope	 scope;
	enum setting_kind	 kind;
	size_t			 offset;	/* in struct conf, struct client or
						   struct lanhost */
	const char		*def;		/* as text; NULL: unset */
	long			 min, max;	/* SET_INT; max: of a list's values */
	int			 access;	/* SET_PATH: R_OK or X_OK for -t */
	int			 flags;
	const char		*(*check)(const char *);	/* NULL or why not */
};
#define SETTINGS_MAX	40	/* entries of the table, at most */
#define SETF_REQUIRED	0x1	/* a client section must set it */
#define SETF_SECRET	0x2	/* never stored in the index, never shown */
#define SETF_INHERIT	0x4	/* unset in a client: the top-level value */
#define SETF_DIR	0x8	/* SET_PATH: a directory, where it exists */
#define SETF_DIGEST	0x10	/* SET_KEYS: each value is a key's SHA-256,
				   in hex */

/* A header's value, where it lies in the request head, and how often
 * the header came. */
struct header {
	const char	*v;
	size_t		 len;
	int		 n;
};

/* The connection: plain fds, or a TLS context over them. */
struct conn {
	int		 rfd;
	int		 wfd;
	struct tls	*tls;
	size_t		 len;		/* bytes in buf */
	size_t		 off;		/* bytes consumed from buf */
	char		 buf[HEAD_MAX + 1];	/* the request head (last: its
					   pages are touched only as read) */
};

enum method { METHOD_GET, METHOD_HEAD, METHOD_POST, METHOD_OTHER };

/* A request; request_init() sets every field (its buffers only ended). */
struct request {
	enum method	 method;
	char		 target[TARGET_MAX + 1];	/* origin-form path+query */
	const char	*key;		/* target + 1 */
	const char	*xff;		/* X-Forwarded-For, joined; NULL: none */
	const char	*xrealip;	/* X-Real-IP; NULL: none */
	struct header	 auth;		/* Authorization */
	struct header	 api_user;	/* X-Api-User (acme-dns) */
	struct header	 api_key;	/* X-Api-Key (acme-dns) */
	struct header	 accept;	/* Accept */
	long		 content_length;	/* -1: none */
	int		 transfer_encoding;	/* one was given */
};

/* HTTP statuses sftdyn answers with. */
enum status {
	ST_OK = 200,
	ST_BADREQ = 400,
	ST_UNAUTH = 401,
	ST_FORBIDDEN = 403,
	ST_METHOD = 405,
	ST_TIMEOUT = 408,
	ST_LENGTH = 411,
	ST_TOOLARGE = 413,
	ST_URI = 414,
	ST_TOOMANY = 429,
	ST_HEADERS = 431,
	ST_ERROR = 500,
	ST_NOTIMPL = 501,
};

/* An answer: its status, its body, and the headers that depend on them. */
struct answer {
	enum status	 status;
	const char	*body;		/* NULL: the status's word */
	const char	*ctype;		/* NULL: text/plain; charset=utf-8 */
	const char	*allow;		/* Allow: of a 405 (NULL: GET, HEAD) */
	int		 challenge;	/* WWW-Authenticate: Basic, with 401 */
	long		 retry_after;	/* > 0: Retry-After, in seconds */
};

/* The command line. */
enum status_format { STATUS_TEXT, STATUS_JSON, STATUS_PROMETHEUS };
struct options {
	const char	*conffile;
	const char	*nskeyfile;
	int		 tls;
	int		 check;
	int		 status;	/* --status */
	int		 verify;	/* --verify */
	enum status_format format;
	int		 verbosity;
	int		 to_stderr;
	char *const	*new_client;	/* --new-client: NAME HOST..., or NULL */
	int		 nnew;
};

/*
 * The handler's configuration, from the index or parsed, and its
 * clients (lookup.c).  ok is 0 when it did not load: then every client
 * lookup fails, and each protocol answers as it says for a configuration
 * that fails -t.
 */
struct lookup {
	struct conf		 conf;
	const struct options	*o;
	int			 ok;
	const char		*denied;	/* a client whose key came
						   from outside its allow-from,
						   logged after the answer */
	struct addr		 denied_from;
};
enum found { FOUND_NONE, FOUND, FOUND_BROKEN };

/* Credentials a request carries: HTTP Basic, or acme-dns's headers. */
struct credentials {
	char		 buf[HEAD_MAX];
	const char	*user;
	const char	*pass;
};

/* The values a state file holds (state.c): one address, or a TXT set. */
#define STATE_VALUES	2
#define STATE_VALUE_MAX	63
#define STATE_LINE_MAX	256
#define HISTORY_MAX	1000	/* max-changes, at most */
#define HISTORY_WINDOW	3600	/* seconds the change limit looks back */
struct state {
	char		 value[STATE_VALUES][STATE_VALUE_MAX + 1];
	size_t		 n;
	char		 sig[SIG_SIZE];
	time_t		 set;		/* when it was written */
};

/*
 * What a state is worth (state_judge()): there is none; it is unknown
 * (not a regular file, unreadable, corrupt, values not of its type); it
 * is stale (written after an update sent with another server, port, key
 * file or TTL than today's); or it vouches for its values.
 */
enum vouch { VOUCH_NONE, VOUCH_UNKNOWN, VOUCH_STALE, VOUCH_VOUCHES };

/*
 * One name brought to what a request asks (sync.c): its A and AAAA
 * records to one or two addresses, one per family; or, for ACME, the TXT
 * set at _acme-challenge.NAME given or rid of one value.
 */
enum sync_kind { SYNC_ADDRS, SYNC_PRESENT, SYNC_CLEANUP };
enum sync_result { SYNC_CURRENT, SYNC_UPDATED, SYNC_FAILED, SYNC_LIMITED,
	SYNC_PENDING };
struct sync {
	const struct client	*client;
	const char		*host;		/* the name */
	enum sync_kind		 kind;
	struct addr		 addr[2];
	char			 sig[2][SIG_SIZE];	/* of each one's update */
	int			 current[2];	/* the state vouches for it */
	size_t			 n;
	char			 value[STATE_VALUE_MAX + 1];	/* TXT */
	struct txt		*txt;		/* TXT: the set (sync.c) */
	int			 lock;		/* the name's lock, or < 0 */
	int			 updated;	/* DNS took it: record it */
	int			 changed;	/* ... and count the change */
	enum sync_result	 result;	/* what it came to */
	int			 tried;		/* sync_check() ran */
	long			 retry_after;	/* SYNC_LIMITED: seconds */
};

/* A dyndns2 request (dyndns2.c): its query and its lines. */
struct dyn_query {
	char		 buf[TARGET_MAX + 1];	/* the decoded values */
	char		*hostname;	/* NULL: absent */
	char		*myip;
	char		*myipv6;
	char		*myip6;
	char		*ip6lanprefix;
};

/* A dyndns2 answer's lines: the names asked for, then LAN hosts. */
#define DYN_LINES_MAX	(2 * NAMES_MAX)
struct dyn {
	struct dyn_query q;
	const char	*name[DYN_LINES_MAX];	/* each line's name */
	const char	*word[DYN_LINES_MAX];	/* the answer for each */
	const char	*addr[DYN_LINES_MAX];	/* the addresses it names */
	size_t		 n;		/* 0: one word for the request */
	char		 addrs[96];	/* "V4", "V6" or "V4,V6": the names' */
};

/* Which protocol a request path belongs to (route.c). */
enum route { ROUTE_SECRET, ROUTE_DYNDNS2, ROUTE_PRESENT, ROUTE_CLEANUP,
	ROUTE_UPDATE };

/* An ACME dns-01 request (acme.c): lego's httpreq or acme-dns's. */
#define ACME_BODY_MAX	1024	/* bytes of a request body, at most */
#define ACME_VALUE_LEN	43	/* a key authorization's digest, base64url */
#define ACME_PREFIX	"_acme-challenge."	/* of a name's challenge */
#define OWNER_MAX	(sizeof(ACME_PREFIX) - 1 + HOST_MAX + 1)	/* a
				   record's owner: a name, or its challenge */
struct acme {
	enum route	 op;		/* ROUTE_PRESENT, _CLEANUP, _UPDATE */
	int		 json;		/* answered in JSON */
	char		 name[HOST_MAX + 1];	/* fqdn, or subdomain */
	char		 value[ACME_BODY_MAX + 1];
	const char	*result;	/* the word logged */
};

/*
 * One request and its answer, as the protocols (secret.c, dyndns2.c,
 * acme.c) see it: they read the request and the client's address, find
 * the client through the lookup, bring its names up to date through
 * sync, and fill in the answer; main.c sends it, records the states and
 * has the protocol log it.
 */
struct exchange {
	struct conn		*conn;
	struct lookup		*lookup;
	const struct request	*req;
	struct addr		 peer;		/* the immediate peer */
	struct addr		 addr;		/* the client's: the peer's, or
						   a trusted proxy's word */
	int			 have_addr;
	double			 started;
	struct answer		 answer;
	const struct client	*client;
	void			(*log)(const struct exchange *);
	size_t			 nsync;
	struct sync		 sync[NAMES_MAX];	/* (the large parts
					   last: a page is touched as used) */
	char			 body[DYN_LINES_MAX * 72];
	union {
		struct dyn	 dyn;
		struct acme	 acme;
	} p;
};

/* acme.c */
int	acme_parse(enum route, const char *, size_t, struct acme *);
void	acme_serve(struct exchange *, enum route);

/* auth.c */
int	auth_basic(struct credentials *, const struct request *);
int	auth_api(struct credentials *, const struct request *);
int	auth_user_matches(const struct client *, const char *);
int	client_name_index(const struct client *, const char *);
enum found auth_client(struct exchange *, struct credentials *);

/* dyndns2.c */
void	dyn_query_parse(struct dyn_query *, const char *);
int	dyn_addresses(const struct dyn_query *, const struct addr *, int,
	    struct addr[2], size_t *);
void	dyn_serve(struct exchange *);

/* lookup.c */
int	options_check(const struct conf *, const struct options *, int);
void	options_apply(struct conf *, const struct options *);
int	lookup_open(struct lookup *, const struct options *);
enum found lookup_client(struct lookup *, const char *, const struct addr *,
	    const struct client **);
void	lookup_report(const struct lookup *);
void	lookup_close(struct lookup *);

/* route.c */
enum route route_of(const char *);
const char *route_path(enum route);
const char *route_paths(void);

/* status.c */
int	status_print(const struct options *);

/* secret.c */
void	secret_serve(struct exchange *);

/* index.c */
int	index_write(const struct conf *);
int	index_load(struct conf *, const char *);
enum found index_client_find(struct conf *, const unsigned char[SHA256_LEN],
	    const struct client **);
void	index_free(struct conf *);

/* log.c */
void	log_init(int to_stderr, int verbosity);
void	log_err(const char *, ...) ATTR_PRINTF(1, 2);
void	log_syserr(const char *, ...) ATTR_PRINTF(1, 2);
void	log_warn(const char *, ...) ATTR_PRINTF(1, 2);
void	log_info(const char *, ...) ATTR_PRINTF(1, 2);
void	log_debug(const char *, ...) ATTR_PRINTF(1, 2);
void	log_escape(char *, size_t, const char *);
void	msg_vformat(char *, size_t, int, const char *, va_list)
	    ATTR_PRINTF(4, 0);
void	msg_format(char *, size_t, int, const char *, ...) ATTR_PRINTF(4, 5);

/* addr.c */
int	addr_parse(struct addr *, const char *);
int	addr_parsen(struct addr *, const char *, size_t);
int	addr_from_sockaddr(struct addr *, const struct sockaddr *, socklen_t);
int	net_parse(struct net *, const char *);
int	net_contains(const struct net *, size_t, const struct addr *);
int	lanprefix_parse(struct net *, const char *);
int	lan_address(struct addr *, const struct net *, long,
	    const struct addr *);
const char *addr_type(const struct addr *);

/* conf.c */
void	conf_blank_comments(char *, size_t);
int	conf_load(struct conf *, const char *, int);
void	conf_free(struct conf *);
const char *conf_changed(const struct conf *);
const struct client *conf_client_find(const struct conf *,
	    const unsigned char[SHA256_LEN]);

/* confine.c */
int	confine(const struct conf *);

/* conn.c */
void	conn_init(struct conn *);
ssize_t	conn_read(struct conn *, void *, size_t);
int	conn_fill(struct conn *);
int	conn_write(struct conn *, const char *, size_t);
void	conn_finish(struct conn *, int);

/* deadline.c */
double	now_ms(void);
void	deadline_start(void);
void	deadline_limit(long);
void	deadline_at(double);
void	deadline_in(long);
void	deadline_from_start(long);
void	deadline_clear(void);
void	deadline_doom(pid_t);
void	deadline_stop(void);
int	deadline_left(void);
int	deadline_expired(void);
int	deadline_wait(int, short);

/* http.c */
void	request_init(struct request *);
enum status http_parse_head(struct request *, const char *, size_t);
long	http_head_end(const char *, size_t);
enum status http_read_head(struct conn *, struct request *);
enum status http_read_body(struct conn *, const struct request *, char *,
	    size_t, size_t *);
int	http_wants_json(const struct request *);
int	http_format(char *, size_t, enum method, const struct answer *);
int	http_respond(struct conn *, enum method, const struct answer *);
const char *http_word(enum status);

/* peer.c */
enum status peer_immediate(struct addr *, int);
enum status peer_forwarded(struct addr *, const struct conf *,
	    const struct request *);

/* sync.c */
void	sync_init(struct sync *, const struct client *, const char *,
	    enum sync_kind);
void	sync_add(struct sync *, const struct addr *);
void	sync_lock(struct sync *, size_t, const struct conf *);
enum sync_result sync_check(struct sync *, const struct conf *);
enum sync_result sync_run(struct sync *, const struct conf *);
enum sync_result sync_host(struct sync *, const struct conf *);
void	sync_record(struct sync *, const struct conf *);

/* dns.c */
#define DNS_HEADER	12
#define DNS_TCP_MAX	65535
#define DNS_NAME_MAX	255
#define TYPE_A		1
#define TYPE_TXT	16
#define TYPE_AAAA	28
/* A question, and where it goes (verify.c fills that in). */
struct query {
	unsigned char		 msg[DNS_HEADER + DNS_NAME_MAX + 4];
	size_t			 len;
	size_t			 qlen;	/* the question section's length */
	char			 name[DNS_NAME_MAX + 1];	/* lower case */
	int			 type;
	struct sockaddr_storage	 to;
	socklen_t		 tolen;
};
/* A record set: each record's data, as a set (for TXT, its strings). */
#define RRSET_MAX	16	/* records sftdyn reads in a set */
#define RDATA_MAX	512	/* bytes of one record's data it reads */
struct rrset {
	size_t		 n;
	size_t		 len[RRSET_MAX];
	unsigned char	 rdata[RRSET_MAX][RDATA_MAX];
};
unsigned dns_get16(const unsigned char *);
void	dns_put16(unsigned char *, unsigned);
int	dns_query_build(struct query *, const char *, int);
int	dns_answer_matches(const struct query *, const unsigned char *, size_t);
const char *dns_answer_read(const struct query *, const unsigned char *,
	    size_t, struct rrset *, int *, int *);
const char *rrset_differs(int, const struct rrset *, const struct rrset *);

/* verify.c */
enum verdict { VERDICT_AGREES, VERDICT_DIFFERS, VERDICT_NO_ANSWER };
void	rrset_addr(struct rrset *, const struct addr *);
void	rrset_txt(struct rrset *, const struct state *);
enum verdict verify_read(const struct conf *, const char *, int,
	    struct rrset *, const char **);
enum verdict verify_query(const struct conf *, const char *, int,
	    const struct rrset *, const char **);
int	verify_confirms(const struct conf *, const char *, const struct addr *);

/* update.c */
enum update { UPDATE_DONE, UPDATE_FAILED, UPDATE_PREREQ };
void	update_begin(struct strbuf *, const struct conf *, const char *);
void	update_addf(struct strbuf *, const char *, ...) ATTR_PRINTF(2, 3);
void	update_send(struct strbuf *);
enum update update_run(const struct conf *, const char *, int);
void	update_signature(const struct conf *, const char *, const char *,
	    long, char[SIG_SIZE]);

/* proxy.c */
enum status proxy_parse(const char *, size_t, struct addr *, int *);
enum status proxy_read(struct conn *, struct addr *);

/* key.c */
#define KEY_TEXT_LEN	22	/* a made key: 128 bits in base64url */
#define SHA256_HEX	(2 * SHA256_LEN)
void	key_hash(const char *, unsigned char[SHA256_LEN]);
int	key_unhex(const char *, unsigned char[SHA256_LEN]);
void	key_hex(const unsigned char[SHA256_LEN], char[SHA256_HEX + 1]);
int	keys_match(const struct keys *, const unsigned char[SHA256_LEN]);
int	key_make(char[KEY_TEXT_LEN + 1]);

/* newclient.c */
int	new_client(const struct options *);

/* setting.c */
extern const struct setting settings[];
extern const size_t nsettings;
void	*setting_ptr(const void *, const struct setting *);
const struct setting *setting_find(enum setting_scope, const char *);
int	setting_from_text(void *, const struct setting *, const char *,
	    struct pool *);
int	parse_decimal(const char *, long *);
void	settings_encode(struct strbuf *, const void *, enum setting_scope);
int	settings_decode(void *, enum setting_scope, const char **,
	    const char *, struct pool *);
void	settings_inherit(const struct conf *, struct client *);
void	settings_dump(FILE *, const struct conf *);
void	settings_free(struct conf *);
const char *valid_host_why(const char *);
const char *valid_name_why(const char *);
const char *name_base(const char *);
int	name_below(const char *, const char *);
int	names_clash(const char *, const char *);
const char *valid_key_why(const char *);
const char *valid_digest_why(const char *);
const char *valid_url_why(const char *);
const char *valid_server_why(const char *);
const char *valid_suffix_why(const char *);
int	valid_txt_value(const char *);

/* state.c */
#define STATE_NOLOCK	(-1)	/* no usable lock: the state is unknown */
#define STATE_BUSY	(-2)	/* the lock was held until the deadline */
int	state_lock(const struct conf *, const char *);
void	state_owner(char[OWNER_MAX + 1], const char *, const char *);
void	state_signature(const struct conf *, const char *, const char *,
	    long, char[SIG_SIZE]);
enum vouch state_judge(const struct conf *, const char *, const char *,
	    long, struct state *);
const char *vouch_word(enum vouch);
int	state_read(const struct conf *, const char *, const char *,
	    struct state *);
int	state_parse(const char *, size_t, struct state *);
size_t	state_format(const struct state *, char[STATE_LINE_MAX]);
int	state_forget(const struct conf *, const char *, const char *);
void	state_save(const struct conf *, const char *, const char *,
	    const struct state *);
int	history_read(const struct conf *, const char *, const char *,
	    time_t *, size_t, size_t *);
void	history_save(const struct conf *, const char *, const char *,
	    const time_t *, size_t);

/*
 * tls.c, in sftdyn-tls; notls.c, in sftdyn, whose --tls runs sftdyn-tls
 * instead, so that plain connections do not map libtls, libssl and
 * libcrypto.
 */
extern const int secure_linked;
int	secure_prepare(const struct conf *);
int	secure_start(struct conn *);
ssize_t	secure_read(struct conn *, void *, size_t);
int	secure_write(struct conn *, const void *, size_t);
void	secure_close(struct conn *);

/* util.c */
void	*xcalloc(size_t, size_t);
void	*xrealloc(void *, size_t, size_t);
void	*xgrow(void *, size_t *, size_t, size_t);
char	*xstrdup(const char *);
char	*xstrndup(const char *, size_t);
char	*xvasprintf(const char *, va_list) ATTR_PRINTF(1, 0);
char	*xasprintf(const char *, ...) ATTR_PRINTF(1, 2);
int	has_prefix(const char *, const char *, const char *);
int	host_equal(const char *, const char *);
void	host_fold(char *, size_t, const char *);
char	*path_join(const char *, const char *);
char	*path_absolute(const char *);
int	read_all(int, void *, size_t);
int	write_all(int, const void *, size_t);
void	strbuf_raw(struct strbuf *, const void *, size_t);
void	strbuf_add(struct strbuf *, const char *);
char	*pool_strdup(struct pool *, const char *);
void	*pool_calloc(struct pool *, size_t, size_t);
void	pool_free(struct pool *);
const char *next_str(const char **, const char *);
int	stamp_fd(int, struct stamp *);
int	stamp_at(int, const char *, struct stamp *);
int	stamp_same(const struct stamp *, const struct stamp *);

#endif
