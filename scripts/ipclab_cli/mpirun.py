"""scripts/ipclab mpirun: boots the kernel with N ranks of an MPI program, relays what the
ranks print and exits with the job's status, as Open MPI's mpirun does on Linux. The job is
an experiment run of layer "mpi" held in memory (docs/experiments.md), checked by
experiments.py and composed and booted by runner.py like any other."""
import os
import re
import struct
import sys

import build
import experiments
import results
import runner
from errors import UserError
from paths import log_dir, user_dir

DEFAULT_POLICY = "mpi-rights"
DEFAULT_TIMEOUT = 300       # host seconds for the whole run
TIMEOUT_STATUS = 124        # what GNU timeout exits with for a command it stopped
FAILED_STATUS = 1           # a failure without an exit status of its own (deadlock, boot error, panic)
ELF_MACHINE_X86_64 = 62
ELF_TYPE_EXEC = 2


def job(np, program, args, policy=DEFAULT_POLICY, memory_mib=None, send_timeout=None):
    """The run description of the job (layer "mpi"), checked; `np` as the user typed it,
    `program` an ELF file's absolute path or a program of build/user by name, `send_timeout`
    virtual seconds or None."""
    experiments.check_policy(policy, "mpirun --policy")
    if not re.fullmatch(r"[0-9]+", np) or not 1 <= int(np) <= experiments.MAX_RANKS:
        raise UserError("mpirun: -np must be a whole number of ranks, 1..%d, not '%s'" % (experiments.MAX_RANKS, np))
    run = {"label": "mpirun", "layer": "mpi", "policy": policy,
           "mpi": {"program": program, "ranks": int(np), "args": list(args)}}
    if memory_mib is not None:
        run["memory_mib"] = memory_mib
    if send_timeout is not None:
        if not 0 < send_timeout < 9e9:  # NaN fails too; the kernel's limit is 2^63 ns
            raise UserError("mpirun: --send-timeout must be a positive number of virtual seconds, below 9e9")
        run["mpi"]["send_timeout_ns"] = max(1, round(send_timeout * 1e9))
    experiments.validate({"name": "mpirun", "description": "scripts/ipclab mpirun", "runs": [run]}, "mpirun")
    return run


def find_program(text, build_dir):
    """The absolute path of the ELF executable `text` names: a file (a name without '/' is
    looked for in the current directory first, as Open MPI's mpirun does, then in build/user)."""
    path = text
    if "/" not in text and not os.path.exists(text):
        path = os.path.join(user_dir(build_dir), text)
        if not os.path.exists(path):
            raise UserError("mpirun: no program '%s': not a file here nor a program in %s" % (
                text, user_dir(build_dir)))
    if not os.path.isfile(path):
        raise UserError("mpirun: " + ("no such file: " if not os.path.exists(path) else "not a file: ") + text)
    check_elf(path)
    return _loadable(os.path.abspath(path), build_dir)


def check_elf(path):
    """Raises a UserError unless `path` is a 64-bit little-endian x86-64 ELF executable (the
    ELF header of the System V ABI: magic, class, data, then e_type and e_machine)."""
    try:
        with open(path, "rb") as f:
            header = f.read(20)
    except OSError as err:
        raise UserError("mpirun: cannot read " + path + ": " + err.strerror)
    hint = "; build it with 'scripts/ipclab mpicc'"
    if len(header) < 20 or header[:4] != b"\x7fELF":
        raise UserError("mpirun: " + path + " is not an ELF executable (no ELF magic number)" + hint)
    if header[4] != 2 or header[5] != 1:
        raise UserError("mpirun: " + path + " is not a 64-bit little-endian ELF file" + hint)
    e_type, e_machine = struct.unpack_from("<HH", header, 16)
    if e_machine != ELF_MACHINE_X86_64:
        raise UserError("mpirun: " + path + " is built for ELF machine %d, not x86-64%s" % (e_machine, hint))
    if e_type != ELF_TYPE_EXEC:
        what = {1: "an object file (link it: mpicc without -c)", 3: "position-independent or shared"}
        raise UserError("mpirun: " + path + " is not a static executable (it is " +
                        what.get(e_type, "ELF type %d" % e_type) + ")" + hint)


def _loadable(path, build_dir):
    """`path`, or a link to it without blanks: QEMU ends a module's file name at the first one."""
    if not any(c in path for c in ' \t"'):
        return path
    links = os.path.join(log_dir(build_dir), "mpirun-programs")
    os.makedirs(links, exist_ok=True)
    link = os.path.join(links, re.sub(r"[^A-Za-z0-9_.-]", "_", os.path.basename(path)))
    if os.path.lexists(link):
        os.remove(link)
    os.symlink(path, link)
    return link


def _relay(show_records):
    """Prints the ranks' output as the console delivers it; kernel records too (on stderr)
    when `show_records`."""
    def show(task_text, record):
        try:
            if task_text:
                sys.stdout.write(task_text)
                sys.stdout.flush()
            if record and show_records:
                print(record.strip(), file=sys.stderr, flush=True)
        except BrokenPipeError:  # e.g. 'mpirun ... | head': the reader left; the job goes on
            _silence_stdout()
    return show


def _silence_stdout():
    """Points stdout at /dev/null after the reader of a pipe went away, so neither later
    output nor the interpreter's final flush raises."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


def _rank(task):
    m = re.fullmatch(r"rank([0-9]+)", str(task))
    return "rank " + m.group(1) if m else "task " + str(task)


def _ranks(names):
    ranks = [_rank(n) for n in names]
    if all(r.startswith("rank ") for r in ranks) and len(ranks) > 1:
        return "ranks " + ", ".join(r[5:] for r in ranks)
    return ", ".join(ranks)


def _shown(path):
    """`path` relative to the current directory when it is below it."""
    relative = os.path.relpath(path)
    return path if relative.startswith("..") else relative


def _status(code):
    """An exit status for a failure with `code`: its low byte, never 0."""
    return (code & 0xFF) or FAILED_STATUS


def failures(records, killed=True):
    """[(exit status or None, message)] for each way a rank ended badly, in console order.
    The status is None for what only followed from another failure: a rank killed when the
    run ended (left out unless `killed`)."""
    found, faults, i = [], {}, 0
    while i < len(records):
        r = records[i]
        i += 1
        if r["event"] == "fault":
            faults[r.get("task")] = r
        elif r["event"] == "unsupported_syscall":
            found.append((None, "%s made Linux system call %s, which ipclab does not provide" % (
                _rank(r.get("task")), r.get("number"))))
        elif r["event"] != "task_exit":
            continue
        elif r.get("reason") == "aborted":
            # Communicator::abort ends the other members first and the caller last, with no
            # other record in between (the kernel is not preemptible): the last of a run of
            # "aborted" exits is the rank that called MPI_Abort.
            group = [r]
            while i < len(records) and records[i]["event"] == "task_exit" and records[i].get("reason") == "aborted":
                group.append(records[i])
                i += 1
            code = group[-1].get("status", 0)
            message = "%s called MPI_Abort with error code %d" % (_rank(group[-1].get("task")), code)
            if len(group) > 1:
                message += ", which ended " + _ranks([g.get("task") for g in group[:-1]])
            found.append((_status(code), message))
        elif r.get("reason") == "exited" and r.get("status", 0) != 0:
            found.append((_status(r["status"]), "%s exited with status %d" % (_rank(r["task"]), r["status"])))
        elif r.get("reason") == "fault":
            f = faults.get(r.get("task"), {})
            found.append((_status(r.get("status", 0)), "%s faulted: %s%s at rip %s, address %s (status %d)" % (
                _rank(r["task"]), f.get("fault", "fault"), " (" + f["cause"] + ")" if f.get("cause") else "",
                f.get("rip", "?"), f.get("address", "?"), r.get("status", 0))))
        elif r.get("reason") == "signal":
            found.append((_status(r.get("status", 0)), "%s was killed by signal %d" % (
                _rank(r["task"]), r.get("status", 128) - 128)))
        elif r.get("reason") == "run_ended" and killed:
            found.append((None, "%s was still running when the run ended and was killed" % _rank(r["task"])))
    return found


def verdict(out, timeout):
    """(exit status, [message]) of a finished job: 0 and nothing when every rank exited 0."""
    log = "console log: " + _shown(out.log) if out.log else ""
    if out.timed_out:
        return TIMEOUT_STATUS, ["the run did not end within %g s (--timeout), so QEMU was stopped; %s" % (timeout, log)]
    found = failures(out.kernel, killed=out.status != "deadlock")  # the blocked ranks say it better
    messages = [m for _, m in found]
    statuses = [s for s, _ in found if s is not None]
    if out.status == "ok" and not statuses:
        return 0, []
    if out.status == "deadlock":
        blocked = ["%s (%s)" % (_rank(b.get("task")), b.get("state", "?")) for b in out.events("blocked")]
        messages.append("deadlock: no rank can ever run again; blocked: " + ", ".join(blocked))
    elif out.status == "boot_error":
        for e in out.events("boot_error"):
            where = " (run description line %s)" % e["line"] if "line" in e else ""
            where += " (task %s)" % _rank(e["task"]) if "task" in e else ""
            messages.append("the kernel rejected the run: %s%s%s" % (
                e.get("message"), ": " + str(e["detail"]) if "detail" in e else "", where))
    elif out.status == "panic":
        for e in out.events("panic"):
            messages.append("kernel panic: %s (%s:%s)" % (e.get("message"), e.get("file"), e.get("line")))
    elif out.status in ("qemu_failed", "qemu_exited"):
        messages.append("QEMU ended without a run status (%s, exit %s)" % (out.status, out.exit_code))
        messages += [e["message"] for e in out.events("qemu_error")]
    elif not messages:
        messages.append("the run ended '%s'" % out.status)
    messages.append(log)
    return (statuses[0] if statuses else FAILED_STATUS), messages


def main(args, build_dir):
    """Runs `scripts/ipclab mpirun`; returns the exit status."""
    if not args.timeout > 0:
        raise UserError("mpirun: --timeout must be a positive number of seconds")
    program = find_program(args.program, build_dir)
    run = job(args.np, program, args.args, args.policy, args.memory, args.send_timeout)
    build.require_build(build_dir)
    context = {"IPCLAB_COMMIT": results.commit(), "IPCLAB_POLICY": run["policy"], "IPCLAB_UNIT": runner.UNIT,
               "IPCLAB_EXPERIMENT": "mpirun"}
    manifest, modules = runner.compose(run, context)
    # One log per job, so jobs may run side by side; a failed job's is kept and named.
    name = "mpirun-%s-%d" % (re.sub(r"[^A-Za-z0-9_.-]", "_", os.path.basename(program)), os.getpid())
    os.makedirs(user_dir(build_dir), exist_ok=True)  # QEMU runs there
    out = runner.boot(build_dir, name, manifest, modules, args.timeout, memory_mib=run.get("memory_mib", 512),
                      on_console=_relay(args.show_records))
    status, messages = verdict(out, args.timeout)
    for m in messages:
        print("ipclab mpirun: " + m, file=sys.stderr)
    if status == 0:
        for path in (out.log, os.path.join(log_dir(build_dir), name + ".manifest")):
            os.remove(path)
    return status
