"""Reading a run's CSVs the way statesim writes them, tolerating what a run may lack.

Files may be absent (older or smaller outputs, a feature that wrote nothing), columns may be
missing (older versions), cells may be empty (a CI from one replication, latency of an
interval without completions: NaN, never 0) and rows may be missing (an interrupted run keeps
only the runs that finished). Everything here returns empty results rather than raising.
"""
import csv
import math
from collections import OrderedDict
from pathlib import Path

# Files a statesim run writes; a directory holding none of them is not an output directory.
CSV_FILES = ("summary.csv", "aggregate.csv", "timeseries.csv", "events.csv",
             "latency_histogram.csv")

# Columns of aggregate.csv that are not metrics; everything after the last metric is a sweep key.
_AGG_FIXED = ("scenario", "point", "architecture", "replications", "slo_pass")
_SUMMARY_FIXED = ("scenario", "point", "architecture", "replication", "seed")

# Two-sided 95 % Student t quantiles for 1..30 degrees of freedom (for aggregate rows rebuilt
# from summary.csv when aggregate.csv is missing; statesim computes them with Boost.Math).
_T95 = [12.7062047362, 4.30265272975, 3.18244630528, 2.7764451052, 2.57058183564,
        2.44691184879, 2.36462425101, 2.30600413503, 2.26215716274, 2.22813885196,
        2.20098516008, 2.17881282966, 2.16036865646, 2.14478668792, 2.13144954556,
        2.11990529922, 2.10981557783, 2.10092204024, 2.09302405441, 2.08596344727,
        2.07961384473, 2.0738730679, 2.06865761042, 2.06389856163, 2.05953855275,
        2.05552943864, 2.05183051648, 2.0484071418, 2.04522964213, 2.0422724563]


def t95(df):
    """The 97.5 % quantile of Student's t: the table to 30, then the Cornish-Fisher series
    (within 1e-6 there)."""
    if df <= len(_T95):
        return _T95[df - 1]
    z = 1.959963984540054
    return (z + (z ** 3 + z) / (4 * df) + (5 * z ** 5 + 16 * z ** 3 + 3 * z) / (96 * df ** 2)
            + (3 * z ** 7 + 19 * z ** 5 + 17 * z ** 3 - 15 * z) / (384 * df ** 3))


def num(cell):
    """A CSV cell as a float; empty, missing or unparsable cells are NaN (a gap, not a 0)."""
    if cell is None or cell == "":
        return math.nan
    try:
        return float(cell)
    except ValueError:
        return math.nan


def short_number(x):
    """A number for an annotation: 3 significant digits, whole and grouped from 1 000 up
    ("10 196", never "1.02e+04", as the table prints it); "n/a" when undefined."""
    if not finite(x):
        return "n/a"
    if x == 0:
        return "0"
    if abs(x) >= 999.5:  # 3 digits would round it to 1e+03
        return f"{x:,.0f}".replace(",", " ")
    return f"{x:.3g}"


def finite(x):
    return x is not None and not math.isnan(x) and not math.isinf(x)


# An empty mean of a column statesim wrote: the metric (a share of nothing, a latency without a
# successful request) is undefined in at least one replication; the table prints n/a.
UNDEFINED = "n/a: undefined in at least one replication (see the table)"


class Table:
    """Rows of one CSV as dicts, with its header; empty when the file is absent."""

    def __init__(self, path):
        self.path = Path(path)
        self.header = []
        self.rows = []
        if not self.path.is_file():
            return
        # A byte that is not UTF-8 (a damaged or foreign file) becomes U+FFFD, never an error;
        # utf-8-sig drops a byte-order mark an editor may have added.
        try:
            with open(self.path, newline="", encoding="utf-8-sig", errors="replace") as f:
                reader = csv.reader(f)
                try:
                    self.header = next(reader)
                except StopIteration:
                    return
                width = len(self.header)
                for cells in reader:
                    if len(cells) != width:
                        continue  # a torn line (a file cut short) says nothing reliable
                    self.rows.append(dict(zip(self.header, cells)))
        except (OSError, csv.Error):
            self.header, self.rows = [], []  # unreadable: as if absent

    def __bool__(self):
        return bool(self.rows)

    def has(self, column):
        return column in self.header

    def values(self, rows, column):
        return [num(r.get(column)) for r in rows]


def statesim_table(path):
    """The CSV at path when its header is statesim's (all five files have a "point" and an
    "architecture" column); an empty Table for a foreign file that only has the right name."""
    table = Table(path)
    if not (table.has("point") and table.has("architecture")):
        table.header, table.rows = [], []
    return table


def point_of(row):
    try:
        return int(row.get("point", "0") or 0)
    except ValueError:
        return 0


def replication_of(row):
    """A row's replication number; -1 when the cell is missing or not a number."""
    v = num(row.get("replication"))
    return int(v) if finite(v) else -1


def ordered_unique(items):
    return list(OrderedDict.fromkeys(items))


class Run:
    """Everything read from one output directory, with the orderings every plot shares."""

    def __init__(self, directory):
        self.dir = Path(directory)
        self.summary = statesim_table(self.dir / "summary.csv")
        self.aggregate = statesim_table(self.dir / "aggregate.csv")
        self.timeseries = statesim_table(self.dir / "timeseries.csv")
        self.events = statesim_table(self.dir / "events.csv")
        self.histogram = statesim_table(self.dir / "latency_histogram.csv")
        self.read = [self.summary, self.aggregate, self.timeseries, self.events, self.histogram]
        if not self.aggregate and self.summary:
            self.aggregate = aggregate_from_summary(self.summary)
        self.sweep_keys = sweep_keys(self.aggregate) or summary_sweep_keys(self.summary)
        sources = [self.aggregate, self.summary, self.timeseries, self.histogram, self.events]
        self.architectures = ordered_unique(
            r["architecture"] for t in sources for r in t.rows if "architecture" in r)
        self.points = sorted({point_of(r) for t in sources for r in t.rows})
        self.scenario = next((r.get("scenario") for r in self.aggregate.rows
                              if r.get("scenario")), self.dir.name)

    def has_csv(self):
        """True when some CSV has statesim's header: a file of the right name alone is not
        statesim output."""
        return any(t.header for t in self.read)

    def agg_rows(self, point):
        """aggregate.csv rows of one point, in architecture order (missing ones absent)."""
        rows = {r["architecture"]: r for r in self.aggregate.rows if point_of(r) == point}
        return [rows[a] for a in self.architectures if a in rows]

    def finished(self):
        """The points with aggregate rows, and the architectures with a row at one of them."""
        points = [p for p in self.points if self.agg_rows(p)]
        archs = [a for a in self.architectures
                 if any(r["architecture"] == a for p in points for r in self.agg_rows(p))]
        return points, archs

    def point_label(self, point):
        """The sweep values of a point ("cluster.nodes=4"), or "point N" without them."""
        if not self.sweep_keys:
            return f"point {point}"
        for t in (self.aggregate, self.summary):
            for r in t.rows:
                if point_of(r) == point:
                    return ", ".join(f"{k}={r.get(k, '?')}" for k in self.sweep_keys)
        return f"point {point}"

    def sweep_value(self, point, key):
        for t in (self.aggregate, self.summary):
            for r in t.rows:
                if point_of(r) == point and key in r:
                    return r[key]
        return "?"

    def column_nonzero(self, column):
        """True when some aggregate row has a finite nonzero mean of this metric."""
        key = column + "_mean"
        return any(finite(v) and v != 0 for v in self.aggregate.values(self.aggregate.rows, key))


def sweep_keys(aggregate):
    """Sweep key columns of aggregate.csv: those after its last metric column."""
    header = aggregate.header
    last = -1
    for i, c in enumerate(header):
        if c in _AGG_FIXED or c.endswith(("_mean", "_ci95", "_diff")):
            last = i
    return [c for c in header[last + 1:] if c not in _AGG_FIXED]


def summary_sweep_keys(summary):
    """Sweep key columns of summary.csv: dotted names or non-numeric values (e.g. "50/s")."""
    keys = []
    for c in summary.header:
        if c in _SUMMARY_FIXED or c == "scenario":
            continue
        if "." in c or any(r.get(c) not in ("", None) and math.isnan(num(r.get(c)))
                           for r in summary.rows):
            keys.append(c)
    return keys


def aggregate_from_summary(summary):
    """aggregate.csv-like rows (mean, 95 % CI) rebuilt from summary.csv when it is missing; as
    statesim's, a mean is undefined (empty) when one replication's value is (a mean over the
    others would lean towards the runs that had traffic, and disagree with the table)."""
    keys = summary_sweep_keys(summary)
    metrics = [c for c in summary.header if c not in _SUMMARY_FIXED and c not in keys]
    groups = OrderedDict()
    for r in summary.rows:
        groups.setdefault((point_of(r), r.get("architecture", "")), []).append(r)
    table = Table("/nonexistent")
    table.header = ["scenario", "point", "architecture", "replications"]
    for m in metrics:
        table.header += [m + "_mean", m + "_ci95"]
    table.header += keys
    for (point, arch), rows in groups.items():
        out = {"scenario": rows[0].get("scenario", ""), "point": str(point),
               "architecture": arch, "replications": str(len(rows))}
        for m in metrics:
            xs = [num(r.get(m)) for r in rows]
            xs = xs if all(finite(x) for x in xs) else []
            mean = sum(xs) / len(xs) if xs else math.nan
            ci = math.nan
            if len(xs) >= 2:
                var = sum((x - mean) ** 2 for x in xs) / (len(xs) - 1)
                ci = t95(len(xs) - 1) * math.sqrt(var / len(xs))
            out[m + "_mean"] = "" if math.isnan(mean) else repr(mean)
            out[m + "_ci95"] = "" if math.isnan(ci) else repr(ci)
        for k in keys:
            out[k] = rows[0].get(k, "")
        table.rows.append(out)
    return table


def read_text(path):
    """A text file's contents, or None when it is absent or unreadable."""
    try:
        return Path(path).read_text(errors="replace")
    except OSError:
        return None
