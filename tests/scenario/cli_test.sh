#!/usr/bin/env bash
# The command line end to end: exit codes, located errors, nothing written on bad input,
# byte-identical output for any --jobs, SIGINT keeps complete files.
set -u
bin=$(realpath "$1") # absolute: one check runs it from another directory
src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
passes=0

expect() { # expect NAME WANTED_EXIT CMD...
    local name=$1 want=$2
    shift 2
    "$@" >"$tmp/out" 2>"$tmp/err"
    local got=$?
    if [ "$got" != "$want" ]; then
        echo "FAIL $name: exit $got, wanted $want"; cat "$tmp/err"; failures=$((failures + 1))
    else
        passes=$((passes + 1))
    fi
}
grep_in() { # grep_in NAME FILE PATTERN
    if grep -q -- "$3" "$2"; then passes=$((passes + 1)); else
        echo "FAIL $1: '$3' not in:"; cat "$2"; failures=$((failures + 1)); fi
}

mm1="$src/scenarios/validation/mm1.yaml"
quick=(--duration 3m --replications 3 --quiet --set warmup=30s)

expect version 0 "$bin" --version
grep_in version "$tmp/out" "statesim "
expect help 0 "$bin" --help
grep_in help "$tmp/out" "examples:"
grep_in help "$tmp/out" "bench cluster \[--scale X\] \[--duration D\] \[--dynamics\]"
expect no-args 2 "$bin"
expect bad-command 2 "$bin" frobnicate
expect bad-flag 2 "$bin" run "$mm1" --frobnicate
expect missing-file 2 "$bin" run "$tmp/nope.yaml"
grep_in missing-file "$tmp/err" "no such file"
expect presets 0 "$bin" presets
for p in single-server stateful-sticky stateful-nonsticky stateless-dynamodb stateless-redis stateless-jwt serverless; do
    grep_in presets "$tmp/out" "^$p .*(sets .*)$" # one line each (SPEC §2)
done
[ "$(wc -l <"$tmp/out")" = 7 ] && passes=$((passes + 1)) ||
    { echo "FAIL presets: not one line each"; cat "$tmp/out"; failures=$((failures + 1)); }
# Bad usage names what is wrong, exit 2: no CONFIG.yaml, arguments presets does not take,
# --jobs without --simulate, an empty --out (which would write to results/<name>/).
for cmd in check run analyze; do
    expect "$cmd-no-config" 2 "$bin" $cmd
    grep_in "$cmd-no-config" "$tmp/err" "error: CONFIG.yaml is missing: statesim $cmd CONFIG.yaml"
done
expect presets-extra 2 "$bin" presets extra
grep_in presets-extra "$tmp/err" 'presets takes no arguments, found "extra"'
expect presets-set 2 "$bin" presets --set a=b
expect analyze-jobs 2 "$bin" analyze "$mm1" --jobs 2
grep_in analyze-jobs "$tmp/err" "--jobs needs --simulate"
mkdir -p "$tmp/cwd"
expect out-empty 2 env -C "$tmp/cwd" "$bin" run "$mm1" --duration 1m --quiet --out ""
grep_in out-empty "$tmp/err" "--out needs a directory, found an empty value"
[ -z "$(ls -A "$tmp/cwd")" ] && passes=$((passes + 1)) || { echo "FAIL --out \"\" wrote files"; failures=$((failures + 1)); }

# A bad config: located error, exit 2, and nothing written.
sed 's/policy: random/policy: round-robbin/' "$src/scenarios/validation/random-routing.yaml" >"$tmp/bad.yaml"
expect bad-config 2 "$bin" run "$tmp/bad.yaml" --out "$tmp/bad-out"
grep_in bad-config "$tmp/err" "bad.yaml:16:25: load_balancer.policy: unknown value \"round-robbin\""
grep_in bad-config "$tmp/err" "did you mean round_robin?"
[ ! -e "$tmp/bad-out" ] && passes=$((passes + 1)) || { echo "FAIL bad-config wrote files"; failures=$((failures + 1)); }
expect bad-set 2 "$bin" run "$mm1" --set cluster.nodes=zero --out "$tmp/bad-out"
grep_in bad-set "$tmp/err" "--set cluster.nodes=zero: cluster.nodes: expected a whole number"
[ ! -e "$tmp/bad-out" ] && passes=$((passes + 1)) || { echo "FAIL bad-set wrote files"; failures=$((failures + 1)); }
# A value every architecture's preset replaces: a warning (exit 0), or, when no architecture
# would accept it, a located error, exit 2, nothing written; a list where a preset sets a key
# inside a map is blamed at the list.
printf '%s\n' 'workload: {sessions: {arrival: {process: poisson, rate: 5/s}}}' \
    'cluster: {nodes: 3}' 'architectures: [{name: one, preset: single-server}]' >"$tmp/replaced.yaml"
expect replaced 0 "$bin" check "$tmp/replaced.yaml"
grep_in replaced "$tmp/err" "^warning: .*replaced.yaml:2:18: cluster.nodes: has no effect: every architecture replaces it"
expect replaced-bad 2 "$bin" run "$tmp/replaced.yaml" --set cluster.nodes=many --out "$tmp/bad-out"
grep_in replaced-bad "$tmp/err" "^error: --set cluster.nodes=many: cluster.nodes: expected a whole number"
sed -i 's/^cluster: .*/cluster: [1, 2]/' "$tmp/replaced.yaml"
expect replaced-list 2 "$bin" run "$tmp/replaced.yaml" --out "$tmp/bad-out"
grep_in replaced-list "$tmp/err" "replaced.yaml:2:10: cluster: expected a map of keys, found a list: architectures\[0\] (preset single-server) sets cluster.nodes inside it"
[ ! -e "$tmp/bad-out" ] && passes=$((passes + 1)) || { echo "FAIL replaced wrote files"; failures=$((failures + 1)); }
# Serverless and workflow keys: located errors, exit 2, nothing written.
sed 's/^cluster:.*/cluster: {runtime: serverless}\nserverless: {scaling_rate: 1000}/' "$mm1" >"$tmp/sl-bad.yaml"
expect serverless-bad 2 "$bin" run "$tmp/sl-bad.yaml" --out "$tmp/bad-out"
grep_in serverless-bad "$tmp/err" "sl-bad.yaml:.*serverless.scaling_rate: expected new environments per window"
[ ! -e "$tmp/bad-out" ] && passes=$((passes + 1)) || { echo "FAIL serverless-bad wrote files"; failures=$((failures + 1)); }
expect workflows-bad 2 "$bin" run "$mm1" --set 'workflows={steps: 0}' --out "$tmp/bad-out"
grep_in workflows-bad "$tmp/err" "workflows.steps"
expect bench-serverless 0 "$bin" bench serverless --rate 100/s --duration 1m
grep_in bench-serverless "$tmp/out" "requests_per_s="
grep_in bench-serverless "$tmp/out" "cold_starts="
expect bench-serverless-bad 2 "$bin" bench serverless --rate 0/s
grep_in bench-serverless-bad "$tmp/err" "^error: bench serverless: --rate 0/s: "
if grep -q -- "--set" "$tmp/err"; then
    echo "FAIL bench-serverless-bad:"; cat "$tmp/err"; failures=$((failures + 1)); else passes=$((passes + 1)); fi
# The flag the user typed, one "error:", no --set they never wrote.
expect bench-serverless-unit 2 "$bin" bench serverless --rate 5
grep_in bench-serverless-unit "$tmp/err" "^error: bench serverless: --rate: a rate needs a unit"
if grep -q -- "--set\|error: .*error:" "$tmp/err"; then
    echo "FAIL bench-serverless-unit:"; cat "$tmp/err"; failures=$((failures + 1)); else passes=$((passes + 1)); fi
expect bench-help 0 "$bin" bench --help
grep_in bench-help "$tmp/out" "usage: statesim bench"
mkdir "$tmp/real" && ln -s "$tmp/real" "$tmp/link"
expect out-symlink 2 "$bin" run "$mm1" "${quick[@]}" --out "$tmp/link"
grep_in out-symlink "$tmp/err" "is a symbolic link"
printf '\x00\x01\x02binary' >"$tmp/binary.yaml"
expect binary 2 "$bin" check "$tmp/binary.yaml"
: >"$tmp/empty.yaml"
expect empty 2 "$bin" check "$tmp/empty.yaml"
expect check 0 "$bin" check "$mm1"
grep_in check "$tmp/out" "# default"
grep_in check "$tmp/out" "docs/configuration.md"
expect analyze 0 "$bin" analyze "$mm1"
grep_in analyze "$tmp/out" "mean latency = 66.6667 ms"
# Round robin over single-worker nodes: the exact E_N/M/1, in analyze and in run's analyze.txt
# (the same text, with the simulated means beside it).
rr="$src/scenarios/validation/round-robin.yaml"
rr_model="model: E_3/M/1 per node (round robin over 3 single-worker nodes: Erlang-3 arrivals at each node), exact"
expect analyze-rr 0 "$bin" analyze "$rr"
grep_in analyze-rr "$tmp/out" "$rr_model"
expect run-rr 0 "$bin" run "$rr" "${quick[@]}" --out "$tmp/rr"
grep_in run-rr "$tmp/rr/analyze.txt" "$rr_model"
grep_in run-rr "$tmp/rr/analyze.txt" "simulated: [0-9.]* ± [0-9.]* ms = latency_mean_ms"

# Determinism: same seed, same bytes, whatever --jobs; run after run.
expect run-j1 0 "$bin" run "$mm1" "${quick[@]}" --jobs 1 --out "$tmp/j1"
expect run-j2 0 "$bin" run "$mm1" "${quick[@]}" --jobs 2 --out "$tmp/j2"
expect run-j2-again 0 "$bin" run "$mm1" "${quick[@]}" --jobs 2 --out "$tmp/j2b"
for f in summary.csv aggregate.csv timeseries.csv events.csv resolved.yaml; do
    cmp -s "$tmp/j1/$f" "$tmp/j2/$f" && cmp -s "$tmp/j2/$f" "$tmp/j2b/$f" &&
        passes=$((passes + 1)) || { echo "FAIL determinism: $f differs"; failures=$((failures + 1)); }
done
[ "$(wc -l <"$tmp/j1/summary.csv")" = 4 ] && passes=$((passes + 1)) ||
    { echo "FAIL summary rows"; failures=$((failures + 1)); }
# --trace N: trace.csv with N sessions, the same bytes whatever --jobs; absent or 0: no
# trace.csv; a bad value: exit 2, a message, nothing written.
[ ! -e "$tmp/j1/trace.csv" ] && passes=$((passes + 1)) || { echo "FAIL trace.csv without --trace"; failures=$((failures + 1)); }
expect trace-j1 0 "$bin" run "$mm1" "${quick[@]}" --jobs 1 --trace 3 --out "$tmp/t1"
expect trace-j2 0 "$bin" run "$mm1" "${quick[@]}" --jobs 2 --trace 3 --out "$tmp/t2"
cmp -s "$tmp/t1/trace.csv" "$tmp/t2/trace.csv" && cmp -s "$tmp/t1/summary.csv" "$tmp/j1/summary.csv" &&
    passes=$((passes + 1)) || { echo "FAIL trace determinism"; failures=$((failures + 1)); }
grep_in trace-header "$tmp/t1/trace.csv" "^point,architecture,replication,time_s,session,request,attempt,event,node,detail$"
grep_in trace-rows "$tmp/t1/trace.csv" "^0,[^,]*,0,.*,session_end,,completed$"
[ "$(sed 1d "$tmp/t1/trace.csv" | cut -d, -f5 | sort -u | wc -l)" = 3 ] && passes=$((passes + 1)) ||
    { echo "FAIL trace sessions"; failures=$((failures + 1)); }
expect trace-0 0 "$bin" run "$mm1" "${quick[@]}" --trace 0 --out "$tmp/t0"
[ ! -e "$tmp/t0/trace.csv" ] && passes=$((passes + 1)) || { echo "FAIL trace.csv with --trace 0"; failures=$((failures + 1)); }
for bad in -1 abc 2000000; do
    expect "trace $bad" 2 "$bin" run "$mm1" "${quick[@]}" --trace "$bad" --out "$tmp/bad-trace"
    grep_in "trace $bad" "$tmp/err" "trace"
    [ ! -e "$tmp/bad-trace" ] && passes=$((passes + 1)) || { echo "FAIL --trace $bad wrote files"; failures=$((failures + 1)); }
done
expect other-seed 0 "$bin" run "$mm1" "${quick[@]}" --seed 7 --out "$tmp/s7"
cmp -s "$tmp/j1/summary.csv" "$tmp/s7/summary.csv" &&
    { echo "FAIL another seed gave the same output"; failures=$((failures + 1)); } || passes=$((passes + 1))
ls "$tmp" | grep -q '\.tmp-\|\.old-' && { echo "FAIL staging directories left"; failures=$((failures + 1)); } || passes=$((passes + 1))

# --out is checked before any simulation: exit 2, the reason, nothing run (a 2-day run would
# take minutes).
: >"$tmp/a-file"
expect out-not-dir 2 "$bin" run "$mm1" --duration 2d --quiet --out "$tmp/a-file/sub"
grep_in out-not-dir "$tmp/err" "error: --out $tmp/a-file/sub: cannot write: Not a directory"
mkdir -p "$tmp/users" && echo precious >"$tmp/users/notes.txt"
expect out-foreign 2 "$bin" run "$mm1" --duration 2d --quiet --out "$tmp/users"
grep_in out-foreign "$tmp/err" 'cannot write: it holds "notes.txt"'
grep_in out-foreign "$tmp/users/notes.txt" precious
# A second run into the same directory replaces the whole set: no stale file survives.
echo stale >"$tmp/j1/events.csv"
echo stale >"$tmp/j1/comparison.png"
expect rerun 0 "$bin" run "$mm1" "${quick[@]}" --jobs 1 --out "$tmp/j1"
[ ! -e "$tmp/j1/comparison.png" ] && cmp -s "$tmp/j1/events.csv" "$tmp/j2/events.csv" &&
    cmp -s "$tmp/j1/summary.csv" "$tmp/j2/summary.csv" &&
    passes=$((passes + 1)) || { echo "FAIL rerun left a mixed set"; failures=$((failures + 1)); }

# SIGINT: exit 130, finished rows kept, every file complete (same field count on each line).
# Runs of 1 h take well under a second, so some finish before the signal, and 2 000 of them
# take far longer than the 2 s before it on any machine.
many=(--duration 1h --replications 2000 --quiet)
"$bin" run "$mm1" "${many[@]}" --jobs 2 --out "$tmp/int" &
pid=$!
sleep 2
kill -INT $pid
wait $pid
got=$?
[ "$got" = 130 ] && passes=$((passes + 1)) || { echo "FAIL sigint exit $got"; failures=$((failures + 1)); }
if [ -f "$tmp/int/summary.csv" ]; then
    awk -F, 'NR==1{n=NF} NF!=n{bad=1} END{exit bad}' "$tmp/int/summary.csv" &&
        passes=$((passes + 1)) || { echo "FAIL sigint summary ragged"; failures=$((failures + 1)); }
    # Some of the 2 000 replications, not all (which rows are finished: writers_test).
    rows=$(wc -l <"$tmp/int/summary.csv")
    [ "$rows" -ge 2 ] && [ "$rows" -le 2000 ] && passes=$((passes + 1)) ||
        { echo "FAIL sigint rows $rows"; failures=$((failures + 1)); }
else
    echo "FAIL sigint wrote no summary"; failures=$((failures + 1))
fi
ls "$tmp" | grep -q '\.tmp-' && { echo "FAIL sigint left staging"; failures=$((failures + 1)); } || passes=$((passes + 1))

# Interrupted before any run finished: nothing written, and a previous set is untouched.
"$bin" run "$mm1" --duration 2d --replications 2 --jobs 2 --quiet --out "$tmp/none" 2>"$tmp/err" &
pid=$!
sleep 0.5
kill -INT $pid
wait $pid
got=$?
[ "$got" = 130 ] && [ ! -e "$tmp/none" ] && passes=$((passes + 1)) ||
    { echo "FAIL sigint before any run: exit $got, or $tmp/none written"; failures=$((failures + 1)); }
grep_in sigint-none "$tmp/err" "interrupted: no run finished; nothing written"
cp "$tmp/j1/summary.csv" "$tmp/j1-before.csv"
"$bin" run "$mm1" --duration 2d --replications 2 --jobs 2 --quiet --out "$tmp/j1" 2>/dev/null &
pid=$!
sleep 0.5
kill -INT $pid
wait $pid
cmp -s "$tmp/j1/summary.csv" "$tmp/j1-before.csv" && passes=$((passes + 1)) ||
    { echo "FAIL an interrupted rerun with no run finished changed the previous set"; failures=$((failures + 1)); }
# An interrupted rerun with some runs finished writes them beside the previous set.
"$bin" run "$mm1" "${many[@]}" --jobs 2 --out "$tmp/j1" 2>"$tmp/err" &
pid=$!
sleep 2
kill -INT $pid
wait $pid
got=$?
cmp -s "$tmp/j1/summary.csv" "$tmp/j1-before.csv" && [ "$got" = 130 ] &&
    ls -d "$tmp"/j1.partial-* >/dev/null 2>&1 && passes=$((passes + 1)) ||
    { echo "FAIL interrupted rerun: exit $got, previous set replaced or no partial set"; failures=$((failures + 1)); }
grep_in sigint-partial "$tmp/err" "keeps the previous results"
rm -rf "$tmp"/j1.partial-*

# SIGTERM (kill, timeout, Slurm) stops a run as SIGINT does: exit 130, no staging directory.
"$bin" run "$mm1" "${many[@]}" --jobs 1 --out "$tmp/term" &
pid=$!
sleep 2
kill -TERM $pid
wait $pid
got=$?
[ "$got" = 130 ] && passes=$((passes + 1)) || { echo "FAIL sigterm exit $got"; failures=$((failures + 1)); }
[ -f "$tmp/term/summary.csv" ] && passes=$((passes + 1)) || { echo "FAIL sigterm wrote no summary"; failures=$((failures + 1)); }
ls "$tmp" | grep -q '\.tmp-' && { echo "FAIL sigterm left staging"; failures=$((failures + 1)); } || passes=$((passes + 1))

# The shorthands are named as typed, not as the --set they become.
expect duration-flag 2 "$bin" run "$mm1" --duration 90 --quiet --out "$tmp/dflag"
grep_in duration-flag "$tmp/err" "error: --duration 90: duration: a duration needs a unit"

# One replication: analyze.txt's simulated lines have no CI, the unit stays with the mean.
expect one-replication 0 "$bin" run "$mm1" --duration 2m --replications 1 --quiet --out "$tmp/one"
grep_in one-replication "$tmp/one/analyze.txt" "simulated: [0-9.]*/s ± n/a = "
grep -q "n/a/s" "$tmp/one/analyze.txt" && { echo "FAIL one-replication: n/a/s"; failures=$((failures + 1)); } || passes=$((passes + 1))

# A directory of the user's own pictures, or of files merely named like statesim's outputs
# (no resolved.yaml: not a set statesim wrote), is refused, never emptied.
mkdir -p "$tmp/figs" && echo mine >"$tmp/figs/diagram.png"
expect out-user-png 2 "$bin" run "$mm1" --duration 2d --quiet --out "$tmp/figs"
grep_in out-user-png "$tmp/figs/diagram.png" mine
mkdir -p "$tmp/named" && echo mine >"$tmp/named/table.txt"
expect out-named 2 "$bin" run "$mm1" --duration 2d --quiet --out "$tmp/named"
grep_in out-named "$tmp/err" "no resolved.yaml"
grep_in out-named "$tmp/named/table.txt" mine

# analyze on a worker time of 0 and a run with no successful request: n/a, never nan.
printf '%s\n' 'duration: 2m' 'warmup: 10s' 'replications: 2' 'workload:' \
    '  sessions: {arrival: {process: poisson, rate: 10/s}}' '  request: {service_time: 0s}' \
    '  client: {timeout: 1ns}' 'network: {hop_latency: 1ms}' 'cluster: {nodes: 2, workers: 4}' \
    >"$tmp/zero.yaml"
expect analyze-zero 0 "$bin" analyze "$tmp/zero.yaml" --simulate --jobs 1
grep_in analyze-zero "$tmp/out" "cv² = n/a"
grep_in analyze-zero "$tmp/out" "simulated: n/a (a run has no value) = latency_mean_ms"
grep -qi 'nan' "$tmp/out" && { echo "FAIL analyze-zero printed nan"; failures=$((failures + 1)); } || passes=$((passes + 1))

expect bench-phold 0 "$bin" bench phold --lps 100 --end 100
grep_in bench-phold "$tmp/out" "events=.* wall_s=.* events_per_s=.* peak_rss_mb="
expect bench-hold 0 "$bin" bench hold --pending 1000 --events 10000
grep_in bench-hold "$tmp/out" "events_per_s="
expect bench-bad 2 "$bin" bench phold --lps -3

# analyze --simulate: the predictions, each with the simulated mean ± CI of its metric.
expect analyze-simulate 0 "$bin" analyze "$mm1" --simulate --jobs 1 --set duration=3m \
    --set replications=2 --set warmup=30s \
    --set 'failures.nodes={mtbf: {dist: exponential, mean: 10m}, mttr: 1m}'
grep_in analyze-simulate "$tmp/out" "mean latency = 66.6667 ms"
grep_in analyze-simulate "$tmp/out" "mean nodes up = "
grep_in analyze-simulate "$tmp/out" "simulated: [0-9.]* ± [0-9.]* = nodes_mean"
grep_in analyze-simulate "$tmp/out" "simulated: [0-9.]* ± [0-9.]* ms = latency_mean_ms"
expect analyze-help 0 "$bin" analyze --help
grep_in analyze-help "$tmp/out" "--simulate"

echo "$passes passed, $failures failed"
[ "$failures" = 0 ]
