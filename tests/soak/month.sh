#!/usr/bin/env bash
# make soak: the month-long scenario run for its first week and for four weeks; wall time per
# simulated day and peak memory must not grow (four weeks within 10% of one week, per day).
set -euo pipefail
bin=$1
scenario=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
measure() { # measure DAYS -> "wall_s max_rss_kb"
    /usr/bin/time -f '%e %M' -o "$tmp/time" "$bin" run "$scenario" --quiet \
        --set duration="$1"d --out "$tmp/out-$1" >/dev/null
    cat "$tmp/time"
}
read -r w7 m7 <<<"$(measure 7)"
read -r w28 m28 <<<"$(measure 28)"
kills=$(grep -c ',kill,' "$tmp/out-28/events.csv" || true)
deploys=$(grep -c ',deploy_batch,' "$tmp/out-28/events.csv" || true)
awk -v w7="$w7" -v m7="$m7" -v w28="$w28" -v m28="$m28" -v k="$kills" -v d="$deploys" 'BEGIN {
    printf "soak: 7 d in %.1f s (%.2f s/day), %.1f MB; 28 d in %.1f s (%.2f s/day), %.1f MB; %d kills, %d deployment batches\n",
        w7, w7 / 7, m7 / 1024, w28, w28 / 28, m28 / 1024, k, d
    ok = (w28 / 28 <= 1.10 * w7 / 7) && (m28 <= 1.10 * m7)
    print ok ? "soak: flat (within 10%)" : "soak: GROWS (more than 10% per day or in memory)"
    exit ok ? 0 : 1
}'
