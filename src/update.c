/*
 * Running nsupdate: a fixed argument vector, no shell, the script on its
 * standard input, its output to the log, and the phase's deadline after
 * which it is killed and reaped; a signal that ends the handler ends it
 * too.  The signature of an update (its arguments and input) is what the
 * state vouches for.
 */
#include <sys/pidfd.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sftdyn.h"

extern char **environ;

/* The running nsupdate, for the handler of a terminating signal. */
static volatile pid_t child;

/*
 * The nsupdate input: an optional server line, then for each of the n
 * (one or two) addresses, delete the host's records of its type and add
 * it; one message, so DNS takes all of it or nothing.  Returns a malloc'd
 * string.
 */
static char *
update_script(const struct conf *c, const struct client *cl,
    const struct addr *a, size_t n)
{
	char server[512] = "", rr[2][768] = { "", "" };
	size_t i;

	if (c->nsserver != NULL)
		snprintf(server, sizeof(server), "server %s %ld\n",
		    c->nsserver, c->nsport);
	for (i = 0; i < n && i < 2; i++)
		snprintf(rr[i], sizeof(rr[i]), "update delete %s %s\n"
		    "update add %s %ld %s %s\n", cl->host, addr_type(&a[i]),
		    cl->host, cl->ttl, addr_type(&a[i]), a[i].text);
	return xasprintf("%s%s%ssend\n", server, rr[0], rr[1]);
}

/* Fills argv for nsupdate; port holds the text of -p's argument. */
static void
update_argv(const struct conf *c, char *argv[8], char port[8])
{
	static char name[] = "nsupdate", local[] = "-l", portflag[] = "-p",
	    keyflag[] = "-k";
	int i = 0;

	argv[i++] = name;
	if (c->nsserver == NULL) {
		argv[i++] = local;
		if (c->nsport != 53) {
			snprintf(port, 8, "%ld", c->nsport);
			argv[i++] = portflag;
			argv[i++] = port;
		}
	}
	if (c->nskeyfile != NULL) {
		argv[i++] = keyflag;
		argv[i++] = c->nskeyfile;
	}
	argv[i] = NULL;
}

/*
 * The signature of the update that sets the host's record of a's type to
 * a: a hash of nsupdate's arguments and input, so that it changes with
 * the server, the port, the key file and the TTL.
 */
void
update_signature(const struct conf *c, const struct client *cl,
    const struct addr *a, char sig[SIG_SIZE])
{
	static const unsigned char key[16] = "sftdyn-state-v2";
	struct strbuf b = { NULL, 0, 0 };
	char *argv[8], port[8], *script = update_script(c, cl, a, 1);
	size_t i;

	update_argv(c, argv, port);
	for (i = 0; argv[i] != NULL; i++)
		strbuf_add(&b, argv[i]);
	strbuf_add(&b, script);
	snprintf(sig, SIG_SIZE, "%016llx",
	    (unsigned long long)siphash24(key, b.p, b.len));
	free(b.p);
	free(script);
}

/* Logs the child's output line by line, at err level when it failed. */
static void
update_log_output(char *out, int failed)
{
	char *line, *save = NULL;

	for (line = strtok_r(out, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		if (failed)
			log_err("nsupdate: %s", line);
		else
			log_warn("nsupdate: %s", line);
	}
}

/*
 * Starts nsupdate with its stdin and stdout+stderr on pipes.  Returns the
 * pid, or -1 (logged).
 */
static pid_t
update_spawn(const struct conf *c, int in[2], int out[2])
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t dfl;
	char *argv[8];
	char port[8];
	pid_t pid;
	int rc;

	update_argv(c, argv, port);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, in[0], STDIN_FILENO);
	posix_spawn_file_actions_adddup2(&fa, out[1], STDOUT_FILENO);
	posix_spawn_file_actions_adddup2(&fa, out[1], STDERR_FILENO);
	posix_spawn_file_actions_addclosefrom_np(&fa, STDERR_FILENO + 1);
	posix_spawnattr_init(&attr);
	sigemptyset(&dfl);
	sigaddset(&dfl, SIGPIPE);
	posix_spawnattr_setsigdefault(&attr, &dfl);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF);
	rc = posix_spawn(&pid, c->nsupdate, &fa, &attr, argv,
	    environ);
	posix_spawnattr_destroy(&attr);
	posix_spawn_file_actions_destroy(&fa);
	if (rc != 0) {
		log_err("nsupdate: %s: %s", c->nsupdate, strerror(rc));
		return -1;
	}
	return pid;
}

/* A signal that ends the handler ends nsupdate first. */
static void
update_abort(int sig)
{
	if (child > 0)
		kill(child, SIGKILL);
	signal(sig, SIG_DFL);
	raise(sig);
}

static void
update_guard(pid_t pid)
{
	static const int sigs[] = { SIGTERM, SIGINT, SIGHUP };
	struct sigaction sa;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = pid > 0 ? update_abort : SIG_DFL;
	sigemptyset(&sa.sa_mask);
	child = pid;
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
}

/*
 * Collects the child's output until it has exited and closed it, or the
 * phase's deadline passes.  Returns 0 when it finished in time.
 */
static int
update_wait(pid_t pid, int outfd, char *out, size_t size)
{
	struct pollfd pfd[2];
	size_t used = 0;
	int nfds, pidfd;
	ssize_t n;
	char sink[512];

	if ((pidfd = pidfd_open(pid, 0)) == -1)
		return -1;
	pfd[0].fd = outfd;
	pfd[0].events = POLLIN;
	pfd[1].fd = pidfd;
	pfd[1].events = POLLIN;
	for (nfds = 2; pfd[0].fd != -1 || pfd[1].fd != -1;) {
		int left = deadline_left(), ready;

		if (left == 0) {
			close(pidfd);
			return -1;
		}
		if ((ready = poll(pfd, (nfds_t)nfds, left)) <= 0) {
			if (ready == 0 || errno == EINTR)
				continue;	/* the deadline is checked above */
			close(pidfd);
			return -1;
		}
		if (pfd[1].revents != 0)
			pfd[1].fd = -1;
		if (pfd[0].revents == 0)
			continue;
		if (used + 1 < size)
			n = read(outfd, out + used, size - 1 - used);
		else
			n = read(outfd, sink, sizeof(sink));
		if (n <= 0)
			pfd[0].fd = -1;
		else if (used + 1 < size)
			used += (size_t)n;
		out[used] = '\0';
	}
	close(pidfd);
	return 0;
}

/*
 * Sets the host's records of the n addresses' types to them, in one
 * message.  Returns 0 when nsupdate succeeded before the phase's
 * deadline, -1 when it failed, timed out (killed and reaped) or could not
 * start.
 */
int
update_run(const struct conf *c, const struct client *cl, const struct addr *a,
    size_t n)
{
	double started = now_ms();
	char out[CHILD_LOG_MAX + 1] = "", *script;
	int in[2], outp[2], status = -1, rc = -1;
	pid_t pid;

	script = update_script(c, cl, a, n);
	log_debug("nsupdate input:\n%s", script);
	if (pipe2(in, O_CLOEXEC) != 0 || pipe2(outp, O_CLOEXEC) != 0) {
		log_err("nsupdate: pipe: %s", strerror(errno));
		free(script);
		return -1;
	}
	pid = update_spawn(c, in, outp);
	update_guard(pid);
	close(in[0]);
	close(outp[1]);
	if (pid != -1) {
		if (write_all(in[1], script, strlen(script)) != 0)
			log_err("nsupdate: writing its input: %s",
			    strerror(errno));
		close(in[1]);
		if (update_wait(pid, outp[0], out, sizeof(out)) != 0) {
			log_err("nsupdate: no answer within %ld s, killed",
			    c->timeout);
			kill(pid, SIGKILL);
		}
		while (waitpid(pid, &status, 0) == -1 && errno == EINTR)
			;
		update_guard(0);
		rc = WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
		if (rc != 0 && WIFEXITED(status))
			log_err("nsupdate: exit status %d", WEXITSTATUS(status));
		update_log_output(out, rc != 0);
		log_debug("nsupdate took %.1f ms", now_ms() - started);
	} else
		close(in[1]);
	close(outp[0]);
	free(script);
	return rc;
}
