/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Text:  ... probe_error: 0 ppid: 812 auid: 1000 session_id: 3 container: docker:1a2b3c4d5e6f
 *        (auid/session_id "unset" for the kernel's -1, "unknown" without audit; container
 *        "host", or runtime:short id; a kubernetes pod adds " pod: <uid>")
 *        and, with ancestors, a line "ancestors: [812 bash 'bash' '-i'] [1 systemd]".
 * JSON:  "process":{"ppid","start_time_ns","auid","session_id","cgroup_id","cgroup",
 *        "container","ancestors"}: auid/session_id -1 unset, null unknown; cgroup null when
 *        not read; container null on the host.
 */
#include <stdbool.h>
#include <string.h>

#include "escape.h"
#include "print_process.h"

/*
 * The object of the previous event, kept for the next one of the same process: a tracer
 * sees runs of events from the same processes, and the object is a third of a JSON line.
 * The key is a copy of every member the text is made of, strings by content (the library
 * reuses its buffers, so a pointer says nothing about what it points to). Contexts with
 * ancestors, and ones too long for the buffers, are formatted every time.
 */
#define MEMO_STRINGS 5
#define MEMO_KEY_MAX 1024
#define MEMO_TEXT_MAX 2048

struct process_memo {
	bool valid;
	uint32_t flags, ppid, auid, session_id;
	uint64_t start_time_ns, cgroup_id;
	int off[MEMO_STRINGS];   /* where each string is in keys, -1 for NULL */
	char keys[MEMO_KEY_MAX];
	size_t len;
	char text[MEMO_TEXT_MAX];
};

static struct process_memo text_memo, json_memo;
unsigned long print_process_memo_hits;

static void memo_strings(const struct ebpfpub_process *p, const char *s[MEMO_STRINGS])
{
	s[0] = p->cgroup_path;
	s[1] = p->container_runtime;
	s[2] = p->container_id;
	s[3] = p->container_short_id;
	s[4] = p->pod_uid;
}

/* strcmp() == 0, without a call for the short strings most of these are. */
static inline bool same_string(const char *a, const char *b)
{
	size_t i;

	for (i = 0; i < 16; i++) {
		if (a[i] != b[i])
			return false;
		if (!a[i])
			return true;
	}
	return strcmp(a + i, b + i) == 0;
}

static bool memo_hit(const struct process_memo *m, const struct ebpfpub_process *p)
{
	const char *s[MEMO_STRINGS];
	size_t i;

	if (!m->valid || p->ancestor_count || m->ppid != p->ppid ||
	    m->start_time_ns != p->start_time_ns || m->cgroup_id != p->cgroup_id ||
	    m->flags != p->flags || m->auid != p->auid || m->session_id != p->session_id)
		return false;
	memo_strings(p, s);
	for (i = 0; i < MEMO_STRINGS; i++) {
		if (m->off[i] < 0 ? s[i] != NULL : !s[i] || !same_string(m->keys + m->off[i], s[i]))
			return false;
	}
	return true;
}

/* Keeps what was appended to OUT since START as P's text, when it all fits. */
static void memo_store(struct process_memo *m, const struct ebpfpub_process *p,
		       const struct outbuf *out, size_t start)
{
	const char *s[MEMO_STRINGS];
	size_t i, at = 0, n;

	m->valid = false;
	if (out->error || p->ancestor_count || out->len - start > sizeof(m->text))
		return;
	memo_strings(p, s);
	for (i = 0; i < MEMO_STRINGS; i++) {
		if (!s[i]) {
			m->off[i] = -1;
			continue;
		}
		n = strlen(s[i]) + 1;
		if (n > sizeof(m->keys) - at)
			return;
		memcpy(m->keys + at, s[i], n);
		m->off[i] = (int)at;
		at += n;
	}
	m->flags = p->flags;
	m->ppid = p->ppid;
	m->auid = p->auid;
	m->session_id = p->session_id;
	m->start_time_ns = p->start_time_ns;
	m->cgroup_id = p->cgroup_id;
	m->len = out->len - start;
	memcpy(m->text, out->data + start, m->len);
	m->valid = true;
}

/* True when P's text was appended from the memo. */
static bool memo_put(struct process_memo *m, struct outbuf *out,
		     const struct ebpfpub_process *p)
{
	if (!memo_hit(m, p))
		return false;
	outbuf_put(out, m->text, m->len);
	print_process_memo_hits++;
	return true;
}

void print_process_forget(void)
{
	text_memo.valid = false;
	json_memo.valid = false;
}

static void text_id(struct outbuf *out, uint32_t v, bool unknown)
{
	if (unknown)
		outbuf_lit(out, "unknown");
	else if (v == EBPFPUB_AUID_UNSET)
		outbuf_lit(out, "unset");
	else
		outbuf_u64(out, v);
}

static bool on_host(const struct ebpfpub_process *p)
{
	return p->container_runtime[0] == 'h' && strcmp(p->container_runtime, "host") == 0;
}

void print_text_process(struct outbuf *out, const struct ebpfpub_process *p)
{
	bool no_audit = p->flags & EBPFPUB_PROCESS_NO_AUDIT;
	size_t start = out->len;

	if (memo_put(&text_memo, out, p))
		return;
	outbuf_lit(out, " ppid: ");
	outbuf_u64(out, p->ppid);
	outbuf_lit(out, " auid: ");
	text_id(out, p->auid, no_audit);
	outbuf_lit(out, " session_id: ");
	text_id(out, p->session_id, no_audit);
	outbuf_lit(out, " container: ");
	outbuf_puts(out, p->container_runtime);
	if (!on_host(p) && p->container_short_id[0]) {
		outbuf_putc(out, ':');
		escape_text(out, p->container_short_id, strlen(p->container_short_id));
	}
	if (p->pod_uid) {
		outbuf_lit(out, " pod: ");
		outbuf_puts(out, p->pod_uid);
	}
	memo_store(&text_memo, p, out, start);
}

void print_text_ancestors(struct outbuf *out, const struct ebpfpub_process *p)
{
	size_t i, j;

	if (!p->ancestor_count)
		return;
	outbuf_lit(out, "ancestors:");
	for (i = 0; i < p->ancestor_count; i++) {
		const struct ebpfpub_ancestor *a = &p->ancestors[i];

		outbuf_lit(out, " [");
		outbuf_u64(out, a->pid);
		outbuf_putc(out, ' ');
		escape_text(out, a->comm, strnlen(a->comm, sizeof(a->comm)));
		for (j = 0; a->argv && j < a->argc; j++) {
			outbuf_lit(out, " '");
			escape_text(out, a->argv[j], strlen(a->argv[j]));
			outbuf_putc(out, '\'');
		}
		if (a->argv && a->argv_truncated)
			outbuf_lit(out, " ...(truncated)");
		outbuf_putc(out, ']');
	}
	outbuf_putc(out, '\n');
}

static void json_str(struct outbuf *out, const char *s, size_t len)
{
	outbuf_putc(out, '"');
	escape_json(out, s, len);
	outbuf_putc(out, '"');
}

static void json_id(struct outbuf *out, uint32_t v, bool unknown)
{
	if (unknown)
		outbuf_lit(out, "null");
	else if (v == EBPFPUB_AUID_UNSET)
		outbuf_lit(out, "-1");
	else
		outbuf_u64(out, v);
}

void print_json_process(struct outbuf *out, const struct ebpfpub_process *p)
{
	bool no_audit = p->flags & EBPFPUB_PROCESS_NO_AUDIT;
	size_t i, j, start = out->len;

	if (memo_put(&json_memo, out, p))
		return;
	outbuf_lit(out, ",\"process\":{\"ppid\":");
	outbuf_u64(out, p->ppid);
	outbuf_lit(out, ",\"start_time_ns\":");
	outbuf_u64(out, p->start_time_ns);
	outbuf_lit(out, ",\"auid\":");
	json_id(out, p->auid, no_audit);
	outbuf_lit(out, ",\"session_id\":");
	json_id(out, p->session_id, no_audit);
	outbuf_lit(out, ",\"cgroup_id\":");
	if (p->flags & EBPFPUB_PROCESS_NO_CGROUP)
		outbuf_lit(out, "null");
	else
		outbuf_u64(out, p->cgroup_id);
	outbuf_lit(out, ",\"cgroup\":");
	if (p->cgroup_path)
		json_str(out, p->cgroup_path, strlen(p->cgroup_path));
	else
		outbuf_lit(out, "null");
	outbuf_lit(out, ",\"container\":");
	if (on_host(p)) {
		outbuf_lit(out, "null");
	} else {
		outbuf_lit(out, "{\"runtime\":");
		json_str(out, p->container_runtime, strlen(p->container_runtime));
		outbuf_lit(out, ",\"id\":");
		json_str(out, p->container_id, strlen(p->container_id));
		outbuf_lit(out, ",\"pod_uid\":");
		if (p->pod_uid)
			json_str(out, p->pod_uid, strlen(p->pod_uid));
		else
			outbuf_lit(out, "null");
		outbuf_putc(out, '}');
	}
	outbuf_lit(out, ",\"ancestors\":[");
	for (i = 0; i < p->ancestor_count; i++) {
		const struct ebpfpub_ancestor *a = &p->ancestors[i];

		if (i)
			outbuf_putc(out, ',');
		outbuf_lit(out, "{\"pid\":");
		outbuf_u64(out, a->pid);
		outbuf_lit(out, ",\"comm\":");
		json_str(out, a->comm, strnlen(a->comm, sizeof(a->comm)));
		outbuf_lit(out, ",\"start_time_ns\":");
		outbuf_u64(out, a->start_time_ns);
		if (a->argv) {
			outbuf_lit(out, ",\"cmdline\":[");
			for (j = 0; j < a->argc; j++) {
				if (j)
					outbuf_putc(out, ',');
				json_str(out, a->argv[j], strlen(a->argv[j]));
			}
			outbuf_putc(out, ']');
		}
		if (a->uid != EBPFPUB_UID_UNKNOWN) {
			outbuf_lit(out, ",\"uid\":");
			outbuf_u64(out, a->uid);
		}
		outbuf_putc(out, '}');
	}
	outbuf_lit(out, "]}");
	memo_store(&json_memo, p, out, start);
}
