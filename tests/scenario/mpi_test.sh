#!/usr/bin/env bash
# Sweeps over MPI ranks (SPEC §2) end to end under `mpirun --oversubscribe -n 3`: the files are
# byte-identical to `--jobs 2` on one machine, only rank 0 prints (run, check, analyze), a bad
# config or --out exits 2 on every rank without a hang, error lines do not interleave, ranks that
# loaded different scenarios exit 2, a worker that cannot send a result fails the job instead of
# hanging it, and SIGINT to rank 0 or to an idle rank stops all ranks with exit 130 and complete
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

# Two threads per rank (6 slots for the 9 runs): the same bytes.
under_mpi "$bin" run "$sweep" "${quick[@]}" --jobs 2 --quiet --out "$tmp/mpi2" >/dev/null 2>&1 &&
    cmp -s "$tmp/jobs/summary.csv" "$tmp/mpi2/summary.csv" &&
    cmp -s "$tmp/jobs/timeseries.csv" "$tmp/mpi2/timeseries.csv" && pass || fail "--jobs 2 per rank"

# A bad config: every rank says so and exits 2; nothing written.
sed 's/policy: random/policy: round-robbin/' "$src/scenarios/validation/random-routing.yaml" >"$tmp/bad.yaml"
under_mpi "$bin" run "$tmp/bad.yaml" --out "$tmp/bad-out" >"$tmp/out" 2>"$tmp/err"
got=$?
[ "$got" = 2 ] && pass || fail "bad config under mpirun: exit $got, wanted 2"
grep -q 'did you mean round_robin' "$tmp/err" && pass || fail "bad config: no located error"
# Each rank's message is one whole line: written in pieces, they interleaved mid-line.
[ "$(grep -c '^error: .*did you mean round_robin?[^a-z]*$' "$tmp/err")" = 3 ] && pass ||
    { fail "bad config: not 3 whole error lines"; cat "$tmp/err"; }
under_mpi "$bin" run "$sweep" --seed -1 >"$tmp/out" 2>"$tmp/err"
[ "$(grep -cx 'error: --seed must be a non-negative integer (see statesim --help)' "$tmp/err")" = 3 ] &&
    pass || { fail "--seed -1: not 3 whole error lines"; cat "$tmp/err"; }
# The same without luck in the timing: each message leaves in one write(2) ending in \n.
if command -v strace >/dev/null && strace -o /dev/null true 2>/dev/null; then
    for args in "run $tmp/bad.yaml" "run $sweep --seed -1" "check $tmp/bad.yaml" "frobnicate"; do
        # shellcheck disable=SC2086 # the words of $args are the arguments
        strace -e trace=write -s 4096 -o "$tmp/strace" "$bin" $args >/dev/null 2>&1
        pieces=$(grep '^write(2, ' "$tmp/strace" | grep -vc '\\n", [0-9]*) *= [0-9]*$')
        [ "$pieces" = 0 ] && pass || { fail "statesim $args: a message in pieces"; cat "$tmp/strace"; }
    done
fi
[ ! -e "$tmp/bad-out" ] && pass || fail "bad config wrote files"
# An unwritable --out fails on rank 0 only: the others must hear of it and not wait for runs.
touch "$tmp/file"
under_mpi "$bin" run "$sweep" "${quick[@]}" --out "$tmp/file/sub" >"$tmp/out" 2>"$tmp/err"
got=$?
[ "$got" = 2 ] && pass || fail "unwritable --out under mpirun: exit $got, wanted 2"
grep -q 'cannot write' "$tmp/err" && pass || fail "unwritable --out: no message"

# check and analyze: every rank validates, only rank 0 prints; a bad config fails on each.
under_mpi "$bin" check "$sweep" >"$tmp/out" 2>"$tmp/err"
got=$?
[ "$got" = 0 ] && [ "$(grep -c ': valid; keys marked' "$tmp/out")" = 1 ] && pass ||
    fail "check under mpirun: exit $got, $(grep -c ': valid; keys marked' "$tmp/out") headers, wanted 0 and 1"
under_mpi "$bin" check "$tmp/bad.yaml" >"$tmp/out" 2>"$tmp/err"
got=$?
[ "$got" = 2 ] && [ "$(grep -c 'did you mean round_robin' "$tmp/err")" = 3 ] && pass ||
    fail "check of a bad config under mpirun: exit $got, wanted 2 and a message per rank"
"$bin" analyze "$sweep" >"$tmp/analyze1" 2>/dev/null
under_mpi "$bin" analyze "$sweep" >"$tmp/out" 2>"$tmp/err"
got=$?
[ "$got" = 0 ] && cmp -s "$tmp/analyze1" "$tmp/out" && pass ||
    fail "analyze under mpirun: exit $got, or not one copy of the single-process output"
mm1="$src/scenarios/validation/mm1.yaml"
"$bin" analyze "$mm1" --simulate --set replications=2 --set duration=30m >"$tmp/analyze1" 2>/dev/null
under_mpi "$bin" analyze "$mm1" --simulate --set replications=2 --set duration=30m >"$tmp/out" 2>"$tmp/err"
got=$?
[ "$got" = 0 ] && cmp -s "$tmp/analyze1" "$tmp/out" && pass ||
    fail "analyze --simulate under mpirun: exit $got, or not one copy of the single-process output"

# Ranks that loaded different scenarios (MPMD, another --set): exit 2 on every rank, one
# message, nothing written; they were mixed into one summary.csv.
mpmd=("$mpiexec" --oversubscribe)
if [ "$(id -u)" = 0 ]; then mpmd+=(--allow-run-as-root); fi
timeout 120 "${mpmd[@]}" -n 1 "$bin" run "$mm1" --duration 10m --replications 3 --out "$tmp/mixed" \
    : -n 2 "$bin" run "$mm1" --duration 10m --replications 3 --out "$tmp/mixed" \
    --set workload.sessions.arrival.rate=5/s >"$tmp/out" 2>"$tmp/err"
got=$?
[ "$got" = 2 ] && pass || fail "different scenarios: exit $got, wanted 2"
[ "$(grep -c 'ranks loaded different scenarios' "$tmp/err")" = 1 ] && pass ||
    { fail "different scenarios: not one message"; cat "$tmp/err"; }
[ ! -e "$tmp/mixed" ] && pass || fail "different scenarios: files written"

# A worker that cannot send a result (too large for one message; here the limit is lowered)
# fails the job with the reason; rank 0 waited for that run until the timeout.
STATESIM_MPI_MAX_MESSAGE=1000 timeout 60 "${mpi[@]}" -x STATESIM_MPI_MAX_MESSAGE "$bin" run \
    "$mm1" --duration 10m --replications 6 --jobs 1 --quiet --out "$tmp/big" >"$tmp/out" 2>"$tmp/err"
got=$?
[ "$got" = 1 ] && pass || fail "unsendable result: exit $got, wanted 1"
grep -q '^internal error: rank [12]: a run.s result is too large for one MPI message$' "$tmp/err" &&
    pass || { fail "unsendable result: no message"; cat "$tmp/err"; }
[ ! -e "$tmp/big" ] && pass || fail "unsendable result: files written"

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

# SIGINT to a worker rank with no run in progress (one run, three ranks): it tells rank 0,
# which stops as for its own signal (exit 130). It was ignored: the run went on, exit 0.
timeout 120 "${mpi[@]}" "$bin" run "$mm1" --duration 240h --replications 1 --jobs 1 --quiet \
    --out "$tmp/idle" >"$tmp/out" 2>"$tmp/err" &
launcher=$!
declare -A worker=()
idle=""
for _ in $(seq 1200); do
    for m in $(pgrep -P $launcher); do
        for p in $(pgrep -P "$m"); do
            r=$(tr '\0' '\n' <"/proc/$p/environ" 2>/dev/null | sed -n 's/^OMPI_COMM_WORLD_RANK=//p')
            [ -n "$r" ] && [ "$r" != 0 ] && worker[$r]=$p
        done
    done
    # Both workers in their sweep (SIGINT caught: bit 2 of SigCgt), and the run handed out.
    ready=0
    for p in "${worker[@]}"; do
        [ $((0x$(awk '/^SigCgt/{print $2}' "/proc/$p/status" 2>/dev/null || echo 0) & 2)) = 2 ] &&
            ready=$((ready + 1))
    done
    if [ "$ready" = 2 ]; then
        sleep 1
        # The idle one has no simulating thread: fewer threads (rank 2 if both are idle).
        t1=$(find "/proc/${worker[1]}/task" -mindepth 1 -maxdepth 1 | wc -l)
        t2=$(find "/proc/${worker[2]}/task" -mindepth 1 -maxdepth 1 | wc -l)
        if [ "$t1" -lt "$t2" ]; then idle=${worker[1]}; else idle=${worker[2]}; fi
        break
    fi
    sleep 0.05
done
if [ -n "$idle" ]; then kill -INT "$idle"; else fail "idle sigint: workers not found"; fi
wait $launcher
got=$?
[ "$got" = 130 ] && pass || { fail "sigint to an idle rank: exit $got, wanted 130"; cat "$tmp/err"; }
# Its one run had not finished: nothing is written (a previous set in --out would be kept).
grep -q 'interrupted: no run finished; nothing written' "$tmp/err" && pass ||
    fail "idle sigint: no message"
[ ! -e "$tmp/idle" ] && pass || fail "idle sigint: $tmp/idle written with no run finished"

echo "$passes passed, $failures failed"
[ "$failures" = 0 ]
