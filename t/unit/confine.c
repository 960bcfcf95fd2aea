/*
 * Unit test: confine() as the handler calls it.  A child confines itself
 * with a configuration in a temporary directory, then tries what the
 * handler may and may not do; the parent reads the outcomes.
 */
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <linux/landlock.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "sftdyn.h"
#include "tap.h"

static char dir[] = "/tmp/sftdyn-confine.XXXXXX";
static int devnull = -1;	/* opened before confine(), for children */
static char outside[] = "/tmp/sftdyn-outside.XXXXXX";

/* errno of opening path with flags (0: it opened). */
static int
try_open(const char *path, int flags)
{
	int fd = open(path, flags | O_CLOEXEC, 0600);

	if (fd == -1)
		return errno;
	close(fd);
	return 0;
}

/* The exit status of running argv, or 256 + errno when execve failed. */
static int
try_exec(char *const argv[])
{
	int st, p[2], err = 0;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) != 0 || (pid = fork()) == -1)
		return -1;
	if (pid == 0) {
		dup2(devnull, 1);
		dup2(devnull, 2);
		execv(argv[0], argv);
		err = errno;
		if (write(p[1], &err, sizeof(err)) < 0)
			_exit(126);
		_exit(127);
	}
	close(p[1]);
	if (read(p[0], &err, sizeof(err)) != sizeof(err))
		err = 0;
	close(p[0]);
	waitpid(pid, &st, 0);
	return err ? 256 + err : WEXITSTATUS(st);
}

/* A line of /proc/self/status, e.g. "Seccomp:\t2". */
static int
status_has(const char *line)
{
	char buf[4096];
	ssize_t n;
	int fd = open("/proc/self/status", O_RDONLY);

	if (fd == -1)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	return strstr(buf, line) != NULL;
}

/* In the child: confines, tries, and writes one result per check. */
static void
confined(struct conf *c, int out)
{
	char path[512], secret[512];
	static char shell[] = "/bin/sh", dash_c[] = "-c", exit0[] = "exit 0",
	    dash_v[] = "-V";
	char *sh[] = { shell, dash_c, exit0, NULL };
	char *ns[] = { c->nsupdate, dash_v, NULL };
	int r[11], i = 0;

	snprintf(secret, sizeof(secret), "%s/secret", outside);
	r[i++] = confine(c);
	snprintf(path, sizeof(path), "%s/conf", dir);
	r[i++] = try_open(path, O_RDONLY);
	snprintf(path, sizeof(path), "%s/state/new", dir);
	r[i++] = try_open(path, O_WRONLY | O_CREAT);
	r[i++] = try_open(secret, O_RDONLY);
	snprintf(path, sizeof(path), "%s/conf", dir);
	r[i++] = try_open(path, O_WRONLY);
	snprintf(path, sizeof(path), "%s/planted", dir);
	r[i++] = try_open(path, O_WRONLY | O_CREAT);
	r[i++] = try_exec(sh);
	r[i++] = try_exec(ns);
	r[i++] = syscall(SYS_unshare, 0) == -1 ? errno : 0;
	r[i++] = status_has("NoNewPrivs:\t1") && status_has("Seccomp:\t2");
	r[i++] = c->nskeyfile ? try_open(c->nskeyfile, O_RDONLY) : -1;
	if (write(out, r, sizeof(r)) != sizeof(r))
		_exit(1);
	_exit(0);
}

int
main(void)
{
	struct conf c;
	char path[512];
	int p[2], r[11], st, landlock;
	char key[] = "/run/sftdyn-confine.XXXXXX";
	int keyfd;
	pid_t pid;

	memset(&c, 0, sizeof(c));
	if (mkdtemp(dir) == NULL || mkdtemp(outside) == NULL)
		return 1;
	snprintf(path, sizeof(path), "%s/conf", dir);
	close(open(path, O_WRONLY | O_CREAT, 0600));
	snprintf(path, sizeof(path), "%s/secret", outside);
	close(open(path, O_WRONLY | O_CREAT, 0600));
	c.path = path_join(dir, "conf");
	c.statedir = path_join(dir, "state");
	c.nsupdate = xstrdup("/usr/bin/nsupdate");
	c.seccomp = 1;
	/* a key file in /run, beside named's session key: nsupdate reads it */
	if ((keyfd = mkstemp(key)) != -1) {
		close(keyfd);
		c.nskeyfile = key;
	}
	landlock = syscall(SYS_landlock_create_ruleset, NULL, 0,
	    LANDLOCK_CREATE_RULESET_VERSION) >= 1;
	log_init(1, 0);
	devnull = open("/dev/null", O_WRONLY);
	if (pipe(p) != 0 || (pid = fork()) == -1)
		return 1;
	if (pid == 0)
		confined(&c, p[1]);
	close(p[1]);
	memset(r, -1, sizeof(r));
	TEST(read(p[0], r, sizeof(r)) == sizeof(r), "the confined child reports");
	waitpid(pid, &st, 0);
	TEST(r[0] == 0, "confine() succeeds");
	TEST(r[1] == 0, "the configuration stays readable");
	TEST(r[2] == 0, "files can be created in the state directory");
	TEST(r[9] == 1, "no new privileges, and a seccomp filter");
	TEST(r[8] == EPERM, "a system call off the list fails with EPERM");
	TEST(r[7] == 0, "nsupdate runs");
	if (!landlock) {
		printf("ok %d # SKIP no Landlock in this kernel\n", ++tap_n);
	} else {
		TEST(r[3] == EACCES, "a file outside cannot be read (EACCES)");
		TEST(r[4] == EACCES, "the configuration cannot be written");
		TEST(r[5] == EACCES, "nothing can be created beside it");
		TEST(r[6] == 256 + EACCES, "/bin/sh cannot be executed");
	}
	if (c.nskeyfile == NULL)
		printf("ok %d # SKIP /run is not writable here\n", ++tap_n);
	else
		TEST(r[10] == 0, "a key file in /run stays readable");
	if (c.nskeyfile != NULL)
		unlink(key);
	snprintf(path, sizeof(path), "rm -rf %s %s", dir, outside);
	if (system(path) != 0)
		return 1;
	return TEST_DONE();
}
