"""serverless.png: what a function costs in cold starts and environments — the cold-start share
of invocations, environments alive and busy (mean), the share throttled, and environments over
time per point. Only when some architecture ran serverless (those columns nonzero)."""
import matplotlib.pyplot as plt

from .bars import column, empty_note, grouped
from .csvio import finite, num, point_of, replication_of
from .style import Styles, legend_outside, panel_note, save
from .timeseries import first_replication, time_unit

MAX_TIME_PANELS = 4


def relevant(run):
    return any(run.column_nonzero(c) for c in
               ("cold_starts", "cold_start_pct", "environments_mean", "invocations"))


def _cold_pct(row):
    """cold_start_pct, the table's; pooled from the counts only for an older CSV without the
    column (an empty cell is undefined, n/a in the table)."""
    if "cold_start_pct_mean" in row:
        return num(row.get("cold_start_pct_mean"))
    cold, inv = num(row.get("cold_starts_mean")), num(row.get("invocations_mean"))
    return 100 * cold / inv if finite(cold) and finite(inv) and inv > 0 else float("nan")


def _no_environment_text(rows, rep):
    """Why a replication's environments panel is empty (other replications had some)."""
    text = f"no environment alive in replication {rep}"
    if not any(finite(num(r.get("arrivals"))) and num(r.get("arrivals")) > 0 for r in rows):
        text += "\n(no arrival in it)"
    return text + "\nother replications had some (see the mean above)"


def plot(run, directory):
    """Writes serverless.png when some architecture has cold starts or environments."""
    if not relevant(run):
        return []
    styles = Styles(run.architectures)
    points, archs = run.finished()
    env_points = [p for p in points if any(
        finite(num(r.get("environments"))) and num(r.get("environments")) > 0
        for r in run.timeseries.rows if point_of(r) == p)]
    shown = env_points[:MAX_TIME_PANELS]
    ncols = max(3, len(shown))
    fig = plt.figure(figsize=(4.6 * ncols, 8.5))
    grid = fig.add_gridspec(2, ncols)
    cold = fig.add_subplot(grid[0, 0])
    envs = fig.add_subplot(grid[0, 1])
    thr = fig.add_subplot(grid[0, 2])

    ci = lambda r: num(r.get("cold_start_pct_ci95"))  # noqa: E731
    grouped(cold, run, styles, points, archs, _cold_pct, ci)
    cold.set_title("cold starts (% of invocations)", fontsize=10)
    if run.aggregate.has("cold_start_pct_mean"):  # older CSVs: pooled from the counts
        empty_note(cold, run, "cold_start_pct", "no cold start")
    mean, ci = column("environments_mean")
    grouped(envs, run, styles, points, archs, mean, ci, alpha=0.45)
    bmean, bci = column("environments_busy_mean")
    grouped(envs, run, styles, points, archs, bmean, bci, hatch="//", label=None,
            annotate=False)
    envs.set_title("environments alive (light) and busy (hatched), mean", fontsize=10)
    mean, ci = column("throttled_pct")
    grouped(thr, run, styles, points, archs, mean, ci)
    # throttled_pct = throttles / (invocations + throttles): a share of invocation attempts
    thr.set_title("throttled (% of invocation attempts, 429)", fontsize=10)
    legend_outside(thr, title="architecture", title_fontsize=8)
    empty_note(thr, run, "throttled_pct", "no invocation throttled")

    for k, p in enumerate(shown):
        ax = fig.add_subplot(grid[1, k])
        rows = [r for r in run.timeseries.rows if point_of(r) == p]
        rep = first_replication(rows)
        rows = [r for r in rows if replication_of(r) == rep]
        span = max((num(r.get("time_s")) for r in rows), default=0)
        scale, unit = time_unit(span)
        drawn = False
        for a in archs:
            rs = [r for r in rows if r.get("architecture") == a]
            env = [num(r.get("environments")) for r in rs]
            if any(finite(v) and v > 0 for v in env):
                ax.plot([num(r["time_s"]) / scale for r in rs], env,
                        **styles.line(a, len(rs)))
                drawn = True
        if not drawn:  # the point is shown for other replications' environments
            panel_note(ax, _no_environment_text(rows, rep), y=0.5, width=40)
        ax.set_title(f"environments alive, replication {rep}\n{run.point_label(p)}",
                     fontsize=8)
        ax.set_xlabel(f"simulated time ({unit})", fontsize=8)
    if len(env_points) > len(shown):
        fig.text(0.5, 0.0, f"environments over time: the first {len(shown)} of "
                 f"{len(env_points)} points", ha="center", va="top", fontsize=8)
    fig.suptitle(f"{run.scenario}: serverless", fontsize=12)
    fig.subplots_adjust(hspace=0.45, wspace=0.3, top=0.92)
    return [save(fig, directory, "serverless.png")]
