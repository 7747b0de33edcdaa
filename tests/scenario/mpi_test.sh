#!/usr/bin/env bash
# Sweeps over MPI ranks (SPEC §2) end to end under `mpirun --oversubscribe -n 3`: the files are
# byte-identical to `--jobs 2` on one machine, only rank 0 prints, a bad config or --out exits 2
# on every rank without a hang, and SIGINT to rank 0 stops all ranks with exit 130 and complete
# files. Usage: mpi_test.sh STATESIM SOURCE_DIR MPIEXEC
set -u
bin=$1
src=$2
mpiexec=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
passes=0
pass() { passes=$((passes + 1)); }
fail() { echo "FAIL $*"; failures=$((failures + 1)); }

# In a container without CAP_SYS_PTRACE, Open MPI's shared-memory transport fails on large
# messages ("Read -1, expected ...") unless it copies through the segment.
export OMPI_MCA_btl_vader_single_copy_mechanism=none
mpi=("$mpiexec" --oversubscribe -n 3)
if [ "$(id -u)" = 0 ]; then mpi+=(--allow-run-as-root); fi
# A hang is a failure, not a stuck CI job.
under_mpi() { timeout 120 "${mpi[@]}" "$@"; }

sweep="$src/scenarios/node-failures.yaml" # 3 points x 3 architectures
quick=(--duration 10m --set warmup=1m --replications 1 --trace 2)

"$bin" run "$sweep" "${quick[@]}" --jobs 2 --quiet --out "$tmp/jobs" || fail "--jobs 2 run"
under_mpi "$bin" run "$sweep" "${quick[@]}" --jobs 1 --out "$tmp/mpi" >"$tmp/out" 2>"$tmp/err"
got=$?
[ "$got" = 0 ] && pass || { fail "mpirun exit $got"; cat "$tmp/err"; }
for f in summary.csv aggregate.csv timeseries.csv events.csv latency_histogram.csv trace.csv \
    table.txt analyze.txt resolved.yaml; do
    cmp "$tmp/jobs/$f" "$tmp/mpi/$f" && pass || fail "$f differs from --jobs 2"
done
[ "$(grep -c '^wrote ' "$tmp/out")" = 1 ] && pass || fail "the table was printed $(grep -c '^wrote ' "$tmp/out") times, wanted once (rank 0)"

# Two threads per rank, and a window of runs smaller than the ranks' slots: the same bytes.
under_mpi "$bin" run "$sweep" "${quick[@]}" --jobs 2 --quiet --out "$tmp/mpi2" >/dev/null 2>&1 &&
    cmp -s "$tmp/jobs/summary.csv" "$tmp/mpi2/summary.csv" &&
    cmp -s "$tmp/jobs/timeseries.csv" "$tmp/mpi2/timeseries.csv" && pass || fail "--jobs 2 per rank"

# A bad config: every rank says so and exits 2; nothing written.
sed 's/policy: random/policy: round-robbin/' "$src/scenarios/validation/random-routing.yaml" >"$tmp/bad.yaml"
under_mpi "$bin" run "$tmp/bad.yaml" --out "$tmp/bad-out" >"$tmp/out" 2>"$tmp/err"
got=$?
[ "$got" = 2 ] && pass || fail "bad config under mpirun: exit $got, wanted 2"
grep -q 'did you mean round_robin' "$tmp/err" && pass || fail "bad config: no located error"
[ ! -e "$tmp/bad-out" ] && pass || fail "bad config wrote files"
# An unwritable --out fails on rank 0 only: the others must hear of it and not wait for runs.
touch "$tmp/file"
under_mpi "$bin" run "$sweep" "${quick[@]}" --out "$tmp/file/sub" >"$tmp/out" 2>"$tmp/err"
got=$?
[ "$got" = 2 ] && pass || fail "unwritable --out under mpirun: exit $got, wanted 2"
grep -q 'cannot write' "$tmp/err" && pass || fail "unwritable --out: no message"

# SIGINT to rank 0 once a run is written: every rank stops, exit 130, the finished runs' rows
# kept in run order, every file complete.
timeout 120 "${mpi[@]}" "$bin" run "$src/scenarios/validation/mm1.yaml" --duration 12h \
    --replications 24 --jobs 1 --quiet --out "$tmp/int" >"$tmp/out" 2>"$tmp/err" &
launcher=$!
rank0=""
for _ in $(seq 1200); do # timeout > mpirun > ranks
    for m in $(pgrep -P $launcher); do
        for p in $(pgrep -P "$m"); do
            tr '\0' '\n' <"/proc/$p/environ" 2>/dev/null | grep -qx 'OMPI_COMM_WORLD_RANK=0' && rank0=$p
        done
    done
    # A run written: its timeseries rows reach the staging directory (output/output_dir.hpp).
    [ -n "$rank0" ] && [ "$(cat "$tmp"/int.tmp*/timeseries.csv 2>/dev/null | wc -l)" -ge 2 ] && break
    sleep 0.05
done
if [ -n "$rank0" ]; then kill -INT "$rank0"; else fail "sigint: rank 0 not found"; fi
wait $launcher
got=$?
[ "$got" = 130 ] && pass || { fail "sigint under mpirun: exit $got, wanted 130"; cat "$tmp/err"; }
grep -q 'interrupted: wrote the runs that finished' "$tmp/err" && pass || fail "sigint: no message"
for f in summary.csv aggregate.csv timeseries.csv events.csv latency_histogram.csv table.txt \
    warnings.txt analyze.txt resolved.yaml; do
    [ -f "$tmp/int/$f" ] && pass || fail "sigint: no $f"
done
if [ -f "$tmp/int/summary.csv" ]; then
    awk -F, 'NR==1{n=NF} NF!=n{bad=1} END{exit bad}' "$tmp/int/summary.csv" && pass ||
        fail "sigint: summary ragged"
    rows=$(($(wc -l <"$tmp/int/summary.csv") - 1))
    [ "$rows" -ge 1 ] && [ "$rows" -lt 24 ] && pass || fail "sigint: $rows rows, wanted 1 to 23"
    # Rank 0 wrote in run order: replications ascending (a run cut short leaves no row, so a
    # later one that had just finished elsewhere may follow a gap).
    awk -F, 'NR>2 && $4<=prev{bad=1} {prev=$4} END{exit bad}' "$tmp/int/summary.csv" && pass ||
        fail "sigint: rows not in run order"
fi
ls "$tmp" | grep -q '\.tmp-' && fail "sigint left staging" || pass

echo "$passes passed, $failures failed"
[ "$failures" = 0 ]
