/* SPDX-License-Identifier: Apache-2.0 */
/* The control-flow rule of verifiers before Linux 6.3 (6.1 is Debian 12's kernel): a loop's
 * back-edge, found by a depth-first walk that takes the fall-through before the branch, must
 * leave a jump instruction. An ordinary instruction or a helper call that falls through into
 * an instruction still on the walk's path is refused with "back-edge from insn T to W". The
 * newer verifier of the build machine accepts it, so the generated code is checked here. */
#ifndef EBPFPUB_TESTS_BPF_CFG_H
#define EBPFPUB_TESTS_BPF_CFG_H

#include <stdbool.h>
#include <stdlib.h>

#include <linux/bpf.h>

/* Successor NTH (0: fall-through, 1: branch) of instruction T, or -1; *JUMP says whether the
 * edge leaves a jump instruction. */
static int bpf_cfg_successor(const struct bpf_insn *insns, int t, int nth, bool *jump)
{
	const struct bpf_insn *in = &insns[t];
	int cls = BPF_CLASS(in->code), op = BPF_OP(in->code);

	*jump = false;
	if (in->code == (BPF_LD | BPF_IMM | BPF_DW))
		return nth == 0 ? t + 2 : -1;
	if (cls != BPF_JMP && cls != BPF_JMP32)
		return nth == 0 ? t + 1 : -1;
	if (op == BPF_EXIT)
		return -1;
	if (op == BPF_CALL)
		return nth == 0 ? t + 1 : -1;
	*jump = true;
	if (op == BPF_JA)
		return nth == 0 ? t + in->off + 1 : -1;
	return nth == 0 ? t + 1 : nth == 1 ? t + in->off + 1 : -1;
}

/* Returns true when the program passes the rule; else *FROM and *TO name the refused edge. */
static bool bpf_cfg_old_verifier_ok(const void *prog, size_t count, int *from, int *to)
{
	const struct bpf_insn *insns = prog;
	/* state: 0 unseen, 1 on the path, 2 done; next: the successor to try next */
	unsigned char *state = calloc(count, 1), *next = calloc(count, 1);
	int *path = calloc(count, sizeof(*path)), depth = 0;
	bool ok = true;

	if (!state || !next || !path || count == 0)
		ok = false;
	else {
		path[depth++] = 0;
		state[0] = 1;
	}
	while (ok && depth > 0) {
		int t = path[depth - 1], w;
		bool jump;

		if (next[t] > 1) {
			state[t] = 2;
			depth--;
			continue;
		}
		w = bpf_cfg_successor(insns, t, next[t]++, &jump);
		if (w < 0)
			continue;
		if (w >= (int)count) {
			ok = false;
			*from = t;
			*to = w;
		} else if (state[w] == 0) {
			state[w] = 1;
			path[depth++] = w;
		} else if (state[w] == 1 && !jump) {
			ok = false;
			*from = t;
			*to = w;
		}
	}
	free(state);
	free(next);
	free(path);
	return ok;
}

#endif
