#!/usr/bin/env python3
"""Renders every plot of a statesim output directory next to its CSVs, then report.html.

usage: plot_results.py DIR
Exit 0 when all went well; 2 when DIR does not exist or holds no statesim CSV (nothing is
written); 1 when a plot failed (the others and the report are still written, the traceback is
on stderr); 130 when interrupted (Ctrl-C: no temporary file is left behind).
"""
import multiprocessing
import os
import signal
import sys
import time
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from statesim_plots import (comparison, csvio, latency, report, serverless,  # noqa: E402
                            style, sweep, timeseries, workflows)

# In the order the report shows them.
PLOTS = [("comparison", comparison.plot), ("latency CDF", latency.plot),
         ("time series", timeseries.plot), ("sweep", sweep.plot),
         ("serverless", serverless.plot), ("workflows", workflows.plot)]


_RUN = None


def _draw(job):
    """One plot kind in a worker: returns its files, or the exception it raised."""
    name, draw, directory = job
    try:
        return name, draw(_RUN, directory)
    except Exception as e:  # noqa: BLE001  (reported by the parent, with its traceback)
        e.__traceback__ = None
        return name, RuntimeError(f"{type(e).__name__}: {e}\n" + traceback.format_exc())


def _ignore_sigint():
    """Pool workers leave Ctrl-C to the parent, which stops them and cleans up."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def render(run, directory):
    """Draws every plot kind, on all cores where fork is available (figures are independent
    and matplotlib is single-threaded); returns [(name, files or exception)] in PLOTS order."""
    global _RUN
    _RUN = run
    jobs = [(name, draw, directory) for name, draw in PLOTS]
    workers = min(len(jobs), os.cpu_count() or 1)
    if workers > 1 and "fork" in multiprocessing.get_all_start_methods():
        with multiprocessing.get_context("fork").Pool(workers, _ignore_sigint) as pool:
            return pool.map(_draw, jobs, chunksize=1)
    return [_draw(job) for job in jobs]


def main(argv):
    try:
        return _main(argv)
    except KeyboardInterrupt:
        # The pool's workers are stopped by now (leaving the with block terminates them).
        if len(argv) == 2 and Path(argv[1]).is_dir():
            style.remove_temporaries(argv[1])
        print("interrupted: plots not finished", file=sys.stderr)
        return 130


def _main(argv):
    if len(argv) != 2:
        print("usage: plot_results.py DIR", file=sys.stderr)
        return 2
    directory = Path(argv[1])
    if not directory.is_dir():
        print(f"error: {directory}: no such directory (expected a statesim output directory)",
              file=sys.stderr)
        return 2
    run = csvio.Run(directory)
    if not run.has_csv():
        print(f"error: {directory}: no statesim CSV ({', '.join(csvio.CSV_FILES)} with a "
              "point and an architecture column); nothing written", file=sys.stderr)
        return 2
    start = time.monotonic()
    written, failed = [], []
    for name, result in render(run, directory):
        if isinstance(result, BaseException):  # one broken plot must not cost the others
            failed.append(name)
            print(f"error: {name} plot failed:", file=sys.stderr)
            traceback.print_exception(type(result), result, result.__traceback__)
        else:
            written += result
    written.append(report.write(run, directory, written))
    names = ", ".join(p.name for p in written)
    print(f"wrote {names} in {directory} ({time.monotonic() - start:.1f} s)")
    if failed:
        print(f"error: failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
