"""sweep.png: every metric of aggregate.csv against the swept key(s), one line per
architecture with its 95 % CI band, so a trend across points reads at a glance. Metrics that
are 0 or undefined (empty, n/a in the table) at every point are left out, named in the caption
apart: a 0 is a measurement, an undefined value is not; nothing without a sweep."""
import math
import textwrap

import matplotlib.pyplot as plt

from .csvio import finite, num
from .bars import common_items, point_ticks
from .style import Styles, ci_or_none, save

# Shown first, in this order; the rest follow in aggregate.csv's order.
HEADLINE = ["lost_session_pct", "sessions_affected_pct", "latency_p50_ms", "latency_p99_ms",
            "failed_request_pct", "throughput_rps", "cost_usd", "cost_per_month_usd",
            "nodes_mean", "utilization"]


def metrics(aggregate):
    """Base names of the metrics in aggregate.csv (<metric>_mean), headline ones first."""
    names = [c[:-len("_mean")] for c in aggregate.header if c.endswith("_mean")]
    return [m for m in HEADLINE if m in names] + [m for m in names if m not in HEADLINE]


def left_out(vals):
    """Why a metric is not drawn: "0" (0 at every point), "undefined" (empty at every point),
    "mixed" (0 where defined, empty elsewhere); None when it has a nonzero value."""
    if any(finite(v) and v != 0 for v in vals):
        return None
    defined = [v for v in vals if finite(v)]
    if len(defined) == len(vals):
        return "0"
    return "mixed" if defined else "undefined"


_LEFT_OUT = (("0", "0 at every point"), ("undefined", "undefined at every point (n/a)"),
             ("mixed", "0 where defined, undefined elsewhere"))


def plot(run, directory):
    """Writes sweep.png when aggregate.csv holds more than one point; returns the paths."""
    points = [p for p in run.points if run.agg_rows(p)]
    if len(points) < 2:
        return []
    styles = Styles(run.architectures)
    shown, empty = [], {}
    for m in metrics(run.aggregate):
        why = left_out(run.aggregate.values(run.aggregate.rows, m + "_mean"))
        if why is None:
            shown.append(m)
        else:
            empty.setdefault(why, []).append(m)
    if not shown:
        return []
    # One key: a line per architecture shows its trend. Several: the points are a grid, not a
    # sequence, so markers and error bars only (a line would suggest a trend between them).
    grid = len(run.sweep_keys) > 1
    # The values alone, one line per key in the keys' order (named in the caption): "nodes=1"
    # "service_time=5ms" under each of six points overlapped.
    ticks = point_ticks(run, points, named=False)
    xlabel = (" / ".join(run.sweep_keys) + " (one value per line, top to bottom)" if grid
              else ", ".join(run.sweep_keys) or "point")
    common = common_items(run, points)
    # about 60 characters of 7 pt fit under a panel: beyond, one key's labels turn and a grid's
    # (several lines each, which turned would run into each other) get smaller
    crowded = len(points) * max((len(ln) for t in ticks for ln in t.split("\n")),
                                default=0) > 60
    turned = crowded and not grid
    cols = 4
    nrows = math.ceil(len(shown) / cols)
    # room under the last row for its tick labels (about 0.12 inch a line), above the caption
    below = 0.25 + 0.12 * max((t.count("\n") + 1 for t in ticks), default=1)
    height = 2.9 * nrows + 0.55 + below
    fig, axes = plt.subplots(nrows, cols, figsize=(4.2 * cols, height), squeeze=False)
    for ax, m in zip(axes.flat, shown):
        for a in run.architectures:
            xs, ys, cis = [], [], []
            for i, p in enumerate(points):
                row = next((r for r in run.agg_rows(p) if r["architecture"] == a), None)
                if row is None:
                    continue  # an interrupted run: this point has no finished run of a
                xs.append(i)
                ys.append(num(row.get(m + "_mean")))
                cis.append(num(row.get(m + "_ci95")))
            if not xs:
                continue
            kw = styles.line(a)
            if grid:
                kw["linestyle"] = "none"
            ax.plot(xs, ys, **kw)
            if grid and ci_or_none(cis) is not None:
                ax.errorbar(xs, ys, yerr=ci_or_none(cis), fmt="none", ecolor=styles.color(a),
                            elinewidth=0.8, capsize=2, alpha=0.6)
                continue
            lo = [y - c if finite(c) else math.nan for y, c in zip(ys, cis)]
            hi = [y + c if finite(c) else math.nan for y, c in zip(ys, cis)]
            if any(finite(v) for v in lo):
                ax.fill_between(xs, lo, hi, color=styles.color(a), alpha=0.15, linewidth=0)
        ax.set_title(m, fontsize=9)
        ax.set_xticks(range(len(points)))
        ax.set_xticklabels(ticks, fontsize=6 if crowded and grid else 7,
                           rotation=30 if turned else 0, ha="right" if turned else "center")
        ax.tick_params(axis="y", labelsize=7)
        ax.grid(alpha=0.3)
    for ax in list(axes.flat)[len(shown):]:
        ax.axis("off")
    handles, labels = axes.flat[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=9,
               frameon=False, title="architecture")
    caption = (f"x: {xlabel}" + (f" ({'; '.join(common)})" if common else "")
               + ("; mean with 95% CI error bars (none with one replication)" if grid else
                  "; mean with 95% CI band (no band with one replication)"))
    for why, text in _LEFT_OUT:
        if empty.get(why):
            caption += f"\n{text} (not drawn): {', '.join(empty[why])}"
    fig.suptitle(f"{run.scenario}: every metric across the sweep", fontsize=12,
                 y=1 - 0.25 / height)
    caption = "\n".join(textwrap.fill(line, 40 * cols) for line in caption.split("\n"))
    fig.subplots_adjust(hspace=0.6, wspace=0.3, top=1 - 0.8 / height, bottom=below / height)
    fig.text(0.5, 0.0, caption, ha="center", va="top", fontsize=8)
    return [save(fig, directory, "sweep.png")]
