"""One look for every figure: an architecture keeps its colour, line style and marker in every
plot, legends sit outside the axes (ten architectures do not cover the data), and PNGs are
written atomically so a reader never sees half a file."""
import os
import textwrap
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.transforms import blended_transform_factory  # noqa: E402

DPI = 100
_LINES = ["-", "--", "-.", ":"]
_MARKERS = ["o", "s", "^", "D", "v", "P", "X", "*", "<", ">", "h", "p"]


class Styles:
    """Colour, line style and marker per architecture, fixed by its position in the run."""

    def __init__(self, architectures):
        cmap = plt.get_cmap("tab10" if len(architectures) <= 10 else "tab20")
        self.index = {a: i for i, a in enumerate(architectures)}
        self._cmap = cmap
        self._n = cmap.N

    def color(self, arch):
        return self._cmap(self.index.get(arch, 0) % self._n)

    def line(self, arch, npoints=0):
        """Keyword arguments for ax.plot: each architecture differs in colour, dash and marker,
        and its markers sit at its own offset, so a line lying on another one stays visible."""
        i = self.index.get(arch, 0)
        n = max(len(self.index), 1)
        # Earlier architectures are drawn first with larger markers, so markers that land on
        # the same spot nest instead of covering each other.
        size = 3.0 + 5.0 * (n - 1 - i) / max(n - 1, 1)
        kw = dict(color=self.color(arch), linestyle=_LINES[i % len(_LINES)],
                  marker=_MARKERS[i % len(_MARKERS)], markersize=size, linewidth=1.2,
                  markerfacecolor="none" if i % 2 else self.color(arch), label=arch)
        if npoints > 12:
            step = max(npoints // 8, 1)
            kw["markevery"] = (min((i * step) // max(len(self.index), 1), step - 1), step)
        return kw


def legend_outside(ax, **kw):
    """A legend to the right of the axes (bbox_inches="tight" keeps it in the PNG)."""
    handles, labels = ax.get_legend_handles_labels()
    if handles:
        ax.legend(handles, labels, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8,
                  frameon=False, **kw)


def file_name(stem, point, npoints):
    """comparison.png for a run of one point; comparison-point-N.png for each point of a sweep."""
    return f"{stem}.png" if npoints <= 1 else f"{stem}-point-{point}.png"


# The pid of the process that imported this module: pool workers forked from it share it, so
# the parent can remove every temporary file of the run after an interruption.
_PID = os.getpid()


def temp_path(directory, name):
    """A temporary name for directory/name: .tmp-PID-<name>, ending in .png whatever the file
    (statesim's output directory check only accepts .png among names it did not write), so a
    statesim rerun clears one left by a crash or a kill."""
    suffix = "" if name.endswith(".png") else ".png"
    return Path(directory) / f".tmp-{_PID}-{name}{suffix}"


def remove_temporaries(directory):
    """Removes this run's temporary files (after an interruption)."""
    for p in Path(directory).glob(f".tmp-{_PID}-*"):
        try:
            p.unlink()
        except OSError:
            pass


def save(fig, directory, name):
    """Writes the figure to directory/name through a temporary file and a rename."""
    target = Path(directory) / name
    tmp = temp_path(directory, name)
    try:
        fig.savefig(tmp, dpi=DPI, bbox_inches="tight")
        os.replace(tmp, target)
    finally:
        plt.close(fig)
        if tmp.exists():
            tmp.unlink()
    return target


def no_data(ax, text):
    """Marks an empty panel in words instead of leaving a blank square."""
    ax.text(0.5, 0.5, text, ha="center", va="center", transform=ax.transAxes, fontsize=9,
            color="0.4")
    ax.set_xticks([])
    ax.set_yticks([])


def mark_undefined(ax, xs, fontsize=7):
    """"n/a" at the foot of each x whose value is undefined (an empty cell, n/a in the table),
    where its bar would stand: no bar (a bar at 0 would read as a measured 0)."""
    trans = blended_transform_factory(ax.transData, ax.transAxes)
    for x in xs:
        ax.text(x, 0.02, "n/a", transform=trans, ha="center", va="bottom", fontsize=fontsize,
                color="0.4")


def panel_note(ax, text, y=0.75, width=36):
    """A sentence across a panel that keeps its axes (no_data clears them), wrapped to about
    the width of a panel (matplotlib's wrap uses the figure's)."""
    lines = [w for ln in text.split("\n") for w in textwrap.wrap(ln, width) or [""]]
    ax.text(0.5, y, "\n".join(lines), ha="center", va="center", transform=ax.transAxes,
            fontsize=9, color="0.4")


def ci_or_none(values):
    """Error bars when at least one half-width is defined; None (no bars) otherwise."""
    import math
    if all(math.isnan(v) for v in values):
        return None
    return [0 if math.isnan(v) else v for v in values]


def reps_note(rows):
    """What the error bars mean for these aggregate rows."""
    reps = []
    for r in rows:
        try:
            reps.append(int(r.get("replications", "0") or 0))
        except ValueError:
            pass
    if not reps:
        return ""
    lo, hi = min(reps), max(reps)
    n = f"{hi}" if lo == hi else f"{lo}–{hi}"
    if hi <= 1:
        return "one replication: no 95% CI (it needs two)"
    return f"mean ± 95% CI over {n} replications"
