/*
 * runner [-n runs] [-p path] [-P path] [-H header] [-d body] [-t cafile]
 *     [-x text] [-X text] [-e NAME=VALUE]... -- program args...
 *     [-- reference args...]
 * Starts the program once per run on one end of a socketpair (fd 0 and
 * fd 1), sends a request for path (with the header line, if any; a POST
 * of body with -d) from the other end (over TLS with -t), reads the
 * answer, and takes the child's CPU time and peak RSS from wait4().
 * With -P, every second run asks for that path instead (so that each
 * run of an update changes what the one before set).  An answer that
 * lacks the text of -x, or holds that of -X, is an error: exit 1.
 * Prints the median and p90 CPU in microseconds, the median peak RSS in
 * KiB, the median wall time from fork to reaping in microseconds, and the
 * first answer's status line.  With a reference, each run of the program
 * is followed by one of the reference, given the same request, so that
 * both see the same drift of the machine's speed; a second line prints
 * "ref" and the same four figures for the reference.
 *
 * A child's peak RSS counts the pages of the runner it was forked from,
 * until it execs: the plain runner is therefore a small static program,
 * and TLS (-t) is in runner-tls, built with -DRUNNER_TLS, whose rows are
 * only compared with each other.
 */
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <err.h>
#include <signal.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#ifdef RUNNER_TLS
#include <tls.h>
#endif

#define MAXRUNS 2000

#define REQUEST "%s %s HTTP/1.1\r\nHost: bench\r\n%s%s%s\r\n%s"

static int
cmp_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;

	return (x > y) - (x < y);
}

/* The client side of one exchange; returns the answer's length. */
static size_t
exchange(int fd, const char *path, const char *header, const char *body,
    const char *cafile, char *ans, size_t size)
{
#ifdef RUNNER_TLS
	struct tls_config *cfg;
	struct tls *ctx = NULL;
#endif
	char req[4096], length[64] = "";
	size_t len = 0;
	ssize_t n;
	int reqlen;

	if (body != NULL)
		snprintf(length, sizeof(length), "Content-Length: %zu\r\n",
		    strlen(body));
	reqlen = snprintf(req, sizeof(req), REQUEST, body ? "POST" : "GET",
	    path, header ? header : "", header ? "\r\n" : "", length,
	    body ? body : "");

	if (cafile != NULL) {
#ifdef RUNNER_TLS
		if ((cfg = tls_config_new()) == NULL ||
		    tls_config_set_ca_file(cfg, cafile) != 0 ||
		    (ctx = tls_client()) == NULL || tls_configure(ctx, cfg) != 0 ||
		    tls_connect_socket(ctx, fd, "localhost") != 0)
			errx(1, "tls client setup");
		tls_config_free(cfg);
		while ((n = tls_handshake(ctx)) != 0)
			if (n != TLS_WANT_POLLIN && n != TLS_WANT_POLLOUT)
				errx(1, "tls_handshake: %s", tls_error(ctx));
		while ((n = tls_write(ctx, req, (size_t)reqlen)) != reqlen)
			if (n != TLS_WANT_POLLIN && n != TLS_WANT_POLLOUT)
				errx(1, "tls_write: %s", tls_error(ctx));
		while ((n = tls_read(ctx, ans + len, size - 1 - len)) != 0) {
			if (n == TLS_WANT_POLLIN || n == TLS_WANT_POLLOUT)
				continue;	/* a session ticket went by */
			if (n < 0)
				break;
			len += (size_t)n;
		}
		tls_close(ctx);
		tls_free(ctx);
#else
		errx(1, "-t: this is the runner without TLS; use runner-tls");
#endif
	} else {
		if (write(fd, req, (size_t)reqlen) != reqlen)
			err(1, "write");
		while ((n = read(fd, ans + len, size - 1 - len)) > 0)
			len += (size_t)n;
	}
	ans[len] = '\0';
	return len;
}

struct request {
	const char	*path, *path2, *header, *body, *cafile;
	const char	*need, *refuse;	/* in every answer; in none */
};

/* The figures of one program's runs. */
struct figures {
	long		cpu[MAXRUNS], rss[MAXRUNS], wall[MAXRUNS];
};

/*
 * Runs argv once with req, into run i of f; the answer's status line
 * into first, if not NULL.
 */
static void
run(char *const argv[], const struct request *req, struct figures *f, int i,
    char *first, size_t firstsize)
{
	struct timespec t0, t1;
	struct rusage ru;
	char ans[8192];
	int sv[2], status;
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
		err(1, "socketpair");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if ((pid = fork()) == -1)
		err(1, "fork");
	if (pid == 0) {
		dup2(sv[1], 0);
		dup2(sv[1], 1);
		close(sv[0]);
		close(sv[1]);
		execv(argv[0], argv);
		_exit(127);
	}
	close(sv[1]);
	exchange(sv[0], req->path2 != NULL && i % 2 ? req->path2 : req->path,
	    req->header, req->body, req->cafile, ans, sizeof(ans));
	if ((req->need != NULL && strstr(ans, req->need) == NULL) ||
	    (req->refuse != NULL && strstr(ans, req->refuse) != NULL))
		errx(1, "run %d answered: %s", i, ans);
	close(sv[0]);
	if (wait4(pid, &status, 0, &ru) != pid)
		err(1, "wait4");
	clock_gettime(CLOCK_MONOTONIC, &t1);
	f->wall[i] = (t1.tv_sec - t0.tv_sec) * 1000000L +
	    (t1.tv_nsec - t0.tv_nsec) / 1000;
	if (first != NULL)
		snprintf(first, firstsize, "%.*s", (int)strcspn(ans, "\r\n"),
		    ans);
	f->cpu[i] = (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000L +
	    ru.ru_utime.tv_usec + ru.ru_stime.tv_usec;
	f->rss[i] = ru.ru_maxrss;
}

/* Prints the medians (and CPU's p90) of runs runs of f, then tail. */
static void
report(const char *head, struct figures *f, int runs, const char *tail)
{
	qsort(f->cpu, (size_t)runs, sizeof(long), cmp_long);
	qsort(f->rss, (size_t)runs, sizeof(long), cmp_long);
	qsort(f->wall, (size_t)runs, sizeof(long), cmp_long);
	printf("%s%ld %ld %ld %ld %s\n", head, f->cpu[runs / 2],
	    f->cpu[runs * 9 / 10], f->rss[runs / 2], f->wall[runs / 2], tail);
}

int
main(int argc, char *argv[])
{
	static struct figures prog, ref;
	struct request req = { "/", NULL, NULL, NULL, NULL, NULL, NULL };
	struct request plain;
	char first[256] = "", **refargv = NULL;
	int runs = 200, ch, i;

	while ((ch = getopt(argc, argv, "n:p:P:H:d:t:e:x:X:")) != -1) {
		switch (ch) {
		case 'n': runs = atoi(optarg); break;
		case 'p': req.path = optarg; break;
		case 'P': req.path2 = optarg; break;
		case 'x': req.need = optarg; break;
		case 'X': req.refuse = optarg; break;
		case 'd': req.body = optarg; break;
		case 'H': req.header = optarg; break;
		case 't': req.cafile = optarg; break;
		case 'e': putenv(optarg); break;
		default: errx(1, "usage: runner [-n runs] [-p path] [-P path] "
		    "[-H header] [-d body] [-t ca] [-x text] [-X text] "
		    "[-e VAR=value] -- program args... [-- reference args...]");
		}
	}
	signal(SIGPIPE, SIG_IGN);
	if (optind >= argc || runs < 1 || runs > MAXRUNS)
		errx(1, "no program, or a bad number of runs");
	for (i = optind; i < argc; i++)
		if (strcmp(argv[i], "--") == 0) {
			argv[i] = NULL;
			refargv = argv + i + 1;
			if (refargv[0] == NULL)
				errx(1, "no reference after --");
			break;
		}
	plain = req;		/* the reference: the same request, unchecked */
	plain.need = plain.refuse = NULL;
	for (i = 0; i < runs; i++) {
		run(argv + optind, &req, &prog, i, i == 0 ? first : NULL,
		    sizeof(first));
		if (refargv != NULL)
			run(refargv, &plain, &ref, i, NULL, 0);
	}
	report("", &prog, runs, first);
	if (refargv != NULL)
		report("ref ", &ref, runs, "");
	return 0;
}
