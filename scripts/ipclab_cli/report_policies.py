"""The policy-cost section of the report (issue 5, experiment policy_cost, docs/policies.md):
every policy's round trip on its normal path, and the seeds/004 claims about clans & chiefs
and reference monitors judged on the data."""
import os

import plotting
from paths import RESULTS

BYTES = 8  # the size the section compares
FIRST = "first call"  # tid_pingpong's transport for the one-sample first call
# A steady-state cost within this factor of the unrestricted call counts as "no per-IPC
# overhead" (seeds/004: "No per-IPC overhead, only one exception in the beginning").
NO_OVERHEAD = 1.10


def _rows(doc, layer):
    return [r for r in doc.get("results", []) if r.get("layer") == layer and r.get("bytes") == BYTES
            and FIRST not in r.get("transport", "")]


def _first(doc, run):
    for r in doc.get("results", []):
        if r.get("run") == run and FIRST in r.get("transport", ""):
            return r
    return None


def _by_run(doc, layer):
    return {r["run"]: r for r in _rows(doc, layer)}


def claims(doc):
    """[(claim, source, figure, verdict, evidence)] from the native rows; "not measured" when a
    run is missing."""
    native = _by_run(doc, "native")
    out = []
    base, one, two = native.get("tid.capability"), native.get("tid-one-clan"), native.get("tid-two-clans")
    claim = "Clans & chiefs: inter-clan IPC is redirected through the chiefs, one IPC becomes three"
    if base and one and two and two.get("policy_ipcs") is not None:
        per_way = 1 + two["policy_ipcs"] / 2
        verdict = "reproduced" if per_way == 3 else "refuted"
        out.append((claim, "seeds/004", "policy_cost.png", verdict,
                    "between clans a call and its reply each took %g IPCs (the chiefs counted %g extra per round "
                    "trip); the round trip cost %s guest instructions, %.1fx the call inside one clan (%s) and "
                    "%.1fx the unrestricted call (%s)." % (per_way, two["policy_ipcs"], f"{two['median']:,}",
                                                          two["median"] / one["median"], f"{one['median']:,}",
                                                          two["median"] / base["median"], f"{base['median']:,}")))
    else:
        out.append((claim, "seeds/004", "policy_cost.png", "not measured", "a tid run is missing."))
    steady, first = native.get("tid-monitor"), _first(doc, "tid-monitor")
    claim = "IPC redirection with a reference monitor: no per-IPC overhead, only one exception in the beginning"
    if base and steady and first:
        ratio = steady["median"] / base["median"]
        verdict = ("reproduced" if ratio <= NO_OVERHEAD and first.get("policy_ipcs", 0) > 0 and
                   steady.get("policy_ipcs") == 0 else "refuted")
        out.append((claim, "seeds/004", "policy_cost.png", verdict,
                    "the first call cost %s guest instructions (%g IPCs to the monitor), later ones %s against %s "
                    "unrestricted (%+.0f%%; 'no overhead' means within %+.0f%%)." % (
                        f"{first['median']:,}", first.get("policy_ipcs", 0), f"{steady['median']:,}",
                        f"{base['median']:,}", 100 * (ratio - 1), 100 * (NO_OVERHEAD - 1))))
    else:
        out.append((claim, "seeds/004", "policy_cost.png", "not measured", "a tid-monitor run is missing."))
    return out


def plot(doc, path):
    mpi, native = _rows(doc, "mpi"), _rows(doc, "native")
    if not mpi and not native:
        return False
    plt = plotting.pyplot()
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.5))
    for ax, rows, title in ((axes[0], mpi, "MPI_Send/MPI_Recv, by policy"),
                            (axes[1], native, "native call by thread id")):
        labels = [r["run"].split(".", 1)[-1] if r["layer"] == "mpi" else r["run"] for r in rows]
        ax.bar(range(len(rows)), [r["median"] for r in rows], color="tab:orange" if rows is mpi else "tab:blue")
        ax.set_xticks(range(len(rows)))
        ax.set_xticklabels(labels, rotation=35, ha="right", fontsize=8)
        ax.set_ylabel("guest instructions per %d-byte round trip (median)" % BYTES, fontsize=8)
        ax.set_title(title, fontsize=10)
        ax.grid(True, axis="y", alpha=0.3)
    plotting.finish(fig, path)
    return True


def section(doc, directory=RESULTS):
    """The report's lines; writes policy_cost.png into `directory`."""
    png = plot(doc, os.path.join(directory, "policy_cost.png"))
    lines = ["## What the policies cost (experiment `policy_cost`)", "",
             "Claim under test: " + (doc.get("claim") or "-"), "",
             ("![round trip by policy](policy_cost.png)" if png else "(no data)"), "",
             "| run | layer | policy | %d-byte round trip | IPCs the chiefs or the monitor added |" % BYTES,
             "| --- | --- | --- | ---: | ---: |"]
    for r in _rows(doc, "mpi") + _rows(doc, "native"):
        ipcs = r.get("policy_ipcs")
        lines.append("| `%s` | %s | %s | %s | %s |" % (r["run"], r["layer"], r.get("policy", "-"), f"{r['median']:,}",
                                                      "-" if ipcs is None else "%g" % ipcs))
    for run in ("tid-monitor", "tid-two-clans"):
        f = _first(doc, run)
        if f:
            lines.append("| `%s`, first call (0 bytes, one sample) | native | %s | %s | %g |" % (
                run, f.get("policy", "-"), f"{f['median']:,}", f.get("policy_ipcs", 0)))
    lines += ["", "Medians in guest instructions per round trip.", "",
              "| claim | source | figure | verdict | evidence |", "| --- | --- | --- | --- | --- |"]
    lines += ["| %s | %s | %s | **%s** | %s |" % c for c in claims(doc)]
    return lines + [""]
