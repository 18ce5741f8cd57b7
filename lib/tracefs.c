/* SPDX-License-Identifier: Apache-2.0 */
/* Locating tracefs, listing the syscall tracepoints and reading their format files. */
#include "tracefs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define TRACEFS_DEFAULT "/sys/kernel/tracing"
#define TRACEFS_DEBUGFS "/sys/kernel/debug/tracing"

const char *const tracefs_default_roots[] = { TRACEFS_DEFAULT, TRACEFS_DEBUGFS, NULL };
#define TRACEFS_ENTER "sys_enter_"
#define TRACEFS_EXIT "sys_exit_"

/* A format file is about a kilobyte; anything this large is not one. */
#define TRACEFS_MAX_FORMAT (1u << 20)

/* Longest name tracefs_suggest() compares; syscall names are far shorter. */
#define TRACEFS_SUGGEST_MAX 64

/* Suggestions no further than this many edits away are worth showing. */
#define TRACEFS_SUGGEST_MAX_DISTANCE 3

static void tracefs_set_err(char *err, size_t err_size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void tracefs_set_err(char *err, size_t err_size, const char *fmt, ...)
{
	va_list ap;

	if (!err || !err_size)
		return;
	va_start(ap, fmt);
	vsnprintf(err, err_size, fmt, ap);
	va_end(ap);
}

/* 0 when ROOT/events/syscalls is a directory, else -errno of the first missing part. */
static int tracefs_check_root(const char *root)
{
	char path[PATH_MAX];
	struct stat st;
	int n;

	n = snprintf(path, sizeof(path), "%s/events/syscalls", root);
	if (n < 0 || (size_t)n >= sizeof(path))
		return -ENAMETOOLONG;
	if (stat(path, &st))
		return -errno;
	if (!S_ISDIR(st.st_mode))
		return -ENOTDIR;
	return 0;
}

/* Whether ROOT holds an events/ directory: tracefs is mounted there even if syscall
 * tracepoints are not (a kernel without CONFIG_FTRACE_SYSCALLS). */
bool tracefs_has_events(const char *root)
{
	char path[PATH_MAX];
	struct stat st;
	int n;

	n = snprintf(path, sizeof(path), "%s/events", root);
	if (n < 0 || (size_t)n >= sizeof(path))
		return false;
	return !stat(path, &st) && S_ISDIR(st.st_mode);
}

int tracefs_locate(const char *override, char *path, size_t path_size, char *err,
		   size_t err_size)
{
	const char *candidates[2];
	const char *mounted_without_syscalls = NULL, *denied = NULL;
	size_t count, i;
	int ret;

	if (err && err_size)
		err[0] = '\0';
	if (!path || !path_size) {
		tracefs_set_err(err, err_size, "no room for the tracefs path");
		return -EINVAL;
	}
	if (override) {
		if (!override[0]) {
			tracefs_set_err(err, err_size, "empty tracefs path");
			return -EINVAL;
		}
		candidates[0] = override;
		count = 1;
	} else {
		candidates[0] = tracefs_default_roots[0];
		candidates[1] = tracefs_default_roots[1];
		count = 2;
	}

	for (i = 0; i < count; i++) {
		ret = tracefs_check_root(candidates[i]);
		if (!ret) {
			if (strlen(candidates[i]) >= path_size) {
				tracefs_set_err(err, err_size, "tracefs path '%s' is too long",
						candidates[i]);
				return -ENAMETOOLONG;
			}
			strcpy(path, candidates[i]);
			return 0;
		}
		if (ret == -EACCES || ret == -EPERM) {
			if (!denied)
				denied = candidates[i];
		} else if (ret == -ENAMETOOLONG) {
			tracefs_set_err(err, err_size, "tracefs path '%s' is too long",
					candidates[i]);
			return ret;
		} else if (!mounted_without_syscalls && tracefs_has_events(candidates[i])) {
			mounted_without_syscalls = candidates[i];
		}
	}

	/* Permission wins over "not mounted": as a user, /sys/kernel/tracing is mode 0700
	 * and looks exactly like a missing mount. */
	if (denied) {
		tracefs_set_err(err, err_size,
				"permission denied reading '%s/events/syscalls': tracing needs "
				"root (CAP_SYS_ADMIN, or CAP_BPF and CAP_PERFMON with access "
				"to tracefs)",
				denied);
		return -EACCES;
	}
	if (mounted_without_syscalls) {
		tracefs_set_err(err, err_size,
				"tracefs at '%s' has no events/syscalls: the kernel was built "
				"without CONFIG_FTRACE_SYSCALLS",
				mounted_without_syscalls);
		return -ENODEV;
	}
	if (override)
		tracefs_set_err(err, err_size,
				"tracefs is not mounted at '%s' (no events/syscalls there): "
				"mount it with 'mount -t tracefs nodev %s'",
				override, override);
	else
		tracefs_set_err(err, err_size,
				"tracefs is not mounted: mount it with "
				"'mount -t tracefs nodev " TRACEFS_DEFAULT "'");
	return -ENODEV;
}

void tracefs_strv_free(char **strv)
{
	char **s;

	if (!strv)
		return;
	for (s = strv; *s; s++)
		free(*s);
	free(strv);
}

struct tracefs_names {
	char **v;
	size_t count;
	size_t cap;
};

static int tracefs_names_add(struct tracefs_names *names, const char *s)
{
	char *copy;

	if (names->count + 1 >= names->cap) {
		size_t cap = names->cap ? names->cap * 2 : 256;
		char **grown;

		grown = realloc(names->v, cap * sizeof(*grown));
		if (!grown)
			return -ENOMEM;
		names->v = grown;
		names->cap = cap;
	}
	copy = strdup(s);
	if (!copy)
		return -ENOMEM;
	names->v[names->count++] = copy;
	names->v[names->count] = NULL;
	return 0;
}

static void tracefs_names_release(struct tracefs_names *names)
{
	size_t i;

	for (i = 0; i < names->count; i++)
		free(names->v[i]);
	free(names->v);
	memset(names, 0, sizeof(*names));
}

static int tracefs_cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int tracefs_list_syscalls(const char *root, char ***names)
{
	struct tracefs_names enter = { 0 }, exits = { 0 }, both = { 0 };
	char path[PATH_MAX];
	struct dirent *de;
	DIR *dir = NULL;
	size_t i, j;
	int fd, ret, n;

	if (!root || !names)
		return -EINVAL;
	n = snprintf(path, sizeof(path), "%s/events/syscalls", root);
	if (n < 0 || (size_t)n >= sizeof(path))
		return -ENAMETOOLONG;
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	dir = fdopendir(fd);
	if (!dir) {
		ret = -errno;
		close(fd);
		return ret;
	}

	for (;;) {
		errno = 0;
		de = readdir(dir);
		if (!de) {
			if (errno) {
				ret = -errno;
				goto err;
			}
			break;
		}
		if (!strncmp(de->d_name, TRACEFS_ENTER, strlen(TRACEFS_ENTER)) &&
		    de->d_name[strlen(TRACEFS_ENTER)])
			ret = tracefs_names_add(&enter, de->d_name + strlen(TRACEFS_ENTER));
		else if (!strncmp(de->d_name, TRACEFS_EXIT, strlen(TRACEFS_EXIT)) &&
			 de->d_name[strlen(TRACEFS_EXIT)])
			ret = tracefs_names_add(&exits, de->d_name + strlen(TRACEFS_EXIT));
		else
			ret = 0;
		if (ret)
			goto err;
	}

	/* Both lists sorted, then merged: a name counts only with both tracepoints. */
	if (enter.count)
		qsort(enter.v, enter.count, sizeof(*enter.v), tracefs_cmp_str);
	if (exits.count)
		qsort(exits.v, exits.count, sizeof(*exits.v), tracefs_cmp_str);
	for (i = 0, j = 0; i < enter.count && j < exits.count;) {
		int c = strcmp(enter.v[i], exits.v[j]);

		if (c < 0) {
			i++;
		} else if (c > 0) {
			j++;
		} else {
			ret = tracefs_names_add(&both, enter.v[i]);
			if (ret)
				goto err;
			i++;
			j++;
		}
	}
	if (both.count > INT_MAX) {
		ret = -EOVERFLOW;
		goto err;
	}
	if (!both.v) {
		/* An empty list is still a valid NULL-terminated vector. */
		both.v = calloc(1, sizeof(*both.v));
		if (!both.v) {
			ret = -ENOMEM;
			goto err;
		}
	}
	closedir(dir);
	tracefs_names_release(&enter);
	tracefs_names_release(&exits);
	*names = both.v;
	return (int)both.count;
err:
	closedir(dir);
	tracefs_names_release(&enter);
	tracefs_names_release(&exits);
	tracefs_names_release(&both);
	return ret;
}

/* An event name must stay one path component inside events/syscalls. */
static bool tracefs_valid_event(const char *event)
{
	size_t n = strlen(event);

	return n && n < NAME_MAX && !strchr(event, '/') && strcmp(event, ".") &&
	       strcmp(event, "..");
}

int tracefs_read_format(const char *root, const char *event, char **buf, size_t *len)
{
	char path[PATH_MAX];
	char *data = NULL, *grown;
	size_t used = 0, cap = 0;
	int fd = -1, ret, n;

	if (!root || !event || !buf || !len || !tracefs_valid_event(event))
		return -EINVAL;
	n = snprintf(path, sizeof(path), "%s/events/syscalls/%s/format", root, event);
	if (n < 0 || (size_t)n >= sizeof(path))
		return -ENAMETOOLONG;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;

	/* tracefs files report a size of 0: read until EOF. */
	for (;;) {
		ssize_t r;

		if (cap - used < 1024) {
			if (cap >= TRACEFS_MAX_FORMAT) {
				ret = -EFBIG;
				goto err;
			}
			cap = cap ? cap * 2 : 4096;
			grown = realloc(data, cap + 1);
			if (!grown) {
				ret = -ENOMEM;
				goto err;
			}
			data = grown;
		}
		r = read(fd, data + used, cap - used);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			ret = -errno;
			goto err;
		}
		if (!r)
			break;
		used += (size_t)r;
	}
	close(fd);
	data[used] = '\0';
	*buf = data;
	*len = used;
	return 0;
err:
	free(data);
	close(fd);
	return ret;
}

/* Optimal string alignment distance: insertions, deletions, substitutions and swaps of two
 * neighbours ("mkdri" -> "mkdir") each cost 1. Strings are at most TRACEFS_SUGGEST_MAX. */
static unsigned int tracefs_distance(const char *a, size_t an, const char *b, size_t bn)
{
	unsigned int rows[3][TRACEFS_SUGGEST_MAX + 1];
	unsigned int *prev2 = rows[0], *prev = rows[1], *cur = rows[2], *t;
	size_t i, j;

	for (j = 0; j <= bn; j++)
		prev[j] = (unsigned int)j;
	for (i = 1; i <= an; i++) {
		cur[0] = (unsigned int)i;
		for (j = 1; j <= bn; j++) {
			unsigned int cost = a[i - 1] != b[j - 1];
			unsigned int best = prev[j - 1] + cost;

			if (prev[j] + 1 < best)
				best = prev[j] + 1;
			if (cur[j - 1] + 1 < best)
				best = cur[j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    prev2[j - 2] + 1 < best)
				best = prev2[j - 2] + 1;
			cur[j] = best;
		}
		t = prev2;
		prev2 = prev;
		prev = cur;
		cur = t;
	}
	return prev[bn];
}

struct tracefs_candidate {
	const char *name;
	unsigned int rank;     /* 0: NAME is its prefix, 1: it is NAME's, 2: substring, 3: edits */
	unsigned int distance;
};

static bool tracefs_better(const struct tracefs_candidate *a, const struct tracefs_candidate *b)
{
	if (a->rank != b->rank)
		return a->rank < b->rank;
	if (a->distance != b->distance)
		return a->distance < b->distance;
	return strcmp(a->name, b->name) < 0;
}

int tracefs_suggest(const char *name, char *const *names, char *out, size_t out_size)
{
	struct tracefs_candidate best[3], c;
	size_t nlen, kept = 0, i, k, used = 0;
	unsigned int limit;
	int written = 0;

	if (out && out_size)
		out[0] = '\0';
	if (!name || !names || !out || !out_size)
		return 0;
	nlen = strlen(name);
	if (!nlen || nlen > TRACEFS_SUGGEST_MAX)
		return 0;
	/* Short names tolerate fewer edits, or every short syscall would match. */
	limit = nlen <= 6 ? 2 : TRACEFS_SUGGEST_MAX_DISTANCE;

	for (i = 0; names[i]; i++) {
		size_t clen = strlen(names[i]);

		if (clen > TRACEFS_SUGGEST_MAX)
			continue;
		c.name = names[i];
		c.distance = tracefs_distance(name, nlen, names[i], clen);
		/* A name typed short of its end is the likeliest mistake, then one typed
		 * past it, then one that appears inside, then a misspelling. */
		if (nlen >= 3 && !strncmp(names[i], name, nlen))
			c.rank = 0;
		else if (nlen >= 3 && clen >= 3 && !strncmp(name, names[i], clen))
			c.rank = 1;
		else if (nlen >= 3 && strstr(names[i], name))
			c.rank = 2;
		else if (c.distance <= limit)
			c.rank = 3;
		else
			continue;

		/* Insert into the three best kept so far. */
		for (k = kept; k > 0 && tracefs_better(&c, &best[k - 1]); k--)
			if (k < 3)
				best[k] = best[k - 1];
		if (k < 3) {
			best[k] = c;
			if (kept < 3)
				kept++;
		}
	}

	for (k = 0; k < kept; k++) {
		size_t need = strlen(best[k].name) + 2 + (k ? 2 : 0);

		if (used + need >= out_size)
			break;
		used += (size_t)snprintf(out + used, out_size - used, "%s'%s'", k ? ", " : "",
					 best[k].name);
		written++;
	}
	return written;
}
