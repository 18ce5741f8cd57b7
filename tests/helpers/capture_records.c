/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Captures records as the generated programs write them, for tests/unit/test_decode_fixtures:
 *
 *   sudo build/tests/capture_records tests/data/records
 *
 * traces mkdir, connect, accept4 and execve with the default storage and output (a BPF ring
 * buffer), makes known calls of each, and writes every record of this process and its
 * children raw to OUTDIR/NAME.rec, read from the ring before the library's own reader could,
 * together with the format files of the running kernel it was produced under
 * (OUTDIR/formats/events/syscalls/..., OUTDIR/formats/KERNEL_RELEASE). The calls made are
 * the ones test_decode_fixtures.c expects; change both together.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>

#include <ebpfpub/ebpfpub.h>

#define FIXTURE_DIR "/tmp/ebpfpub-fixture"
#define FIXTURE_SOCK "/tmp/ebpfpub-fixture.sock"
#define LISTEN_PORT 47110
#define CLIENT_PORT 47111

static const char *const syscalls[] = { "mkdir", "connect", "accept4", "execve" };

static const char *outdir;
static const char *step;      /* name of the records being captured; NULL: discard */
static int step_records;
static pid_t child;

static void fail(const char *what)
{
	fprintf(stderr, "capture_records: %s: %s\n", what, strerror(errno));
	exit(1);
}

static int on_event(void *ctx, const struct ebpfpub_event *ev)
{
	(void)ctx;
	(void)ev;
	return 0;
}

static int save(void *ctx, void *data, size_t size)
{
	uint64_t pid_tgid;
	uint32_t tgid;
	char path[4096];
	FILE *f;

	(void)ctx;
	if (size < 32)
		return 0;
	memcpy(&pid_tgid, (const char *)data + 24, 8);
	tgid = (uint32_t)(pid_tgid >> 32);
	if (!step || (tgid != (uint32_t)getpid() && tgid != (uint32_t)child))
		return 0;
	if (step_records++)
		snprintf(path, sizeof(path), "%s/%s-%d.rec", outdir, step, step_records);
	else
		snprintf(path, sizeof(path), "%s/%s.rec", outdir, step);
	f = fopen(path, "we");
	if (!f || fwrite(data, 1, size, f) != size || fclose(f))
		fail(path);
	printf("%s: %zu bytes\n", path, size);
	return 0;
}

/* The tracer's ring buffer, found among this process's fds (the library does not hand it
 * out): records are read here, raw, and the tracer never polls. */
static int find_ring(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int found = -1;

	if (!d)
		fail("/proc/self/fd");
	while ((e = readdir(d))) {
		struct bpf_map_info info;
		__u32 len = sizeof(info);
		int fd = atoi(e->d_name);

		memset(&info, 0, sizeof(info));
		if (e->d_name[0] != '.' && !bpf_obj_get_info_by_fd(fd, &info, &len) &&
		    info.type == BPF_MAP_TYPE_RINGBUF)
			found = fd;
	}
	closedir(d);
	if (found < 0) {
		errno = ENOENT;
		fail("no BPF ring buffer among the tracer's fds");
	}
	return found;
}

static void copy_format(const char *event)
{
	char src[512], dst[4096], buf[65536];
	size_t n;
	FILE *in, *out;

	snprintf(src, sizeof(src), "/sys/kernel/tracing/events/syscalls/%s/format", event);
	snprintf(dst, sizeof(dst), "%s/formats/events/syscalls/%s", outdir, event);
	if (mkdir(dst, 0755) && errno != EEXIST)
		fail(dst);
	strncat(dst, "/format", sizeof(dst) - strlen(dst) - 1);
	in = fopen(src, "re");
	if (!in)
		fail(src);
	n = fread(buf, 1, sizeof(buf), in);
	fclose(in);
	out = fopen(dst, "we");
	if (!out || fwrite(buf, 1, n, out) != n || fclose(out))
		fail(dst);
}

static void copy_formats(void)
{
	char path[4096];
	struct utsname u;
	size_t i;
	FILE *f;

	snprintf(path, sizeof(path), "%s/formats", outdir);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/formats/events", outdir);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/formats/events/syscalls", outdir);
	if (mkdir(path, 0755) && errno != EEXIST)
		fail(path);
	for (i = 0; i < sizeof(syscalls) / sizeof(syscalls[0]); i++) {
		char event[64];

		snprintf(event, sizeof(event), "sys_enter_%s", syscalls[i]);
		copy_format(event);
		snprintf(event, sizeof(event), "sys_exit_%s", syscalls[i]);
		copy_format(event);
	}
	uname(&u);
	snprintf(path, sizeof(path), "%s/formats/KERNEL_RELEASE", outdir);
	f = fopen(path, "we");
	if (!f || fprintf(f, "%s\n", u.release) < 0 || fclose(f))
		fail(path);
}

/* Records made from here on are saved as NAME; consumes what came before. */
static void begin(struct ring_buffer *rb, const char *name)
{
	ring_buffer__consume(rb);
	step = name;
	step_records = 0;
}

static void end(struct ring_buffer *rb)
{
	/* The exit program wrote the record before the call returned. */
	ring_buffer__consume(rb);
	if (step && !step_records) {
		errno = ENODATA;
		fail(step);
	}
	step = NULL;
}

static struct sockaddr_in loopback(int port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(port) };

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return sin;
}

static void exec_child(struct ring_buffer *rb, const char *name, const char *file,
		       char *const argv[])
{
	static char *const envp[] = { "EBPFPUB_FIXTURE=1", NULL };
	int status;

	begin(rb, name);
	child = fork();
	if (child < 0)
		fail("fork");
	if (child == 0) {
		execve(file, argv, envp);
		_exit(errno == ENOENT ? 3 : 4);
	}
	if (waitpid(child, &status, 0) != child)
		fail("waitpid");
	end(rb);
	child = 0;
}

static void calls(struct ring_buffer *rb)
{
	static char *const true_argv[] = { "true", "fixture", "", "a b", NULL };
	static char *const missing_argv[] = { "missing", "-x", NULL };
	struct sockaddr_in listen_at = loopback(LISTEN_PORT), client_at = loopback(CLIENT_PORT);
	struct sockaddr_in refused = loopback(9), peer;
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	socklen_t peer_len = sizeof(peer);
	int one = 1, lfd, cfd, afd;

	rmdir(FIXTURE_DIR);
	begin(rb, "mkdir");
	if (mkdir(FIXTURE_DIR, 0750))
		fail("mkdir");
	end(rb);
	begin(rb, "mkdir-eexist");
	if (mkdir(FIXTURE_DIR, 0750) == 0 || errno != EEXIST)
		fail("mkdir again");
	end(rb);
	rmdir(FIXTURE_DIR);

	cfd = socket(AF_INET, SOCK_STREAM, 0);
	begin(rb, "connect-refused");
	if (connect(cfd, (struct sockaddr *)&refused, sizeof(refused)) == 0 ||
	    errno != ECONNREFUSED)
		fail("connect to port 9");
	end(rb);
	close(cfd);
	cfd = socket(AF_UNIX, SOCK_STREAM, 0);
	strcpy(sun.sun_path, FIXTURE_SOCK);
	unlink(FIXTURE_SOCK);
	begin(rb, "connect-unix");
	if (connect(cfd, (struct sockaddr *)&sun, sizeof(sun)) == 0 || errno != ENOENT)
		fail("connect to " FIXTURE_SOCK);
	end(rb);
	close(cfd);

	lfd = socket(AF_INET, SOCK_STREAM, 0);
	cfd = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	setsockopt(cfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(lfd, (struct sockaddr *)&listen_at, sizeof(listen_at)) || listen(lfd, 1) ||
	    bind(cfd, (struct sockaddr *)&client_at, sizeof(client_at)))
		fail("listen on 127.0.0.1:47110");
	begin(rb, "connect-inet");
	if (connect(cfd, (struct sockaddr *)&listen_at, sizeof(listen_at)))
		fail("connect to 127.0.0.1:47110");
	end(rb);
	begin(rb, "accept4");
	afd = accept4(lfd, (struct sockaddr *)&peer, &peer_len, SOCK_CLOEXEC);
	if (afd < 0)
		fail("accept4");
	end(rb);
	close(afd);
	close(cfd);
	close(lfd);

	exec_child(rb, "execve", "/bin/true", true_argv);
	exec_child(rb, "execve-enoent", "/nonexistent/ebpfpub-fixture", missing_argv);
}

int main(int argc, char **argv)
{
	EBPFPUB_OPTS(ebpfpub_tracer_opts, opts, .callback = on_event, .trace_self = true);
	struct ebpfpub_tracer *t;
	struct ring_buffer *rb;
	size_t i;

	if (argc != 2) {
		fprintf(stderr, "usage: %s OUTDIR (as root)\n", argv[0]);
		return 2;
	}
	outdir = argv[1];
	if (ebpfpub_tracer_new(&opts, &t)) {
		fprintf(stderr, "capture_records: cannot create a tracer (root?)\n");
		return 1;
	}
	for (i = 0; i < sizeof(syscalls) / sizeof(syscalls[0]); i++)
		if (ebpfpub_tracer_add_syscall(t, syscalls[i])) {
			fprintf(stderr, "capture_records: %s\n", ebpfpub_tracer_last_error(t));
			return 1;
		}
	rb = ring_buffer__new(find_ring(), save, NULL, NULL);
	if (!rb)
		fail("ring_buffer__new");
	copy_formats();
	calls(rb);
	ring_buffer__free(rb);
	ebpfpub_tracer_free(t);
	return 0;
}
