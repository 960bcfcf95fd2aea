/* A minimal TAP producer for the unit tests. */
#include <stdio.h>
#include <string.h>

static int tap_n, tap_failed;

#define TEST(cond, ...) do {						\
	tap_n++;							\
	if (!(cond)) {							\
		tap_failed++;						\
		printf("not ok %d - ", tap_n);				\
		printf(__VA_ARGS__);					\
		printf("\n# %s:%d: %s\n", __FILE__, __LINE__, #cond);	\
	} else {							\
		printf("ok %d - ", tap_n);				\
		printf(__VA_ARGS__);					\
		printf("\n");						\
	}								\
} while (0)

#define TEST_DONE() (printf("1..%d\n", tap_n), tap_failed != 0)
