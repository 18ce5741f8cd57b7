/* SPDX-License-Identifier: Apache-2.0 */
/* Minimal assertion helpers shared by the unit and privileged suites. */
#ifndef EBPFPUB_TEST_H
#define EBPFPUB_TEST_H

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TEST_SKIP 77

static int test_failures;

#define CHECK(cond)                                                                           \
	do {                                                                                  \
		if (!(cond)) {                                                                \
			fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
			test_failures++;                                                      \
		}                                                                             \
	} while (0)

#define ASSERT(cond)                                                                          \
	do {                                                                                  \
		if (!(cond)) {                                                                \
			fprintf(stderr, "%s:%d: ASSERT failed: %s\n", __FILE__, __LINE__, #cond); \
			exit(1);                                                              \
		}                                                                             \
	} while (0)

#define CHECK_INT(a, b)                                                                       \
	do {                                                                                  \
		long long _a = (long long)(a), _b = (long long)(b);                           \
		if (_a != _b) {                                                               \
			fprintf(stderr, "%s:%d: %s == %lld, expected %s == %lld\n", __FILE__,  \
				__LINE__, #a, _a, #b, _b);                                    \
			test_failures++;                                                      \
		}                                                                             \
	} while (0)

#define CHECK_STR(a, b)                                                                       \
	do {                                                                                  \
		const char *_a = (a), *_b = (b);                                              \
		if (!_a || !_b || strcmp(_a, _b) != 0) {                                      \
			fprintf(stderr, "%s:%d: %s == '%s', expected '%s'\n", __FILE__, __LINE__, \
				#a, _a ? _a : "(null)", _b ? _b : "(null)");                  \
			test_failures++;                                                      \
		}                                                                             \
	} while (0)

/* A privileged test that cannot run skips (77) on a developer's machine, but fails in CI:
 * CI runs as root on a kernel that loads BPF programs, so a skip there hides a failure. */
static inline void test_skip_or_fail(const char *why)
{
	const char *ci = getenv("CI");

	if (ci && strcmp(ci, "true") == 0) {
		fprintf(stderr, "FAIL (CI=true, a skip is a failure): %s\n", why);
		exit(1);
	}
	fprintf(stderr, "SKIP: %s\n", why);
	exit(TEST_SKIP);
}

static inline void test_require_root(void)
{
	if (geteuid() != 0)
		test_skip_or_fail("needs root (CAP_BPF and CAP_PERFMON) to load BPF programs");
}

static inline int test_finish(const char *name)
{
	if (test_failures) {
		fprintf(stderr, "%s: %d check(s) failed\n", name, test_failures);
		return 1;
	}
	printf("%s: all checks passed\n", name);
	return 0;
}

#endif
