/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The feature check's kernel probes against the running kernel: what a probe calls present
 * must load as a real program using it, and what it calls missing must not; helpers that
 * tracepoint programs cannot call must be found missing.
 */
#include "test.h"

#include <ebpfpub/ebpfpub.h>

#include "feature_probes.h"

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <linux/bpf.h>
#include <linux/btf.h>

#define INSN(c, d, s, o, i) { .code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i) }
#define MOV_IMM(d, i) INSN(BPF_ALU64 | BPF_MOV | BPF_K, d, 0, 0, i)
#define CALL(id) INSN(BPF_JMP | BPF_CALL, 0, 0, 0, id)
#define EXIT INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* A helper id past any kernel's list. */
#define NO_SUCH_HELPER 100000

static char verifier_log[65536];

/* Whether the program loads as a tracepoint program; the verifier's log is kept. */
static bool loads(const char *what, const struct bpf_insn *insns, size_t count)
{
	LIBBPF_OPTS(bpf_prog_load_opts, opts, .log_buf = verifier_log,
		    .log_size = sizeof(verifier_log), .log_level = 1);
	int fd;

	verifier_log[0] = '\0';
	fd = bpf_prog_load(BPF_PROG_TYPE_TRACEPOINT, what, "GPL", insns, count, &opts);
	if (fd < 0) {
		fprintf(stderr, "%s does not load: %s\n%s\n", what, strerror(errno), verifier_log);
		return false;
	}
	close(fd);
	return true;
}

static enum ebpfpub_feature_state state_of(bool present)
{
	return present ? EBPFPUB_FEATURE_YES : EBPFPUB_FEATURE_NO;
}

/* BTF naming the two functions of the bpf_loop program: the verifier wants func_info for
 * a program with a callback. Both are "int f(int)"; static ones are not checked further. */
static int loop_btf(struct btf **out, uint32_t *main_id, uint32_t *cb_id)
{
	struct btf *btf = btf__new_empty();
	int int_id, proto;

	if (!btf)
		return -errno;
	int_id = btf__add_int(btf, "int", 4, BTF_INT_SIGNED);
	proto = btf__add_func_proto(btf, int_id);
	if (int_id < 0 || proto < 0 || btf__add_func_param(btf, "x", int_id) < 0)
		goto err;
	*main_id = (uint32_t)btf__add_func(btf, "prog", BTF_FUNC_STATIC, proto);
	*cb_id = (uint32_t)btf__add_func(btf, "callback", BTF_FUNC_STATIC, proto);
	if ((int)*main_id < 0 || (int)*cb_id < 0 || btf__load_into_kernel(btf) < 0)
		goto err;
	*out = btf;
	return 0;
err:
	btf__free(btf);
	return -EINVAL;
}

/* bpf_loop(3, callback, NULL, 0) with a callback that returns 0 (go on). */
static bool bpf_loop_loads(void)
{
	const struct bpf_insn insns[] = {
		MOV_IMM(BPF_REG_1, 3),
		/* r2 = &callback: a pseudo-func ld_imm64, its imm relative to the next insn. */
		INSN(BPF_LD | BPF_DW | BPF_IMM, BPF_REG_2, BPF_PSEUDO_FUNC, 0, 6),
		INSN(0, 0, 0, 0, 0),
		MOV_IMM(BPF_REG_3, 0),
		MOV_IMM(BPF_REG_4, 0),
		CALL(BPF_FUNC_loop),
		MOV_IMM(BPF_REG_0, 0),
		EXIT,
		MOV_IMM(BPF_REG_0, 0), /* the callback, insn 8 */
		EXIT,
	};
	struct bpf_func_info funcs[2] = { { .insn_off = 0 }, { .insn_off = 8 } };
	LIBBPF_OPTS(bpf_prog_load_opts, opts, .log_buf = verifier_log,
		    .log_size = sizeof(verifier_log), .log_level = 1, .func_info = funcs,
		    .func_info_cnt = 2, .func_info_rec_size = sizeof(funcs[0]));
	struct btf *btf = NULL;
	int fd;

	ASSERT(loop_btf(&btf, &funcs[0].type_id, &funcs[1].type_id) == 0);
	opts.prog_btf_fd = btf__fd(btf);
	verifier_log[0] = '\0';
	fd = bpf_prog_load(BPF_PROG_TYPE_TRACEPOINT, "bpf_loop", "GPL", insns, COUNT(insns),
			   &opts);
	btf__free(btf);
	if (fd < 0) {
		fprintf(stderr, "bpf_loop does not load: %s\n%s\n", strerror(errno), verifier_log);
		return false;
	}
	close(fd);
	return true;
}

/* r1 = 16; do r1 -= 1; while (r1 != 0): another shape than the probe's loop. */
static bool countdown_loads(void)
{
	const struct bpf_insn insns[] = {
		MOV_IMM(BPF_REG_1, 16),
		INSN(BPF_ALU64 | BPF_SUB | BPF_K, BPF_REG_1, 0, 0, 1),
		INSN(BPF_JMP | BPF_JNE | BPF_K, BPF_REG_1, 0, -2, 0),
		MOV_IMM(BPF_REG_0, 0),
		EXIT,
	};

	return loads("countdown", insns, COUNT(insns));
}

/* HELPER(r10 - 8, 8, NULL): how the programs read user and kernel memory. */
static bool probe_read_loads(int helper)
{
	const struct bpf_insn insns[] = {
		INSN(BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_1, BPF_REG_10, 0, 0),
		INSN(BPF_ALU64 | BPF_ADD | BPF_K, BPF_REG_1, 0, 0, -8),
		MOV_IMM(BPF_REG_2, 8),
		MOV_IMM(BPF_REG_3, 0),
		CALL(helper),
		MOV_IMM(BPF_REG_0, 0),
		EXIT,
	};

	return loads("probe_read", insns, COUNT(insns));
}

/* A helper taking one scalar (bpf_send_signal(0)) or none (bpf_get_current_task_btf()). */
static bool scalar_call_loads(const char *what, int helper)
{
	const struct bpf_insn insns[] = {
		MOV_IMM(BPF_REG_1, 0),
		CALL(helper),
		MOV_IMM(BPF_REG_0, 0),
		EXIT,
	};

	return loads(what, insns, COUNT(insns));
}

static void check_helper_probe(void)
{
	CHECK_INT(features_probe_helper(BPF_FUNC_map_lookup_elem), EBPFPUB_FEATURE_YES);
	CHECK_INT(features_probe_helper(BPF_FUNC_ktime_get_ns), EBPFPUB_FEATURE_YES);
	/* Known to the kernel, but only for BPF_PROG_TYPE_SYSCALL programs. */
	CHECK_INT(features_probe_helper(BPF_FUNC_sys_bpf), EBPFPUB_FEATURE_NO);
	CHECK_INT(features_probe_helper(NO_SUCH_HELPER), EBPFPUB_FEATURE_NO);
}

static void check_ringbuf(const struct ebpfpub_features *f)
{
	int fd = bpf_map_create(BPF_MAP_TYPE_RINGBUF, "test_ringbuf", 0, 0,
				(uint32_t)sysconf(_SC_PAGESIZE) * 16, NULL);

	CHECK_INT(f->ring_buffer, state_of(fd >= 0));
	CHECK_INT(features_have_ringbuf(), fd >= 0);
	if (fd >= 0)
		close(fd);
}

int main(void)
{
	EBPFPUB_OPTS(ebpfpub_features, f);
	char report[4096];

	test_require_root();
	ASSERT(ebpfpub_features_probe(NULL, NULL, 0, &f) == 0);
	ASSERT(ebpfpub_features_describe(&f, report, sizeof(report)) > 0);
	printf("%s", report);

	check_helper_probe();
	check_ringbuf(&f);
	CHECK_INT(f.probe_read_user_kernel,
		  state_of(probe_read_loads(BPF_FUNC_probe_read_user) &&
			   probe_read_loads(BPF_FUNC_probe_read_kernel)));
	CHECK_INT(f.bounded_loops, state_of(countdown_loads()));
	CHECK_INT(f.bpf_loop, state_of(bpf_loop_loads()));
	CHECK_INT(f.send_signal, state_of(scalar_call_loads("send_signal", BPF_FUNC_send_signal)));
	CHECK_INT(f.current_task_btf,
		  state_of(scalar_call_loads("task_btf", BPF_FUNC_get_current_task_btf)));
	/* As root every probe gets an answer. */
	CHECK(f.task_storage != EBPFPUB_FEATURE_UNKNOWN);
	CHECK(f.cgroup2 != EBPFPUB_FEATURE_UNKNOWN);
	CHECK(f.audit_loginuid != EBPFPUB_FEATURE_UNKNOWN);
	if (test_failures && verifier_log[0])
		fprintf(stderr, "last verifier log:\n%s\n", verifier_log);
	ebpfpub_features_release(&f);
	return test_finish("test_feature_probes");
}
