"""One run of an experiment: the run description for the kernel, the QEMU boot, progress,
timeout, and the JSON lines the kernel and the tasks print."""
import json
import os
import shlex
import subprocess
import time

import abi
from errors import UserError
from paths import log_dir, user_dir

# The measurement mode (DESIGN.md "Platform and measurement"): one guest instruction per
# virtual nanosecond, rdtsc counts guest instructions, two runs give identical numbers.
QEMU = "qemu-system-x86_64"
QEMU_MODE = ["-icount", "shift=0,sleep=off", "-rtc", "clock=vm,base=2024-01-01T00:00:00"]
QEMU_MACHINE = ["-machine", "pc", "-cpu", "qemu64", "-smp", "1", "-m", "512M", "-nodefaults",
                "-display", "none", "-no-reboot", "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"]
UNIT = "guest_instructions"
# Kernel records start with this byte, which the kernel strips from task output
# (kernel/lib/print.hpp): only such lines are trusted as kernel events.
KERNEL_MARK = "\x1e"
SLOT_COMM_WORLD = 1  # abi/capability.hpp slot_comm_world


class Outcome:
    """What a boot produced: the run status, every JSON line, and how it ended."""

    def __init__(self):
        self.status = None        # a name from abi/run_status.def, or qemu_failed / timeout
        self.exit_code = None
        self.timed_out = False
        self.seconds = 0.0
        self.lines = []           # every parsed JSON object, kernel's and tasks', in order
        self.text = ""            # everything the console printed
        self.log = None

        self.kernel = []          # the kernel's records, in order
        self.output = []          # JSON lines the tasks printed, in order

    def events(self, name=None):
        return [e for e in self.kernel if name is None or e["event"] == name]

    def results(self):
        return [l for l in self.output if l.get("type") == "result"]


def compose(run, context):
    """(manifest text, [(program, args)]) for one run of an experiment description."""
    tasks = []
    for t in run.get("tasks", []):  # a task with "count" stands for that many copies
        if "count" not in t:
            tasks.append(dict(t))
            continue
        for i in range(t["count"]):
            copy = dict(t, name=t["name"] + str(i))
            del copy["count"]
            tasks.append(copy)
    mpi = run.get("mpi")
    ranks = []  # indices into tasks, in rank order: the MPI program's ranks, then "world" tasks
    if mpi:
        for r in range(mpi["ranks"]):
            t = {"name": "rank" + str(r), "program": mpi["program"], "args": mpi.get("args", [])}
            if "stack_kib" in mpi:
                t["stack_kib"] = mpi["stack_kib"]
            ranks.append(len(tasks))
            tasks.append(t)
    ranks += [i for i, t in enumerate(tasks) if t.get("world")]
    lines = ["ipclab-run 1", "policy " + run.get("policy", "capability")]
    if not run.get("fastpath", True):
        lines.append("fastpath off")
    lines += [o["type"] + " " + o["name"] for o in run.get("objects", [])]
    modules = []
    for i, t in enumerate(tasks):
        module = i + 1
        flags = [" daemon" if t.get("daemon") else "", " root" if t.get("root") else "",
                 " stack=" + str(t["stack_kib"]) if "stack_kib" in t else "",
                 " prio=" + str(t["priority"]) if "priority" in t else "",
                 " mcp=" + str(t["max_priority"]) if "max_priority" in t else ""]
        lines.append("task " + str(module) + " name=" + t["name"] + "".join(flags))
        modules.append((t["program"], t.get("args", [])))
    for i, t in enumerate(tasks):
        for c in t.get("caps", []):
            badge = " badge=" + str(c["badge"]) if "badge" in c else ""
            lines.append("cap %d %d %s %s%s" % (i + 1, c["slot"], c["object"], c["rights"], badge))
    module_of = {t["name"]: i + 1 for i, t in enumerate(tasks)}
    for i, t in enumerate(tasks):  # clans & chiefs, reference monitors (docs/policies.md)
        for key in ("chief", "monitor"):
            if key in t:
                lines.append("%s %d %d" % (key, i + 1, module_of[t[key]]))
    for i, t in enumerate(tasks):  # fault injection (docs/fault-injection.md)
        if "kill" in t:
            lines.append("kill %d %s %d" % (i + 1, t["kill"]["when"], t["kill"].get("nth", 1)))

    lines += ["env all %s=%s" % (key, value) for key, value in sorted(context.items())]
    if ranks:
        lines.append("communicator world %d %s" % (SLOT_COMM_WORLD, " ".join(str(r + 1) for r in ranks)))
    if mpi and "send_timeout_ns" in mpi:
        lines.append("send_timeout world %d" % mpi["send_timeout_ns"])
    if mpi:  # the rights table of MPI_COMM_WORLD, in order ("deny 2 0" -> "rights world deny 2 0")
        lines += ["rights world " + " ".join(rule.split()) for rule in mpi.get("rights", [])]
    return "\n".join(lines) + "\n", modules


def _module_arg(program, args):
    """One QEMU -initrd entry: "program arg ..." with blanks quoted and commas doubled."""
    words = [program] + ['"' + a + '"' if (" " in a or not a) else a for a in args]
    return " ".join(words).replace(",", ",,")


def qemu_version():
    try:
        out = subprocess.run([QEMU, "--version"], capture_output=True, text=True).stdout
        return out.splitlines()[0] if out else "unknown"
    except OSError:
        raise UserError(QEMU + " not found: install Debian's qemu-system-x86 (scripts/ipclab reproduce does)")


def boot(build_dir, name, manifest, modules, timeout, on_line=None, append="", memory_mib=512, on_console=None):
    """Boots the kernel with `manifest` (module 0) and `modules`, waits at most `timeout`
    seconds, and returns an Outcome. `on_line(obj)` sees every JSON line as it arrives.
    `on_console(task_text, record)` sees every console line as it arrives, split into what
    the tasks printed (ending in a newline unless a kernel record ended the line) and the
    kernel record's text ("" when there is none)."""
    users = user_dir(build_dir)
    for program, _ in modules:
        if not os.path.isfile(os.path.join(users, program)):
            raise UserError("no program '" + program + "' in " + users + " (is it built? 'scripts/ipclab build')")
    os.makedirs(log_dir(build_dir), exist_ok=True)
    manifest_path = os.path.join(log_dir(build_dir), name + ".manifest")
    with open(manifest_path, "w", encoding="utf-8") as f:
        f.write(manifest)
    out = Outcome()
    out.log = os.path.join(log_dir(build_dir), name + ".log")
    initrd = ",".join([os.path.relpath(manifest_path, users).replace(",", ",,")] +
                      [_module_arg(p, a) for p, a in modules])
    cmd = [QEMU, "-kernel", os.path.abspath(os.path.join(build_dir, "kernel.bin")), "-initrd", initrd,
           "-append", append, "-serial", "file:" + out.log] + QEMU_MACHINE + QEMU_MODE
    # Extra QEMU options for investigations, e.g. IPCLAB_QEMU_ARGS="-d exec,nochain -singlestep -D trace.log"
    # (docs/experiments.md); not used by the experiments, whose figures must not depend on it.
    cmd += shlex.split(os.environ.get("IPCLAB_QEMU_ARGS", ""))
    cmd[cmd.index("-m") + 1] = str(memory_mib) + "M"
    start = time.monotonic()
    with open(out.log, "w"):
        pass
    proc = subprocess.Popen(cmd, cwd=users, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    pending = ""
    with open(out.log, encoding="utf-8", errors="replace") as log:
        while True:
            finished = proc.poll() is not None
            chunk = log.read()
            out.text += chunk
            pending += chunk
            *complete, pending = pending.split("\n")
            for line in complete:
                _take(out, line, on_line, on_console)
            if finished:
                break
            if time.monotonic() - start > timeout:
                proc.kill()
                proc.wait()
                out.timed_out = True
                break
            time.sleep(0.05)
    if pending:
        _take(out, pending, on_line, on_console)
    qemu_output = proc.stdout.read() if proc.stdout else ""
    if proc.stdout:
        proc.stdout.close()
    out.seconds = time.monotonic() - start
    out.exit_code = proc.returncode
    out.status = "timeout" if out.timed_out else abi.run_status_of_exit(proc.returncode)
    if not out.timed_out and not out.events("boot"):
        # QEMU's own error exit (1) reads like the kernel's "ok": without the kernel's first
        # record, the kernel never ran.
        out.status = "qemu_failed"
    if out.status == "qemu_failed" and qemu_output.strip():
        out.text += "\n[qemu] " + qemu_output.strip()
        out.kernel.append({"event": "qemu_error", "message": qemu_output.strip()})
    return out


def _parse(text):
    try:
        obj = json.loads(text)
    except json.JSONDecodeError:
        return None  # not JSON after all: plain output
    return obj if isinstance(obj, dict) else None


def _take(out, line, on_line, on_console=None):
    """Splits a console line into task output and a kernel record (a task may have printed
    part of a line before the kernel's record)."""
    task_part, mark, kernel_part = line.partition(KERNEL_MARK)
    if on_console:
        on_console(task_part if mark else task_part + "\n", kernel_part)
    task_part = task_part.strip()
    if task_part.startswith("{"):
        obj = _parse(task_part)
        if obj is not None:
            out.output.append(obj)
            out.lines.append(obj)
            if on_line:
                on_line(obj)
    if mark:
        obj = _parse(kernel_part.strip())
        if obj is not None and "event" in obj:
            out.kernel.append(obj)
            out.lines.append(obj)
            if on_line:
                on_line(obj)
