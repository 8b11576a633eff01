"""ipclab: build the kernel, run experiments in QEMU, write results and the report.

  scripts/ipclab reproduce          install what is missing, build, run the default
                                    experiments, write results/ and results/REPORT.md
  scripts/ipclab test [CTEST...]    install what is missing, build, run every test
  scripts/ipclab build              configure and build into build/
  scripts/ipclab list               the experiments and what they test, the policies
  scripts/ipclab run EXPERIMENT...  boot QEMU for each run of each experiment
  scripts/ipclab run EXPERIMENT --backend openmpi [--hostfile FILE]
                                    its MPI runs under Open MPI on Linux instead
  scripts/ipclab mpicc [-o OUT] SOURCE... [FLAGS]
                                    build an MPI program for ipclab, like Open MPI's mpicc
  scripts/ipclab mpirun -np N PROGRAM [ARGS...]
                                    boot it with N ranks, like Open MPI's mpirun
  scripts/ipclab bench ipc          the IPC micro-benchmark and scaling experiments, plots
  scripts/ipclab bench host         Linux IPC, Open MPI and the policies on the host (ns)
  scripts/ipclab report             results/REPORT.md and plots from results/*.json
  scripts/ipclab baseline           Linux IPC and Open MPI in a Linux guest, same QEMU mode
  scripts/ipclab fuzz [--seed S] [--calls N] [--policy P|all] [--host SECONDS]
                                    fuzz the system calls in QEMU (and the core on the host),
                                    figures to results/robustness.json
"""
import argparse
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import abi  # noqa: E402
import baseline  # noqa: E402
import build  # noqa: E402
import deps  # noqa: E402
import experiments  # noqa: E402
import fuzz  # noqa: E402
import host_bench  # noqa: E402
import mpicc  # noqa: E402
import mpirun  # noqa: E402
import openmpi_backend  # noqa: E402
import report  # noqa: E402
import results  # noqa: E402
from errors import UserError  # noqa: E402
from paths import BUILD  # noqa: E402


def cmd_build(args):
    deps.ensure()
    build.build(args.build_dir, verbose=args.verbose)


def cmd_list(args):
    for name, e in sorted(experiments.available().items()):
        default = " (default)" if e.get("default") else ""
        print(name + default + ": " + e["description"])
        if e.get("claim"):
            print("    tests: " + e["claim"])
        for r in e["runs"]:
            print("    run '" + r["label"] + "': layer " + r["layer"] + ", policy " + r.get("policy", "capability"))
    print("\npolicies (kernel/policy/policies.def; 'policy' of a run, 'mpirun --policy'):")
    for name, description in abi.policies():
        print("  " + name + ": " + description)


def run_experiments(names, build_dir, timeout, policy=None):
    """Runs and writes each experiment (under `policy` instead of its own, if given: results
    then go to <experiment>-<policy>.json, the experiment's own results stay); returns the
    problems found."""
    if policy is not None:
        experiments.check_policy(policy, "--policy")
    build.require_build(build_dir)
    chosen = [experiments.find(n) for n in names]  # every name checked before anything runs
    if policy is not None:
        chosen = [experiments.under_policy(e, policy) for e in chosen]
    problems = []
    total = sum(len(e["runs"]) for e in chosen)
    done, start = 0, time.monotonic()
    for e in chosen:
        if len(chosen) > 1 or len(e["runs"]) > 1:  # where a long run stands
            print("ipclab: [%d/%d runs, %.0f s] experiment %s: %d runs" % (
                done, total, time.monotonic() - start, e["name"], len(e["runs"])), file=sys.stderr, flush=True)
        doc, found = results.run_experiment(e, build_dir, timeout)
        done += len(e["runs"])
        results.write(doc, name=doc["experiment"] + ("-" + policy if policy else ""))
        problems += found
    return problems


def _report_problems(problems):
    for p in problems:
        print("ipclab: " + p, file=sys.stderr)
    return 1 if problems else 0


def cmd_run(args):
    if args.timeout is not None and args.timeout <= 0:
        raise UserError("--timeout must be a positive number of seconds")
    if args.backend == "openmpi":  # Open MPI on Linux instead of QEMU (openmpi_backend.py)
        return _report_problems(openmpi_backend.run(args.experiments, args.build_dir, args.timeout, args.hostfile,
                                                    args.policy))
    if args.hostfile is not None:
        raise UserError("--hostfile needs --backend openmpi")
    return _report_problems(run_experiments(args.experiments, args.build_dir, args.timeout, args.policy))


BENCHMARKS = {"ipc": ["ipc_bench", "ipc_scaling"]}


def cmd_bench(args):
    if args.suite == "host":  # Google Benchmark on the host, not QEMU (host_bench.py)
        return _report_problems(host_bench.run(args))
    problems = run_experiments(BENCHMARKS[args.suite], args.build_dir, args.timeout)
    report.generate(args.build_dir)
    return _report_problems(problems)


def cmd_report(args):
    report.generate(args.build_dir)


def cmd_reproduce(args):
    deps.ensure()
    print("ipclab: [step 1/5] build", file=sys.stderr, flush=True)
    build.build(args.build_dir, verbose=args.verbose)
    names = sorted(n for n, e in experiments.available().items() if e.get("default"))
    print("ipclab: [step 2/5] the default experiments: " + ", ".join(names), file=sys.stderr, flush=True)
    problems = run_experiments(names, args.build_dir, None)
    print("ipclab: [step 3/5] the baselines: Linux and Open MPI in the same emulator, then on the host "
          "(scripts/ipclab baseline)", file=sys.stderr, flush=True)
    problems += baseline.run_default(args.build_dir)
    print("ipclab: [step 4/5] robustness: the syscall fuzzer under every policy, fault injection, the host's "
          "libFuzzer targets (scripts/ipclab fuzz)", file=sys.stderr, flush=True)
    problems += fuzz.run_default(args.build_dir)
    print("ipclab: [step 5/5] the report", file=sys.stderr, flush=True)
    report.generate(args.build_dir)
    return _report_problems(problems)


def cmd_mpicc(args):
    return mpicc.main(args.words, args.build_dir, args.verbose)


def cmd_mpirun(args):
    args.show_records = args.show_records or args.verbose
    return mpirun.main(args, args.build_dir)


def cmd_test(args):
    deps.ensure()
    build.build(args.build_dir, verbose=args.verbose)
    cmd = ["ctest", "--test-dir", args.build_dir, "--output-on-failure", "-j", str(os.cpu_count() or 2)]
    print("ipclab: " + " ".join(cmd + args.ctest_args), file=sys.stderr, flush=True)
    return subprocess.run(cmd + args.ctest_args).returncode


def parser():
    p = argparse.ArgumentParser(prog="scripts/ipclab", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--build-dir", default=BUILD, help="build tree (default: build/)")
    p.add_argument("--verbose", action="store_true", help="show the build's own output")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    sub.add_parser("build", help="configure and build everything").set_defaults(func=cmd_build)
    sub.add_parser("list", help="list the experiments").set_defaults(func=cmd_list)
    r = sub.add_parser("run", help="run experiments in QEMU")
    r.add_argument("experiments", nargs="+", metavar="EXPERIMENT")
    r.add_argument("--timeout", type=float, help="seconds before a hung run is stopped (default: per experiment)")
    r.add_argument("--policy", metavar="NAME",
                   help="run every run under this policy ('list' shows them); results go to "
                        "results/EXPERIMENT-NAME.json")
    r.add_argument("--backend", choices=["qemu", "openmpi"], default="qemu",
                   help="qemu: ipclab in QEMU (default); openmpi: the MPI runs under Open MPI on Linux, results "
                        "in wall-clock ns to results/EXPERIMENT-openmpi.json")
    r.add_argument("--hostfile", metavar="FILE", help="with --backend openmpi: Open MPI's hostfile (mpirun --hostfile)")
    r.set_defaults(func=cmd_run)
    b = sub.add_parser("bench", help="run a benchmark suite and plot it")
    b.add_argument("suite", choices=sorted(BENCHMARKS) + ["host"],
                   help="ipc: the native IPC micro-benchmark and scaling; host: Google Benchmark on the host")
    b.add_argument("--timeout", type=float, help="seconds before a hung run is stopped")
    host_bench.add_arguments(b)
    b.set_defaults(func=cmd_bench)
    sub.add_parser("report", help="write results/REPORT.md and plots").set_defaults(func=cmd_report)
    baseline.register(sub)
    fuzz.register(sub)
    sub.add_parser("reproduce", help="set up, build, run the default experiments, report").set_defaults(
        func=cmd_reproduce)
    # mpicc passes every word on to the compiler, so none may be taken for an option here:
    # with no prefix characters, argparse sees them all as positional.
    c = sub.add_parser("mpicc", help="build an MPI program (like Open MPI's mpicc; --help for more)",
                       add_help=False, prefix_chars="\0")
    c.add_argument("words", nargs=argparse.REMAINDER)
    c.set_defaults(func=cmd_mpicc)
    m = sub.add_parser("mpirun", help="run an MPI program with N ranks (like Open MPI's mpirun)",
                       description="Boots the kernel with N ranks of PROGRAM (an ELF built by 'scripts/ipclab "
                       "mpicc', or a program of build/user/ by name), prints what they print and exits with "
                       "the job's status (docs/mpi.md).")
    m.add_argument("-np", "-n", "--np", dest="np", metavar="N", required=True, help="number of ranks, 1..1024")
    m.add_argument("--policy", default=mpirun.DEFAULT_POLICY,
                   help="security policy (default %(default)s; 'scripts/ipclab list' shows them)")
    m.add_argument("--timeout", type=float, default=mpirun.DEFAULT_TIMEOUT,
                   help="host seconds before the run is stopped (default %(default)s)")
    m.add_argument("--send-timeout", type=float, metavar="S",
                   help="virtual seconds a send on MPI_COMM_WORLD may wait for its receiver")
    m.add_argument("--memory", type=int, metavar="MIB", help="guest memory in MiB (default 512)")
    m.add_argument("-v", "--verbose", dest="show_records", action="store_true",
                   help="also print the kernel's records (on stderr)")
    m.add_argument("program", metavar="PROGRAM")
    m.add_argument("args", nargs=argparse.REMAINDER, metavar="ARGS")
    m.set_defaults(func=cmd_mpirun)
    t = sub.add_parser("test", help="set up, build, run every test")
    t.add_argument("ctest_args", nargs=argparse.REMAINDER, help="passed to ctest (e.g. -L unit)")
    t.set_defaults(func=cmd_test)
    return p


def main(argv=None):
    args = parser().parse_args(argv)
    args.build_dir = os.path.abspath(args.build_dir)
    try:
        return args.func(args) or 0
    except UserError as e:
        print("ipclab: error: " + str(e), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("ipclab: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
