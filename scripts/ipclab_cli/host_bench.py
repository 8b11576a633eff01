"""scripts/ipclab bench host: the host benchmarks of bench/host (Google Benchmark, wall-clock
ns) built, run with repetitions, and their JSON turned into results/host.json and .csv in
the harness's format (docs/host-bench.md): one row per benchmark with the median and spread
over the repetitions, Google Benchmark's machine context in the document's context."""
import json
import os
import platform
import subprocess
import sys
import tempfile
import time

import build
import deps
import openmpi_backend
import results
from errors import UserError

# Part -> (CMake target, the Debian packages it needs, whether mpirun starts it).
PARTS = {"linux": ("ipclab_bench_linux", ["libbenchmark-dev"], False),
         "openmpi": ("ipclab_bench_openmpi", ["libbenchmark-dev", "libopenmpi-dev", "openmpi-bin"], True),
         "policy": ("ipclab_bench_policy", ["libbenchmark-dev", "libgtest-dev"], False)}
UNIT_NOTE = ("wall-clock ns on the host (Google Benchmark's real time per iteration; cpu_median is the calling "
             "process's CPU time): per row the median and spread over the repetitions, each repetition the mean of "
             "its iterations. Not comparable with guest instructions; the host's load changes these figures")
TO_NS = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}
MACHINE_KEYS = ("host_name", "num_cpus", "mhz_per_cpu", "cpu_scaling_enabled", "caches", "library_build_type")


def add_arguments(p):
    """The host suite's options on the bench command's parser."""
    p.add_argument("--repetitions", type=int, default=10, help="host: repetitions of each benchmark (default 10)")
    p.add_argument("--min-time", type=float, default=0.1, help="host: seconds each repetition runs at least (0.1)")
    p.add_argument("--only", metavar="LIST", help="host: some of " + ",".join(PARTS) + " (default: all)")


def _parts(only):
    chosen = only.split(",") if only else list(PARTS)
    unknown = [c for c in chosen if c not in PARTS]
    if unknown:
        raise UserError("--only: unknown part '" + unknown[0] + "' (known: " + ", ".join(PARTS) + ")")
    return chosen


def _binary(build_dir, part):
    """Builds the part's target; its executable, or a UserError saying what is missing."""
    target, packages, _ = PARTS[part]
    deps.ensure(packages)
    cache = os.path.join(build_dir, "CMakeCache.txt")
    if not os.path.exists(cache):
        raise UserError("no build tree at " + build_dir + ": run 'scripts/ipclab build' first")
    with open(cache, encoding="utf-8") as f:
        if "benchmark_DIR:PATH=benchmark_DIR-NOTFOUND" in f.read():
            build.configure(build_dir)  # configured before Google Benchmark was installed
    try:
        build.build_target(build_dir, target, "building " + target)
    except UserError:
        raise UserError("cannot build " + target + " (bench/host/CMakeLists.txt leaves it out without Google "
                        "Benchmark, host MPI or the unit tests' host kernel; see the output above)")
    return os.path.join(build_dir, "bench", "host", target)


def _run(part, binary, args, timeout):
    """Google Benchmark's JSON document of one part, written through --benchmark_out."""
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, part + ".json")
        cmd = [binary, "--benchmark_out=" + out, "--benchmark_out_format=json",
               "--benchmark_repetitions=%d" % args.repetitions, "--benchmark_min_time=%g" % args.min_time,
               "--benchmark_display_aggregates_only=true"]
        env = None
        if PARTS[part][2]:
            _, mpirun, _ = openmpi_backend.tools()
            cmd = openmpi_backend.mpirun_command(mpirun, 2, export=False) + cmd
            env = openmpi_backend.mpirun_env()
        print("ipclab: " + " ".join(cmd), file=sys.stderr, flush=True)
        try:
            p = subprocess.run(cmd, env=env, timeout=timeout)
        except subprocess.TimeoutExpired:
            raise UserError(part + ": still running after " + str(timeout) + " s, stopped (--timeout)")
        if p.returncode != 0 or not os.path.exists(out):
            raise UserError(part + ": " + os.path.basename(binary) + " failed (exit %d)" % p.returncode)
        with open(out, encoding="utf-8") as f:
            return json.load(f)


def _quantile(sorted_values, q):
    """The lower nearest-rank quantile, as experiments/common/bench_stats.h takes it."""
    return sorted_values[int((len(sorted_values) - 1) * q)]


def rows(document, part, openmpi_version=""):
    """(result rows, skipped) of one part's Google Benchmark JSON. Names are LAYER/TRANSPORT/BYTES
    (linux, openmpi) or policy/DECISION/POLICY; "/real_time" is dropped."""
    by_name, skipped, order = {}, {}, []
    for b in document["benchmarks"]:
        name = b.get("run_name", b["name"]).replace("/real_time", "")
        if b.get("error_occurred"):
            skipped[name] = b.get("error_message", "")
            continue
        if name not in by_name:
            by_name[name] = {"times": [], "cpu": [], "aggregates": {}}
            order.append(name)
        scale = TO_NS[b.get("time_unit", "ns")]
        entry = by_name[name]
        if b.get("run_type") == "aggregate":
            entry["aggregates"][b["aggregate_name"]] = b
        else:
            entry["times"].append(b["real_time"] * scale)
            entry["cpu"].append(b["cpu_time"] * scale)
            entry["iterations"], entry["scale"] = b["iterations"], scale
    out = []
    for name in order:
        e, (layer, what, arg) = by_name[name], name.split("/", 2)
        if not e["times"]:
            continue
        t, agg, scale = sorted(e["times"]), e["aggregates"], e["scale"]
        row = {"type": "result", "experiment": "host", "run": part, "layer": layer, "transport": what,
               "bytes": int(arg) if arg.isdigit() else 0, "repetitions": len(t), "iterations": e["iterations"],
               "min": t[0], "p10": _quantile(t, 0.1), "p90": _quantile(t, 0.9), "max": t[-1],
               "unit": "ns", "verified": True, "benchmark": name}
        for key in ("median", "mean", "stddev"):  # Google Benchmark's own aggregates, if it made them
            row[key] = agg[key]["real_time"] * scale if key in agg else None
        row["cv"] = agg["cv"]["real_time"] if "cv" in agg else None
        row["cpu_median"] = sorted(e["cpu"])[(len(t) - 1) // 2]
        if row["median"] is None:  # one repetition: no aggregates
            row["median"], row["mean"], row["stddev"] = t[(len(t) - 1) // 2], sum(t) / len(t), 0.0
        if layer == "linux" and what == "getppid":
            row.update(transport="syscall", op="getppid")
        elif layer == "openmpi":
            row.update(transport=openmpi_version or "openmpi", op="MPI_Send/MPI_Recv")
        elif layer == "policy" and what == "overhead":  # the benchmark loop alone
            row.update(op=arg)
        elif layer == "policy":
            row.update(transport=what, op=what, policy=arg, bytes=8 if what == "comm_nonblocking_send" else 0)
        out.append({k: round(v, 2) if isinstance(v, float) else v for k, v in row.items()})
    return out, [{"benchmark": n, "why": why} for n, why in skipped.items()]


def run(args):
    """Builds, runs and writes results/host.json; returns the problems found."""
    if args.repetitions < 1 or not args.min_time > 0:
        raise UserError("--repetitions must be at least 1 and --min-time positive")
    parts = _parts(args.only)
    binaries = {part: _binary(args.build_dir, part) for part in parts}
    openmpi = ""
    if "openmpi" in parts:  # "mpirun (Open MPI) 4.1.4" -> "openmpi-4.1", as docs/baselines.md names it
        openmpi = "openmpi-" + ".".join(openmpi_backend.tools()[2].split()[-1].split(".")[:2])
    doc = {"experiment": "host", "description": "Host context in wall-clock ns (Google Benchmark): Linux IPC round "
           "trips, the bare system call, Open MPI's ping-pong and the policies' decision functions",
           "claim": "", "context": {"commit": results.commit(), "unit": "ns", "unit_note": UNIT_NOTE,
                                    "linux": platform.release(), "repetitions": args.repetitions,
                                    "min_time_s": args.min_time},
           "runs": [], "skipped": [], "results": []}
    for part in parts:
        start = time.monotonic()
        gb = _run(part, binaries[part], args, args.timeout or 1200)
        found, skipped = rows(gb, part, openmpi)
        ctx = gb.get("context", {})
        doc["context"].setdefault("machine", {k: ctx[k] for k in MACHINE_KEYS if k in ctx})
        doc["context"].update({k: ctx[k] for k in ("mpi_library", "mpi_ranks", "linux_cpu") if k in ctx})
        doc["runs"].append({"label": part, "layer": part, "status": "ok", "seconds": round(time.monotonic() - start, 1),
                            "date": ctx.get("date"), "load_avg": ctx.get("load_avg"),
                            "executable": os.path.basename(ctx.get("executable", binaries[part]))})
        doc["results"] += found
        doc["skipped"] += skipped
    results.write(doc, name="host")
    return []


def run_default(build_dir):
    """The host suite with its default settings, as scripts/ipclab reproduce runs it (after the
    Linux guest's baseline); returns the problems found."""
    import argparse
    return run(argparse.Namespace(build_dir=build_dir, repetitions=10, min_time=0.1, only=None, timeout=None))
