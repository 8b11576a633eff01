"""scripts/ipclab baseline: what a user would pick instead of ipclab — Linux's IPC primitives
and Open MPI — measured in a Linux guest booted in the same QEMU mode, in guest instructions
(docs/baselines.md). Writes results/baseline.json and .csv."""
import os
import sys

import deps
import linux_guest
import results
import runner
from errors import UserError
from paths import log_dir

PACKAGES = ["linux-image-amd64", "busybox-static", "libopenmpi-dev", "openmpi-bin", "qemu-system-x86", "gcc",
            "libc6-dev"]
LINUX = ["pipe", "unix-socket", "sysv-mq", "posix-mq", "futex", "syscall", "sched-yield"]
EVERYTHING = LINUX + ["openmpi"]
SIZES = [0] + [2 ** k for k in range(17)]  # the ping-pong's: 0, 1, 2, 4, ..., 65536 bytes
DEFAULT_TIMEOUT = 1200  # host seconds; a full run takes about 3 minutes on one busy core
OPENMPI_NOTE = ("2 ranks on the guest's one vCPU (QEMU 7.2 hangs bringing up a second vCPU of a Linux guest "
                "under -icount), mpirun --oversubscribe --bind-to none --mca plm isolated --mca "
                "mpi_yield_when_idle 1 --mca btl self,vader: waiting ranks poll and yield the CPU")


def _list(text, choices=None, what="item"):
    words = [w for w in text.split(",") if w]
    for w in words:
        if choices is not None and w not in choices:
            raise UserError("unknown %s '%s' (one of %s)" % (what, w, ", ".join(choices)))
        if choices is None and not w.isdigit():
            raise UserError("bad size '%s': sizes are comma-separated byte counts" % w)
    if not words:
        raise UserError("empty list of %ss" % what)
    return words


def register(sub):
    """Adds the 'baseline' command to the front end's subcommands."""
    b = sub.add_parser("baseline", help="Linux IPC and Open MPI in a Linux guest, same QEMU mode (docs/baselines.md)")
    b.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT,
                   help="host seconds before a hung guest is stopped (default %(default)s)")
    b.add_argument("--only", metavar="LIST", default=",".join(EVERYTHING),
                   help="what to measure, of " + ",".join(EVERYTHING) + " (default: all)")
    b.add_argument("--sizes", metavar="LIST", default=",".join(map(str, SIZES)),
                   help="message sizes of the Linux ping-pongs (default: 0,1,2,4,...,65536)")
    b.add_argument("--mpi-sizes", metavar="LIST", help="message sizes of Open MPI's (default: as --sizes)")
    b.add_argument("--reps", type=int, default=1000, help="measured round trips per size (default 1000)")
    b.add_argument("--warmup", type=int, default=100, help="discarded round trips before them (default 100)")
    b.add_argument("--rebuild", action="store_true", help="rebuild the initramfs even if its inputs are unchanged")
    b.set_defaults(func=main)


def _progress(obj):
    if obj.get("type") == "result":
        name = "openmpi" if obj.get("layer") == "mpi" else obj.get("transport")
        print("[baseline/%s] %6s bytes: median %s %s (min %s, max %s)%s" % (
            name, obj.get("bytes"), obj.get("median"), obj.get("unit"), obj.get("min"), obj.get("max"),
            "" if obj.get("verified") else "  PAYLOAD MISMATCH"), flush=True)
    elif obj.get("type") == "guest":
        print("[baseline] Linux %s up, clocksource %s, TSC %s" % (obj.get("kernel"), obj.get("clocksource"),
                                                                  obj.get("tsc_refined") or obj.get("tsc_detected")),
              flush=True)
    elif obj.get("type") == "step" and obj.get("status"):
        print("[baseline/%s] FAILED with status %s" % (obj["name"], obj["status"]), file=sys.stderr, flush=True)


def rows(lines, openmpi, commit):
    """The result rows of the guest's output, labelled: Linux rows as they are (run "linux"),
    pingpong_mpi's as layer "openmpi", transport "openmpi-MAJOR.MINOR" (run "openmpi")."""
    out = []
    for line in lines:
        if line.get("type") != "result":
            continue
        row = {k: v for k, v in line.items() if k != "type"}
        if row.get("layer") == "mpi":
            row.pop("policy", None)
            row.update(layer="openmpi", op=row.pop("transport"),
                       transport="openmpi-" + ".".join(openmpi.split(".")[:2]),
                       note="2 ranks on one vCPU, mpi_yield_when_idle 1 (context.openmpi_note)")
        row.update(experiment="baseline", run=row["layer"], commit=commit)
        out.append(row)
    return out


def problems_of(lines, status, only, log):
    problems = []
    if status != "ok":
        problems.append("the guest ended '%s' (timeout: stopped; no_end: /init did not finish); console in %s"
                        % (status, os.path.relpath(log)))
    steps = {l["name"]: l["status"] for l in lines if l.get("type") == "step"}
    for name in only:
        if steps.get(name) not in (None, 0):
            problems.append("%s failed in the guest (status %s); console in %s"
                            % (name, steps[name], os.path.relpath(log)))
        elif name not in steps and status == "ok":
            problems.append("%s did not run in the guest; console in %s" % (name, os.path.relpath(log)))
    problems += ["payload mismatch: %s at %s bytes" % (l.get("transport"), l.get("bytes"))
                 for l in lines if l.get("type") == "result" and not l.get("verified")]
    return problems


def run_default(build_dir):
    """The baseline with its default settings, as scripts/ipclab reproduce runs it; returns
    the problems found (they are printed as well)."""
    import argparse
    args = argparse.Namespace(build_dir=build_dir, timeout=DEFAULT_TIMEOUT, only=",".join(EVERYTHING),
                              sizes=",".join(map(str, SIZES)), mpi_sizes=None, reps=1000, warmup=100, rebuild=False)
    return ["baseline: see the lines above"] if main(args) else []


def main(args):
    only = _list(args.only, EVERYTHING, "benchmark")
    sizes = _list(args.sizes, what="size")
    mpi_sizes = _list(args.mpi_sizes, what="size") if args.mpi_sizes else sizes
    if args.reps <= 0 or args.warmup < 0 or args.timeout <= 0:
        raise UserError("--reps and --timeout must be positive, --warmup at least 0")
    if len(sizes) > 32 or len(mpi_sizes) > 32:
        raise UserError("at most 32 sizes")
    deps.ensure(PACKAGES)
    kernel, initramfs, rebuilt = linux_guest.build(args.build_dir, force=args.rebuild)
    print("[baseline] initramfs %s (%s), kernel %s" % (
        os.path.relpath(initramfs), "rebuilt" if rebuilt else "cached: inputs unchanged", kernel), flush=True)
    commit, openmpi = results.commit(), linux_guest.openmpi_version()
    # No commit on the guest's command line: the same options boot the same guest, whose
    # figures then repeat bit for bit across commits that leave its inputs alone; the rows get
    # the commit here.
    env = {"IPCLAB_RUN": ",".join(only), "IPCLAB_SIZES": ",".join(sizes), "IPCLAB_MPI_SIZES": ",".join(mpi_sizes),
           "IPCLAB_REPS": str(args.reps), "IPCLAB_WARMUP": str(args.warmup), "IPCLAB_UNIT": runner.UNIT}
    os.makedirs(log_dir(args.build_dir), exist_ok=True)
    log = os.path.join(log_dir(args.build_dir), "baseline.log")
    print("[baseline] booting Linux: %s (timeout %g s)" % (", ".join(only), args.timeout), flush=True)
    lines, status, seconds = linux_guest.boot(kernel, initramfs, env, log, args.timeout, _progress)
    print("[baseline] %s in %.1f s host time" % (status, seconds), flush=True)
    guest = next((l for l in lines if l.get("type") == "guest"), {})
    context = {"commit": commit, "qemu": runner.qemu_version(), "qemu_mode": " ".join(runner.QEMU_MODE),
               "qemu_machine": " ".join(linux_guest.QEMU_MACHINE), "unit": runner.UNIT,
               "unit_note": "guest instructions (kernel + user) under -icount shift=0: one per virtual "
                            "nanosecond; no model of caches or TLBs",
               "linux_kernel": guest.get("kernel"), "linux_build": guest.get("kernel_build"),
               "kernel_image": kernel, "kernel_cmdline": guest.get("cmdline"), "guest": guest,
               "openmpi": openmpi, "openmpi_note": OPENMPI_NOTE, "reps": args.reps, "warmup": args.warmup}
    doc = {"experiment": "baseline",
           "description": "Linux IPC primitives and Open MPI in a Linux guest in the same QEMU mode: guest "
                          "instructions per round trip by message size, and one bare system call",
           "claim": "IPC is much faster (the study): the figures a user would get on Linux instead",
           "context": context, "results": rows(lines, openmpi, commit),
           "runs": [{"label": "linux-guest", "status": status, "host_seconds": round(seconds, 1),
                     "steps": [l for l in lines if l.get("type") == "step"],
                     "skipped": [l for l in lines if l.get("type") == "skipped"]}]}
    results.write(doc)  # into RESULTS
    problems = problems_of(lines, status, only, log)
    for p in problems:
        print("ipclab: baseline: " + p, file=sys.stderr)
    return 1 if problems else 0
