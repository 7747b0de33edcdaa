"""Grouped bars of one metric over points and architectures (mean, 95 % CI), shared by the
serverless and workflow figures: one group per point, one coloured bar per architecture."""
import textwrap

from .csvio import UNDEFINED, finite, num, short_number
from .style import mark_undefined, panel_note


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
    """Draws mean_of(row) per (point, architecture) with ci_of(row) error bars, and "n/a" where
    the mean is undefined (annotate=True); returns the largest finite value drawn (None when
    nothing was)."""
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
        # An undefined mean (n/a in the table) gets no bar and no cap, which at 0 would read as
        # a measured 0: its NaN height draws nothing and keeps the legend's entry.
        ax.bar(xs, ys, width=width * 0.9, **kw)
        err = [(x, y, c) for x, y, c in zip(xs, ys, cis) if finite(y) and finite(c)]
        if err:  # only where the CI is defined: no 0 cap for one replication either
            ex, ey, ec = zip(*err)
            ax.errorbar(ex, ey, yerr=ec, fmt="none", ecolor="black", capsize=2)
        if annotate:
            mark_undefined(ax, [x for x, y in zip(xs, ys) if not finite(y)], fontsize=6)
        for x, y in zip(xs, ys):
            if finite(y):
                top = y if top is None else max(top, y)
                if annotate:
                    ax.annotate(short_number(y), (x, y), textcoords="offset points", xytext=(0, 2),
                                ha="center", fontsize=6)
    ax.set_xlim(-0.5, len(points) - 0.5)  # the groups' places even when every bar is n/a
    if not any(finite(b.get_height()) for b in ax.patches):
        ax.set_yticks([])  # nothing measured: a scale around 0 would suggest a 0
    if len(points) == 1 and not run.sweep_keys:  # one group: name the bars instead
        ax.set_xticks([x for x, _ in drawn])
        ax.set_xticklabels([a for _, a in drawn], fontsize=7, rotation=30 if n > 3 else 0,
                           ha="right" if n > 3 else "center")
    else:
        ax.set_xticks(range(len(points)))
        ax.set_xticklabels(point_ticks(run, points), fontsize=7)
    return top


def empty_note(ax, run, name, zero_text):
    """Says in the panel of metric `name` why it has no nonzero bar: zero_text when every
    defined mean is 0, n/a when none is defined, "no data" without the column."""
    if not run.aggregate.has(name + "_mean"):
        panel_note(ax, f"no data (no {name} column)")
        return
    vals = run.aggregate.values(run.aggregate.rows, name + "_mean")
    if any(finite(v) and v != 0 for v in vals):
        return
    panel_note(ax, zero_text if any(finite(v) for v in vals) else UNDEFINED)


def column(name):
    """mean_of / ci_of readers for an aggregate.csv metric."""
    return (lambda r: num(r.get(name + "_mean")), lambda r: num(r.get(name + "_ci95")))
