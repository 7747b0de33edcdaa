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
import os
import re
import shutil
import signal
import subprocess
import sys
import time
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
from statesim_plots import (comparison, csvio, latency, report, serverless,  # noqa: E402
                            style, sweep, timeseries, workflows)

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

    def check(self, directory, expected, absent=OPTIONAL, sparse=()):
        """Renders directory; the expected PNGs are real (those in sparse may have almost
        nothing to draw), the absent ones not written."""
        rc, out, err = self.render(directory)
        self.assertEqual(rc, 0, err)
        for name in expected:
            if name in sparse:
                self.assertEqual((directory / name).read_bytes()[:8], PNG_SIGNATURE, name)
            else:
                self.assert_real_png(directory / name)
        for name in absent:
            if name not in expected:
                self.assertFalse((directory / name).exists(), f"{name} drawn without data")
        pngs = sorted(directory.glob("*.png"))
        self.assertEqual({p.name for p in pngs}, set(expected))
        self.assert_report(directory, pngs)
        return out

    def figure(self, directory, module=sweep):
        """The figure module.plot draws (its first), drawn, before it is saved."""
        kept = []
        real = module.save

        def keep(fig, d, name):
            fig.canvas.draw()
            kept.append(fig)
            self.addCleanup(plt.close, fig)
            return Path(d) / name
        module.save = keep
        try:
            module.plot(csvio.Run(directory), directory)
        finally:
            module.save = real
        self.assertGreaterEqual(len(kept), 1)
        return kept[0]


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


class Numbers(unittest.TestCase):
    def test_annotations_never_in_exponent_notation(self):
        """Bar annotations read like the table: 10 196 orders, not 1.02e+04."""
        self.assertEqual(csvio.short_number(10196), "10 196")
        self.assertEqual(csvio.short_number(9590.4), "9 590")
        self.assertEqual(csvio.short_number(606), "606")
        self.assertEqual(csvio.short_number(999.7), "1 000")
        self.assertEqual(csvio.short_number(0.36482), "0.365")
        self.assertEqual(csvio.short_number(0), "0")
        self.assertEqual(csvio.short_number(float("nan")), "n/a")


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

    def test_non_utf8_bytes(self):
        """A byte that is not UTF-8 (an architecture "caf\\xe9" in events.csv, a binary
        timeseries.csv) costs that file at most: the plots and the report are still written."""
        d = self.copy("comparison")
        with open(d / "events.csv", "ab") as f:
            f.write(b"0,caf\xe9,0,1.0,node_failure,node-0,\n")
        self.check(d, ["comparison.png", "latency_cdf.png", "timeseries.png"])
        d = self.copy("one-replication")
        (d / "timeseries.csv").write_bytes(bytes(range(256)) * 64)
        self.check(d, ["comparison.png", "latency_cdf.png"])

    def test_unparsable_csv_is_empty(self):
        """csv.Error (a field over the csv module's limit) reads as an absent file."""
        path = self.tmp / "timeseries.csv"
        path.write_text('point,architecture\n0,"' + "x" * 200_000 + '"\n')
        table = csvio.Table(path)
        self.assertEqual((table.header, table.rows), ([], []))

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

    def test_foreign_csv_with_a_statesim_name(self):
        """A file named summary.csv without statesim's header is not statesim output."""
        d = self.tmp / "foreign"
        d.mkdir()
        (d / "summary.csv").write_text("name,value\nfoo,1\n")
        self.assert_refused(d)
        self.assertIn("no statesim CSV", self.render(d)[2])

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

    def test_missing_columns_are_no_data_not_facts(self):
        """Rows without the sessions-lost or latency columns: the panels say "no data", not
        "no session lost" or "no successful request"."""
        rows = [{"scenario": "s", "point": "0", "architecture": "a"}]
        fig, (lost, lat) = plt.subplots(1, 2)
        comparison._lost_panel(lost, rows, ["a"], csvio.Table("/nonexistent"), lambda c: "red")
        comparison._latency_panel(lat, rows, ["a"], style.Styles(["a"]))
        texts = [t.get_text() for ax in (lost, lat) for t in ax.texts]
        plt.close(fig)
        self.assertTrue(all(t.startswith("no data") for t in texts), texts)

    def test_comparison_latency_writes_p50_too(self):
        """Log axis spanning less than a decade (one labelled tick): p50 and p99 are both
        written on their bars."""
        rows = [{"architecture": "a", "latency_p50_ms_mean": "14.2", "latency_p99_ms_mean":
                 "94.4", "latency_p50_ms_ci95": "1", "latency_p99_ms_ci95": "30"}]
        fig, ax = plt.subplots()
        comparison._latency_panel(ax, rows, ["a"], style.Styles(["a"]))
        texts = [t.get_text() for t in ax.texts]
        plt.close(fig)
        self.assertIn("14.2", texts)
        self.assertIn("94.4", texts)

    def test_report_check_ignores_page_text(self):
        """A URL in the page's text (a scenario description in a <pre>) is not loaded."""
        self.assertEqual(report_check.external_references(
            "<pre>description: pricing per url(https://aws.amazon.com/lambda/pricing) "
            "see href=https://example.org</pre>"), [])
        self.assertEqual(sorted(report_check.external_references(
            '<pre>x</pre><div style="background: url(a.png)"></div>'
            "<style>@import 'b.css';</style>")), ["'b.css'", "a.png"])

    def test_report_temporary_name_is_one_statesim_clears(self):
        """statesim run --out accepts only names it wrote or *.png (sim/output/output_dir.cpp):
        report.html is written through a .tmp-PID-*.png name, like the plots."""
        seen = []
        real = os.replace

        def spy(src, dst):
            seen.append(Path(src).name)
            real(src, dst)
        report.os.replace = spy
        try:
            report.write(csvio.Run(FIXTURES / "comparison"), self.tmp, [])
        finally:
            report.os.replace = real
        self.assertEqual(len(seen), 1)
        self.assertRegex(seen[0], r"^\.tmp-\d+-report\.html.*\.png$")

    def test_report_check_flags_external_references(self):
        self.assertEqual(report_check.external_references(
            '<a href="#x">x</a><img src="data:image/png;base64,AA==">'), [])
        self.assertEqual(report_check.external_references(
            '<img src="https://example.org/a.png"><link href=style.css>'),
            ["https://example.org/a.png", "style.css"])


def set_sweep_values(directory, values, extra_key=None):
    """Rewrites the sweep fixture's key column (failures.nodes.mtbf.mean) with values[old];
    extra_key=(name, {point: value}) adds a second swept key column."""
    for f in ("aggregate.csv", "summary.csv"):
        header, rows = read_csv(directory / f)
        k = header.index("failures.nodes.mtbf.mean")
        for r in rows:
            r[k] = values[r[k]]
        if extra_key:
            name, by_point = extra_key
            p = header.index("point")
            header = header + [name]
            rows = [r + [by_point[r[p]]] for r in rows]
        write_csv(directory / f, header, rows)


class Figures(PlotCase):
    def test_latency_cdf_names_an_architecture_without_a_curve(self):
        d = self.copy("comparison")
        gone = csvio.Run(d).architectures[-1]
        filter_csv(d / "latency_histogram.csv", lambda r: r["architecture"] != gone)
        title = self.figure(d, latency)._suptitle.get_text()
        self.assertIn(f"no successful request (no curve) for: {gone}", title)

    def test_serverless_throttled_share_of_invocation_attempts(self):
        titles = [ax.get_title() for ax in self.figure(self.copy("serverless"),
                                                       serverless).axes]
        self.assertIn("throttled (% of invocation attempts, 429)", titles)

    def test_map_values_keep_tick_labels_apart(self):
        """Map values ({dist: exponential, mean: 10ms}) on two keys: the tick labels of a
        panel do not overlap (they did: one long line each)."""
        d = self.copy("sweep")
        set_sweep_values(d, {v: f"{{dist: exponential, mean: {v}}}"
                             for v in ("30m", "2h", "8h")},
                         ("cluster.nodes", {"0": "2", "1": "3", "2": "4"}))
        fig = self.figure(d)
        for ax in fig.axes:
            boxes = sorted((t.get_window_extent() for t in ax.get_xticklabels()
                            if t.get_text()), key=lambda b: b.x0)
            for a, b in zip(boxes, boxes[1:]):
                self.assertLessEqual(a.x1, b.x0, f"{ax.get_title()}: tick labels overlap")
            for t in ax.get_xticklabels():
                self.assertNotIn("dist: exponential", t.get_text())  # shared: in the caption

    def test_grid_of_six_points_keeps_tick_labels_apart(self):
        """Two keys, six points: the values alone, one line per key, unturned, never
        overlapping (named and turned labels ran into each other); the keys in the caption."""
        d = self.copy("grid")
        self.assertEqual(len(csvio.Run(d).sweep_keys), 2)
        fig = self.figure(d)
        fig.canvas.draw()
        for ax in fig.axes:
            labels = [t for t in ax.get_xticklabels() if t.get_text()]
            if not labels:
                continue
            self.assertEqual(len(labels), 6)
            boxes = sorted((t.get_window_extent() for t in labels), key=lambda b: b.x0)
            for a, b in zip(boxes, boxes[1:]):
                self.assertLessEqual(a.x1, b.x0, f"{ax.get_title()}: tick labels overlap")
            for t in labels:
                self.assertNotIn("=", t.get_text())
                self.assertEqual(t.get_rotation(), 0)
        caption = " ".join(t.get_text() for t in fig.texts)
        self.assertIn("cluster.nodes / workload.request.service_time", caption)

    def test_markers_only_for_a_grid(self):
        """Two swept keys make a grid, not a sequence: no line joins the points; one key
        keeps its lines."""
        d = self.copy("sweep")
        set_sweep_values(d, {v: v for v in ("30m", "2h", "8h")},
                         ("cluster.nodes", {"0": "2", "1": "3", "2": "4"}))
        styles = {ln.get_linestyle() for ax in self.figure(d).axes for ln in ax.get_lines()
                  if ln.get_marker() not in (None, "", "None")}
        self.assertEqual(styles, {"None"})
        one = self.copy("serverless")  # one swept key
        self.assertEqual(len(csvio.Run(one).sweep_keys), 1)
        styles = {ln.get_linestyle() for ax in self.figure(one).axes for ln in ax.get_lines()
                  if ln.get_marker() not in (None, "", "None")}
        self.assertNotIn("None", styles)


def texts(ax):
    return [t.get_text() for t in ax.texts]


def bar_heights(ax):
    """(x centre, height) of the bars of an axes, NaN heights (undefined: not drawn) left out."""
    return [(b.get_x() + b.get_width() / 2, b.get_height()) for b in ax.patches
            if not math.isnan(b.get_height())]


class Undefined(PlotCase):
    """Undefined values (empty cells, n/a in the table) from real outputs: the plots say n/a
    where the table does, never a 0, a bar or a value recomputed from the counts."""

    def test_fixtures_render(self):
        self.check(self.copy("lost-active"),
                   ["comparison.png", "latency_cdf.png", "timeseries.png"])
        # timeseries.png shows replication 0, which had no arrival: its nodes' lines only
        self.check(self.copy("undefined"), ["comparison.png", "latency_cdf.png",
                                            "timeseries.png", "serverless.png", "workflows.png"],
                   sparse=["timeseries.png"])
        d = self.copy("undefined-sweep")
        per_point = [f"{s}-point-{p}.png" for s in ("comparison", "latency_cdf", "timeseries")
                     for p in (0, 1)]
        self.check(d, per_point + ["sweep.png", "serverless.png", "workflows.png"])

    def test_lost_bars_end_at_lost_session_pct(self):
        """Sessions still active at the end: lost / ended (the table's lost_session_pct) is far
        from lost / started; the bars by cause, the label and the error bar all use the
        first, and the bars end where the label and the error bar are."""
        d = self.copy("lost-active")
        row = next(r for r in csvio.Run(d).agg_rows(0) if r["architecture"] == "nonsticky")
        total = csvio.num(row["lost_session_pct_mean"])
        started_pct = 100 * csvio.num(row["sessions_lost_mean"]) / csvio.num(
            row["sessions_started_mean"])
        self.assertGreater(total, 1.2 * started_pct, "fixture: sessions should stay active")
        (got, _, parts), = comparison.lost_by_cause([row], ["routing"])
        self.assertEqual(got, total)
        self.assertAlmostEqual(sum(v for _, v in parts), total, places=9)
        ax = self.figure(d, comparison).axes[0]
        self.assertIn("% of sessions ended", ax.get_title())
        ends = [b.get_x() + b.get_width() for b in ax.patches if round(b.get_y() + 0.3) == 0]
        self.assertAlmostEqual(max(ends), total, places=6)
        self.assertIn(f"{comparison._fmt(total)} %", " ".join(texts(ax)))

    def test_lost_parts_split_the_total(self):
        """Two causes and lost sessions no cause column names: the parts add up to the total,
        in proportion to the counts, the rest an unknown cause."""
        row = {"lost_session_pct_mean": "10", "sessions_lost_mean": "8",
               "lost_a_mean": "4", "lost_b_mean": "2"}
        (_, _, parts), = comparison.lost_by_cause([row], ["a", "b"])
        self.assertEqual([c for c, _ in parts], ["a", "b", "unknown cause"])
        for (_, v), want in zip(parts, (5.0, 2.5, 2.5)):
            self.assertAlmostEqual(v, want)

    def test_empty_cell_is_not_recomputed(self):
        """Sessions, requests, cold starts and workflows in some replications, none in others:
        the means are empty (n/a) and the plots say so, where the fallbacks for older CSVs
        used to invent "100 %", "0 (none lost)", 16.7 % cold starts and 0 % workflows lost."""
        d = self.copy("undefined")
        rows = csvio.Run(d).agg_rows(0)
        for r in rows:
            for col in ("lost_session_pct_mean", "latency_p50_ms_mean",
                        "cold_start_pct_mean", "workflows_lost_pct_mean"):
                self.assertEqual(r[col], "", f"fixture: {col} should be empty")
        self.assertTrue(any(csvio.num(r["sessions_lost_mean"]) > 0 for r in rows))
        self.assertTrue(any(csvio.num(r["requests_ok_mean"]) > 0 for r in rows))
        fn = next(r for r in rows if r["architecture"] == "fn")
        self.assertGreater(csvio.num(fn["cold_starts_mean"]), 0)
        self.assertTrue(math.isnan(serverless._cold_pct(fn)))
        self.assertTrue(all(math.isnan(comparison.lost_pct(r)) for r in rows))

        lost, lat = self.figure(d, comparison).axes[:2]
        self.assertEqual(texts(lost), [csvio.UNDEFINED])
        # requests succeeded in some replications: "no successful request" would be false
        self.assertEqual(texts(lat), [csvio.UNDEFINED])
        cold, _, thr = self.figure(d, serverless).axes[:3]
        for ax in (cold, thr):
            self.assertEqual(bar_heights(ax), [], ax.get_title())
            self.assertIn(csvio.UNDEFINED, "\n".join(texts(ax)).replace("\n", " "))
            self.assertEqual(texts(ax).count("n/a"), len(rows))
        pct = self.figure(d, workflows).axes[1]
        self.assertEqual(bar_heights(pct), [])
        self.assertEqual(texts(pct).count("n/a"), len(rows))

    def test_fallbacks_only_without_the_column(self):
        """An older CSV without the columns: the shares are computed from the counts."""
        d = self.copy("lost-active")
        drop_columns(d / "aggregate.csv", lambda c: c.startswith("lost_session_pct"))
        row = next(r for r in csvio.Run(d).agg_rows(0) if r["architecture"] == "nonsticky")
        ended = sum(csvio.num(row[f"sessions_{k}_mean"])
                    for k in ("completed", "lost", "abandoned"))
        self.assertAlmostEqual(comparison.lost_pct(row),
                               100 * csvio.num(row["sessions_lost_mean"]) / ended)
        self.assertAlmostEqual(serverless._cold_pct({"cold_starts_mean": "1",
                                                     "invocations_mean": "4"}), 25.0)

    def test_undefined_bar_is_no_bar(self):
        """workflows_lost_pct is 0 at point 0 and undefined at point 1: bars (at 0) and their
        caps at point 0 only, "n/a" at point 1's places."""
        d = self.copy("undefined-sweep")
        run = csvio.Run(d)
        for p, want in ((0, "0"), (1, "")):
            self.assertEqual({r["workflows_lost_pct_mean"] for r in run.agg_rows(p)}, {want})
        pct = self.figure(d, workflows).axes[1]
        xs = [x for x, _ in bar_heights(pct)]
        self.assertEqual(len(xs), 2)
        self.assertTrue(all(-0.5 < x < 0.5 for x in xs), xs)  # point 0's group
        na = [t.get_position()[0] for t in pct.texts if t.get_text() == "n/a"]
        self.assertEqual(len(na), 2)
        self.assertTrue(all(0.5 < x < 1.5 for x in na), na)  # point 1's group
        caps = [x for ln in pct.get_lines() for x in ln.get_xdata()]
        self.assertTrue(all(x < 0.5 for x in caps), caps)

    def test_empty_replication_0_panel_says_why(self):
        """Replication 0 had no arrival (others had environments): its panel says so."""
        d = self.copy("undefined")
        ts = [r for r in csvio.Table(d / "timeseries.csv").rows if r["replication"] == "0"]
        self.assertTrue(ts and all(csvio.num(r["environments"]) == 0 for r in ts))
        panel = self.figure(d, serverless).axes[3]
        self.assertIn("replication 0", panel.get_title())
        self.assertEqual(len(panel.get_lines()), 0)
        self.assertIn("no environment alive in replication 0",
                      " ".join(texts(panel)).replace("\n", " "))

    def test_sweep_caption_separates_0_and_undefined(self):
        d = self.copy("undefined-sweep")
        caption = " ".join(t.get_text() for t in self.figure(d).texts).replace("\n", " ")
        self.assertNotIn("zero or empty", caption)
        zero = caption.split("0 at every point (not drawn):")[1].split("undefined")[0]
        self.assertIn("workflows_lost,", zero)
        self.assertNotIn("lost_session_pct", zero)
        undefined = caption.split("undefined at every point (n/a) (not drawn):")[1]
        self.assertIn("lost_session_pct", undefined.split("0 where defined")[0])
        mixed = caption.split("0 where defined, undefined elsewhere (not drawn):")[1]
        self.assertIn("workflows_lost_pct", mixed)
        self.assertEqual(sweep.left_out([0.0, math.nan]), "mixed")
        self.assertEqual(sweep.left_out([0.0, 0.0]), "0")
        self.assertEqual(sweep.left_out([math.nan, math.nan]), "undefined")
        self.assertIsNone(sweep.left_out([0.0, 1.0, math.nan]))

    def test_rebuilt_mean_is_undefined_like_statesim(self):
        """Without aggregate.csv, a mean with one undefined replication is undefined too, as
        statesim writes it (not the mean of the others)."""
        d = self.copy("undefined")
        written = csvio.Table(d / "aggregate.csv")
        rebuilt = csvio.aggregate_from_summary(csvio.Table(d / "summary.csv"))
        for want, got in zip(written.rows, rebuilt.rows):
            for col in ("lost_session_pct_mean", "latency_p99_ms_mean", "cold_start_pct_mean",
                        "throughput_rps_mean"):
                self.assertEqual(want[col] == "", got[col] == "", col)


class EntryPoints(PlotCase):
    def test_make_plots_dir_with_a_space(self):
        if shutil.which("make") is None:
            self.skipTest("no make")
        d = self.tmp / "with space" / "run"
        shutil.copytree(FIXTURES / "one-replication", d)
        proc = subprocess.run(["make", "-s", "-C", str(ROOT), "plots", f"DIR={d}"],
                              capture_output=True, text=True, timeout=300)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertTrue((d / "comparison.png").is_file())
        self.assertTrue((d / "report.html").is_file())

    def test_ctrl_c(self):
        """Ctrl-C (SIGINT to the process group, pool workers included) while plots are being
        written: one line on stderr, exit 130, no temporary file left."""
        d = self.copy("serverless")
        proc = subprocess.Popen(
            [sys.executable, str(ROOT / "plots" / "plot_results.py"), str(d)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
        deadline = time.monotonic() + 60
        while (proc.poll() is None and time.monotonic() < deadline
               and not any(p.name.startswith(".tmp-") for p in d.iterdir())):
            time.sleep(0.005)
        self.assertIsNone(proc.poll(), "finished before it could be interrupted")
        os.killpg(proc.pid, signal.SIGINT)
        out, err = proc.communicate(timeout=60)
        self.assertEqual(proc.returncode, 130, err)
        self.assertEqual(len(err.strip().splitlines()), 1, err)
        self.assertEqual([p.name for p in d.iterdir() if p.name.startswith(".tmp-")], [])


if __name__ == "__main__":
    unittest.main(verbosity=2)
