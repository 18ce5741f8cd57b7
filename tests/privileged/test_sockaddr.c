/* SPDX-License-Identifier: Apache-2.0 */
/* connect, bind, accept, accept4 of this test traced with the built-in sockaddr serializers:
 * every decoded address checked exactly, and the bad inputs (NULL, unreadable pointer, bad
 * lengths, failed accept) delivered as flagged events. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include "capture.h"

static struct cap_list events;
static struct ebpfpub_tracer *tracer;

/* The last event of SYSCALL whose `fd` argument is FD (each socket of the test has its own
 * fd; a bind that found its port taken is followed by the one that worked). */
static const struct cap_event *find_fd(const char *syscall, int fd)
{
	size_t i;

	for (i = events.count; i-- > 0;) {
		const struct cap_field *f;

		if (strcmp(events.ev[i].syscall, syscall) != 0)
			continue;
		f = cap_field(&events.ev[i], "fd");
		if (f && f->s == fd)
			return &events.ev[i];
	}
	fprintf(stderr, "no %s event for fd %d\n", syscall, fd);
	return NULL;
}

static const struct cap_field *addr_field(const struct cap_event *e)
{
	const char *name = !strcmp(e->syscall, "connect") ? "uservaddr"
			   : !strcmp(e->syscall, "bind")    ? "umyaddr"
							    : "upeer_sockaddr";
	const struct cap_field *f = cap_field(e, name);

	ASSERT(f);
	CHECK_INT(f->type, EBPFPUB_VALUE_SOCKADDR);
	return f;
}

static void check_in4(const struct cap_field *f, const char *addr, uint16_t port)
{
	struct in_addr a;

	ASSERT(inet_pton(AF_INET, addr, &a) == 1);
	CHECK_INT(f->sa.family, AF_INET);
	CHECK_INT(f->sa.port, port);
	CHECK(memcmp(f->sa.addr, &a, 4) == 0);
}

static void check_in6(const struct cap_field *f, const char *addr, uint16_t port,
		      uint32_t flowinfo, uint32_t scope_id)
{
	struct in6_addr a;

	ASSERT(inet_pton(AF_INET6, addr, &a) == 1);
	CHECK_INT(f->sa.family, AF_INET6);
	CHECK_INT(f->sa.port, port);
	CHECK(memcmp(f->sa.addr, &a, 16) == 0);
	CHECK_INT(f->sa.flowinfo, flowinfo);
	CHECK_INT(f->sa.scope_id, scope_id);
}

static uint16_t local_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	ASSERT(getsockname(fd, (struct sockaddr *)&ss, &len) == 0);
	if (ss.ss_family == AF_INET)
		return ntohs(((struct sockaddr_in *)&ss)->sin_port);
	return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
}

/* Binds FD to 127.0.0.1 on a port of our choosing: the first free one from a pid-based start. */
static uint16_t bind_chosen_port(int fd)
{
	uint16_t port = (uint16_t)(20000 + getpid() % 20000);
	int tries;

	for (tries = 0; tries < 100; tries++, port++) {
		struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(port) };

		sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0)
			return port;
		ASSERT(errno == EADDRINUSE);
	}
	ASSERT(!"no free port");
	return 0;
}

static void test_inet(void)
{
	int srv = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int cli = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int refused = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int closed = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int udp = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in sin = { .sin_family = AF_INET }, peer;
	socklen_t peer_len = sizeof(peer);
	uint16_t port, closed_port, cli_port;
	const struct cap_event *e;
	const struct cap_field *f;
	int acc;

	ASSERT(srv >= 0 && cli >= 0 && refused >= 0 && closed >= 0 && udp >= 0);
	port = bind_chosen_port(srv);
	ASSERT(listen(srv, 4) == 0);
	/* A port that is bound but not listening refuses connections. */
	closed_port = bind_chosen_port(closed);

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin.sin_port = htons(port);
	ASSERT(connect(cli, (struct sockaddr *)&sin, sizeof(sin)) == 0);
	cli_port = local_port(cli);
	acc = accept4(srv, (struct sockaddr *)&peer, &peer_len, SOCK_CLOEXEC);
	ASSERT(acc >= 0);
	sin.sin_port = htons(closed_port);
	ASSERT(connect(refused, (struct sockaddr *)&sin, sizeof(sin)) == -1 &&
	       errno == ECONNREFUSED);
	sin.sin_port = htons(53535);
	ASSERT(connect(udp, (struct sockaddr *)&sin, sizeof(sin)) == 0);

	cap_poll_until(tracer, &events, "connect", 3, 5000);
	cap_poll_until(tracer, &events, "accept4", 1, 5000);

	e = find_fd("bind", srv);
	ASSERT(e);
	CHECK_STR(e->serializer, "bind");
	CHECK_INT(e->exit_code, 0);
	CHECK_INT(e->pid, getpid());
	f = addr_field(e);
	CHECK_INT(f->flags, 0);
	check_in4(f, "127.0.0.1", port);
	CHECK_INT(f->len, sizeof(sin) - 2);
	CHECK_INT(cap_field(e, "addrlen")->s, sizeof(sin));

	e = find_fd("connect", cli);
	ASSERT(e);
	CHECK_STR(e->serializer, "connect");
	CHECK_INT(e->exit_code, 0);
	f = addr_field(e);
	CHECK_INT(f->flags, 0);
	check_in4(f, "127.0.0.1", port);

	/* accept4: the peer is the client, on its ephemeral port. */
	e = find_fd("accept4", srv);
	ASSERT(e);
	CHECK_STR(e->serializer, "accept");
	CHECK_INT(e->exit_code, acc);
	CHECK_INT(cap_field(e, "flags")->s, SOCK_CLOEXEC);
	f = addr_field(e);
	CHECK_INT(f->flags, 0);
	check_in4(f, "127.0.0.1", cli_port);
	CHECK_INT(ntohs(peer.sin_port), cli_port);

	e = find_fd("connect", refused);
	ASSERT(e);
	CHECK_INT(e->exit_code, -ECONNREFUSED);
	f = addr_field(e);
	CHECK_INT(f->flags, 0);
	check_in4(f, "127.0.0.1", closed_port);

	e = find_fd("connect", udp);
	ASSERT(e);
	CHECK_INT(e->exit_code, 0);
	check_in4(addr_field(e), "127.0.0.1", 53535);

	close(acc);
	close(srv);
	close(cli);
	close(refused);
	close(closed);
	close(udp);
}

static void test_inet6(void)
{
	int srv = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int cli = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int udp = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	struct sockaddr_in6 peer;
	socklen_t peer_len = sizeof(peer);
	const struct cap_event *e;
	const struct cap_field *f;
	uint16_t port, cli_port;
	unsigned lo = if_nametoindex("lo");
	int acc;

	if (srv < 0 && errno == EAFNOSUPPORT) {
		fprintf(stderr, "no IPv6 on this host: IPv6 checks skipped\n");
		return;
	}
	ASSERT(srv >= 0 && cli >= 0 && udp >= 0);
	if (bind(srv, (struct sockaddr *)&sin6, sizeof(sin6)) < 0) {
		ASSERT(errno == EADDRNOTAVAIL);
		fprintf(stderr, "no ::1 on this host: IPv6 checks skipped\n");
		close(srv);
		close(cli);
		close(udp);
		return;
	}
	port = local_port(srv);
	ASSERT(listen(srv, 4) == 0);
	sin6.sin6_port = htons(port);
	ASSERT(connect(cli, (struct sockaddr *)&sin6, sizeof(sin6)) == 0);
	cli_port = local_port(cli);
	acc = (int)syscall(SYS_accept, srv, (struct sockaddr *)&peer, &peer_len);
	ASSERT(acc >= 0);
	/* flowinfo and scope_id are carried as given (the kernel ignores both for ::1). */
	sin6.sin6_port = htons(4242);
	sin6.sin6_flowinfo = htonl(0x000abcde);
	sin6.sin6_scope_id = lo;
	ASSERT(connect(udp, (struct sockaddr *)&sin6, sizeof(sin6)) == 0);

	cap_poll_until(tracer, &events, "accept", 1, 5000);
	cap_poll_until(tracer, &events, "connect", 5, 5000);

	e = find_fd("bind", srv);
	ASSERT(e);
	CHECK_INT(e->exit_code, 0);
	check_in6(addr_field(e), "::1", 0, 0, 0);

	e = find_fd("connect", cli);
	ASSERT(e);
	CHECK_INT(e->exit_code, 0);
	f = addr_field(e);
	CHECK_INT(f->flags, 0);
	check_in6(f, "::1", port, 0, 0);

	e = find_fd("accept", srv);
	ASSERT(e);
	CHECK_STR(e->serializer, "accept");
	CHECK_INT(e->exit_code, acc);
	f = addr_field(e);
	CHECK_INT(f->flags, 0);
	check_in6(f, "::1", cli_port, 0, 0);
	CHECK_INT(ntohs(peer.sin6_port), cli_port);

	e = find_fd("connect", udp);
	ASSERT(e);
	CHECK_INT(e->exit_code, 0);
	f = addr_field(e);
	CHECK_INT(f->flags, 0);
	check_in6(f, "::1", 4242, 0x000abcde, lo);

	close(acc);
	close(srv);
	close(cli);
	close(udp);
}

static void test_unix(void)
{
	int srv = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int cli = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int asrv = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int acli = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_un sun = { .sun_family = AF_UNIX }, asun = { .sun_family = AF_UNIX };
	struct sockaddr_un peer;
	socklen_t peer_len = sizeof(peer), alen;
	char abstract[64];
	const struct cap_event *e;
	const struct cap_field *f;
	int acc, n;

	ASSERT(srv >= 0 && cli >= 0 && asrv >= 0 && acli >= 0);
	snprintf(sun.sun_path, sizeof(sun.sun_path), "/tmp/ebpfpub-test-sock-%d", getpid());
	unlink(sun.sun_path);
	ASSERT(bind(srv, (struct sockaddr *)&sun, sizeof(sun)) == 0);
	ASSERT(listen(srv, 4) == 0);
	ASSERT(connect(cli, (struct sockaddr *)&sun, sizeof(sun)) == 0);
	/* The client never bound: the peer address accept gets is unnamed (family only). */
	acc = accept4(srv, (struct sockaddr *)&peer, &peer_len, 0);
	ASSERT(acc >= 0);
	CHECK_INT(peer_len, sizeof(sa_family_t));

	/* An abstract name: a NUL, then bytes up to the given length (no NUL at the end). */
	n = snprintf(abstract, sizeof(abstract), "ebpfpub-abstract-%d", getpid());
	memcpy(asun.sun_path + 1, abstract, (size_t)n);
	alen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + (size_t)n);
	ASSERT(bind(asrv, (struct sockaddr *)&asun, alen) == 0);
	ASSERT(listen(asrv, 4) == 0);
	ASSERT(connect(acli, (struct sockaddr *)&asun, alen) == 0);

	cap_poll_until(tracer, &events, "connect", 7, 5000);
	cap_poll_until(tracer, &events, "accept4", 2, 5000);

	e = find_fd("connect", cli);
	ASSERT(e);
	CHECK_INT(e->exit_code, 0);
	f = addr_field(e);
	CHECK_INT(f->flags, 0);
	CHECK_INT(f->sa.family, AF_UNIX);
	CHECK_INT(f->len, strlen(sun.sun_path));
	CHECK_STR(f->sa_data, sun.sun_path);

	e = find_fd("accept4", srv);
	ASSERT(e);
	CHECK_INT(e->exit_code, acc);
	f = addr_field(e);
	CHECK_INT(f->flags, 0);
	CHECK_INT(f->sa.family, AF_UNIX);
	CHECK_INT(f->len, 0);

	e = find_fd("connect", acli);
	ASSERT(e);
	CHECK_INT(e->exit_code, 0);
	f = addr_field(e);
	CHECK_INT(f->flags, 0);
	CHECK_INT(f->sa.family, AF_UNIX);
	CHECK_INT(f->len, 1 + n);
	CHECK(f->len == 1 + (uint32_t)n && f->sa_data[0] == '\0' &&
	      memcmp(f->sa_data + 1, abstract, (size_t)n) == 0);

	e = find_fd("bind", asrv);
	ASSERT(e);
	CHECK_INT(e->exit_code, 0);
	f = addr_field(e);
	CHECK_INT(f->len, 1 + n);
	CHECK_INT(cap_field(e, "addrlen")->s, alen);

	unlink(sun.sun_path);
	close(acc);
	close(srv);
	close(cli);
	close(asrv);
	close(acli);
}

/* Bad input: each call still arrives, flagged. */
static void test_bad(void)
{
	int bogus = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int oversize = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int null = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int negative = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int shortlen = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int nonblock = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	int srv = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int cli = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_storage ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in peer;
	socklen_t peer_len = sizeof(peer);
	const struct cap_event *e;
	const struct cap_field *f;
	uint16_t port;
	int acc, acc2;

	ASSERT(bogus >= 0 && oversize >= 0 && null >= 0 && negative >= 0 && shortlen >= 0 &&
	       nonblock >= 0 && srv >= 0 && cli >= 0);
	memset(&ss, 0, sizeof(ss));
	sin->sin_family = AF_INET;
	sin->sin_port = htons(9);
	sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);

	ASSERT(connect(bogus, (struct sockaddr *)1, sizeof(*sin)) == -1 && errno == EFAULT);
	ASSERT(connect(oversize, (struct sockaddr *)&ss, 4096) == -1 && errno == EINVAL);
	ASSERT(connect(null, NULL, sizeof(*sin)) == -1);
	ASSERT(syscall(SYS_connect, negative, (struct sockaddr *)&ss, -1) == -1 && errno == EINVAL);
	ASSERT(connect(shortlen, (struct sockaddr *)&ss, 8) == -1 && errno == EINVAL);
	/* accept without an address, then a failing accept (nothing to accept: EAGAIN). */
	port = bind_chosen_port(srv);
	ASSERT(listen(srv, 4) == 0);
	sin->sin_port = htons(port);
	ASSERT(connect(cli, (struct sockaddr *)&ss, sizeof(*sin)) == 0);
	acc = (int)syscall(SYS_accept, srv, NULL, NULL);
	ASSERT(acc >= 0);
	ASSERT(bind_chosen_port(nonblock) > 0);
	ASSERT(listen(nonblock, 1) == 0);
	acc2 = accept4(nonblock, (struct sockaddr *)&peer, &peer_len, 0);
	ASSERT(acc2 == -1 && errno == EAGAIN);

	cap_poll_until(tracer, &events, "connect", 13, 5000);
	cap_poll_until(tracer, &events, "accept4", 3, 5000);

	e = find_fd("connect", bogus);
	ASSERT(e);
	CHECK_INT(e->exit_code, -EFAULT);
	f = addr_field(e);
	CHECK_INT(f->flags, EBPFPUB_FIELD_UNREADABLE);
	CHECK_INT(f->sa.family, 0);
	CHECK(e->probe_error & EBPFPUB_PROBE_ERROR_READ);

	e = find_fd("connect", oversize);
	ASSERT(e);
	CHECK_INT(e->exit_code, -EINVAL);
	CHECK_INT(cap_field(e, "addrlen")->s, 4096);
	f = addr_field(e);
	CHECK_INT(f->flags, EBPFPUB_FIELD_BAD_LENGTH);
	/* The first 128 bytes were read all the same. */
	check_in4(f, "127.0.0.1", 9);
	CHECK_INT(f->len, 126);

	e = find_fd("connect", null);
	ASSERT(e);
	CHECK_INT(e->exit_code, -EFAULT);
	f = addr_field(e);
	CHECK_INT(f->flags, EBPFPUB_FIELD_NULL);

	e = find_fd("connect", negative);
	ASSERT(e);
	CHECK_INT(e->exit_code, -EINVAL);
	CHECK_INT(cap_field(e, "addrlen")->s, -1);
	f = addr_field(e);
	CHECK_INT(f->flags, EBPFPUB_FIELD_BAD_LENGTH);
	CHECK_INT(f->sa.family, 0);

	/* 8 bytes: enough for the port and address, too short for the kernel. */
	e = find_fd("connect", shortlen);
	ASSERT(e);
	CHECK_INT(e->exit_code, -EINVAL);
	f = addr_field(e);
	CHECK_INT(f->flags, EBPFPUB_FIELD_BAD_LENGTH);
	check_in4(f, "127.0.0.1", 9);
	CHECK_INT(f->len, 6);

	e = find_fd("accept", srv);
	ASSERT(e);
	CHECK_INT(e->exit_code, acc);
	f = addr_field(e);
	CHECK_INT(f->flags, EBPFPUB_FIELD_NULL);

	e = find_fd("accept4", nonblock);
	ASSERT(e);
	CHECK_INT(e->exit_code, -EAGAIN);
	f = addr_field(e);
	CHECK_INT(f->flags, EBPFPUB_FIELD_NOT_CAPTURED);

	close(acc);
	close(bogus);
	close(oversize);
	close(null);
	close(negative);
	close(shortlen);
	close(nonblock);
	close(srv);
	close(cli);
}

int main(void)
{
	static const char *const names[] = { "connect", "bind", "accept", "accept4" };

	test_require_root();
	tracer = cap_tracer(&events, names, 4);
	CHECK_STR(ebpfpub_tracer_serializer_name(tracer, "connect"), "connect");
	CHECK_STR(ebpfpub_tracer_serializer_name(tracer, "accept4"), "accept");
	CHECK_STR(ebpfpub_tracer_serializer_name(tracer, "sendto"), "generic");

	test_inet();
	test_inet6();
	test_unix();
	test_bad();
	{
		EBPFPUB_OPTS(ebpfpub_tracer_stats, st);

		ASSERT(ebpfpub_tracer_stats(tracer, &st) == 0);
		CHECK_INT(st.lost, 0);
		CHECK_INT(st.malformed, 0);
		CHECK_INT(st.exit_without_enter, 0);
	}
	ebpfpub_tracer_free(tracer);
	cap_clear(&events);
	free(events.ev);
	return test_finish("test_sockaddr");
}
