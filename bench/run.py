#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Benchmark runner for libebpfpub: prints figures, asserts nothing.

For each workload (mkdir, openat, connect, exec) it runs several rounds, in alternating
order, of: the workload untraced; with empty programs on its tracepoints (bench/empty_tracer:
the floor); traced by libebpfpub (bench/tracer_bench); by ebpftracer --json and text, writing
to a file; by bpftrace doing the same capture; and, where they are installed and work on this
kernel, libbpf-tools and bcc tools (exec: no floor and no ebpftracer). mkdir also runs while
only openat is traced (what an untraced syscall pays). It prints one table per workload
(medians over the rounds), the generate+load time of every syscall (tracer_bench -t all),
libebpfpub's memory figures and, last, one line per workload x mode: the regression at a
glance.

Run as root after scripts/bootstrap.sh:   python3 bench/run.py [--quick]
See bench/README.md for what every column means.

Every process this script starts is tracked by PID and stopped (SIGINT, then SIGTERM, then
SIGKILL) in a finally block, also when the script fails or is interrupted.
"""

import argparse
import datetime
import json
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
CLK_TCK = os.sysconf("SC_CLK_TCK")

# Every process started and not yet reaped: pid -> subprocess.Popen.
STARTED = {}
# --pin: the CPUs of the workload and of everything else (the tracers); None: not pinned.
PIN = {"workload": None, "tracer": None}


def pinned(role):
    """A preexec_fn that moves the child to ROLE's CPUs, or None when not pinning."""
    cpus = PIN[role]
    return (lambda: os.sched_setaffinity(0, cpus)) if cpus else None


class Unavailable(Exception):
    """A tool cannot run here; the message says why."""


# --------------------------------------------------------------------------------------------
# Processes


def spawn(argv, stdout_path, stderr_path, env=None, role="tracer"):
    with open(stdout_path, "wb") as out, open(stderr_path, "wb") as err:
        p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out, stderr=err, env=env,
                             preexec_fn=pinned(role))
    STARTED[p.pid] = p
    return p


def reap(p, timeout):
    """Waits up to TIMEOUT seconds (None: forever) for P to exit. Returns (exit code,
    rusage) or None while it still runs."""
    if p.pid not in STARTED:
        return getattr(p, "bench_result", None)
    deadline = None if timeout is None else time.monotonic() + timeout
    while True:
        pid, status, ru = os.wait4(p.pid, 0 if timeout is None else os.WNOHANG)
        if pid == p.pid:
            p.returncode = os.waitstatus_to_exitcode(status)
            del STARTED[p.pid]
            p.bench_result = (p.returncode, ru)
            return p.bench_result
        if deadline is not None and time.monotonic() >= deadline:
            return None
        time.sleep(0.01)


def stop(p, grace=10.0):
    """SIGINT, then SIGTERM, then SIGKILL: P is reaped when this returns."""
    for sig, wait in ((signal.SIGINT, grace), (signal.SIGTERM, 3.0), (signal.SIGKILL, None)):
        r = reap(p, 0)
        if r is not None:
            return r
        try:
            os.kill(p.pid, sig)
        except ProcessLookupError:
            pass
        r = reap(p, wait)
        if r is not None:
            return r
    return reap(p, None)


def cleanup_all():
    for p in list(STARTED.values()):
        try:
            stop(p, grace=3.0)
        except ChildProcessError:
            STARTED.pop(p.pid, None)


def proc_cpu_seconds(pid):
    """CPU time of a live process (all its live threads): the sum of the threads' run time
    in /proc/PID/task/*/schedstat (ns resolution), or, where the kernel has no schedstat,
    utime + stime of /proc/PID/stat (clock ticks, 10 ms)."""
    try:
        total = 0
        for tid in os.listdir("/proc/%d/task" % pid):
            with open("/proc/%d/task/%s/schedstat" % (pid, tid)) as f:
                total += int(f.read().split()[0])
        return total / 1e9
    except (OSError, IndexError, ValueError):
        pass
    try:
        with open("/proc/%d/stat" % pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLK_TCK
    except (OSError, IndexError, ValueError):
        return 0.0


def proc_vm_hwm_kb(pid, key="VmHWM"):
    """Peak RSS of a live process's address space (VmHWM; KEY="VmRSS": the current one).
    ru_maxrss is not used: it keeps the RSS the process had before execve, i.e. that of this
    Python process, which forked it."""
    for line in read_text("/proc/%d/status" % pid).splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    return None


def rusage_cpu(ru):
    return ru.ru_utime + ru.ru_stime


def read_text(path):
    try:
        with open(path, "r", errors="replace") as f:
            return f.read()
    except OSError:
        return ""


def failure_reason(text):
    """The most telling line of a tool's error output."""
    lines = [l.strip() for l in text.splitlines() if l.strip()]
    lines = [l for l in lines if not (l.startswith("Traceback") or l.startswith("File ") or
                                      "RLIMIT_MEMLOCK" in l)]
    for pattern in (r"kernel headers|kprobe|BTF|permission|not permitted",
                    r"unable|fail|error|cannot|no such|denied"):
        for l in lines:
            if re.search(pattern, l, re.I):
                return l[:160]
    return lines[-1][:160] if lines else "exited without output"


# --------------------------------------------------------------------------------------------
# Attach detection and noise


def bpftool_perf_list():
    """[(pid, tracepoint or kprobe function)] of every BPF program attached through a perf
    event."""
    if not shutil.which("bpftool"):
        return None
    r = subprocess.run(["bpftool", "-j", "perf", "list"], capture_output=True, text=True)
    if r.returncode != 0:
        return None
    try:
        return [(d.get("pid"), d.get("tracepoint") or d.get("func") or d.get("fd_type"))
                for d in json.loads(r.stdout or "[]")]
    except ValueError:
        return None


def foreign_syscall_tracers():
    """Processes not started here that have BPF programs on syscall tracepoints, as
    {pid: "comm[pid]: tracepoints"}: any of them puts every syscall of every task on the
    tracepoint slow path, and one on the traced syscall adds its own cost to every call."""
    lst = bpftool_perf_list()
    if lst is None:
        return {}
    found = {}
    for pid, tp in lst:
        if pid in STARTED or not tp:
            continue
        if tp.startswith("sys_enter") or tp.startswith("sys_exit"):
            found.setdefault(pid, set()).add(tp)
    return {pid: "%s[%d]: %s" % (read_text("/proc/%d/comm" % pid).strip() or "?", pid,
                                 ",".join(sorted(tps)))
            for pid, tps in sorted(found.items())}


TOLERATED = set()  # foreign tracer pids waited for once already: not waited for again


def wait_quiet(limit, log):
    """Waits up to LIMIT seconds for foreign syscall tracers to go away (once per process:
    one that outlives the wait is then tolerated). Returns the descriptions of those still
    present (empty when quiet)."""
    deadline = time.monotonic() + limit
    said = False
    while True:
        foreign = foreign_syscall_tracers()
        new = [pid for pid in foreign if pid not in TOLERATED]
        if not new:
            return list(foreign.values())
        if time.monotonic() >= deadline:
            log("  still there after %.0f s, running anyway (flagged noisy): %s"
                % (limit, "; ".join(foreign[p] for p in new)))
            TOLERATED.update(new)
            return list(foreign.values())
        if not said:
            log("  waiting up to %.0f s for other syscall tracers to finish: %s"
                % (limit, "; ".join(foreign[p] for p in new)))
            said = True
        time.sleep(1.0)


NO_BPFTOOL_WAIT_S = 3.0


def wait_attached(p, tracepoints, timeout, ready_path=None, ready_marker="READY"):
    """Waits until P has BPF programs on all TRACEPOINTS (bpftool perf list), and, with
    READY_PATH, until that file holds READY_MARKER. Returns ms since P was spawned."""
    want = set(tracepoints)
    deadline = time.monotonic() + timeout
    have_bpftool = shutil.which("bpftool") is not None
    while True:
        r = reap(p, 0)
        if r is not None:
            raise Unavailable("exited with %s before attaching" % r[0])
        ready = ready_path is None or ready_marker in read_text(ready_path)
        if ready:
            if not have_bpftool:
                if ready_path is None:
                    # Nothing says when it attached: give it a generous moment (start-up
                    # is then not measured; the report says so).
                    time.sleep(NO_BPFTOOL_WAIT_S)
                return (time.monotonic_ns() - p.bench_t0) / 1e6
            lst = bpftool_perf_list() or []
            got = {tp for pid, tp in lst if pid == p.pid}
            if want <= got:
                return (time.monotonic_ns() - p.bench_t0) / 1e6
        if time.monotonic() >= deadline:
            raise Unavailable("not attached after %.0f s" % timeout)
        time.sleep(0.01)


def wait_output_stable(path, quiet_s=0.3, limit_s=30.0):
    """Waits until PATH stops growing (the tracer has written what it had)."""
    last, since, deadline = -1, time.monotonic(), time.monotonic() + limit_s
    while time.monotonic() < deadline:
        try:
            size = os.path.getsize(path)
        except OSError:
            size = 0
        if size != last:
            last, since = size, time.monotonic()
        elif time.monotonic() - since >= quiet_s:
            return
        time.sleep(0.05)


# --------------------------------------------------------------------------------------------
# Workloads

BPFTRACE_MKDIR = (
    'tracepoint:syscalls:sys_enter_mkdir { @path[tid] = args->pathname; @mode[tid]=args->mode; } '
    'tracepoint:syscalls:sys_exit_mkdir /@path[tid]/ { printf("%d %d %d %d %s %d %d\\n", pid, '
    'tid, uid, gid, str(@path[tid]), @mode[tid], args->ret); delete(@path[tid]); '
    'delete(@mode[tid]); }\n'
    'END { clear(@path); clear(@mode); }\n')
# openat: the arguments saved at enter, the path read at exit (as libebpfpub's generic
# serializer does), printed with the return value.
BPFTRACE_OPENAT = (
    'tracepoint:syscalls:sys_enter_openat { @path[tid] = args->filename; @dfd[tid] = args->dfd; '
    '@flags[tid] = args->flags; @mode[tid] = args->mode; }\n'
    'tracepoint:syscalls:sys_exit_openat /@path[tid]/ { printf("%d %d %d %d %d %s %d %d %d\\n", '
    'pid, tid, uid, gid, @dfd[tid], str(@path[tid]), @flags[tid], @mode[tid], args->ret); '
    'delete(@path[tid]); delete(@dfd[tid]); delete(@flags[tid]); delete(@mode[tid]); }\n'
    'END { clear(@path); clear(@dfd); clear(@flags); clear(@mode); }\n')
# connect: the sockaddr is read at enter (as libebpfpub's connect serializer does), 16 bytes
# (a sockaddr_in), printed as escaped bytes.
BPFTRACE_CONNECT = (
    'tracepoint:syscalls:sys_enter_connect { @sa[tid] = buf(args->uservaddr, 16); '
    '@fd[tid] = args->fd; @len[tid] = args->addrlen; }\n'
    'tracepoint:syscalls:sys_exit_connect /@len[tid]/ { printf("%d %d %d %d %d %d %r %d\\n", '
    'pid, tid, uid, gid, @fd[tid], @len[tid], @sa[tid], args->ret); delete(@sa[tid]); '
    'delete(@fd[tid]); delete(@len[tid]); }\n'
    'END { clear(@sa); clear(@fd); clear(@len); }\n')
# exec: filename and argv (join) at enter, the result at exit.
BPFTRACE_EXEC = (
    'tracepoint:syscalls:sys_enter_execve { @e[tid] = 1; printf("E %d %d %s\\n", pid, tid, '
    'str(args->filename)); join(args->argv); }\n'
    'tracepoint:syscalls:sys_exit_execve /@e[tid]/ { printf("X %d %d %d %d %s %d\\n", pid, '
    'tid, uid, gid, comm, args->ret); delete(@e[tid]); }\n'
    'END { clear(@e); }\n')


def bpftrace_empty(syscall):
    return ("tracepoint:syscalls:sys_enter_%s { } tracepoint:syscalls:sys_exit_%s { }\n"
            % (syscall, syscall))


EXEC_ARGV = "/bin/true a b c"

# The workloads that run every mode: untraced, the floor, the library, ebpftracer --json and
# text, bpftrace. exec runs untraced, the library, bpftrace and the execsnoops.
FULL_SET = ("mkdir", "openat", "connect")
WORKLOADS = ("mkdir", "openat", "connect", "exec", "all", "profile")


def count_by_pid(text, wpid, needle=None):
    """Lines that start with a pid: events; those of the workload's pid (and holding NEEDLE):
    matched."""
    events = matched = 0
    for line in text.splitlines():
        f = line.split(" ", 1)
        if len(f) == 2 and f[0].isdigit():
            events += 1
            matched += f[0] == str(wpid) and (needle is None or needle in f[1])
    return events, matched


# The openat workload's path: its loop's calls, not the dynamic loader's before main.
OPENAT_PATH = "/tmp/ebpfpub-bench-openat-"


def count_openat(text, wpid):
    return count_by_pid(text, wpid, OPENAT_PATH)


def count_bpftrace_exec(text, wpid):
    events = matched = 0
    for line in text.splitlines():
        if line.startswith("X "):
            events += 1
        elif line == EXEC_ARGV:
            matched += 1
    return events, matched


def count_execsnoop(text, wpid):
    events = matched = 0
    for line in text.splitlines()[1:]:
        if not line.strip() or line.startswith("Lost"):
            continue
        events += 1
        matched += line.rstrip().endswith(" " + EXEC_ARGV)
    return events, matched


def parse_kv(text):
    for line in text.splitlines():
        if line.startswith("workload="):
            return dict(kv.split("=", 1) for kv in line.split())
    return None


def tail_text(path, n):
    try:
        with open(path, "rb") as f:
            f.seek(max(0, os.path.getsize(path) - n))
            return f.read().decode("utf-8", "replace")
    except OSError:
        return ""


def count_ebpftracer(path, wpid, json_lines, needle=None):
    """Events in ebpftracer's output file, and those of the workload's pid (with NEEDLE: and
    holding it; in text mode it is on the event's second line), read as a stream (a million
    events are hundreds of MB)."""
    if json_lines:
        start, mine = b"{", b'"process_id":%d,' % wpid
    else:
        start, mine = b"timestamp: ", b" process_id: %d " % wpid
    needle = needle.encode() if needle else None
    events = matched = 0
    pending = False  # text mode: a header line of the workload's pid waits for its second line
    try:
        with open(path, "rb") as f:
            for line in f:
                if line.startswith(start):
                    events += 1
                    ours = mine in line
                    if needle is None or (json_lines and ours and needle in line):
                        matched += ours
                    else:
                        pending = ours and not json_lines
                elif pending:
                    matched += needle in line
                    pending = False
    except OSError:
        pass
    return {"events": events, "matched": matched}


def parse_summary(text):
    """The counters of ebpftracer's summary."""
    keys = {"events": r"  events: (\d+)", "lost": r"  lost events \([^)]*\): (\d+)",
            "enter_dropped": r"  enter dropped[^:]*: (\d+)",
            "exit_without_enter": r"  exits without enter: (\d+)"}
    found = {}
    for k, pattern in keys.items():
        m = re.search(pattern, text)
        if m:
            found[k] = int(m.group(1))
    return found


def lost_in(text):
    return sum(int(n) for n in re.findall(r"Lost (\d+) events", text))


# --------------------------------------------------------------------------------------------
# Runner


class Bench:
    def __init__(self, args):
        self.args = args
        self.build = os.path.abspath(args.build_dir)
        self.bin = os.path.join(self.build, "bench")
        self.tmp = tempfile.mkdtemp(prefix="ebpfpub-bench-")
        self.results = {}       # workload -> mode -> [run dict]
        self.unavailable = {}   # tool -> reason
        self.notes = []
        self.serial = 0
        self.started = datetime.datetime.now()

    def log(self, msg):
        if not self.args.quiet:
            print(msg, file=sys.stderr, flush=True)

    def path(self, name):
        self.serial += 1
        return os.path.join(self.tmp, "%03d-%s" % (self.serial, name))

    def run_workload(self, argv):
        out, err = self.path("workload.out"), self.path("workload.err")
        p = spawn(argv, out, err, role="workload")
        r = reap(p, self.args.workload_timeout)
        if r is None:
            stop(p, grace=1.0)
            raise RuntimeError("%s did not finish in %d s" % (argv[0], self.args.workload_timeout))
        kv = parse_kv(read_text(out))
        if r[0] != 0 or kv is None:
            raise RuntimeError("%s failed (%s): %s %s" % (" ".join(argv), r[0], read_text(out),
                                                          read_text(err)))
        if int(kv.get("slow_iters", "0")):
            self.notes.append("%s: %s iteration(s) took over 100 ms (worst %.0f ms): a dropped"
                              " SYN waited for its retransmission" % (
                                  os.path.basename(argv[0]), kv["slow_iters"],
                                  int(kv["worst_iter_ns"]) / 1e6))
        kv["pid"] = int(kv["pid"])
        kv["ns"] = float(kv.get("ns_per_call") or kv["ns_per_iter"])
        kv["cpu_ns"] = float(kv["cpu_ns_per_call"])
        return kv

    def one_run(self, wl, mode):
        """One measurement of workload WL in MODE; returns a dict."""
        foreign = wait_quiet(self.args.quiet_timeout, self.log)
        run = {"noisy": bool(foreign), "foreign": foreign}
        if mode["tool"] is None:
            w = self.run_workload(wl["argv"])
            run.update(ns=w["ns"], cpu_ns=w["cpu_ns"], calls=int(w["calls"]))
            return run

        tool = mode["tool"]
        out, err = self.path(mode["key"] + ".out"), self.path(mode["key"] + ".err")
        argv = list(mode.get("argv", []))
        if tool == "bpftrace":
            script = self.path(mode["key"] + ".bt")
            with open(script, "w") as f:
                f.write(mode["script"])
            argv = ["bpftrace", "-o", out, script]
            tool_out = self.path(mode["key"] + ".stdout")
        else:
            tool_out = out
        t0 = time.monotonic_ns()
        env = dict(os.environ, EBPFPUB_BENCH_T0_NS=str(t0))
        p = spawn(argv, tool_out, err, env=env)
        p.bench_t0 = t0
        try:
            try:
                if tool == "ebpftracer":
                    # Its ready line: in the events' file in text mode, on stderr with --json.
                    ready = {"ready_path": err if mode.get("json") else out,
                             "ready_marker": "Ready: tracing "}
                else:
                    ready = {"ready_path": out if tool in ("libebpfpub", "empty") else None}
                startup = wait_attached(p, mode["tracepoints"], self.args.attach_timeout,
                                        **ready)
            except Unavailable as e:
                stop(p, grace=3.0)
                raise Unavailable("%s: %s" % (e, failure_reason(read_text(err) +
                                                                read_text(tool_out))))
            # Resident set after start-up: once the tracer said it is ready and a moment
            # passed (the library gives LLVM's memory back after loading).
            time.sleep(self.args.settle)
            rss_startup = proc_vm_hwm_kb(p.pid, "VmRSS")
            cpu_attached = proc_cpu_seconds(p.pid)
            w = self.run_workload(wl["argv"])
            if tool == "libebpfpub" and mode.get("expect"):
                # tracer_bench exits by itself once it saw every call; give it time to drain.
                if reap(p, self.args.drain_timeout) is None:
                    self.log("  %s: not all events after %.0f s, stopping it"
                             % (mode["name"], self.args.drain_timeout))
            else:
                wait_output_stable(out, limit_s=self.args.drain_timeout)
            hwm = proc_vm_hwm_kb(p.pid)
            rss = proc_vm_hwm_kb(p.pid, "VmRSS")
            cpu_end = proc_cpu_seconds(p.pid) if reap(p, 0) is None else None
            code, ru = stop(p)
        finally:
            if p.pid in STARTED:
                stop(p, grace=3.0)
        text = read_text(out) if tool != "ebpftracer" else tail_text(out, 4096)
        run.update(ns=w["ns"], cpu_ns=w["cpu_ns"], calls=int(w["calls"]), startup_ms=startup,
                   cpu_s=max(0.0, (rusage_cpu(ru) if cpu_end is None else cpu_end)
                             - cpu_attached),
                   maxrss_kb=hwm, rss_kb=rss, rss_startup_kb=rss_startup,
                   exit_code=code)
        if tool == "libebpfpub":
            m = re.search(r"^REPORT (\{.*\})$", text, re.M)
            if not m:
                raise RuntimeError("tracer_bench gave no report (exit %s): %s" % (
                    code, read_text(err)[-500:]))
            rep = json.loads(m.group(1))
            # Its own accounting: from READY to its report, before detaching; getrusage,
            # so finer than the clock ticks of /proc/PID/stat.
            run["maxrss_kb"] = rep["vm_hwm_kb"]
            run["cpu_s"] = rep["cpu_after_ready_s"]
            run.update(events=rep["events"], matched=rep["matched"],
                       lost=rep["lost"] + rep["enter_dropped"] + rep["exit_without_enter"],
                       lost_detail="%d/%d/%d" % (rep["lost"], rep["enter_dropped"],
                                                 rep["exit_without_enter"]),
                       report=rep)
        elif tool == "ebpftracer":
            run.update(count_ebpftracer(out, w["pid"], mode.get("json"), wl.get("needle")))
            summary = parse_summary(read_text(err) if mode.get("json") else text[-4096:])
            run.update(lost=summary.get("lost", 0) + summary.get("enter_dropped", 0)
                       + summary.get("exit_without_enter", 0))
            # Hundreds of MB per run: counted, then removed.
            os.unlink(out)
        elif mode.get("counter"):
            events, matched = mode["counter"](text, w["pid"])
            run.update(events=events, matched=matched, lost=lost_in(text + read_text(err)))
        else:
            run.update(events=None, matched=None, lost=None)
        if not run["noisy"]:
            foreign = list(foreign_syscall_tracers().values())
            run.update(noisy=bool(foreign), foreign=foreign)
        return run

    # ----------------------------------------------------------------------------------------

    def modes_for(self, wl):
        """The modes of workload WL, in the order of the tables: untraced, the floor, the
        library, the CLI (JSON, text), bpftrace, then the extras."""
        tb = os.path.join(self.bin, "tracer_bench")
        et = os.path.join(self.bin, "empty_tracer")
        name, n = wl["name"], wl["calls"]
        sc = wl["syscall"]
        tps = ["sys_enter_" + sc, "sys_exit_" + sc]
        full = name in FULL_SET
        modes = [{"key": "untraced", "name": "untraced", "tool": None}]
        if full:
            modes.append({"key": "empty", "name": "empty programs (floor)", "tool": "empty",
                          "argv": [et, sc], "tracepoints": tps})
        lib = {"key": "libebpfpub", "name": "libebpfpub", "tool": "libebpfpub",
               "argv": [tb, "-t", sc, "-j", "-n", str(n)] + wl["match"], "expect": n,
               "tracepoints": tps}
        modes.append(lib)
        if name == "mkdir" and self.args.context:
            # The process context's cost, same run: off, the default (lib above), 8 ancestors.
            for key, extra in (("noctx", ["-X"]), ("anc8", ["-A", "8"])):
                v = dict(lib, key="libebpfpub-" + key,
                         name="libebpfpub " + ("context off" if key == "noctx" else "8 ancestors"))
                v["argv"] = lib["argv"] + extra
                modes.append(v)
        if name == "mkdir" and self.args.variants:
            for key, extra in (("perf", ["-k", "perf"]), ("p4", ["-p", "4"]),
                               ("p12", ["-p", "12"]), ("perf-p4", ["-k", "perf", "-p", "4"])):
                v = dict(lib, key="libebpfpub-" + key, name="libebpfpub " + " ".join(extra))
                v["argv"] = lib["argv"] + extra
                modes.append(v)
        if full:
            # The CLI: events formatted and written to a file, as log shippers read them.
            cli = self.args.ebpftracer
            modes.append({"key": "ebpftracer-json", "name": "ebpftracer --json > file",
                          "tool": "ebpftracer", "argv": [cli, "-t", sc, "--json"], "json": True,
                          "tracepoints": tps})
            modes.append({"key": "ebpftracer-text", "name": "ebpftracer (text) > file",
                          "tool": "ebpftracer", "argv": [cli, "-t", sc], "tracepoints": tps})
        modes.append({"key": "bpftrace", "name": "bpftrace (same capture)", "tool": "bpftrace",
                      "script": wl["bpftrace"], "tracepoints": tps, "counter": wl["counter"]})
        if name == "mkdir":
            o = ["sys_enter_openat", "sys_exit_openat"]
            if self.args.variants:
                modes.append({"key": "bpftrace-empty", "name": "bpftrace empty programs",
                              "tool": "bpftrace", "script": bpftrace_empty(sc),
                              "tracepoints": tps})
            # A rule that keeps 1 call in 1,000 (mode 0700, --rare 1000), decided in the
            # enter program: what the filtered calls cost next to the floor.
            if not self.args.mkdirat:
                modes.append({"key": "rule-1-in-1000", "name": "libebpfpub, rule keeps 1 in 1000",
                              "tool": "libebpfpub",
                              "argv": [tb, "-t", sc, "-j", "-R", "700", "-n", str(n // 1000)]
                              + wl["match"], "expect": n // 1000, "tracepoints": tps})
            # What an untraced syscall pays while another syscall is traced.
            modes.append({"key": "other-libebpfpub", "name": "libebpfpub on openat only",
                          "tool": "libebpfpub", "argv": [tb, "-t", "openat", "-j"],
                          "tracepoints": o, "other": True})
            modes.append({"key": "other-empty", "name": "empty programs on openat only",
                          "tool": "empty", "argv": [et, "openat"], "tracepoints": o,
                          "other": True})
        for t in wl.get("tools", []):
            modes.append(t)
        if self.args.modes:
            modes = [m for m in modes if m["key"] in self.args.modes]
        return modes

    def workloads(self):
        a = self.args
        wls = []
        if "mkdir" in a.only:
            sc = "mkdirat" if a.mkdirat else "mkdir"
            argv = [os.path.join(self.bin, "workload_mkdir")] + (["--at"] if a.mkdirat
                                                                 else ["--rare", "1000"])
            argv.append(str(a.mkdir_calls))
            if a.mkdir_threads > 1:
                argv.append(str(a.mkdir_threads))
            wls.append({"name": "mkdir", "syscall": sc, "calls": a.mkdir_calls,
                        "argv": argv, "match": ["-c", "workload_mkdir"],
                        "bpftrace": BPFTRACE_MKDIR.replace("_mkdir ", "_%s " % sc),
                        "counter": count_by_pid, "unit": "ns/call"})
        if "openat" in a.only:
            argv = [os.path.join(self.bin, "workload_openat"), str(a.openat_calls)]
            if a.openat_missing:
                argv.append("--missing")
            wls.append({"name": "openat", "syscall": "openat", "calls": a.openat_calls,
                        "argv": argv, "match": ["-c", "openat_loop"], "needle": OPENAT_PATH,
                        "bpftrace": BPFTRACE_OPENAT, "counter": count_openat,
                        "unit": "ns/iter",
                        "what": " (openat %s + close)" % ("ENOENT" if a.openat_missing
                                                          else "of an existing file")})
        if "connect" in a.only:
            tps = ["sys_enter_connect", "sys_exit_connect"]
            wls.append({"name": "connect", "syscall": "connect", "calls": a.connect_calls,
                        "argv": [os.path.join(self.bin, "workload_connect"),
                                 str(a.connect_calls)],
                        "match": ["-c", "workload_connec"],
                        "bpftrace": BPFTRACE_CONNECT, "counter": count_by_pid,
                        "unit": "ns/iter",
                        "tools": [
                            {"key": "tcpconnect", "name": "tcpconnect (libbpf-tools)",
                             "tool": "tcpconnect", "argv": ["tcpconnect"],
                             "tracepoints": ["tcp_v4_connect"], "counter": count_by_pid},
                            {"key": "tcpconnect-bpfcc", "name": "tcpconnect-bpfcc (bcc)",
                             "tool": "tcpconnect-bpfcc", "argv": ["tcpconnect-bpfcc"],
                             "tracepoints": ["tcp_v4_connect"], "counter": count_by_pid}]})
        if "exec" in a.only:
            tps = ["sys_enter_execve", "sys_exit_execve"]
            wls.append({"name": "exec", "syscall": "execve", "calls": a.exec_calls,
                        "argv": [os.path.join(self.bin, "workload_exec"), str(a.exec_calls)],
                        "match": ["-c", "true", "-a", EXEC_ARGV],
                        "bpftrace": BPFTRACE_EXEC, "counter": count_bpftrace_exec,
                        "unit": "ns/iter", "what": " (fork+execve+waitpid)",
                        "tools": [
                            {"key": "execsnoop", "name": "execsnoop (libbpf-tools)",
                             "tool": "execsnoop", "argv": ["execsnoop"], "tracepoints": tps,
                             "counter": count_execsnoop},
                            {"key": "execsnoop-bpfcc", "name": "execsnoop-bpfcc (bcc)",
                             "tool": "execsnoop-bpfcc", "argv": ["execsnoop-bpfcc"],
                             "tracepoints": tps, "counter": count_execsnoop}]})
        return wls

    def probe_tool(self, mode):
        """Starts a tool once to see whether it works here; None when it does."""
        exe = shutil.which(mode["argv"][0])
        if not exe:
            return "not installed (apt-get install %s)" % (
                "bpfcc-tools" if mode["argv"][0].endswith("-bpfcc") else "libbpf-tools")
        out, err = self.path(mode["key"] + ".probe.out"), self.path(mode["key"] + ".probe.err")
        t0 = time.monotonic_ns()
        p = spawn(mode["argv"], out, err)
        p.bench_t0 = t0
        try:
            wait_attached(p, mode["tracepoints"], self.args.attach_timeout)
            return None
        except Unavailable as e:
            stop(p, grace=3.0)
            return "%s: %s" % (e, failure_reason(read_text(err) + read_text(out)))
        finally:
            if p.pid in STARTED:
                stop(p, grace=5.0)

    def run_all(self):
        a = self.args
        self.wls = self.workloads()
        for wl in self.wls:
            modes = self.modes_for(wl)
            runnable = []
            for m in modes:
                if m["tool"] == "ebpftracer" and not os.access(m["argv"][0], os.X_OK):
                    self.unavailable[m["name"]] = "%s is not built" % m["argv"][0]
                    continue
                if m["tool"] == "bpftrace" and not shutil.which("bpftrace"):
                    self.unavailable[m["name"]] = "bpftrace is not installed"
                    continue
                if m["tool"] in ("tcpconnect", "tcpconnect-bpfcc", "execsnoop",
                                 "execsnoop-bpfcc"):
                    why = self.probe_tool(m)
                    if why:
                        self.unavailable[m["name"]] = why
                        self.log("  %s: unavailable: %s" % (m["name"], why))
                        continue
                runnable.append(m)
            res = self.results.setdefault(wl["name"], {})
            for rnd in range(a.rounds):
                order = runnable if rnd % 2 == 0 else list(reversed(runnable))
                for m in order:
                    if m["name"] in self.unavailable:
                        continue
                    self.log("%s round %d/%d: %s" % (wl["name"], rnd + 1, a.rounds, m["name"]))
                    try:
                        r = self.one_run(wl, m)
                    except Unavailable as e:
                        self.unavailable[m["name"]] = str(e)
                        self.log("  unavailable: %s" % e)
                        continue
                    res.setdefault(m["key"], []).append(r)
                    self.log("  %.1f %s%s" % (r["ns"], wl["unit"],
                                              "" if r.get("matched") is None else
                                              ", %s/%s delivered" % (r["matched"], r["calls"])))
                    time.sleep(a.pause)
            wl["modes"] = [m for m in modes if m["key"] in res]
        self.all_syscalls = []
        if "all" in a.only:
            for i in range(1 if a.quick else 3):
                self.log("all syscalls: generate+load %d/%d" % (i + 1, 1 if a.quick else 3))
                wait_quiet(a.quiet_timeout, self.log)
                out, err = self.path("all.out"), self.path("all.err")
                p = spawn([os.path.join(self.bin, "tracer_bench"), "-t", "all", "-j"], out, err)
                try:
                    r = reap(p, 300)
                finally:
                    if p.pid in STARTED:
                        stop(p, grace=5.0)
                m = re.search(r"^REPORT (\{.*\})$", read_text(out), re.M)
                if m:
                    self.all_syscalls.append(json.loads(m.group(1)))
                else:
                    self.notes.append("tracer_bench -t all failed: " +
                                      failure_reason(read_text(err)))
                time.sleep(a.pause)

        self.profile = {}
        if "profile" in a.only:
            self.run_profile()

    PROFILE_SETUPS = (
        ("empty programs (the floor; one program on enter and exit)", ["empty_tracer", "mkdir"]),
        ("libebpfpub, task-local entry", ["tracer_bench", "-t", "mkdir", "-e", "task"]),
        ("libebpfpub, event-map entry", ["tracer_bench", "-t", "mkdir", "-e", "map"]),
        ("libebpfpub, task-local entry, no process context",
         ["tracer_bench", "-t", "mkdir", "-e", "task", "-X"]),
    )

    def run_profile(self):
        """Run time per program, by the kernel's BPF statistics, for mkdir under the floor and
        under the library with either entry storage (bench/prog_profile)."""
        a = self.args
        rounds = 1 if a.quick else a.rounds
        for rnd in range(rounds):
            for label, argv in self.PROFILE_SETUPS:
                self.log("profile round %d/%d: %s" % (rnd + 1, rounds, label))
                wait_quiet(a.quiet_timeout, self.log)
                key = argv[0] + "-" + (argv[-1] if argv[0] == "tracer_bench" else "empty")
                out, err = self.path(key + ".pout"), self.path(key + ".perr")
                p = spawn([os.path.join(self.bin, argv[0])] + argv[1:], out, err)
                p.bench_t0 = time.monotonic_ns()
                try:
                    wait_attached(p, ["sys_enter_mkdir", "sys_exit_mkdir"], a.attach_timeout,
                                  ready_path=out)
                    r = subprocess.run([os.path.join(self.bin, "prog_profile"), "-p", "epn_",
                                        "-p", "epx_", "-p", "empty", "--"] + wl_mkdir_argv(a, self.bin),
                                       capture_output=True, text=True,
                                       timeout=a.workload_timeout,
                                       preexec_fn=pinned("workload"))
                finally:
                    stop(p, grace=5.0)
                if r.returncode != 0:
                    self.notes.append("prog_profile failed: " + r.stderr.strip()[-300:])
                    return
                for line in r.stdout.splitlines():
                    if line.startswith("PROG "):
                        kv = dict(f.split("=", 1) for f in line.split()[1:])
                        self.profile.setdefault((label, kv["name"]), []).append(kv)
                time.sleep(a.pause)

    def profile_lines(self):
        rows = [["setup", "program", "ns/run", "+-", "runs", "insns", "jited bytes"]]
        for (label, name), runs in self.profile.items():
            ns = [float(r["ns_per_run"]) for r in runs]
            m = statistics.median(ns)
            rows.append([label, name, "%.0f" % m,
                         "%.0f%%" % ((max(ns) - min(ns)) / 2 / m * 100) if m else "-",
                         runs[0]["runs"], runs[0]["insns"], runs[0]["jited_bytes"]])
        return format_table(rows)

    # ----------------------------------------------------------------------------------------

    def cells(self, wl, m, runs, base_ns, base_cpu):
        """The figures of one mode of one workload, as strings ("-": none)."""
        c = dict.fromkeys(("delivered", "lost", "cpu_s", "us_event", "rss_startup",
                           "peak_rss", "startup"), "-")
        ns = statistics.median(r["ns"] for r in runs)
        cpu = statistics.median(r["cpu_ns"] for r in runs)
        spread = (max(r["ns"] for r in runs) - min(r["ns"] for r in runs)) / 2 / ns
        c.update(ns="%.0f" % ns, spread="%.0f%%" % (spread * 100),
                 ratio="%.2fx" % (ns / base_ns) if base_ns else "-",
                 cpu_ratio="%.2fx" % (cpu / base_cpu) if base_cpu else "-")
        noisy = sum(1 for r in runs if r.get("noisy"))
        c["noisy"] = "%d/%d" % (noisy, len(runs)) if noisy else ""
        if m["tool"] is None:
            return c
        if runs[0].get("matched") is not None and not m.get("other"):
            mt = [r["matched"] for r in runs]
            c["delivered"] = "%d/%d%s" % (statistics.median(mt), wl["calls"],
                                          "" if min(mt) == max(mt) else " (min %d)" % min(mt))
        lost = [r["lost"] for r in runs if r.get("lost") is not None]
        if lost and m["tool"] == "libebpfpub":
            worst = max(runs, key=lambda r: r["lost"])
            c["lost"] = "%d (%s)" % (worst["lost"], worst["lost_detail"])
        elif lost:
            c["lost"] = "%d" % max(lost)
        c["cpu_s"] = "%.2f" % statistics.median(r["cpu_s"] for r in runs)
        # Per event only over enough events (and /proc/PID/stat's ticks, where there is
        # no schedstat, are 10 ms).
        ev = [r["cpu_s"] / r["events"] * 1e6 for r in runs if (r.get("events") or 0) >= 1000]
        if ev:
            c["us_event"] = "%.2f" % statistics.median(ev)
        st = [r["rss_startup_kb"] for r in runs if r.get("rss_startup_kb")]
        if st:
            c["rss_startup"] = "%.1f MiB" % (statistics.median(st) / 1024)
        rss = [r["maxrss_kb"] for r in runs if r.get("maxrss_kb")]
        if rss:
            c["peak_rss"] = "%.1f MiB" % (statistics.median(rss) / 1024)
        c["startup"] = "%.0f ms" % statistics.median(r["startup_ms"] for r in runs)
        return c

    def glance_table(self):
        """One line per workload x mode: what shows a regression at a glance."""
        rows = [["workload", "mode", "ratio", "+-", "CPU ratio", "us/event", "RSS start-up",
                 "peak RSS", "delivered/calls", "lost", "noisy"]]
        for wl, mode, c in self.glance:
            if mode == "untraced":
                mode = "untraced (%s ns)" % c["ns"]
            rows.append([wl, mode, c["ratio"], c["spread"], c["cpu_ratio"], c["us_event"],
                         c["rss_startup"], c["peak_rss"], c["delivered"],
                         c["lost"].split(" ")[0], c["noisy"]])
        out = format_table(rows)
        return out

    def report(self, wls):
        a = self.args
        self.glance = []
        lines = []
        P = lines.append
        P("libebpfpub benchmarks, %s, %.0f min" % (
            self.started.strftime("%Y-%m-%d %H:%M"),
            (datetime.datetime.now() - self.started).total_seconds() / 60))
        P("machine: %d CPUs (%s), kernel %s, %s; bpftrace: %s" % (
            os.cpu_count(), cpu_model(), platform.release(), mem_total(), tool_version()))
        P("rounds: %d, alternating order; figures are medians over the rounds%s" % (
            a.rounds, " (--quick)" if a.quick else ""))
        if PIN["workload"]:
            P("pinned: the workload on CPU %s, the tracers on CPU %s" % (
                ",".join(map(str, sorted(PIN["workload"]))),
                ",".join(map(str, sorted(PIN["tracer"])))))
        P("")
        for wl in wls:
            res = self.results.get(wl["name"], {})
            base = res.get("untraced")
            base_ns = statistics.median(r["ns"] for r in base) if base else None
            base_cpu = statistics.median(r["cpu_ns"] for r in base) if base else None
            P("== %s: %s, %d calls per run%s ==" % (
                wl["name"], " ".join(os.path.basename(x) for x in wl["argv"]), wl["calls"],
                wl.get("what", "")))
            hdr = ["mode", wl["unit"], "+-", "ratio", "CPU ratio", "delivered/calls", "lost",
                   "tracer CPU s", "us/event", "RSS start-up", "peak RSS", "start-up", "noisy"]
            rows = [hdr]
            for m in wl.get("modes", []):
                runs = res.get(m["key"])
                if not runs:
                    continue
                c = self.cells(wl, m, runs, base_ns, base_cpu)
                self.glance.append((wl["name"], m["name"], c))
                rows.append([m["name"], c["ns"], c["spread"], c["ratio"], c["cpu_ratio"],
                             c["delivered"], c["lost"], c["cpu_s"], c["us_event"],
                             c["rss_startup"], c["peak_rss"], c["startup"], c["noisy"]])
            lines.extend(format_table(rows))
            for name, why in self.unavailable.items():
                if any(name == m["name"] for m in self.modes_for(wl)):
                    P("  %s: unavailable: %s" % (name, why))
            lib = res.get("libebpfpub")
            if lib:
                reps = [r["report"] for r in lib]
                P("  libebpfpub: tracer CPU after attach, per event: user %.2f us + sys %.2f us;"
                  " delivery latency mean %.0f us, max %.0f us; self-measured start-up %.0f ms"
                  " (%.0f ms of it in main); teardown %.0f ms; resident at the end: %.0f MiB"
                  " anonymous + %.0f MiB file-backed (libLLVM's pages, the mapped ring)" % (
                      med([r["cpu_after_ready_user_s"] / max(r["events"], 1) * 1e6 for r in reps]),
                      med([r["cpu_after_ready_sys_s"] / max(r["events"], 1) * 1e6 for r in reps]),
                      med([r["latency_mean_us"] for r in reps]),
                      max(r["latency_max_us"] for r in reps),
                      med([r["startup_ms"] for r in reps]),
                      med([r["startup_in_main_ms"] for r in reps]),
                      med([r["teardown_s"] * 1e3 for r in reps]),
                      med([r["rss_anon_kb"] / 1024 for r in reps]),
                      med([r["rss_file_kb"] / 1024 for r in reps])))
            for key in ("ebpftracer-json", "ebpftracer-text"):
                runs = res.get(key)
                if runs and any(r.get("rss_kb") for r in runs):
                    P("  %s: resident after start-up %.1f MiB, at the end of the workload %.1f"
                      " MiB (VmRSS), peak %.1f MiB (VmHWM); CPU per event by round %s us;"
                      " binary %s" % (
                          key, med([r["rss_startup_kb"] / 1024 for r in runs
                                    if r.get("rss_startup_kb")]),
                          med([r["rss_kb"] / 1024 for r in runs if r.get("rss_kb")]),
                          med([r["maxrss_kb"] / 1024 for r in runs if r.get("maxrss_kb")]),
                          " ".join("%.3f" % (r["cpu_s"] / r["events"] * 1e6) for r in runs
                                   if r.get("events")), self.args.ebpftracer))
            if wl["name"] == "mkdir" and base_ns and res.get("libebpfpub-noctx"):
                added = []
                for key, what in (("libebpfpub-noctx", "context off"),
                                  ("libebpfpub", "default context"),
                                  ("libebpfpub-anc8", "8 ancestors")):
                    if res.get(key):
                        added.append("%s +%.0f ns" % (
                            what, med([r["ns"] for r in res[key]]) - base_ns))
                P("  process context, added ns per mkdir against untraced: " + ", ".join(added))
            if wl["name"] == "mkdir" and base_ns:
                o = res.get("other-libebpfpub")
                e = res.get("empty")
                oe = res.get("other-empty")
                if o:
                    P("  untraced mkdir while libebpfpub traces only openat: %.2fx untraced%s%s"
                      % (med([r["ns"] for r in o]) / base_ns,
                         ("; while empty programs sit on openat: %.2fx"
                          % (med([r["ns"] for r in oe]) / base_ns)) if oe else "",
                         ("; empty programs on mkdir itself: %.2fx"
                          % (med([r["ns"] for r in e]) / base_ns)) if e else ""))
                rule = res.get("rule-1-in-1000")
                if e and rule:
                    P("  a rule keeping 1 mkdir in 1000 (decided at enter): %.2fx the floor "
                      "(empty programs), %+.0f ns per call over it"
                      % (med([r["ns"] for r in rule]) / med([r["ns"] for r in e]),
                         med([r["ns"] for r in rule]) - med([r["ns"] for r in e])))
                if e and lib:
                    P("  per call: libebpfpub adds %.0f ns, of which %.0f ns is the floor (the "
                      "tracepoints with empty programs) and %.0f ns its programs' work"
                      % (med([r["ns"] for r in lib]) - base_ns, med([r["ns"] for r in e]) - base_ns,
                         med([r["ns"] for r in lib]) - med([r["ns"] for r in e])))
            P("")
        if self.all_syscalls:
            s = self.all_syscalls
            P("== generate+load+attach of every syscall (tracer_bench -t all, %d run%s) =="
              % (len(s), "s" if len(s) > 1 else ""))
            P("  %.2f s for %d of %d syscalls (%.2f ms each; CPU user %.2f s, sys %.2f s);"
              " %d failed" % (
                  med([r["add_all_s"] for r in s]), s[0]["added"], s[0]["available"],
                  med([r["per_syscall_ms"] for r in s]), med([r["add_all_user_s"] for r in s]),
                  med([r["add_all_sys_s"] for r in s]), max(r["failed"] for r in s)))
            P("  detaching them all (ebpfpub_tracer_free): %.1f s" % med([r["teardown_s"] for r in s]))
            P("  kernel memory with every syscall traced: %s (maps of the syscalls: %s);"
              " tracer peak RSS %.0f MiB" % (
                  mib(s[0]["memory_bytes"]), mib(s[0]["memory_tracer_bytes"]),
                  med([r["vm_hwm_kb"] for r in s]) / 1024))
            P("")
        if self.profile:
            P("== run time per BPF program, mkdir (kernel.bpf_stats_enabled via bench/"
              "prog_profile; medians of %d run%s; the statistics add two clock reads per run) =="
              % (len(next(iter(self.profile.values()))),
                 "s" if len(next(iter(self.profile.values()))) > 1 else ""))
            lines.extend(self.profile_lines())
            P("")
        mem = []
        for wl in wls:
            for r in self.results.get(wl["name"], {}).get("libebpfpub", []):
                mem.append((wl["syscall"], r["report"]))
        if mem:
            seen = set()
            parts = []
            for sc, rep in mem:
                if sc in seen:
                    continue
                seen.add(sc)
                parts.append("%s %s (storage %s + output %s + maps %s)" % (
                    sc, mib(rep["memory_bytes"]), mib(rep["memory_storage_bytes"]),
                    mib(rep["memory_output_bytes"]), mib(rep["memory_tracer_bytes"])))
            P("libebpfpub kernel memory at default sizes, one syscall traced: " + "; ".join(parts))
        noisy = [(wl["name"], k, r["foreign"]) for wl in wls
                 for k, runs in self.results.get(wl["name"], {}).items() for r in runs
                 if r.get("noisy")]
        if noisy:
            who = sorted({f for _, _, fs in noisy for f in fs})
            P("NOTE: %d run(s) ran while other processes had syscall tracepoint programs "
              "attached (%s): their figures include that load." % (len(noisy), "; ".join(who[:6])))
        if not shutil.which("bpftool"):
            P("NOTE: bpftool is not installed (apt-get install bpftool): attaching could not be"
              " observed, so start-up is only the ready line's time (tracer_bench, ebpftracer)"
              " or a fixed %.0f s wait (bpftrace, the tools); other processes' syscall tracers"
              " were not looked for (noisy is empty)" % NO_BPFTOOL_WAIT_S)
        for n in self.notes:
            P("NOTE: " + n)
        if self.glance:
            P("")
            P("== regression at a glance (medians; ratio vs untraced, +-: its spread; us/event:"
              " the tracer's CPU per event; RSS start-up: VmRSS once ready; peak RSS: VmHWM) ==")
            lines.extend(self.glance_table())
        return "\n".join(lines)


def wl_mkdir_argv(a, bindir):
    """The mkdir workload as the profile runs it (one thread, the same number of calls)."""
    return [os.path.join(bindir, "workload_mkdir"), str(a.mkdir_calls)]


def med(values):
    values = list(values)
    return statistics.median(values) if values else 0.0


def mib(n):
    return "%.1f MiB" % (n / 1048576.0)


def format_table(rows):
    widths = [max(len(str(r[i])) for r in rows) for i in range(len(rows[0]))]
    out = []
    for j, r in enumerate(rows):
        cells = []
        for i, c in enumerate(r):
            cells.append(str(c).ljust(widths[i]) if i == 0 else str(c).rjust(widths[i]))
        out.append("  " + "  ".join(cells).rstrip())
        if j == 0:
            out.append("  " + "  ".join("-" * w for w in widths))
    return out


def cpu_model():
    for line in read_text("/proc/cpuinfo").splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.machine()


def mem_total():
    for line in read_text("/proc/meminfo").splitlines():
        if line.startswith("MemTotal"):
            return "%.0f GiB RAM" % (int(line.split()[1]) / 1048576.0)
    return "?"


def tool_version():
    try:
        return subprocess.run(["bpftrace", "--version"], capture_output=True,
                              text=True).stdout.strip() or "?"
    except OSError:
        return "not installed"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true",
                    help="short run: 2 rounds, 200k mkdir and openat, 5k connect, 500 exec,"
                         " 1 all-syscalls run")
    ap.add_argument("--rounds", type=int, help="rounds per workload (default 5, --quick 2)")
    ap.add_argument("--mkdir-calls", type=int)
    ap.add_argument("--mkdir-threads", type=int, default=1)
    ap.add_argument("--mkdirat", action="store_true",
                    help="the mkdir workload calls mkdirat (and that is traced): for measuring"
                         " while another process traces mkdir")
    ap.add_argument("--openat-calls", type=int)
    ap.add_argument("--openat-missing", action="store_true",
                    help="the openat workload opens a missing path (ENOENT) instead of an"
                         " existing file (+ close)")
    ap.add_argument("--connect-calls", type=int)
    ap.add_argument("--exec-calls", type=int)
    ap.add_argument("--only", default=",".join(WORKLOADS),
                    help="comma list of %s (default: every one)" % ", ".join(WORKLOADS))
    ap.add_argument("--variants", action="store_true",
                    help="mkdir also with libebpfpub's perf output and page_exp 4/12, and with"
                         " bpftrace running empty programs")
    ap.add_argument("--context", action="store_true",
                    help="mkdir also with the process context off and with 8 ancestors "
                         "(added ns per call against untraced)")
    ap.add_argument("--build-dir", default=os.path.join(ROOT, "build"))
    ap.add_argument("--ebpftracer", help="the ebpftracer to measure (default: BUILD_DIR/tools/"
                    "ebpftracer/ebpftracer)")
    ap.add_argument("--modes", help="comma list of mode keys to run (untraced, libebpfpub,"
                    " ebpftracer-json, ebpftracer-text, bpftrace, empty, other-libebpfpub,"
                    " other-empty, ...); default: all")
    ap.add_argument("--attach-timeout", type=float, default=60.0)
    ap.add_argument("--drain-timeout", type=float, default=10.0)
    ap.add_argument("--workload-timeout", type=int, default=600)
    ap.add_argument("--quiet-timeout", type=float, default=60.0,
                    help="wait this long for other processes' syscall tracers to go away before"
                         " each run (then run anyway, flagged noisy)")
    ap.add_argument("--settle", type=float, default=0.3,
                    help="seconds between a tracer's ready line and the sample of its resident"
                         " set after start-up (and the start of the workload)")
    ap.add_argument("--pause", type=float, default=0.5, help="seconds between runs")
    ap.add_argument("--json", help="also write the raw results to this file")
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory")
    ap.add_argument("-q", "--quiet", action="store_true", help="no progress on stderr")
    ap.add_argument("--pin", action="store_true",
                    help="run the workload on the first CPU and the tracers on the others "
                         "(less noise from both sharing a CPU; not how a user runs them)")
    args = ap.parse_args()
    args.only = set(args.only.split(","))
    args.modes = set(args.modes.split(",")) if args.modes else None
    if args.ebpftracer is None:
        args.ebpftracer = os.path.join(args.build_dir, "tools", "ebpftracer", "ebpftracer")
    args.ebpftracer = os.path.abspath(args.ebpftracer)
    if args.rounds is None:
        args.rounds = 2 if args.quick else 5
    if args.pin:
        cpus = sorted(os.sched_getaffinity(0))
        if len(cpus) < 2:
            ap.error("--pin needs two CPUs or more; this process may run on %d" % len(cpus))
        PIN["workload"], PIN["tracer"] = {cpus[0]}, set(cpus[1:])
    if args.mkdir_calls is None:
        args.mkdir_calls = 200000 if args.quick else 1000000
    if args.openat_calls is None:
        args.openat_calls = 200000 if args.quick else 1000000
    if args.connect_calls is None:
        args.connect_calls = 5000 if args.quick else 20000
    if args.exec_calls is None:
        args.exec_calls = 500 if args.quick else 2000

    if os.geteuid() != 0:
        sys.exit("run.py: run as root (loading BPF programs needs it)")
    unknown = args.only - set(WORKLOADS)
    if unknown:
        sys.exit("run.py: --only: unknown %s (known: %s)" % (",".join(sorted(unknown)),
                                                            ",".join(WORKLOADS)))
    for exe in ("workload_mkdir", "workload_openat", "workload_connect", "workload_exec",
                "tracer_bench",
                "empty_tracer", "prog_profile"):
        if not os.access(os.path.join(args.build_dir, "bench", exe), os.X_OK):
            sys.exit("run.py: %s/bench/%s is missing: run scripts/bootstrap.sh (or ninja -C build)"
                     % (args.build_dir, exe))

    # SIGTERM/SIGHUP: unwind through the finally blocks like Ctrl-C does.
    def on_term(sig, frame):
        raise KeyboardInterrupt
    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGHUP, on_term)

    b = Bench(args)
    try:
        b.run_all()
        text = b.report(b.wls)
        if args.json:
            with open(args.json, "w") as f:
                json.dump({"results": b.results, "unavailable": b.unavailable,
                           "all_syscalls": b.all_syscalls,
                           "profile": [{"setup": k[0], "program": k[1], "runs": v}
                                       for k, v in b.profile.items()],
                           "args": vars(args)}, f, indent=1,
                          default=str)
    finally:
        cleanup_all()
        if args.keep:
            print("run.py: temporary files kept in %s" % b.tmp, file=sys.stderr)
        else:
            shutil.rmtree(b.tmp, ignore_errors=True)
    print(text)

if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit("run.py: interrupted; every process it had started was stopped")
