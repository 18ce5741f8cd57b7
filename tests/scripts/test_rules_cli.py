#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""ebpftracer --rules as its users run it (suite 'privileged').

Each rule file is written by the test with a `pid:` condition on this process, so that
other processes of the machine cannot match; the test makes the calls, stops ebpftracer
with SIGINT and checks the output exactly: which events were printed (with their rule
names), the per-rule counts of the summary, what the kernel dropped, what an exec action's
command received on its stdin and in its environment, the exec drops, --explain, and the
file:line:column of the library's complaints.
"""

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest

SOURCE_ROOT = os.environ.get(
    "EBPFPUB_SOURCE_ROOT", os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
BUILD_ROOT = os.environ.get("EBPFPUB_BUILD_ROOT", os.path.join(SOURCE_ROOT, "build"))
TRACER = os.path.join(BUILD_ROOT, "tools", "ebpftracer", "ebpftracer")


def skip_or_fail(why):
    if os.environ.get("CI") == "true":
        print("FAIL (skip not allowed with CI=true): " + why, file=sys.stderr)
        sys.exit(1)
    print("SKIP: " + why, file=sys.stderr)
    sys.exit(77)


class Tracer:
    """A running ebpftracer; stdout and stderr collected line by line."""

    def __init__(self, *args, env=None):
        self.proc = subprocess.Popen([TRACER, *args], stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True, env=env)
        self.out, self.err = [], []
        self.threads = [threading.Thread(target=self._collect, args=(s, l), daemon=True)
                        for s, l in ((self.proc.stdout, self.out), (self.proc.stderr, self.err))]
        for t in self.threads:
            t.start()

    @staticmethod
    def _collect(stream, lines):
        for line in iter(stream.readline, ""):
            lines.append(line.rstrip("\n"))
        stream.close()

    def wait_ready(self, lines, prefix="Ready: tracing "):
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if any(l.startswith(prefix) for l in list(lines)):
                return
            if self.proc.poll() is not None:
                raise AssertionError(f"ebpftracer exited: {self.err}")
            time.sleep(0.02)
        raise AssertionError("no ready line")

    def stop(self):
        self.proc.send_signal(signal.SIGINT)
        rc = self.proc.wait(120)
        for t in self.threads:
            t.join(10)
        return rc


def run(*args):
    return subprocess.run([TRACER, *args], capture_output=True, text=True, timeout=120)


class TestRulesCli(unittest.TestCase):
    maxDiff = None

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix=f"ebpftracer-rules-{os.getpid()}-")

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def write(self, name, text):
        path = os.path.join(self.dir, name)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text.replace("PID", str(os.getpid())))
        return path

    def mkdirs(self, modes):
        for i, mode in enumerate(modes):
            os.mkdir(os.path.join(self.dir, f"d{i}"), mode)

    def summary_count(self, lines, rule):
        for l in lines:
            m = re.match(rf"^rule {re.escape(rule)}: (\d+) matches$", l)
            if m:
                return int(m.group(1))
        raise AssertionError(f"no summary line for {rule}: {lines[-12:]}")

    def test_json_print_and_kernel_filter(self):
        rules = self.write("r.yaml", """
- rule: private
  syscalls: [mkdir]
  when: {pid: PID, args: {mode: 0700}}
- rule: not-755
  syscalls: [mkdir]
  when: {pid: PID}
  unless: {args: {mode: [0755, 0750]}}
""")
        t = Tracer("--rules", rules, "--json")
        t.wait_ready(t.err)
        self.mkdirs([0o700] * 3 + [0o755] * 40 + [0o711] * 2)
        self.assertEqual(t.stop(), 0, t.err)
        events = [json.loads(l) for l in t.out]
        self.assertEqual(len(events), 5)
        self.assertEqual([e["rules"] for e in events], [["private", "not-755"]] * 3 + [["not-755"]] * 2)
        self.assertTrue(all(e["process_id"] == os.getpid() for e in events))
        self.assertEqual(self.summary_count(t.err, "private"), 3)
        self.assertEqual(self.summary_count(t.err, "not-755"), 5)
        m = [re.match(r"^rules: (\d+) calls dropped in the kernel, (\d+) in user space$", l)
             for l in t.err]
        m = [x for x in m if x]
        self.assertEqual(len(m), 1, t.err)
        # the 40 calls with mode 0755, and any other process's mkdir
        self.assertGreaterEqual(int(m[0].group(1)), 40)
        self.assertEqual(int(m[0].group(2)), 0)

    def test_text_names_rules(self):
        rules = self.write("r.yaml", """
- rule: mine
  syscalls: mkdir
  when: {pid: PID, comm: {glob: "python*"}}
""")
        t = Tracer("--rules", rules)
        t.wait_ready(t.out)
        self.mkdirs([0o750])
        self.assertEqual(t.stop(), 0, t.err)
        lines = [l for l in t.out if l.startswith("syscall: mkdir")]
        self.assertEqual(len(lines), 1, t.out)
        self.assertTrue(lines[0].endswith(" rules: mine"), lines[0])

    def test_exec_gets_the_event(self):
        out = os.path.join(self.dir, "got")
        rules = self.write("r.yaml", f"""
- rule: notify
  syscalls: [mkdir]
  when: {{pid: PID, args: {{mode: 0701}}}}
  actions: [{{exec: [/bin/sh, -c, 'cat > {out}.$$; echo "$EBPFTRACER_RULE" > {out}.$$.rule']}}]
""")
        t = Tracer("--rules", rules, "--json")
        t.wait_ready(t.err)
        self.mkdirs([0o701, 0o750])
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not any(f.endswith(".rule") for f in os.listdir(self.dir)):
            time.sleep(0.05)
        self.assertEqual(t.stop(), 0, t.err)
        self.assertEqual(t.out, [], "no print action: nothing printed")
        got = sorted(f for f in os.listdir(self.dir) if f.startswith("got."))
        self.assertEqual(len(got), 2, got)
        with open(os.path.join(self.dir, got[0])) as f:
            text = f.read()
        self.assertTrue(text.endswith("}\n") and text.count("\n") == 1, text)
        event = json.loads(text)
        self.assertEqual(event["syscall"], "mkdir")
        self.assertEqual(event["args"]["pathname"]["value"], os.path.join(self.dir, "d0"))
        self.assertEqual(event["rules"], ["notify"])
        with open(os.path.join(self.dir, got[1])) as f:
            self.assertEqual(f.read(), "notify\n")
        self.assertIn("exec: 1 started, 0 dropped (too many running or the event did not fit the pipe), 0 failed", t.err)

    def test_exec_drops_are_counted(self):
        rules = self.write("r.yaml", """
- rule: slow
  syscalls: [mkdir]
  when: {pid: PID}
  actions: [print, {exec: "sleep 3"}]
""")
        t = Tracer("--rules", rules, "--json")
        t.wait_ready(t.err)
        self.mkdirs([0o750] * 30)
        time.sleep(0.5)
        self.assertEqual(t.stop(), 0, t.err)
        # tracing never waits for the commands: all 30 printed, 8 run, 22 dropped
        self.assertEqual(len(t.out), 30)
        self.assertIn("exec: 8 started, 22 dropped (too many running or the event did not fit the pipe), 0 failed", t.err)

    def test_explain(self):
        rules = self.write("r.yaml", """
- rule: outbound-public
  syscalls: [connect]
  when:
    comm: {suffix: sh}
    args: {uservaddr: {family: [AF_INET, AF_INET6]}}
  unless:
    args: {uservaddr: {in: [10.0.0.0/8, "::1/128"], not port: [443]}}
- rule: failed-mkdir
  syscalls: [mkdir]
  when: {exit_code: "< 0", args: {pathname: {prefix: /etc/}}}
""")
        r = run("--rules", rules, "--explain")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout, """rule outbound-public, syscall connect:
  when comm: user space
  when family uservaddr: kernel enter
  unless address uservaddr: kernel enter
  unless port uservaddr (negated): kernel enter
rule failed-mkdir, syscall mkdir:
  when exit_code: kernel exit
  when arg pathname: kernel exit
""")

    def test_explain_process_context(self):
        rules = self.write("p.yaml", """
- rule: in-containers
  syscalls: [mkdir]
  when:
    container: any
    auid: [unset, ">= 1000"]
    ancestor: sshd
    cgroup: /no-such-cgroup-PID
  unless:
    container: {id: 0123abcd}
- rule: anywhere
  syscalls: [mkdir]
  when: {cgroup: /}
""")
        r = run("--rules", rules, "--explain")
        self.assertEqual(r.returncode, 0, r.stderr)
        # a cgroup that exists is tested in the kernel, one that does not (yet) in user space
        self.assertEqual(r.stdout, """rule in-containers, syscall mkdir:
  when container: user space
  when auid: kernel exit
  when ancestor: user space
  when cgroup: user space
  unless container: user space
rule anywhere, syscall mkdir:
  when cgroup: kernel enter
""")
        r = run("--rules", rules, "--explain", "--no-context")
        self.assertEqual(r.returncode, 1)
        self.assertEqual(r.stderr, f"ebpftracer: {rules}:2:9: rule 'in-containers': its container condition needs the process context, but the tracer was created with no_process_context\n")

    def test_library_errors_have_a_line(self):
        rules = self.write("r.yaml", """- rule: a
  syscalls: [mkdir]
  when:
    args:
      mode: 0700
      flags: 1
""")
        r = run("--rules", rules, "--explain")
        self.assertEqual(r.returncode, 1)
        self.assertEqual(r.stderr, f"ebpftracer: {rules}:6:7: rule 'a': syscall 'mkdir' has no argument 'flags'\n")
        rules = self.write("k.yaml", """- rule: k
  syscalls: [mkdir]
  when: {comm: {glob: "x*"}}
  actions: [kill]
""")
        r = run("--rules", rules)
        self.assertEqual(r.returncode, 1)
        self.assertIn(f"ebpftracer: {rules}:1:9: rule 'k': a signal is sent from the program, but some of its conditions can only be decided in user space", r.stderr)
        r = run("--explain", "-t", "mkdir")
        self.assertEqual(r.returncode, 2)
        self.assertIn("--explain needs --rules", r.stderr)

    def test_directory_and_t(self):
        self.write("a.yaml", "- rule: a\n  syscalls: [mkdir]\n  when: {pid: PID, args: {mode: 0700}}\n")
        self.write("b.yaml", "- rule: b\n  syscalls: [mkdir]\n  when: {pid: PID, args: {mode: 0711}}\n")
        self.write("notes.txt", "not read\n")
        t = Tracer("--rules", self.dir, "--json", "-t", "rmdir")
        t.wait_ready(t.err)
        self.mkdirs([0o700, 0o711, 0o750])
        os.rmdir(os.path.join(self.dir, "d2"))
        self.assertEqual(t.stop(), 0, t.err)
        events = [json.loads(l) for l in t.out]
        mine = [e for e in events if e["process_id"] == os.getpid()]
        # rmdir has no rule: every call printed, without "rules"
        self.assertEqual([(e["syscall"], e.get("rules")) for e in mine],
                         [("mkdir", ["a"]), ("mkdir", ["b"]), ("rmdir", None)])

    def test_sighup_reload(self):
        path = os.path.join(self.dir, "rules.yaml")
        sock_path = os.path.join(self.dir, "notify")
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        sock.bind(sock_path)
        sock.settimeout(60)
        self.write("rules.yaml", "- rule: one\n  syscalls: [mkdir]\n  when: {pid: PID, args: {mode: 0700}}\n")
        t = Tracer("--rules", path, "--json", env=dict(os.environ, NOTIFY_SOCKET=sock_path))
        t.wait_ready(t.err)
        self.assertEqual(sock.recv(100), b"READY=1")
        self.mkdirs([0o700, 0o700, 0o711])
        # a new rule on mkdir and one on rmdir
        self.write("rules.yaml", "- rule: two\n  syscalls: [mkdir]\n  when: {pid: PID, args: {mode: 0711}}\n"
                   "- rule: gone\n  syscalls: [rmdir]\n  when: {pid: PID}\n")
        t.proc.send_signal(signal.SIGHUP)
        self.assertEqual(sock.recv(100), b"RELOADING=1")
        self.assertEqual(sock.recv(100), b"READY=1")
        t.wait_ready(t.err, "ebpftracer: rules reloaded from ")
        os.mkdir(os.path.join(self.dir, "e0"), 0o700)
        os.mkdir(os.path.join(self.dir, "e1"), 0o711)
        os.rmdir(os.path.join(self.dir, "e0"))
        # a broken file keeps the rules running
        self.write("rules.yaml", "- rule: three\n  syscalls: [mkdir]\n  when: {pidd: 1}\n")
        t.proc.send_signal(signal.SIGHUP)
        self.assertEqual(sock.recv(100), b"RELOADING=1")
        self.assertEqual(sock.recv(100), b"READY=1")
        t.wait_ready(t.err, "ebpftracer: reloading the rules failed")
        os.mkdir(os.path.join(self.dir, "e2"), 0o711)
        self.assertEqual(t.stop(), 0, t.err)
        self.assertIn(f"ebpftracer: reloading the rules failed, the old rules stay: {path}:3:10: "
                      "rule 'three': unknown key 'pidd' (expected pid, uid, comm, exit_code, args, "
                      "auid, container, ancestor or cgroup)", t.err)
        events = [json.loads(l) for l in t.out]
        self.assertEqual([(e["syscall"], e["rules"], e["args"]["pathname"]["value"][-2:]) for e in events],
                         [("mkdir", ["one"], "d0"), ("mkdir", ["one"], "d1"),
                          ("mkdir", ["two"], "e1"), ("rmdir", ["gone"], "e0"),
                          ("mkdir", ["two"], "e2")])
        self.assertEqual(self.summary_count(t.err, "two"), 2)
        self.assertEqual(self.summary_count(t.err, "gone"), 1)
        sock.close()

    def test_examples(self):
        """The example rule files (examples/rules, installed as documentation) against real
        calls: pidtree's subnet filter with its port exceptions, bpfd's shadow-file and
        setuid rules, and the kill rule."""
        import ctypes
        t = Tracer("--rules", os.path.join(SOURCE_ROOT, "examples", "rules"), "--json")
        t.wait_ready(t.err)
        for family, addr, port in ((socket.AF_INET, "127.0.0.1", 80), (socket.AF_INET, "127.0.0.1", 443),
                                   (socket.AF_INET, "10.1.2.3", 22), (socket.AF_INET, "192.168.1.1", 8080),
                                   (socket.AF_INET6, "::1", 80), (socket.AF_INET, "8.8.8.8", 53)):
            with socket.socket(family, socket.SOCK_DGRAM) as so:
                try:
                    so.connect((addr, port))
                except OSError:
                    pass
        with open("/etc/shadow", "rb"):
            pass
        with open("/etc/hostname", "rb"):
            pass
        setuid_child = os.fork()
        if setuid_child == 0:
            os.setresuid(65534, 65534, 0)
            os.setuid(0)   # a saved uid of 0 makes this succeed: the rule's case
            os._exit(0)
        _, status = os.waitpid(setuid_child, 0)
        self.assertEqual(status, 0)
        ptrace_child = os.fork()
        if ptrace_child == 0:
            os.setresuid(65534, 65534, 65534)
            ctypes.CDLL(None).ptrace(16, os.getppid(), 0, 0)
            os._exit(3)    # never reached: killed at the call
        _, status = os.waitpid(ptrace_child, 0)
        self.assertTrue(os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL, status)
        # container-mount: a failed mount from a child in a docker-like cgroup is printed,
        # the same call from this (host) process is not
        cg = self.docker_cgroup()
        libc = ctypes.CDLL(None, use_errno=True)
        target = f"/nonexistent-{os.getpid()}".encode()
        libc.mount(b"none", target, b"tmpfs", 0, None)
        mount_child = os.fork()
        if mount_child == 0:
            with open(os.path.join(cg, "cgroup.procs"), "w") as f:
                f.write("0")
            libc.mount(b"none", target, b"tmpfs", 0, None)
            os._exit(0)
        _, status = os.waitpid(mount_child, 0)
        self.assertEqual(status, 0)
        self.assertEqual(t.stop(), 0, t.err)
        events = [json.loads(l) for l in t.out]
        mine = {os.getpid(), setuid_child, ptrace_child, mount_child}
        got = []
        for e in events:
            if e["process_id"] not in mine:
                continue
            a = e["args"]
            if e["syscall"] == "connect":
                got.append(("connect", a["uservaddr"]["value"]["address"], a["uservaddr"]["value"]["port"]))
            elif e["syscall"] == "openat":
                got.append(("openat", a["filename"]["value"]))
            else:
                got.append((e["syscall"], e["process_id"]))
            self.assertEqual(len(e["rules"]), 1)
        self.assertEqual(got, [("connect", "127.0.0.1", 443), ("connect", "10.1.2.3", 22),
                               ("connect", "8.8.8.8", 53), ("openat", "/etc/shadow"),
                               ("setuid", setuid_child), ("ptrace", ptrace_child),
                               ("mount", mount_child)])

    def docker_cgroup(self):
        """A cgroup named as docker names its containers', below the cgroup2 mount."""
        root = None
        with open("/proc/self/mountinfo", encoding="utf-8") as f:
            for line in f:
                left, _, right = line.partition(" - ")
                if right.split(" ")[0] == "cgroup2":
                    root = left.split(" ")[4]
                    break
        if root is None:
            skip_or_fail("no cgroup2 mount")
        top = os.path.join(root, f"ebpftracer-rules-{os.getpid()}")
        path = os.path.join(top, "system.slice", "docker-" + "0123456789abcdef" * 4 + ".scope")
        os.makedirs(path)

        def remove():
            for d in (path, os.path.dirname(path), top):
                try:
                    os.rmdir(d)
                except OSError:
                    pass
        self.addCleanup(remove)
        return path


def main():
    if os.geteuid() != 0:
        skip_or_fail("needs root (CAP_BPF and CAP_PERFMON) to load BPF programs")
    if not os.access(TRACER, os.X_OK):
        skip_or_fail(f"{TRACER} is not built")
    prog = unittest.main(argv=[sys.argv[0], "-v", *sys.argv[1:]], exit=False)
    sys.exit(0 if prog.result.wasSuccessful() else 1)


if __name__ == "__main__":
    main()
