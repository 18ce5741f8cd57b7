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
#include <inttypes.h>
#include <string.h>
#include <sys/socket.h>

#include "escape.h"
#include "printer.h"

static void put_string(FILE *out, const char *data, size_t len)
{
	putc('"', out);
	escape_json(out, data, len);
	putc('"', out);
}

static void put_cstring(FILE *out, const char *s)
{
	if (s)
		put_string(out, s, strlen(s));
	else
		fputs("null", out);
}

static void put_bool(FILE *out, const char *key, bool value)
{
	fprintf(out, ",\"%s\":%s", key, value ? "true" : "false");
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
static bool put_sockaddr_members(FILE *out, const struct ebpfpub_sockaddr *sa)
{
	char addr[INET6_ADDRSTRLEN];
	const char *kind = "path", *path = sa->data.data;
	uint32_t len = sa->data.len;

	switch (sa->family) {
	case AF_INET:
		if (len < 6 || !inet_ntop(AF_INET, sa->addr, addr, sizeof(addr)))
			return false;
		fprintf(out, ",\"address\":\"%s\",\"port\":%u", addr, sa->port);
		return true;
	case AF_INET6:
		if (len < 22 || !inet_ntop(AF_INET6, sa->addr, addr, sizeof(addr)))
			return false;
		fprintf(out,
			",\"address\":\"%s\",\"port\":%u,\"flowinfo\":%" PRIu32 ",\"scope_id\":%" PRIu32,
			addr, sa->port, sa->flowinfo, sa->scope_id);
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
		fprintf(out, ",\"kind\":\"%s\",\"path\":", kind);
		put_string(out, len ? path : "", len);
		return true;
	}
	return false;
}

static void put_sockaddr(FILE *out, const struct ebpfpub_sockaddr *sa)
{
	const char *name = family_name(sa->family);

	fputs("{\"family\":", out);
	if (name)
		fprintf(out, "\"%s\"", name);
	else
		fputs("null", out);
	fprintf(out, ",\"family_number\":%u", sa->family);
	if (!put_sockaddr_members(out, sa)) {
		fputs(",\"bytes\":\"", out);
		if (sa->data.len)
			escape_hex(out, sa->data.data, sa->data.len);
		putc('"', out);
	}
	putc('}', out);
}

static void put_argv(FILE *out, const struct ebpfpub_argv *argv)
{
	uint32_t i;

	putc('[', out);
	for (i = 0; i < argv->count; i++) {
		if (i)
			putc(',', out);
		if (argv->arg_flags[i] & EBPFPUB_FIELD_UNREADABLE)
			fputs("null", out);
		else
			put_string(out, argv->args[i].data, argv->args[i].len);
	}
	putc(']', out);
}

static void put_missing(FILE *out, const struct ebpfpub_field *f, enum printer_missing why)
{
	static const char *const reasons[] = {
		[PRINTER_NULL] = "null",
		[PRINTER_UNREADABLE] = "unreadable",
		[PRINTER_NOT_CAPTURED] = "not_captured",
		[PRINTER_BAD_LENGTH] = "bad_length",
	};

	fprintf(out, "\"value\":null,\"error\":\"%s\",\"pointer\":\"0x%" PRIx64 "\"", reasons[why],
		f->raw);
}

static void put_field(FILE *out, const struct ebpfpub_field *f)
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
		fprintf(out, "{\"type\":\"unknown\",\"type_number\":%d,\"value\":\"0x%" PRIx64 "\"}",
			(int)f->type, f->raw);
		return;
	}
	fprintf(out, "{\"type\":\"%s\",", types[f->type]);
	if (why != PRINTER_HAS_VALUE) {
		put_missing(out, f, why);
		putc('}', out);
		return;
	}
	fputs("\"value\":", out);
	switch (f->type) {
	case EBPFPUB_VALUE_SIGNED:
		fprintf(out, "%" PRId64, f->value.s);
		break;
	case EBPFPUB_VALUE_UNSIGNED:
		fprintf(out, "%" PRIu64, f->value.u);
		break;
	case EBPFPUB_VALUE_POINTER:
		fprintf(out, "\"0x%" PRIx64 "\"", f->value.u);
		break;
	case EBPFPUB_VALUE_STRING:
		put_string(out, f->value.bytes.data, f->value.bytes.len);
		put_bool(out, "truncated", truncated);
		break;
	case EBPFPUB_VALUE_BYTES:
		putc('"', out);
		escape_hex(out, f->value.bytes.data, f->value.bytes.len);
		fprintf(out, "\",\"length\":%" PRIu32, f->value.bytes.len);
		put_bool(out, "truncated", truncated);
		break;
	case EBPFPUB_VALUE_SOCKADDR:
		put_sockaddr(out, &f->value.sockaddr);
		put_bool(out, "truncated", truncated);
		break;
	case EBPFPUB_VALUE_ARGV:
		put_argv(out, &f->value.argv);
		fprintf(out, ",\"source\":\"%s\"",
			f->value.argv.source == EBPFPUB_ARGV_FROM_NEW_MM ? "new_mm" : "caller");
		put_bool(out, "truncated", truncated);
		break;
	}
	putc('}', out);
}

void print_json_event(FILE *out, const struct ebpfpub_event *e)
{
	size_t i;

	fprintf(out,
		"{\"timestamp\":%" PRIu64 ",\"process_id\":%" PRIu32 ",\"thread_id\":%" PRIu32
		",\"user_id\":%" PRIu32 ",\"group_id\":%" PRIu32 ",\"exit_code\":%" PRId64
		",\"probe_error\":%" PRIu32 ",\"syscall\":",
		e->timestamp_ns, e->pid, e->tid, e->uid, e->gid, e->exit_code, e->probe_error);
	put_cstring(out, e->syscall);
	fputs(",\"serializer\":", out);
	put_cstring(out, e->serializer);
	fputs(",\"comm\":", out);
	put_string(out, e->comm, strnlen(e->comm, sizeof(e->comm)));
	fprintf(out, ",\"duration_ns\":%" PRIu64 ",\"args\":{", e->duration_ns);
	for (i = 0; i < e->field_count; i++) {
		if (i)
			putc(',', out);
		put_cstring(out, e->fields[i].name);
		putc(':', out);
		put_field(out, &e->fields[i]);
	}
	fputs("}}\n", out);
}
