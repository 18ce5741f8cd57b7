/* SPDX-License-Identifier: Apache-2.0 */
/* Decoding of the process context of crafted records: the fixed part, the cgroup path
 * (joined top first, cut, unknown), the container identity, ancestors, and malformed
 * context items rejected without reading past the record. */
#include <stdlib.h>

#include "decode.h"
#include "layout.h"
#include "process_context.h"
#include "process_table.h"
#include "record.h"
#include "test.h"
#include "tracefs.h"
#include "util.h"

#define DOCKER_ID "1a2b3c4d5e6f1a2b3c4d5e6f1a2b3c4d5e6f1a2b3c4d5e6f1a2b3c4d5e6f1a2b"

static void load_layout(struct layout *l, const char *name, uint32_t ancestors)
{
	const char *root = getenv("EBPFPUB_TEST_FORMATS");
	char event[300], err[UTIL_ERR_SIZE];
	char *en = NULL, *ex = NULL;
	size_t enl, exl;
	struct layout_storage st;

	ASSERT(root);
	snprintf(event, sizeof(event), "sys_enter_%s", name);
	ASSERT(tracefs_read_format(root, event, &en, &enl) == 0);
	snprintf(event, sizeof(event), "sys_exit_%s", name);
	ASSERT(tracefs_read_format(root, event, &ex, &exl) == 0);
	layout_storage_init(&st, 64, 4);
	ASSERT(layout_build(l, name, en, enl, ex, exl, NULL, &st, err, sizeof(err)) == 0);
	free(en);
	free(ex);
	process_context_layout(l, ancestors);
}

static uint32_t put_item(unsigned char *rec, uint32_t off, uint16_t arg, uint8_t kind,
			 uint8_t flags, const void *data, uint32_t len)
{
	struct record_item it = { .arg = arg, .kind = kind, .flags = flags, .len = len };

	memcpy(rec + off, &it, sizeof(it));
	if (len)
		memcpy(rec + off + RECORD_ITEM_SIZE, data, len);
	return off + RECORD_ITEM_SIZE + record_align(len);
}

static uint32_t put_name(unsigned char *rec, uint32_t off, uint16_t level, const char *name)
{
	return put_item(rec, off, level, RECORD_ITEM_CGROUP_NAME, 0, name,
			(uint32_t)strlen(name) + 1);
}

/* The end of a path (FLAGS NULL: the root, TRUNCATED: cut), sent by CPU. */
static uint32_t put_end(unsigned char *rec, uint32_t off, uint16_t level, uint8_t flags,
			uint32_t cpu)
{
	struct record_cgroup_end e = { .cpu = cpu };

	return put_item(rec, off, level, RECORD_ITEM_CGROUP_NAME, flags, &e, sizeof(e));
}

static uint32_t put_same(unsigned char *rec, uint32_t off, uint32_t cpu)
{
	struct record_cgroup_end e = { .cpu = cpu };

	return put_item(rec, off, 0, RECORD_ITEM_CGROUP_SAME, 0, &e, sizeof(e));
}

static uint32_t put_ancestor(unsigned char *rec, uint32_t off, uint16_t i, uint32_t pid,
			     uint64_t start, const char *comm)
{
	struct record_ancestor a = { .pid = pid, .start_ns = start };

	strncpy(a.comm, comm, sizeof(a.comm) - 1);
	return put_item(rec, off, i, RECORD_ITEM_ANCESTOR, 0, &a, sizeof(a));
}

/* Header, mkdir's two arguments and the context; returns the offset of the first item. */
static uint32_t header(unsigned char *rec, const struct layout *l, uint32_t flags)
{
	struct record_header h;
	struct record_context c = { .ppid = 812, .flags = flags, .start_ns = 123456789000,
				    .auid = 1000, .session_id = 3, .cgroup_id = 4242 };

	memset(rec, 0, 4096);
	memset(&h, 0, sizeof(h));
	h.event_id = 1;
	h.pid_tgid = (uint64_t)4321 << 32 | 4322;
	h.arg_count = (uint16_t)l->arg_count;
	memcpy(rec, &h, sizeof(h));
	memcpy(rec + l->context_offset, &c, sizeof(c));
	return l->fixed_size;
}

static void set_size(unsigned char *rec, uint32_t size)
{
	memcpy(rec + RECORD_OFF_SIZE, &size, 4);
}

static int decode(const struct layout *l, struct decode_state *st, unsigned char *rec,
		  uint32_t size, struct ebpfpub_event *ev, char *err)
{
	set_size(rec, size);
	return decode_record(l, st, rec, size, ev, err, 512);
}

int main(void)
{
	struct layout l, plain;
	struct decode_state st, pst;
	struct ebpfpub_event ev;
	const struct ebpfpub_process *p;
	unsigned char rec[4096];
	char err[512], longname[300];
	uint32_t off;
	int i;

	load_layout(&l, "mkdir", 8);
	CHECK_INT(l.context_offset, RECORD_HEADER_SIZE + 16);
	CHECK_INT(l.fixed_size, RECORD_HEADER_SIZE + 16 + RECORD_CONTEXT_SIZE);
	CHECK_INT(l.entry_size, l.fixed_size);
	CHECK_INT(l.ancestors, 8);
	ASSERT(decode_state_init(&st, &l) == 0);

	/* A docker container under system.slice, two ancestors. */
	off = header(rec, &l, 0);
	off = put_name(rec, off, 0, "docker-" DOCKER_ID ".scope");
	off = put_name(rec, off, 1, "system.slice");
	off = put_end(rec, off, 2, EBPFPUB_FIELD_NULL, 1);
	off = put_ancestor(rec, off, 0, 812, 1000, "bash");
	off = put_ancestor(rec, off, 1, 1, 5, "systemd");
	CHECK_INT(decode(&l, &st, rec, off, &ev, err), 0);
	p = ebpfpub_event_process(&ev);
	ASSERT(p);
	CHECK_INT(p->sz, sizeof(*p));
	CHECK_INT(p->flags, 0);
	CHECK_INT(p->ppid, 812);
	CHECK(p->start_time_ns == 123456789000ull);
	CHECK_INT(p->auid, 1000);
	CHECK_INT(p->session_id, 3);
	CHECK(p->cgroup_id == 4242);
	CHECK_STR(p->cgroup_path, "/system.slice/docker-" DOCKER_ID ".scope");
	CHECK_STR(p->container_runtime, "docker");
	CHECK_STR(p->container_id, DOCKER_ID);
	CHECK_STR(p->container_short_id, "1a2b3c4d5e6f");
	CHECK(p->pod_uid == NULL);
	CHECK_INT(p->ancestor_count, 2);
	CHECK_INT(p->ancestors[0].pid, 812);
	CHECK_STR(p->ancestors[0].comm, "bash");
	CHECK(p->ancestors[0].start_time_ns == 1000);
	CHECK_INT(p->ancestors[0].uid, EBPFPUB_UID_UNKNOWN);
	CHECK(p->ancestors[0].argv == NULL);
	CHECK_INT(p->ancestors[1].pid, 1);
	CHECK_STR(p->ancestors[1].comm, "systemd");
	CHECK(process_context_pass(p, "1a2b", 0));
	CHECK(!process_context_pass(p, "1a2c", 0));
	CHECK(!process_context_pass(p, NULL, EBPFPUB_HOST_ONLY));
	CHECK(process_context_pass(p, NULL, EBPFPUB_CONTAINERS_ONLY));

	/* The process table gives an ancestor its command line, only at its start time. */
	{
		struct proctable *t = proctable_new(NULL);
		const char *argv[] = { "bash", "-i", NULL };

		ASSERT(t);
		CHECK_INT(proctable_exec(t, 812, 1000, 1, 1000, "bash", 2, argv), 0);
		CHECK_INT(proctable_exec(t, 1, 6, 0, 0, "systemd", 1, argv), 0);
		process_context_enrich(t, (struct ebpfpub_process *)p);
		CHECK_INT(p->ancestors[0].argc, 2);
		CHECK_STR(p->ancestors[0].argv[1], "-i");
		CHECK_INT(p->ancestors[0].uid, 1000);
		CHECK(p->ancestors[1].argv == NULL);   /* pid 1, another start time */
		CHECK_INT(p->ancestors[1].uid, EBPFPUB_UID_UNKNOWN);
		proctable_free(t);
	}

	/* The root cgroup, no audit (the kernel's -1 kept), no ancestors. */
	off = header(rec, &l, RECORD_CONTEXT_NO_AUDIT);
	off = put_end(rec, off, 0, EBPFPUB_FIELD_NULL, 0);
	CHECK_INT(decode(&l, &st, rec, off, &ev, err), 0);
	p = ev.process;
	CHECK_STR(p->cgroup_path, "/");
	CHECK_STR(p->container_runtime, "host");
	CHECK_STR(p->container_id, "");
	CHECK_INT(p->flags, EBPFPUB_PROCESS_NO_AUDIT);
	CHECK_INT(p->ancestor_count, 0);
	CHECK(process_context_pass(p, NULL, EBPFPUB_HOST_ONLY));
	CHECK(!process_context_pass(p, "1", 0));

	/* Kubernetes: the pod uid from the parent slice. */
	off = header(rec, &l, 0);
	off = put_name(rec, off, 0, "cri-containerd-" DOCKER_ID ".scope");
	off = put_name(rec, off, 1,
		       "kubepods-besteffort-pod0a1b2c3d_4e5f_6789_abcd_ef0123456789.slice");
	off = put_name(rec, off, 2, "kubepods-besteffort.slice");
	off = put_name(rec, off, 3, "kubepods.slice");
	off = put_end(rec, off, 4, EBPFPUB_FIELD_NULL, 2);
	CHECK_INT(decode(&l, &st, rec, off, &ev, err), 0);
	p = ev.process;
	CHECK_STR(p->container_runtime, "kubernetes");
	CHECK_STR(p->container_id, DOCKER_ID);
	ASSERT(p->pod_uid);
	CHECK_STR(p->pod_uid, "0a1b2c3d-4e5f-6789-abcd-ef0123456789");

	/* Cut at the depth bound: "..." and the flag; a docker leaf is still certain. */
	off = header(rec, &l, 0);
	off = put_name(rec, off, 0, "docker-" DOCKER_ID ".scope");
	off = put_name(rec, off, 1, "deep");
	off = put_end(rec, off, 2, EBPFPUB_FIELD_TRUNCATED, 3);
	CHECK_INT(decode(&l, &st, rec, off, &ev, err), 0);
	p = ev.process;
	CHECK_STR(p->cgroup_path, ".../deep/docker-" DOCKER_ID ".scope");
	CHECK(p->flags & EBPFPUB_PROCESS_PATH_TOP_CUT);
	CHECK_STR(p->container_runtime, "docker");

	/* No end item (no room, a failed read): the path is unknown, never guessed. */
	off = header(rec, &l, 0);
	off = put_name(rec, off, 0, "docker-" DOCKER_ID ".scope");
	CHECK_INT(decode(&l, &st, rec, off, &ev, err), 0);
	p = ev.process;
	CHECK(p->cgroup_path == NULL);
	CHECK(p->flags & EBPFPUB_PROCESS_PATH_UNKNOWN);
	CHECK_STR(p->container_runtime, "unknown");
	CHECK(!process_context_pass(p, NULL, EBPFPUB_HOST_ONLY));
	off = header(rec, &l, 0);
	off = put_item(rec, off, 0, RECORD_ITEM_CGROUP_NAME, EBPFPUB_FIELD_UNREADABLE, NULL, 0);
	CHECK_INT(decode(&l, &st, rec, off, &ev, err), 0);
	CHECK(ev.process->flags & EBPFPUB_PROCESS_PATH_UNKNOWN);

	/* "Same path as this CPU's last": CPU 1 sent the docker path above, CPU 2 the pod's,
	 * CPU 3 the cut one; the cgroup id must match (4242 in every crafted record), and a CPU
	 * that sent nothing yet, or another cgroup, is unknown, never another path. */
	off = header(rec, &l, 0);
	off = put_same(rec, off, 1);
	CHECK_INT(decode(&l, &st, rec, off, &ev, err), 0);
	CHECK_STR(ev.process->cgroup_path, "/system.slice/docker-" DOCKER_ID ".scope");
	CHECK_STR(ev.process->container_runtime, "docker");
	off = header(rec, &l, 0);
	off = put_same(rec, off, 3);
	CHECK_INT(decode(&l, &st, rec, off, &ev, err), 0);
	CHECK_STR(ev.process->cgroup_path, ".../deep/docker-" DOCKER_ID ".scope");
	CHECK(ev.process->flags & EBPFPUB_PROCESS_PATH_TOP_CUT);
	off = header(rec, &l, 0);
	off = put_same(rec, off, 7);
	CHECK_INT(decode(&l, &st, rec, off, &ev, err), 0);
	CHECK(ev.process->cgroup_path == NULL);
	CHECK(ev.process->flags & EBPFPUB_PROCESS_PATH_UNKNOWN);
	off = header(rec, &l, 0);
	memcpy(rec + l.context_offset + RECORD_CONTEXT_OFF_CGROUP_ID, &(uint64_t){ 99 }, 8);
	off = put_same(rec, off, 1);
	CHECK_INT(decode(&l, &st, rec, off, &ev, err), 0);
	CHECK(ev.process->cgroup_path == NULL);
	off = header(rec, &l, 0);
	off = put_same(rec, off, 100000);
	CHECK_INT(decode(&l, &st, rec, off, &ev, err), 0);
	CHECK(ev.process->flags & EBPFPUB_PROCESS_PATH_UNKNOWN);

	/* The exit program's form of "same path": RECORD_CONTEXT_PATH_SAME and the CPU in the
	 * context's flags, no item; runs of it and a change of CPU in between; the bit is not
	 * one of the API's flags. */
	for (i = 0; i < 3; i++) {
		off = header(rec, &l, RECORD_CONTEXT_PATH_SAME | 1u << RECORD_CONTEXT_CPU_SHIFT);
		CHECK_INT(decode(&l, &st, rec, off, &ev, err), 0);
		CHECK_STR(ev.process->cgroup_path, "/system.slice/docker-" DOCKER_ID ".scope");
		CHECK_STR(ev.process->container_runtime, "docker");
		CHECK_INT(ev.process->flags, 0);
		off = header(rec, &l, RECORD_CONTEXT_PATH_SAME | 3u << RECORD_CONTEXT_CPU_SHIFT);
		CHECK_INT(decode(&l, &st, rec, off, &ev, err), 0);
		CHECK_STR(ev.process->cgroup_path, ".../deep/docker-" DOCKER_ID ".scope");
		CHECK_INT(ev.process->flags, EBPFPUB_PROCESS_PATH_TOP_CUT);
	}
	off = header(rec, &l, RECORD_CONTEXT_PATH_SAME | 7u << RECORD_CONTEXT_CPU_SHIFT);
	CHECK_INT(decode(&l, &st, rec, off, &ev, err), 0);
	CHECK(ev.process->cgroup_path == NULL);
	CHECK(ev.process->flags & EBPFPUB_PROCESS_PATH_UNKNOWN);
	off = header(rec, &l, RECORD_CONTEXT_PATH_SAME | 1u << RECORD_CONTEXT_CPU_SHIFT);
	off = put_name(rec, off, 0, "x");
	CHECK_INT(decode(&l, &st, rec, off, &ev, err), -EINVAL);   /* a path after "same" */
	off = header(rec, &l, RECORD_CONTEXT_PATH_SAME | 1u << RECORD_CONTEXT_CPU_SHIFT);
	off = put_same(rec, off, 1);
	CHECK_INT(decode(&l, &st, rec, off, &ev, err), -EINVAL);

	/* Malformed: levels out of order, a name without its NUL, a name past the bound, an
	 * ancestor out of order or of the wrong size, an item after the end, a length past
	 * the record. */
	off = header(rec, &l, 0);
	off = put_name(rec, off, 1, "system.slice");
	CHECK_INT(decode(&l, &st, rec, off, &ev, err), -EINVAL);
	off = header(rec, &l, 0);
	off = put_item(rec, off, 0, RECORD_ITEM_CGROUP_NAME, 0, "abc", 3);
	CHECK_INT(decode(&l, &st, rec, off, &ev, err), -EINVAL);
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	off = header(rec, &l, 0);
	off = put_name(rec, off, 0, longname);
	CHECK_INT(decode(&l, &st, rec, off, &ev, err), -EINVAL);
	off = header(rec, &l, 0);
	off = put_ancestor(rec, off, 1, 1, 5, "systemd");
	CHECK_INT(decode(&l, &st, rec, off, &ev, err), -EINVAL);
	off = header(rec, &l, 0);
	off = put_item(rec, off, 0, RECORD_ITEM_ANCESTOR, 0, "xxxxxxxx", 8);
	CHECK_INT(decode(&l, &st, rec, off, &ev, err), -EINVAL);
	off = header(rec, &l, 0);
	off = put_end(rec, off, 0, EBPFPUB_FIELD_NULL, 0);
	off = put_name(rec, off, 1, "late");
	CHECK_INT(decode(&l, &st, rec, off, &ev, err), -EINVAL);
	off = header(rec, &l, 0);
	off = put_item(rec, off, 0, RECORD_ITEM_CGROUP_NAME, EBPFPUB_FIELD_NULL, NULL, 0);
	CHECK_INT(decode(&l, &st, rec, off, &ev, err), -EINVAL);   /* an end without its CPU */
	off = header(rec, &l, 0);
	off = put_name(rec, off, 0, "x");
	off = put_same(rec, off, 0);
	CHECK_INT(decode(&l, &st, rec, off, &ev, err), -EINVAL);
	off = header(rec, &l, 0);
	off = put_name(rec, off, 0, "system.slice");
	CHECK_INT(decode(&l, &st, rec, off - 8, &ev, err), -EINVAL);
	off = header(rec, &l, 0);
	for (i = 0; i < 33; i++)
		off = put_ancestor(rec, off, (uint16_t)i, 100 + (uint32_t)i, 1, "sh");
	CHECK_INT(decode(&l, &st, rec, off, &ev, err), -EINVAL);   /* more than 32 */

	/* A layout without context: no process, and a context item is malformed. */
	load_layout(&plain, "mkdir", 0);
	plain.fixed_size -= RECORD_CONTEXT_SIZE;
	plain.entry_size = plain.fixed_size;
	plain.context_offset = 0;
	ASSERT(decode_state_init(&pst, &plain) == 0);
	off = header(rec, &plain, 0);
	CHECK_INT(decode(&plain, &pst, rec, RECORD_HEADER_SIZE + 16, &ev, err), 0);
	CHECK(ebpfpub_event_process(&ev) == NULL);
	CHECK(ebpfpub_event_process(NULL) == NULL);
	off = put_name(rec, RECORD_HEADER_SIZE + 16, 0, "x");
	CHECK_INT(decode(&plain, &pst, rec, off, &ev, err), -EINVAL);

	/* Random bytes after the context never crash the decoder nor read past the record. */
	{
		unsigned int seed = 7;
		int n;

		for (n = 0; n < 20000; n++) {
			uint32_t size = l.fixed_size + (uint32_t)(rand_r(&seed) % 400), j;
			unsigned char *copy;

			header(rec, &l, (uint32_t)rand_r(&seed));
			for (j = l.fixed_size; j < size; j++)
				rec[j] = (unsigned char)(rand_r(&seed) % 4 == 0 ? (uint32_t)rand_r(&seed) : j % 9);
			set_size(rec, size);
			copy = malloc(size);
			ASSERT(copy);
			memcpy(copy, rec, size);
			(void)decode_record(&l, &st, copy, size, &ev, err, sizeof(err));
			free(copy);
		}
	}

	decode_state_release(&pst);
	layout_release(&plain);
	decode_state_release(&st);
	layout_release(&l);
	return test_finish("test_process_context");
}
