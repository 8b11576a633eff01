"""scripts/ipclab baseline: what a user would pick instead of ipclab — Linux's IPC primitives
and Open MPI — measured in a Linux guest booted in the same QEMU mode, in guest instructions
(docs/baselines.md). Writes results/baseline.json and .csv."""
import os
import sys

import deps
import host_bench
import linux_guest
import results
import runner
from errors import UserError
from paths import log_dir

PACKAGES = ["linux-image-amd64", "busybox-static", "libopenmpi-dev", "openmpi-bin", "qemu-system-x86", "gcc",
            "libc6-dev"]
LINUX = ["pipe", "unix-socket", "sysv-mq", "posix-mq", "futex", "syscall", "sched-yield"]
BULK = ["bulk", "openmpi-bulk"]  # the bulk transfers (experiments/bulk's measure): Linux's, Open MPI's
EVERYTHING = LINUX + ["openmpi"] + BULK
SIZES = [0] + [2 ** k for k in range(17)]  # the ping-pong's: 0, 1, 2, 4, ..., 65536 bytes
BULK_SIZES = [4096, 16384, 65536, 262144, 1048576]  # experiments/bulk's
# Transfers per bulk size, as experiments/bulk: 100 measured after 10 discarded; the whole bulk
# part adds about 6.5 s of host time to the baseline (docs/baselines.md).
BULK_REPS, BULK_WARMUP = 100, 10
BULK_MAX_BYTES = 4 << 20  # experiments/bulk/bulk_common.h's BULK_MAX_BYTES
DEFAULT_TIMEOUT = 1200  # host seconds; a full run takes about 3 minutes on one busy core
OPENMPI_NOTE = ("2 ranks on the guest's one vCPU (QEMU 7.2 hangs bringing up a second vCPU of a Linux guest "
                "under -icount), mpirun --oversubscribe --bind-to none --mca plm isolated --mca "
                "mpi_yield_when_idle 1 --mca btl self,vader: waiting ranks poll and yield the CPU")

BULK_NOTE = ("experiments/bulk's measure: one-way transfers, each acknowledged, timed by the sender from before it "
             "writes the payload until the receiver has checked every word (bulk_common.h); lx_bulk: pipe, UNIX stream "
             "socket, and a 16 x 4 KiB ring in POSIX shared memory with futex wake-ups (shm-ring); bulk_mpi with "
             "Open MPI: MPI_Send/MPI_Recv (mpi-send); local and local-memcpy are each program's references")


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
    b.add_argument("--bulk-sizes", metavar="LIST", default=",".join(map(str, BULK_SIZES)),
                   help="bytes per bulk transfer, multiples of 8 (default: 4096,...,1048576, experiments/bulk's)")
    b.add_argument("--bulk-reps", type=int, default=BULK_REPS,
                   help="measured transfers per bulk size (default %(default)s)")
    b.add_argument("--bulk-warmup", type=int, default=BULK_WARMUP,
                   help="discarded transfers before them (default %(default)s)")
    b.add_argument("--rebuild", action="store_true", help="rebuild the initramfs even if its inputs are unchanged")
    b.add_argument("--no-host", action="store_true",
                   help="leave out the host context (scripts/ipclab bench host) that follows the guest")
    b.set_defaults(func=main)


def _progress(obj):
    if obj.get("type") == "result" and obj.get("experiment") == "bulk":
        print("[baseline/%s] %s %7s bytes: %.3f %s per byte (median %s)%s" % (
            "openmpi-bulk" if obj.get("layer") == "mpi" else "bulk", obj.get("transport"), obj.get("bytes"),
            obj.get("per_byte", 0), obj.get("unit"), obj.get("median"),
            "" if obj.get("verified") else "  PAYLOAD MISMATCH"), flush=True)
    elif obj.get("type") == "result":
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
    pingpong_mpi's as layer "openmpi", transport "openmpi-MAJOR.MINOR" (run "openmpi"); the bulk
    transfers' (experiment "bulk" in the guest) with transports ending in "-bulk", bulk_mpi's
    as layer "openmpi" too."""
    out = []
    for line in lines:
        if line.get("type") != "result":
            continue
        row = {k: v for k, v in line.items() if k != "type"}
        if row.get("experiment") == "bulk":
            row.pop("policy", None)
            if row.get("layer") == "mpi":  # bulk_mpi's: local, local-memcpy, mpi-send
                row.update(layer="openmpi", transport=row["transport"] + "-bulk",
                           note="Open MPI %s, 2 ranks on one vCPU (context.openmpi_note)" % openmpi)
                if row["transport"] == "mpi-send-bulk":
                    row["op"] = "MPI_Send/MPI_Recv"
        elif row.get("layer") == "mpi":
            row.pop("policy", None)
            row.update(layer="openmpi", op=row.pop("transport"),
                       transport="openmpi-" + ".".join(openmpi.split(".")[:2]),
                       note="2 ranks on one vCPU, mpi_yield_when_idle 1 (context.openmpi_note)")
        row.update(experiment="baseline", run=row["layer"], commit=commit)
        out.append(row)
    # The ping-pongs' rows first, whatever order they ran in: readers taking the first Open MPI
    # row of a size (report_pingpong.openmpi_baseline) find the round trip's.
    return sorted(out, key=lambda r: r["transport"].endswith("-bulk"))


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
                              sizes=",".join(map(str, SIZES)), mpi_sizes=None, reps=1000, warmup=100,
                              bulk_sizes=",".join(map(str, BULK_SIZES)), bulk_reps=BULK_REPS,
                              bulk_warmup=BULK_WARMUP, rebuild=False, no_host=False)
    return ["baseline: see the lines above"] if main(args) else []


def main(args):
    only = _list(args.only, EVERYTHING, "benchmark")
    sizes = _list(args.sizes, what="size")
    mpi_sizes = _list(args.mpi_sizes, what="size") if args.mpi_sizes else sizes
    bulk_sizes = _list(args.bulk_sizes, what="size")
    if min(args.reps, args.bulk_reps, args.timeout) <= 0 or min(args.warmup, args.bulk_warmup) < 0:
        raise UserError("--reps, --bulk-reps and --timeout must be positive, --warmup and --bulk-warmup at least 0")
    if len(sizes) > 32 or len(mpi_sizes) > 32 or len(bulk_sizes) > 16:
        raise UserError("at most 32 sizes, 16 bulk sizes")
    if any(int(b) == 0 or int(b) % 8 or int(b) > BULK_MAX_BYTES for b in bulk_sizes):
        raise UserError("bulk sizes are multiples of 8 bytes, 8 .. %d" % BULK_MAX_BYTES)
    deps.ensure(PACKAGES)
    kernel, initramfs, rebuilt = linux_guest.build(args.build_dir, force=args.rebuild)
    print("[baseline] initramfs %s (%s), kernel %s" % (
        os.path.relpath(initramfs), "rebuilt" if rebuilt else "cached: inputs unchanged", kernel), flush=True)
    commit, openmpi = results.commit(), linux_guest.openmpi_version()
    # No commit on the guest's command line: the same options boot the same guest, whose
    # figures then repeat bit for bit across commits that leave its inputs alone; the rows get
    # the commit here.
    env = {"IPCLAB_RUN": ",".join(only), "IPCLAB_SIZES": ",".join(sizes), "IPCLAB_MPI_SIZES": ",".join(mpi_sizes),
           "IPCLAB_REPS": str(args.reps), "IPCLAB_WARMUP": str(args.warmup), "IPCLAB_UNIT": runner.UNIT,
           "IPCLAB_BULK_SIZES": ",".join(bulk_sizes), "IPCLAB_BULK_REPS": str(args.bulk_reps),
           "IPCLAB_BULK_WARMUP": str(args.bulk_warmup)}
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
               "openmpi": openmpi, "openmpi_note": OPENMPI_NOTE, "reps": args.reps, "warmup": args.warmup,
               "bulk_note": BULK_NOTE, "bulk_reps": args.bulk_reps, "bulk_warmup": args.bulk_warmup}
    doc = {"experiment": "baseline",
           "description": "Linux IPC primitives and Open MPI in a Linux guest in the same QEMU mode: guest "
                          "instructions per round trip by message size, one bare system call, and one-way "
                          "acknowledged bulk transfers of 4 KiB to 1 MiB (rows whose transport ends in -bulk)",
           "claim": "IPC is much faster (the study): the figures a user would get on Linux instead",
           "context": context, "results": rows(lines, openmpi, commit),
           "runs": [{"label": "linux-guest", "status": status, "host_seconds": round(seconds, 1),
                     "steps": [l for l in lines if l.get("type") == "step"],
                     "skipped": [l for l in lines if l.get("type") == "skipped"]}]}
    results.write(doc)  # into RESULTS
    problems = problems_of(lines, status, only, log)
    for p in problems:
        print("ipclab: baseline: " + p, file=sys.stderr)
    if not getattr(args, "no_host", True):  # the same primitives on the host, in ns (issue 6, item 3)
        print("[baseline] the host context (bench host: Google Benchmark, wall-clock ns)", flush=True)
        problems += host_bench.run_default(args.build_dir)
    return 1 if problems else 0
