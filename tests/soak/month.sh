#!/usr/bin/env bash
# make soak: the month-long scenario, run for 7, 21 and 28 simulated days, SOAK_ROUNDS times
# interleaved (this VM's speed drifts between minutes; interleaving and medians cancel most of
# it). The last week's time, median(T28) - median(T21), and the 28-day peak memory must be
# within 10% of the first week's, median(T7), and its peak memory. T is CPU time (user +
# system): on an idle machine the wall time of this one-architecture, one-replication run, and
# unlike wall time not inflated by other processes sharing the cores.
set -euo pipefail
bin=$1
scenario=$2
rounds=${SOAK_ROUNDS:-3}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
measure() { # measure DAYS: appends "cpu_s max_rss_kb wall_s" to $tmp/DAYS
    /usr/bin/time -f '%U %S %M %e' -o "$tmp/time" "$bin" run "$scenario" --quiet \
        --set duration="$1"d --out "$tmp/out-$1" >/dev/null
    awk '{print $1 + $2, $3, $4}' "$tmp/time" >>"$tmp/$1"
    [ "$1" = 28 ] || rm -rf "$tmp/out-$1"
}
for r in $(seq 1 "$rounds"); do
    for days in 7 21 28; do
        rm -rf "$tmp/out-$days"
        measure "$days"
    done
    echo "soak: round $r: CPU $(tail -n 1 "$tmp/7" | cut -d' ' -f1) s for 7 d," \
        "$(tail -n 1 "$tmp/21" | cut -d' ' -f1) s for 21 d," \
        "$(tail -n 1 "$tmp/28" | cut -d' ' -f1) s for 28 d (wall $(tail -n 1 "$tmp/28" | cut -d' ' -f3) s)"
done
median() { sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
w7=$(cut -d' ' -f1 "$tmp/7" | median)
w21=$(cut -d' ' -f1 "$tmp/21" | median)
w28=$(cut -d' ' -f1 "$tmp/28" | median)
m7=$(cut -d' ' -f2 "$tmp/7" | median)
m28=$(cut -d' ' -f2 "$tmp/28" | median)
kills=$(grep -c ',kill,' "$tmp/out-28/events.csv" || true)
deploys=$(grep -c ',deploy_batch,' "$tmp/out-28/events.csv" || true)
awk -v w7="$w7" -v w21="$w21" -v w28="$w28" -v m7="$m7" -v m28="$m28" -v k="$kills" -v d="$deploys" -v n="$rounds" 'BEGIN {
    first = w7; last = w28 - w21
    printf "soak: medians of %d rounds, CPU time: first week %.1f s (%.2f s/day), last week %.1f s (%.2f s/day, T28 %.1f - T21 %.1f); peak memory %.1f MB (7 d) vs %.1f MB (28 d); %d kills, %d deployment batches in 28 d\n",
        n, first, first / 7, last, last / 7, w28, w21, m7 / 1024, m28 / 1024, k, d
    ok = (last <= 1.10 * first) && (m28 <= 1.10 * m7)
    print ok ? "soak: flat (last week within 10% of the first, time and memory)" : "soak: GROWS (last week more than 10% above the first, in time or memory)"
    exit ok ? 0 : 1
}'
