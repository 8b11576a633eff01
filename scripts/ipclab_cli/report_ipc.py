"""The native IPC sections of the report: the micro-benchmark (sel4bench's method) and the
scaling experiment (capability slots against thread ids)."""
import os

import plotting
from paths import RESULTS

# seL4 in the same QEMU mode, sel4bench's method (DESIGN.md "Figures to beat").
SEL4_ROUND_TRIP = {0: 425, 4: 468}
SEL4_SLOW_PATH_10_WORDS = 1646
RUN_NAMES = {"different-as": "different address spaces", "same-as": "same address space",
             "different-as-slow-path": "different address spaces, slow path only"}


def _rows(doc, **match):
    return [r for r in doc["results"] if all(r.get(k) == v for k, v in match.items())]


def _one(doc, **match):
    rows = _rows(doc, **match)
    return rows[0] if rows else None


def _fmt(r):
    return "%d | %d..%d" % (r["median"], r["p10"], r["p90"]) if r else "- | -"


def plot_bench(doc, path):
    plt = plotting.pyplot()
    fig, (a, b) = plt.subplots(1, 2, figsize=(11, 4.5))
    for run in RUN_NAMES:
        rows = sorted(_rows(doc, run=run, op="call", metric="round_trip"), key=lambda r: r["words"])
        if rows:
            a.plot([r["words"] for r in rows], [r["median"] for r in rows], marker="o", label=RUN_NAMES[run])
        long = sorted(_rows(doc, run=run, op="call_long", metric="one_way"), key=lambda r: r["bytes"])
        if long:
            b.plot([r["bytes"] for r in long], [r["median"] for r in long], marker="o", label=RUN_NAMES[run])
    a.scatter(list(SEL4_ROUND_TRIP), list(SEL4_ROUND_TRIP.values()), marker="*", s=120, color="black", zorder=5,
              label="seL4 fastpath, same mode")
    a.scatter([10], [SEL4_SLOW_PATH_10_WORDS], marker="x", s=80, color="black", zorder=5, label="seL4 slow path")
    plotting.sizes_axis(a, {0, 1, 4, 8, 16, 32, 64}, "message length (words)")
    a.set_ylabel("guest instructions, call + reply_recv (median)")
    a.set_ylim(bottom=0)
    a.set_title("round trip, kernel path (sel4bench's method)")
    a.grid(True, alpha=0.3)
    a.legend(fontsize=8)
    b.set_xscale("log", base=2)
    b.set_yscale("log")
    b.set_xlabel("string item (bytes)")
    b.set_ylabel("guest instructions, call one-way (median)")
    b.set_title("long IPC: one copy between address spaces")
    b.grid(True, which="both", alpha=0.3)
    b.legend(fontsize=8)
    plotting.finish(fig, path)


def bench_section(doc):
    plot_bench(doc, os.path.join(RESULTS, "ipc_bench.png"))
    lines = ["## Native IPC micro-benchmark (experiment `ipc_bench`)", "",
             "Claim under test: " + (doc.get("claim") or "-"), "",
             "Measured as sel4bench measures seL4: the sender reads `rdtsc` just before `syscall`, the "
             "receiver just after its own `syscall` returns; the same instruction sequence with a no-op in "
             "place of `syscall` (%d guest instructions) is subtracted; 1000 repetitions after 100 discarded. "
             "The server runs one priority above the client; messages of up to 4 words take the fast path."
             % (_one(doc, op="call") or {"overhead": 0})["overhead"], "",
             "![IPC micro-benchmark](ipc_bench.png)", "",
             "| case | median | p10..p90 | target | met |", "| --- | ---: | ---: | ---: | --- |"]
    for words, target in sorted(SEL4_ROUND_TRIP.items()):
        r = _one(doc, run="different-as", op="call", metric="round_trip", words=words)
        if r:
            lines.append("| call + reply_recv round trip, %d words, different address spaces | %s | %d (seL4) | %s |"
                         % (words, _fmt(r), target, "yes" if r["median"] <= target else "NO"))
    cases = [("different-as", "call", "one_way", 0, "call one-way, 0 words"),
             ("different-as", "reply_recv", "one_way", 0, "reply_recv one-way, 0 words"),
             ("same-as", "call", "round_trip", 0, "round trip, 0 words, same address space"),
             ("different-as-slow-path", "call", "round_trip", 0, "round trip, 0 words, slow path only"),
             ("different-as", "call", "round_trip", 8, "round trip, 8 words (UTCB: slow path)"),
             ("different-as", "call", "round_trip", 64, "round trip, 64 words"),
             ("different-as", "send", "one_way", 0, "send one-way to a waiting receiver"),
             ("different-as", "signal", "one_way", 0, "notification signal to wait, one-way"),
             ("different-as", "call_api", "round_trip", 0, "round trip end to end through the C++ API")]
    for run, op, metric, words, text in cases:
        r = _one(doc, run=run, op=op, metric=metric, words=words, bytes=0)
        if r:
            lines.append("| %s | %s | - | - |" % (text, _fmt(r)))
    for r in sorted(_rows(doc, run="different-as", op="call_long", metric="one_way"), key=lambda r: r["bytes"]):
        lines.append("| long IPC call one-way, %d bytes | %s | - | - |" % (r["bytes"], _fmt(r)))
    return lines + [""]


def plot_scaling(doc, path):
    plt = plotting.pyplot()
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.5))
    for ax, kind, label in ((axes[0], "tasks", "tasks alive"), (axes[1], "clients", "clients of the server")):
        for op, name in (("call_by_capability", "capability slot (O(1))"),
                         ("call_by_thread_id", "thread id (AVL search, O(log n))"),
                         ("mpi_send_recv", "MPI_Send/MPI_Recv (rank, O(1))")):
            rows = sorted((r for r in _rows(doc, op=op) if _of_kind(r, kind)), key=lambda r: r[kind])
            if rows:
                ax.plot([r[kind] for r in rows], [r["median"] for r in rows], marker="o", label=name)
        ax.set_xscale("log", base=2)
        ax.set_xlabel(label)
        ax.set_ylabel("guest instructions per round trip (median)")
        ax.set_ylim(bottom=0)
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8)
    axes[0].set_title("round trip against the number of tasks")
    axes[1].set_title("round trip against clients per server")
    plotting.finish(fig, path)


def scaling_section(doc):
    plot_scaling(doc, os.path.join(RESULTS, "ipc_scaling.png"))
    lines = ["## Scaling: capability slots against thread ids (experiment `ipc_scaling`)", "",
             "Claim under test: " + (doc.get("claim") or "-"), "",
             "A client calls a server (round trip measured as in the micro-benchmark, server work included) "
             "while other tasks are alive and blocked, or while other clients are registered with the server. "
             "By capability the kernel indexes the caller's capability space and the server finds the "
             "client's state by the badge; by thread id the kernel searches its thread tree and the server "
             "searches its client table.", "", "![scaling](ipc_scaling.png)", ""]
    for kind in ("tasks", "clients"):
        cap = {r[kind]: r["median"] for r in _rows(doc, op="call_by_capability") if _of_kind(r, kind)}
        tid = {r[kind]: r["median"] for r in _rows(doc, op="call_by_thread_id") if _of_kind(r, kind)}
        mpi = {r[kind]: r["median"] for r in _rows(doc, op="mpi_send_recv") if _of_kind(r, kind)}
        if not cap:
            continue
        lines += ["| %s | by capability | by thread id | MPI (ranks of one communicator) |" % kind,
                  "| ---: | ---: | ---: | ---: |"]
        lines += ["| %d | %d | %s | %s |" % (n, cap[n], tid.get(n, "-"), mpi.get(n, "-")) for n in sorted(cap)]
        spread = (max(cap.values()) - min(cap.values())) / min(cap.values())
        lines += ["", "By capability the round trip varies by %.1f%% from %d to %d %s (target: within 5%%)."
                  % (100 * spread, min(cap), max(cap), kind)]
        if mpi:
            lines += ["The MPI round trip varies by %.1f%% from %d to %d %s: a rank is an index into the "
                      "communicator's group, and queued requests of other clients are indexed by source."
                      % (100 * (max(mpi.values()) - min(mpi.values())) / min(mpi.values()), min(mpi), max(mpi), kind)]
        lines += [""]
    return lines


def _of_kind(row, kind):
    """Whether a scaling row belongs to the series over `kind` (runs tasks-N / mpi-tasks-N, ...)."""
    return row["run"].startswith(kind + "-") or row["run"].startswith("mpi-" + kind + "-")
