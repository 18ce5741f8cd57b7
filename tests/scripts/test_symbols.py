#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""The ABI of the built libebpfpub.so (suite 'unit', no privilege).

- The defined dynamic symbols (nm -D --defined-only) are exactly the functions that
  include/ebpfpub/ebpfpub.h declares with EBPFPUB_API: nothing internal leaks, nothing
  declared is missing.
- Every one of them carries the version node that lib/libebpfpub.map lists it under
  (objdump -T), each node named after the release that added its symbols.
- The SONAME is libebpfpub.so.0.
- packaging/debian/libebpfpub0.symbols lists the same symbols, so the Debian package's
  symbols file cannot drift from the library.

Exit 0 pass, 1 fail, 77 skip (a missing tool; with CI=true a skip is a failure).
"""
import os
import re
import shutil
import subprocess
import sys

SONAME = "libebpfpub.so.0"

SOURCE_ROOT = os.environ.get(
    "EBPFPUB_SOURCE_ROOT", os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
BUILD_ROOT = os.environ.get("EBPFPUB_BUILD_ROOT", os.path.join(SOURCE_ROOT, "build"))

failures = []


def fail(msg):
    failures.append(msg)
    print("FAIL: " + msg, file=sys.stderr)


def skip(msg):
    if os.environ.get("CI") == "true":
        print("FAIL (skip not allowed with CI=true): " + msg, file=sys.stderr)
        sys.exit(1)
    print("SKIP: " + msg, file=sys.stderr)
    sys.exit(77)


def run(argv):
    return subprocess.run(argv, check=True, capture_output=True, text=True).stdout


def header_api(path):
    """Names of the functions declared with EBPFPUB_API in the header."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)   # block comments
    text = re.sub(r"//[^\n]*", " ", text)                 # line comments
    # Preprocessor lines (the #define of EBPFPUB_API itself), with continuations.
    text = re.sub(r"^[ \t]*#(?:[^\n]*\\\n)*[^\n]*", " ", text, flags=re.M)
    names = []
    # A declaration: EBPFPUB_API, then the return type (possibly on its own line), then the
    # name and its opening parenthesis.
    for m in re.finditer(r"\bEBPFPUB_API\b([^;{}()]*?)\b([A-Za-z_]\w*)\s*\(", text):
        names.append(m.group(2))
    return names


def map_nodes(path):
    """{symbol: node} from the version script, which lists every symbol by name."""
    with open(path, encoding="utf-8") as f:
        text = re.sub(r"/\*.*?\*/", " ", f.read(), flags=re.S)
    nodes = {}
    for m in re.finditer(r"(LIBEBPFPUB_\d+\.\d+)\s*\{(.*?)\}", text, flags=re.S):
        node, body = m.groups()
        glob = re.search(r"global:(.*?)(?:local:|$)", body, flags=re.S)
        for name in re.findall(r"([A-Za-z_][\w*]*)\s*;", glob.group(1) if glob else ""):
            if "*" in name:
                fail(f"{path}: {node} exports by pattern ({name}); list each symbol")
            if name in nodes:
                fail(f"{path}: {name} is in {nodes[name]} and {node}")
            nodes[name] = node
    return nodes


def node_version(node):
    """LIBEBPFPUB_0.2 -> 0.2.0, the package version that brought the node."""
    return node.split("_", 1)[1] + ".0"


def main():
    for tool in ("nm", "objdump"):
        if not shutil.which(tool):
            skip(f"{tool} is not installed (binutils)")

    header = os.path.join(SOURCE_ROOT, "include", "ebpfpub", "ebpfpub.h")
    lib = os.path.join(BUILD_ROOT, "libebpfpub.so")
    if not os.path.exists(lib):
        fail(f"{lib} does not exist: build first (ninja -C {BUILD_ROOT})")
        return
    lib = os.path.realpath(lib)

    declared = header_api(header)
    if len(declared) < 10:
        fail(f"found only {len(declared)} EBPFPUB_API declarations in {header}: parser broken?")
    dupes = sorted({n for n in declared if declared.count(n) > 1})
    if dupes:
        fail("declared more than once: " + ", ".join(dupes))
    declared = set(declared)
    bad_names = sorted(n for n in declared if not n.startswith("ebpfpub_"))
    if bad_names:
        fail("EBPFPUB_API functions outside the ebpfpub_ namespace: " + ", ".join(bad_names))

    # nm -D --defined-only: "ADDR TYPE NAME@@VERSION"; the version node itself shows as an
    # absolute symbol named after the node.
    exported = {}
    for line in run(["nm", "-D", "--defined-only", lib]).splitlines():
        parts = line.split()
        if len(parts) < 3:
            continue
        typ, sym = parts[1], parts[2]
        name, _, version = sym.partition("@")
        version = version.lstrip("@")
        if typ == "A" and name.startswith("LIBEBPFPUB_"):
            continue
        exported[name] = (typ, version)

    missing = sorted(declared - exported.keys())
    extra = sorted(exported.keys() - declared)
    if missing:
        fail("declared with EBPFPUB_API but not exported: " + ", ".join(missing))
    if extra:
        fail("exported but not declared with EBPFPUB_API: " + ", ".join(extra))
    not_ns = sorted(n for n in exported if not n.startswith("ebpfpub_"))
    if not_ns:
        fail("exported symbols outside ebpfpub_*: " + ", ".join(not_ns))
    not_func = sorted(n for n, (t, _) in exported.items() if t not in ("T", "i"))
    if not_func:
        fail("exported symbols that are not functions: " + ", ".join(not_func))

    # objdump -T: "ADDR FLAGS SECTION SIZE VERSION NAME" (the version may be in parentheses
    # for hidden versions, which would be wrong here too).
    versions = {}
    for line in run(["objdump", "-T", lib]).splitlines():
        m = re.match(r"^[0-9a-f]+\s+.*?\s(\S+)\s+[0-9a-f]+\s+(\S+)\s+(\S+)\s*$", line)
        if not m:
            continue
        section, version, name = m.groups()
        if section == "*UND*":
            continue
        versions[name] = version
    nodes = map_nodes(os.path.join(SOURCE_ROOT, "lib", "libebpfpub.map"))
    if set(nodes) != declared:
        fail(f"lib/libebpfpub.map differs from the header: missing {sorted(declared - set(nodes))}, "
             f"extra {sorted(set(nodes) - declared)}")
    for name in sorted(declared & exported.keys()):
        v = versions.get(name)
        if v != nodes.get(name):
            fail(f"{name}: version {v!r} in objdump -T, expected {nodes.get(name)}")
    defs = run(["objdump", "-p", lib])
    for node in sorted(set(nodes.values())):
        if node not in defs:
            fail(f"objdump -p shows no version definition {node}")

    sonames = re.findall(r"^\s*SONAME\s+(\S+)", run(["objdump", "-p", lib]), flags=re.M)
    if sonames != [SONAME]:
        fail(f"SONAME is {sonames}, expected [{SONAME!r}]")
    link = os.path.join(BUILD_ROOT, SONAME)
    if not os.path.exists(link) or os.path.realpath(link) != lib:
        fail(f"{link} is not a link to {lib}")

    # The Debian symbols file: every exported symbol at its node and the version that
    # brought it, and nothing else.
    symbols_file = os.path.join(SOURCE_ROOT, "packaging", "debian", "libebpfpub0.symbols")
    if os.path.exists(symbols_file):
        listed = {}
        with open(symbols_file, encoding="utf-8") as f:
            for line in f:
                m = re.match(r"^\s+(\S+)@(\S+)\s+(\S+)", line)
                if m:
                    listed[m.group(1)] = (m.group(2), m.group(3))
        for node in sorted(set(nodes.values())):
            if listed.pop(node, None) != (node, node_version(node)):
                fail(f"{symbols_file}: the version node {node}@{node} {node_version(node)} is missing")
        if set(listed) != set(exported):
            fail(f"{symbols_file} differs from the library: missing "
                 f"{sorted(set(exported) - set(listed))}, extra {sorted(set(listed) - set(exported))}")
        for name, (node, ver) in sorted(listed.items()):
            want = nodes.get(name)
            if want and (node, ver) != (want, node_version(want)):
                fail(f"{symbols_file}: {name}@{node} {ver}, expected @{want} {node_version(want)}")
    else:
        fail(f"{symbols_file} is missing")

    if not failures:
        print(f"{len(exported)} exported symbols, all declared with EBPFPUB_API, in "
              f"{len(set(nodes.values()))} version nodes, SONAME {SONAME}")


if __name__ == "__main__":
    main()
    if failures:
        print(f"{len(failures)} failure(s)", file=sys.stderr)
        sys.exit(1)
    sys.exit(0)
