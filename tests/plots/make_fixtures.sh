#!/usr/bin/env bash
# Regenerates tests/plots/fixtures/ from small statesim runs, then trims them (coarser latency
# buckets, replication 0's time series only where two are not needed, resolved.yaml kept once)
# so the repository holds a few hundred KB.
# usage: make_fixtures.sh path/to/statesim [FIXTURE...]  (FIXTURE: only those, e.g. undefined)
set -euo pipefail
statesim=${1:?usage: make_fixtures.sh path/to/statesim [FIXTURE...]}
shift
only=" $* "
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out=$here/fixtures
python=/usr/bin/python3
[ $# -eq 0 ] && rm -rf "$out"
mkdir -p "$out"
cfg=$(mktemp -d)
trap 'rm -rf "$cfg"' EXIT
# run FIXTURE CONFIG [OPTION...]: (re)writes fixtures/FIXTURE unless other fixtures were named
run() {
  local name=$1 config=$2
  shift 2
  [ "$only" = "  " ] || [[ $only == *" $name "* ]] || return 0
  rm -rf "${out:?}/$name"
  "$statesim" run "$config" --out "$out/$name" "$@" --quiet --jobs 2
}
S=$root/scenarios
run comparison "$S/ecommerce-rearchitecture.yaml" --replications 2 \
  --set output.timeseries_interval=1m
run sweep "$S/node-failures.yaml" --replications 2 --duration 20m \
  --set output.timeseries_interval=2m
run one-replication "$S/traffic-spike.yaml" --replications 1 \
  --set output.timeseries_interval=2m
run serverless "$here/serverless.yaml"
run workflows "$S/order-workflow.yaml" --replications 2 --duration 1d \
  --set output.timeseries_interval=2h
run ten-architectures "$here/ten-architectures.yaml"
run grid "$here/grid.yaml"

# Undefined values (empty cells, n/a in the table), one fixture per behaviour of the plots.
# lost-active: most sessions still active at the end, so lost / ended (lost_session_pct) is far
# from lost / started.
cat >"$cfg/lost-active.yaml" <<'YAML'
name: lost-active
description: many sessions still active at the end, some lost
duration: 60s
warmup: 0s
seed: 4
replications: 3
workload:
  sessions:
    arrival: {process: poisson, rate: 5/s}
    requests: 3
    think_time: {dist: exponential, mean: 40min}
  request: {service_time: {dist: exponential, mean: 10ms}}
cluster: {nodes: 2, workers: 4}
architectures:
  - {name: nonsticky, preset: stateful-nonsticky}
  - {name: sticky, preset: stateful-sticky}
YAML
run lost-active "$cfg/lost-active.yaml"
# undefined: so few arrivals that some replications have none (replication 0 among them):
# lost_session_pct, latency, cold_start_pct, throttled_pct and workflows_lost_pct are empty
# means though other replications had sessions, requests, cold starts and workflows.
cat >"$cfg/undefined.yaml" <<'YAML'
name: undefined
description: Poisson arrivals so rare that some replications have none
duration: 10s
warmup: 0s
seed: 1
replications: 5
workload:
  sessions:
    arrival: {process: poisson, rate: 6/min}
    requests: 3
    think_time: 1s
  request: {service_time: {dist: exponential, mean: 10ms}}
cluster: {nodes: 2, workers: 4}
serverless:
  cold_start: 400ms
  idle_timeout: 10m
workflows:
  arrival: {process: poisson, rate: 6/min}
  steps: 2
  step_time: 10ms
  wait: {dist: exponential, mean: 1s}
architectures:
  - {name: nonsticky, preset: stateful-nonsticky}
  - {name: sticky, preset: stateful-sticky}
  - {name: fn, preset: serverless}
YAML
run undefined "$cfg/undefined.yaml"
# undefined-sweep: workflows at point 0 only (workflows_lost_pct 0 there, empty at point 1);
# sessions that never end (lost_session_pct empty at every point).
printf '1\n2\n3\n4\n5\n' >"$cfg/early.txt"
printf '100\n' >"$cfg/late.txt"
cat >"$cfg/undefined-sweep.yaml" <<'YAML'
name: undefined-sweep
description: workflows at one point, none at the other; sessions that never end
duration: 20s
warmup: 0s
seed: 2
replications: 3
workload:
  sessions:
    arrival: {process: trace, file: early.txt}
    requests: 3
    think_time: 30d
  request: {service_time: 10ms}
cluster: {nodes: 2, workers: 4}
workflows:
  arrival: {process: trace, file: early.txt}
  steps: 2
  step_time: 10ms
  wait: 1s
architectures:
  - {name: mem, preset: stateful-sticky, set: {workflows.orchestration: in_memory}}
  - {name: fn-orch, preset: serverless, set: {workflows.orchestration: orchestrator}}
sweep:
  workflows.arrival.file: [early.txt, late.txt]
YAML
run undefined-sweep "$cfg/undefined-sweep.yaml"
# the configs' temporary directory out of the warnings (a rerun then changes nothing)
for f in "$out"/*/warnings.txt; do sed -i "s|$cfg/||g" "$f"; done

"$python" - "$out" $* <<'PY'
import csv, sys
from pathlib import Path
out = Path(sys.argv[1])
only = set(sys.argv[2:])  # the fixtures just written (all when none is named)

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
    if not d.is_dir() or (only and d.name not in only):
        continue
    hist = d / "latency_histogram.csv"
    if hist.exists():
        rewrite(hist, coarser)
    if d.name != "comparison":  # one copy of a long config is enough for the report test
        (d / "resolved.yaml").unlink(missing_ok=True)
    if d.name in ("sweep", "ten-architectures", "serverless", "lost-active",
                  "undefined-sweep", "grid"):
        rewrite(d / "timeseries.csv",
                lambda h, rs: [r for r in rs if r[h.index("replication")] == "0"])
PY
du -sh "$out"
