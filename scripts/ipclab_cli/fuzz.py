"""scripts/ipclab fuzz: the kernel's system calls fuzzed from a seed in QEMU, with an oracle
for policy violations (experiments/fuzz), and the host's libFuzzer targets (tests/fuzz);
the figures go to results/robustness.json (docs/robustness.md).

A kernel run passes when the kernel did not panic, the run did not hang (host timeout or the
kernel's deadlock report), the fuzzer finished its calls and heard the oracle, the oracle
saw no violation, and kernel memory was back to its starting figure at the end."""
import argparse
import json
import os
import sys
import time

import build
import deps
import experiments
import fuzz_host
import results
import runner
from errors import UserError
from paths import RESULTS, ROOT

# The policies that enforce a communicator's rights table (docs/run-description.md
# `rights`): under them the oracle counts every message from the fuzzer on WORLD.
RIGHTS_ENFORCED = ("mpi-rights", "mpi-blocking", "mpi-timeout", "mpi-credit")
FUZZER_CAPS = [{"slot": 2, "object": "open", "rights": "s", "badge": 7}, {"slot": 3, "object": "sealed", "rights": "r"},
               {"slot": 4, "object": "mine", "rights": "srg"}, {"slot": 5, "object": "bell", "rights": "s", "badge": 1},
               {"slot": 6, "object": "quiet", "rights": "r"}, {"slot": 7, "object": "ring", "rights": "srg"}]
ORACLE_CAPS = [{"slot": 2, "object": "open", "rights": "r"}, {"slot": 3, "object": "sealed", "rights": "r"},
               {"slot": 4, "object": "inbox", "rights": "r"}, {"slot": 5, "object": "quiet", "rights": "r"},
               {"slot": 6, "object": "bell", "rights": "r"}]
DEFAULT_CALLS = 100000
SECONDS_PER_MILLION_CALLS = 60  # host timeout budget; a 1M-call run takes about 5 s on 2 cores
DEFAULT_HOST_SECONDS = 20
# The fault-injection runs (docs/fault-injection.md); their test asserts what each partner sees,
# the harness records who was killed where and whether memory came back.
FAULT_RUNS = os.path.join(ROOT, "tests", "qemu", "scenarios", "fault_injection.json")
# What 'reproduce' runs (run_default): every policy for one seed, the default one for three.
DEFAULT_SEEDS = {"capability": 3}


def register(sub):
    """Adds the 'fuzz' command to the front end's subcommands."""
    f = sub.add_parser("fuzz", help="fuzz the kernel's system calls in QEMU, and the portable core on the host "
                                    "(docs/robustness.md)")
    f.add_argument("--seed", type=_non_negative, default=1, help="first seed (default 1)")
    f.add_argument("--seeds", type=_positive, default=1, help="how many seeds, from --seed on (default 1)")
    f.add_argument("--calls", type=_positive, default=DEFAULT_CALLS,
                   help="system calls per seed (default %(default)s)")
    f.add_argument("--policy", default="capability", metavar="NAME",
                   help="the run's policy, a comma-separated list, or 'all' (default capability)")
    f.add_argument("--trace-from", type=_non_negative, metavar="K",
                   help="print every call from the K-th on (to find the one that broke a run)")
    f.add_argument("--host", type=_non_negative, default=0, metavar="SECONDS",
                   help="also run each libFuzzer target (tests/fuzz) this long (default 0: not)")
    f.add_argument("--timeout", type=float, help="host seconds before a run counts as hung (default: from --calls)")
    f.add_argument("--faults", action="store_true",
                   help="also boot the fault-injection runs (docs/fault-injection.md) and record them")
    f.add_argument("--record", default="syscall_fuzz", metavar="NAME",
                   help="the part of the results file these runs replace (default syscall_fuzz; the long runs "
                        "documented in docs/robustness.md are in syscall_fuzz_long)")
    f.add_argument("--out", default=os.path.join(RESULTS, "robustness.json"),
                   help="where the figures go (default results/robustness.json)")
    f.set_defaults(func=main)


def _positive(text):
    value = _non_negative(text)
    if value == 0:
        raise argparse.ArgumentTypeError("expected a positive whole number, not 0")
    return value


def _non_negative(text):
    try:
        value = int(text, 0)
    except ValueError:
        raise argparse.ArgumentTypeError("expected a whole number, not '" + text + "'") from None
    if value < 0:
        raise argparse.ArgumentTypeError("expected a whole number >= 0, not " + text)
    return value


def policies(value):
    """The policy names `value` asks for ('all', one, or a comma-separated list)."""
    import abi
    known = [name for name, _ in abi.policies()]
    chosen = known if value == "all" else value.split(",")
    unknown = [p for p in chosen if p not in known]
    if unknown:
        raise UserError("--policy: unknown policy '" + unknown[0] + "' (known: " + ", ".join(known) + ")")
    return chosen


def compose(seed, calls, policy, trace_from=None):
    """(manifest, modules) of one fuzzing run: the fuzzer (root, rank 0) and the oracle
    (daemon, rank 1), the objects they share, and a rights table denying rank 0 -> rank 1."""
    args = ["--seed", str(seed), "--calls", str(calls)]
    if trace_from is not None:
        args += ["--trace-from", str(trace_from)]
    objects = ([{"type": "endpoint", "name": n} for n in ("open", "sealed", "mine", "inbox")] +
               [{"type": "notification", "name": n} for n in ("bell", "quiet", "ring")])
    run = {"policy": policy, "objects": objects, "tasks": [
        {"name": "fuzzer", "program": "syscall_fuzz", "args": args, "root": True, "world": True, "caps": FUZZER_CAPS},
        {"name": "oracle", "program": "fuzz_oracle", "args": ["--deny-world"] if policy in RIGHTS_ENFORCED else [],
         "daemon": True, "world": True, "caps": ORACLE_CAPS}]}
    manifest, modules = runner.compose(run, {})
    return manifest + "rights world deny 0 1\n", modules


def judge(out, calls):
    """One run's record from its Outcome: the figures and the problems that fail it."""
    fuzz = next((l for l in reversed(out.output) if l.get("type") == "fuzz"), None)
    end = next(iter(out.events("run_end")), {})
    panics = out.events("panic")
    faults = [e for e in out.events("task_exit") if e.get("failed")]
    violations = [l for l in out.output if l.get("type") == "violation"]
    progress = [l["calls"] for l in out.output if l.get("type") == "fuzz_progress"]
    record = {"status": out.status, "host_seconds": round(out.seconds, 1),
              "instructions": end.get("instructions"), "calls_done": fuzz["calls"] if fuzz else max(progress, default=0),
              "panic": panics[0] if panics else None, "hang": out.timed_out or out.status == "deadlock",
              "killed_tasks": [{k: e.get(k) for k in ("task", "reason", "status")} for e in faults],
              "violations": (fuzz or {}).get("violations", len(violations)), "violation_lines": violations[:20],
              "leaked_object_bytes": end.get("leaked_object_bytes"), "leaked_frames": end.get("leaked_frames"),
              "memory_checked": end.get("memory_checked", False),
              "statuses": {k: v for k, v in (fuzz or {}).items()
                           if k not in ("type", "seed", "calls", "oracle", "violations", "oracle_messages")},
              "oracle_messages": (fuzz or {}).get("oracle_messages"),
              "calls_by_op": next((dict((k, v) for k, v in l.items() if k != "type")
                                   for l in out.output if l.get("type") == "fuzz_ops"), {})}
    problems = []
    if panics:
        problems.append("kernel panic: " + panics[0].get("message", "?"))
    if record["hang"]:
        problems.append("hang (" + ("host timeout" if out.timed_out else "kernel deadlock report") + ")")
    if faults:
        problems.append("task killed: " + ", ".join(e["task"] + " (" + e["reason"] + ")" for e in faults))
    if not fuzz or fuzz.get("calls") != calls or fuzz.get("oracle") != "ok":
        problems.append("the fuzzer did not finish its calls and hear the oracle (run status " + str(out.status) + ")")
    if record["violations"]:
        problems.append(str(record["violations"]) + " policy violations")
    if not record["memory_checked"] or record["leaked_object_bytes"] or record["leaked_frames"]:
        problems.append("kernel memory not back to its starting figure (objects %s bytes, frames %s)"
                        % (record["leaked_object_bytes"], record["leaked_frames"]))
    record["problems"] = problems
    record["passed"] = not problems
    return record


def run_kernel(build_dir, seed, calls, policy, timeout=None, trace_from=None, echo=None):
    """Boots one fuzzing run and returns its record (judge)."""
    manifest, modules = compose(seed, calls, policy, trace_from)
    limit = timeout or 60 + SECONDS_PER_MILLION_CALLS * calls / 1e6
    out = runner.boot(build_dir, "fuzz-%s-%d-%d" % (policy, seed, calls), manifest, modules, limit, on_line=echo)
    record = judge(out, calls)
    record.update(seed=seed, calls=calls, policy=policy, log=os.path.relpath(out.log),
                  replay="scripts/ipclab fuzz --seed %d --calls %d --policy %s" % (seed, calls, policy))
    return record


def summarise(records):
    """The totals of robustness.json's syscall fuzzing part."""
    return {"runs": len(records), "calls": sum(r["calls_done"] for r in records),
            "seeds": sorted({r["seed"] for r in records}), "policies": sorted({r["policy"] for r in records}),
            "crashes": sum(1 for r in records if r["panic"] or r["killed_tasks"]),
            "hangs": sum(1 for r in records if r["hang"]),
            "leaks": sum(1 for r in records if not r["memory_checked"] or r["leaked_object_bytes"] or r["leaked_frames"]),
            "violations": sum(r["violations"] for r in records),
            "passed": all(r["passed"] for r in records)}


def update_results(path, part, value):
    """Replaces one part of robustness.json, keeping the others (each command writes its own)."""
    doc = {}
    if os.path.exists(path):
        try:
            with open(path, encoding="utf-8") as f:
                doc = json.load(f)
        except (OSError, json.JSONDecodeError):
            doc = {}
    doc["experiment"] = "robustness"
    doc["context"] = {"commit": results.commit(), "unit": runner.UNIT}
    doc[part] = value
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=1, sort_keys=True)
        f.write("\n")


def run_faults(build_dir):
    """Boots every fault-injection run; per run who was killed where, how the run ended and
    whether kernel memory came back. A run passes when its kill happened (if it has one), the
    kernel did not panic and memory came back."""
    scenario = experiments.load_file(FAULT_RUNS)
    records = []
    for run in scenario["runs"]:
        manifest, modules = runner.compose(run, {})
        out = runner.boot(build_dir, "faults-" + run["label"], manifest, modules, scenario.get("timeout_seconds", 120))
        end = next(iter(out.events("run_end")), {})
        kills = [{k: e.get(k) for k in ("task", "point", "nth", "state", "reply_cap")} for e in out.events("inject")]
        wanted = [t["name"] for t in run.get("tasks", []) if t.get("kill")]
        leaked = not end.get("memory_checked") or end.get("leaked_object_bytes") or end.get("leaked_frames")
        records.append({"label": run["label"], "policy": run.get("policy", "capability"), "status": out.status,
                        "expected_status": run.get("expect", "ok"), "kills": kills,
                        "leaked_object_bytes": end.get("leaked_object_bytes"), "leaked_frames": end.get("leaked_frames"),
                        "passed": (len(kills) == len(wanted) and not out.events("panic") and not leaked
                                   and out.status == run.get("expect", "ok"))})
    return {"runs": records, "totals": {"runs": len(records), "passed": sum(r["passed"] for r in records),
                                        "leaks": sum(1 for r in records if r["leaked_object_bytes"] or r["leaked_frames"])}}


def fuzz_kernel(build_dir, jobs, calls, timeout=None, trace_from=None):
    """Runs (policy, seed) `jobs`; (records, totals), progress on stderr."""
    records = []
    started = time.monotonic()

    def echo(obj):
        if obj.get("type") in ("call", "called", "violation") or obj.get("event") == "panic":
            print(json.dumps(obj), file=sys.stderr, flush=True)

    for policy, seed in jobs:
        r = run_kernel(build_dir, seed, calls, policy, timeout, trace_from, echo)
        records.append(r)
        verdict = "passed" if r["passed"] else "FAILED: " + "; ".join(r["problems"])
        print("ipclab: fuzz seed %d, %d calls, policy %s: %s (%.1f s; replay: %s; log %s)"
              % (seed, r["calls_done"], policy, verdict, r["host_seconds"], r["replay"], r["log"]),
              file=sys.stderr, flush=True)
    totals = summarise(records)
    totals["host_seconds"] = round(time.monotonic() - started, 1)
    return records, totals


def run_default(build_dir):
    """reproduce's robustness step: every policy for seed 1 (the default policy for seeds
    1-3) at DEFAULT_CALLS, the host targets DEFAULT_HOST_SECONDS each, the fault-injection
    runs; results/robustness.json (its long runs kept). Returns the problems found."""
    jobs = [(p, s) for p in policies("all") for s in range(1, 1 + DEFAULT_SEEDS.get(p, 1))]
    records, totals = fuzz_kernel(build_dir, jobs, DEFAULT_CALLS)
    out = os.path.join(RESULTS, "robustness.json")
    update_results(out, "syscall_fuzz", {"totals": totals, "runs": records})
    problems = ["fuzz: " + r["replay"] + ": " + "; ".join(r["problems"]) for r in records if not r["passed"]]
    faults = run_faults(build_dir)
    update_results(out, "fault_injection", faults)
    problems += ["fault injection run " + r["label"] + " failed" for r in faults["runs"] if not r["passed"]]
    host = fuzz_host.run(build_dir, DEFAULT_HOST_SECONDS)
    update_results(out, "host_fuzz", host)
    if host["overall"]["crashes"]:
        problems.append("a libFuzzer target crashed (results/robustness.json host_fuzz)")
    print("ipclab: wrote " + os.path.relpath(out), file=sys.stderr, flush=True)
    return problems


def main(args):
    chosen = policies(args.policy)
    deps.ensure()
    build.build(args.build_dir, verbose=args.verbose)
    jobs = [(p, s) for p in chosen for s in range(args.seed, args.seed + args.seeds)]
    records, totals = fuzz_kernel(args.build_dir, jobs, args.calls, args.timeout, args.trace_from)
    update_results(args.out, args.record, {"totals": totals, "runs": records})
    ok = totals["passed"]
    if args.faults:
        faults = run_faults(args.build_dir)
        update_results(args.out, "fault_injection", faults)
        ok = ok and faults["totals"]["passed"] == faults["totals"]["runs"]
    if args.host:
        host = fuzz_host.run(args.build_dir, args.host)
        update_results(args.out, "host_fuzz", host)
        ok = ok and not host["overall"]["crashes"]
    print("ipclab: wrote " + os.path.relpath(args.out), file=sys.stderr, flush=True)
    return 0 if ok else 1
