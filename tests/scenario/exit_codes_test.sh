#!/usr/bin/env bash
# The exit-code contract of SPEC §2 on the real binary, over inputs nobody wrote by hand:
#   0 success; 2 bad usage or invalid config, with an `error:` message and nothing written;
#   1 internal error, with a message; 130 interrupted. Never a signal death, never a hang.
# Inputs: every seed of the fuzz corpora and the fuzzers' past findings (tests/fuzz/corpus/,
# through `check`, and `run` when `check` accepts them) and random valid scenarios of the
# property tests (tests/support/random_scenario.hpp, through `run`, then broken by a bad --set).
# Usage: exit_codes_test.sh STATESIM PRINT_RANDOM_SCENARIO SOURCE_DIR [RANDOM_SCENARIOS]
# STATESIM_EXIT_CODE_QUICK=1 (the sanitizer build in CI): corpus inputs through `check` only,
# and 3 random scenarios.
set -u
bin=$1
printer=$2
src=$3
quick=${STATESIM_EXIT_CODE_QUICK:-0}
scenarios=${4:-$([ "$quick" = 1 ] && echo 3 || echo 12)}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
checked=0

# judge NAME RC OUT_DIR: the contract for one invocation whose stderr is in $tmp/err.
judge() {
    local name=$1 rc=$2 out=${3:-}
    checked=$((checked + 1))
    case $rc in
    0) ;;
    2)
        if ! grep -q "error" "$tmp/err"; then
            echo "FAIL $name: exit 2 without an error message"; failures=$((failures + 1))
        fi
        if [ -n "$out" ] && [ -e "$out" ]; then
            echo "FAIL $name: exit 2 but $out was written"; failures=$((failures + 1))
        fi ;;
    1)
        if ! [ -s "$tmp/err" ]; then
            echo "FAIL $name: exit 1 without a message"; failures=$((failures + 1))
        fi ;;
    124 | 137) echo "FAIL $name: no answer within the time limit (a hang?)"; failures=$((failures + 1)) ;;
    *)
        echo "FAIL $name: exit $rc (a signal death is $((rc - 128)))"; head -5 "$tmp/err"
        failures=$((failures + 1)) ;;
    esac
}

# A config the loader accepts is also run briefly: the model may not crash on it either.
try_file() { # try_file NAME FILE
    local name=$1 file=$2 rc out=$tmp/out-$checked
    timeout -k 5 20 "$bin" check "$file" >/dev/null 2>"$tmp/err"
    rc=$?
    judge "check $name" $rc
    [ $rc = 0 ] && [ "$quick" != 1 ] || return 0
    timeout -k 5 60 "$bin" run "$file" --out "$out" --quiet --replications 1 --duration 10s \
        >/dev/null 2>"$tmp/err"
    rc=$?
    judge "run $name" $rc "$out"
    rm -rf "$out"
}

for f in "$src"/tests/fuzz/corpus/fuzz_config/* "$src"/tests/fuzz/corpus/fuzz_check/* \
    "$src"/tests/fuzz/corpus/regressions/*.yaml; do
    # Seeds that name a file (trace arrivals, empirical samples) resolve it next to the input.
    cp "$f" "$tmp/input.yaml"
    try_file "${f#"$src"/}" "$tmp/input.yaml"
done

for seed in $(seq 1 "$scenarios"); do
    "$printer" "$seed" >"$tmp/random.yaml" || { echo "FAIL: print_random_scenario $seed"; exit 1; }
    out=$tmp/random-out
    timeout -k 5 120 "$bin" run "$tmp/random.yaml" --out "$out" --quiet --jobs 2 >/dev/null 2>"$tmp/err"
    rc=$?
    if [ $rc != 0 ]; then
        echo "FAIL random scenario $seed: exit $rc"; head -5 "$tmp/err"; failures=$((failures + 1))
    elif ! [ -s "$out/summary.csv" ] || ! [ -s "$out/aggregate.csv" ]; then
        echo "FAIL random scenario $seed: exit 0 without summary.csv and aggregate.csv"
        failures=$((failures + 1))
    fi
    checked=$((checked + 1))
    rm -rf "$out"
    # The same scenario with a value of the wrong kind: exit 2, a located error, nothing written.
    timeout -k 5 20 "$bin" run "$tmp/random.yaml" --out "$out" --quiet --set duration=soon \
        >/dev/null 2>"$tmp/err"
    rc=$?
    judge "random scenario $seed with a bad --set" $rc "$out"
    [ $rc = 2 ] || { echo "FAIL random scenario $seed: a bad --set gave exit $rc"; failures=$((failures + 1)); }
done

echo "exit-code contract: $checked invocations, $failures failures"
[ $failures = 0 ]
