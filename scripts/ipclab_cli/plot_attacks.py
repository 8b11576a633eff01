"""The attack experiment's plots: the outcome matrix (policy x attack, both layers), kernel
memory buffering a flood over time, and what an armed timer costs per round trip. Each
returns False (and writes nothing) when the results hold nothing to plot."""
import plotting
import timer_overhead

CELL_COLOURS = {"succeeded": "#d9534f", "stopped": "#5cb85c", "n/a": "#e0e0e0"}
LAYER_NAMES = {"native": "native", "mpi": "MPI"}


def plot_matrix(doc, path):
    """Rows: policies; columns: attacks, each split into its native and MPI layer; a cell is
    red where the attack succeeded, green where it was stopped, grey where it was not run; a
    black frame and '!' mark a cell where a run's outcome differs from what it expected."""
    matrix = doc.get("matrix", {})
    attacks = list(matrix)
    if not attacks:
        return False
    policies = list(next(iter(matrix.values())))
    mismatched = {(o["attack"], o["policy"], o["layer"]) for o in doc.get("outcomes", []) if o["mismatch"]}
    plt = plotting.pyplot()
    fig, ax = plt.subplots(figsize=(2.0 + 1.5 * len(attacks), 1.6 + 0.55 * len(policies)))
    for y, policy in enumerate(policies):
        for i, attack in enumerate(attacks):
            for j, layer in enumerate(LAYER_NAMES):
                cell = matrix[attack][policy][layer]
                x = 2 * i + j
                wrong = (attack, policy, layer) in mismatched
                ax.add_patch(plt.Rectangle((x, y), 1, 1, facecolor=CELL_COLOURS[cell], edgecolor="black" if wrong
                                           else "white", linewidth=2.5 if wrong else 1, zorder=3 if wrong else 2))
                ax.text(x + 0.5, y + 0.5, ("! " if wrong else "") + cell, ha="center", va="center", fontsize=7,
                        fontweight="bold" if wrong else "normal", zorder=4)
    ax.set_xlim(0, 2 * len(attacks))
    ax.set_ylim(len(policies), 0)
    ax.set_xticks([2 * i + j + 0.5 for i in range(len(attacks)) for j in range(2)])
    ax.set_xticklabels([LAYER_NAMES[l] for _ in attacks for l in LAYER_NAMES], fontsize=7)
    for i, attack in enumerate(attacks):
        ax.text(2 * i + 1, -0.15, attack, ha="center", va="bottom", fontsize=9, fontweight="bold")
        if i:
            ax.axvline(2 * i, color="white", linewidth=4, zorder=2.5)  # between attacks
    ax.set_yticks([y + 0.5 for y in range(len(policies))])
    ax.set_yticklabels(policies)
    ax.set_ylabel("policy")
    ax.set_xlabel("attack and layer (red: succeeded, green: stopped, grey: not run; ! and frame: not as expected)")
    ax.tick_params(length=0)
    for side in ax.spines.values():
        side.set_visible(False)
    ax.set_title("attack outcomes by policy", pad=22)
    plotting.finish(fig, path)
    return True


def _flood_runs(doc):
    """([(legend label, [(t, buffer_bytes)])] of the dos-flood runs that printed samples,
    [(legend label, peak bytes)] of those that printed none: too few sends to sample)."""
    sampled, unsampled = [], []
    peaks = {o["label"]: o["buffer_peak_bytes"] for o in doc.get("outcomes", [])}
    for run in doc.get("runs", []):
        if run.get("attack", {}).get("name") != "dos-flood":
            continue
        points = sorted((s["t"], s["buffer_bytes"]) for s in run.get("output", [])
                        if s.get("type") == "attack_sample" and "t" in s and "buffer_bytes" in s)
        variant = run["attack"].get("variant")
        label = "%s, %s%s" % (run["policy"], LAYER_NAMES[run["layer"]], " (" + variant + ")" if variant else "")
        if points:
            sampled.append((label, points))
        else:
            unsampled.append((label, peaks.get(run["label"])))
    return sampled, unsampled


def plot_dos_memory(doc, path):
    runs, unsampled = _flood_runs(doc)
    if not runs:
        return False
    top = max(b for _, points in runs for _, b in points)
    scale, unit = (1 << 20, "MiB") if top >= 4 << 20 else (1 << 10, "KiB")
    late = max(t for _, points in runs for t, _ in points)
    per, what = (1e6, "millions of guest instructions = ms virtual") if late >= 1e7 else (1, "guest instructions")
    plt = plotting.pyplot()
    fig, ax = plt.subplots(figsize=(9, 5))
    for label, points in runs:
        ax.plot([t / per for t, _ in points], [b / scale for _, b in points], marker=".", markersize=3, label=label)
    ax.set_xlabel("time since boot (%s)" % what)
    ax.set_ylabel("kernel memory buffering the flood (%s)" % unit)
    ax.set_ylim(bottom=0)
    if unsampled:
        ax.text(0.99, 0.02, "no samples (under 64 sends), peak:\n" + "\n".join(
            "%s: %s bytes" % (label, "?" if peak is None else "{:,}".format(peak)) for label, peak in unsampled),
            transform=ax.transAxes, ha="right", va="bottom", fontsize=8)
    ax.set_title("dos-flood: message buffers in kernel memory while the attacker sends")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8)
    plotting.finish(fig, path)
    return True


def _label(size):
    return str(size) if size < 1024 or size % 1024 else "%dK" % (size // 1024)


def plot_timer_overhead(doc, path):
    series = timer_overhead.series(doc)
    if not series:
        return False
    plt = plotting.pyplot()
    fig, ax = plt.subplots(figsize=(9, 5))
    colours = {"native": "tab:blue", "mpi": "tab:orange"}
    sizes = set()
    for (layer, armed, ipc_path), rows in sorted(series.items()):
        xs = sorted(rows)
        sizes.update(xs)
        fast = ipc_path == "fast"
        ax.plot(xs, [rows[s] for s in xs], marker="o" if fast else "s", markersize=4,
                color=colours.get(layer), linestyle="-" if armed else "--", alpha=1.0 if fast else 0.5,
                label="%s, timer %s, fast paths %s" % (LAYER_NAMES.get(layer, layer),
                                                        "armed" if armed else "not armed",
                                                        "on" if fast else "off"))
    plotting.sizes_axis(ax, sizes, "message size in bytes (K = 1024; log scale)", _label)
    ax.set_ylabel("guest instructions per round trip (median)")
    ax.set_ylim(bottom=0)
    ax.set_title("what an armed send timer costs (runs timer-*)")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8)
    plotting.finish(fig, path)
    return True
