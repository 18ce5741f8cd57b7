/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Benchmark workload: N times socket(AF_INET, SOCK_STREAM) + connect to 127.0.0.1 + close.
 *
 *   workload_connect N [--refused]
 *
 * Default: the process listens on an ephemeral loopback port and a second thread accepts
 * and closes every connection, so each connect() succeeds (a full loopback handshake).
 * The client sets SO_LINGER {1, 0} so that close() resets the connection instead of leaving
 * it in TIME_WAIT: hundreds of thousands of connects in a benchmark run would otherwise
 * exhaust the ephemeral ports. Each iteration is thus socket + setsockopt + connect + close.
 *
 * --refused: connect to a loopback port that is bound but not listening (reserved by this
 * process, so no one else can listen there): connect() fails with ECONNREFUSED.
 *
 * Prints one line of key=value pairs; ns_per_iter is wall time (CLOCK_MONOTONIC) / N,
 * cpu_ns_per_call the process's CPU time (getrusage, user + system, both threads) / N.
 * Loopback only: nothing leaves the machine.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "workload_clock.h"

static int listen_fd = -1;
static volatile int stopping;
static uint64_t accepted;

static void *acceptor(void *arg)
{
	(void)arg;
	for (;;) {
		int fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);

		if (fd >= 0) {
			accepted++;
			close(fd);
			continue;
		}
		if (stopping || (errno != EINTR && errno != ECONNABORTED && errno != EAGAIN))
			break;
	}
	return NULL;
}

int main(int argc, char **argv)
{
	struct sockaddr_in addr;
	socklen_t len = sizeof(addr);
	pthread_t thread;
	int refused = 0, expect_errno;
	uint64_t n, i, t0, t1, c0, c1, unexpected = 0, slow = 0, worst = 0;
	char *end;

	if (argc < 2 || argc > 3 || (argc == 3 && strcmp(argv[2], "--refused") != 0)) {
		fprintf(stderr, "usage: %s N [--refused]\n", argv[0]);
		return 2;
	}
	refused = argc == 3;
	errno = 0;
	n = strtoull(argv[1], &end, 10);
	if (errno || *end || n == 0) {
		fprintf(stderr, "workload_connect: bad N '%s'\n", argv[1]);
		return 2;
	}

	listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (listen_fd < 0) {
		perror("workload_connect: socket");
		return 1;
	}
	memset(&addr, 0, sizeof(addr));
	addr.sin_family = AF_INET;
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	addr.sin_port = 0;
	if (bind(listen_fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 ||
	    getsockname(listen_fd, (struct sockaddr *)&addr, &len) < 0) {
		perror("workload_connect: bind");
		return 1;
	}
	if (!refused) {
		if (listen(listen_fd, 4096) < 0) {
			perror("workload_connect: listen");
			return 1;
		}
		if (pthread_create(&thread, NULL, acceptor, NULL) != 0) {
			fprintf(stderr, "workload_connect: pthread_create failed\n");
			return 1;
		}
	}
	expect_errno = refused ? ECONNREFUSED : 0;

	c0 = cpu_ns();
	t0 = now_ns();
	for (i = 0; i < n; i++) {
		uint64_t s = now_ns(), d;
		struct linger lg = { .l_onoff = 1, .l_linger = 0 };
		int fd = socket(AF_INET, SOCK_STREAM, 0);
		int r;

		if (fd < 0) {
			perror("workload_connect: socket");
			return 1;
		}
		if (!refused)
			setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
		r = connect(fd, (struct sockaddr *)&addr, sizeof(addr));
		if (refused ? (r == 0 || errno != expect_errno) : r != 0)
			unexpected++;
		close(fd);
		d = now_ns() - s;
		if (d > worst)
			worst = d;
		if (d > 100000000u)  /* 100 ms: a dropped SYN waits for its retransmission */
			slow++;
	}
	t1 = now_ns();
	c1 = cpu_ns();

	if (!refused) {
		stopping = 1;
		shutdown(listen_fd, SHUT_RDWR);  /* wakes the blocked accept4 */
		pthread_join(thread, NULL);
	}
	close(listen_fd);
	printf("workload=connect pid=%d mode=%s port=%u calls=%llu elapsed_ns=%llu ns_per_iter=%.1f"
	       " cpu_ns_per_call=%.1f unexpected=%llu accepted=%llu slow_iters=%llu"
	       " worst_iter_ns=%llu\n",
	       (int)getpid(), refused ? "refused" : "accept", (unsigned)ntohs(addr.sin_port),
	       (unsigned long long)n, (unsigned long long)(t1 - t0), (double)(t1 - t0) / (double)n,
	       (double)(c1 - c0) / (double)n,
	       (unsigned long long)unexpected, (unsigned long long)accepted,
	       (unsigned long long)slow, (unsigned long long)worst);
	return unexpected ? 1 : 0;
}
