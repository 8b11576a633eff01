"""What arming a send timer costs (the study: "causes dramatic overhead (!)"), from the result
rows of the runs whose label starts with "timer-": median guest instructions per round trip by
message size, with the timer armed and without, per layer."""
import re

PREFIX = "timer-"
# Words of a run's own label (before the ".POLICY" a "policies" run adds) that say whether its
# timer is armed: "timer-native-armed", "timer-mpi-off".
ARMED_WORDS = ("armed", "on")
UNARMED_WORDS = ("off", "unarmed", "disarmed")
# The policy that arms a send timeout on every communicator (kernel/policy/policies.def).
TIMEOUT_POLICY = "mpi-timeout"


def armed(row, run):
    """Whether the round trips of result `row` (of run entry `run`) ran with a timer armed: the
    row's own `timer_armed` (true or false) if it has one; else a word of the run's label
    (ARMED_WORDS, UNARMED_WORDS); else whether the run set `send_timeout_ns` or runs under
    the mpi-timeout policy."""
    if isinstance(row.get("timer_armed"), bool):
        return row["timer_armed"]
    words = re.split(r"[-_]", run["label"].split(".")[0])
    if any(w in ARMED_WORDS for w in words):
        return True
    if any(w in UNARMED_WORDS for w in words):
        return False
    return "send_timeout_ns" in run or run.get("policy") == TIMEOUT_POLICY


def path(run):
    """"slow" for a run measured with the IPC fast paths off (a "slowpath" word in its label),
    else "fast": the fast paths take only sends without a timeout, so comparing the slow paths
    both ways tells the timer's own cost from the fast path's."""
    return "slow" if "slowpath" in re.split(r"[-_]", run["label"].split(".")[0]) else "fast"


def series(doc):
    """{(layer, armed, path): {bytes: median}} of the timer runs' result rows; where several
    runs measured the same layer, arming, path and size, the first in run order counts."""
    runs = {r["label"]: r for r in doc.get("runs", [])}
    out = {}
    for row in doc.get("results", []):
        run = runs.get(row.get("run"))
        if run is None or not run["label"].startswith(PREFIX) or row.get("median") is None:
            continue
        out.setdefault((row["layer"], armed(row, run), path(run)), {}).setdefault(row["bytes"], row["median"])
    return out


def overhead(doc):
    """[{layer, path, bytes, unarmed_median, armed_median, armed_over_unarmed}] for every layer,
    path ("fast": fast paths on, "slow": off) and size measured both ways, native first, fast
    path first, smallest first; the ratio to 4 decimals."""
    s = series(doc)
    out = []
    for layer in ("native", "mpi"):
        for p in ("fast", "slow"):
            off, on = s.get((layer, False, p), {}), s.get((layer, True, p), {})
            for size in sorted(set(off) & set(on)):
                out.append({"layer": layer, "path": p, "bytes": size, "unarmed_median": off[size],
                            "armed_median": on[size],
                            "armed_over_unarmed": round(on[size] / off[size], 4) if off[size] else None})
    return out
