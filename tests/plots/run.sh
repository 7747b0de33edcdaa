#!/usr/bin/env bash
# ctest entry for the plots: runs test_plots.py (mode "unit") or renders a fixture's report and
# opens it in headless chromium (mode "browser") with the first python that has matplotlib
# (Debian's /usr/bin/python3 first: a pyenv python3 on the PATH may lack it).
# Exit 77 (ctest SKIP_RETURN_CODE) when there is no such python, or, for "browser", no chromium.
set -u
here=$(cd "$(dirname "$0")" && pwd)
mode=${1:-unit}
python=""
# STATESIM_PLOT_PYTHONS overrides the candidates (e.g. to see the skip: =/bin/false).
for p in ${STATESIM_PLOT_PYTHONS:-/usr/bin/python3 python3}; do
  if "$p" -c 'import matplotlib' 2>/dev/null; then python=$p; break; fi
done
if [ -z "$python" ]; then
  echo "no python with matplotlib (apt-get install python3-matplotlib): skipped"
  exit 77
fi
case $mode in
  unit) exec "$python" "$here/test_plots.py" ;;
  browser)
    tmp=$(mktemp -d) || exit 1
    trap 'rm -rf "$tmp"' EXIT
    cp -r "$here/fixtures/comparison" "$tmp/run"
    "$python" "$here/../../plots/plot_results.py" "$tmp/run" || exit 1
    "$python" "$here/../../plots/report_check.py" "$tmp/run"
    exit $? ;;
  *) echo "usage: run.sh [unit|browser]" >&2; exit 2 ;;
esac
