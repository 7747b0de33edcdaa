#!/usr/bin/env bash
# make soak: the month-long scenario, run for 7, 21 and 28 simulated days, SOAK_ROUNDS times
# interleaved. T is CPU time (user + system). On a shared VM other tenants can only slow a run
# down, never speed it up: the fastest of the rounds is the best estimate of a run's own cost,
# so the check compares minima (medians are printed beside them). The last week's time,
# min(T28) - min(T21), and the 28-day peak memory must be within 10% of the first week's,
# min(T7), and its peak memory. The requests simulated in each week (deterministic) are
# printed too: time per week only means something if the weeks carry similar work.
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
    awk -F, 'NR == 1 {for (i = 1; i <= NF; ++i) col[$i] = i; next}
        {n += $col["requests_ok"] + $col["requests_failed"]} END {print n}' "$tmp/out-$1/summary.csv" >"$tmp/requests-$1"
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
minimum() { sort -g | head -n 1; }
stat() { cut -d' ' -f"$2" "$tmp/$1" | $3; } # stat DAYS FIELD median|minimum
kills=$(grep -c ',kill,' "$tmp/out-28/events.csv" || true)
deploys=$(grep -c ',deploy_batch,' "$tmp/out-28/events.csv" || true)
awk -v n7="$(stat 7 1 minimum)" -v n21="$(stat 21 1 minimum)" -v n28="$(stat 28 1 minimum)" \
    -v d7="$(stat 7 1 median)" -v d21="$(stat 21 1 median)" -v d28="$(stat 28 1 median)" \
    -v m7="$(stat 7 2 median)" -v m28="$(stat 28 2 median)" \
    -v r7="$(cat "$tmp/requests-7")" -v r21="$(cat "$tmp/requests-21")" \
    -v r28="$(cat "$tmp/requests-28")" -v k="$kills" -v d="$deploys" -v n="$rounds" 'BEGIN {
    first = n7; last = n28 - n21
    printf "soak: %d rounds; CPU time of the fastest runs: first week %.1f s (%.2f s/day), last week %.1f s (%.2f s/day, T28 %.1f - T21 %.1f), %+.1f%%\n",
        n, first, first / 7, last, last / 7, n28, n21, 100 * (last / first - 1)
    printf "soak: medians: first week %.1f s, last week %.1f s (T28 %.1f - T21 %.1f)\n", d7, d28 - d21, d28, d21
    printf "soak: requests simulated: first week %d, last week %d (T28 - T21); peak memory %.1f MB (7 d) vs %.1f MB (28 d); %d kills, %d deployment batches in 28 d\n",
        r7, r28 - r21, m7 / 1024, m28 / 1024, k, d
    ok = (last <= 1.10 * first) && (m28 <= 1.10 * m7)
    print ok ? "soak: flat (last week within 10% of the first, time and memory)" : "soak: GROWS (last week more than 10% above the first, in time or memory)"
    exit ok ? 0 : 1
}'
