#!/usr/bin/env python3
"""The plots and report.html from small real outputs of each kind (tests/plots/fixtures/, made
by make_fixtures.sh) and from damaged copies of them: every expected PNG is a real, non-blank
PNG, the plots that do not apply are not drawn, report.html embeds every plot and references
nothing outside itself, and a directory without CSVs is refused with exit 2.

Run with a python that has matplotlib (tests/plots/run.sh picks it; exit 77 = skipped)."""
import base64
import contextlib
import csv
import io
import math
import re
import shutil
import sys
import tempfile
import unittest
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
FIXTURES = HERE / "fixtures"
sys.path.insert(0, str(ROOT / "plots"))

import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.image as mpimg  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402

import plot_results  # noqa: E402
import report_check  # noqa: E402
from statesim_plots import csvio, style, timeseries  # noqa: E402

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
OPTIONAL = ("sweep.png", "serverless.png", "workflows.png")


def plot_results_caption(stem):
    from statesim_plots import report
    return report.CAPTIONS[stem]


def read_csv(path):
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    return rows[0], rows[1:]


def write_csv(path, header, rows):
    with open(path, "w", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows([header] + rows)


def filter_csv(path, keep):
    """Keeps the rows for which keep(dict) is true (an interrupted run's missing rows)."""
    header, rows = read_csv(path)
    write_csv(path, header, [r for r in rows if keep(dict(zip(header, r)))])


def drop_columns(path, doomed):
    """Removes the columns for which doomed(name) is true (an older statesim's output)."""
    header, rows = read_csv(path)
    idx = [i for i, c in enumerate(header) if not doomed(c)]
    write_csv(path, [header[i] for i in idx], [[r[i] for i in idx] for r in rows])


class PlotCase(unittest.TestCase):
    def setUp(self):
        self.tmp = Path(tempfile.mkdtemp(prefix="statesim-plots-"))

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def copy(self, fixture):
        target = self.tmp / fixture
        shutil.copytree(FIXTURES / fixture, target)
        return target

    def render(self, directory):
        """Runs the entry point as `make plots` does; returns (exit code, stdout, stderr)."""
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            rc = plot_results.main(["plot_results.py", str(directory)])
        return rc, out.getvalue(), err.getvalue()

    def assert_real_png(self, path):
        data = path.read_bytes()
        self.assertEqual(data[:8], PNG_SIGNATURE, f"{path.name}: not a PNG")
        width = int.from_bytes(data[16:20], "big")
        height = int.from_bytes(data[20:24], "big")
        # A figure is drawn at least 4 inches wide and 4 high at style.DPI.
        self.assertGreaterEqual(width, 4 * style.DPI, path.name)
        self.assertGreaterEqual(height, 4 * style.DPI, path.name)
        # Data is drawn in colour; frames, ticks and text are grey: a figure whose panels all
        # say "no data" has (almost) no coloured pixel.
        pixels = mpimg.imread(path)[..., :3]
        coloured = float((pixels.max(axis=-1) - pixels.min(axis=-1) > 0.2).mean())
        self.assertGreater(coloured, 0.002, f"{path.name}: no data drawn ({coloured:.3%})")

    def assert_report(self, directory, pngs):
        html = (directory / "report.html").read_text()
        self.assertTrue(html.startswith("<!DOCTYPE html>"))
        embedded = re.findall(r'src="data:image/png;base64,([^"]+)"', html)
        self.assertEqual(len(embedded), len(pngs))
        files = {p.read_bytes() for p in pngs}
        self.assertEqual({base64.b64decode(e) for e in embedded}, files)
        self.assertIsNone(re.search(r"https?://", html), "report.html names an http(s) URL")
        self.assertEqual(report_check.external_references(html), [])
        self.assertNotIn("<script", html)
        self.assertEqual([p.name for p in directory.iterdir() if p.name.startswith(".tmp-")],
                         [], "a temporary file was left behind")

    def check(self, directory, expected, absent=OPTIONAL):
        """Renders directory; the expected PNGs are real, the absent ones not written."""
        rc, out, err = self.render(directory)
        self.assertEqual(rc, 0, err)
        for name in expected:
            self.assert_real_png(directory / name)
        for name in absent:
            if name not in expected:
                self.assertFalse((directory / name).exists(), f"{name} drawn without data")
        pngs = sorted(directory.glob("*.png"))
        self.assertEqual({p.name for p in pngs}, set(expected))
        self.assert_report(directory, pngs)
        return out


class Kinds(PlotCase):
    def test_comparison(self):
        d = self.copy("comparison")
        self.check(d, ["comparison.png", "latency_cdf.png", "timeseries.png"])
        html = (d / "report.html").read_text()
        for name in ("table.txt", "analyze.txt", "resolved.yaml"):
            first = next(ln for ln in (d / name).read_text().splitlines() if ln.strip())
            self.assertIn(__import__("html").escape(first.strip()), html, name)
        for warning in (d / "warnings.txt").read_text().splitlines():
            self.assertIn(__import__("html").escape(warning), html)

    def test_sweep_draws_every_point(self):
        d = self.copy("sweep")
        run = csvio.Run(d)
        self.assertEqual(run.sweep_keys, ["failures.nodes.mtbf.mean"])
        self.assertEqual(run.points, [0, 1, 2])
        per_point = [f"{s}-point-{p}.png" for s in ("comparison", "latency_cdf", "timeseries")
                     for p in run.points]
        self.check(d, per_point + ["sweep.png"])

    def test_one_replication_empty_ci(self):
        d = self.copy("one-replication")
        header, rows = read_csv(d / "aggregate.csv")
        ci = header.index("latency_p99_ms_ci95")
        self.assertTrue(all(r[ci] == "" for r in rows), "fixture should have empty CI cells")
        self.check(d, ["comparison.png", "latency_cdf.png", "timeseries.png"])

    def test_ten_architectures(self):
        d = self.copy("ten-architectures")
        self.assertEqual(len(csvio.Run(d).architectures), 10)
        self.check(d, ["comparison.png", "latency_cdf.png", "timeseries.png"])

    def test_serverless(self):
        d = self.copy("serverless")
        points = csvio.Run(d).points
        self.assertGreater(len(points), 1)
        per_point = [f"{s}-point-{p}.png" for s in ("comparison", "latency_cdf", "timeseries")
                     for p in points]
        self.check(d, per_point + ["sweep.png", "serverless.png"])

    def test_workflows(self):
        d = self.copy("workflows")
        self.check(d, ["comparison.png", "latency_cdf.png", "timeseries.png", "workflows.png"])


class Damaged(PlotCase):
    def test_interrupted_run(self):
        """Two points of the sweep; at point 1 one architecture never finished and no time
        series was kept; the last line of timeseries.csv is torn."""
        d = self.copy("sweep")
        gone = lambda r: r.get("point") == "2" or (  # noqa: E731
            r.get("point") == "1" and r.get("architecture") == "stateless-jwt")
        for f in ("summary.csv", "aggregate.csv", "latency_histogram.csv", "events.csv"):
            filter_csv(d / f, lambda r: not gone(r))
        filter_csv(d / "timeseries.csv", lambda r: r["point"] == "0")
        with open(d / "timeseries.csv", "a") as f:
            f.write("0,stateful-sticky,0,12")  # cut short mid-row
        run = csvio.Run(d)
        self.assertEqual(run.points, [0, 1])
        self.assertEqual([r["architecture"] for r in run.agg_rows(1)],
                         ["stateful-sticky", "stateless-dynamodb"])
        per_point = [f"{s}-point-{p}.png" for s in ("comparison", "latency_cdf")
                     for p in (0, 1)]
        self.check(d, per_point + ["timeseries-point-0.png", "sweep.png"])

    def test_first_replication_missing(self):
        """An interrupted run may keep replication 1 and not 0: the time series shows 1."""
        d = self.copy("comparison")
        filter_csv(d / "timeseries.csv", lambda r: r["replication"] != "0")
        filter_csv(d / "events.csv", lambda r: r["replication"] != "0")
        self.assertEqual(timeseries.first_replication(csvio.Table(d / "timeseries.csv").rows),
                         1)
        written = timeseries.plot(csvio.Run(d), d)
        self.assertEqual([p.name for p in written], ["timeseries.png"])
        self.assert_real_png(d / "timeseries.png")

    def test_older_output_without_optional_files_and_columns(self):
        d = self.copy("comparison")
        for f in ("latency_histogram.csv", "events.csv", "table.txt", "analyze.txt",
                  "warnings.txt", "resolved.yaml"):
            (d / f).unlink()
        newer = lambda c: c.startswith(("lost_", "cost_", "failed_request_pct",  # noqa: E731
                                        "sessions_affected", "nodes_desired", "nodes_draining",
                                        "environments", "workflows", "cold_start"))
        for f in ("summary.csv", "aggregate.csv", "timeseries.csv"):
            drop_columns(d / f, lambda c: newer(c) and c != "lost_session_pct_mean")
        self.check(d, ["comparison.png", "timeseries.png"])
        html = (d / "report.html").read_text()
        for name in ("table.txt", "analyze.txt", "warnings.txt", "resolved.yaml"):
            self.assertIn(f"{name}: not in this directory", html)

    def test_summary_only(self):
        """Without aggregate.csv the means and CIs are rebuilt from summary.csv, and they are
        the ones statesim wrote."""
        d = self.copy("sweep")
        written = csvio.Table(d / "aggregate.csv")
        rebuilt = csvio.aggregate_from_summary(csvio.Table(d / "summary.csv"))
        self.assertEqual(len(rebuilt.rows), len(written.rows))
        compared = 0
        for want, got in zip(written.rows, rebuilt.rows):
            self.assertEqual((want["point"], want["architecture"]),
                             (got["point"], got["architecture"]))
            for col in ("lost_session_pct_mean", "lost_session_pct_ci95", "latency_p99_ms_mean",
                        "latency_p99_ms_ci95", "cost_usd_mean", "throughput_rps_ci95"):
                w, g = csvio.num(want[col]), csvio.num(got[col])
                self.assertEqual(math.isnan(w), math.isnan(g), col)
                if not math.isnan(w):
                    self.assertAlmostEqual(g, w, delta=1e-6 * max(1.0, abs(w)), msg=col)
                    compared += 1
            self.assertEqual(got["failures.nodes.mtbf.mean"], want["failures.nodes.mtbf.mean"])
        self.assertGreater(compared, 0)
        d = self.copy("comparison")  # small: one point
        for f in ("aggregate.csv", "timeseries.csv", "latency_histogram.csv"):
            (d / f).unlink()
        self.check(d, ["comparison.png"])


class Refused(PlotCase):
    def assert_refused(self, directory):
        before = sorted(p.name for p in directory.iterdir()) if directory.is_dir() else None
        rc, out, err = self.render(directory)
        self.assertEqual(rc, 2)
        self.assertIn("error:", err)
        self.assertIn(str(directory), err)
        after = sorted(p.name for p in directory.iterdir()) if directory.is_dir() else None
        self.assertEqual(before, after, "something was written")

    def test_missing_directory(self):
        self.assert_refused(self.tmp / "nowhere")

    def test_directory_without_csv(self):
        d = self.tmp / "not-output"
        d.mkdir()
        (d / "resolved.yaml").write_text("name: x\n")
        self.assert_refused(d)

    def test_a_file_is_not_a_directory(self):
        f = self.tmp / "summary.csv"
        f.write_text("point\n")
        rc, _, err = self.render(f)
        self.assertEqual(rc, 2)
        self.assertIn("no such directory", err)


class Pieces(PlotCase):
    def test_png_check_rejects_an_empty_figure(self):
        """The PNG check itself: a figure of empty panels with text and a frame fails it."""
        fig, axes = plt.subplots(2, 2, figsize=(8, 6))
        for ax in axes.flat:
            style.no_data(ax, "no data")
            ax.set_title("a title")
        path = style.save(fig, self.tmp, "empty.png")
        with self.assertRaises(AssertionError):
            self.assert_real_png(path)

    def test_empty_cell_is_nan_never_zero(self):
        self.assertTrue(math.isnan(csvio.num("")))
        self.assertTrue(math.isnan(csvio.num(None)))
        self.assertEqual(csvio.num("0"), 0.0)

    def test_isolated_points_are_marked(self):
        nan = float("nan")
        xs, ys = timeseries.isolated([0, 1, 2, 3, 4], [nan, 5.0, nan, 6.0, 7.0])
        self.assertEqual((xs, ys), ([1], [5.0]))

    def test_counts_per_interval_become_rates_per_second(self):
        # timeseries.csv counts per row; the last row of a 360 s run in 50 s rows is 10 s wide.
        rows = [{"time_s": "50", "arrivals": "100"}, {"time_s": "100", "arrivals": "50"},
                {"time_s": "110", "arrivals": "30"}]
        self.assertEqual(timeseries.per_second(rows, "arrivals"), [2.0, 1.0, 3.0])
        self.assertIn("per second", plot_results_caption("timeseries"))

    def test_legend_outside_the_axes(self):
        fig, ax = plt.subplots(figsize=(6, 4))
        archs = [f"architecture-{i}" for i in range(10)]
        styles = style.Styles(archs)
        for i, a in enumerate(archs):
            ax.plot(range(20), [i] * 20, **styles.line(a, 20))
        style.legend_outside(ax)
        fig.canvas.draw()
        legend = ax.get_legend().get_window_extent()
        axes = ax.get_window_extent()
        self.assertGreaterEqual(legend.x0, axes.x1)
        # ten architectures: ten distinct (colour, dash, marker) triples
        keys = {(styles.color(a), styles.line(a)["linestyle"], styles.line(a)["marker"])
                for a in archs}
        self.assertEqual(len(keys), 10)
        plt.close(fig)

    def test_report_check_flags_external_references(self):
        self.assertEqual(report_check.external_references(
            '<a href="#x">x</a><img src="data:image/png;base64,AA==">'), [])
        self.assertEqual(report_check.external_references(
            '<img src="https://example.org/a.png"><link href=style.css>'),
            ["https://example.org/a.png", "style.css"])


if __name__ == "__main__":
    unittest.main(verbosity=2)
