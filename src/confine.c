/*
 * Confinement, in the spirit of OpenBSD's unveil and pledge, for every
 * front-end (systemd, inetd, xinetd, stunnel): once the configuration is
 * loaded and TLS is set up, and before a byte of the request is read, the
 * handler restricts itself, and with it the nsupdate it may start.
 *
 * Landlock: files may be read only in the configuration's directories
 * and the system directories nsupdate needs (/usr, /etc, /dev, /proc,
 * /run for named's session key, /lib and /lib64 where they are not links
 * into /usr); written, created, truncated and removed only in the state
 * directory, and /dev/null written; executed only if they are nsupdate (and the
 * dynamic loader that runs it) -- or, when nsupdate is set to a script,
 * the system's programs, which a script runs.  A kernel without Landlock
 * is logged once at debug level.
 *
 * seccomp, with `seccomp = true`: an allow-list of the system calls
 * that the handler and nsupdate make; any other call fails with EPERM.
 * It is not on by default: the kernel takes about 110 microseconds to
 * install the filter (compiling it, and working out its verdict for
 * every system call number), a tenth of a connection (README); building
 * it takes a few.  Under systemd the unit's SystemCallFilter= does the
 * same job already.
 */
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include <elf.h>
#include <link.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/landlock.h>
#include <linux/seccomp.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sftdyn.h"

#ifndef LANDLOCK_ACCESS_FS_TRUNCATE	/* Linux 6.2, ABI 3 */
#define LANDLOCK_ACCESS_FS_TRUNCATE	(1ULL << 14)
#endif

#define FS_READ		(LANDLOCK_ACCESS_FS_READ_FILE | \
			 LANDLOCK_ACCESS_FS_READ_DIR)
#define FS_WRITE	(LANDLOCK_ACCESS_FS_WRITE_FILE | \
			 LANDLOCK_ACCESS_FS_REMOVE_FILE | \
			 LANDLOCK_ACCESS_FS_MAKE_REG)

/*
 * What a ruleset of Landlock ABI version abi handles: everything it
 * knows of the file system; truncation (ABI 3) is then granted only in
 * the state directory.
 */
static __u64
fs_handled(long abi)
{
	__u64 all = (LANDLOCK_ACCESS_FS_MAKE_SYM << 1) - 1;

	if (abi >= 2)
		all |= LANDLOCK_ACCESS_FS_REFER;
	if (abi >= 3)
		all |= LANDLOCK_ACCESS_FS_TRUNCATE;
	return all;
}

/*
 * Allows access beneath the directory, or to the file, open on fd (any
 * open file, O_PATH or not), which it closes: only the rights of files
 * for a file.  Returns 0, or -1 with errno set.
 */
static int
allow_fd(int ruleset, int fd, __u64 access, int is_dir)
{
	struct landlock_path_beneath_attr pb;
	int rc;

	if (!is_dir)
		access &= LANDLOCK_ACCESS_FS_READ_FILE |
		    LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_EXECUTE;
	pb.allowed_access = access;
	pb.parent_fd = fd;
	rc = (int)syscall(SYS_landlock_add_rule, ruleset,
	    LANDLOCK_RULE_PATH_BENEATH, &pb, 0);
	close(fd);
	return rc;
}

/*
 * Allows access beneath the directory path, or to the file path.  A path
 * that cannot be opened stays out of reach; so does a symbolic link to a
 * directory, with flags O_NOFOLLOW | O_DIRECTORY: Landlock sees the path
 * it leads to.
 */
static int
allow(int ruleset, const char *path, __u64 access, int is_dir, int flags)
{
	int fd = open(path, O_PATH | O_CLOEXEC | flags);

	return fd == -1 ? 0 : allow_fd(ruleset, fd, access, is_dir);
}

/*
 * Directories that nsupdate reads from (/run: named's session key).  One
 * that is a symbolic link gets no rule of its own (/lib and /lib64 lead
 * into /usr on most systems).
 */
static const char *const system_dirs[] = {
	"/usr", "/etc", "/dev", "/proc", "/lib", "/lib64", "/run"
};
#define NSYSTEM_DIRS	(sizeof(system_dirs) / sizeof(system_dirs[0]))
#define REAL_DIR	(O_NOFOLLOW | O_DIRECTORY)

/* Whether path lies beneath one of the system directories (read). */
static int
in_system_dir(const char *path)
{
	size_t i;

	for (i = 0; i < NSYSTEM_DIRS; i++)
		if (has_prefix(path, system_dirs[i], "/"))
			return 1;
	return 0;
}

/* The directories read is allowed beneath, besides the system's. */
struct readable {
	char		*dir[8];
	size_t		 n;
};

/*
 * Allows reading beneath the directory dir (a copy, to be freed), unless
 * a system directory or one allowed already holds it; a configuration
 * names a few, so the list stops growing at its size.
 */
static int
allow_read_dir(int rs, struct readable *r, char *dir)
{
	size_t i;
	int rc;

	for (i = 0; i < r->n && !has_prefix(dir, r->dir[i], "/"); i++)
		;
	if (i < r->n || in_system_dir(dir)) {
		free(dir);
		return 0;
	}
	rc = allow(rs, dir, FS_READ, 1, 0);
	if (r->n < sizeof(r->dir) / sizeof(r->dir[0]))
		r->dir[r->n++] = dir;
	else
		free(dir);
	return rc;
}

/* Allows reading the directory of path, as allow_read_dir() does. */
static int
allow_dir_of(int rs, struct readable *r, const char *path)
{
	const char *slash = strrchr(path, '/');

	return allow_read_dir(rs, r, slash == NULL ? xstrdup(".") :
	    xstrndup(path, slash == path ? 1 : (size_t)(slash - path)));
}

/*
 * The ELF interpreter (dynamic loader) of the program whose first bytes
 * head[0, len) are, which execve() opens for execution too: read from
 * the program open on fd when its name lies beyond them.  Returns 0 with
 * *interp the name (to be freed), NULL for a static program; -1 when it
 * is not an ELF file of our class.
 */
static int
elf_interp(int fd, const unsigned char *head, size_t len, char **interp)
{
	ElfW(Ehdr) eh;
	ElfW(Phdr) ph;
	ssize_t n;
	size_t off;
	int i;

	*interp = NULL;
	if (len < sizeof(eh))
		return -1;
	memcpy(&eh, head, sizeof(eh));
	if (memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 ||
	    eh.e_phentsize != sizeof(ph))
		return -1;
	for (i = 0; i < eh.e_phnum; i++) {
		off = eh.e_phoff + (size_t)i * sizeof(ph);
		if (off > len || len - off < sizeof(ph))
			break;
		memcpy(&ph, head + off, sizeof(ph));
		if (ph.p_type != PT_INTERP || ph.p_filesz >= PATH_MAX)
			continue;
		*interp = xcalloc(1, ph.p_filesz + 1);
		if (ph.p_offset + ph.p_filesz <= len) {
			memcpy(*interp, head + ph.p_offset, ph.p_filesz);
			n = (ssize_t)ph.p_filesz;
		} else
			n = pread(fd, *interp, ph.p_filesz, (off_t)ph.p_offset);
		(*interp)[n > 0 ? n : 0] = '\0';
		break;
	}
	return 0;
}

/*
 * nsupdate may be executed, with its dynamic loader; when it is a script,
 * the system's programs, which a script runs.  One open serves the rule
 * and the reading of its first bytes (an ELF program's headers come
 * first).
 */
static int
allow_nsupdate(int rs, const struct conf *c)
{
	static const char *const exec_dirs[] = {
		"/usr", "/bin", "/sbin", "/lib", "/lib64"
	};
	const __u64 run = LANDLOCK_ACCESS_FS_EXECUTE |
	    LANDLOCK_ACCESS_FS_READ_FILE;
	unsigned char head[1024];
	char *interp;
	ssize_t len = -1;
	size_t i;
	int fd, rc = 0;

	if ((fd = open(c->nsupdate, O_RDONLY | O_CLOEXEC)) == -1)
		return allow(rs, c->nsupdate, run, 0, 0);	/* exec only */
	len = pread(fd, head, sizeof(head), 0);
	if (elf_interp(fd, head, len > 0 ? (size_t)len : 0, &interp) == 0) {
		rc = allow_fd(rs, fd, run, 0);
		if (interp != NULL)
			rc |= allow(rs, interp, run, 0, 0);
		free(interp);
		return rc;
	}
	rc = allow_fd(rs, fd, run, 0);
	for (i = 0; i < sizeof(exec_dirs) / sizeof(exec_dirs[0]); i++)
		rc |= allow(rs, exec_dirs[i], run | FS_READ, 1, REAL_DIR);
	return rc;
}

/*
 * The rules: the system directories and the configuration's read (each
 * directory once: none beneath another), the state directory (open on
 * statedir, or -1) read and written (files truncated too, where the
 * kernel's Landlock, ABI abi, knows truncation: an nsupdate wrapper may
 * overwrite a file of its own there), /dev/null written (a wrapper may
 * send output there), nsupdate run.
 */
static int
landlock_rules(int rs, const struct conf *c, int statedir, long abi)
{
	struct readable r = { .n = 0 };
	size_t i;
	int rc = 0;

	for (i = 0; i < NSYSTEM_DIRS; i++)
		rc |= allow(rs, system_dirs[i], FS_READ, 1, REAL_DIR);
	if (c == NULL)
		return rc;
	rc |= allow_dir_of(rs, &r, c->path);
	for (i = 0; i < c->nsources; i++)
		if (c->sources[i].is_dir)
			rc |= allow_read_dir(rs, &r,
			    xstrdup(c->sources[i].path));
		else
			rc |= allow_dir_of(rs, &r, c->sources[i].path);
	if (c->nskeyfile != NULL && !in_system_dir(c->nskeyfile))
		rc |= allow(rs, c->nskeyfile, FS_READ, 0, 0);
	if (statedir != -1)
		rc |= allow_fd(rs, statedir, FS_READ | FS_WRITE |
		    (abi >= 3 ? LANDLOCK_ACCESS_FS_TRUNCATE : 0), 1);
	rc |= allow(rs, "/dev/null", LANDLOCK_ACCESS_FS_WRITE_FILE, 0, 0);
	for (i = 0; i < r.n; i++)
		free(r.dir[i]);
	return rc | allow_nsupdate(rs, c);
}

/*
 * Landlock, with the state directory open on statedir (or -1; closed
 * here).  Returns 0, 1 when the kernel has none, or -1 (logged).
 */
static int
confine_landlock(const struct conf *c, int statedir)
{
	struct landlock_ruleset_attr attr;
	long abi;
	int rs, rc;

	abi = syscall(SYS_landlock_create_ruleset, NULL, 0,
	    LANDLOCK_CREATE_RULESET_VERSION);
	if (abi < 1) {
		if (statedir != -1)
			close(statedir);
		return 1;
	}
	memset(&attr, 0, sizeof(attr));
	attr.handled_access_fs = fs_handled(abi);
	if ((rs = (int)syscall(SYS_landlock_create_ruleset, &attr,
	    sizeof(attr), 0)) == -1) {
		log_syserr("landlock");
		if (statedir != -1)
			close(statedir);
		return -1;
	}
	rc = landlock_rules(rs, c, statedir, abi);
	if (rc == 0)
		rc = (int)syscall(SYS_landlock_restrict_self, rs, 0);
	if (rc != 0)
		log_syserr("landlock");
	close(rs);
	return rc == 0 ? 0 : -1;
}

/*
 * Opens c's state directory for its rule, making it when it is missing
 * (later, confined, the handler could not).  Returns the fd, or -1: when
 * it cannot be had the state is unknown, and state_lock() says why; a
 * statedir that is not a directory is a configuration error (-2, logged).
 */
static int
statedir_open(const struct conf *c)
{
	int fd = open(c->statedir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	struct stat st;

	if (fd == -1 && errno == ENOENT && mkdir(c->statedir, 0750) == 0)
		fd = open(c->statedir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	/* (ENOTDIR may be of a directory above it: then it is missing) */
	if (fd == -1 && errno == ENOTDIR && stat(c->statedir, &st) == 0) {
		log_err("configuration: statedir \"%s\" is not a directory; "
		    "run sftdyn -t %s", c->statedir, c->path);
		return -2;
	}
	return fd;
}
#if defined(__x86_64__)
#define SFTDYN_AUDIT_ARCH	AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define SFTDYN_AUDIT_ARCH	AUDIT_ARCH_AARCH64
#endif

#ifdef SFTDYN_AUDIT_ARCH
/*
 * The system calls the handler, libc, libtls and nsupdate (BIND's
 * libraries: threads, epoll, sockets) make, grouped as they are used.
 */
static const int allowed[] = {
	/* files */
	SYS_read, SYS_write, SYS_pread64, SYS_pwrite64, SYS_readv, SYS_writev,
	SYS_openat, SYS_close, SYS_close_range, SYS_lseek, SYS_fstat,
	SYS_newfstatat, SYS_statx, SYS_faccessat, SYS_faccessat2,
	SYS_readlinkat, SYS_getdents64, SYS_fcntl, SYS_flock, SYS_fsync,
	SYS_fdatasync, SYS_unlinkat, SYS_renameat, SYS_renameat2, SYS_mkdirat,
	SYS_ioctl, SYS_dup, SYS_dup3, SYS_pipe2, SYS_umask, SYS_getcwd,
	SYS_fadvise64,
	SYS_fchmod, SYS_ftruncate, SYS_memfd_create,
#ifdef __x86_64__
	SYS_open, SYS_stat, SYS_lstat, SYS_access, SYS_readlink, SYS_unlink,
	SYS_rename, SYS_mkdir, SYS_dup2, SYS_pipe, SYS_poll, SYS_select,
	SYS_epoll_wait, SYS_epoll_create, SYS_getdents, SYS_arch_prctl,
	SYS_time, SYS_alarm, SYS_chmod, SYS_fork, SYS_vfork, SYS_getpgrp,
#endif
	/* memory */
	SYS_brk, SYS_mmap, SYS_munmap, SYS_mremap, SYS_mprotect, SYS_madvise,
	/* processes, threads, signals, time */
	SYS_clone, SYS_clone3, SYS_execve, SYS_exit, SYS_exit_group, SYS_wait4,
	SYS_waitid, SYS_kill, SYS_tgkill, SYS_getpid, SYS_gettid, SYS_getppid,
	SYS_setpgid, SYS_getpgid, SYS_getsid, SYS_setsid, SYS_rt_sigsuspend,
	SYS_getuid, SYS_geteuid, SYS_getgid, SYS_getegid, SYS_getgroups,
	SYS_getresuid, SYS_getresgid, SYS_pidfd_open, SYS_set_tid_address,
	SYS_set_robust_list, SYS_get_robust_list, SYS_rseq, SYS_futex,
	SYS_sched_yield, SYS_sched_getaffinity, SYS_getrlimit, SYS_prlimit64,
	SYS_getrusage, SYS_uname, SYS_sysinfo, SYS_prctl, SYS_rt_sigaction,
	SYS_rt_sigprocmask, SYS_rt_sigreturn, SYS_rt_sigtimedwait,
	SYS_sigaltstack, SYS_setitimer, SYS_getitimer, SYS_clock_gettime,
	SYS_clock_getres, SYS_clock_nanosleep, SYS_nanosleep, SYS_gettimeofday,
	SYS_getrandom, SYS_ppoll, SYS_pselect6, SYS_epoll_create1,
	SYS_epoll_ctl, SYS_epoll_pwait, SYS_eventfd2, SYS_timerfd_create,
	SYS_timerfd_settime,
	/* sockets */
	SYS_socket, SYS_connect, SYS_bind, SYS_listen, SYS_accept4,
	SYS_getsockname, SYS_getpeername, SYS_setsockopt, SYS_getsockopt,
	SYS_sendto, SYS_recvfrom, SYS_sendmsg, SYS_recvmsg, SYS_sendmmsg,
	SYS_recvmmsg, SYS_shutdown, SYS_socketpair,
#if defined(__SANITIZE_ADDRESS__)
	/* LeakSanitizer stops the world with ptrace at exit */
	SYS_ptrace, SYS_process_vm_readv,
#endif
};

#define ALLOWED_N	(sizeof(allowed) / sizeof(allowed[0]))
#define FILTER_MAX	(4 * ALLOWED_N + 16)

struct filter {
	struct sock_filter	 f[FILTER_MAX];
	size_t			 n;
};

static void
emit(struct filter *p, struct sock_filter insn)
{
	if (p->n < FILTER_MAX)
		p->f[p->n++] = insn;
}

/*
 * The allowed numbers as boundaries: each run a..b of them gives a (where
 * allowing starts) and b + 1 (where it ends).  Returns their count.
 */
static size_t
boundaries(const int *nr, size_t n, unsigned *b)
{
	size_t i, m = 0;

	for (i = 0; i < n; i++) {
		if (i > 0 && nr[i] == nr[i - 1])
			continue;
		if (i == 0 || nr[i] != nr[i - 1] + 1)
			b[m++] = (unsigned)nr[i];
		if (i + 1 == n || nr[i + 1] > nr[i] + 1)
			b[m++] = (unsigned)nr[i] + 1;
	}
	return m;
}

/*
 * A search tree over the boundaries b[lo, hi), for a number known to lie
 * at or above b[lo - 1] and below b[hi]: at a node, JGE on the middle
 * boundary picks a side; a leaf returns ALLOW when an odd number of
 * boundaries lie at or below the number, else EPERM.  A linear list would
 * cost the kernel a run of all of it per system call number when it
 * builds its action cache, at every connection; the tree costs log2 of it.
 */
static void
emit_tree(struct filter *p, const unsigned *b, size_t lo, size_t hi)
{
	size_t mid, at;

	if (lo == hi) {
		emit(p, (struct sock_filter)BPF_STMT(BPF_RET | BPF_K,
		    lo % 2 ? SECCOMP_RET_ALLOW : SECCOMP_RET_ERRNO | EPERM));
		return;
	}
	mid = lo + (hi - lo) / 2;
	at = p->n;
	emit(p, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K,
	    b[mid], 0, 0));
	emit_tree(p, b, lo, mid);
	p->f[at].jt = (unsigned char)(p->n - at - 1);
	emit_tree(p, b, mid + 1, hi);
}

static int
cmp_int(const void *a, const void *b)
{
	return (*(const int *)a > *(const int *)b) -
	    (*(const int *)a < *(const int *)b);
}

/* seccomp; returns 0, or -1 (logged). */
static int
confine_seccomp(void)
{
	static struct filter p;
	unsigned b[2 * ALLOWED_N];
	int nr[ALLOWED_N];
	struct sock_fprog prog;
	size_t m;

	memcpy(nr, allowed, sizeof(nr));
	qsort(nr, ALLOWED_N, sizeof(nr[0]), cmp_int);
	m = boundaries(nr, ALLOWED_N, b);
	p.n = 0;
	emit(&p, (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
	    offsetof(struct seccomp_data, arch)));
	emit(&p, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
	    SFTDYN_AUDIT_ARCH, 1, 0));
	emit(&p, (struct sock_filter)BPF_STMT(BPF_RET | BPF_K,
	    SECCOMP_RET_KILL_PROCESS));
	emit(&p, (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
	    offsetof(struct seccomp_data, nr)));
#ifdef __x86_64__
	/* x32 system calls share numbers with a bit set: none of them */
	emit(&p, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K,
	    0x40000000, 0, 1));
	emit(&p, (struct sock_filter)BPF_STMT(BPF_RET | BPF_K,
	    SECCOMP_RET_ERRNO | EPERM));
#endif
	emit_tree(&p, b, 0, m);
	prog.len = (unsigned short)p.n;
	prog.filter = p.f;
	/* SPEC_ALLOW: no speculation barriers forced on us; we run no code
	 * of others that could exploit their absence */
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
	    SECCOMP_FILTER_FLAG_SPEC_ALLOW, &prog) != 0) {
		if (errno == EPERM && prctl(PR_GET_SECCOMP) == 2) {
			/* a filter that forbids adding ours: systemd's */
			log_debug("seccomp: a filter is in place already");
			return 0;
		}
		log_syserr("seccomp");
		return -1;
	}
	return 0;
}
#else
static int
confine_seccomp(void)
{
	log_debug("seccomp: no system call list for this architecture");
	return 0;
}
#endif

/*
 * Confines the handler: no new privileges, Landlock for the files of c
 * (NULL: a configuration that did not load), and seccomp when c asks.
 * Returns 0, or -1 (logged) when a confinement the kernel offers failed,
 * or c's statedir is not a directory: then the handler is confined as
 * for a configuration that did not load, and answers as one.
 */
int
confine(const struct conf *c)
{
	int rc, statedir = c != NULL ? statedir_open(c) : -1, bad = 0;

	if (statedir == -2) {
		c = NULL;
		statedir = -1;
		bad = 1;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
		log_syserr("no_new_privs");
		if (statedir != -1)
			close(statedir);
		return -1;
	}
	if ((rc = confine_landlock(c, statedir)) == 1)
		log_debug("landlock: not offered by this kernel");
	else if (rc != 0)
		return -1;
	if (bad)
		return -1;
	return c != NULL && c->seccomp ? confine_seccomp() : 0;
}
