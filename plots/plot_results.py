#!/usr/bin/env python3
"""Reads a statesim output directory's CSVs and writes PNG plots next to them."""
import csv
import math
import sys
from collections import defaultdict
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def read(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def num(cell):
    """A CSV cell as a number; an empty cell (undefined: a CI from one replication, the latency
    of an interval without completions) is NaN, which matplotlib leaves out."""
    return float(cell) if cell not in ("", None) else math.nan


def plot_comparison(out, aggregate):
    """One panel per headline metric: mean with its 95% CI per architecture (point 0)."""
    rows = [r for r in aggregate if r["point"] == "0"]
    if not rows:
        print("aggregate.csv has no finished run of point 0: no comparison.png")
        return False
    names = [r["architecture"] for r in rows]
    panels = [("lost_session_pct", "lost sessions (%)"),
              ("latency_p99_ms", "p99 latency (ms)"),
              ("throughput_rps", "throughput (req/s)"),
              ("cost_usd", "cost (USD)")]
    fig, axes = plt.subplots(1, len(panels), figsize=(4 * len(panels), 4))
    for ax, (key, label) in zip(axes, panels):
        means = [num(r[key + "_mean"]) for r in rows]
        errs = [num(r[key + "_ci95"]) for r in rows]
        if all(math.isnan(e) for e in errs):
            errs = None  # one replication: no interval to draw
        ax.bar(range(len(rows)), means, yerr=errs, capsize=4, color="tab:blue")
        ax.set_xticks(range(len(rows)))
        ax.set_xticklabels(names, rotation=30, ha="right", fontsize=8)
        ax.set_title(label)
    reps = max(int(r["replications"]) for r in rows)
    what = (f"mean ± 95% CI over {reps} replications" if reps > 1 else
            "one replication (a 95% CI needs at least two)")
    fig.suptitle(f"{rows[0]['scenario']}: {what}")
    fig.tight_layout()
    fig.savefig(out / "comparison.png", dpi=110)
    plt.close(fig)
    return True


def plot_timeseries(out, series):
    """Replication 0 of point 0 over time, one line per architecture."""
    by_arch = defaultdict(list)
    for r in series:
        if r["point"] == "0" and r["replication"] == "0":
            by_arch[r["architecture"]].append(r)
    if not by_arch:
        print("timeseries.csv has no rows of point 0, replication 0: no timeseries.png")
        return False
    panels = [("completions", "completions per interval"),
              ("latency_p99_ms", "p99 latency (ms)"),
              ("sessions_lost_total", "sessions lost (cumulative)"),
              ("nodes_in_service", "nodes in service")]
    fig, axes = plt.subplots(len(panels), 1, figsize=(10, 2.6 * len(panels)), sharex=True)
    for ax, (key, label) in zip(axes, panels):
        for arch, rows in by_arch.items():
            # An interval without completions has empty latency cells: a gap in the line.
            ax.plot([num(r["time_s"]) / 60 for r in rows], [num(r[key]) for r in rows],
                    label=arch, linewidth=1)
        ax.set_ylabel(label, fontsize=8)
    axes[0].legend(fontsize=8, ncol=len(by_arch))
    axes[-1].set_xlabel("simulated time (min)")
    fig.tight_layout()
    fig.savefig(out / "timeseries.png", dpi=110)
    plt.close(fig)
    return True


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: plot_results.py RESULTS_DIR")
    out = Path(sys.argv[1])
    written = []
    if plot_comparison(out, read(out / "aggregate.csv")):
        written.append(f"{out}/comparison.png")
    if plot_timeseries(out, read(out / "timeseries.csv")):
        written.append(f"{out}/timeseries.png")
    if written:
        print("wrote " + ", ".join(written))


if __name__ == "__main__":
    main()
