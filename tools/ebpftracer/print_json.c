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
#include "printer.h"

static void put_string(struct outbuf *out, const char *data, size_t len)
{
	outbuf_putc(out, '"');
	escape_json(out, data, len);
	outbuf_putc(out, '"');
}

static void put_cstring(struct outbuf *out, const char *s)
{
	if (s)
		put_string(out, s, strlen(s));
	else
		outbuf_lit(out, "null");
}

/* The last member of every value that can be cut. */
static void put_truncated(struct outbuf *out, bool value)
{
	if (value)
		outbuf_lit(out, ",\"truncated\":true");
	else
		outbuf_lit(out, ",\"truncated\":false");
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
	outbuf_putc(out, '"');
}

static void put_field(struct outbuf *out, const struct ebpfpub_field *f)
{
	static const char *const types[] = {
		[EBPFPUB_VALUE_SIGNED] = "signed",     [EBPFPUB_VALUE_UNSIGNED] = "unsigned",
		[EBPFPUB_VALUE_POINTER] = "pointer",   [EBPFPUB_VALUE_STRING] = "string",
		[EBPFPUB_VALUE_BYTES] = "bytes",       [EBPFPUB_VALUE_SOCKADDR] = "sockaddr",
		[EBPFPUB_VALUE_ARGV] = "argv",
	};
	enum printer_missing why = printer_field_missing(f);
	bool truncated = f->flags & EBPFPUB_FIELD_TRUNCATED;

	if ((unsigned)f->type >= sizeof(types) / sizeof(types[0]) || !types[f->type]) {
		/* A type newer than this tool: the register value is still meaningful. */
		outbuf_lit(out, "{\"type\":\"unknown\",\"type_number\":");
		outbuf_i64(out, (int)f->type);
		outbuf_lit(out, ",\"value\":\"0x");
		outbuf_hex64(out, f->raw);
		outbuf_lit(out, "\"}");
		return;
	}
	outbuf_lit(out, "{\"type\":\"");
	outbuf_puts(out, types[f->type]);
	outbuf_lit(out, "\",");
	if (why != PRINTER_HAS_VALUE) {
		put_missing(out, f, why);
		outbuf_putc(out, '}');
		return;
	}
	outbuf_lit(out, "\"value\":");
	switch (f->type) {
	case EBPFPUB_VALUE_SIGNED:
		outbuf_i64(out, f->value.s);
		break;
	case EBPFPUB_VALUE_UNSIGNED:
		outbuf_u64(out, f->value.u);
		break;
	case EBPFPUB_VALUE_POINTER:
		outbuf_lit(out, "\"0x");
		outbuf_hex64(out, f->value.u);
		outbuf_putc(out, '"');
		break;
	case EBPFPUB_VALUE_STRING:
		put_string(out, f->value.bytes.data, f->value.bytes.len);
		put_truncated(out, truncated);
		break;
	case EBPFPUB_VALUE_BYTES:
		outbuf_putc(out, '"');
		escape_hex(out, f->value.bytes.data, f->value.bytes.len);
		outbuf_lit(out, "\",\"length\":");
		outbuf_u64(out, f->value.bytes.len);
		put_truncated(out, truncated);
		break;
	case EBPFPUB_VALUE_SOCKADDR:
		put_sockaddr(out, &f->value.sockaddr);
		put_truncated(out, truncated);
		break;
	case EBPFPUB_VALUE_ARGV:
		put_argv(out, &f->value.argv);
		if (f->value.argv.source == EBPFPUB_ARGV_FROM_NEW_MM)
			outbuf_lit(out, ",\"source\":\"new_mm\"");
		else
			outbuf_lit(out, ",\"source\":\"caller\"");
		put_truncated(out, truncated);
		break;
	}
	outbuf_putc(out, '}');
}

void print_json_event(struct outbuf *out, const struct ebpfpub_event *e)
{
	size_t i;

	outbuf_lit(out, "{\"timestamp\":");
	outbuf_u64(out, e->timestamp_ns);
	outbuf_lit(out, ",\"process_id\":");
	outbuf_u64(out, e->pid);
	outbuf_lit(out, ",\"thread_id\":");
	outbuf_u64(out, e->tid);
	outbuf_lit(out, ",\"user_id\":");
	outbuf_u64(out, e->uid);
	outbuf_lit(out, ",\"group_id\":");
	outbuf_u64(out, e->gid);
	outbuf_lit(out, ",\"exit_code\":");
	outbuf_i64(out, e->exit_code);
	outbuf_lit(out, ",\"probe_error\":");
	outbuf_u64(out, e->probe_error);
	outbuf_lit(out, ",\"syscall\":");
	put_cstring(out, e->syscall);
	outbuf_lit(out, ",\"serializer\":");
	put_cstring(out, e->serializer);
	outbuf_lit(out, ",\"comm\":");
	put_string(out, e->comm, strnlen(e->comm, sizeof(e->comm)));
	outbuf_lit(out, ",\"duration_ns\":");
	outbuf_u64(out, e->duration_ns);
	outbuf_lit(out, ",\"args\":{");
	for (i = 0; i < e->field_count; i++) {
		if (i)
			outbuf_putc(out, ',');
		put_cstring(out, e->fields[i].name);
		outbuf_putc(out, ':');
		put_field(out, &e->fields[i]);
	}
	outbuf_lit(out, "}}\n");
}
