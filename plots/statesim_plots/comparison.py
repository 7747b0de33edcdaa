"""comparison.png: the architectures side by side on the four questions of the table — sessions
lost (by cause), latency (with the share of failed requests), throughput and cost (by item) —
as mean with 95 % CI error bars, one figure per sweep point."""
import math

import matplotlib.pyplot as plt
from matplotlib.patches import Patch
from matplotlib.transforms import blended_transform_factory

from .csvio import UNDEFINED, finite, num, short_number
from .style import (Styles, ci_or_none, file_name, legend_outside, mark_undefined, no_data,
                    reps_note, save)

_NOT_ITEMS = ("cost_usd", "cost_per_month_usd", "cost_per_1k_sessions_usd")
_ITEM_COLORS = plt.get_cmap("Set2")
_CAUSE_COLORS = plt.get_cmap("Dark2")


_fmt = short_number


def headroom(ax, values, factor=1.15):
    """Room above the tallest bar for its annotation (a linear axis from 0)."""
    top = max((v for v in values if finite(v)), default=0)
    if top > 0:
        ax.set_ylim(top=top * factor)


def causes(aggregate):
    """Loss causes present in aggregate.csv (lost_<cause>_mean), in the file's order."""
    return [c[len("lost_"):-len("_mean")] for c in aggregate.header
            if c.startswith("lost_") and c.endswith("_mean") and c != "lost_session_pct_mean"]


def cost_items(aggregate):
    """Cost items present in aggregate.csv (cost_<item>_usd_mean), their sum excluded."""
    return [c[:-len("_mean")] for c in aggregate.header
            if c.startswith("cost_") and c.endswith("_usd_mean") and c[:-5] not in _NOT_ITEMS]


def lost_pct(row):
    """lost_session_pct, the table's: lost / ended (completed + lost + abandoned). Recomputed
    from the counts only for an older CSV without the column: an empty cell is undefined (n/a
    in the table), not a value to rebuild."""
    if "lost_session_pct_mean" in row:
        return num(row.get("lost_session_pct_mean"))
    lost = num(row.get("sessions_lost_mean"))
    ended = lost + num(row.get("sessions_completed_mean")) + (  # no column: none abandoned
        num(row.get("sessions_abandoned_mean")) if "sessions_abandoned_mean" in row else 0)
    return 100 * lost / ended if finite(ended) and ended > 0 else math.nan


def lost_by_cause(rows, cause_names):
    """Per row: (% of sessions ended that were lost, its CI, [(cause, its part)] largest first).
    The parts split that total by each cause's share of the lost sessions, so the bar ends at
    the total: a cause's mean over the mean of sessions ended would not (a mean of ratios is
    not the ratio of the means), nor would a share of sessions started (a session still active
    at the end is neither lost nor ended)."""
    out = []
    for r in rows:
        total, ci = lost_pct(r), num(r.get("lost_session_pct_ci95"))
        counts = [(c, num(r.get(f"lost_{c}_mean"))) for c in cause_names]
        counts = [(c, v) for c, v in counts if finite(v) and v > 0]
        lost = num(r.get("sessions_lost_mean"))
        whole = sum(v for _, v in counts)
        whole = max(whole, lost) if finite(lost) else whole  # causes not written: unknown
        parts = []
        if finite(total) and total > 0:
            parts = [(c, total * v / whole) for c, v in counts] if whole > 0 else []
            rest = total - sum(v for _, v in parts)
            if rest > 1e-9 * total:
                parts.append(("unknown cause", rest))
        parts.sort(key=lambda cv: -cv[1])
        out.append((total, ci, parts))
    return out


def _no_loss_text(data, rows, names):
    """The sentence of a lost-sessions panel without a positive value: "no session lost" only
    where the total is known, n/a where it is undefined, "no data" without the column."""
    undefined = [n for n, (t, _, _) in zip(names, data) if not finite(t)]
    if len(undefined) < len(data):
        return "no session lost" + (f"\n{', '.join(undefined)}: {UNDEFINED}" if undefined
                                    else "")
    if not any("lost_session_pct_mean" in r for r in rows):
        return "no data (no sessions lost column)"
    ended = [sum(num(r.get(f"sessions_{k}_mean")) for k in ("completed", "lost", "abandoned"))
             for r in rows]
    if all(e == 0 for e in ended):  # a share of nothing, in every replication
        return "n/a: no session ended (lost / ended is undefined)"
    return UNDEFINED


def _lost_panel(ax, rows, names, aggregate, cause_color):
    data = lost_by_cause(rows, causes(aggregate))
    positives = [v for t, _, parts in data for v in [t] + [p for _, p in parts]
                 if finite(v) and v > 0]
    if not positives:
        no_data(ax, _no_loss_text(data, rows, names))
        ax.set_title("sessions lost (% of sessions ended)")
        return
    lo = min(0.01, 10 ** math.floor(math.log10(min(positives))))
    ax.set_xscale("log")
    ax.set_xlim(lo, 100)
    seen = set()
    for y, (total, ci, parts) in enumerate(data):
        left = lo
        for cause, value in parts:
            right = left + value if left > lo else max(value, lo)
            label = cause if cause not in seen else None
            seen.add(cause)
            ax.barh(y, right - left, left=left, color=cause_color(cause), height=0.6,
                    label=label, edgecolor="white", linewidth=0.5)
            left = right
        if finite(total) and total > 0 and finite(ci) and ci > 0:
            ax.errorbar(total, y, xerr=[[min(ci, total - lo * 1.0001)], [ci]], fmt="none",
                        ecolor="black", capsize=3, linewidth=1)
    trans = blended_transform_factory(ax.transAxes, ax.transData)
    for y, ((total, ci, parts), r) in enumerate(zip(data, rows)):
        if not finite(total):
            text = ("n/a (undefined in at least\none replication)"
                    if "lost_session_pct_mean" in r else "no data")
        elif total == 0:
            text = "0 (none lost)"
        else:
            text = f"{_fmt(total)} %" + (f" ± {_fmt(ci)}" if finite(ci) else "")
            if len(parts) > 1:
                text += "\n= " + " + ".join(f"{c} {_fmt(v)}" for c, v in parts)
        ax.text(1.02, y, text, transform=trans, va="center", fontsize=8)
    ax.set_yticks(range(len(names)))
    ax.set_yticklabels(names, fontsize=8)
    ax.set_ylim(len(names) - 0.5, -0.5)
    ax.set_title("sessions lost by cause (% of sessions ended, log scale)")
    ax.grid(axis="x", which="major", alpha=0.3)
    handles, labels = ax.get_legend_handles_labels()
    if handles:
        ax.legend(handles, labels, loc="upper center", bbox_to_anchor=(0.5, -0.12),
                  ncol=min(len(labels), 4), fontsize=8, frameon=False, title="cause",
                  title_fontsize=8)


def _xticks(ax, names, extra=None):
    ax.set_xticks(range(len(names)))
    labels = names if extra is None else [f"{n}\n{e}" for n, e in zip(names, extra)]
    rot = 30 if len(names) > 3 or max(len(n) for n in names) > 14 else 0
    ax.set_xticklabels(labels, fontsize=8, rotation=rot, ha="right" if rot else "center")


def _latency_panel(ax, rows, names, styles):
    p50 = [num(r.get("latency_p50_ms_mean")) for r in rows]
    p99 = [num(r.get("latency_p99_ms_mean")) for r in rows]
    if not any(finite(v) for v in p50 + p99):
        no_data(ax, _no_latency_text(rows))
        ax.set_title("latency (ms)")
        return
    x = range(len(rows))
    colors = [styles.color(n) for n in names]
    ax.bar([i - 0.2 for i in x], p50, width=0.38, color=colors, alpha=0.45, hatch="//",
           yerr=ci_or_none([num(r.get("latency_p50_ms_ci95")) for r in rows]), capsize=3,
           label="p50 (hatched)")
    ax.bar([i + 0.2 for i in x], p99, width=0.38, color=colors,
           yerr=ci_or_none([num(r.get("latency_p99_ms_ci95")) for r in rows]), capsize=3,
           label="p99 (solid)")
    # Both values written on their bars: a log axis spanning less than a decade may have a
    # single labelled tick, so the bars alone would not give p50.
    for offset, values, q in ((-0.2, p50, "p50"), (0.2, p99, "p99")):
        cis = [num(r.get(f"latency_{q}_ms_ci95")) for r in rows]
        for i, v, c in zip(x, values, cis):
            if finite(v):  # above the error bar, where it does not cross the text
                ax.annotate(_fmt(v), (i + offset, v + c if finite(c) else v),
                            textcoords="offset points", xytext=(0, 3), ha="center",
                            fontsize=7)
    mark_undefined(ax, [i + offset for offset, values in ((-0.2, p50), (0.2, p99))
                        for i, v in zip(x, values) if not finite(v)])
    tops = [v + c if finite(c) else v for q, vals in (("p50", p50), ("p99", p99))
            for v, c in zip(vals, (num(r.get(f"latency_{q}_ms_ci95")) for r in rows))]
    if all(v > 0 for v in p50 + p99 if finite(v)):
        ax.set_yscale("log")
        headroom(ax, tops, 1.4)  # room for the annotations above the bars
    else:
        headroom(ax, tops)
    failed = []
    for r in rows:
        f = num(r.get("failed_request_pct_mean"))
        if "failed_request_pct_mean" not in r:  # older CSVs; an empty cell is n/a
            ok, bad = num(r.get("requests_ok_mean")), num(r.get("requests_failed_mean"))
            f = 100 * bad / (ok + bad) if finite(ok) and finite(bad) and ok + bad > 0 else f
        failed.append(f"failed {_fmt(f)} %" if finite(f) else "failed n/a")
    _xticks(ax, names, failed)
    ax.set_title("latency p50 / p99 (ms), with the share of failed requests")
    proxies = [Patch(facecolor="0.6", alpha=0.45, hatch="//", label="p50"),
               Patch(facecolor="0.3", label="p99")]
    ax.legend(handles=proxies, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8,
              frameon=False)


def _no_latency_text(rows):
    """"no successful request" only when no replication had one; an empty mean otherwise says
    that some replication had none (undefined there), not that none had any."""
    if not any("latency_p50_ms_mean" in r or "latency_p99_ms_mean" in r for r in rows):
        return "no data (no latency column)"
    ok = [num(r.get("requests_ok_mean")) for r in rows]
    if all(v == 0 for v in ok):
        return "no latency (no successful request)"
    return UNDEFINED


def _bars(ax, rows, names, styles, metric, title):
    means = [num(r.get(metric + "_mean")) for r in rows]
    if not any(finite(v) for v in means):
        no_data(ax, UNDEFINED if any(metric + "_mean" in r for r in rows) else
                f"no {metric} column")
        ax.set_title(title)
        return
    ax.bar(range(len(rows)), means, color=[styles.color(n) for n in names],
           yerr=ci_or_none([num(r.get(metric + "_ci95")) for r in rows]), capsize=3)
    for i, v in enumerate(means):
        if finite(v):
            ax.annotate(_fmt(v), (i, v), textcoords="offset points", xytext=(0, 3),
                        ha="center", fontsize=7)
    mark_undefined(ax, [i for i, v in enumerate(means) if not finite(v)])
    _xticks(ax, names)
    cis = [num(r.get(metric + "_ci95")) for r in rows]
    headroom(ax, [m + c if finite(c) else m for m, c in zip(means, cis)])
    ax.set_title(title)


def _cost_panel(ax, rows, names, aggregate):
    items = [i for i in cost_items(aggregate)
             if any(finite(num(r.get(i + "_mean"))) and num(r.get(i + "_mean")) > 0
                    for r in rows)]
    totals = [num(r.get("cost_usd_mean")) for r in rows]
    if not items and not any(finite(v) for v in totals):
        no_data(ax, "no cost columns")
        ax.set_title("cost (USD)")
        return
    if not items:  # older outputs: only the sum
        items = ["cost_usd"]
    bottom = [0.0] * len(rows)
    for k, item in enumerate(items):
        vals = [num(r.get(item + "_mean")) for r in rows]
        vals = [v if finite(v) else 0.0 for v in vals]
        label = item[len("cost_"):-len("_usd")] if item != "cost_usd" else "total"
        ax.bar(range(len(rows)), vals, bottom=bottom, color=_ITEM_COLORS(k % 8), label=label,
               width=0.6)
        bottom = [b + v for b, v in zip(bottom, vals)]
    tops = [t if finite(t) else b for t, b in zip(totals, bottom)]
    cis = ci_or_none([num(r.get("cost_usd_ci95")) for r in rows])
    if cis is not None:
        ax.errorbar(range(len(rows)), tops, yerr=cis, fmt="none", ecolor="black", capsize=3)
    for i, (t, r) in enumerate(zip(tops, rows)):
        month = num(r.get("cost_per_month_usd_mean"))
        text = f"{_fmt(t)}" + (f"\n({_fmt(month)}/month)" if finite(month) else "")
        ax.annotate(text, (i, t), textcoords="offset points", xytext=(0, 3), ha="center",
                    fontsize=7)
    _xticks(ax, names)
    cost_ci = [num(r.get("cost_usd_ci95")) for r in rows]
    headroom(ax, [t + c if finite(c) else t for t, c in zip(tops, cost_ci)], 1.25)
    ax.set_title("cost of the window by item (USD)")
    legend_outside(ax, title="item", title_fontsize=8)


def plot(run, directory):
    """Writes one comparison figure per point that has aggregate rows; returns the paths."""
    styles = Styles(run.architectures)
    all_causes = causes(run.aggregate) + ["unknown cause"]
    cause_color = lambda c: _CAUSE_COLORS(all_causes.index(c) % 8)  # noqa: E731
    points = [p for p in run.points if run.agg_rows(p)]
    written = []
    for point in points:
        rows = run.agg_rows(point)
        names = [r["architecture"] for r in rows]
        width = max(13.0, 1.3 * len(names) * 2)
        fig, axes = plt.subplots(2, 2, figsize=(width, 9 + 0.25 * len(names)))
        _lost_panel(axes[0][0], rows, names, run.aggregate, cause_color)
        _latency_panel(axes[0][1], rows, names, styles)
        _bars(axes[1][0], rows, names, styles, "throughput_rps",
              "throughput (successful requests/s)")
        _cost_panel(axes[1][1], rows, names, run.aggregate)
        missing = [a for a in run.architectures if a not in names]
        title = f"{run.scenario}"
        if len(run.points) > 1 or run.sweep_keys:
            title += f" — {run.point_label(point)}"
        title += f": {reps_note(rows)}"
        if missing:
            title += f"\nno finished run for: {', '.join(missing)}"
        fig.suptitle(title, fontsize=11)
        fig.subplots_adjust(hspace=0.55, wspace=0.6, top=0.92)
        written.append(save(fig, directory, file_name("comparison", point, len(run.points))))
    return written
