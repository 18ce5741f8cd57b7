/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The JSON printer: one object per event, on one line, for jq and log shippers.
 *
 * Every argument is an object with a "type" and a "value":
 *   signed, unsigned  "value" is a JSON number
 *   pointer           "value" is a "0x..." string (an address, not a quantity)
 *   string            "value" is a string, with "truncated"
 *   bytes             "value" is lower-case hex, with "length" and "truncated"
 *   sockaddr          "value" is {"family" ("AF_INET", "AF_INET6", "AF_UNIX" or null),
 *                     "family_number", then "address" and "port" (AF_INET, AF_INET6 with
 *                     "flowinfo" and "scope_id"), "kind" ("path", "abstract" or "unnamed")
 *                     and "path" (AF_UNIX), or "bytes" in hex (other families, and
 *                     addresses too short for their family)}, with "truncated"
 *   argv              "value" is an array of strings (null where unreadable), with
 *                     "source" ("caller" or "new_mm") and "truncated"
 * A captured argument without a value has "value": null, "error" ("null", "unreadable",
 * "not_captured" or "bad_length") and "pointer", the address it was read from.
 */
#include <arpa/inet.h>
#include <string.h>
#include <sys/socket.h>

#include "escape.h"
#include "print_process.h"
#include "printer.h"

/* Room for a quoted string of LEN bytes and EXTRA bytes more. */
static size_t string_room(size_t len, size_t extra)
{
	return size_add(escape_json_max(len), extra + 2);
}

static char *fmt_string(char *d, const char *data, size_t len)
{
	*d++ = '"';
	d = escape_json_at(d, data, len);
	*d++ = '"';
	return d;
}

static void put_string(struct outbuf *out, const char *data, size_t len)
{
	char *d = outbuf_reserve(out, string_room(len, 0));

	if (d)
		outbuf_commit(out, fmt_string(d, data, len));
}

static void put_cstring(struct outbuf *out, const char *s)
{
	char *d, *end;

	if (!s) {
		outbuf_lit(out, "null");
		return;
	}
	d = outbuf_reserve(out, ESCAPE_SHORT + 2);
	if (!d)
		return;
	end = escape_json_short(d, s);
	if (end)
		outbuf_commit(out, end);
	else
		put_string(out, s, strlen(s));
}

/* The last member of every value that can be cut, and the end of the argument. */
static char *fmt_truncated_end(char *d, bool value)
{
	if (value)
		return fmt_lit(d, ",\"truncated\":true}");
	return fmt_lit(d, ",\"truncated\":false}");
}

#define TRUNCATED_END_MAX (sizeof(",\"truncated\":false}") - 1)

static void put_truncated_end(struct outbuf *out, bool value)
{
	char *d = outbuf_reserve(out, TRUNCATED_END_MAX);

	if (d)
		outbuf_commit(out, fmt_truncated_end(d, value));
}

static const char *family_name(uint16_t family)
{
	switch (family) {
	case AF_UNIX:
		return "AF_UNIX";
	case AF_INET:
		return "AF_INET";
	case AF_INET6:
		return "AF_INET6";
	}
	return NULL;
}

/* The members after "family" and "family_number"; false when the address is too short
 * for its family (then the raw bytes are given instead). */
static bool put_sockaddr_members(struct outbuf *out, const struct ebpfpub_sockaddr *sa)
{
	char addr[INET6_ADDRSTRLEN];
	const char *kind = "path", *path = sa->data.data;
	uint32_t len = sa->data.len;

	switch (sa->family) {
	case AF_INET:
		if (len < 6 || !inet_ntop(AF_INET, sa->addr, addr, sizeof(addr)))
			return false;
		outbuf_lit(out, ",\"address\":\"");
		outbuf_puts(out, addr);
		outbuf_lit(out, "\",\"port\":");
		outbuf_u64(out, sa->port);
		return true;
	case AF_INET6:
		if (len < 22 || !inet_ntop(AF_INET6, sa->addr, addr, sizeof(addr)))
			return false;
		outbuf_lit(out, ",\"address\":\"");
		outbuf_puts(out, addr);
		outbuf_lit(out, "\",\"port\":");
		outbuf_u64(out, sa->port);
		outbuf_lit(out, ",\"flowinfo\":");
		outbuf_u64(out, sa->flowinfo);
		outbuf_lit(out, ",\"scope_id\":");
		outbuf_u64(out, sa->scope_id);
		return true;
	case AF_UNIX:
		if (!len) {
			kind = "unnamed";
		} else if (path[0] == '\0') {
			/* The leading NUL is what makes it abstract; "kind" says so instead. */
			kind = "abstract";
			path++;
			len--;
		}
		outbuf_lit(out, ",\"kind\":\"");
		outbuf_puts(out, kind);
		outbuf_lit(out, "\",\"path\":");
		put_string(out, len ? path : "", len);
		return true;
	}
	return false;
}

static void put_sockaddr(struct outbuf *out, const struct ebpfpub_sockaddr *sa)
{
	const char *name = family_name(sa->family);

	outbuf_lit(out, "{\"family\":");
	if (name) {
		outbuf_putc(out, '"');
		outbuf_puts(out, name);
		outbuf_putc(out, '"');
	} else {
		outbuf_lit(out, "null");
	}
	outbuf_lit(out, ",\"family_number\":");
	outbuf_u64(out, sa->family);
	if (!put_sockaddr_members(out, sa)) {
		outbuf_lit(out, ",\"bytes\":\"");
		if (sa->data.len)
			escape_hex(out, sa->data.data, sa->data.len);
		outbuf_putc(out, '"');
	}
	outbuf_putc(out, '}');
}

static void put_argv(struct outbuf *out, const struct ebpfpub_argv *argv)
{
	uint32_t i;

	outbuf_putc(out, '[');
	for (i = 0; i < argv->count; i++) {
		if (i)
			outbuf_putc(out, ',');
		if (argv->arg_flags[i] & EBPFPUB_FIELD_UNREADABLE)
			outbuf_lit(out, "null");
		else
			put_string(out, argv->args[i].data, argv->args[i].len);
	}
	outbuf_putc(out, ']');
}

static void put_missing(struct outbuf *out, const struct ebpfpub_field *f,
			enum printer_missing why)
{
	static const char *const reasons[] = {
		[PRINTER_NULL] = "null",
		[PRINTER_UNREADABLE] = "unreadable",
		[PRINTER_NOT_CAPTURED] = "not_captured",
		[PRINTER_BAD_LENGTH] = "bad_length",
	};

	outbuf_lit(out, "\"value\":null,\"error\":\"");
	outbuf_puts(out, reasons[why]);
	outbuf_lit(out, "\",\"pointer\":\"0x");
	outbuf_hex64(out, f->raw);
	outbuf_lit(out, "\"}");
}

struct literal {
	const char *s;
	size_t len;
};

#define LITERAL(s) { "" s, sizeof(s) - 1 }

/* What each argument starts with: its type. */
static const struct literal type_prefix[] = {
	[EBPFPUB_VALUE_SIGNED] = LITERAL("{\"type\":\"signed\","),
	[EBPFPUB_VALUE_UNSIGNED] = LITERAL("{\"type\":\"unsigned\","),
	[EBPFPUB_VALUE_POINTER] = LITERAL("{\"type\":\"pointer\","),
	[EBPFPUB_VALUE_STRING] = LITERAL("{\"type\":\"string\","),
	[EBPFPUB_VALUE_BYTES] = LITERAL("{\"type\":\"bytes\","),
	[EBPFPUB_VALUE_SOCKADDR] = LITERAL("{\"type\":\"sockaddr\","),
	[EBPFPUB_VALUE_ARGV] = LITERAL("{\"type\":\"argv\","),
};

#define TYPE_PREFIX_MAX (sizeof("{\"type\":\"sockaddr\",\"value\":") - 1)

/* An argument whose whole text has a known bound: numbers, pointers, strings. */
static void put_simple_field(struct outbuf *out, const struct ebpfpub_field *f,
			     const struct literal *prefix)
{
	size_t len = f->type == EBPFPUB_VALUE_STRING ? f->value.bytes.len : 0;
	char *d = outbuf_reserve(out, string_room(len, TYPE_PREFIX_MAX + FMT_INT_MAX + 4 +
						      TRUNCATED_END_MAX));

	if (!d)
		return;
	d = fmt_mem(d, prefix->s, prefix->len);
	d = fmt_lit(d, "\"value\":");
	switch (f->type) {
	case EBPFPUB_VALUE_SIGNED:
		d = fmt_i64(d, f->value.s);
		*d++ = '}';
		break;
	case EBPFPUB_VALUE_UNSIGNED:
		d = fmt_u64(d, f->value.u);
		*d++ = '}';
		break;
	case EBPFPUB_VALUE_POINTER:
		d = fmt_lit(d, "\"0x");
		d = fmt_hex64(d, f->value.u);
		d = fmt_lit(d, "\"}");
		break;
	default:
		d = fmt_string(d, f->value.bytes.data, f->value.bytes.len);
		d = fmt_truncated_end(d, f->flags & EBPFPUB_FIELD_TRUNCATED);
		break;
	}
	outbuf_commit(out, d);
}

static void put_field(struct outbuf *out, const struct ebpfpub_field *f)
{
	enum printer_missing why = printer_field_missing(f);
	bool truncated = f->flags & EBPFPUB_FIELD_TRUNCATED;
	const struct literal *prefix;

	if ((unsigned)f->type >= sizeof(type_prefix) / sizeof(type_prefix[0]) ||
	    !type_prefix[f->type].s) {
		/* A type newer than this tool: the register value is still meaningful. */
		outbuf_lit(out, "{\"type\":\"unknown\",\"type_number\":");
		outbuf_i64(out, (int)f->type);
		outbuf_lit(out, ",\"value\":\"0x");
		outbuf_hex64(out, f->raw);
		outbuf_lit(out, "\"}");
		return;
	}
	prefix = &type_prefix[f->type];
	if (why != PRINTER_HAS_VALUE) {
		outbuf_put(out, prefix->s, prefix->len);
		put_missing(out, f, why);
		return;
	}
	switch (f->type) {
	case EBPFPUB_VALUE_SIGNED:
	case EBPFPUB_VALUE_UNSIGNED:
	case EBPFPUB_VALUE_POINTER:
	case EBPFPUB_VALUE_STRING:
		put_simple_field(out, f, prefix);
		return;
	case EBPFPUB_VALUE_BYTES:
		outbuf_put(out, prefix->s, prefix->len);
		outbuf_lit(out, "\"value\":\"");
		escape_hex(out, f->value.bytes.data, f->value.bytes.len);
		outbuf_lit(out, "\",\"length\":");
		outbuf_u64(out, f->value.bytes.len);
		break;
	case EBPFPUB_VALUE_SOCKADDR:
		outbuf_put(out, prefix->s, prefix->len);
		outbuf_lit(out, "\"value\":");
		put_sockaddr(out, &f->value.sockaddr);
		break;
	case EBPFPUB_VALUE_ARGV:
		outbuf_put(out, prefix->s, prefix->len);
		outbuf_lit(out, "\"value\":");
		put_argv(out, &f->value.argv);
		if (f->value.argv.source == EBPFPUB_ARGV_FROM_NEW_MM)
			outbuf_lit(out, ",\"source\":\"new_mm\"");
		else
			outbuf_lit(out, ",\"source\":\"caller\"");
		break;
	}
	put_truncated_end(out, truncated);
}

/* The members up to "syscall": only numbers, so one reservation covers them. */
#define HEADER_MAX (sizeof("{\"timestamp\":,\"process_id\":,\"thread_id\":,\"user_id\":"    \
			   ",\"group_id\":,\"exit_code\":,\"probe_error\":,\"syscall\":") - 1 + \
		    7 * FMT_INT_MAX)

void print_json_event(struct outbuf *out, const struct ebpfpub_event *e)
{
	size_t i, comm_len = strnlen(e->comm, sizeof(e->comm));
	char *d = outbuf_reserve(out, HEADER_MAX);

	if (!d)
		return;
	d = fmt_lit(d, "{\"timestamp\":");
	d = fmt_u64(d, e->timestamp_ns);
	d = fmt_lit(d, ",\"process_id\":");
	d = fmt_u64(d, e->pid);
	d = fmt_lit(d, ",\"thread_id\":");
	d = fmt_u64(d, e->tid);
	d = fmt_lit(d, ",\"user_id\":");
	d = fmt_u64(d, e->uid);
	d = fmt_lit(d, ",\"group_id\":");
	d = fmt_u64(d, e->gid);
	d = fmt_lit(d, ",\"exit_code\":");
	d = fmt_i64(d, e->exit_code);
	d = fmt_lit(d, ",\"probe_error\":");
	d = fmt_u64(d, e->probe_error);
	d = fmt_lit(d, ",\"syscall\":");
	outbuf_commit(out, d);
	put_cstring(out, e->syscall);
	outbuf_lit(out, ",\"serializer\":");
	put_cstring(out, e->serializer);

	d = outbuf_reserve(out, string_room(comm_len, 64 + FMT_INT_MAX));
	if (!d)
		return;
	d = fmt_lit(d, ",\"comm\":");
	d = fmt_string(d, e->comm, comm_len);
	d = fmt_lit(d, ",\"duration_ns\":");
	d = fmt_u64(d, e->duration_ns);
	d = fmt_lit(d, ",\"args\":{");
	outbuf_commit(out, d);
	for (i = 0; i < e->field_count; i++) {
		if (i)
			outbuf_putc(out, ',');
		put_cstring(out, e->fields[i].name);
		outbuf_putc(out, ':');
		put_field(out, &e->fields[i]);
	}
	outbuf_putc(out, '}');
	if (e->process)
		print_json_process(out, e->process);
	/* The names of the --rules rules that matched. */
	if (e->rule_count) {
		outbuf_lit(out, ",\"rules\":[");
		for (i = 0; i < e->rule_count; i++) {
			if (i)
				outbuf_putc(out, ',');
			put_cstring(out, e->rules[i]);
		}
		outbuf_putc(out, ']');
	}
	outbuf_lit(out, "}\n");
}
