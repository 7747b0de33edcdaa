"""latency_cdf.png: the whole latency distribution per architecture, pooled over replications
(latency_histogram.csv), as a CDF on a log time axis and its tail (1 − CDF, log-log) where
p99 and p99.9 differences live. One figure per point; nothing without the file."""
from collections import OrderedDict

import matplotlib.pyplot as plt

from .csvio import finite, num, point_of
from .style import Styles, file_name, legend_outside, save


def cdf(rows):
    """(upper bucket edges in ms, cumulative share) of one architecture's histogram rows."""
    buckets = sorted((num(r.get("bucket_high_ms")), num(r.get("count"))) for r in rows)
    buckets = [(h, c) for h, c in buckets if finite(h) and finite(c) and c > 0 and h > 0]
    total = sum(c for _, c in buckets)
    xs, ys, acc = [], [], 0.0
    for h, c in buckets:
        acc += c
        xs.append(h)
        ys.append(acc / total)
    return xs, ys


def plot(run, directory):
    """Writes one CDF figure per point found in latency_histogram.csv; returns the paths."""
    hist = run.histogram
    if not hist or not hist.has("bucket_high_ms") or not hist.has("count"):
        return []
    styles = Styles(run.architectures)
    by_point = OrderedDict()
    for r in hist.rows:
        by_point.setdefault(point_of(r), OrderedDict()).setdefault(r.get("architecture", ""),
                                                                   []).append(r)
    written = []
    for point in sorted(by_point):
        archs = [a for a in run.architectures if a in by_point[point]]
        curves = {a: cdf(by_point[point][a]) for a in archs}
        curves = {a: c for a, c in curves.items() if c[0]}
        if not curves:
            continue
        fig, (ax, tail) = plt.subplots(1, 2, figsize=(13, 4.8))
        for a, (xs, ys) in curves.items():
            kw = styles.line(a, len(xs))
            ax.step(xs, ys, where="post", **kw)
            tx = [x for x, y in zip(xs, ys) if y < 1]
            ty = [1 - y for y in ys if y < 1]
            if tx:
                tail.step(tx, ty, where="post", **kw)
        for q in (0.5, 0.99):
            ax.axhline(q, color="0.6", linewidth=0.6, linestyle=":")
        ax.set_xscale("log")
        ax.set_ylim(0, 1.01)
        ax.set_xlabel("latency (ms, log scale)")
        ax.set_ylabel("share of requests at most this slow")
        ax.set_title("latency CDF")
        tail.set_xscale("log")
        tail.set_yscale("log")
        tail.set_xlabel("latency (ms, log scale)")
        tail.set_ylabel("share of requests slower (1 − CDF)")
        tail.set_title("tail")
        for q, name in ((0.01, "p99"), (0.001, "p99.9")):
            tail.axhline(q, color="0.6", linewidth=0.6, linestyle=":")
            tail.annotate(name, (0, q), xycoords=("axes fraction", "data"), fontsize=7,
                          color="0.4", xytext=(2, 2), textcoords="offset points")
        legend_outside(tail)
        title = f"{run.scenario}: latency of successful requests, pooled over replications"
        if len(by_point) > 1 or run.sweep_keys:
            title += f" — {run.point_label(point)}"
        ran = set(by_point[point]) | {r["architecture"] for r in run.agg_rows(point)}
        missing = [a for a in run.architectures if a in ran and a not in curves]
        if missing:  # said, not silently left out
            title += f"\nno successful request (no curve) for: {', '.join(missing)}"
        fig.suptitle(title, fontsize=11)
        fig.subplots_adjust(wspace=0.25, top=0.83 if missing else 0.88)
        written.append(save(fig, directory, file_name("latency_cdf", point, len(run.points))))
    return written
