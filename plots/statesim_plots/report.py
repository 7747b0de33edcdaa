"""report.html: one self-contained page per output directory — the table, every plot (PNG as
base64 data URIs), the analytic cross-check, the warnings and the resolved config — that opens
in a browser without network access (inline CSS, no script, no external reference). Written
through a temporary file and a rename, so a reader never sees half a page."""
import base64
import html
import os
import re
from pathlib import Path

from .csvio import read_text
from .style import temp_path

# What each plot shows, by file stem (a sweep's per-point files share their stem's caption).
CAPTIONS = {
    "comparison": "Sessions lost by cause in % of sessions ended (the table's "
                  "lost_session_pct; log scale, so 0.1 % and 75 % read on one axis), "
                  "latency p50 / p99 with the share of failed requests, throughput and cost by "
                  "item: mean with 95 % CI error bars; n/a where the table has n/a.",
    "latency_cdf": "Latency of successful requests pooled over replications "
                   "(latency_histogram.csv): CDF on a log time axis and the tail (1 − CDF).",
    "timeseries": "One replication over time: requests arriving per second (each interval's "
                  "arrivals count over its width), nodes (in service, desired, draining), p99 "
                  "latency (gaps: intervals without completions), sessions lost, and the run's "
                  "events.",
    "sweep": "Every metric that is not 0 or undefined everywhere, against the swept key(s), one line per "
             "architecture with its 95 % CI band (several keys swept: markers with 95 % CI "
             "error bars, no line, as the points are a grid rather than a sequence).",
    "serverless": "Cold-start share, environments alive and busy, throttled share, and "
                  "environments over time.",
    "workflows": "Workflows completed, lost and active; the share lost; losses by cause.",
}

_CSS = """
body { font-family: sans-serif; margin: 1.5em auto; max-width: 1400px; color: #222;
       padding: 0 1em; }
h1 { font-size: 1.5em; } h2 { font-size: 1.2em; border-bottom: 1px solid #ccc;
     padding-bottom: .2em; margin-top: 2em; }
pre { background: #f6f6f6; padding: .8em; overflow-x: auto; font-size: 12px;
      border: 1px solid #e0e0e0; }
figure { margin: 1em 0 2em; } figure img { max-width: 100%; height: auto;
     border: 1px solid #e0e0e0; }
figcaption { font-size: .9em; color: #555; margin-top: .3em; }
.missing { color: #777; font-style: italic; }
.warnings li { color: #8a4b00; }
nav ul { columns: 2; font-size: .9em; }
"""


def _pre(text):
    return f"<pre>{html.escape(text)}</pre>"


def _missing(name, why):
    return f'<p class="missing">{html.escape(name)}: {html.escape(why)}</p>'


def _caption(name):
    stem = re.sub(r"-point-\d+$", "", Path(name).stem)
    return CAPTIONS.get(stem, "")


def _img(path):
    data = base64.b64encode(Path(path).read_bytes()).decode("ascii")
    name = Path(path).name
    return (f'<figure id="{html.escape(Path(path).stem)}">'
            f'<img src="data:image/png;base64,{data}" alt="{html.escape(name)}">'
            f"<figcaption><b>{html.escape(name)}</b> — {html.escape(_caption(name))}"
            "</figcaption></figure>")


def render(run, directory, pngs):
    """The page as a string (pngs: the plot files to embed, in order)."""
    d = Path(directory)
    parts = []
    toc = [("table", "Comparison table"), ("plots", "Plots"), ("analyze", "Analytic cross-check"),
           ("warnings", "Warnings"), ("resolved", "Resolved configuration"),
           ("files", "Files")]
    parts.append(f"<h1>statesim: {html.escape(run.scenario)}</h1>")
    parts.append("<nav><ul>" + "".join(f'<li><a href="#{i}">{t}</a></li>' for i, t in toc)
                 + "</ul></nav>")

    parts.append('<h2 id="table">Comparison table</h2>')
    table = read_text(d / "table.txt")
    parts.append(_pre(table) if table is not None else
                 _missing("table.txt", "not in this directory (written by statesim run)"))

    parts.append('<h2 id="plots">Plots</h2>')
    if pngs:
        parts.append("<ul>" + "".join(
            f'<li><a href="#{html.escape(Path(p).stem)}">{html.escape(Path(p).name)}</a></li>'
            for p in pngs) + "</ul>")
        parts.extend(_img(p) for p in pngs)
    else:
        parts.append(_missing("plots", "none could be drawn from these CSVs"))

    parts.append('<h2 id="analyze">Analytic cross-check</h2>')
    analyze = read_text(d / "analyze.txt")
    parts.append(_pre(analyze) if analyze is not None else
                 _missing("analyze.txt", "not in this directory"))

    parts.append('<h2 id="warnings">Warnings</h2>')
    warnings = read_text(d / "warnings.txt")
    if warnings is None:
        parts.append(_missing("warnings.txt", "not in this directory"))
    else:
        lines = [w for w in warnings.splitlines() if w.strip()]
        parts.append('<ul class="warnings">' + "".join(
            f"<li>{html.escape(w)}</li>" for w in lines) + "</ul>" if lines else
            "<p>none</p>")

    parts.append('<h2 id="resolved">Resolved configuration</h2>')
    resolved = read_text(d / "resolved.yaml")
    parts.append(f"<details open><summary>resolved.yaml</summary>{_pre(resolved)}</details>"
                 if resolved is not None else _missing("resolved.yaml", "not in this directory"))

    parts.append('<h2 id="files">Files</h2><ul>')
    for f in sorted(p for p in d.iterdir() if p.is_file() and not p.name.startswith(".")
                    and p.name != "report.html"):
        parts.append(f"<li>{html.escape(f.name)} ({f.stat().st_size:,} bytes)</li>")
    parts.append("</ul>")

    title = html.escape(f"statesim: {run.scenario}")
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{title}</title><style>{_CSS}</style></head><body>\n"
            + "\n".join(parts) + "\n</body></html>\n")


def write(run, directory, pngs):
    """Writes directory/report.html atomically; returns its path."""
    target = Path(directory) / "report.html"
    tmp = temp_path(directory, "report.html")
    try:
        tmp.write_text(render(run, directory, pngs), encoding="utf-8")
        os.replace(tmp, target)
    finally:
        if tmp.exists():
            tmp.unlink()
    return target
