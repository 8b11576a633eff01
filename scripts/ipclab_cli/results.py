"""Running experiments and writing results/<experiment>.json and .csv."""
import csv
import json
import os
import subprocess
import sys

import attacks
import report_pingpong
import runner
from paths import RESULTS, ROOT

# Columns in this order first; any other field of an experiment's rows follows.
CSV_FIELDS = ["experiment", "run", "layer", "op", "metric", "transport", "policy", "words", "bytes",
              "address_spaces", "tasks", "clients", "iterations", "warmup", "overhead", "min", "p10", "median",
              "p90", "max", "mean", "stddev", "unit", "verified", "commit"]


# Experiment name -> a function adding figures derived from its rows to its document
# (docs/experiments.md, "What results/<name>.json holds").
SUMMARIES = {"pingpong": report_pingpong.summarise}


def commit():
    """The source commit, with "-dirty" when tracked files other than results/ (which a run
    rewrites as it goes) differ from it."""
    try:
        head = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short=12", "HEAD"], capture_output=True,
                              text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", ROOT, "status", "--porcelain", "--untracked-files=no", "--", ".",
                                ":(exclude)results"], capture_output=True, text=True).stdout.strip()
        return head + ("-dirty" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def _progress(prefix):
    def show(obj):
        if obj.get("type") == "result":
            print("%s %6s bytes: median %s %s (min %s, max %s)%s" % (
                prefix, obj.get("bytes"), obj.get("median"), obj.get("unit", ""), obj.get("min"), obj.get("max"),
                "" if obj.get("verified", True) else "  PAYLOAD MISMATCH"), flush=True)
        elif obj.get("event") in ("fault", "boot_error", "panic", "deadlock", "blocked", "unsupported_syscall"):
            print(prefix + " kernel: " + json.dumps(obj), flush=True)
    return show


def run_experiment(e, build_dir, timeout=None):
    """Runs every run of experiment `e`; returns (document, problems)."""
    context = {"commit": commit(), "qemu": runner.qemu_version(), "qemu_mode": " ".join(runner.QEMU_MODE),
               "qemu_machine": " ".join(runner.QEMU_MACHINE), "unit": runner.UNIT,
               "unit_note": "guest instructions (kernel + user) under -icount shift=0: one per virtual "
                            "nanosecond; no model of caches or TLBs"}
    doc = {"experiment": e["name"], "description": e["description"], "claim": e.get("claim", ""),
           "context": context, "runs": [], "results": []}
    problems = []
    for r in e["runs"]:
        name = e["name"] + "-" + r["label"]
        prefix = "[" + e["name"] + "/" + r["label"] + "]"
        env = {"IPCLAB_COMMIT": context["commit"], "IPCLAB_POLICY": r.get("policy", "capability"),
               "IPCLAB_UNIT": runner.UNIT, "IPCLAB_EXPERIMENT": e["name"]}
        manifest, modules = runner.compose(r, env)
        limit = timeout or e.get("timeout_seconds", 300)
        print(prefix + " booting (" + str(len(modules)) + " tasks, policy " + env["IPCLAB_POLICY"] +
              ", timeout " + str(limit) + " s)", flush=True)
        out = runner.boot(build_dir, name, manifest, modules, limit, _progress(prefix),
                          append="commit=" + context["commit"], memory_mib=r.get("memory_mib", 512))
        expected = r.get("expect", "ok")
        run_end = (out.events("run_end") or [{}])[-1]
        print("%s %s in %.1f s host time, %s guest instructions" % (
            prefix, out.status, out.seconds, run_end.get("instructions", "?")), flush=True)
        if out.timed_out:
            problems.append(prefix + " timed out after " + str(limit) + " s; QEMU was stopped and its output kept "
                            "in " + os.path.relpath(out.log))
        elif out.status != expected:
            qemu = [e["message"] for e in out.events("qemu_error")]
            problems.append(prefix + " ended '" + str(out.status) + "', expected '" + expected + "' (log: " +
                            os.path.relpath(out.log) + ")" + ("; QEMU said: " + qemu[0] if qemu else ""))
        for row in out.results():
            row.update({"experiment": e["name"], "run": r["label"], "layer": r["layer"]})
            if not row.get("verified", True):
                problems.append(prefix + " payload mismatch at " + str(row.get("bytes")) + " bytes")
            doc["results"].append(row)
        entry = {"label": r["label"], "layer": r["layer"], "policy": env["IPCLAB_POLICY"],
                 "status": out.status, "expected": expected, "guest_instructions": run_end.get("instructions"),
                 "events": out.events()}
        if "send_timeout_ns" in r.get("mpi", {}):
            entry["send_timeout_ns"] = r["mpi"]["send_timeout_ns"]
        if "attack" in r:  # judged now, so a mismatch shows beside the run's own output
            entry.update(attacks.record(r, out))
            row, found = attacks.judge(entry)
            print(attacks.verdict_line(row, prefix), file=sys.stderr if row["mismatch"] else sys.stdout, flush=True)
            problems += [prefix + " " + p for p in found]
        doc["runs"].append(entry)
    if e["name"] in SUMMARIES:
        SUMMARIES[e["name"]](doc)
    if any("attack" in entry for entry in doc["runs"]):
        attacks.summarise(doc)  # outcomes and matrix; its problems were reported run by run
    return doc, problems


def write(doc, directory=RESULTS, name=None):
    """Writes <name>.json (everything) and <name>.csv (`name`: the experiment's, unless given):
    one row per result, or for an experiment of attack runs one row per judged run (its
    `outcomes`)."""
    os.makedirs(directory, exist_ok=True)
    base = os.path.join(directory, name or doc["experiment"])
    with open(base + ".json", "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=1, sort_keys=True)
        f.write("\n")
    rows, order = doc["results"], CSV_FIELDS
    if "outcomes" in doc:
        rows, order = [attacks.csv_row(o) for o in doc["outcomes"]], attacks.CSV_FIELDS
    present = {k for row in rows for k in row if k != "type"}
    fields = [k for k in order if k in present]
    fields += sorted(present - set(fields))
    with open(base + ".csv", "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=fields, extrasaction="ignore")
        w.writeheader()
        for row in rows:
            w.writerow(row)
    print("ipclab: wrote " + os.path.relpath(base) + ".json and .csv", file=sys.stderr, flush=True)
