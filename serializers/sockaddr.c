/* SPDX-License-Identifier: Apache-2.0 */
/* Socket addresses: connect and bind pass one in, accept and accept4 get the peer's back. */
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <netinet/in.h>

#include "serializer.h"

/* connect/bind: the address is an input, read at enter before the call can change memory. */
static const struct ebpfpub_capture connect_captures[] = {
	{ .arg = "uservaddr", .kind = EBPFPUB_CAPTURE_SOCKADDR, .when = EBPFPUB_AT_ENTER,
	  .size_arg = "addrlen" },
};
static const struct ebpfpub_capture bind_captures[] = {
	{ .arg = "umyaddr", .kind = EBPFPUB_CAPTURE_SOCKADDR, .when = EBPFPUB_AT_ENTER,
	  .size_arg = "addrlen" },
};
/* accept/accept4: the kernel writes the peer's address and its length; read both at exit. */
static const struct ebpfpub_capture accept_captures[] = {
	{ .arg = "upeer_sockaddr", .kind = EBPFPUB_CAPTURE_SOCKADDR, .when = EBPFPUB_AT_EXIT,
	  .size_arg = "upeer_addrlen", .size_is_pointer = true },
};

const struct ebpfpub_serializer serializer_connect = {
	.sz = sizeof(struct ebpfpub_serializer), .name = "connect",
	.captures = connect_captures, .capture_count = 1,
};
const struct ebpfpub_serializer serializer_bind = {
	.sz = sizeof(struct ebpfpub_serializer), .name = "bind",
	.captures = bind_captures, .capture_count = 1,
};
const struct ebpfpub_serializer serializer_accept = {
	.sz = sizeof(struct ebpfpub_serializer), .name = "accept",
	.captures = accept_captures, .capture_count = 1,
};
const struct ebpfpub_serializer serializer_accept4 = {
	.sz = sizeof(struct ebpfpub_serializer), .name = "accept",
	.captures = accept_captures, .capture_count = 1,
};

static uint16_t load_be16(const unsigned char *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t load_be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

uint32_t serializer_decode_sockaddr(const unsigned char *data, uint32_t len,
				    struct ebpfpub_sockaddr *out)
{
	uint32_t bad = 0;

	memset(out, 0, sizeof(*out));
	out->data.data = "";
	if (len < sizeof(sa_family_t))
		return EBPFPUB_FIELD_BAD_LENGTH;
	memcpy(&out->family, data, sizeof(sa_family_t));
	/* By default: the bytes after the family. */
	out->data.data = (const char *)data + 2;
	out->data.len = len - 2;
	switch (out->family) {
	case AF_INET:
		/* sockaddr_in: family(2) port(2, big endian) addr(4) zero(8); the kernel wants
		 * all 16 bytes. */
		if (len >= 8) {
			out->port = load_be16(data + 2);
			memcpy(out->addr, data + 4, 4);
		}
		if (len < sizeof(struct sockaddr_in))
			bad = EBPFPUB_FIELD_BAD_LENGTH;
		break;
	case AF_INET6:
		/* sockaddr_in6: family(2) port(2) flowinfo(4, big endian) addr(16) scope_id(4,
		 * host order); 24 bytes (RFC 2133, no scope id) is the least the kernel takes. */
		if (len >= 24) {
			out->port = load_be16(data + 2);
			out->flowinfo = load_be32(data + 4);
			memcpy(out->addr, data + 8, 16);
		} else {
			bad = EBPFPUB_FIELD_BAD_LENGTH;
		}
		if (len >= 28)
			memcpy(&out->scope_id, data + 24, 4);
		break;
	case AF_UNIX: {
		/* A pathname runs to its first NUL (or to the length: 108 bytes need none); an
		 * abstract name starts with NUL and runs to the length; length 2 is unnamed. */
		const char *path = (const char *)data + 2;
		uint32_t n = len - 2;

		if (n > 0 && path[0] != '\0') {
			const char *nul = memchr(path, '\0', n);

			if (nul)
				n = (uint32_t)(nul - path);
		}
		out->data.len = n;
		if (len > sizeof(struct sockaddr_un))
			bad = EBPFPUB_FIELD_BAD_LENGTH;
		break;
	}
	default:
		break;
	}
	return bad;
}
