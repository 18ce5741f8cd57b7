/* SPDX-License-Identifier: Apache-2.0 */
/* ebpftracer's rule files: the malformed files of tests/data/rules/bad each fail with the
 * exact message in expected.txt (file, line, column, the key and what is wrong), a good file
 * turns into the rules, conditions and actions it says, and directories merge their files.
 * No privilege: syscall names are checked against a fixed list. */
#include <dirent.h>
#include <signal.h>

#include "rules_yaml.h"
#include "test.h"

static char *const known[] = { "mkdir", "connect", "openat", "execve", NULL };

static const char *data_dir(void)
{
	static char dir[4096];
	const char *root = getenv("EBPFPUB_SOURCE_ROOT");

	snprintf(dir, sizeof(dir), "%s/tests/data/rules", root ? root : ".");
	return dir;
}

/* expected.txt: "FILE: MESSAGE" lines; MESSAGE starts with the file name again. */
static void test_bad_files(bool print)
{
	char path[4600], line[2048], err[2048];
	FILE *f;
	int n = 0;

	snprintf(path, sizeof(path), "%s/bad/expected.txt", data_dir());
	f = fopen(path, "r");
	ASSERT(f || print);
	if (print) {
		DIR *d;
		struct dirent *e;
		char *names[64];
		int count = 0, i;

		snprintf(path, sizeof(path), "%s/bad", data_dir());
		d = opendir(path);
		ASSERT(d);
		while ((e = readdir(d)) && count < 64)
			if (strstr(e->d_name, ".yaml"))
				names[count++] = strdup(e->d_name);
		closedir(d);
		for (i = 0; i < count; i++) {
			struct rules_yaml r;

			snprintf(path, sizeof(path), "%s/bad/%s", data_dir(), names[i]);
			ASSERT(chdir(data_dir()) == 0);
			snprintf(path, sizeof(path), "bad/%s", names[i]);
			CHECK(rules_yaml_load(path, known, &r, err, sizeof(err)) < 0);
			printf("%s\n", err);
		}
		return;
	}
	ASSERT(chdir(data_dir()) == 0);
	while (fgets(line, sizeof(line), f)) {
		char file[256];
		struct rules_yaml r;
		const char *colon = strchr(line, ':');

		line[strcspn(line, "\n")] = '\0';
		if (!colon || line[0] == '#')
			continue;
		snprintf(file, sizeof(file), "%.*s", (int)(colon - line), line);
		err[0] = '\0';
		if (rules_yaml_load(file, known, &r, err, sizeof(err)) == 0) {
			fprintf(stderr, "%s: loaded, expected: %s\n", file, line);
			test_failures++;
			rules_yaml_release(&r);
			continue;
		}
		CHECK_STR(err, line);
		n++;
	}
	fclose(f);
	CHECK(n >= 20);
}

static void test_good_file(void)
{
	struct rules_yaml r;
	char err[2048] = "", path[4200];

	snprintf(path, sizeof(path), "%s/good/rules.yaml", data_dir());
	if (rules_yaml_load(path, known, &r, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		ASSERT(0);
	}
	CHECK_INT(r.count, 5);
	CHECK_STR(r.rules[0].name, "outbound-public");
	CHECK(r.rules[0].print);
	CHECK_INT(r.rules[0].signo, 0);
	CHECK_STR(r.rules[1].name, "no-shadow");
	CHECK_INT(r.rules[1].signo, SIGKILL);
	CHECK(!r.rules[1].print);
	CHECK_STR(r.rules[2].name, "interrupt");
	CHECK_INT(r.rules[2].signo, SIGINT);
	CHECK_STR(r.rules[3].name, "notify");
	ASSERT(r.rules[3].exec_argv);
	CHECK_STR(r.rules[3].exec_argv[0], "/bin/sh");
	CHECK_STR(r.rules[3].exec_argv[1], "-c");
	CHECK_STR(r.rules[3].exec_argv[2], "cat >> /tmp/x");
	CHECK(r.rules[3].exec_argv[3] == NULL);
	CHECK_STR(r.rules[4].name, "in-containers");
	{
		/* the process conditions as the file says them, on a crafted event */
		struct ebpfpub_ancestor anc = { .comm = "sshd" };
		struct ebpfpub_process p = {
			.sz = sizeof(p), .auid = EBPFPUB_AUID_UNSET,
			.cgroup_path = "/system.slice/docker-0123abcdef.scope",
			.container_runtime = "docker", .container_id = "0123abcdef",
			.ancestor_count = 1, .ancestors = &anc,
		};
		struct ebpfpub_event ev = { .syscall = "mkdir", .process = &p };

		CHECK_INT(ebpfpub_rule_matches(r.rules[4].rule, &ev), 1);
		p.auid = 999;                           /* not unset, root or >= 1000 */
		CHECK_INT(ebpfpub_rule_matches(r.rules[4].rule, &ev), 0);
		p.auid = 0;                             /* root */
		CHECK_INT(ebpfpub_rule_matches(r.rules[4].rule, &ev), 1);
		snprintf(anc.comm, sizeof(anc.comm), "bash");
		CHECK_INT(ebpfpub_rule_matches(r.rules[4].rule, &ev), 0);
		snprintf(anc.comm, sizeof(anc.comm), "ssh");
		p.cgroup_path = "/user.slice/x";
		CHECK_INT(ebpfpub_rule_matches(r.rules[4].rule, &ev), 0);
		p.cgroup_path = "/system.slice/podman-1.scope";
		p.container_runtime = "podman";         /* but the id prefix matches */
		CHECK_INT(ebpfpub_rule_matches(r.rules[4].rule, &ev), 1);
		p.container_id = "ffff";
		CHECK_INT(ebpfpub_rule_matches(r.rules[4].rule, &ev), 0);
	}
	CHECK_INT(r.syscall_count, 3);
	CHECK_STR(r.syscalls[0], "connect");
	CHECK_STR(r.syscalls[1], "openat");
	CHECK_STR(r.syscalls[2], "mkdir");
	/* where the library's complaints about an argument point */
	{
		struct yaml_where w = rules_yaml_locate(&r.rules[1], "rule 'no-shadow': syscall 'openat' has no argument 'filename'");

		CHECK_INT(w.line, 18);
		CHECK_INT(w.column, 7);
	}
	rules_yaml_release(&r);

	/* A directory: files merged in name order; a name used twice across files fails. */
	snprintf(path, sizeof(path), "%s/dir", data_dir());
	ASSERT(rules_yaml_load(path, known, &r, err, sizeof(err)) == 0);
	CHECK_INT(r.count, 2);
	CHECK_STR(r.rules[0].name, "first");
	CHECK_STR(r.rules[1].name, "second");
	rules_yaml_release(&r);
	snprintf(path, sizeof(path), "%s/dupdir", data_dir());
	CHECK(rules_yaml_load(path, known, &r, err, sizeof(err)) < 0);
	CHECK(strstr(err, "b.yaml:1:9: rule: the name 'same' is used already (") != NULL);
	CHECK(strstr(err, "a.yaml:1:9)") != NULL);
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "--print")) {
		test_bad_files(true);
		return 0;
	}
	test_bad_files(false);
	test_good_file();
	return test_finish("test_rules_yaml");
}
