/* SPDX-License-Identifier: Apache-2.0 */
/* --rules: loading into the tracer, and the print / exec actions. An exec'd command gets the
 * event as one JSON line on its stdin (a pipe that is written at once and closed: the line
 * fits the pipe, and a command that does not read cannot block tracing), EBPFTRACER_RULE in
 * its environment, and ebpftracer's stderr as its stdout. At most RULES_EXEC_MAX run at
 * once; an event that finds them all busy is dropped for that command and counted. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "printer.h"
#include "rules_run.h"

extern char **environ;

int rules_run_load(struct rules_run *rr, const char *path, const char *tracefs,
		   struct ebpfpub_tracer *tracer)
{
	char err[4096];
	char **known = NULL;
	size_t i;
	int r;

	memset(rr, 0, sizeof(*rr));
	err[0] = '\0';
	/* Unknown syscalls are told with their line; without tracefs, the tracer tells. */
	if (ebpfpub_list_syscalls(tracefs, &known) < 0)
		known = NULL;
	r = rules_yaml_load(path, known, &rr->yaml, err, sizeof(err));
	ebpfpub_strv_free(known);
	if (r < 0) {
		fprintf(stderr, "ebpftracer: %s\n", err);
		return 1;
	}
	for (i = 0; i < rr->yaml.count; i++) {
		struct tracer_rule *tr = &rr->yaml.rules[i];

		r = ebpfpub_tracer_add_rule(tracer, tr->rule);
		if (r < 0) {
			const char *msg = ebpfpub_tracer_last_error(tracer);
			struct yaml_where at = rules_yaml_locate(tr, msg);

			fprintf(stderr, "ebpftracer: %s:%u:%u: %s\n", at.file, at.line, at.column,
				msg[0] ? msg : strerror(-r));
			rules_yaml_release(&rr->yaml);
			return 1;
		}
	}
	if (outbuf_init(&rr->json, 65536) < 0) {
		fputs("ebpftracer: out of memory\n", stderr);
		rules_yaml_release(&rr->yaml);
		return 1;
	}
	rr->active = true;
	return 0;
}

static struct tracer_rule *find(struct rules_run *rr, const char *name)
{
	size_t i;

	for (i = 0; i < rr->yaml.count; i++)
		if (!strcmp(rr->yaml.rules[i].name, name))
			return &rr->yaml.rules[i];
	return NULL;
}

void rules_run_reap(struct rules_run *rr)
{
	size_t i = 0;
	int status;

	while (i < rr->running_count) {
		pid_t p = waitpid(rr->running[i], &status, WNOHANG);

		if (p == 0) {
			i++;
			continue;
		}
		if (p > 0 && (!WIFEXITED(status) || WEXITSTATUS(status) == 127))
			rr->exec_failed++;
		rr->running[i] = rr->running[--rr->running_count];
	}
}

static void run_exec(struct rules_run *rr, const struct tracer_rule *tr,
		     const struct ebpfpub_event *ev)
{
	posix_spawn_file_actions_t fa;
	char **env, var[96];
	size_t n = 0, i;
	int pipefd[2];
	pid_t pid;
	ssize_t w;
	int r;

	rules_run_reap(rr);
	if (rr->running_count == RULES_EXEC_MAX) {
		rr->exec_dropped++;
		return;
	}
	rr->json.len = 0;
	rr->json.error = 0;
	print_json_event(&rr->json, ev);
	if (rr->json.error || pipe2(pipefd, O_CLOEXEC) < 0) {
		rr->exec_dropped++;
		return;
	}
	while (environ[n])
		n++;
	env = calloc(n + 2, sizeof(*env));
	if (!env) {
		close(pipefd[0]);
		close(pipefd[1]);
		rr->exec_dropped++;
		return;
	}
	snprintf(var, sizeof(var), "EBPFTRACER_RULE=%s", tr->name);
	for (i = 0; i < n; i++)
		env[i] = environ[i];
	env[n] = var;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, pipefd[0], STDIN_FILENO);
	posix_spawn_file_actions_adddup2(&fa, STDERR_FILENO, STDOUT_FILENO);
	r = posix_spawnp(&pid, tr->exec_argv[0], &fa, NULL, tr->exec_argv, env);
	posix_spawn_file_actions_destroy(&fa);
	free(env);
	close(pipefd[0]);
	if (r != 0) {
		close(pipefd[1]);
		if (!rr->exec_failed++)
			fprintf(stderr, "ebpftracer: rule '%s': cannot run %s: %s\n", tr->name,
				tr->exec_argv[0], strerror(r));
		return;
	}
	/* A whole line or nothing would need the pipe's room: lines above it are cut (and the
	 * command sees no newline), never waited for. */
	fcntl(pipefd[1], F_SETFL, O_NONBLOCK);
	w = write(pipefd[1], rr->json.data, rr->json.len);
	if (w != (ssize_t)rr->json.len)
		rr->exec_dropped++;
	close(pipefd[1]);
	rr->running[rr->running_count++] = pid;
	rr->exec_started++;
}

bool rules_run_event(struct rules_run *rr, const struct ebpfpub_event *ev)
{
	bool print = false;
	size_t i;

	if (!rr->active || !ev->rule_count)
		return true;
	for (i = 0; i < ev->rule_count; i++) {
		struct tracer_rule *tr = find(rr, ev->rules[i]);

		if (!tr)
			continue;
		tr->matches++;
		print |= tr->print;
		if (tr->exec_argv)
			run_exec(rr, tr, ev);
	}
	return print;
}

void rules_run_summary(struct rules_run *rr, struct ebpfpub_tracer *tracer, FILE *out)
{
	EBPFPUB_OPTS(ebpfpub_tracer_stats, st);
	size_t i;

	if (!rr->active)
		return;
	if (ebpfpub_tracer_stats(tracer, &st) == 0)
		fprintf(out, "rules: %llu calls dropped in the kernel, %llu in user space\n",
			(unsigned long long)st.rules_kernel_filtered, (unsigned long long)st.filtered);
	for (i = 0; i < rr->yaml.count; i++)
		fprintf(out, "rule %s: %llu matches\n", rr->yaml.rules[i].name,
			(unsigned long long)rr->yaml.rules[i].matches);
	if (rr->exec_started || rr->exec_dropped || rr->exec_failed)
		fprintf(out, "exec: %llu started, %llu dropped (too many running or the event did not fit the pipe), %llu failed\n",
			(unsigned long long)rr->exec_started, (unsigned long long)rr->exec_dropped,
			(unsigned long long)rr->exec_failed);
}

void rules_run_finish(struct rules_run *rr)
{
	int waited;

	/* Commands still running get two seconds to end; then they are left running. */
	for (waited = 0; rr->running_count && waited < 200; waited++) {
		rules_run_reap(rr);
		if (rr->running_count)
			usleep(10000);
	}
}

void rules_run_release(struct rules_run *rr)
{
	rules_yaml_release(&rr->yaml);
	outbuf_release(&rr->json);
	rr->active = false;
}

static bool named(char *const *list, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(list[i], name))
			return true;
	return false;
}

int rules_run_reload(struct rules_run *rr, const char *path, const char *tracefs,
		     struct ebpfpub_tracer *tracer, char *const *keep, size_t keep_count)
{
	const struct ebpfpub_rule **list;
	struct rules_yaml y, old;
	char err[4096] = "";
	char **known = NULL;
	size_t i;
	int r;

	if (ebpfpub_list_syscalls(tracefs, &known) < 0)
		known = NULL;
	r = rules_yaml_load(path, known, &y, err, sizeof(err));
	ebpfpub_strv_free(known);
	if (r < 0) {
		fprintf(stderr, "ebpftracer: reloading the rules failed, the old rules stay: %s\n", err);
		return -1;
	}
	list = calloc(y.count + 1, sizeof(*list));
	if (!list) {
		rules_yaml_release(&y);
		return -1;
	}
	for (i = 0; i < y.count; i++)
		list[i] = y.rules[i].rule;
	r = ebpfpub_tracer_set_rules(tracer, list, y.count);
	free(list);
	if (r < 0) {
		const char *msg = ebpfpub_tracer_last_error(tracer);
		struct yaml_where at = y.rules[0].at;

		for (i = 0; i < y.count; i++) {
			char quoted[96];

			snprintf(quoted, sizeof(quoted), "rule '%s'", y.rules[i].name);
			if (strstr(msg, quoted)) {
				at = rules_yaml_locate(&y.rules[i], msg);
				break;
			}
		}
		fprintf(stderr, "ebpftracer: reloading the rules failed, the old rules stay: %s:%u:%u: %s\n",
			at.file, at.line, at.column, msg[0] ? msg : strerror(-r));
		rules_yaml_release(&y);
		return -1;
	}
	/* New syscalls are added (with the new rules), ones no longer named are removed. */
	for (i = 0; i < y.syscall_count; i++) {
		r = ebpfpub_tracer_add_syscall(tracer, y.syscalls[i]);
		if (r < 0 && r != -EEXIST)
			fprintf(stderr, "ebpftracer: reload: cannot trace '%s': %s\n", y.syscalls[i],
				ebpfpub_tracer_last_error(tracer));
	}
	for (i = 0; i < rr->yaml.syscall_count; i++) {
		const char *name = rr->yaml.syscalls[i];

		if (!named(y.syscalls, y.syscall_count, name) && !named(keep, keep_count, name))
			ebpfpub_tracer_remove_syscall(tracer, name);
	}
	/* The summary counts a rule's matches across reloads, by name. */
	for (i = 0; i < y.count; i++) {
		struct tracer_rule *before = find(rr, y.rules[i].name);

		if (before)
			y.rules[i].matches = before->matches;
	}
	old = rr->yaml;
	rr->yaml = y;
	rules_yaml_release(&old);
	fprintf(stderr, "ebpftracer: rules reloaded from %s: %zu rules on %zu syscalls\n", path,
		rr->yaml.count, rr->yaml.syscall_count);
	return 0;
}
