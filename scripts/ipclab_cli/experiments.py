"""Experiment descriptions (experiments/*/experiment.json): loading and validation.

An experiment is a list of runs; each run is one boot of the kernel with its tasks,
objects, capabilities and policy. A run with "policies" stands for one run per policy
(expand()); load_file() returns experiments with their runs expanded, so everything after it
sees one policy per run. The format is documented in docs/experiments.md."""
import glob
import json
import os

from checks import check_keys as _check_keys, expect as _expect, fail as _fail, name as _name
from errors import UserError
from paths import EXPERIMENTS
# check_policy is also the check of 'mpirun --policy'.
from run_keys import attack as _attack, check_policy, expand, per_policy_value, rights as _rights, run_policies
from run_keys import kill as _kill, task_names

LAYERS = ("native", "mpi")
RIGHTS = set("srg")
MAX_RANKS = 1024


def _program(value, where):
    """A program of build/user/ by name, or an ELF file by absolute path (scripts/ipclab mpirun)."""
    _expect(value, str, where)
    if not value.startswith("/"):
        _name(value, where)
    elif any(c in value for c in ' \t"\n'):  # QEMU ends a module's file name at the first blank
        _fail(where, "a program's path cannot contain blanks, '\"' or newlines")


def _args(value, where):
    _expect(value, list, where)
    for i, a in enumerate(value):
        _expect(a, str, where + "[" + str(i) + "]")
        if '"' in a or "\n" in a:
            _fail(where + "[" + str(i) + "]", "arguments cannot contain '\"' or newlines")


def _validate_task(t, where, objects):
    _check_keys(t, where, ["name", "program"],
                ["args", "daemon", "root", "world", "stack_kib", "priority", "max_priority", "caps", "count",
                 "chief", "monitor", "kill"])
    if "count" in t:
        _expect(t["count"], int, where + ".count")
        if not 0 <= t["count"] <= 1100:
            _fail(where + ".count", "count must be 0..1100")
    _name(t["name"], where + ".name")
    _name(t["program"], where + ".program")
    _args(t.get("args", []), where + ".args")
    for flag in ("daemon", "root", "world"):
        _expect(t.get(flag, False), bool, where + "." + flag)
    for key in ("priority", "max_priority"):
        if key in t:
            _expect(t[key], int, where + "." + key)
            if not 0 <= t[key] <= 255:
                _fail(where + "." + key, "priorities are 0..255")
    if "stack_kib" in t:
        _expect(t["stack_kib"], int, where + ".stack_kib")
        if not 8 <= t["stack_kib"] <= 65536:
            _fail(where + ".stack_kib", "must be 8..65536")
    if "kill" in t:
        _kill(t["kill"], where + ".kill")
    for i, c in enumerate(t.get("caps", [])):
        w = where + ".caps[" + str(i) + "]"
        _check_keys(c, w, ["slot", "object", "rights"], ["badge"])
        _expect(c["slot"], int, w + ".slot")
        if not 1 <= c["slot"] <= 255:
            _fail(w + ".slot", "slots are 1..255")
        if c["object"] not in objects:
            _fail(w + ".object", "no object '" + str(c["object"]) + "' in this run's objects")
        _expect(c["rights"], str, w + ".rights")
        if c["rights"] != "-" and not set(c["rights"]) <= RIGHTS:
            _fail(w + ".rights", "rights are letters from 's', 'r', 'g', or '-'")
        if "badge" in c:
            _expect(c["badge"], int, w + ".badge")
            if not 0 <= c["badge"] < 2 ** 64:
                _fail(w + ".badge", "badges are 0 .. 2^64-1")


def _validate_run(r, where):
    _check_keys(r, where, ["label", "layer"], ["policy", "policies", "expect", "objects", "tasks", "mpi",
                                               "description", "fastpath", "memory_mib", "attack"])
    _name(r["label"], where + ".label")
    if r["layer"] not in LAYERS:
        _fail(where + ".layer", "must be one of " + ", ".join(LAYERS))
    policies = run_policies(r, where)
    per_policy_value(r.get("expect", "ok"), where + ".expect", policies, "ending")
    _expect(r.get("fastpath", True), bool, where + ".fastpath")
    if "memory_mib" in r:
        _expect(r["memory_mib"], int, where + ".memory_mib")
        if not 64 <= r["memory_mib"] <= 3072:
            _fail(where + ".memory_mib", "guest memory must be 64..3072 MiB")
    objects = set()
    for i, o in enumerate(r.get("objects", [])):
        w = where + ".objects[" + str(i) + "]"
        _check_keys(o, w, ["type", "name"], [])
        if o["type"] not in ("endpoint", "notification"):
            _fail(w + ".type", "object types: endpoint, notification (communicators come from 'mpi')")
        _name(o["name"], w + ".name")
        if o["name"] in objects:
            _fail(w + ".name", "object named twice: " + o["name"])
        objects.add(o["name"])
    for i, t in enumerate(r.get("tasks", [])):
        _validate_task(t, where + ".tasks[" + str(i) + "]", objects)
    if "mpi" in r:
        m = r["mpi"]
        _check_keys(m, where + ".mpi", ["program", "ranks"], ["args", "stack_kib", "send_timeout_ns", "rights"])
        _program(m["program"], where + ".mpi.program")
        _expect(m["ranks"], int, where + ".mpi.ranks")
        if not 1 <= m["ranks"] <= MAX_RANKS:
            _fail(where + ".mpi.ranks", "ranks must be 1.." + str(MAX_RANKS))
        _args(m.get("args", []), where + ".mpi.args")
        if "send_timeout_ns" in m:
            _expect(m["send_timeout_ns"], int, where + ".mpi.send_timeout_ns")
            if not 1 <= m["send_timeout_ns"] < 2 ** 63:
                _fail(where + ".mpi.send_timeout_ns", "must be 1 .. 2^63-1 virtual nanoseconds")
    if not r.get("tasks") and "mpi" not in r:
        _fail(where, "a run needs 'tasks' or 'mpi'")
    names = [t["name"] for t in r.get("tasks", [])]
    if len(set(names)) != len(names):
        _fail(where + ".tasks", "task names must be unique")
    total = sum(t.get("count", 1) for t in r.get("tasks", [])) + r.get("mpi", {}).get("ranks", 0)
    if total > 1100:
        _fail(where, "at most 1100 tasks in a run, not " + str(total))
    if "rights" in r.get("mpi", {}):
        world = r["mpi"]["ranks"] + sum(t.get("count", 1) for t in r.get("tasks", []) if t.get("world"))
        _rights(r["mpi"]["rights"], where + ".mpi.rights", world)
    for i, t in enumerate(r.get("tasks", [])):  # clans & chiefs, reference monitors (docs/policies.md)
        for key in ("chief", "monitor"):
            if key in t:
                _name(t[key], where + ".tasks[" + str(i) + "]." + key)
                if t[key] not in task_names(r):
                    _fail(where + ".tasks[" + str(i) + "]." + key, "no task '" + t[key] + "' in this run")
                if t[key] == t["name"] and "count" not in t:
                    _fail(where + ".tasks[" + str(i) + "]." + key, "a task cannot be its own " + key)
    if "attack" in r:
        _attack(r["attack"], where + ".attack", policies, task_names(r))
    if r.get("fastpath") and any("kill" in t for t in r.get("tasks", [])):
        _fail(where + ".fastpath", "a run with a 'kill' directive runs with the fast paths off "
              "(docs/fault-injection.md): leave out 'fastpath'")


def validate(e, where):
    """Checks an experiment description; raises UserError naming the first problem."""
    _check_keys(e, where, ["name", "description", "runs"], ["claim", "default", "timeout_seconds"])
    _name(e["name"], where + ".name")
    _expect(e["description"], str, where + ".description")
    _expect(e.get("default", False), bool, where + ".default")
    _expect(e.get("timeout_seconds", 300), int, where + ".timeout_seconds")
    _expect(e["runs"], list, where + ".runs")
    if not e["runs"]:
        _fail(where + ".runs", "at least one run")
    labels = {}  # label -> the run that has it
    for i, r in enumerate(e["runs"]):
        _validate_run(r, where + ".runs[" + str(i) + "]")
        for label in [r["label"]] if "policies" not in r else [r["label"] + "." + p for p in r["policies"]]:
            if label in labels:
                expanded = "policies" in r or "policies" in e["runs"][labels[label]]
                _fail(where + ".runs[" + str(i) + "].label", "labels must be unique: runs[" + str(labels[label]) +
                      "] is also labelled '" + label + "'" +
                      (" (a run with 'policies' is labelled LABEL.POLICY)" if expanded else ""))
            labels[label] = i
    return e


def load_file(path):
    """Loads and validates one description file."""
    try:
        with open(path, encoding="utf-8") as f:
            e = json.load(f)
    except OSError as err:
        raise UserError("cannot read " + path + ": " + err.strerror)
    except json.JSONDecodeError as err:
        raise UserError(path + ": not valid JSON: " + str(err))
    return expand(validate(e, os.path.relpath(path)))


def available():
    """{name: description} of every experiment in experiments/*/experiment.json."""
    found = {}
    for path in sorted(glob.glob(os.path.join(EXPERIMENTS, "*", "experiment.json"))):
        e = load_file(path)
        found[e["name"]] = e
    return found


def find(name):
    """The experiment called `name`, or a UserError listing the known ones."""
    known = available()
    if name not in known:
        raise UserError("unknown experiment '" + name + "' (known: " + ", ".join(sorted(known)) + ")")
    return known[name]


def under_policy(e, policy):
    """Experiment `e` (loaded, so expanded) with every run under `policy` (scripts/ipclab run
    --policy): a run expanded from a "policies" list (labelled LABEL.POLICY) stays only in its
    copy for `policy`, if the list had it; every other run takes `policy`. Raises a UserError
    when no run is left."""
    runs = []
    for r in e["runs"]:
        if r["label"].endswith("." + r.get("policy", "")):
            if r["policy"] == policy:
                runs.append(r)
            continue
        runs.append(dict(r, policy=policy))
    if not runs:
        raise UserError("experiment '" + e["name"] + "' has no run for policy '" + policy + "'")
    return dict(e, runs=runs)
