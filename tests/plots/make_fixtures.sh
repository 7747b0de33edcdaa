#!/usr/bin/env bash
# Regenerates tests/plots/fixtures/ from small statesim runs, then trims them (coarser latency
# buckets, replication 0's time series only where two are not needed, resolved.yaml kept once)
# so the repository holds a few hundred KB. usage: make_fixtures.sh path/to/statesim
set -euo pipefail
statesim=${1:?usage: make_fixtures.sh path/to/statesim}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out=$here/fixtures
python=/usr/bin/python3
rm -rf "$out" && mkdir -p "$out"
run() { "$statesim" run "$@" --quiet --jobs 2; }
S=$root/scenarios
run "$S/ecommerce-rearchitecture.yaml" --out "$out/comparison" --replications 2 \
  --set output.timeseries_interval=1m
run "$S/node-failures.yaml" --out "$out/sweep" --replications 2 --duration 20m \
  --set output.timeseries_interval=2m
run "$S/traffic-spike.yaml" --out "$out/one-replication" --replications 1 \
  --set output.timeseries_interval=2m
run "$here/serverless.yaml" --out "$out/serverless"
run "$S/order-workflow.yaml" --out "$out/workflows" --replications 2 --duration 1d \
  --set output.timeseries_interval=2h
run "$here/ten-architectures.yaml" --out "$out/ten-architectures"
"$python" - "$out" <<'PY'
import csv, sys
from pathlib import Path
out = Path(sys.argv[1])

def rewrite(path, keep):
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    with open(path, "w", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows([rows[0]] + keep(rows[0], rows[1:]))

def coarser(header, rows, per=24):
    """Merges consecutive buckets of each (point, architecture) into at most `per` rows."""
    groups = {}
    for r in rows:
        groups.setdefault((r[0], r[1]), []).append(r)
    merged = []
    for (p, a), rs in groups.items():
        step = max(1, -(-len(rs) // per))
        for i in range(0, len(rs), step):
            chunk = rs[i:i + step]
            merged.append([p, a, chunk[0][2], chunk[-1][3], str(sum(int(c[4]) for c in chunk))])
    return merged

for d in out.iterdir():
    if not d.is_dir():
        continue
    hist = d / "latency_histogram.csv"
    if hist.exists():
        rewrite(hist, coarser)
    if d.name != "comparison":  # one copy of a long config is enough for the report test
        (d / "resolved.yaml").unlink(missing_ok=True)
    if d.name in ("sweep", "ten-architectures", "serverless"):
        rewrite(d / "timeseries.csv",
                lambda h, rs: [r for r in rs if r[h.index("replication")] == "0"])
PY
du -sh "$out"
