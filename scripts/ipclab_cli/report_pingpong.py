"""The ping-pong section of the report: native IPC against the MPI layer by message size, the
MPI/native ratio per size, and the MPI layer's two performance targets, checked on the data."""
import json
import os
import string

import plotting
from errors import UserError
from paths import RESULTS

# The MPI layer's targets (issue 4), both on the 8-byte round trip (medians).
TARGET_BYTES = 8
# (a) MPI_Send/MPI_Recv costs at most this many times native call/reply_recv.
MAX_MPI_OVER_NATIVE = 1.5
# (b) Open MPI on Linux costs at least this many times the MPI layer.
MIN_OPENMPI_OVER_MPI = 10.0

# Open MPI 4.1 on Linux, 2 ranks on one vCPU, 8-byte MPI_Send/MPI_Recv round trip, in guest
# instructions in the same QEMU mode: the reference figure of issue 4 and DESIGN.md ("Figures to
# beat"). Used until a measured figure is in results/ (openmpi_baseline below).
OPENMPI_REFERENCE_ROUND_TRIP = 7358
OPENMPI_REFERENCE_SOURCE = "reference figure (DESIGN.md 'Figures to beat', issue 4), not measured here"

# Issue 6 measures Open MPI in a Linux guest. When results/<BASELINE>.json exists, in the usual
# results format, its first result row with layer "openmpi", bytes 8 and unit
# "guest_instructions" gives the figure (its median) instead of the reference one.
BASELINE = "baseline"
BASELINE_LAYER = "openmpi"


def series(doc):
    """{run label: {bytes: row}} of an experiment's results."""
    out = {}
    for row in doc["results"]:
        out.setdefault(row["run"], {})[row["bytes"]] = row
    return out


def _rounded(ratio):
    """A ratio as the JSON and the report keep it: 4 decimals (verdicts use the exact one)."""
    return None if ratio is None else round(ratio, 4)


def ratios(doc):
    """[{bytes, native_median, mpi_median, mpi_over_native}] for every size both runs measured
    (runs 'native' and 'mpi'), smallest first; medians in guest instructions per round trip."""
    runs = series(doc)
    native, mpi = runs.get("native", {}), runs.get("mpi", {})
    out = []
    for size in sorted(set(native) & set(mpi)):
        n, m = native[size]["median"], mpi[size]["median"]
        out.append({"bytes": size, "native_median": n, "mpi_median": m,
                    "mpi_over_native": _rounded(m / n) if n else None})
    return out


def openmpi_baseline(directory=RESULTS):
    """(Open MPI's 8-byte round trip in guest instructions, where the figure comes from): the
    measured one of results/baseline.json if that file has it, else the reference figure."""
    path = os.path.join(directory, BASELINE + ".json")
    if not os.path.exists(path):
        return OPENMPI_REFERENCE_ROUND_TRIP, OPENMPI_REFERENCE_SOURCE
    try:
        with open(path, encoding="utf-8") as f:
            rows = json.load(f).get("results", [])
    except (OSError, ValueError, AttributeError) as e:
        raise UserError(path + ": not a results document (" + str(e) + ")")
    for row in rows:
        if (row.get("layer") == BASELINE_LAYER and row.get("bytes") == TARGET_BYTES
                and row.get("unit") == "guest_instructions" and row.get("median")
                and not row.get("transport", "").endswith("-bulk")):  # a round trip, not a bulk transfer
            return row["median"], "measured: %s.json, run '%s'" % (BASELINE, row.get("run", "?"))
    return OPENMPI_REFERENCE_ROUND_TRIP, OPENMPI_REFERENCE_SOURCE + " (%s.json has no %s %d-byte row)" % (
        BASELINE, BASELINE_LAYER, TARGET_BYTES)


def targets(doc, openmpi=None):
    """The MPI layer's targets checked on `doc`'s 8-byte medians, as a list of
    {id, what, bytes, measured, at_most or at_least, met, and the figures used}; `measured`
    and `met` are None when a figure is missing. `openmpi` is (round trip, source), by default
    openmpi_baseline()."""
    openmpi, openmpi_source = openmpi or openmpi_baseline()
    runs = series(doc)
    native = runs.get("native", {}).get(TARGET_BYTES, {}).get("median")
    mpi = runs.get("mpi", {}).get(TARGET_BYTES, {}).get("median")
    over_native = mpi / native if mpi and native else None
    over_mpi = openmpi / mpi if mpi and openmpi else None
    return [
        {"id": "mpi_over_native", "bytes": TARGET_BYTES,
         "what": "MPI_Send/MPI_Recv round trip at most %gx native call/reply_recv" % MAX_MPI_OVER_NATIVE,
         "mpi_median": mpi, "native_median": native, "measured": _rounded(over_native),
         "at_most": MAX_MPI_OVER_NATIVE, "met": None if over_native is None else over_native <= MAX_MPI_OVER_NATIVE},
        {"id": "openmpi_over_mpi", "bytes": TARGET_BYTES,
         "what": "at least %gx fewer guest instructions than Open MPI on Linux in the same QEMU mode"
                 % MIN_OPENMPI_OVER_MPI,
         "mpi_median": mpi, "openmpi_round_trip": openmpi, "openmpi_source": openmpi_source,
         "measured": _rounded(over_mpi), "at_least": MIN_OPENMPI_OVER_MPI,
         "met": None if over_mpi is None else over_mpi >= MIN_OPENMPI_OVER_MPI},
    ]


def summarise(doc, directory=RESULTS):
    """Adds `ratios` and `targets` to a pingpong results document (docs/experiments.md)."""
    doc["ratios"] = ratios(doc)
    doc["targets"] = targets(doc, openmpi_baseline(directory))
    return doc


def _verdict(met):
    return "not measured" if met is None else "met" if met else "NOT met"


def target_lines(checked):
    """The report's "Targets" list for targets() output."""
    lines = ["**Targets** of the MPI layer, on the medians of the %d-byte round trip:" % TARGET_BYTES, ""]
    for letter, t in zip(string.ascii_lowercase, checked):
        factor = "-" if t["measured"] is None else "%.2fx" % t["measured"]
        if t["id"] == "mpi_over_native":
            figures = "MPI %s / native %s = **%s**" % (t["mpi_median"] or "-", t["native_median"] or "-", factor)
            limit = t["native_median"] * t["at_most"] if t["met"] is False else None
            note = ""
        else:
            figures = "Open MPI %d / MPI %s = **%s** fewer" % (t["openmpi_round_trip"], t["mpi_median"] or "-",
                                                               factor)
            limit = t["openmpi_round_trip"] / t["at_least"] if t["met"] is False else None
            note = " Open MPI's figure: " + t["openmpi_source"] + "."
        need = "; it would be met at %d guest instructions or fewer" % int(limit) if limit is not None else ""
        lines.append("- (%s) %s: %s: **%s**%s.%s" % (letter, t["what"], figures, _verdict(t["met"]), need, note))
    return lines + [""]


def _spans(per_size):
    """('1000', True) or ('1000 for 0..4096 bytes, 100 for 8192..65536 bytes', False) from
    {bytes: count}: the count, and whether it is the same for every size."""
    groups = []
    for size in sorted(per_size):
        if groups and groups[-1][0] == per_size[size]:
            groups[-1][2] = size
        else:
            groups.append([per_size[size], size, size])
    if len(groups) == 1:
        return str(groups[0][0]), True
    return ", ".join("%d for %s bytes" % (n, lo if lo == hi else "%d..%d" % (lo, hi)) for n, lo, hi in groups), False


def repetitions_text(doc):
    """How many round trips each size was measured over, from the rows themselves."""
    reps = {r["bytes"]: r["iterations"] for r in doc["results"]}
    warmup = {r["bytes"]: r["warmup"] for r in doc["results"]}
    if any(reps[r["bytes"]] != r["iterations"] or warmup[r["bytes"]] != r["warmup"] for r in doc["results"]):
        return "a number of round trips per size that differs between the runs: `iterations` in the JSON"
    (counts, same_counts), (warm, same_warm) = _spans(reps), _spans(warmup)
    return ("%s measured round trips per size" % counts if same_counts else
            "measured round trips per size: %s;" % counts) + (
            " after %s discarded warm-up ones" % warm if same_warm else " after discarded warm-up ones: %s" % warm)


def _label(size):
    return str(size) if size < 1024 else "%dK" % (size // 1024) if size % 1024 == 0 else str(size)


def plot(doc, path):
    plt = plotting.pyplot()
    fig, ax = plt.subplots(figsize=(9, 5))
    measured = set()
    for label, rows in sorted(series(doc).items()):
        sizes = sorted(rows)
        measured.update(sizes)
        med = [rows[s]["median"] for s in sizes]
        lo = [rows[s]["median"] - rows[s]["p10"] for s in sizes]
        hi = [rows[s]["p90"] - rows[s]["median"] for s in sizes]
        layer = rows[sizes[0]]["layer"]
        ax.errorbar(sizes, med, yerr=[lo, hi], marker="o", markersize=4, capsize=3,
                    label=("native IPC: call/reply_recv" if layer == "native" else "MPI layer: MPI_Send/MPI_Recv")
                    + " (run '" + label + "')")
    plotting.sizes_axis(ax, measured, "message size in bytes (K = 1024; log scale, 0 at the far left)", _label)
    ax.set_yscale("log")
    # Plain numbers at 1, 2, 5 x 10^n rather than powers of ten only, which leave a decade unlabelled.
    values = [r["median"] for r in doc["results"] if r["median"] > 0]
    if values:
        low, high = min(values) / 1.5, max(values) * 1.5
        ticks = [m * 10 ** e for e in range(1, 10) for m in (1, 2, 5) if low <= m * 10 ** e <= high]
        ax.set_yticks(ticks)
        ax.set_yticklabels(["{:,}".format(t) for t in ticks])
    ax.set_ylabel("guest instructions per round trip (median, log scale)")
    ax.set_title("ipclab ping-pong round trip; bars: 10th-90th percentile")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(loc="upper left")
    plotting.finish(fig, path)


def section(doc, directory=RESULTS):
    """The report's lines; writes pingpong_latency.png into `directory`, whose baseline.json
    (if any) gives Open MPI's figure."""
    plot(doc, os.path.join(directory, "pingpong_latency.png"))
    runs = series(doc)
    native, mpi = runs.get("native", {}), runs.get("mpi", {})
    ratio = {r["bytes"]: r["mpi_over_native"] for r in ratios(doc)}
    lines = ["## Ping-pong round trip (experiment `pingpong`)", "",
             "Claim under test: " + (doc.get("claim") or "-"), "",
             "A client sends a message and waits for the same bytes back (" + repetitions_text(doc) +
             "); every payload byte is checked. Native: `call`/`reply_recv` on an endpoint "
             "(message registers up to 512 bytes, long IPC above). MPI: `MPI_Send`/`MPI_Recv` between two "
             "ranks (rendezvous, one copy per message). Figures are guest instructions per round trip, kernel "
             "and user code, measured with `rdtsc` around each round trip.", "",
             "![ping-pong latency](pingpong_latency.png)", "",
             "| bytes | native median | native min..max | MPI median | MPI min..max | MPI / native |",
             "| ---: | ---: | ---: | ---: | ---: | ---: |"]
    for size in sorted(set(native) | set(mpi)):
        n, m = native.get(size), mpi.get(size)
        lines.append("| %d | %s | %s | %s | %s | %s |" % (
            size, n["median"] if n else "-", "%d..%d" % (n["min"], n["max"]) if n else "-",
            m["median"] if m else "-", "%d..%d" % (m["min"], m["max"]) if m else "-",
            "%.2f" % ratio[size] if ratio.get(size) is not None else "-"))
    lines += [""] + target_lines(targets(doc, openmpi_baseline(directory)))
    lines += ["| run | status | guest instructions for the whole boot |", "| --- | --- | ---: |"]
    for r in doc["runs"]:
        lines.append("| %s | %s | %s |" % (r["label"], r["status"], r.get("guest_instructions") or "-"))
    return lines + [""]
