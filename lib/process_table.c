/* SPDX-License-Identifier: Apache-2.0 */
/* The process table: a pid hash with two LRU lists (live, exited), and the /proc reader
 * that fills it. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "process_table.h"

struct proctable_node {
	struct proctable_entry e;
	struct proctable_node *hash_next;
	struct proctable_node *lru_prev, *lru_next;	/* most recently used at the head */
	size_t bytes;
};

struct proctable_lru {
	struct proctable_node *head, *tail;
};

struct proctable {
	struct proctable_limits limits;
	struct proctable_node **buckets;
	size_t mask;
	struct proctable_lru live, exited;
	struct proctable_stats stats;
	char *cmdline_buf;	/* max_cmdline + 1 bytes: one more tells a cut */
};

/* A parsed stat, status and cmdline of one process. */
struct proctable_proc {
	uint32_t pid, ppid, uid;
	uint64_t start_ns, start_res_ns;
	char comm[PROCTABLE_COMM_SIZE];
	const char *cmdline;	/* NUL-separated; NULL when missing */
	size_t cmdline_len;
	bool cmdline_cut;
};

size_t proctable_entry_bytes(size_t argc, size_t strings_len)
{
	return sizeof(struct proctable_node) + (argc + 1) * sizeof(char *) + strings_len;
}

uint64_t proctable_ticks_to_ns(uint64_t ticks, uint64_t *res_ns)
{
	long hz = sysconf(_SC_CLK_TCK);
	uint64_t tick;

	if (hz <= 0)
		hz = 100;	/* USER_HZ on every Linux architecture */
	tick = (1000000000ull + (uint64_t)hz - 1) / (uint64_t)hz;
	if (res_ns)
		*res_ns = tick;
	/* split so that ticks * 1e9 cannot overflow */
	return ticks / (uint64_t)hz * 1000000000ull + ticks % (uint64_t)hz * 1000000000ull / (uint64_t)hz;
}

static size_t proctable_hash(const struct proctable *t, uint32_t pid)
{
	return (size_t)((pid * 2654435761u) & t->mask);
}

static void proctable_lru_unlink(struct proctable_lru *l, struct proctable_node *n)
{
	if (n->lru_prev)
		n->lru_prev->lru_next = n->lru_next;
	else
		l->head = n->lru_next;
	if (n->lru_next)
		n->lru_next->lru_prev = n->lru_prev;
	else
		l->tail = n->lru_prev;
	n->lru_prev = n->lru_next = NULL;
}

static void proctable_lru_push(struct proctable_lru *l, struct proctable_node *n)
{
	n->lru_prev = NULL;
	n->lru_next = l->head;
	if (l->head)
		l->head->lru_prev = n;
	else
		l->tail = n;
	l->head = n;
}

static struct proctable_lru *proctable_list_of(struct proctable *t, const struct proctable_node *n)
{
	return n->e.exited ? &t->exited : &t->live;
}

static void proctable_touch(struct proctable *t, struct proctable_node *n)
{
	struct proctable_lru *l = proctable_list_of(t, n);

	proctable_lru_unlink(l, n);
	proctable_lru_push(l, n);
}

static void proctable_mark_exited(struct proctable *t, struct proctable_node *n)
{
	if (n->e.exited)
		return;
	proctable_lru_unlink(&t->live, n);
	n->e.exited = true;
	proctable_lru_push(&t->exited, n);
}

/* The same process when the start times' windows ([start, start + res)) overlap. */
static bool proctable_matches(const struct proctable_entry *e, uint64_t start_ns, uint64_t res_ns)
{
	if (start_ns >= e->start_ns)
		return start_ns - e->start_ns < e->start_res_ns;
	return e->start_ns - start_ns < res_ns;
}

static struct proctable_node *proctable_find(struct proctable *t, uint32_t pid, uint64_t start_ns,
					     uint64_t res_ns)
{
	struct proctable_node *n;

	for (n = t->buckets[proctable_hash(t, pid)]; n; n = n->hash_next)
		if (n->e.pid == pid && proctable_matches(&n->e, start_ns, res_ns))
			return n;
	return NULL;
}

static void proctable_remove(struct proctable *t, struct proctable_node *n)
{
	struct proctable_node **pp = &t->buckets[proctable_hash(t, n->e.pid)];

	while (*pp != n)
		pp = &(*pp)->hash_next;
	*pp = n->hash_next;
	proctable_lru_unlink(proctable_list_of(t, n), n);
	t->stats.entries--;
	t->stats.bytes -= n->bytes;
	free((void *)n->e.argv);
	free(n);
}

/* Drops entries until both bounds hold, never KEEP. */
static void proctable_enforce(struct proctable *t, const struct proctable_node *keep)
{
	while (t->stats.entries > t->limits.max_entries || t->stats.bytes > t->limits.max_bytes) {
		struct proctable_node *victim = t->exited.tail;

		if (victim == keep)
			victim = victim->lru_prev;
		if (victim) {
			t->stats.evicted_exited++;
		} else {
			victim = t->live.tail;
			if (victim == keep)
				victim = victim->lru_prev;
			if (!victim)
				return;	/* KEEP alone: the limits guarantee it fits */
			t->stats.evicted_live++;
		}
		proctable_remove(t, victim);
	}
}

/* One allocation: ARGC + 1 pointers, then the strings, the whole arguments of the
 * NUL-separated CMDLINE (LEN bytes) that fit in max_cmdline. */
static int proctable_build_argv(const struct proctable *t, const char *cmdline, size_t len,
				bool cut, struct proctable_entry *e, size_t *strings_len)
{
	size_t argc = 0, used = 0, off = 0, i;
	char **argv, *dst;

	e->argv_truncated = cut;
	/* count the arguments that fit; a last one without its NUL gets one */
	while (off < len) {
		const char *nul = memchr(cmdline + off, '\0', len - off);
		size_t alen = nul ? (size_t)(nul - (cmdline + off)) : len - off;

		/* a read cut in the middle of an argument: that one is not whole */
		if (used + alen + 1 > t->limits.max_cmdline || (!nul && cut)) {
			e->argv_truncated = true;
			break;
		}
		used += alen + 1;
		argc++;
		off += alen + 1;
	}
	argv = malloc((argc + 1) * sizeof(char *) + used);
	if (!argv)
		return -ENOMEM;
	dst = (char *)(argv + argc + 1);
	for (i = 0, off = 0; i < argc; i++) {
		size_t alen = strnlen(cmdline + off, len - off);

		argv[i] = dst;
		memcpy(dst, cmdline + off, alen);
		dst[alen] = '\0';
		dst += alen + 1;
		off += alen + 1;
	}
	argv[argc] = NULL;
	e->argc = argc;
	e->argv = (const char *const *)argv;
	*strings_len = used;
	return 0;
}

/* Joins ARGV into a NUL-separated buffer for proctable_build_argv (no copy when argc 0). */
static int proctable_join_argv(const struct proctable *t, size_t argc, const char *const *argv,
			       char **buf, size_t *len, bool *cut)
{
	size_t i, total = 0;
	char *p;

	*cut = false;
	for (i = 0; i < argc; i++) {
		size_t l;

		if (!argv[i])
			return -EINVAL;
		l = strlen(argv[i]) + 1;
		if (total + l > t->limits.max_cmdline) {
			*cut = true;
			break;
		}
		total += l;
	}
	argc = i;
	*len = total;
	*buf = malloc(total ? total : 1);
	if (!*buf)
		return -ENOMEM;
	for (i = 0, p = *buf; i < argc; i++) {
		size_t l = strlen(argv[i]) + 1;

		memcpy(p, argv[i], l);
		p += l;
	}
	return 0;
}

static void proctable_set_comm(struct proctable_entry *e, const char *comm)
{
	size_t l = strnlen(comm, sizeof(e->comm) - 1);

	memcpy(e->comm, comm, l);
	e->comm[l] = '\0';
}

/* Adds or refreshes the process P describes: NULL cmdline in P means unknown argv. */
static int proctable_put(struct proctable *t, const struct proctable_proc *p, bool from_exec)
{
	struct proctable_entry fresh = { 0 };
	struct proctable_node *n, *other;
	size_t strings_len = 0, slot;
	int err;

	if (p->cmdline) {
		err = proctable_build_argv(t, p->cmdline, p->cmdline_len, p->cmdline_cut, &fresh,
					   &strings_len);
		if (err)
			return err;
	}
	n = proctable_find(t, p->pid, p->start_ns, p->start_res_ns);
	if (n) {
		/* the same process: keep the finer start time */
		if (n->e.start_res_ns > p->start_res_ns) {
			n->e.start_ns = p->start_ns;
			n->e.start_res_ns = p->start_res_ns;
		}
		t->stats.bytes -= n->bytes;
		free((void *)n->e.argv);
	} else {
		n = calloc(1, sizeof(*n));
		if (!n) {
			free((void *)fresh.argv);
			return -ENOMEM;
		}
		n->e.pid = p->pid;
		n->e.start_ns = p->start_ns;
		n->e.start_res_ns = p->start_res_ns;
		slot = proctable_hash(t, p->pid);
		n->hash_next = t->buckets[slot];
		t->buckets[slot] = n;
		proctable_lru_push(&t->live, n);
		t->stats.entries++;
	}
	/* any other process under this pid is gone: the pid was reused */
	for (other = t->buckets[proctable_hash(t, p->pid)]; other; other = other->hash_next)
		if (other != n && other->e.pid == p->pid)
			proctable_mark_exited(t, other);
	n->e.ppid = p->ppid;
	n->e.uid = p->uid;
	/* an exec without a comm keeps the old one; a scan says what the kernel says */
	if (p->comm[0] || !from_exec)
		proctable_set_comm(&n->e, p->comm);
	n->e.argc = fresh.argc;
	n->e.argv = fresh.argv;
	n->e.argv_truncated = fresh.argv_truncated;
	n->bytes = proctable_entry_bytes(fresh.argc, strings_len);
	t->stats.bytes += n->bytes;
	proctable_touch(t, n);
	proctable_enforce(t, n);
	return 0;
}

struct proctable *proctable_new(const struct proctable_limits *limits)
{
	struct proctable_limits l = {
		.max_entries = PROCTABLE_DEFAULT_MAX_ENTRIES,
		.max_bytes = PROCTABLE_DEFAULT_MAX_BYTES,
		.max_cmdline = PROCTABLE_DEFAULT_MAX_CMDLINE,
	};
	struct proctable *t;
	size_t nb = 16;

	if (limits)
		l = *limits;
	/* every arguments is at least its NUL: argc <= max_cmdline */
	if (l.max_entries < 1 || l.max_cmdline < 1 || l.max_cmdline > SIZE_MAX / 16 ||
	    l.max_entries > SIZE_MAX / 16 ||
	    l.max_bytes < proctable_entry_bytes(l.max_cmdline, l.max_cmdline)) {
		errno = EINVAL;
		return NULL;
	}
	while (nb < l.max_entries)
		nb <<= 1;
	t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->limits = l;
	t->mask = nb - 1;
	t->buckets = calloc(nb, sizeof(*t->buckets));
	t->cmdline_buf = malloc(l.max_cmdline + 1);
	if (!t->buckets || !t->cmdline_buf) {
		proctable_free(t);
		errno = ENOMEM;
		return NULL;
	}
	return t;
}

void proctable_free(struct proctable *t)
{
	if (!t)
		return;
	while (t->live.head)
		proctable_remove(t, t->live.head);
	while (t->exited.head)
		proctable_remove(t, t->exited.head);
	free(t->buckets);
	free(t->cmdline_buf);
	free(t);
}

int proctable_exec(struct proctable *t, uint32_t pid, uint64_t start_ns, uint32_t ppid,
		   uint32_t uid, const char *comm, size_t argc, const char *const *argv)
{
	struct proctable_proc p = { .pid = pid, .ppid = ppid, .uid = uid, .start_ns = start_ns,
				    .start_res_ns = 1 };
	char *buf;
	int err;

	if (!t || (argc && !argv))
		return -EINVAL;
	if (comm) {
		size_t l = strnlen(comm, sizeof(p.comm) - 1);

		memcpy(p.comm, comm, l);
		p.comm[l] = '\0';
	}
	err = proctable_join_argv(t, argc, argv, &buf, &p.cmdline_len, &p.cmdline_cut);
	if (err)
		return err;
	p.cmdline = buf;
	err = proctable_put(t, &p, true);
	free(buf);
	return err;
}

int proctable_exit(struct proctable *t, uint32_t pid, uint64_t start_ns)
{
	struct proctable_node *n = t ? proctable_find(t, pid, start_ns, 1) : NULL;

	if (!n)
		return -ENOENT;
	proctable_mark_exited(t, n);
	return 0;
}

const struct proctable_entry *proctable_lookup(struct proctable *t, uint32_t pid,
					       uint64_t start_ns)
{
	struct proctable_node *n = t ? proctable_find(t, pid, start_ns, 1) : NULL;

	if (!n)
		return NULL;
	proctable_touch(t, n);
	return &n->e;
}

void proctable_get_stats(const struct proctable *t, struct proctable_stats *stats)
{
	*stats = t->stats;
}

/* ---- /proc ---- */

/* Reads up to SIZE bytes of DIRFD/PATH into BUF; the length, or -errno. */
static ssize_t proctable_read_file(int dirfd, const char *path, char *buf, size_t size)
{
	size_t len = 0;
	int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	while (len < size) {
		ssize_t r = read(fd, buf + len, size - len);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int err = -errno;

			close(fd);
			return err;
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	close(fd);
	return (ssize_t)len;
}

/* A decimal field of at most MAX; advances *P past it and one space. */
static bool proctable_parse_u64(const char **p, const char *end, uint64_t max, uint64_t *v)
{
	const char *s = *p;
	uint64_t x = 0;

	if (s >= end || *s < '0' || *s > '9')
		return false;
	while (s < end && *s >= '0' && *s <= '9') {
		uint64_t d = (uint64_t)(*s++ - '0');

		if (x > (max - d) / 10)
			return false;
		x = x * 10 + d;
	}
	if (s < end && *s != ' ' && *s != '\n')
		return false;
	*p = s < end ? s + 1 : s;
	*v = x;
	return true;
}

/* Skips one space-separated field (a signed number, a state letter). */
static bool proctable_skip_field(const char **p, const char *end)
{
	const char *s = *p;

	if (s >= end || *s == ' ')
		return false;
	while (s < end && *s != ' ' && *s != '\n')
		s++;
	*p = s < end ? s + 1 : s;
	return true;
}

/*
 * "pid (comm) state ppid … starttime …": the comm may hold spaces and ')', so it ends at
 * the last ')'. starttime is field 22, the 20th after the comm.
 */
static bool proctable_parse_stat(const char *buf, size_t len, uint32_t want_pid,
				 struct proctable_proc *p)
{
	const char *end = buf + len, *open, *close = NULL, *s;
	uint64_t pid, ppid, start;
	size_t clen;
	int i;

	for (s = buf; s < end; s++)
		if (*s == ')')
			close = s;
	open = memchr(buf, '(', len);
	if (!open || !close || close < open || close + 2 > end || close[1] != ' ')
		return false;
	s = buf;
	if (!proctable_parse_u64(&s, open, UINT32_MAX, &pid) || s != open || pid != want_pid)
		return false;
	clen = (size_t)(close - open - 1);
	if (clen >= sizeof(p->comm))
		clen = sizeof(p->comm) - 1;
	memcpy(p->comm, open + 1, clen);
	p->comm[clen] = '\0';
	s = close + 2;
	if (!proctable_skip_field(&s, end) || !proctable_parse_u64(&s, end, UINT32_MAX, &ppid))
		return false;
	for (i = 0; i < 17; i++)	/* pgrp … itrealvalue */
		if (!proctable_skip_field(&s, end))
			return false;
	if (!proctable_parse_u64(&s, end, UINT64_MAX, &start))
		return false;
	p->pid = (uint32_t)pid;
	p->ppid = (uint32_t)ppid;
	p->start_ns = proctable_ticks_to_ns(start, &p->start_res_ns);
	return true;
}

/* The real uid of status's "Uid:\treal\teffective\tsaved\tfs" line, or unknown. */
static uint32_t proctable_parse_uid(const char *buf, size_t len)
{
	const char *s = buf, *end = buf + len;

	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		const char *line_end = nl ? nl : end;

		if (line_end - s > 4 && memcmp(s, "Uid:", 4) == 0) {
			uint64_t uid;

			s += 4;
			while (s < line_end && (*s == '\t' || *s == ' '))
				s++;
			if (s < line_end && *s >= '0' && *s <= '9') {
				const char *q = s;

				while (q < line_end && *q >= '0' && *q <= '9')
					q++;
				if ((q == line_end || *q == '\t' || *q == ' ') &&
				    proctable_parse_u64(&s, q, UINT32_MAX - 1, &uid))
					return (uint32_t)uid;
			}
			return PROCTABLE_UID_UNKNOWN;
		}
		s = line_end + 1;
	}
	return PROCTABLE_UID_UNKNOWN;
}

static bool proctable_is_pid_name(const char *name, uint32_t *pid)
{
	uint64_t v = 0;
	const char *s;

	if (!*name || *name == '0')
		return false;
	for (s = name; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		v = v * 10 + (uint64_t)(*s - '0');
		if (v > UINT32_MAX)
			return false;
	}
	*pid = (uint32_t)v;
	return true;
}

/* Reads one process; 1 added, 0 not a process, -ENOMEM. */
static int proctable_scan_one(struct proctable *t, int rootfd, uint32_t pid)
{
	char path[32], buf[4096];
	struct proctable_proc p = { 0 };
	ssize_t len;
	int err;

	snprintf(path, sizeof(path), "%u/stat", pid);
	len = proctable_read_file(rootfd, path, buf, sizeof(buf));
	if (len <= 0 || !proctable_parse_stat(buf, (size_t)len, pid, &p))
		return 0;
	snprintf(path, sizeof(path), "%u/status", pid);
	len = proctable_read_file(rootfd, path, buf, sizeof(buf));
	p.uid = len > 0 ? proctable_parse_uid(buf, (size_t)len) : PROCTABLE_UID_UNKNOWN;
	snprintf(path, sizeof(path), "%u/cmdline", pid);
	len = proctable_read_file(rootfd, path, t->cmdline_buf, t->limits.max_cmdline + 1);
	if (len >= 0) {
		p.cmdline = t->cmdline_buf;
		p.cmdline_len = (size_t)len;
		if (p.cmdline_len > t->limits.max_cmdline) {
			p.cmdline_len = t->limits.max_cmdline;
			p.cmdline_cut = true;
		}
	}
	err = proctable_put(t, &p, false);
	return err ? err : 1;
}

int proctable_scan(struct proctable *t, const char *proc_root, size_t *skipped)
{
	struct dirent *de;
	size_t n_skipped = 0;
	int added = 0, rootfd, err = 0;
	DIR *dir;

	if (!t || !proc_root)
		return -EINVAL;
	rootfd = open(proc_root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return -errno;
	dir = fdopendir(rootfd);
	if (!dir) {
		err = -errno;
		close(rootfd);
		return err;
	}
	while ((de = readdir(dir))) {
		uint32_t pid;
		int r;

		if (!proctable_is_pid_name(de->d_name, &pid))
			continue;
		r = proctable_scan_one(t, rootfd, pid);
		if (r < 0) {
			err = r;
			break;
		}
		if (r == 0)
			n_skipped++;
		else if (added < INT_MAX)
			added++;
	}
	closedir(dir);
	if (skipped)
		*skipped = n_skipped;
	return err ? err : added;
}
