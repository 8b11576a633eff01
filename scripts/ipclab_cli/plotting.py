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


def sizes_axis(ax, sizes, label):
    """A log2 x axis labelled with the measured sizes (0 allowed)."""
    ax.set_xscale("symlog", base=2, linthresh=1 if min(sizes) == 0 and max(sizes) < 128 else 8)
    ax.set_xticks(sorted(sizes))
    ax.set_xticklabels([str(s) for s in sorted(sizes)])
    ax.minorticks_off()
    ax.set_xlabel(label)
