/*
 * Running nsupdate: a fixed argument vector, no shell, the input on its
 * standard input, its output to the log, and the phase's deadline after
 * which it is killed and reaped.
 *
 * Nothing it starts may change DNS once the host's lock is gone: nsupdate
 * runs in a process group of its own, which the deadline kills (and a
 * terminating signal, and the handler's last-resort exit); it dies with
 * the handler (PR_SET_PDEATHSIG, for a SIGKILL that no handler sees);
 * and it holds the host's lock itself, as fd 3, so that whatever it left
 * running (a wrapper's children) keeps the next connection waiting until
 * it is gone.
 *
 * Each update's input requires that no CNAME is at the name: an RFC 2136
 * server ignores a record added beside a CNAME and still answers NOERROR,
 * so without the prerequisite nsupdate would succeed with nothing set.
 * A message refused for a prerequisite is told apart from other failures
 * (the caller may read what DNS holds and try again).
 */
#include <sys/ioctl.h>
#include <sys/pidfd.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <nettle/base16.h>
#include <nettle/sha2.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sftdyn.h"

#define LOCK_FD		3	/* where nsupdate holds the host's lock */

extern char **environ;

/* The running nsupdate's process group, for a terminating signal. */
static volatile pid_t child;

/*
 * Starts an update's input in b, for records at name: the server line,
 * when nsserver is set, and the prerequisite that no CNAME is at name.
 */
void
update_begin(struct strbuf *b, const struct conf *c, const char *name)
{
	b->len = 0;
	if (c->nsserver != NULL)
		update_addf(b, "server %s %ld\n", c->nsserver, c->nsport);
	update_addf(b, "prereq nxrrset %s CNAME\n", name);
}

/* Appends a line (or more) of the update's input, printf-formatted. */
void
update_addf(struct strbuf *b, const char *fmt, ...)
{
	va_list ap;
	char *line;

	va_start(ap, fmt);
	line = xvasprintf(fmt, ap);
	va_end(ap);
	strbuf_raw(b, line, strlen(line));
	free(line);
}

/* Ends the update's input: one message, sent at once; a C string. */
void
update_send(struct strbuf *b)
{
	strbuf_add(b, "send\n");
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
 * The signature of an update of host's records of type with ttl: the
 * first 8 bytes of a SHA-256 of nsupdate's arguments and of its input
 * but for the data, in hex, so that it changes with the server, the
 * port, the key file, the TTL and the form of the message.
 */
void
update_signature(const struct conf *c, const char *host, const char *type,
    long ttl, char sig[SIG_SIZE])
{
	struct strbuf b = { NULL, 0, 0 };
	unsigned char d[(SIG_SIZE - 1) / 2];
	char *argv[8], port[8], *rr;
	struct sha256_ctx ctx;
	size_t i;

	update_begin(&b, c, host);
	update_argv(c, argv, port);
	for (i = 0; argv[i] != NULL; i++)
		strbuf_add(&b, argv[i]);
	rr = xasprintf("%s %ld %s", host, ttl, type);
	strbuf_add(&b, rr);
	sha256_init(&ctx);
	sha256_update(&ctx, b.len, (const uint8_t *)b.p);
	sha256_digest(&ctx, sizeof(d), d);
	base16_encode_update(sig, sizeof(d), d);
	sig[SIG_SIZE - 1] = '\0';
	free(rr);
	free(b.p);
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

/* What the child needs, made ready before it is started. */
struct spawn {
	const char	*path;
	char		*argv[8];
	char		 port[8];
	pid_t		 parent;
	int		 in, out, lock;
	sigset_t	 mask;		/* the handler's, to give back */
	int		 exec_errno;	/* the child's, when its exec failed */
};

/* The signals the handler catches: the deadline's, and update_guard()'s. */
static const int caught[] = { SIGALRM, SIGTERM, SIGINT, SIGHUP };

/*
 * The child, between vfork and exec, in the handler's memory (which it
 * must leave as it is: system calls only, no allocation, nothing
 * returned): its own process group, death with the handler, the pipes
 * on 0, 1 and 2, the lock on LOCK_FD, nothing else open, default
 * signals; every signal stays blocked until the handler's catchers are
 * gone, so none of them runs here.  Never returns; an exec that fails
 * is said on its output, which the handler logs.
 */
static void ATTR_NORETURN
update_child(struct spawn *sp)
{
	struct sigaction dfl;
	size_t i;

	setpgid(0, 0);
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != sp->parent)
		_exit(127);
	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	for (i = 0; i < sizeof(caught) / sizeof(caught[0]); i++)
		sigaction(caught[i], &dfl, NULL);
	sigaction(SIGPIPE, &dfl, NULL);	/* the one the handler ignores */
	if (dup2(sp->in, STDIN_FILENO) == -1 ||
	    dup2(sp->out, STDOUT_FILENO) == -1 ||
	    dup2(sp->out, STDERR_FILENO) == -1)
		_exit(127);
	if (sp->lock == LOCK_FD)
		fcntl(LOCK_FD, F_SETFD, 0);
	else if (sp->lock >= 0 && dup2(sp->lock, LOCK_FD) == -1)
		_exit(127);
	close_range(sp->lock >= 0 ? LOCK_FD + 1 : LOCK_FD, ~0U, 0);
	sigprocmask(SIG_SETMASK, &sp->mask, NULL);
	execve(sp->path, sp->argv, environ);
	sp->exec_errno = errno;		/* the handler reads it, and says it */
	_exit(127);
}

/* Kills nsupdate and its process group. */
static void
update_kill(pid_t pid)
{
	kill(-pid, SIGKILL);
	kill(pid, SIGKILL);	/* should the group not have been made */
}

/* A signal that ends the handler ends nsupdate's process group first. */
static void
update_abort(int sig)
{
	if (child > 0)
		update_kill(child);
	signal(sig, SIG_DFL);
	raise(sig);
}

/* pid (> 0) is nsupdate's group: kill it with the handler; 0: none. */
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
	deadline_doom(pid);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
}

/*
 * Starts nsupdate with its stdin and stdout+stderr on pipes and the lock
 * on LOCK_FD.  Returns the pid, or -1 (logged).
 *
 * vfork: the child borrows the handler's memory until it execs, where a
 * fork would copy the page tables and make every page the handler
 * writes afterwards fault (a tenth of a millisecond and more per name
 * updated).  The handler waits meanwhile, with every signal blocked, so
 * that none of its catchers runs in the child.
 */
static pid_t
update_spawn(const struct conf *c, int in, int out, int lock)
{
	struct spawn sp;
	sigset_t all;
	pid_t pid;

	memset(&sp, 0, sizeof(sp));
	sp.path = c->nsupdate;
	update_argv(c, sp.argv, sp.port);
	sp.parent = getpid();
	sp.in = in;
	sp.out = out;
	sp.lock = lock;
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, &sp.mask);
	if ((pid = vfork()) == 0)
		update_child(&sp);
	sigprocmask(SIG_SETMASK, &sp.mask, NULL);
	if (pid == -1) {
		log_syserr("nsupdate: vfork");
		return -1;
	}
	if (sp.exec_errno != 0) {
		errno = sp.exec_errno;
		log_syserr("nsupdate: cannot run %s", sp.path);
	}
	setpgid(pid, pid);	/* (made by the child before its exec) */
	update_guard(pid);
	return pid;
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
 * How nsupdate, reaped with status, did: UPDATE_DONE when it exited 0
 * having read all of its input (in, the pipe's read end, holds nothing);
 * UPDATE_PREREQ when the server refused the message for a prerequisite
 * (its answer, NXRRSET or YXRRSET, in the output); else UPDATE_FAILED,
 * logged with the reason.
 */
static enum update
update_result(int status, int in, const char *out)
{
	int unread = 0;

	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		if (WIFEXITED(status))
			log_err("nsupdate: exit status %d", WEXITSTATUS(status));
		return strstr(out, "update failed: NXRRSET") != NULL ||
		    strstr(out, "update failed: YXRRSET") != NULL ?
		    UPDATE_PREREQ : UPDATE_FAILED;
	}
	if (ioctl(in, FIONREAD, &unread) != 0 || unread > 0) {
		log_err("nsupdate: exited 0 without reading all of its input; "
		    "the update is not known to be done");
		return UPDATE_FAILED;
	}
	return UPDATE_DONE;
}

/*
 * Runs nsupdate with script as its input, handing it the host's lock
 * (lock, or -1).  Returns UPDATE_DONE when it succeeded before the
 * phase's deadline; UPDATE_PREREQ when the server refused it for a
 * prerequisite; UPDATE_FAILED when it failed otherwise, timed out (its
 * group killed and it reaped) or could not start.
 */
enum update
update_run(const struct conf *c, const char *script, int lock)
{
	double started = now_ms();
	char out[CHILD_LOG_MAX + 1] = "";
	int in[2], outp[2], status = -1, werr = 0;
	enum update rc = UPDATE_FAILED;
	pid_t pid;

	log_debug("nsupdate input:\n%s", script);
	if (pipe2(in, O_CLOEXEC) != 0 || pipe2(outp, O_CLOEXEC) != 0) {
		log_syserr("nsupdate: pipe");
		return UPDATE_FAILED;
	}
	/* the input is written before nsupdate starts: it fits the pipe,
	 * or the write fails rather than wait */
	fcntl(in[1], F_SETFL, O_NONBLOCK);
	if (write_all(in[1], script, strlen(script)) != 0)
		werr = errno;
	close(in[1]);
	pid = update_spawn(c, in[0], outp[1], lock);
	close(outp[1]);
	if (pid != -1) {
		if (update_wait(pid, outp[0], out, sizeof(out)) != 0)
			log_err("nsupdate: no answer within %ld s, killed",
			    c->timeout);
		/* before the reaping, which frees the group's id: whatever
		 * it left running goes too */
		update_kill(pid);
		while (waitpid(pid, &status, 0) == -1 && errno == EINTR)
			;
		update_guard(0);
		rc = update_result(status, in[0], out);
		if (werr != 0) {
			errno = werr;
			log_syserr("nsupdate: writing its input");
			rc = UPDATE_FAILED;
		}
		update_log_output(out, rc != UPDATE_DONE);
		log_debug("nsupdate took %.1f ms", now_ms() - started);
	}
	close(in[0]);
	close(outp[0]);
	return rc;
}
