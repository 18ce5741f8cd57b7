#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Writes the seed corpus of fuzz_decode (tests/fuzz/corpus/decode): valid records for each
layout of fuzz_decode.c's table, laid out as the generated programs write them (lib/record.h,
lib/codegen_programs.c): header, arguments, then items {arg u16, kind u8, flags u8, len u32}
whose data is padded to 8 bytes, the record size counting the padding. Byte 0 of each file
selects the layout (the index in fuzz_decode.c's table).

usage: make-decode-seeds.py [OUTDIR]"""
import os
import socket
import struct
import sys

STRING, BYTES, SOCKADDR, ARGV_ARG, ARGV_END, ARGV_BLOCK, CGROUP_NAME, ANCESTOR, CGROUP_SAME = \
    range(1, 10)
TRUNCATED, UNREADABLE, NULL, NOT_CAPTURED, BAD_LENGTH = 1, 2, 4, 8, 16
PE_READ, PE_NO_SPACE, PE_TRUNCATED = 1, 2, 4
FROM_CALLER, FROM_NEW_MM = 1, 2


def align(n):
    return (n + 7) & ~7


class Record:
    def __init__(self, args, exit_code=0, probe_error=0, comm=b"seed", context=b""):
        self.args = args
        self.context = context   # struct record_context, after the arguments
        self.exit_code = exit_code
        self.probe_error = probe_error
        self.comm = comm
        self.items = b""
        self.argv_offset = 0

    def fixed(self):
        return 72 + 8 * len(self.args) + len(self.context)

    def item(self, arg, kind, flags, data):
        self.items += struct.pack("<HBBI", arg, kind, flags, len(data))
        self.items += data + b"\0" * (align(len(data)) - len(data))
        return self

    def string(self, arg, s, flags=0, kind=STRING):
        return self.item(arg, kind, flags, s + b"\0" if flags not in (NULL, UNREADABLE) else b"")

    def argv(self, arg, strings, flags=0, more=0, source=FROM_CALLER, mark=False):
        """An argv header item and its arguments, as emit_argv_items writes them."""
        if mark:
            self.argv_offset = self.fixed() + len(self.items)
        self.item(arg, ARGV_END, flags, struct.pack("<IIII", len(strings), source, more, 0))
        for s in strings:
            if s is None:
                self.item(arg, ARGV_ARG, UNREADABLE, b"")
            else:
                self.item(arg, ARGV_ARG, 0, s + b"\0")
        return self

    def rewind(self):
        """A successful exec writes its block where the enter-time argv started."""
        self.items = self.items[: self.argv_offset - self.fixed()]
        return self

    def bytes(self):
        size = self.fixed() + len(self.items)
        head = struct.pack("<IIQQQQqIHH16s", size, 1, 1000, 1500, 4321 << 32 | 4322,
                           1002 << 32 | 1001, self.exit_code, self.probe_error,
                           len(self.args), self.argv_offset, self.comm)
        return head + b"".join(struct.pack("<Q", a & (2**64 - 1)) for a in self.args) + \
            self.context + self.items


def sin(addr, port):
    return struct.pack("<H", socket.AF_INET) + struct.pack(">H", port) + \
        socket.inet_aton(addr) + b"\0" * 8


def sin6(addr, port, scope=0):
    return struct.pack("<H", socket.AF_INET6) + struct.pack(">HI", port, 0) + \
        socket.inet_pton(socket.AF_INET6, addr) + struct.pack("<I", scope)


def sun(path):
    return struct.pack("<H", socket.AF_UNIX) + path


U = 0x7ffd0000  # a user pointer
def context(ppid=812, flags=0, start=123456789000, auid=1000, session=3, cgroup_id=4242):
    """struct record_context (lib/record.h)."""
    return struct.pack("<IIQIIQ", ppid, flags, start, auid, session, cgroup_id)


def ancestor(pid, start, comm):
    return struct.pack("<IIQ16s", pid, 0, start, comm)


DOCKER = b"docker-" + b"0123456789abcdef" * 4 + b".scope"

seeds = {
    "mkdir": (0, Record([U, 0o755]).string(0, b"/tmp/seed")),
    "mkdir-eexist": (0, Record([U, 0o755], exit_code=-17).string(0, b"/tmp")),
    "mkdir-null": (0, Record([0, 0o700], exit_code=-14).string(0, b"", NULL)),
    "mkdir-no-space": (0, Record([U, 0], probe_error=PE_NO_SPACE)),
    "openat": (1, Record([-100, U, 0x80000, 0]).string(1, b"/etc/passwd")),
    "openat-cut": (1, Record([-100, U, 0x41, 0o644], exit_code=3,
                             probe_error=PE_TRUNCATED).string(1, b"/" + b"a" * 62, TRUNCATED)),
    "openat-unreadable": (1, Record([-100, U, 0, 0], exit_code=-14,
                                    probe_error=PE_READ).string(1, b"", UNREADABLE)),
    "connect-inet": (2, Record([3, U, 16], exit_code=-111).item(1, SOCKADDR, 0,
                                                                 sin("127.0.0.1", 9))),
    "connect-inet6": (2, Record([3, U, 28]).item(1, SOCKADDR, 0, sin6("::1", 443, 2))),
    "connect-unix": (2, Record([3, U, 110]).item(1, SOCKADDR, 0, sun(b"/run/seed.sock\0"))),
    "connect-abstract": (2, Record([3, U, 7]).item(1, SOCKADDR, 0, sun(b"\0seed"))),
    "connect-bad-length": (2, Record([3, U, -1], exit_code=-22).item(1, SOCKADDR, BAD_LENGTH,
                                                                       b"")),
    "accept4": (3, Record([3, U, U + 64, 0x80000], exit_code=4).item(
        1, SOCKADDR, 0, sin("10.0.0.2", 51000))),
    "accept4-failed": (3, Record([3, U, U + 64, 0], exit_code=-11)),
    "execve-enter": (4, Record([U, U + 8, U + 16], exit_code=-2).string(0, b"/nonexistent")
                     .argv(1, [b"/nonexistent", b"-x", b""], mark=True)),
    "execve-unreadable": (4, Record([U, U + 8, U + 16], exit_code=-2, probe_error=PE_READ)
                          .string(0, b"", UNREADABLE).string(0, b"/nonexistent")
                          .argv(1, [b"a", None], mark=True)),
    "execve-new-mm": (4, Record([U, U + 8, U + 16]).string(0, b"/usr/bin/true")
                      .argv(1, [None, None], UNREADABLE, mark=True).rewind()
                      .item(1, ARGV_BLOCK, 0, b"true\0--version\0")),
    "execve-new-mm-unreadable": (4, Record([U, U + 8, U + 16], probe_error=PE_READ)
                                 .string(0, b"/bin/true").argv(1, [b"true"], mark=True)
                                 .rewind().argv(1, [], UNREADABLE, source=FROM_NEW_MM)),
    "execve-null-argv": (4, Record([U, 0, 0], exit_code=-14).string(0, b"/bin/true")
                         .argv(1, [], NULL, mark=True)),
    "execve-more": (4, Record([U, U + 8, U + 16], exit_code=-2).string(0, b"/x")
                    .argv(1, [b"a"] * 32, TRUNCATED, more=1, mark=True)),
    "execveat-cut-block": (5, Record([-100, U, U + 8, U + 16, 0x1000],
                                     probe_error=PE_TRUNCATED).string(1, b"/bin/echo")
                           .argv(2, [b"echo"], mark=True).rewind()
                           .item(2, ARGV_BLOCK, 0, b"echo\0" + b"b" * 100 + b"\0c")),
    "write": (6, Record([1, U, 5], exit_code=5).item(1, BYTES, 0, b"hi\0\n!")),
    "write-long": (6, Record([1, U, 1000], exit_code=1000).item(1, BYTES, TRUNCATED,
                                                                 bytes(range(32)))),
    "read": (7, Record([0, U, 4096], exit_code=64).item(1, BYTES, TRUNCATED, b"r" * 64)),
    "read-null": (7, Record([0, 0, 16], exit_code=-14).item(1, BYTES, NULL, b"")),
    "sendto": (8, Record([3, U, 4, 0, U + 64, 16], exit_code=4).item(1, BYTES, 0, b"ping")
               .item(4, SOCKADDR, 0, sin("192.0.2.1", 53))),
    "two-arrays": (9, Record([U, U + 8, U + 16], exit_code=-2).string(0, b"/bin/env")
                   .argv(2, [b"A=1", b"B=2"], TRUNCATED, more=1)
                   .argv(1, [b"env", b"-i"], mark=True)),
    "rename": (10, Record([U, U + 32]).string(0, b"/tmp/a").string(1, b"/tmp/b")),
    "getpid": (11, Record([], exit_code=4321)),
    "mmap": (12, Record([0, 4096, 3, 0x22, 2**64 - 1, 0], exit_code=0x7f0000000000)),
    # 13: mkdir with the process context and 4 ancestors
    "mkdir-context": (13, Record([U, 0o755], context=context())
                      .string(0, b"/tmp/seed")
                      .item(0, CGROUP_NAME, 0, DOCKER + b"\0")
                      .item(1, CGROUP_NAME, 0, b"system.slice\0")
                      .item(2, CGROUP_NAME, NULL, struct.pack("<II", 1, 0))
                      .item(0, ANCESTOR, 0, ancestor(812, 1000, b"bash"))
                      .item(1, ANCESTOR, 0, ancestor(1, 5, b"systemd"))),
    "mkdir-context-cut": (13, Record([U, 0o755], context=context(flags=1, auid=2**32 - 1))
                          .string(0, b"/tmp/seed")
                          .item(0, CGROUP_NAME, 0, b"leaf\0")
                          .item(1, CGROUP_NAME, TRUNCATED, struct.pack("<II", 0, 0))),
    "mkdir-context-same": (13, Record([U, 0o755], context=context())
                           .string(0, b"/tmp/seed")
                           .item(0, CGROUP_SAME, 0, struct.pack("<II", 1, 0))),
}


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__),
                                                             "corpus", "decode")
    os.makedirs(out, exist_ok=True)
    for name, (layout, rec) in seeds.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(bytes([layout]) + rec.bytes())
    print(f"wrote {len(seeds)} seeds to {out}")


if __name__ == "__main__":
    main()
