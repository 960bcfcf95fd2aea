/*
 * For the harnesses whose input is a file: one private directory per
 * run, under build/ (make fuzz runs from the top of the tree), removed
 * when the run exits; the input is written into a file of it.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static char fuzz_dir[] = "build/fuzz-files.XXXXXX";

/* Removes the run's directory and the files in it. */
static void
fuzz_cleanup(void)
{
	char path[sizeof(fuzz_dir) + 256];
	struct dirent *e;
	DIR *d = opendir(fuzz_dir);

	while (d != NULL && (e = readdir(d)) != NULL) {
		snprintf(path, sizeof(path), "%s/%s", fuzz_dir, e->d_name);
		unlink(path);
	}
	if (d != NULL)
		closedir(d);
	rmdir(fuzz_dir);
}

/* The path of name in the run's directory (made, and logging set, once). */
static const char *
fuzz_path(const char *name)
{
	static char path[128];

	if (fuzz_dir[sizeof(fuzz_dir) - 2] == 'X') {
		if (mkdtemp(fuzz_dir) == NULL)
			abort();
		atexit(fuzz_cleanup);
		log_init(1, -1);
	}
	snprintf(path, sizeof(path), "%s/%s", fuzz_dir, name);
	return path;
}

/* Writes len bytes of data to path, which must work. */
static void
fuzz_write(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "w");

	if (f == NULL || fwrite(data, 1, len, f) != len || fclose(f) != 0)
		abort();
}
