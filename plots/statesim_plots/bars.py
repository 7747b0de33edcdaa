"""Grouped bars of one metric over points and architectures (mean, 95 % CI), shared by the
serverless and workflow figures: one group per point, one coloured bar per architecture."""

from .csvio import finite, num
from .style import ci_or_none


def point_ticks(run, points):
    """Short labels for the groups: the last part of each sweep key with its value."""
    if len(points) == 1 and not run.sweep_keys:
        return [""]
    return ["\n".join(f"{k.split('.')[-1]}={run.sweep_value(p, k)}" for k in run.sweep_keys)
            or f"point {p}" for p in points]


def grouped(ax, run, styles, points, archs, mean_of, ci_of=None, annotate=True,
            **bar_kw):
    """Draws mean_of(row) per (point, architecture) with ci_of(row) error bars; returns the
    largest finite value drawn (None when nothing was)."""
    n = max(len(archs), 1)
    width = 0.8 / n
    top = None
    drawn = []
    for j, a in enumerate(archs):
        xs, ys, cis = [], [], []
        for i, p in enumerate(points):
            row = next((r for r in run.agg_rows(p) if r["architecture"] == a), None)
            if row is None:
                continue
            xs.append(i - 0.4 + width * (j + 0.5))
            ys.append(mean_of(row))
            cis.append(ci_of(row) if ci_of else float("nan"))
        if not xs:
            continue
        drawn.append((xs[0], a))
        kw = dict(color=styles.color(a), label=a)
        kw.update(bar_kw)
        ax.bar(xs, [y if finite(y) else 0 for y in ys], width=width * 0.9,
               yerr=ci_or_none(cis), capsize=2, **kw)
        for x, y in zip(xs, ys):
            if finite(y):
                top = y if top is None else max(top, y)
                if annotate:
                    ax.annotate(f"{y:.3g}", (x, y), textcoords="offset points", xytext=(0, 2),
                                ha="center", fontsize=6)
    if len(points) == 1 and not run.sweep_keys:  # one group: name the bars instead
        ax.set_xticks([x for x, _ in drawn])
        ax.set_xticklabels([a for _, a in drawn], fontsize=7, rotation=30 if n > 3 else 0,
                           ha="right" if n > 3 else "center")
    else:
        ax.set_xticks(range(len(points)))
        ax.set_xticklabels(point_ticks(run, points), fontsize=7)
    return top


def column(name):
    """mean_of / ci_of readers for an aggregate.csv metric."""
    return (lambda r: num(r.get(name + "_mean")), lambda r: num(r.get(name + "_ci95")))
