"""workflows.png: what happens to long processes — completed, lost and still active; the share
lost with its CI; the losses by cause. Only when some architecture ran workflows (those
columns nonzero)."""
import matplotlib.pyplot as plt

from .bars import column, empty_note, grouped
from .csvio import finite, num, short_number
from .style import Styles, legend_outside, save

_OUTCOMES = [("workflows_completed", "completed", "tab:green"),
             ("workflows_lost", "lost", "tab:red"),
             ("workflows_active", "active", "0.75")]


_short = short_number


def relevant(run):
    return any(run.column_nonzero(c) for c in
               ("workflows_completed", "workflows_lost", "workflows_started"))


def causes(aggregate):
    pre = "workflows_lost_"
    return [c[len(pre):-len("_mean")] for c in aggregate.header
            if c.startswith(pre) and c.endswith("_mean") and c != "workflows_lost_pct_mean"]


def plot(run, directory):
    """Writes workflows.png when some architecture completed or lost a workflow."""
    if not relevant(run):
        return []
    styles = Styles(run.architectures)
    points, archs = run.finished()
    fig, (out, pct, cause) = plt.subplots(1, 3, figsize=(17, 5.5))

    # One stacked bar per (point, architecture): completed, lost, active.
    pairs = [(p, r) for p in points for r in run.agg_rows(p)]
    labels = [r["architecture"] + (f"\n{run.point_label(p)}" if len(points) > 1 else "")
              for p, r in pairs]
    bottom = [0.0] * len(pairs)
    for k, (col, label, color) in enumerate(_OUTCOMES):
        vals = [num(r.get(col + "_mean")) for _, r in pairs]
        vals = [v if finite(v) else 0 for v in vals]
        out.bar(range(len(pairs)), vals, bottom=bottom, color=color, label=label)
        bottom = [b + v for b, v in zip(bottom, vals)]
    for i, (_, r) in enumerate(pairs):
        text = " / ".join(_short(num(r.get(c + "_mean"))) for c, _, _ in _OUTCOMES)
        out.annotate(text, (i, bottom[i]), textcoords="offset points", xytext=(0, 3),
                     ha="center", fontsize=7)
    out.set_xticks(range(len(pairs)))
    out.set_xticklabels(labels, fontsize=7, rotation=30, ha="right")
    if max(bottom, default=0) > 0:
        out.set_ylim(0, max(bottom) * 1.15)
    out.set_title("workflows: completed / lost / active (mean)", fontsize=10)
    legend_outside(out, title="outcome", title_fontsize=8)

    mean, ci = column("workflows_lost_pct")
    if run.aggregate.has("workflows_lost_pct_mean"):  # an empty cell is n/a, as in the table
        empty_note(pct, run, "workflows_lost_pct", "no workflow lost")
    else:
        def mean(r):  # older outputs: lost / (completed + lost)
            c, lost = num(r.get("workflows_completed_mean")), num(r.get("workflows_lost_mean"))
            return 100 * lost / (c + lost) if finite(c) and finite(lost) and c + lost > 0 \
                else float("nan")
        ci = None
    grouped(pct, run, styles, points, archs, mean, ci)
    pct.set_title("workflows lost (% of those ended)", fontsize=10)
    legend_outside(pct, title="architecture", title_fontsize=8)

    names = [c for c in causes(run.aggregate)
             if run.column_nonzero("workflows_lost_" + c)]
    if names:
        labels = [f"{a}\n{run.point_label(p) if len(points) > 1 else ''}".strip()
                  for p in points for a in archs if any(
                      r["architecture"] == a for r in run.agg_rows(p))]
        rows = [r for p in points for r in run.agg_rows(p)]
        bottom = [0.0] * len(rows)
        cmap = plt.get_cmap("Dark2")
        for k, c in enumerate(names):
            vals = [num(r.get(f"workflows_lost_{c}_mean")) for r in rows]
            vals = [v if finite(v) else 0 for v in vals]
            cause.bar(range(len(rows)), vals, bottom=bottom, color=cmap(k % 8), label=c)
            bottom = [b + v for b, v in zip(bottom, vals)]
        cause.set_xticks(range(len(rows)))
        cause.set_xticklabels(labels, fontsize=7, rotation=30, ha="right")
        legend_outside(cause, title="cause", title_fontsize=8)
    else:
        cause.text(0.5, 0.5, "no workflow lost", ha="center", va="center",
                   transform=cause.transAxes, color="0.4")
    cause.set_title("workflows lost by cause (mean)", fontsize=10)
    fig.suptitle(f"{run.scenario}: workflows", fontsize=12)
    fig.subplots_adjust(wspace=0.55, top=0.86, bottom=0.2)
    return [save(fig, directory, "workflows.png")]
