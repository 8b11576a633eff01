"""The bulk-transfer section of the report (issue 6, experiment bulk, DESIGN.md "Experiments" 8,
docs/experiments.md): guest instructions per byte by transport and size, what each transport
costs beyond writing and checking the payload in units of one memcpy, and the seeds' claims
about copies judged on the data. Beside ipclab's rows, in the tables and the plot only, the
Linux guest's and Open MPI's bulk rows of results/baseline.json (docs/baselines.md)."""
import json
import os
import re

import plotting
from errors import UserError
from paths import RESULTS, ROOT

# The rows the workloads print (experiments/bulk): (layer, transport).
LOCAL, MEMCPY = "local", "local-memcpy"  # references, in each layer: write + check, and + one memcpy
LONG_IPC, RING, RING_NO_TOUCH = "long-ipc", "shared-ring", "shared-ring, no touch"
SEND, SEND_PROBED, ISEND_PROBED, ISEND_WINDOW = "mpi-send", "mpi-send, probed", "mpi-isend, probed", "mpi-isend, window"
REFERENCES = (LOCAL, MEMCPY)

# A difference in guest instructions counts as a copy when it is at least half of what one
# memcpy of the same bytes costs in the same program (local-memcpy minus local): below that it
# is nearer no copy than one.
HALF_COPY = 0.5
# "One copy, not two": what each further byte of a synchronous transfer costs beyond writing and
# checking it (between the two largest sizes, so fixed costs cancel) stays below two memcpys'
# worth, which two copies would cost at the least.
TWO_COPIES = 2.0

FIGURE = "bulk_transfer.png"
# The baseline's bulk rows (transport "<name>-bulk"): baseline.json's layer -> the layer shown.
BASELINE_LAYERS = {"linux": "Linux guest", "openmpi": "Open MPI"}
LAYERS = ("native", "mpi") + tuple(BASELINE_LAYERS.values())  # report order
_EAGER = re.compile(r"comm_eager_bytes\s*=\s*(\d+)")


def eager_bytes(root=ROOT):
    """The largest MPI_Isend the kernel buffers (eager protocol): comm_eager_bytes of abi/comm.hpp."""
    path = os.path.join(root, "abi", "comm.hpp")
    try:
        with open(path, encoding="utf-8") as f:
            found = _EAGER.search(f.read())
    except OSError as e:
        raise UserError(path + ": " + str(e))
    if not found:
        raise UserError(path + ": no comm_eager_bytes; the bulk report needs it to tell eager sizes")
    return int(found.group(1))


def baseline_rows(baseline):
    """The bulk rows of a baseline document (None: none), as this section's rows: layer "Linux
    guest" or "Open MPI", transport without its "-bulk"."""
    return [dict(r, layer=BASELINE_LAYERS[r["layer"]], transport=r["transport"][:-len("-bulk")])
            for r in (baseline or {}).get("results", [])
            if r.get("transport", "").endswith("-bulk") and r.get("layer") in BASELINE_LAYERS]


def load_baseline(directory):
    """`directory`'s baseline.json, or None when there is none."""
    path = os.path.join(directory, "baseline.json")
    if not os.path.exists(path):
        return None
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError) as e:
        raise UserError(path + ": not a results document (" + str(e) + ")")


def table(doc):
    """{(layer, transport): {bytes: row}} of the experiment's rows."""
    out = {}
    for r in doc.get("results", []):
        out.setdefault((r["layer"], r["transport"]), {})[r["bytes"]] = r
    return out


def _median(t, layer, transport, size):
    row = t.get((layer, transport), {}).get(size)
    return row["median"] if row else None


def copy_cost(t, layer, size):
    """Guest instructions of one memcpy of `size` bytes in `layer`'s program (local-memcpy minus
    local), or None when either row is missing."""
    a, b = _median(t, layer, MEMCPY, size), _median(t, layer, LOCAL, size)
    return a - b if a is not None and b is not None and a > b else None


def in_copies(t, layer, transport, size):
    """What `transport` costs beyond writing and checking the payload (its layer's local row),
    in memcpys of the same size; None when a row is missing."""
    m, local, copy = _median(t, layer, transport, size), _median(t, layer, LOCAL, size), copy_cost(t, layer, size)
    return (m - local) / copy if m is not None and local is not None and copy else None


def marginal_copies(t, layer, transport):
    """(copies, low, high): what each byte from size `low` to `high` (the two largest sizes with
    every row needed) adds to `transport` beyond writing and checking it, in memcpys; fixed
    per-transfer costs cancel. None when fewer than two sizes have the rows."""
    sizes = sorted(s for s in t.get((layer, transport), {})
                   if _median(t, layer, LOCAL, s) is not None and copy_cost(t, layer, s) is not None)
    if len(sizes) < 2:
        return None
    low, high = sizes[-2], sizes[-1]

    def extra(size):
        return _median(t, layer, transport, size) - _median(t, layer, LOCAL, size)
    copies = copy_cost(t, layer, high) - copy_cost(t, layer, low)
    return ((extra(high) - extra(low)) / copies if copies > 0 else None), low, high


def _verdict(parts):
    """reproduced when every part holds, refuted when none that was measured does, partly
    otherwise; not measured when none was."""
    measured = [p for p in parts if p is not None]
    if not measured:
        return "not measured"
    if all(measured) and len(measured) == len(parts):
        return "reproduced"
    return "refuted" if not any(measured) else "partly"


def _n(x):
    return f"{x:,}"


def _size(size):
    if size >= 1 << 20 and size % (1 << 20) == 0:
        return "%d MiB" % (size >> 20)
    return "%d KiB" % (size >> 10) if size >= 1024 and size % 1024 == 0 else "%d bytes" % size


def _sync_async(t, eager):
    """Synchronous IPC: no kernel buffer, one copy; asynchronous: a kernel buffer, a second copy."""
    claim = "Synchronous IPC needs no kernel buffering and one copy; asynchronous IPC copies twice"
    source = "seeds/002, seeds/004"
    notes = []
    # (1) MPI_Send leaves nothing in kernel buffers.
    sent = [r for r in t.get(("mpi", SEND), {}).values() if r.get("kernel_buffered_bytes") is not None]
    unbuffered = None if not sent else all(r["kernel_buffered_bytes"] == 0 for r in sent)
    if sent:
        notes.append("MPI_Send returned with %s in kernel buffers at every size" % (
            "0 bytes" if unbuffered else "bytes (%s)" % ", ".join(
                "%s at %s" % (_n(r["kernel_buffered_bytes"]), _size(r["bytes"])) for r in sent
                if r["kernel_buffered_bytes"])))
    # (2) and (3): the eager MPI_Isend against the rendezvous MPI_Send, both to a probing receiver.
    both = sorted(set(t.get(("mpi", SEND_PROBED), {})) & set(t.get(("mpi", ISEND_PROBED), {})))
    eager_sizes = [s for s in both if s <= eager and copy_cost(t, "mpi", s)]
    rendezvous = [s for s in both if s > eager]
    buffered, extra_copy = None, None
    if eager_sizes:
        e = eager_sizes[-1]
        row = t[("mpi", ISEND_PROBED)][e]
        if row.get("kernel_buffered_bytes") is not None:
            buffered = row["kernel_buffered_bytes"] >= e
            notes.append("the eager MPI_Isend of %s left %s bytes in a kernel buffer" % (
                _size(e), _n(row["kernel_buffered_bytes"])))
        if rendezvous:
            r = rendezvous[0]

            def gap(size):  # what MPI_Isend costs over MPI_Send at `size`
                return _median(t, "mpi", ISEND_PROBED, size) - _median(t, "mpi", SEND_PROBED, size)
            extra = gap(e) - gap(r)
            copies = extra / copy_cost(t, "mpi", e)
            extra_copy = copies >= HALF_COPY
            notes.append("kernel buffering cost %s guest instructions, %.1f memcpys of %s (MPI_Isend minus MPI_Send "
                         "at %s, %s, less the same at %s, %s, where both are rendezvous; a copy counts from %g)" % (
                             _n(extra), copies, _size(e), _size(e), _n(gap(e)), _size(r), _n(gap(r)), HALF_COPY))
    # (4) One copy: what a further byte of a synchronous transfer costs, in memcpys.
    one_copy, said = [], []
    for layer, transport, name in (("native", LONG_IPC, "long IPC"), ("mpi", SEND, "MPI_Send")):
        m = marginal_copies(t, layer, transport)
        if m and m[0] is not None:
            one_copy.append(m[0] < TWO_COPIES)
            said.append("%.2f in %s (%s to %s)" % (m[0], name, _size(m[1]), _size(m[2])))
    if said:
        notes.append("beyond writing and checking it, each further byte costs %s memcpys: one copy when fewer than "
                     "%g" % (" and ".join(said), TWO_COPIES))
    parts = {"MPI_Send's kernel buffer": unbuffered, "the eager MPI_Isend's kernel buffer": buffered,
             "the eager MPI_Isend's extra cost": extra_copy, "a synchronous transfer's copies": all(one_copy) if one_copy
             else None}
    missing = [name for name, holds in parts.items() if holds is None]
    if missing:
        notes.append("not measured: " + ", ".join(missing))
    evidence = "; ".join(notes) + "."
    return claim, source, FIGURE, _verdict(list(parts.values())), evidence[0].upper() + evidence[1:]


def _ring(t):
    """Shared memory with notifications avoids the copy: the ring against long IPC, size by size."""
    claim = "Shared memory with notifications avoids the copy"
    source = "seeds/004 (zero-copy streaming), seeds/003"
    sizes = [s for s in sorted(set(t.get(("native", LONG_IPC), {})) & set(t.get(("native", RING), {})))
             if copy_cost(t, "native", s)]
    if not sizes:
        return claim, source, FIGURE, "not measured", "the long-ipc, shared-ring or memcpy rows are missing."
    saved = {s: (_median(t, "native", LONG_IPC, s) - _median(t, "native", RING, s)) / copy_cost(t, "native", s)
             for s in sizes}
    holds = [saved[s] >= HALF_COPY for s in sizes]
    verdict = "reproduced" if all(holds) else "partly" if any(holds) else "refuted"
    evidence = ("the ring (pages shared once, then notifications only) took %s fewer guest instructions than long "
                "IPC per transfer: %s memcpys of the same bytes (a saving counts from %g)" % (
                    "/".join(_n(_median(t, "native", LONG_IPC, s) - _median(t, "native", RING, s)) for s in sizes),
                    ", ".join("%.2f at %s" % (saved[s], _size(s)) for s in sizes), HALF_COPY))
    bare = t.get(("native", RING_NO_TOUCH), {}).get(sizes[-1])
    if bare:
        evidence += "; its mechanism alone (no touch) costs %.3f instructions per byte at %s" % (
            bare["median"] / bare["bytes"], _size(bare["bytes"]))
    return claim, source, FIGURE, verdict, evidence[0].upper() + evidence[1:] + "."


def claims(doc, eager=None):
    """[(claim, source, figure, verdict, evidence)]; `eager` is comm_eager_bytes (read from
    abi/comm.hpp unless given)."""
    t = table(doc)
    return [_sync_async(t, eager_bytes() if eager is None else eager), _ring(t)]


ORDER = (LONG_IPC, RING, RING_NO_TOUCH, SEND, SEND_PROBED, ISEND_PROBED, ISEND_WINDOW,
         "pipe", "unix-socket", "shm-ring")  # the last: the Linux guest's (baseline.json)


def _series(t):
    """[(layer, transport)] in report order: the layers of LAYERS, then any others; in a layer the
    transports of ORDER, any others by name, the references last."""
    def key(k):
        rank = ORDER.index(k[1]) if k[1] in ORDER else len(ORDER) + (1 + REFERENCES.index(k[1]) if k[1] in REFERENCES else 0)
        return (LAYERS.index(k[0]) if k[0] in LAYERS else len(LAYERS), k[0], rank, k[1])
    return sorted(t, key=key)


def _label(size):
    if size >= 1 << 20 and size % (1 << 20) == 0:
        return "%dM" % (size >> 20)
    return "%dK" % (size >> 10) if size >= 1024 and size % 1024 == 0 else str(size)


def plot(doc, path):
    """bytes against instructions per byte; the baseline layers' references are left out (their
    tables have them): their lines would nearly lie on ipclab's."""
    t = table(doc)
    series = [k for k in _series(t) if not (k[0] in BASELINE_LAYERS.values() and k[1] in REFERENCES)]
    if not series:
        return False
    plt = plotting.pyplot()
    fig, ax = plt.subplots(figsize=(11, 5.5))
    markers, colours = "osD^v<>ph*", iter(("black", "dimgray", "darkgoldenrod", "crimson", "teal", "indigo"))
    sizes = set()
    for i, key in enumerate(series):
        rows = t[key]
        xs = sorted(rows)
        sizes.update(xs)
        reference, baseline = key[1] in REFERENCES, key[0] in BASELINE_LAYERS.values()
        ax.plot(xs, [rows[s]["median"] / s for s in xs], marker=markers[i % len(markers)], markersize=4,
                linestyle=":" if reference else "--" if baseline else "-", alpha=0.6 if reference else 1.0,
                color=next(colours, None) if baseline else None,  # apart from ipclab's colour cycle
                label="%s: %s%s" % (key[0], key[1], " (reference)" if reference else ""))
    plotting.sizes_axis(ax, sizes, "bytes per transfer (K = 1024, M = 1024 K; log scale)", _label)
    ax.set_yscale("log")
    values = [r["median"] / r["bytes"] for k in series for r in t[k].values() if r["median"] > 0]
    if values:
        low, high = min(values) / 1.3, max(values) * 1.3
        ticks = [m * 10.0 ** e for e in range(-4, 4) for m in (1, 2, 5) if low <= m * 10.0 ** e <= high]
        ax.set_yticks(ticks)
        ax.set_yticklabels(["%g" % x for x in ticks])
        ax.minorticks_off()
    ax.set_ylabel("guest instructions per byte (median per transfer / bytes; log scale)")
    baselines = any(k[0] in BASELINE_LAYERS.values() for k in series)
    ax.set_title("bulk transfer, one way, acknowledged; payload written and checked%s" % (
        " (dashed: Linux guest, Open MPI)" if baselines else ""))
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=7)  # beside: no line hidden
    plotting.finish(fig, path)
    return True


def _repetitions(doc):
    reps = {(r["iterations"], r["warmup"]) for r in doc.get("results", [])}
    if len(reps) == 1:
        n, w = reps.pop()
        return "%d measured transfers per size after %d discarded warm-up ones" % (n, w)
    return "the number of measured transfers in the JSON's `iterations`"


def _baseline_text(baseline, rows):
    ctx, ring = baseline.get("context", {}), [r for r in rows if r["transport"] == "shm-ring" and r.get("messages")]
    return ("Linux guest and Open MPI: the same measure with the same bulk_common.h in a Linux %s guest in the same "
            "QEMU mode (`scripts/ipclab baseline`, docs/baselines.md; %s), each program against its own references "
            "(`local-memcpy` with glibc's memcpy). `pipe` and `unix-socket` write the whole transfer and read it "
            "whole (into the kernel and out again); `shm-ring` is the ring's analogue: %s slots in POSIX shared "
            "memory, written and checked in place, futex wake-ups; Open MPI %s's `mpi-send` is `MPI_Send`/"
            "`MPI_Recv` between 2 ranks on the one vCPU. These rows are not part of the claims below." % (
                ctx.get("linux_kernel") or "?", _repetitions({"results": rows}),
                _size(ring[0]["bytes"] // ring[0]["messages"]) if ring else "?", ctx.get("openmpi") or "?"))


def section(doc, directory=RESULTS, eager=None, baseline=None):
    """The report's lines; writes bulk_transfer.png into `directory`. The bulk rows of `baseline`
    (by default `directory`'s baseline.json, if there is one; {} for none) join the tables and
    the plot; the claims are judged on `doc` alone."""
    baseline = load_baseline(directory) if baseline is None else baseline
    extra = baseline_rows(baseline)
    shown = dict(doc, results=doc.get("results", []) + extra)
    t = table(shown)
    png = plot(shown, os.path.join(directory, FIGURE))
    sizes = sorted({s for rows in t.values() for s in rows})
    ring = t.get(("native", RING), {})
    slot = max(ring) // ring[max(ring)]["messages"] if ring and ring[max(ring)].get("messages") else None
    head = "| layer | transport | " + " | ".join(_label(s) for s in sizes) + " |"
    rule = "| --- | --- | " + " | ".join("---:" for _ in sizes) + " |"
    lines = ["## Bulk transfer (experiment `bulk`)", "",
             "Claim under test: " + (doc.get("claim") or "-"), "",
             "One-way transfers, each acknowledged (" + _repetitions(doc) + "): the sender's clock runs from before "
             "it writes the payload until the receiver, having checked every word of it, says so. Every figure "
             "therefore includes writing and checking the payload; the `local` row is just that, in one task, and "
             "`local-memcpy` adds one memcpy, so their difference is what one copy costs. Native: `long-ipc` sends "
             "string items of up to 64 KiB (`ipc_send`, the last one `ipc_call`, whose reply is the "
             "acknowledgement), copied once by the kernel; `shared-ring` shares a ring%s once (map item) and then "
             "exchanges only notifications, the producer writing in place and the consumer checking in place; "
             "`shared-ring, no touch` runs the ring without writing or checking the payload. MPI: `mpi-send` is "
             "`MPI_Send`/`MPI_Recv` (rendezvous, one copy); the `probed` rows make the receiver wait in `MPI_Probe` "
             "so the message arrives before its receive, which sends an `MPI_Isend` of up to %s through a kernel "
             "buffer (eager: two copies); `mpi-isend, window` sends 64 KiB `MPI_Isend`s into posted `MPI_Irecv`s. "
             "Each layer's rows come from one program, against its own references." % (
                 " of %s slots" % _size(slot) if slot else "", _size(eager_bytes() if eager is None else eager)), ""]
    if extra:
        lines += [_baseline_text(baseline, extra), ""]
    lines += [("![bulk transfer](%s)" % FIGURE) if png else "(no data)", "",
             "Guest instructions per byte (median per transfer / bytes; columns: bytes per transfer, K = 1024, "
             "M = 1024 K):", "",
             head + " verified |", rule + " --- |"]
    for key in _series(t):
        rows = t[key]
        cells = ["%.3f" % (rows[s]["median"] / s) if s in rows else "-" for s in sizes]
        ok = all(r.get("verified") for r in rows.values())
        lines.append("| %s | %s | %s | %s |" % (key[0], key[1], " | ".join(cells), "yes" if ok else "**NO**"))
    lines += ["", "Beyond writing and checking the payload, in memcpys of the same bytes: (transport - local) / "
              "(local-memcpy - local), same layer; a row that touches no payload (`no touch`): transport / "
              "(local-memcpy - local):", "", head, rule]
    for key in _series(t):
        if key[1] in REFERENCES:
            continue
        cells = []
        for s in sizes:
            row, copy = t[key].get(s), copy_cost(t, key[0], s)
            if row is not None and row.get("touch") is False:
                c = row["median"] / copy if copy else None
            else:
                c = in_copies(t, key[0], key[1], s)
            cells.append("-" if c is None else "%.2f" % c)
        lines.append("| %s | %s | %s |" % (key[0], key[1], " | ".join(cells)))
    buffered = [(k, rows) for k, rows in ((k, t[k]) for k in _series(t) if k[0] == "mpi" and k[1] not in REFERENCES)
                if any(r.get("kernel_buffered_bytes") is not None for r in rows.values())]
    if buffered:
        lines += ["", "Bytes in kernel buffers for the MPI sender just after its send call returned:", "", head, rule]
        for key, rows in buffered:
            lines.append("| %s | %s | %s |" % (key[0], key[1], " | ".join(
                _n(rows[s]["kernel_buffered_bytes"]) if s in rows and rows[s].get("kernel_buffered_bytes") is not None
                else "-" for s in sizes)))
    lines += ["", "| claim | source | figure | verdict | evidence |", "| --- | --- | --- | --- | --- |"]
    lines += ["| %s | %s | %s | **%s** | %s |" % c for c in claims(doc, eager)]
    lines += ["", "| run | status | guest instructions for the whole boot |", "| --- | --- | ---: |"]
    for r in doc.get("runs", []) + ((baseline or {}).get("runs", []) if extra else []):
        lines.append("| %s | %s | %s |" % (r["label"], r["status"], r.get("guest_instructions") or "-"))
    return lines + [""]
