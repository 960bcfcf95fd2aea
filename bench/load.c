/*
 * load [-c concurrency] [-n requests] host port path
 * Sends requests, one connection each, from `concurrency` threads and
 * prints "requests/s p50_ms p99_ms errors" over all of them.
 */
#include <arpa/inet.h>
#include <err.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static struct sockaddr_in addr_in;
static char request[512];
static double *lat;
static int total, next, errors;
static pthread_mutex_t mtx = PTHREAD_MUTEX_INITIALIZER;

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* One request on a new connection; returns 0 when a 200 came back. */
static int
one(void)
{
	char buf[1024];
	size_t len = 0;
	ssize_t n;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd == -1 || connect(fd, (struct sockaddr *)&addr_in, sizeof(addr_in)) != 0 ||
	    write(fd, request, strlen(request)) < 0) {
		if (fd != -1)
			close(fd);
		return -1;
	}
	while ((n = read(fd, buf + len, sizeof(buf) - 1 - len)) > 0)
		len += (size_t)n;
	buf[len] = '\0';
	close(fd);
	return strncmp(buf, "HTTP/1.1 200 ", 13) == 0 ? 0 : -1;
}

static void *
worker(void *arg)
{
	double t;
	int i, rc;

	(void)arg;
	for (;;) {
		pthread_mutex_lock(&mtx);
		i = next < total ? next++ : -1;
		pthread_mutex_unlock(&mtx);
		if (i < 0)
			return NULL;
		t = now();
		rc = one();
		lat[i] = (now() - t) * 1e3;
		if (rc != 0) {
			pthread_mutex_lock(&mtx);
			errors++;
			pthread_mutex_unlock(&mtx);
		}
	}
}

static int
cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int
main(int argc, char *argv[])
{
	pthread_t th[64];
	int conc = 4, ch, i;
	double t0, secs;

	total = 2000;
	while ((ch = getopt(argc, argv, "c:n:")) != -1) {
		if (ch == 'c')
			conc = atoi(optarg);
		else if (ch == 'n')
			total = atoi(optarg);
		else
			errx(1, "usage: load [-c conc] [-n requests] host port path");
	}
	if (argc - optind != 3 || conc < 1 || conc > 64 || total < 1)
		errx(1, "usage: load [-c conc] [-n requests] host port path");
	addr_in.sin_family = AF_INET;
	addr_in.sin_port = htons((unsigned short)atoi(argv[optind + 1]));
	if (inet_pton(AF_INET, argv[optind], &addr_in.sin_addr) != 1)
		errx(1, "bad address");
	snprintf(request, sizeof(request), "GET %s HTTP/1.1\r\nHost: bench\r\n\r\n",
	    argv[optind + 2]);
	if ((lat = calloc((size_t)total, sizeof(double))) == NULL)
		err(1, "calloc");
	t0 = now();
	for (i = 0; i < conc; i++)
		pthread_create(&th[i], NULL, worker, NULL);
	for (i = 0; i < conc; i++)
		pthread_join(th[i], NULL);
	secs = now() - t0;
	qsort(lat, (size_t)total, sizeof(double), cmp);
	printf("%.0f %.2f %.2f %d\n", total / secs, lat[total / 2],
	    lat[(int)(total * 0.99)], errors);
	return 0;
}
