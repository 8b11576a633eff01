"""Judging the attack runs of issue 5 (docs/attacks.md) from what they printed: per run an
outcome row (did the attack succeed, did the run's description expect that, what it cost the
kernel and the legitimate tasks), and the matrix of outcomes by attack, policy and layer.
Counts are integers, times in guest instructions, memory in bytes."""
import json

import abi
import run_keys
import runner
import timer_overhead

LINE_TYPES = ("attack", "attack_sample")
# Fields a line of each role must have (docs/attacks.md, "What the programs print").
ROLES = {"attacker": ("attempts", "accepted"), "client": ("failed",), "server": ("violations",),
         "victim": ("violations",), "manager": ("aborted",)}
COUNTS = ("attempts", "accepted", "buffer_peak_bytes", "round_trips_before", "round_trips_during", "failed",
          "received", "violations", "blocked_instructions", "aborted")
TIMES = ("rt_median_before", "rt_median_during")
SAMPLE_FIELDS = ("t", "sent", "buffer_bytes")
# An attacker stopped by these (a status of abi/status.def, an MPI error class) exhausted the
# kernel's memory for message buffers: the flood succeeded.
OUT_OF_MEMORY = ("out_of_memory", "MPI_ERR_NO_MEM")
# A legitimate round trip this many times slower during the flood than before it is denied service.
SLOWDOWN = 2.0
# Endings after which the kernel is not known to have survived (runner.Outcome.status).
DEAD = ("panic", "qemu_failed", "qemu_exited", "timeout")
# The columns of <experiment>.csv for outcome rows, in this order.
CSV_FIELDS = ["attack", "variant", "layer", "policy", "label", "status", "succeeded", "expected", "mismatch",
              "kernel_survived", "legit_finished", "legit_missing", "buffer_peak_bytes", "buffer_peak_by_task",
              "kernel_object_bytes", "rt_before", "rt_during", "slowdown", "blocked_instructions", "sends_aborted",
              "attempts", "accepted", "violations", "failed", "victim_results", "stopped_by", "errors", "reasons"]


def _is_count(v):
    return isinstance(v, int) and not isinstance(v, bool) and v >= 0


def _is_object(text):
    try:
        return isinstance(json.loads(text), dict)
    except ValueError:
        return False


def _unparsed(text):
    """Console lines of the tasks that look like attack lines but are not JSON objects (the
    runner drops those silently, as it drops every line that is not JSON)."""
    found = []
    for line in text.splitlines():
        task_part = line.partition(runner.KERNEL_MARK)[0].strip()
        if task_part.startswith("{") and '"attack' in task_part and not _is_object(task_part):
            found.append(task_part[:200])
    return found


def record(run, out):
    """What an attack run's entry in the results keeps besides the usual keys: its "attack"
    description, its attack and attack_sample lines ("output") and the console lines that
    looked like attack lines but did not parse ("unparsed")."""
    return {"attack": run["attack"], "output": [l for l in out.output if l.get("type") in LINE_TYPES],
            "unparsed": _unparsed(out.text)}


def _line_problem(line, attack):
    """What is wrong with one attack line, or None."""
    who = "%s line of '%s'" % (line.get("role", "an attack"), line.get("name", "?"))
    if line.get("attack") != attack:
        return "%s: attack '%s', but the run's attack is '%s'" % (who, line.get("attack"), attack)
    if line.get("role") not in ROLES:
        return "%s: role must be one of %s" % (who, ", ".join(ROLES))
    if not isinstance(line.get("name"), str):
        return "%s: no task name ('name')" % who
    missing = [f for f in ROLES[line["role"]] if f not in line]
    if missing:
        return "%s: missing %s" % (who, ", ".join(missing))
    bad = [f for f in COUNTS if f in line and not _is_count(line[f])]
    bad += [f for f in TIMES if f in line and line[f] is not None and not isinstance(line[f], (int, float))]
    errors = line.get("errors", {})
    if not isinstance(errors, dict) or not all(isinstance(k, str) and _is_count(v) for k, v in errors.items()):
        bad.append("errors")
    return "%s: not a count: %s" % (who, ", ".join(bad)) if bad else None


def _sample_problem(sample):
    bad = [f for f in SAMPLE_FIELDS if not _is_count(sample.get(f))]
    return "attack_sample: not a count: " + ", ".join(bad) if bad else None


def _sum(lines, field):
    values = [l[field] for l in lines if field in l]
    return sum(values) if values else None


def _reasons(name, lines, missing, survived, status):
    """Why the attack succeeded (docs/attacks.md, "succeeds when"); empty when it did not."""
    role = {r: [l for l in lines if l["role"] == r] for r in ROLES}
    listeners = role["server"] + role["victim"]
    violations = _sum(listeners, "violations") or 0
    if name in ("starve", "deadlock"):
        return ["%s still blocked when the run ended (%s)" % (", ".join(missing), status)] if missing else []
    if name in ("unauthorized", "spoof", "forge"):
        out = ["%d messages received against the policy's intent" % violations] if violations else []
        accepted = _sum(role["attacker"], "accepted") or 0
        if name == "forge" and accepted:
            out.append("%d operations on forged slots or handles carried out" % accepted)
        return out
    out = ["attacker %s stopped by %s" % (l["name"], l["stopped_by"]) for l in role["attacker"]
           if l.get("stopped_by") in OUT_OF_MEMORY]
    if not survived:
        out.append("the kernel did not survive (%s)" % status)
    out += ["client %s: %d legitimate operations failed" % (l["name"], l["failed"]) for l in role["client"]
            if l["failed"]]
    if missing:
        out.append("%s did not finish" % ", ".join(missing))
    out += ["client %s: round trip %.2fx slower during the flood" % (l["name"], s) for s, l in _slowdowns(lines)
            if s >= SLOWDOWN]
    return out


def _slowdowns(lines):
    """[(rt_median_during / rt_median_before, client line)] of the clients that measured both."""
    return [(l["rt_median_during"] / l["rt_median_before"], l) for l in lines
            if l["role"] == "client" and l.get("rt_median_before") and l.get("rt_median_during") is not None]


def judge(entry):
    """(outcome row, [harness problems]) of one attack run's entry in the results
    (results.run_experiment: label, layer, policy, status, events, attack, output, unparsed)."""
    a, label = entry["attack"], entry["label"]
    problems = [label + ": a console line that looks like an attack line is not JSON: " + t
                for t in entry.get("unparsed", [])]
    if "output" not in entry:
        problems.append(label + ": the results hold no attack lines for this run (written by an older harness?)")
    lines, samples = [], []
    for l in entry.get("output", []):
        problem = _line_problem(l, a["name"]) if l.get("type") == "attack" else _sample_problem(l)
        if problem:
            problems.append(label + ": " + problem)
        elif l.get("type") == "attack":
            lines.append(l)
        else:
            samples.append(l)
    finished = {l["name"] for l in lines}
    missing = [n for n in a.get("legit", []) if n not in finished]
    run_end = ([e for e in entry.get("events", []) if e.get("event") == "run_end"] or [None])[-1]
    survived = run_end is not None and entry["status"] not in DEAD
    reasons = _reasons(a["name"], lines, missing, survived, entry["status"])
    expected = run_keys.for_policy(a["succeeds"], entry["policy"])
    attackers = [l for l in lines if l["role"] == "attacker"]
    by_task = {l["name"]: l["buffer_peak_bytes"] for l in attackers if "buffer_peak_bytes" in l}
    peaks = list(by_task.values()) + [s["buffer_bytes"] for s in samples]
    slow = max(_slowdowns(lines), key=lambda s: s[0], default=None)
    listeners = [l for l in lines if l["role"] in ("server", "victim")]
    blocked = [l["blocked_instructions"] for l in listeners if "blocked_instructions" in l]
    errors = {}
    for l in lines:
        for k, v in l.get("errors", {}).items():
            errors[k] = errors.get(k, 0) + v
    row = {"attack": a["name"], "variant": a.get("variant", ""), "layer": entry["layer"], "policy": entry["policy"],
           "label": label, "status": entry["status"], "succeeded": bool(reasons), "expected": expected,
           "mismatch": bool(reasons) != expected, "reasons": reasons, "kernel_survived": survived,
           "legit_finished": not missing if a.get("legit") else None, "legit_missing": missing,
           "buffer_peak_bytes": max(peaks) if peaks else None, "buffer_peak_by_task": by_task,
           "kernel_object_bytes": run_end.get("kernel_object_bytes") if run_end else None,
           "rt_before": slow[1]["rt_median_before"] if slow else None,
           "rt_during": slow[1]["rt_median_during"] if slow else None,
           "slowdown": round(slow[0], 4) if slow else None,
           "blocked_instructions": max(blocked) if blocked else None,
           "sends_aborted": _sum([l for l in lines if l["role"] == "manager"], "aborted"),
           "attempts": _sum(attackers, "attempts"), "accepted": _sum(attackers, "accepted"),
           "violations": _sum(listeners, "violations"), "failed": _sum([l for l in lines if l["role"] == "client"],
                                                                         "failed"),
           "victim_results": {l["name"]: l["result"] for l in listeners if "result" in l},
           "stopped_by": sorted({str(l["stopped_by"]) for l in attackers if "stopped_by" in l}), "errors": errors}
    return row, problems


def verdict_line(row, prefix):
    """One line on a judged run; a mismatch starts with MISMATCH: (scripts/ipclab run prints it on stderr)."""
    said = "succeeded" if row["succeeded"] else "stopped"
    why = " (" + "; ".join(row["reasons"]) + ")" if row["reasons"] else ""
    if not row["mismatch"]:
        return "%s attack %s: %s, as expected%s" % (prefix, row["attack"], said, why)
    return "MISMATCH: %s attack %s under %s (%s layer): %s, but the run expects it to %s%s" % (
        prefix, row["attack"], row["policy"], row["layer"], said, "succeed" if row["expected"] else "be stopped", why)


def ordered_policies(names):
    """`names` in the order of kernel/policy/policies.def, names it no longer has last."""
    known = [n for n, _ in abi.policies()]
    return [p for p in known if p in names] + sorted(set(names) - set(known))


def matrix(outcomes):
    """{attack: {policy: {layer: "succeeded" | "stopped" | "n/a"}}} over every attack and policy
    the outcomes have; an attack succeeded in a cell when any of its variants there did."""
    policies = ordered_policies({o["policy"] for o in outcomes})
    out = {}
    for attack in [a for a in run_keys.ATTACKS if any(o["attack"] == a for o in outcomes)]:
        out[attack] = {}
        for policy in policies:
            cells = {}
            for layer in ("native", "mpi"):
                rows = [o for o in outcomes if (o["attack"], o["policy"], o["layer"]) == (attack, policy, layer)]
                cells[layer] = "n/a" if not rows else "succeeded" if any(o["succeeded"] for o in rows) else "stopped"
            out[attack][policy] = cells
    return out


def summarise(doc):
    """Adds `outcomes`, `matrix` and `timer_overhead` (timer_overhead.overhead) to a results
    document whose runs include attack runs; returns the harness problems found (lines that do
    not follow docs/attacks.md)."""
    outcomes, problems = [], []
    for entry in doc["runs"]:
        if "attack" in entry:
            row, found = judge(entry)
            outcomes.append(row)
            problems += found
    doc["outcomes"] = outcomes
    doc["matrix"] = matrix(outcomes)
    doc["timer_overhead"] = timer_overhead.overhead(doc)
    return problems


def csv_row(row):
    """An outcome row for the CSV: lists and objects as JSON text."""
    return {k: json.dumps(v, sort_keys=True) if isinstance(v, (list, dict)) else v for k, v in row.items()}
