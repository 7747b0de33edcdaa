"""Grouped bars of one metric over points and architectures (mean, 95 % CI), shared by the
serverless and workflow figures: one group per point, one coloured bar per architecture."""
import textwrap

from .csvio import finite, num
from .style import ci_or_none


def _items(value):
    """The top-level items of a map or list value ("{dist: exponential, mean: 10ms}" gives
    ["dist: exponential", "mean: 10ms"]); [value] for a scalar."""
    v = value.strip()
    if len(v) < 2 or (v[0], v[-1]) not in (("{", "}"), ("[", "]")):
        return [value]
    items, depth, cur = [], 0, ""
    for ch in v[1:-1]:
        depth += ch in "{[" and 1 or ch in "}]" and -1 or 0
        if ch == "," and depth == 0:
            items.append(cur.strip())
            cur = ""
        else:
            cur += ch
    return items + [cur.strip()] if cur.strip() else items


def sweep_values(run, points, key):
    """Short tick values of one key: for a map, only its items that differ between points
    ("mean: 10ms" rather than "{dist: exponential, mean: 10ms}"); returns (values, the items
    left out because every point has them)."""
    raw = [run.sweep_value(p, key) for p in points]
    split = [_items(v) for v in raw]
    if all(len(s) == 1 for s in split):
        return raw, []
    common = [i for i in split[0] if all(i in s for s in split[1:])]
    if all(len(s) == len(common) for s in split):  # the same at every point
        common = []
    return [", ".join(i for i in s if i not in common) for s in split], common


def point_ticks(run, points, named=True):
    """Short labels for the groups: the last part of each sweep key with its value (map values
    reduced to what differs, wrapped to the space of a tick); named=False: the value alone
    (one key, named on the axis)."""
    if len(points) == 1 and not run.sweep_keys:
        return [""]
    width = max(10, 56 // max(len(points), 1))  # characters of 7 pt under one tick
    columns = [(k.split(".")[-1], sweep_values(run, points, k)[0]) for k in run.sweep_keys]
    labels = []
    for i, p in enumerate(points):
        lines = []
        for k, vals in columns:
            t = f"{k}={vals[i]}" if named else vals[i]
            if named and len(t) > width:
                lines.append(f"{k}=")
                t = vals[i]
            lines += textwrap.wrap(t, width, break_long_words=False) or [""]
        labels.append("\n".join(lines) or f"point {p}")
    return labels


def common_items(run, points):
    """"key: items" for the map items every point shares (left out of the ticks)."""
    out = []
    for k in run.sweep_keys:
        common = sweep_values(run, points, k)[1]
        if common:
            out.append(f"{k.split('.')[-1]}: {', '.join(common)} at every point")
    return out


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
