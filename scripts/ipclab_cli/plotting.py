"""What every plot shares: matplotlib without a display, the unit note."""
from errors import UserError

NOTE = "1 guest instruction = 1 virtual ns (qemu -icount shift=0); no cache or TLB model"


def pyplot():
    """matplotlib.pyplot with the file-only backend, or a clear error."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise UserError("matplotlib is missing: install Debian's python3-matplotlib")
    return plt


def finish(fig, path):
    fig.text(0.01, 0.01, NOTE, fontsize=7, alpha=0.7)
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    fig.savefig(path, dpi=120)
    fig.clf()


def sizes_axis(ax, sizes, label, tick_label=str):
    """A log2 x axis with a tick per measured size, labelled by `tick_label(size)`. Log scale
    starts at the smallest size above 0; below it the axis is linear (symlog), so a size of 0
    sits one octave's width to the left of it."""
    positive = [s for s in sizes if s > 0]
    ax.set_xscale("symlog", base=2, linthresh=min(positive) if positive else 1)
    ax.set_xticks(sorted(sizes))
    ax.set_xticklabels([tick_label(s) for s in sorted(sizes)])
    ax.minorticks_off()
    ax.set_xlabel(label)
