"""The baselines and the latency figure of the report (issue 6, items 1, 2 and 5): Linux's IPC
primitives and Open MPI measured in a Linux guest in the same QEMU mode (results/baseline.json,
docs/baselines.md) beside ipclab's native IPC and MPI layer (results/pingpong.json), one
log-scale figure of guest instructions per round trip against message size, and the study's
"IPC is much faster" judged on all of them."""
import os

import plotting

SIZES = (0, 8, 64, 512, 4096, 65536)  # the table's columns
COMPARE = 8  # the size the claim is judged at
LINUX = ("pipe", "unix-socket", "sysv-mq", "posix-mq", "futex")


def series(pingpong, baseline):
    """{name: {bytes: median}}: ipclab's native and MPI ping-pongs, each Linux primitive, Open MPI."""
    out = {}
    for doc, key in ((pingpong, "run"), (baseline, "transport")):
        for r in (doc or {}).get("results", []):
            if doc is baseline and r.get("transport", "").endswith("-bulk"):
                continue  # bulk transfers (report_bulk), not round trips
            name = {"native": "ipclab native call/reply_recv", "mpi": "ipclab MPI_Send/MPI_Recv"}.get(r[key], r[key])
            if doc is pingpong and r[key] not in ("native", "mpi"):  # the MPI layer under another policy
                name = "ipclab MPI_Send/MPI_Recv, policy " + r[key]
            if r.get("layer") == "openmpi":
                name = "Open MPI " + r["transport"].split("-", 1)[-1] + " on Linux"
            elif doc is baseline:
                if r["transport"] not in LINUX:
                    continue
                name = "Linux " + r["transport"]
            out.setdefault(name, {})[r["bytes"]] = r["median"]
    return out


def _fact(baseline, transport):
    for r in (baseline or {}).get("results", []):
        if r.get("transport") == transport:
            return r["median"]
    return None


def plot(data, path):
    plt = plotting.pyplot()
    fig, ax = plt.subplots(figsize=(10, 5.5))
    sizes = set()
    for name, rows in data.items():
        xs = sorted(rows)
        sizes.update(xs)
        ipclab = name.startswith("ipclab")
        ax.plot(xs, [rows[s] for s in xs], marker="o" if ipclab else ".", linewidth=2.2 if ipclab else 1.0,
                linestyle="-" if ipclab or name.startswith("Open MPI") else "--", label=name)
    plotting.sizes_axis(ax, sizes, "message size in bytes (log scale)",
                        lambda s: "%dK" % (s // 1024) if s >= 1024 else str(s))
    ax.set_yscale("log")
    ax.set_ylabel("guest instructions per round trip (median, log scale)")
    ax.set_title("round trip by message size: ipclab against Linux and Open MPI, same emulator")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=7)
    plotting.finish(fig, path)


def claim(data):
    """(verdict, evidence) of "IPC is much faster" at COMPARE bytes."""
    native = data.get("ipclab native call/reply_recv", {}).get(COMPARE)
    mpi = data.get("ipclab MPI_Send/MPI_Recv", {}).get(COMPARE)
    ompi = next((rows.get(COMPARE) for name, rows in data.items() if name.startswith("Open MPI")), None)
    if not native or not mpi:
        return "not measured", "a ping-pong is missing."
    said = "at %d bytes native IPC costs %s guest instructions per round trip, ipclab's MPI layer %s (%.1fx)" % (
        COMPARE, f"{native:,}", f"{mpi:,}", mpi / native)
    if ompi:
        said += " and Open MPI on Linux %s (%.1fx)" % (f"{ompi:,}", ompi / native)
    return ("reproduced" if mpi / native >= 2 else "refuted"), said + "; 'much faster' means at least 2x."


def section(pingpong, baseline, directory):
    """The report's lines; writes latency.png into `directory`."""
    data = series(pingpong, baseline)
    if not data:
        return []
    plot(data, os.path.join(directory, "latency.png"))
    lines = ["## Latency against Linux and Open MPI (experiments `pingpong`, `baseline`)", ""]
    if baseline:
        ctx = baseline["context"]
        lines += ["Linux %s and Open MPI %s in a guest booted in the same QEMU mode (`scripts/ipclab baseline`, "
                  "docs/baselines.md); %s. A bare system call (`getppid`) costs %s guest instructions there, a "
                  "`sched_yield` round trip %s." % (ctx.get("linux_kernel") or "?", ctx.get("openmpi") or "?",
                                                    ctx.get("openmpi_note", ""), _fact(baseline, "syscall"),
                                                    _fact(baseline, "sched-yield")), ""]
    else:
        lines += ["No `results/baseline.json` yet (`scripts/ipclab baseline`): ipclab only.", ""]
    lines += ["![latency](latency.png)", "",
              "| round trip | " + " | ".join("%s B" % s for s in SIZES) + " |",
              "| --- |" + " ---: |" * len(SIZES)]
    for name, rows in data.items():
        lines.append("| %s | %s |" % (name, " | ".join(f"{rows[s]:,}" if s in rows else "-" for s in SIZES)))
    verdict, evidence = claim(data)
    lines += ["", "Medians in guest instructions per round trip.", "",
              "| claim | source | figure | verdict | evidence |", "| --- | --- | --- | --- | --- |",
              "| IPC is much faster (!) | study 000, slide 'Comparison' | latency.png | **%s** | %s |" % (
                  verdict, evidence), ""]
    return lines
