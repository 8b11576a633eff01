"""The Linux baseline guest (docs/baselines.md): Debian's kernel and an initramfs of our own —
busybox-static, the static benchmark programs of baselines/linux/, the MPI ping-pong and bulk
transfer built with Open MPI's mpicc and everything Open MPI loads — and its boot in the
measurement mode."""
import glob
import hashlib
import json
import os
import stat
import subprocess
import time

import runner
from errors import UserError
from paths import EXPERIMENTS, ROOT

SOURCES = os.path.join(ROOT, "baselines", "linux")
BUSYBOX = "/bin/busybox"  # from busybox-static (which replaces the dynamically linked busybox)
OPENMPI_PLUGINS = ["/usr/lib/x86_64-linux-gnu/openmpi/lib/openmpi3", "/usr/lib/x86_64-linux-gnu/pmix2/lib/pmix"]
# Read by Open MPI and PMIx at start-up (MCA defaults, help texts); the loader's cache.
OPENMPI_DATA = ["/etc/openmpi", "/usr/share/openmpi", "/usr/share/pmix", "/etc/ld.so.cache"]
CFLAGS = ["-O2", "-Wall", "-Wextra", "-Werror"]
# The machine of runner.QEMU_MACHINE, which Linux boots as it is (docs/baselines.md).
QEMU_MACHINE = runner.QEMU_MACHINE
CMDLINE = "console=ttyS0 quiet panic=-1"
# The ipclab MPI programs built with Open MPI's mpicc, unchanged: {name in /bench: source}.
MPI_PROGRAMS = {"pingpong_mpi": os.path.join(EXPERIMENTS, "pingpong", "pingpong_mpi.c"),
                "bulk_mpi": os.path.join(EXPERIMENTS, "bulk", "bulk_mpi.c")}


def kernel_image():
    """The newest /boot/vmlinuz-* (Debian's linux-image-amd64), or None."""
    found = glob.glob("/boot/vmlinuz-*")
    key = lambda p: [(0, int(x), "") if x.isdigit() else (1, 0, x) for x in p.replace("-", ".").split(".")]
    return max(found, key=key) if found else None


def _run(cmd):
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        raise UserError("'%s' failed:\n%s%s" % (" ".join(cmd), p.stdout[-3000:], p.stderr[-3000:]))
    return p.stdout


def openmpi_version():
    for line in _run(["ompi_info", "--version"]).splitlines():
        if line.startswith("Open MPI"):
            return line.split()[-1].lstrip("v")
    return "unknown"


def _inputs_hash(kernel):
    """Hash of everything the initramfs and the boot depend on: the builder, the program
    sources, the kernel image, busybox, the compilers and the Open MPI installation."""
    h = hashlib.sha256()
    files = sorted(p for p in glob.glob(os.path.join(SOURCES, "*")) if os.path.isfile(p)) + [
        __file__, os.path.join(EXPERIMENTS, "common", "bench_stats.h"),
        os.path.join(EXPERIMENTS, "bulk", "bulk_common.h")] + list(MPI_PROGRAMS.values()) + [kernel, BUSYBOX]
    for path in files:
        h.update(path.encode() + b"\0")
        with open(path, "rb") as f:
            h.update(hashlib.sha256(f.read()).digest())
    for cmd in (["gcc", "--version"], ["mpicc", "--showme"], ["ompi_info", "--version"]):
        h.update(_run(cmd).encode())
    return h.hexdigest()


def _compile(out_dir):
    """{image path: host path} of the benchmark programs, built into out_dir."""
    c = lambda n: os.path.join(SOURCES, n)
    programs = {"lx_pingpong": [c("lx_pingpong.c"), c("lx_streams.c"), c("lx_mq.c"), c("lx_futex.c")],
                "lx_syscall": [c("lx_syscall.c")],
                "lx_bulk": [c("lx_bulk.c"), c("lx_ring.c"), c("lx_streams.c")]}
    built = {}
    for name, sources in programs.items():
        built["/bench/" + name] = os.path.join(out_dir, name)
        _run(["gcc", "-static"] + CFLAGS + ["-o", built["/bench/" + name]] + sources)
    # Open MPI's mpicc links against its shared libraries (Debian ships no static libmpi).
    for name, source in MPI_PROGRAMS.items():
        built["/bench/" + name] = os.path.join(out_dir, name)
        _run(["mpicc"] + CFLAGS + ["-o", built["/bench/" + name], source])
    return built


def _shared_libraries(binary):
    """Paths of the shared libraries `binary` loads, as ldd resolves them."""
    out, paths = _run(["ldd", binary]), []
    for line in out.splitlines():
        words = line.split()
        if "=>" in words and "not found" in line:
            raise UserError(binary + " needs a library that is not installed: " + line.strip())
        if "=>" in words and len(words) > words.index("=>") + 1 and words[words.index("=>") + 1].startswith("/"):
            paths.append(words[words.index("=>") + 1])
        elif words and words[0].startswith("/"):
            paths.append(words[0])  # the dynamic loader
    return paths


class Image:
    """The initramfs's entries, {path: ("dir",) or ("file", host path, mode) or ("link", target)
    or ("char", major, minor)}; host files keep their paths and symbolic links."""

    def __init__(self):
        self.entries = {"/": ("dir",)}

    def add_host(self, path):
        """`path` as on the host: its directories, every link on the way, the file itself."""
        path = os.path.normpath(path)
        if path in self.entries:
            return
        parent = os.path.dirname(path)
        self.add_host(parent)
        real_parent = os.path.realpath(parent)
        if real_parent != parent:  # reached through a link: the entry lives under the real folder
            return self.add_host(os.path.join(real_parent, os.path.basename(path)))
        if os.path.islink(path):
            target = os.readlink(path)
            self.entries[path] = ("link", target)
            self.add_host(os.path.join(parent, target))
        elif os.path.isdir(path):
            self.entries[path] = ("dir",)
        else:
            self.entries[path] = ("file", path, stat.S_IMODE(os.stat(path).st_mode))

    def add_file(self, path, host, mode=0o755):
        """The host file `host` as `path`, in a folder that the host has (then under its real
        path, as add_host) or that only the image has."""
        parent = os.path.dirname(path)
        if os.path.lexists(parent):
            self.add_host(parent)
            path = os.path.join(os.path.realpath(parent), os.path.basename(path))
        else:
            while parent not in self.entries:
                self.entries[parent] = ("dir",)
                parent = os.path.dirname(parent)
        self.entries[path] = ("file", host, mode)

    def write_cpio(self, out):
        """An uncompressed newc archive (the kernel unpacks it without spending guest time on
        decompression), entries in path order so every folder precedes what it holds."""
        with open(out, "wb") as f:
            for ino, path in enumerate(sorted(self.entries), start=1):
                kind, data = self.entries[path][0], b""
                mode, rdev = {"dir": 0o40755, "link": 0o120777, "char": 0o20600}.get(kind, 0), (0, 0)
                if kind == "file":
                    with open(self.entries[path][1], "rb") as src:
                        data = src.read()
                    mode = 0o100000 | self.entries[path][2]
                elif kind == "link":
                    data = self.entries[path][1].encode()
                elif kind == "char":
                    rdev = self.entries[path][1:]
                _cpio_entry(f, "." if path == "/" else path.lstrip("/"), ino, mode, data, rdev)
            _cpio_entry(f, "TRAILER!!!", 0, 0, b"", (0, 0))


def _cpio_entry(f, name, ino, mode, data, rdev):
    name_bytes = name.encode() + b"\0"
    fields = [ino, mode, 0, 0, 1, 0, len(data), 0, 0, rdev[0], rdev[1], len(name_bytes), 0]
    header = b"070701" + b"".join(b"%08X" % v for v in fields)
    pad = lambda n: b"\0" * (-n % 4)
    f.write(header + name_bytes + pad(len(header) + len(name_bytes)) + data + pad(len(data)))


def _read(path):
    try:
        with open(path, encoding="utf-8") as f:
            return f.read().strip()
    except OSError:
        return None


def build(build_dir, force=False):
    """Builds <build_dir>/baseline/initramfs.cpio unless its inputs are unchanged; returns
    (kernel image, initramfs path, whether it was rebuilt)."""
    kernel = kernel_image()
    if not kernel:
        raise UserError("no Linux kernel image in /boot: install Debian's linux-image-amd64")
    out_dir = os.path.join(build_dir, "baseline")
    os.makedirs(out_dir, exist_ok=True)
    cpio, stamp = os.path.join(out_dir, "initramfs.cpio"), os.path.join(out_dir, "inputs.sha256")
    digest = _inputs_hash(kernel)
    if not force and os.path.exists(cpio) and _read(stamp) == digest:
        return kernel, cpio, False
    image = Image()
    image.add_file("/init", os.path.join(SOURCES, "init.sh"))
    image.add_file("/bin/busybox", BUSYBOX)
    image.entries["/dev"] = ("dir",)
    image.entries["/dev/console"] = ("char", 5, 1)  # /init's console before devtmpfs is mounted
    dynamic = ["/usr/bin/mpirun"] + [p for folder in OPENMPI_PLUGINS for p in sorted(glob.glob(folder + "/*.so"))]
    for binary in dynamic:
        image.add_host(binary)
    for path, host in _compile(out_dir).items():
        image.add_file(path, host)
        if path.endswith("_mpi"):
            dynamic.append(host)
    for binary in dynamic:
        for library in _shared_libraries(binary):
            image.add_host(library)
    for path in OPENMPI_DATA:
        for found in [path] + sorted(glob.glob(os.path.join(path, "**"), recursive=True)):
            if os.path.exists(found):
                image.add_host(found)
    image.write_cpio(cpio + ".new")
    os.replace(cpio + ".new", cpio)
    with open(stamp, "w") as f:
        f.write(digest + "\n")
    return kernel, cpio, True


def _json(line):
    """The JSON object on a console line, or None (kernel messages, partial lines)."""
    line = line.strip()
    try:
        obj = json.loads(line) if line.startswith("{") else None
    except ValueError:
        return None
    return obj if isinstance(obj, dict) else None


def boot(kernel, initramfs, env, log, timeout, on_line=None, memory_mib=512):
    """Boots the guest with `env` ({NAME: VALUE}, no blanks) on its kernel command line and
    waits at most `timeout` host seconds. Returns (JSON objects printed, "ok" | "timeout" |
    "qemu_failed" | "no_end", host seconds); the console output is kept in `log`."""
    append = " ".join([CMDLINE] + ["%s=%s" % kv for kv in sorted(env.items())])
    cmd = [runner.QEMU, "-kernel", kernel, "-initrd", initramfs, "-append", append,
           "-serial", "file:" + log] + QEMU_MACHINE + runner.QEMU_MODE
    cmd[cmd.index("-m") + 1] = "%dM" % memory_mib
    open(log, "w").close()
    start, lines, pending, status = time.monotonic(), [], "", None
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    with open(log, encoding="utf-8", errors="replace") as console:
        while status is None:
            finished = proc.poll() is not None
            pending += console.read()
            *complete, pending = pending.split("\n")
            for obj in map(_json, complete):
                if obj is not None:
                    lines.append(obj)
                    if on_line:
                        on_line(obj)
            if finished:
                status = "ok"
            elif time.monotonic() - start > timeout:
                proc.kill()
                status = "timeout"
            else:
                time.sleep(0.1)
    if _json(pending) is not None:
        lines.append(_json(pending))
    qemu_output = proc.communicate()[0]
    if status == "ok" and proc.returncode != 0:
        status = "qemu_failed"
        lines.append({"type": "qemu_error", "status": proc.returncode, "message": qemu_output.strip()})
    elif status == "ok" and not any(l.get("type") == "end" for l in lines):
        status = "no_end"  # the guest stopped before /init finished: a panic, or /init failed
    return lines, status, time.monotonic() - start
