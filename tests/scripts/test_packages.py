#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Packaging test (suite 'packaging', root).

1. The install tags of the build directory: `meson install --tags runtime|devel|man` each
   install exactly their part (the library / headers, .so link and .pc / the man page).
2. scripts/build-packages.sh builds the .deb and .rpm packages into a temporary directory;
   lintian reports no error.
3. Debian: the three .debs hold the right files and dependencies; `apt-get install` them;
   the example agent (examples/agent, copied outside the source tree) builds with nothing but
   pkg-config against the installed headers and libebpfpub.pc, and reports an execve and a
   connect that this test makes; /usr/bin/ebpftracer --version and `man -w ebpftracer` work;
   ebpftracer.service passes `systemd-analyze verify`, is not enabled, and its ExecStart line
   runs against the installed example rules; `dpkg --purge` removes every file that
   `dpkg -L` listed.
4. RPM: `rpm -qpl` / `rpm -qpR` / `rpm -qp --provides` show the right files and the
   automatically generated dependencies; `rpm --root DIR -i --nodeps` installs them into a
   temporary root, from which ebpftracer --help runs (LD_LIBRARY_PATH) and the agent builds
   (PKG_CONFIG_SYSROOT_DIR).

Exit 0 pass, 1 fail, 77 skip (not root, or a packaging tool missing; with CI=true a skip is a
failure).
"""
import os
import platform
import queue
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

SOURCE_ROOT = os.environ.get(
    "EBPFPUB_SOURCE_ROOT", os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
BUILD_ROOT = os.environ.get("EBPFPUB_BUILD_ROOT", os.path.join(SOURCE_ROOT, "build"))
DEB_PACKAGES = ["libebpfpub0", "libebpfpub-dev", "ebpftracer"]
EXAMPLE_RULES = ["pidtree-private-subnets.yaml", "bpfd-shadow-file.yaml", "bpfd-setuid.yaml",
                 "kill-rule.yaml", "container-mount.yaml"]
RPM_PACKAGES = ["libebpfpub", "libebpfpub-devel", "ebpftracer"]
T0 = time.monotonic()

failures = []


def log(msg):
    print(f"[{time.monotonic() - T0:6.1f}s] {msg}", flush=True)


def fail(msg):
    failures.append(msg)
    print("FAIL: " + msg, file=sys.stderr, flush=True)


def check(cond, msg):
    if not cond:
        fail(msg)
    return bool(cond)


def skip(msg):
    if os.environ.get("CI") == "true":
        print("FAIL (skip not allowed with CI=true): " + msg, file=sys.stderr)
        sys.exit(1)
    print("SKIP: " + msg, file=sys.stderr)
    sys.exit(77)


class Abort(Exception):
    """A failure after which the rest of a section cannot run."""


def run(argv, check_rc=True, env=None, cwd=None, timeout=300):
    p = subprocess.run(argv, capture_output=True, text=True, env=env, cwd=cwd, timeout=timeout)
    if check_rc and p.returncode != 0:
        raise Abort(f"{' '.join(argv)} exited {p.returncode}:\n{p.stdout[-3000:]}\n{p.stderr[-3000:]}")
    return p


def project_version():
    with open(os.path.join(SOURCE_ROOT, "meson.build"), encoding="utf-8") as f:
        m = re.search(r"^\s*version:\s*'([0-9.]+)'", f.read(), flags=re.M)
    return m.group(1)


def multiarch():
    return run(["dpkg-architecture", "-qDEB_HOST_MULTIARCH"]).stdout.strip()


# ------------------------------------------------------------------------------------------
# 1. Install tags


def check_install_tags(version):
    log("install tags of the build directory")
    if not os.path.exists(os.path.join(BUILD_ROOT, "build.ninja")):
        fail(f"{BUILD_ROOT} is not a configured build directory")
        return
    want = {
        "runtime": [r"/libebpfpub\.so\.0$", r"/libebpfpub\.so\.%s$" % re.escape(version)],
        "devel": [r"/include/ebpfpub/ebpfpub\.h$", r"/include/ebpfpub/version\.h$",
                  r"/libebpfpub\.so$", r"/libebpfpub\.a$", r"/pkgconfig/libebpfpub\.pc$"],
        "man": [],
    }
    tools_built = os.path.exists(os.path.join(BUILD_ROOT, "tools", "ebpftracer", "ebpftracer"))
    if tools_built:
        want["runtime"] += [r"/bin/ebpftracer$", r"/systemd/system/ebpftracer\.service$"]
        want["man"].append(r"/man1/ebpftracer\.1$")
    else:
        fail("build/tools/ebpftracer/ebpftracer does not exist: ebpftracer is not built")
    with tempfile.TemporaryDirectory(prefix="ebpfpub-tags.") as tmp:
        for tag, patterns in want.items():
            dest = os.path.join(tmp, tag)
            p = run(["meson", "install", "-C", BUILD_ROOT, "--no-rebuild", "--tags", tag,
                     "--destdir", dest], check_rc=False)
            if not check(p.returncode == 0, f"meson install --tags {tag}: {p.stderr.strip()}"):
                continue
            files = []
            for root, _, names in os.walk(dest):
                files += [os.path.join(root, n)[len(dest):] for n in names]
            for pat in patterns:
                check(any(re.search(pat, f) for f in files),
                      f"meson install --tags {tag} did not install {pat} (got {sorted(files)})")
            for f in files:
                check(any(re.search(pat, f) for pat in patterns),
                      f"meson install --tags {tag} installed {f}, which does not belong there")


# ------------------------------------------------------------------------------------------
# 3. Debian packages


def deb_files(path):
    """Regular files and links in a .deb, as absolute paths."""
    p = subprocess.run(["dpkg-deb", "-c", path], capture_output=True, text=True, check=True)
    files = []
    for line in p.stdout.splitlines():
        parts = line.split()
        if not parts or parts[0].startswith("d"):
            continue
        name = parts[5]
        files.append(name[1:] if name.startswith("./") else name)
    return files


def check_deb_contents(debs, version, ma):
    log("contents and dependencies of the .debs")
    libdir = f"/usr/lib/{ma}"
    expect = {
        "libebpfpub0": [f"{libdir}/libebpfpub.so.0", f"{libdir}/libebpfpub.so.{version}"],
        "libebpfpub-dev": ["/usr/include/ebpfpub/ebpfpub.h", "/usr/include/ebpfpub/version.h",
                           f"{libdir}/libebpfpub.so", f"{libdir}/libebpfpub.a",
                           f"{libdir}/pkgconfig/libebpfpub.pc"],
        "ebpftracer": ["/usr/bin/ebpftracer", "/usr/share/man/man1/ebpftracer.1.gz",
                       "/lib/systemd/system/ebpftracer.service"]
                      + [f"/usr/share/doc/ebpftracer/examples/rules/{r}" for r in EXAMPLE_RULES],
    }
    for pkg, want in expect.items():
        files = deb_files(debs[pkg])
        for f in want:
            check(f in files, f"{pkg}.deb lacks {f} (has {files})")
        for f in files:
            check(f in want or f.startswith(f"/usr/share/doc/{pkg}/") or f.startswith("/usr/share/lintian/"),
                  f"{pkg}.deb holds {f}, which belongs to no part of it")
    dep = {pkg: run(["dpkg-deb", "-f", debs[pkg], "Depends"]).stdout.strip() for pkg in debs}
    for lib in ("libllvm19", "libbpf1", "libelf1", "zlib1g", "libc6"):
        check(re.search(r"\b%s\b" % re.escape(lib), dep["libebpfpub0"]),
              f"libebpfpub0 does not depend on {lib}: {dep['libebpfpub0']}")
    check(f"libebpfpub0 (= {version}-" in dep["libebpfpub-dev"],
          f"libebpfpub-dev does not depend on the same libebpfpub0: {dep['libebpfpub-dev']}")
    check("libc6" in dep["ebpftracer"], f"ebpftracer's Depends lacks the shlibs: {dep['ebpftracer']}")
    # The tool's dependencies follow what it links: libebpfpub0 when it links the library.
    with tempfile.TemporaryDirectory(prefix="ebpfpub-deb.") as tmp:
        run(["dpkg-deb", "-x", debs["ebpftracer"], tmp])
        needed = elf_needed(os.path.join(tmp, "usr/bin/ebpftracer"))
        if "libebpfpub.so.0" in needed:
            check(re.search(r"\blibebpfpub0 \(>= ", dep["ebpftracer"]),
                  f"ebpftracer links libebpfpub.so.0 but Depends is {dep['ebpftracer']}")
    # The symbols file made it into the library package.
    ctl = run(["dpkg-deb", "-I", debs["libebpfpub0"], "symbols"], check_rc=False).stdout
    check("ebpfpub_tracer_new@LIBEBPFPUB_0.1" in ctl, "libebpfpub0.deb has no symbols control file")
    check(re.search(r"^libebpfpub 0 libebpfpub0", run(["dpkg-deb", "-I", debs["libebpfpub0"], "shlibs"],
                                                       check_rc=False).stdout, flags=re.M),
          "libebpfpub0.deb has no shlibs entry for libebpfpub.so.0")


def elf_needed(path):
    p = run(["readelf", "-d", path])
    return re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", p.stdout)


def installed(pkg):
    p = subprocess.run(["dpkg-query", "-W", "-f=${Status}", pkg], capture_output=True, text=True)
    return p.returncode == 0 and "ok installed" in p.stdout


def purge_all():
    present = [p for p in DEB_PACKAGES if subprocess.run(
        ["dpkg-query", "-W", p], capture_output=True).returncode == 0]
    if present:
        run(["dpkg", "--purge"] + present, check_rc=False)
    return present


def line_reader(stream, q):
    for line in iter(stream.readline, ""):
        q.put(line.rstrip("\n"))
    q.put(None)


def wait_for(q, lines, pred, timeout):
    """Collects lines from Q into LINES until PRED(line) or TIMEOUT; returns the match."""
    deadline = time.monotonic() + timeout
    for line in lines:
        if pred(line):
            return line
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return None
        try:
            line = q.get(timeout=left)
        except queue.Empty:
            return None
        if line is None:
            return None
        lines.append(line)
        if pred(line):
            return line


def closed_port():
    """A TCP port on 127.0.0.1 that nothing listens on."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def build_agent(tmp, env, label):
    d = os.path.join(tmp, "agent-" + label)
    shutil.copytree(os.path.join(SOURCE_ROOT, "examples", "agent"), d)
    for junk in ("agent", "agent.o"):
        if os.path.exists(os.path.join(d, junk)):
            os.unlink(os.path.join(d, junk))
    p = run(["make", "-C", d], check_rc=False, env=env)
    if not check(p.returncode == 0 and os.path.exists(os.path.join(d, "agent")),
                 f"building the agent ({label}) failed:\n{p.stdout}\n{p.stderr}"):
        raise Abort(f"no agent ({label})")
    return os.path.join(d, "agent")


def clean_env():
    env = dict(os.environ)
    for k in ("PKG_CONFIG_PATH", "PKG_CONFIG_LIBDIR", "PKG_CONFIG_SYSROOT_DIR", "LD_LIBRARY_PATH",
              "CPATH", "C_INCLUDE_PATH", "LIBRARY_PATH", "CFLAGS", "LDFLAGS", "CPPFLAGS"):
        env.pop(k, None)
    env["LC_ALL"] = "C"
    return env


def run_agent(agent, env):
    log("agent: tracing an execve and a connect")
    proc = subprocess.Popen([agent, "--duration", "60"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)
    q = queue.Queue()
    threading.Thread(target=line_reader, args=(proc.stdout, q), daemon=True).start()
    errq = queue.Queue()
    threading.Thread(target=line_reader, args=(proc.stderr, errq), daemon=True).start()
    lines = []
    try:
        if not wait_for(q, lines, lambda l: l == "ready", 30):
            proc.kill()
            proc.wait()
            err = []
            while True:
                try:
                    e = errq.get(timeout=1)
                except queue.Empty:
                    break
                if e is None:
                    break
                err.append(e)
            fail("the agent never printed 'ready'; stdout: %r; stderr: %r" % (lines, err))
            return
        token = "pkgtest-%d-%d" % (os.getpid(), int(time.time()))
        echo = subprocess.Popen(["/bin/echo", "ebpfpub", token, "two words"], stdout=subprocess.DEVNULL)
        echo.wait()
        port = closed_port()
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            s.connect(("127.0.0.1", port))
            fail(f"connect to 127.0.0.1:{port} succeeded: something listens there")
            errno_seen = 0
        except ConnectionRefusedError:
            errno_seen = 111
        finally:
            s.close()
        exec_re = re.compile(r"^execve pid=%d exit=0 argv=\['/bin/echo','ebpfpub','%s','two words'\]$"
                             % (echo.pid, re.escape(token)))
        conn_line = "connect pid=%d exit=-%d addr=127.0.0.1:%d" % (os.getpid(), errno_seen or 111, port)
        got_exec = wait_for(q, lines, lambda l: bool(exec_re.match(l)), 15)
        got_conn = wait_for(q, lines, lambda l: l == conn_line, 15)
        check(echo.returncode == 0, "/bin/echo failed")
        check(got_exec, "the agent did not report /bin/echo's execve; its execve lines: %r" %
              [l for l in lines if token in l or l.startswith("execve pid") and "echo" in l][:20])
        check(got_conn, "the agent did not report %r; its connect lines: %r" %
              (conn_line, [l for l in lines if l.startswith("connect")][:20]))
        for l in lines:
            check(l == "ready" or re.match(r"^(execve|connect) pid=\d+ exit=-?\d+ ", l),
                  f"the agent printed an unexpected line: {l!r}")
        proc.send_signal(signal.SIGINT)
        try:
            rc = proc.wait(timeout=15)
            check(rc == 0, f"the agent exited {rc} on SIGINT")
        except subprocess.TimeoutExpired:
            fail("the agent did not stop within 15 s of SIGINT")
        log(f"agent: {got_exec!r}, {got_conn!r}")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_deb(outdir, version, tmp):
    ma = multiarch()
    arch = run(["dpkg", "--print-architecture"]).stdout.strip()
    debs = {}
    for pkg in DEB_PACKAGES:
        path = os.path.join(outdir, f"{pkg}_{version}-1_{arch}.deb")
        if check(os.path.exists(path), f"{path} was not built"):
            debs[pkg] = path
    if len(debs) != len(DEB_PACKAGES):
        raise Abort("missing .deb packages")
    check_deb_contents(debs, version, ma)

    # Nothing from a source install may shadow the packaged files for pkg-config or the
    # compiler.
    for shadow in ("/usr/local/include/ebpfpub", f"/usr/local/lib/{ma}/pkgconfig/libebpfpub.pc",
                   "/usr/local/lib/pkgconfig/libebpfpub.pc"):
        check(not os.path.exists(shadow), f"{shadow} exists (a meson install to /usr/local?): "
              "it would shadow the packaged files; remove it")

    leftovers = purge_all()
    if leftovers:
        log(f"purged packages left installed by an earlier run: {leftovers}")
    log("apt-get install the .debs")
    env = clean_env()
    env["DEBIAN_FRONTEND"] = "noninteractive"
    run(["apt-get", "install", "-y", "--no-install-recommends"] + [debs[p] for p in DEB_PACKAGES],
        env=env, timeout=240)
    try:
        listed = {}
        for pkg in DEB_PACKAGES:
            check(installed(pkg), f"{pkg} is not installed after apt-get install")
            listed[pkg] = [f for f in run(["dpkg", "-L", pkg]).stdout.splitlines()
                           if f and os.path.lexists(f) and not os.path.isdir(f)]
            check(listed[pkg], f"dpkg -L {pkg} lists no file")

        env = clean_env()
        pc = run(["pkg-config", "--variable=pcfiledir", "libebpfpub"], env=env, check_rc=False)
        check(pc.stdout.strip() == f"/usr/lib/{ma}/pkgconfig",
              f"pkg-config finds libebpfpub.pc in {pc.stdout.strip()!r}{pc.stderr.strip()}, not the package's")
        check(run(["pkg-config", "--modversion", "libebpfpub"], env=env).stdout.strip() == version,
              "pkg-config --modversion libebpfpub is not the project's version")
        libs = run(["pkg-config", "--libs", "libebpfpub"], env=env).stdout.split()
        check(libs == ["-lebpfpub"], f"pkg-config --libs libebpfpub is {libs}: LLVM, libbpf, libelf "
              "and zlib must stay private")
        static = run(["pkg-config", "--static", "--libs", "libebpfpub"], env=env).stdout
        check("-lbpf" in static and "-lelf" in static and "-lz" in static and "LLVM" in static,
              f"pkg-config --static --libs libebpfpub lacks the private libraries: {static}")

        agent = build_agent(tmp, env, "deb")
        ldd = run(["ldd", agent], env=env).stdout
        m = re.search(r"libebpfpub\.so\.0 => (\S+)", ldd)
        check(m and os.path.realpath(m.group(1)) == os.path.realpath(f"/usr/lib/{ma}/libebpfpub.so.0"),
              f"the agent does not load the packaged libebpfpub.so.0:\n{ldd}")
        run_agent(agent, env)

        p = run(["/usr/bin/ebpftracer", "--version"], check_rc=False, env=env)
        check(p.returncode == 0 and version in p.stdout + p.stderr,
              f"/usr/bin/ebpftracer --version: exit {p.returncode}, {p.stdout!r} {p.stderr!r}")
        p = run(["man", "-w", "ebpftracer"], check_rc=False, env=env)
        check(p.returncode == 0 and p.stdout.strip() == "/usr/share/man/man1/ebpftracer.1.gz",
              f"man -w ebpftracer: exit {p.returncode}, {p.stdout!r} {p.stderr!r}")
        p = run(["man", "-P", "cat", "ebpftracer"], check_rc=False, env=dict(env, MANWIDTH="80"))
        check(p.returncode == 0 and "ebpftracer" in p.stdout, f"man ebpftracer fails: {p.stderr!r}")
        check_unit("/lib/systemd/system/ebpftracer.service", "/usr/share/doc/ebpftracer/examples/rules", env)
    finally:
        log("dpkg --purge")
        p = run(["dpkg", "--purge"] + DEB_PACKAGES[::-1], check_rc=False)
        check(p.returncode == 0, f"dpkg --purge failed: {p.stderr}")
    for pkg in DEB_PACKAGES:
        check(not installed(pkg), f"{pkg} is still installed after dpkg --purge")
        for f in listed.get(pkg, []):
            check(not os.path.lexists(f), f"{f} (from {pkg}) is left after dpkg --purge")
    for d in ("/usr/include/ebpfpub", "/usr/share/doc/libebpfpub0", "/usr/share/doc/libebpfpub-dev",
              "/usr/share/doc/ebpftracer"):
        check(not os.path.exists(d), f"{d} is left after dpkg --purge")
    check("libebpfpub" not in run(["ldconfig", "-p"]).stdout, "ldconfig still knows libebpfpub")


def check_unit(unit, examples, env):
    """The installed unit: systemd-analyze verify passes, the package did not enable it, the
    rules directory exists, and its ExecStart line, run directly against the installed
    example rules, loads them and reports ready."""
    import shlex
    log("the systemd unit")
    if not check(os.path.exists(unit), f"{unit} is not installed"):
        return
    check(os.path.isdir("/etc/ebpftracer/rules.d"), "/etc/ebpftracer/rules.d is not installed")
    if shutil.which("systemd-analyze"):
        p = run(["systemd-analyze", "verify", unit], check_rc=False, env=env)
        check(p.returncode == 0, f"systemd-analyze verify {unit}: {p.stdout}{p.stderr}")
    else:
        fail("systemd-analyze is missing (scripts/bootstrap.sh installs systemd)")
    wants = "/etc/systemd/system/multi-user.target.wants/ebpftracer.service"
    check(not os.path.lexists(wants), f"the package enabled the unit ({wants})")
    with open(unit, encoding="utf-8") as f:
        text = f.read()
    lines = [l[len("ExecStart="):] for l in text.splitlines() if l.startswith("ExecStart=")]
    if not check(len(lines) == 1, f"{unit} has {len(lines)} ExecStart lines"):
        return
    argv = shlex.split(lines[0])
    check("/etc/ebpftracer/rules.d" in argv, f"ExecStart does not read /etc/ebpftracer/rules.d: {argv}")
    argv = [examples if a == "/etc/ebpftracer/rules.d" else a for a in argv] + ["--duration", "1"]
    p = run(argv, check_rc=False, env=env)
    check(p.returncode == 0 and "Ready: tracing " in p.stderr and "rule outbound-connect: " in p.stderr,
          f"{' '.join(argv)}: exit {p.returncode}: {p.stderr[-2000:]}")


# ------------------------------------------------------------------------------------------
# 4. RPM packages


def rpm_query(path, what):
    return [l for l in run(["rpm", "-qp"] + what + [path]).stdout.splitlines() if l.strip()]


def test_rpm(outdir, version, tmp):
    arch = platform.machine()
    rpms = {}
    for pkg in RPM_PACKAGES:
        path = os.path.join(outdir, f"{pkg}-{version}-1.{arch}.rpm")
        if check(os.path.exists(path), f"{path} was not built"):
            rpms[pkg] = path
    if len(rpms) != len(RPM_PACKAGES):
        raise Abort("missing .rpm packages")
    log("contents and dependencies of the .rpms")
    libdir = run(["rpm", "--eval", "%{_libdir}"]).stdout.strip()
    expect = {
        "libebpfpub": [f"{libdir}/libebpfpub.so.0", f"{libdir}/libebpfpub.so.{version}"],
        "libebpfpub-devel": ["/usr/include/ebpfpub/ebpfpub.h", "/usr/include/ebpfpub/version.h",
                             f"{libdir}/libebpfpub.so", f"{libdir}/libebpfpub.a",
                           f"{libdir}/pkgconfig/libebpfpub.pc"],
        "ebpftracer": ["/usr/bin/ebpftracer", "/usr/lib/systemd/system/ebpftracer.service",
                       "/etc/ebpftracer", "/etc/ebpftracer/rules.d"]
                      + [f"/usr/share/doc/ebpftracer/examples/rules/{r}" for r in EXAMPLE_RULES],
    }
    files = {}
    for pkg, want in expect.items():
        files[pkg] = rpm_query(rpms[pkg], ["-l"])
        for f in want:
            check(f in files[pkg], f"{pkg}.rpm lacks {f} (has {files[pkg]})")
        for f in files[pkg]:
            check(f in want or f.startswith(("/usr/share/doc/", "/usr/share/licenses/", "/usr/lib/.build-id",
                                             "/usr/include/ebpfpub"))
                  or re.match(r"^/usr/share/man/man1/ebpftracer\.1(\.gz|\.xz|\.bz2)?$", f),
                  f"{pkg}.rpm holds {f}, which belongs to no part of it")
    check(any(re.match(r"^/usr/share/man/man1/ebpftracer\.1", f) for f in files["ebpftracer"]),
          f"ebpftracer.rpm has no man page: {files['ebpftracer']}")
    check(not any(re.search(r"\.(h|pc)$|/libebpfpub\.so$", f) for f in files["libebpfpub"]),
          "libebpfpub.rpm holds development files")

    req = {p: rpm_query(rpms[p], ["-R"]) for p in rpms}
    prov = {p: rpm_query(rpms[p], ["--provides"]) for p in rpms}
    for soname in ("libLLVM", "libbpf.so.1", "libelf.so.1", "libz.so.1", "libc.so.6"):
        check(any(r.startswith(soname) for r in req["libebpfpub"]),
              f"libebpfpub.rpm does not require {soname}: {req['libebpfpub']}")
    for p in ("libebpfpub.so.0()(64bit)", "libebpfpub.so.0(LIBEBPFPUB_0.1)(64bit)"):
        check(p in prov["libebpfpub"], f"libebpfpub.rpm does not provide {p}: {prov['libebpfpub']}")
    check(f"pkgconfig(libebpfpub) = {version}" in prov["libebpfpub-devel"],
          f"libebpfpub-devel.rpm does not provide pkgconfig(libebpfpub): {prov['libebpfpub-devel']}")
    for p in ("pkgconfig(libbpf)", "pkgconfig(libelf)", "pkgconfig(zlib)"):
        check(any(r.startswith(p) for r in req["libebpfpub-devel"]),
              f"libebpfpub-devel.rpm does not require {p}: {req['libebpfpub-devel']}")
    check(any(re.match(r"^libebpfpub(\(x86-64\))? = %s-1$" % re.escape(version), r)
              for r in req["libebpfpub-devel"]),
          f"libebpfpub-devel.rpm does not require the same libebpfpub: {req['libebpfpub-devel']}")

    root = os.path.join(tmp, "rpmroot")
    os.makedirs(root)
    log(f"rpm --root {root} -i --nodeps")
    run(["rpm", "--root", root, "-i", "--nodeps"] + [rpms[p] for p in RPM_PACKAGES])
    qa = run(["rpm", "--root", root, "-qa"]).stdout.split()
    for pkg in RPM_PACKAGES:
        check(any(q.startswith(f"{pkg}-{version}-1") for q in qa), f"{pkg} is not in the rpm database of {root}")
    for pkg in RPM_PACKAGES:
        for f in files[pkg]:
            check(os.path.lexists(root + f), f"{f} of {pkg}.rpm is not installed under {root}")

    # Every library the installed binary needs is required by its package.
    tool = os.path.join(root, "usr/bin/ebpftracer")
    for soname in elf_needed(tool):
        check(any(r.startswith(soname + "(") for r in req["ebpftracer"]),
              f"ebpftracer links {soname} but its rpm does not require it: {req['ebpftracer']}")

    env = clean_env()
    env["LD_LIBRARY_PATH"] = root + libdir
    p = run([tool, "--help"], check_rc=False, env=env)
    check(p.returncode == 0 and "ebpftracer" in p.stdout + p.stderr,
          f"{tool} --help: exit {p.returncode}, {p.stdout[-500:]!r} {p.stderr[-500:]!r}")
    ldd = run(["ldd", tool], env=env).stdout
    if "libebpfpub.so.0" in ldd:
        check(f"{root}{libdir}/libebpfpub.so.0" in ldd,
              f"{tool} does not load the libebpfpub.so.0 of the rpm root:\n{ldd}")

    # The agent builds against the rpm root through pkg-config alone.
    env = clean_env()
    env["PKG_CONFIG_PATH"] = root + libdir + "/pkgconfig"
    env["PKG_CONFIG_SYSROOT_DIR"] = root
    agent = build_agent(tmp, env, "rpm")
    env = clean_env()
    env["LD_LIBRARY_PATH"] = root + libdir
    p = run([agent, "--help"], check_rc=False, env=env)
    check(p.returncode == 0 and version in p.stdout, f"agent --help (rpm root): {p.stdout!r} {p.stderr!r}")

    run(["rpm", "--root", root, "-e", "--nodeps"] + RPM_PACKAGES[::-1])
    for pkg in RPM_PACKAGES:
        for f in files[pkg]:
            if not f.startswith("/usr/lib/.build-id"):
                check(not os.path.lexists(root + f), f"{f} is left under {root} after rpm -e")


# ------------------------------------------------------------------------------------------


def main():
    if os.geteuid() != 0:
        skip("needs root (dpkg -i, loading BPF programs)")
    tools = ["dpkg-buildpackage", "dh", "fakeroot", "lintian", "rpmbuild", "rpm", "apt-get", "make",
             "pkg-config", "man", "meson", "readelf"]
    missing = [t for t in tools if not shutil.which(t)]
    if missing:
        skip(f"missing {' '.join(missing)} (scripts/bootstrap.sh installs them)")
    if not (os.path.isdir("/sys/kernel/tracing/events/syscalls")
            or os.path.isdir("/sys/kernel/debug/tracing/events/syscalls")):
        skip("tracefs is not mounted")

    version = project_version()
    check_install_tags(version)

    with tempfile.TemporaryDirectory(prefix="ebpfpub-packages.") as tmp:
        outdir = os.path.join(tmp, "out")
        log("scripts/build-packages.sh (deb + rpm)")
        t = time.monotonic()
        p = run([os.path.join(SOURCE_ROOT, "scripts", "build-packages.sh"), outdir],
                check_rc=False, timeout=420)
        log(f"packages built in {time.monotonic() - t:.1f}s")
        if p.returncode != 0:
            fail(f"scripts/build-packages.sh exited {p.returncode}:\n{p.stderr[-4000:]}")
            return
        print(p.stderr, end="")
        lint = os.path.join(outdir, "lintian.txt")
        if check(os.path.exists(lint), "build-packages.sh wrote no lintian.txt"):
            with open(lint, encoding="utf-8", errors="replace") as f:
                errors = [l for l in f if l.startswith("E: ")]
            check(not errors, "lintian errors:\n" + "".join(errors))

        for name, fn in (("deb", test_deb), ("rpm", test_rpm)):
            try:
                fn(outdir, version, tmp)
            except Abort as e:
                fail(f"{name}: {e}")
            except subprocess.TimeoutExpired as e:
                fail(f"{name}: timed out: {e}")


if __name__ == "__main__":
    try:
        main()
    finally:
        log("done")
    if failures:
        print(f"{len(failures)} failure(s)", file=sys.stderr)
        sys.exit(1)
    sys.exit(0)
