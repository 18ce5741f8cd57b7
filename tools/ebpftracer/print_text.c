/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The text printer, in the shape of the original ebpftracer:
 *
 *   timestamp: 37212737042046 process_id: 82848 thread_id: 82848 user_id: 1000 ...
 *   syscall: mkdir pathname: 'tob_<3' mode: 511
 *
 * followed by an empty line. Arguments come in the syscall's own order; every value is
 * printed by its type, and every byte that came from user memory goes through escape_text().
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <sys/socket.h>

#include "escape.h"
#include "printer.h"

static void print_quoted(FILE *out, const char *data, uint32_t len, bool truncated)
{
	putc('\'', out);
	escape_text(out, data, len);
	putc('\'', out);
	if (truncated)
		fputs("...(truncated)", out);
}

static void print_sockaddr(FILE *out, const struct ebpfpub_sockaddr *sa)
{
	char addr[INET6_ADDRSTRLEN];

	/* data.len is what followed the family: a short address is shown raw, not guessed. */
	switch (sa->family) {
	case AF_INET:
		if (sa->data.len < 6 || !inet_ntop(AF_INET, sa->addr, addr, sizeof(addr)))
			break;
		fprintf(out, "%s:%u", addr, sa->port);
		return;
	case AF_INET6:
		if (sa->data.len < 22 || !inet_ntop(AF_INET6, sa->addr, addr, sizeof(addr)))
			break;
		if (sa->scope_id)
			fprintf(out, "[%s%%%u]:%u", addr, sa->scope_id, sa->port);
		else
			fprintf(out, "[%s]:%u", addr, sa->port);
		return;
	case AF_UNIX:
		if (!sa->data.len) {
			fputs("unix:(unnamed)", out);
		} else if (sa->data.data[0] == '\0') {
			fputs("unix:@", out);
			escape_text(out, sa->data.data + 1, sa->data.len - 1);
		} else {
			fputs("unix:", out);
			escape_text(out, sa->data.data, sa->data.len);
		}
		return;
	}
	fprintf(out, "family=%u bytes=", sa->family);
	if (sa->data.len)
		escape_hex(out, sa->data.data, sa->data.len);
}

static void print_argv(FILE *out, const struct ebpfpub_field *f)
{
	const struct ebpfpub_argv *argv = &f->value.argv;
	bool more = f->flags & EBPFPUB_FIELD_TRUNCATED;
	uint32_t i;

	putc('[', out);
	for (i = 0; i < argv->count; i++) {
		uint32_t flags = argv->arg_flags[i];

		if (i)
			fputs(", ", out);
		if (flags & EBPFPUB_FIELD_UNREADABLE)
			fputs("<unreadable>", out);
		else
			print_quoted(out, argv->args[i].data, argv->args[i].len,
				     flags & EBPFPUB_FIELD_TRUNCATED);
		if (flags & EBPFPUB_FIELD_TRUNCATED)
			more = false;
	}
	/* The field is flagged truncated when an argument was cut (marked above) or when
	 * arguments past the last captured one were left out (marked here). */
	if (more)
		fputs(argv->count ? ", ...(truncated)" : "...(truncated)", out);
	putc(']', out);
}

static void print_value(FILE *out, const struct ebpfpub_field *f)
{
	static const char *const missing[] = {
		[PRINTER_NULL] = "<NULL>",
		[PRINTER_UNREADABLE] = "<unreadable>",
		[PRINTER_NOT_CAPTURED] = "<not captured>",
		[PRINTER_BAD_LENGTH] = "<bad length>",
	};
	enum printer_missing why = printer_field_missing(f);
	bool truncated = f->flags & EBPFPUB_FIELD_TRUNCATED;

	if (why != PRINTER_HAS_VALUE) {
		fputs(missing[why], out);
		return;
	}
	switch (f->type) {
	case EBPFPUB_VALUE_SIGNED:
		fprintf(out, "%" PRId64, f->value.s);
		break;
	case EBPFPUB_VALUE_UNSIGNED:
		fprintf(out, "%" PRIu64, f->value.u);
		break;
	case EBPFPUB_VALUE_POINTER:
		fprintf(out, "0x%" PRIx64, f->value.u);
		break;
	case EBPFPUB_VALUE_STRING:
		print_quoted(out, f->value.bytes.data, f->value.bytes.len, truncated);
		break;
	case EBPFPUB_VALUE_BYTES:
		fputs("hex:", out);
		escape_hex(out, f->value.bytes.data, f->value.bytes.len);
		if (truncated)
			fputs("...(truncated)", out);
		break;
	case EBPFPUB_VALUE_SOCKADDR:
		print_sockaddr(out, &f->value.sockaddr);
		if (truncated)
			fputs("...(truncated)", out);
		break;
	case EBPFPUB_VALUE_ARGV:
		print_argv(out, f);
		break;
	default:
		/* A type newer than this tool: the register value is still meaningful. */
		fprintf(out, "<type %d> 0x%" PRIx64, (int)f->type, f->raw);
		break;
	}
}

void print_text_event(FILE *out, const struct ebpfpub_event *e)
{
	size_t i;

	fprintf(out,
		"timestamp: %" PRIu64 " process_id: %" PRIu32 " thread_id: %" PRIu32
		" user_id: %" PRIu32 " group_id: %" PRIu32 " exit_code: %" PRId64
		" probe_error: %" PRIu32 "\n",
		e->timestamp_ns, e->pid, e->tid, e->uid, e->gid, e->exit_code, e->probe_error);
	fprintf(out, "syscall: %s", e->syscall);
	for (i = 0; i < e->field_count; i++) {
		fprintf(out, " %s: ", e->fields[i].name);
		print_value(out, &e->fields[i]);
	}
	fputs("\n\n", out);
}
