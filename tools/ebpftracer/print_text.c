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
#include <sys/socket.h>

#include "escape.h"
#include "print_process.h"
#include "printer.h"

static void print_truncated(struct outbuf *out, bool truncated)
{
	if (truncated)
		outbuf_lit(out, "...(truncated)");
}

static void print_quoted(struct outbuf *out, const char *data, uint32_t len, bool truncated)
{
	char *d = outbuf_reserve(out, size_add(escape_text_max(len), 16));

	if (!d)
		return;
	*d++ = '\'';
	d = escape_text_at(d, data, len);
	*d++ = '\'';
	if (truncated)
		d = fmt_lit(d, "...(truncated)");
	outbuf_commit(out, d);
}

static void print_sockaddr(struct outbuf *out, const struct ebpfpub_sockaddr *sa)
{
	char addr[INET6_ADDRSTRLEN];

	/* data.len is what followed the family: a short address is shown raw, not guessed. */
	switch (sa->family) {
	case AF_INET:
		if (sa->data.len < 6 || !inet_ntop(AF_INET, sa->addr, addr, sizeof(addr)))
			break;
		outbuf_puts(out, addr);
		outbuf_putc(out, ':');
		outbuf_u64(out, sa->port);
		return;
	case AF_INET6:
		if (sa->data.len < 22 || !inet_ntop(AF_INET6, sa->addr, addr, sizeof(addr)))
			break;
		outbuf_putc(out, '[');
		outbuf_puts(out, addr);
		if (sa->scope_id) {
			outbuf_putc(out, '%');
			outbuf_u64(out, sa->scope_id);
		}
		outbuf_lit(out, "]:");
		outbuf_u64(out, sa->port);
		return;
	case AF_UNIX:
		if (!sa->data.len) {
			outbuf_lit(out, "unix:(unnamed)");
		} else if (sa->data.data[0] == '\0') {
			outbuf_lit(out, "unix:@");
			escape_text(out, sa->data.data + 1, sa->data.len - 1);
		} else {
			outbuf_lit(out, "unix:");
			escape_text(out, sa->data.data, sa->data.len);
		}
		return;
	}
	outbuf_lit(out, "family=");
	outbuf_u64(out, sa->family);
	outbuf_lit(out, " bytes=");
	if (sa->data.len)
		escape_hex(out, sa->data.data, sa->data.len);
}

static void print_argv(struct outbuf *out, const struct ebpfpub_field *f)
{
	const struct ebpfpub_argv *argv = &f->value.argv;
	bool more = f->flags & EBPFPUB_FIELD_TRUNCATED;
	uint32_t i;

	outbuf_putc(out, '[');
	for (i = 0; i < argv->count; i++) {
		uint32_t flags = argv->arg_flags[i];

		if (i)
			outbuf_lit(out, ", ");
		if (flags & EBPFPUB_FIELD_UNREADABLE)
			outbuf_lit(out, "<unreadable>");
		else
			print_quoted(out, argv->args[i].data, argv->args[i].len,
				     flags & EBPFPUB_FIELD_TRUNCATED);
		if (flags & EBPFPUB_FIELD_TRUNCATED)
			more = false;
	}
	/* The field is flagged truncated when an argument was cut (marked above) or when
	 * arguments past the last captured one were left out (marked here). */
	if (more && argv->count)
		outbuf_lit(out, ", ...(truncated)");
	else if (more)
		outbuf_lit(out, "...(truncated)");
	outbuf_putc(out, ']');
}

static void print_value(struct outbuf *out, const struct ebpfpub_field *f)
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
		outbuf_puts(out, missing[why]);
		return;
	}
	switch (f->type) {
	case EBPFPUB_VALUE_SIGNED:
		outbuf_i64(out, f->value.s);
		break;
	case EBPFPUB_VALUE_UNSIGNED:
		outbuf_u64(out, f->value.u);
		break;
	case EBPFPUB_VALUE_POINTER:
		outbuf_lit(out, "0x");
		outbuf_hex64(out, f->value.u);
		break;
	case EBPFPUB_VALUE_STRING:
		print_quoted(out, f->value.bytes.data, f->value.bytes.len, truncated);
		break;
	case EBPFPUB_VALUE_BYTES:
		outbuf_lit(out, "hex:");
		escape_hex(out, f->value.bytes.data, f->value.bytes.len);
		print_truncated(out, truncated);
		break;
	case EBPFPUB_VALUE_SOCKADDR:
		print_sockaddr(out, &f->value.sockaddr);
		print_truncated(out, truncated);
		break;
	case EBPFPUB_VALUE_ARGV:
		print_argv(out, f);
		break;
	default:
		/* A type newer than this tool: the register value is still meaningful. */
		outbuf_lit(out, "<type ");
		outbuf_i64(out, (int)f->type);
		outbuf_lit(out, "> 0x");
		outbuf_hex64(out, f->raw);
		break;
	}
}

/* Names come from tracefs and are printed as they are; glibc's printf wrote "(null)" for
 * a missing one, and so do we. */
#define NAME_SHORT 32

static void print_name(struct outbuf *out, const char *name)
{
	char *d;
	size_t i;

	if (!name)
		name = "(null)";
	/* Names are short: copied while their end is looked for, without a strlen() call. */
	d = outbuf_reserve(out, NAME_SHORT);
	if (!d)
		return;
	for (i = 0; i < NAME_SHORT; i++) {
		if (!name[i]) {
			outbuf_commit(out, d + i);
			return;
		}
		d[i] = name[i];
	}
	outbuf_puts(out, name);
}

/* The first line and "syscall: ": only numbers, so one reservation covers them. */
#define HEADER_MAX (sizeof("timestamp:  process_id:  thread_id:  user_id:  group_id: "        \
			   " exit_code:  probe_error: \nsyscall: ") - 1 + 7 * FMT_INT_MAX)

void print_text_event(struct outbuf *out, const struct ebpfpub_event *e)
{
	char *d = outbuf_reserve(out, HEADER_MAX);
	size_t i;

	if (!d)
		return;
	d = fmt_lit(d, "timestamp: ");
	d = fmt_u64(d, e->timestamp_ns);
	d = fmt_lit(d, " process_id: ");
	d = fmt_u64(d, e->pid);
	d = fmt_lit(d, " thread_id: ");
	d = fmt_u64(d, e->tid);
	d = fmt_lit(d, " user_id: ");
	d = fmt_u64(d, e->uid);
	d = fmt_lit(d, " group_id: ");
	d = fmt_u64(d, e->gid);
	d = fmt_lit(d, " exit_code: ");
	d = fmt_i64(d, e->exit_code);
	d = fmt_lit(d, " probe_error: ");
	d = fmt_u64(d, e->probe_error);
	if (e->process) {
		outbuf_commit(out, d);
		print_text_process(out, e->process);
		outbuf_putc(out, '\n');
		print_text_ancestors(out, e->process);
		outbuf_lit(out, "syscall: ");
	} else {
		d = fmt_lit(d, "\nsyscall: ");
		outbuf_commit(out, d);
	}
	print_name(out, e->syscall);
	for (i = 0; i < e->field_count; i++) {
		outbuf_putc(out, ' ');
		print_name(out, e->fields[i].name);
		outbuf_lit(out, ": ");
		print_value(out, &e->fields[i]);
	}
	/* The names of the --rules rules that matched. */
	for (i = 0; i < e->rule_count; i++) {
		outbuf_puts(out, i ? "," : " rules: ");
		print_name(out, e->rules[i]);
	}
	outbuf_lit(out, "\n\n");
}
