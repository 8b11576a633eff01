"""The code-size section of the report (issue 6, item 6): source lines (cloc) and .text bytes of
ipclab's parts and of Open MPI as installed, the published or counted figures of seL4, Open MPI
and MPICH, a bar chart on a log scale, and the study's claim "MPI has got a huge amount of code"
judged on the figures."""
import os

import codesize
import plotting

# The study's claim counts as reproduced when a full MPI implementation has at least this
# many times the source lines of the native IPC path.
HUGE = 100


def _number(v):
    return "-" if v is None else f"{v:,}"


def claim(rows):
    """(verdict, evidence) of "MPI has got a huge amount of code" (study 000, 'Feasibility')."""
    by = {r["part"]: r for r in rows}
    native = by.get("native IPC path (kernel)")
    kernel_mpi, lib_mpi = by.get("MPI layer, kernel part"), by.get("MPI layer, user library")
    ompi = next((r for r in codesize.REFERENCES if r["system"].startswith("Open MPI")), None)
    if not native or not native["source_lines"] or not ompi:
        return "not measured", "a part is missing."
    ours = (kernel_mpi["source_lines"] if kernel_mpi else 0) + (lib_mpi["source_lines"] if lib_mpi else 0)
    factor = ompi["source_lines"] / native["source_lines"]
    verdict = "reproduced" if factor >= HUGE else "refuted"
    return verdict, ("Open MPI has %s source lines, %.0fx ipclab's native IPC path (%s); ipclab's own MPI layer, a "
                     "subset that runs the OSU benchmarks and the project's MPI programs, has %s (%.1fx), so the "
                     "size is the price of full MPI, not of message passing ('huge' means at least %dx)." % (
                         _number(ompi["source_lines"]), factor, _number(native["source_lines"]), _number(ours),
                         ours / native["source_lines"], HUGE))


def plot(rows, path):
    plt = plotting.pyplot()
    fig, axes = plt.subplots(1, 2, figsize=(12, 5))
    lines = [(r["part"], r["source_lines"]) for r in rows if r["source_lines"]]
    lines += [(r["system"], r["source_lines"]) for r in codesize.REFERENCES]
    text = [(r["part"], r["text_bytes"]) for r in rows if r["text_bytes"]]
    for ax, data, label, colour in ((axes[0], lines, "source lines (cloc code lines; log scale)", "tab:blue"),
                                    (axes[1], text, ".text bytes (log scale)", "tab:orange")):
        names = [n if len(n) <= 48 else n[:45] + "..." for n, _ in data]
        ax.barh(range(len(data)), [v for _, v in data], color=colour)
        ax.set_yticks(range(len(data)))
        ax.set_yticklabels(names, fontsize=7)
        ax.invert_yaxis()
        ax.set_xscale("log")
        ax.set_xlabel(label)
        ax.grid(True, axis="x", alpha=0.3)
    axes[0].set_title("source lines", fontsize=10)
    axes[1].set_title("machine code", fontsize=10)
    plotting.finish(fig, path)


def section(rows, directory):
    """The report's lines; writes code_size.png into `directory`."""
    plot(rows, os.path.join(directory, "code_size.png"))
    verdict, evidence = claim(rows)
    lines = ["## Code size", "",
             "Source lines are lines of code as `cloc` counts them (no blanks or comments); `.text` is the "
             "machine code in the built objects (for Open MPI: the installed shared libraries).", "",
             "![code size](code_size.png)", "",
             "| part | files | source lines | .text bytes |", "| --- | ---: | ---: | ---: |"]
    for r in rows:
        lines.append("| %s | %d | %s | %s |" % (r["part"], r["files"], _number(r["source_lines"]),
                                               "not built" if r["text_bytes"] is None else _number(r["text_bytes"])))
    lines += ["", "For comparison (not measured in this run; `scripts/ipclab_cli/codesize.py` says how each was "
              "obtained):", "", "| system | source lines | source |", "| --- | ---: | --- |"]
    lines += ["| %s | %s | %s |" % (r["system"], _number(r["source_lines"]), r["source"]) for r in codesize.REFERENCES]
    lines += ["", "| claim | source | figure | verdict | evidence |", "| --- | --- | --- | --- | --- |",
              "| MPI has got a huge amount of code | study 000, slide 'Feasibility' | code_size.png | **%s** | %s |" % (
                  verdict, evidence), ""]
    return lines
