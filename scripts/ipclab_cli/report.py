"""results/REPORT.md and the plots, generated from results/*.json only."""
import json
import os
import sys

import codesize
from errors import UserError
from paths import RESULTS

PLOT_NOTE = "1 guest instruction = 1 virtual ns (qemu -icount shift=0); no cache or TLB model"


def _load(name):
    path = os.path.join(RESULTS, name + ".json")
    if not os.path.exists(path):
        return None
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def _series(doc):
    """{run label: {bytes: row}} of an experiment's results."""
    out = {}
    for row in doc["results"]:
        out.setdefault(row["run"], {})[row["bytes"]] = row
    return out


def plot_pingpong(doc, path):
    """Guest instructions per round trip against message size, one line per run."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise UserError("matplotlib is missing: install Debian's python3-matplotlib")
    fig, ax = plt.subplots(figsize=(7, 4.5))
    measured = set()
    for label, rows in sorted(_series(doc).items()):
        sizes = sorted(rows)
        med = [rows[s]["median"] for s in sizes]
        lo = [rows[s]["median"] - rows[s]["p10"] for s in sizes]
        hi = [rows[s]["p90"] - rows[s]["median"] for s in sizes]
        measured.update(sizes)
        layer = rows[sizes[0]]["layer"]
        ax.errorbar(sizes, med, yerr=[lo, hi], marker="o", capsize=3,
                    label=("native IPC: call/reply_recv" if layer == "native" else "MPI layer: MPI_Send/MPI_Recv")
                    + " (run '" + label + "')")
    ax.set_xscale("symlog", base=2, linthresh=8)
    ax.set_xticks(sorted(measured))
    ax.set_xticklabels([str(s) for s in sorted(measured)])
    ax.minorticks_off()
    ax.set_xlabel("message size (bytes)")
    ax.set_ylabel("guest instructions per round trip (median)")
    ax.set_ylim(bottom=0)
    ax.set_title("ipclab ping-pong round trip; bars: 10th-90th percentile")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    fig.text(0.01, 0.01, PLOT_NOTE, fontsize=7, alpha=0.7)
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    fig.savefig(path, dpi=120)
    plt.close(fig)


def _setup_section(docs):
    ctx = docs[0]["context"]
    return ["## Setup", "",
            "| | |", "| --- | --- |",
            "| commit | `" + ctx["commit"] + "` |",
            "| emulator | " + ctx["qemu"] + " |",
            "| measurement mode | `" + ctx["qemu_mode"] + "` |",
            "| machine | `" + ctx["qemu_machine"] + "` |",
            "| unit | " + ctx["unit_note"] + " |", ""]


def _pingpong_section(doc):
    series = _series(doc)
    native, mpi = series.get("native", {}), series.get("mpi", {})
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


def _codesize_section(rows):
    lines = ["## Code size", "",
             "Source lines are lines of code as `cloc` counts them (no blanks or comments); `.text` is the "
             "machine code in the built objects.", "",
             "| part | files | source lines | .text bytes |", "| --- | ---: | ---: | ---: |"]
    for r in rows:
        lines.append("| %s | %d | %d | %s |" % (r["part"], r["files"], r["source_lines"],
                                               r["text_bytes"] if r["text_bytes"] is not None else "not built"))
    return lines + [""]


def generate(build_dir):
    """Writes results/REPORT.md, the plots and results/code_size.json."""
    pingpong = _load("pingpong")
    if not pingpong:
        raise UserError("no results/pingpong.json yet: run 'scripts/ipclab run pingpong' first")
    plot_pingpong(pingpong, os.path.join(RESULTS, "pingpong_latency.png"))
    sizes = codesize.measure(build_dir)
    with open(os.path.join(RESULTS, "code_size.json"), "w", encoding="utf-8") as f:
        json.dump({"context": {"commit": pingpong["context"]["commit"]}, "parts": sizes}, f, indent=1)
        f.write("\n")
    lines = ["# ipclab results", "",
             "Generated by `scripts/ipclab report` from the JSON in this folder; do not edit by hand.", ""]
    lines += _setup_section([pingpong])
    lines += _pingpong_section(pingpong)
    lines += _codesize_section(sizes)
    with open(os.path.join(RESULTS, "REPORT.md"), "w", encoding="utf-8") as f:
        f.write("\n".join(lines))
    print("ipclab: wrote results/REPORT.md, results/pingpong_latency.png, results/code_size.json",
          file=sys.stderr, flush=True)
