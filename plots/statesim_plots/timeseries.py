"""timeseries.png: one replication over time per point — arrivals, nodes (in service, desired,
draining), p99 latency and sessions lost — one line per architecture, each with its own dash and
marker so none hides behind another, gaps where an interval had no completion, and the run's
events (kill, scale_out, …) marked."""
from collections import OrderedDict

import matplotlib.pyplot as plt
from matplotlib.lines import Line2D

from .csvio import finite, num, point_of, replication_of
from .style import Styles, file_name, legend_outside, save

# Events drawn as vertical lines across every panel: the ones that explain a jump.
_MAJOR = ("kill", "zone_down", "store_down", "deploy_batch")
_EVENT_MARKERS = {"kill": "X", "repair": "P", "replace": "+", "zone_down": "v", "zone_up": "^",
                  "store_down": "s", "store_up": "D", "scale_out": ">", "scale_in": "<",
                  "deploy_batch": "*", "drain_start": "|", "terminate": "x"}
_EVENT_COLORS = {"kill": "red", "zone_down": "darkred", "store_down": "purple",
                 "deploy_batch": "darkgreen", "scale_out": "tab:blue", "scale_in": "tab:cyan"}


def time_unit(span_s):
    """Minutes, hours or days, whichever keeps the axis readable."""
    if span_s > 3 * 86400:
        return 86400.0, "d"
    if span_s > 3 * 3600:
        return 3600.0, "h"
    return 60.0, "min"


def first_replication(rows):
    """The lowest replication present (0 unless an interrupted run lost it)."""
    reps = sorted({replication_of(r) for r in rows} - {-1})
    return reps[0] if reps else None


def isolated(xs, ys):
    """The points with no finite neighbour on either side, which a line cannot show."""
    keep = [i for i, y in enumerate(ys) if finite(y)
            and (i == 0 or not finite(ys[i - 1])) and (i == len(ys) - 1 or not finite(ys[i + 1]))]
    return [xs[i] for i in keep], [ys[i] for i in keep]


def per_second(rows, column):
    """A per-interval count as a rate per second (each row's interval ends at time_s)."""
    out, prev = [], 0.0
    for r in rows:
        t = num(r.get("time_s"))
        width = t - prev if finite(t) and t > prev else float("nan")
        v = num(r.get(column))
        out.append(v / width if finite(v) and finite(width) else float("nan"))
        prev = t if finite(t) else prev
    return out


def plot(run, directory):
    """Writes one time-series figure per point found in timeseries.csv; returns the paths."""
    ts = run.timeseries
    if not ts or not ts.has("time_s"):
        return []
    styles = Styles(run.architectures)
    by_point = OrderedDict()
    for r in ts.rows:
        by_point.setdefault(point_of(r), []).append(r)
    written = []
    for point in sorted(by_point):
        written.append(_figure(run, directory, styles, point, by_point[point], len(run.points)))
    return [w for w in written if w]


def _figure(run, directory, styles, point, rows, npoints):
    rep = first_replication(rows)
    rows = [r for r in rows if replication_of(r) == rep]
    by_arch = OrderedDict((a, []) for a in run.architectures)
    for r in rows:
        by_arch.setdefault(r.get("architecture", ""), []).append(r)
    by_arch = OrderedDict((a, sorted(rs, key=lambda r: num(r["time_s"])))
                          for a, rs in by_arch.items() if rs)
    if not by_arch:
        return None
    span = max(num(rs[-1]["time_s"]) for rs in by_arch.values())
    scale, unit = time_unit(span)
    events = [e for e in run.events.rows
              if point_of(e) == point and replication_of(e) == rep]

    fig, axes = plt.subplots(5, 1, figsize=(13, 14), sharex=True,
                             gridspec_kw={"height_ratios": [1, 1, 1, 1, 0.25 + 0.12 * len(by_arch)]})
    arrivals, nodes, p99, lost, strip = axes
    has_env = False
    for a, rs in by_arch.items():
        t = [num(r["time_s"]) / scale for r in rs]
        kw = styles.line(a, len(t))
        if "arrivals" in rs[0]:
            arrivals.plot(t, per_second(rs, "arrivals"), **kw)
        for col, dash in (("nodes_in_service", "-"), ("nodes_desired", "--"),
                          ("nodes_draining", ":")):
            if col in rs[0]:
                nkw = dict(kw, linestyle=dash, label=None)
                if col != "nodes_in_service":
                    nkw.update(marker=None, linewidth=1.0)
                nodes.plot(t, [num(r.get(col)) for r in rs], **nkw)
        env = [num(r.get("environments")) for r in rs]
        if any(finite(v) and v > 0 for v in env):
            has_env = True
            nodes.plot(t, env, **dict(kw, linestyle="-.", label=None, marker=None))
        if "latency_p99_ms" in rs[0]:
            ys = [num(r.get("latency_p99_ms")) for r in rs]
            p99.plot(t, ys, **kw)  # NaN: a gap
            alone = isolated(t, ys)  # a value between two gaps draws no line: mark it
            if alone[0]:
                p99.plot(*alone, linestyle="none", marker=kw["marker"], color=kw["color"],
                         markersize=4)
        if "sessions_lost_total" in rs[0]:
            lost.plot(t, [num(r.get("sessions_lost_total")) for r in rs], **kw)

    arrivals.set_ylabel("requests arriving /s", fontsize=8)
    nodes.set_ylabel("nodes", fontsize=8)
    p99.set_ylabel("p99 latency (ms)", fontsize=8)
    lost.set_ylabel("sessions lost\n(cumulative)", fontsize=8)
    p99_values = [v for ln in p99.get_lines() for v in ln.get_ydata() if finite(v)]
    if p99_values and min(p99_values) > 0 and max(p99_values) / min(p99_values) > 50:
        p99.set_yscale("log")
    finals = [max((v for v in ln.get_ydata() if finite(v)), default=0) for ln in lost.get_lines()]
    positive = [v for v in finals if v > 0]
    if positive and max(positive) / min(positive) > 30:  # 962 next to 200 000 stays readable
        lost.set_yscale("symlog", linthresh=1)
        lost.set_ylim(bottom=-0.3, top=max(positive) * 3)
        lost.set_ylabel("sessions lost\n(cumulative, symlog)", fontsize=8)
    kinds = [Line2D([], [], color="0.3", linestyle="-", label="in service"),
             Line2D([], [], color="0.3", linestyle="--", label="desired"),
             Line2D([], [], color="0.3", linestyle=":", label="draining")]
    if has_env:
        kinds.append(Line2D([], [], color="0.3", linestyle="-.", label="environments"))
    nodes.legend(handles=kinds, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8,
                 frameon=False)
    legend_outside(arrivals, title="architecture", title_fontsize=8)

    _events(strip, [arrivals, nodes, p99, lost], events, list(by_arch), scale)
    strip.set_xlabel(f"simulated time ({unit}; the warm-up included)")
    title = f"{run.scenario}: replication {rep}"
    if npoints > 1 or run.sweep_keys:
        title += f" — {run.point_label(point)}"
    fig.suptitle(title, fontsize=11)
    fig.subplots_adjust(hspace=0.12, top=0.96)
    return save(fig, directory, file_name("timeseries", point, npoints))


def _events(strip, panels, events, archs, scale):
    """The events strip (one row per architecture, a marker per event) and vertical lines for
    the major events on the other panels."""
    strip.set_yticks(range(len(archs)))
    strip.set_yticklabels(archs, fontsize=7)
    strip.set_ylim(len(archs) - 0.5, -0.5)
    strip.set_ylabel("events", fontsize=8)
    if not events:
        strip.text(0.5, 0.5, "no events", transform=strip.transAxes, ha="center",
                   va="center", fontsize=8, color="0.4")
        return
    kinds = OrderedDict()
    for e in events:
        a, t = e.get("architecture", ""), num(e.get("time_s"))
        if a not in archs or not finite(t):
            continue
        kinds.setdefault(e.get("event", "?"), ([], []))
        kinds[e.get("event", "?")][0].append(t / scale)
        kinds[e.get("event", "?")][1].append(archs.index(a))
    for kind, (xs, ys) in kinds.items():
        strip.scatter(xs, ys, marker=_EVENT_MARKERS.get(kind, "o"), s=30,
                      color=_EVENT_COLORS.get(kind, "0.3"), label=kind, zorder=3)
        if kind in _MAJOR:
            for x in sorted(set(xs)):
                for ax in panels:
                    ax.axvline(x, color=_EVENT_COLORS.get(kind, "0.3"), linewidth=0.6,
                               alpha=0.5, linestyle="--", zorder=0)
    if not kinds:  # events only of architectures not drawn here (or without a time)
        strip.text(0.5, 0.5, "no events of these architectures", transform=strip.transAxes,
                   ha="center", va="center", fontsize=8, color="0.4")
        return
    strip.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=7, frameon=False,
                 ncol=2 if len(kinds) > 4 else 1)
