"""The ping-pong section of the report: native IPC against the MPI layer by message size."""
import os

import plotting
from paths import RESULTS


def series(doc):
    """{run label: {bytes: row}} of an experiment's results."""
    out = {}
    for row in doc["results"]:
        out.setdefault(row["run"], {})[row["bytes"]] = row
    return out


def plot(doc, path):
    plt = plotting.pyplot()
    fig, ax = plt.subplots(figsize=(7, 4.5))
    measured = set()
    for label, rows in sorted(series(doc).items()):
        sizes = sorted(rows)
        measured.update(sizes)
        med = [rows[s]["median"] for s in sizes]
        lo = [rows[s]["median"] - rows[s]["p10"] for s in sizes]
        hi = [rows[s]["p90"] - rows[s]["median"] for s in sizes]
        layer = rows[sizes[0]]["layer"]
        ax.errorbar(sizes, med, yerr=[lo, hi], marker="o", capsize=3,
                    label=("native IPC: call/reply_recv" if layer == "native" else "MPI layer: MPI_Send/MPI_Recv")
                    + " (run '" + label + "')")
    plotting.sizes_axis(ax, measured, "message size (bytes)")
    ax.set_ylabel("guest instructions per round trip (median)")
    ax.set_ylim(bottom=0)
    ax.set_title("ipclab ping-pong round trip; bars: 10th-90th percentile")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    plotting.finish(fig, path)


def section(doc):
    plot(doc, os.path.join(RESULTS, "pingpong_latency.png"))
    runs = series(doc)
    native, mpi = runs.get("native", {}), runs.get("mpi", {})
    lines = ["## Ping-pong round trip (experiment `pingpong`)", "",
             "Claim under test: " + (doc.get("claim") or "-"), "",
             "A client sends a message and waits for the same bytes back, 1000 times per size after a "
             "discarded warm-up; every payload byte is checked. Native: `call`/`reply_recv` on an endpoint "
             "(message registers up to 512 bytes, long IPC above). MPI: `MPI_Send`/`MPI_Recv` between two "
             "ranks (rendezvous, one copy per message). Figures are guest instructions per round trip, kernel "
             "and user code, measured with `rdtsc` around each round trip.", "",
             "![ping-pong latency](pingpong_latency.png)", "",
             "| bytes | native median | native min..max | MPI median | MPI min..max | MPI / native |",
             "| ---: | ---: | ---: | ---: | ---: | ---: |"]
    for size in sorted(set(native) | set(mpi)):
        n, m = native.get(size), mpi.get(size)
        ratio = "%.2f" % (m["median"] / n["median"]) if n and m and n["median"] else "-"
        lines.append("| %d | %s | %s | %s | %s | %s |" % (
            size, n["median"] if n else "-", "%d..%d" % (n["min"], n["max"]) if n else "-",
            m["median"] if m else "-", "%d..%d" % (m["min"], m["max"]) if m else "-", ratio))
    lines += ["", "| run | status | guest instructions for the whole boot |", "| --- | --- | ---: |"]
    for r in doc["runs"]:
        lines.append("| %s | %s | %s |" % (r["label"], r["status"], r.get("guest_instructions") or "-"))
    return lines + [""]
