#!/usr/bin/env bash
# Mutation campaign: applies each one-line mutation of tests/mutations/mutations.txt to a scratch
# copy of the repository at HEAD, rebuilds, and checks that the test suite catches it.
#
#   bash tests/mutations/run.sh            # every mutation; writes tests/mutations/results.md
#   bash tests/mutations/run.sh ID...      # only these; writes tests/mutations/results-partial.md
#   make mutations
#
# Per mutation: apply (the original text must occur exactly once in its file, or the campaign
# stops), incremental build (a failure is "not compiled", not "caught"), `ctest -L 'unit|scenario'`
# and, only when that passes, `ctest -L validation`; the failing tests are read from ctest's
# list. The file is then restored. The score is caught / compiled; "aimed" means one of the
# failing tests is one the mutation names as expected to catch it.
#
# Environment: JOBS (build and ctest parallelism, default 1), SCRATCH (scratch directory; reused
# when it already holds a build of the same commit, default: a new one under /tmp, removed at
# the end unless KEEP_SCRATCH=1), UNIT_TIMEOUT / VALIDATION_TIMEOUT (seconds per test, default
# 300 / 900), SKIP_BASELINE=1 (do not first check that the unmutated suite passes), RESULTS
# (where to write the table), MUTATIONS (the list; default the one beside this script).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(git -C "$here" rev-parse --show-toplevel)
list=${MUTATIONS:-$here/mutations.txt}
notes=$here/notes.txt
JOBS=${JOBS:-1}
UNIT_TIMEOUT=${UNIT_TIMEOUT:-300}
VALIDATION_TIMEOUT=${VALIDATION_TIMEOUT:-900}
if [ $# -gt 0 ]; then results=${RESULTS:-$here/results-partial.md}; else results=${RESULTS:-$here/results.md}; fi

# The list was written against the code of one commit (its "# commit:" line); the model has
# been restructured since, so by default the campaign runs there. MUTATION_COMMIT=HEAD runs it
# on the current code (mutations whose text is gone are refused before anything is built).
pinned=$(sed -n 's/^# commit: *\([0-9a-f]*\).*/\1/p' "$here/mutations.txt" | head -n 1)
commit=$(git -C "$repo" rev-parse "${MUTATION_COMMIT:-${pinned:-HEAD}}")

# ---- the list: parse and check it before anything is built ----
py_parse=$(
    cat <<'EOF'
import sys
path, wanted = sys.argv[1], sys.argv[2:]
rows, seen = [], set()
for n, line in enumerate(open(path, encoding="utf-8"), 1):
    s = line.rstrip("\n")
    if not s.strip() or s.lstrip().startswith("#"):
        continue
    f = [x.strip() for x in s.split(" | ")]
    if len(f) != 6 or not all(f):
        sys.exit(f"{path}:{n}: expected 6 non-empty fields separated by ' | ', found {len(f)}")
    if f[0] in seen:
        sys.exit(f"{path}:{n}: duplicate id {f[0]}")
    if "\t" in s:
        sys.exit(f"{path}:{n}: tab in a field")
    seen.add(f[0])
    rows.append(f)
missing = [w for w in wanted if w not in seen]
if missing:
    sys.exit("unknown mutation id(s): " + " ".join(missing))
for f in rows:
    if not wanted or f[0] in wanted:
        print("\t".join(f))
EOF
)
# Replaces the original text of one mutation in <root>/<file>; exit 3 unless it occurs once.
py_apply=$(
    cat <<'EOF'
import sys
root, rel, orig, repl = sys.argv[1:5]
p = f"{root}/{rel}"
try:
    text = open(p, encoding="utf-8").read()
except OSError as e:
    print(f"{rel}: {e}", file=sys.stderr); sys.exit(3)
n = text.count(orig)
if n != 1:
    print(f"{rel}: the original text occurs {n} times (expected exactly once): {orig}", file=sys.stderr)
    sys.exit(3)
line = next(l for l in text.splitlines() if orig in l)
if line.replace(orig, repl) == line:
    print(f"{rel}: the replacement changes nothing: {orig}", file=sys.stderr); sys.exit(3)
if len(sys.argv) > 5:  # check only
    sys.exit(0)
open(p, "w", encoding="utf-8").write(text.replace(orig, repl))
EOF
)
# Writes the results table from a results.tsv of the campaign (also: REPORT_FROM=path/results.tsv
# bash run.sh rewrites the table of a finished campaign without running it again).
py_report=$(
    cat <<'EOF'
import datetime, os, sys
table, out, commit, notes_path, list_path = sys.argv[1:6]
rows = [l.rstrip("\n").split("\t") for l in open(table, encoding="utf-8") if l.strip()]
notes = {}
if os.path.exists(notes_path):
    for l in open(notes_path, encoding="utf-8"):
        if l.strip() and not l.startswith("#") and " | " in l:
            k, v = l.split(" | ", 1)
            notes[k.strip()] = v.strip()
what = {}
for l in open(list_path, encoding="utf-8"):
    f = [x.strip() for x in l.split(" | ")]
    if len(f) == 6 and not l.startswith("#"):
        what[f[0]] = f
compiled = [r for r in rows if r[1] != "not compiled"]
caught = [r for r in compiled if r[1] == "caught"]
aimed = [r for r in caught if r[2] == "yes"]
survived = [r for r in compiled if r[1] == "survived"]
errors = [r for r in compiled if r[1] == "error"]
pct = lambda a, b: f"{100.0 * a / b:.1f} %" if b else "n/a"
esc = lambda s: s.replace("|", "\\|")
o = []
o.append("# Mutation campaign results\n")
o.append(f"Commit `{commit}`, {datetime.date.today().isoformat()}, `bash tests/mutations/run.sh` "
         f"({len(rows)} mutations of `tests/mutations/mutations.txt`).\n")
o.append(f"- compiled: {len(compiled)} of {len(rows)} (not compiled: {len(rows) - len(compiled)})")
o.append(f"- **caught: {len(caught)} / {len(compiled)} = {pct(len(caught), len(compiled))}**")
o.append(f"- caught by a test aimed at the bug (one the list names): {len(aimed)} / {len(compiled)} "
         f"= {pct(len(aimed), len(compiled))}")
guard_only = [r for r in caught if r[3] and all(t.startswith("unit-guard:") for t in r[3].split(";"))]
o.append(f"- caught only by the guard tests written for this campaign "
         f"(`tests/unit/mutation_guards_test.cpp`, `unit-guard: ...`; no other unit or scenario "
         f"test failed, and validation is not run once a unit test fails): {len(guard_only)}")
o.append(f"- survived: {len(survived)}" + (f"; errors (ctest did not run, counted as not caught): {len(errors)}" if errors else "") + "\n")
o.append("| id | result | aimed test | catching tests | s |")
o.append("|---|---|---|---|---|")
for r in rows:
    tests = "; ".join(f"`{esc(t)}`" for t in r[3].split(";") if t) if r[3] else ""
    aim = {"yes": "yes", "no": "no: expected " + esc(r[5])}.get(r[2], "")
    o.append(f"| {r[0]} | {r[1]} | {aim} | {tests} | {r[4]} |")
o.append("")
o.append("## Survivors\n")
if not survived:
    o.append("None.\n")
else:
    for r in survived:
        f = what.get(r[0])
        desc = f"`{esc(f[2])}` -> `{esc(f[3])}` in {f[1]}: {f[4]}" if f else ""
        o.append(f"- **{r[0]}** ({desc}). Why: {notes.get(r[0], '(no note in tests/mutations/notes.txt)')}")
    o.append("")
if guard_only:
    o.append("## Caught only by the guard tests\n")
    o.append("No unit or scenario test but the guards failed on these (validation is not run "
             "once a unit test fails); each guard asserts a hand count, a documented value or "
             "theory:\n")
    for r in guard_only:
        o.append(f"- **{r[0]}**: " + "; ".join(f"`{esc(t)}`" for t in r[3].split(";")))
    o.append("")
caught_not_aimed = [r for r in caught if r[2] == "no"]
if caught_not_aimed:
    o.append("## Caught, but not by the test aimed at the bug\n")
    for r in caught_not_aimed:
        o.append(f"- **{r[0]}**: {notes.get(r[0], '(no note in tests/mutations/notes.txt)')}")
    o.append("")
open(out, "w", encoding="utf-8").write("\n".join(o))
print(f"score: caught {len(caught)} / compiled {len(compiled)} = {pct(len(caught), len(compiled))}; "
      f"by the aimed test {len(aimed)} / {len(compiled)} = {pct(len(aimed), len(compiled))}; "
      f"survived {len(survived)}; not compiled {len(rows) - len(compiled)}")
print(f"table: {out}")
EOF
)
report() { # results.tsv commit
    python3 -c "$py_report" "$1" "$results" "$2" "$notes" "$list"
}
if [ -n "${REPORT_FROM:-}" ]; then
    report "$REPORT_FROM" "$(cat "$(dirname "$REPORT_FROM")/commit")"
    exit 0
fi
if ! git -C "$repo" diff --quiet HEAD -- sim include tests ':!tests/mutations' CMakeLists.txt; then
    echo "warning: uncommitted changes under sim/, include/ or tests/ are not part of HEAD and are not tested" >&2
fi
selected=$(python3 -c "$py_parse" "$list" "$@")
[ -n "$selected" ] || { echo "no mutations selected" >&2; exit 2; }
count=$(printf '%s\n' "$selected" | wc -l)

# ---- the scratch copy, configured and built once ----
if [ -n "${SCRATCH:-}" ]; then
    scratch=$SCRATCH
    mkdir -p "$scratch"
else
    scratch=$(mktemp -d /tmp/statesim-mutations.XXXXXX)
fi
src=$scratch/src
build=$src/build
current=""
restore() {
    # Not `cp -p`: the restored file must look newer than the objects built from the mutant.
    if [ -n "$current" ]; then cp "$scratch/pristine/$current" "$src/$current"; current=""; fi
}
cleanup() {
    restore
    if [ -z "${SCRATCH:-}" ] && [ "${KEEP_SCRATCH:-0}" != 1 ]; then rm -rf "$scratch"; else echo "scratch kept: $scratch"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
if [ "$(cat "$scratch/commit" 2>/dev/null)" != "$commit" ] || [ ! -d "$scratch/pristine" ]; then
    echo "copying $commit to $src"
    rm -rf "$src" "$scratch/pristine"
    mkdir -p "$src" "$scratch/pristine"
    git -C "$repo" archive "$commit" | tar -x -C "$src"
    git -C "$repo" archive "$commit" | tar -x -C "$scratch/pristine"
    echo "$commit" >"$scratch/commit"
fi
# Every selected mutation must apply cleanly before hours are spent on the others.
while IFS=$'\t' read -r -u 3 id file orig repl what expect; do
    python3 -c "$py_apply" "$scratch/pristine" "$file" "$orig" "$repl" check ||
        { echo "mutation $id does not apply" >&2; exit 3; }
done 3<<<"$selected"
if [ ! -f "$build/CMakeCache.txt" ]; then
    echo "configuring (Release, tests on)"
    cmake -S "$src" -B "$build" -DSTATESIM_TESTS=ON -DCMAKE_BUILD_TYPE=Release >"$scratch/configure.log" 2>&1 ||
        { cat "$scratch/configure.log"; exit 1; }
fi
# A reused scratch copy may hold a mutated file from an interrupted campaign: restore every file
# that differs from the pristine copy.
(cd "$scratch/pristine" && find sim include -type f) | while read -r f; do
    cmp -s "$scratch/pristine/$f" "$src/$f" || cp "$scratch/pristine/$f" "$src/$f"
done

echo "building (-j$JOBS)"
cmake --build "$build" -j"$JOBS" >"$scratch/build.log" 2>&1 || { tail -50 "$scratch/build.log"; exit 1; }

# Runs ctest for one label; prints the failing tests, one "name (status)" a line.
failing_tests() { # label timeout log
    (cd "$build" && ctest -L "$1" -j"$JOBS" --timeout "$2" </dev/null >"$3" 2>&1) || true
    python3 - "$3" <<'EOF'
import re, sys
text = open(sys.argv[1], encoding="utf-8", errors="replace").read()
if "The following tests FAILED:" in text:
    for line in text.split("The following tests FAILED:", 1)[1].splitlines():
        m = re.match(r"^\s*\d+ - (.*) \(([^()]*)\)\s*$", line)
        if m:
            print(m.group(1) if m.group(2) == "Failed" else f"{m.group(1)} ({m.group(2)})")
elif not re.search(r"100% tests passed", text):
    print("(ctest did not run: see " + sys.argv[1] + ")")
EOF
}

if [ "${SKIP_BASELINE:-0}" != 1 ]; then
    echo "baseline: the unmutated suite must pass"
    for label in 'unit|scenario' validation; do
        timeout=$UNIT_TIMEOUT; [ "$label" = validation ] && timeout=$VALIDATION_TIMEOUT
        bad=$(failing_tests "$label" "$timeout" "$scratch/baseline-${label//|/-}.log")
        if [ -n "$bad" ]; then
            echo "the unmutated suite fails ($label); no mutation can be judged:" >&2
            printf '  %s\n' "$bad" >&2
            exit 1
        fi
    done
fi

# ---- the campaign ----
mkdir -p "$scratch/logs"
table=$scratch/results.tsv
: >"$table"
i=0
while IFS=$'\t' read -r -u 3 id file orig repl what expect; do
    i=$((i + 1))
    start=$(date +%s)
    log=$scratch/logs/$id
    current=$file
    python3 -c "$py_apply" "$src" "$file" "$orig" "$repl" || { echo "mutation $id does not apply" >&2; exit 3; }
    status="" caught_by="" aimed=""
    if ! cmake --build "$build" -j"$JOBS" </dev/null >"$log.build.log" 2>&1; then
        status="not compiled"
    else
        caught_by=$(failing_tests 'unit|scenario' "$UNIT_TIMEOUT" "$log.unit.log")
        [ -n "$caught_by" ] || caught_by=$(failing_tests validation "$VALIDATION_TIMEOUT" "$log.validation.log")
        if [[ "$caught_by" == "(ctest did not run"* ]]; then
            status=error # neither caught nor survived: see the log
        elif [ -n "$caught_by" ]; then
            status=caught
            aimed=no
            IFS=';' read -ra wanted <<<"$expect"
            for w in "${wanted[@]}"; do
                w=$(echo "$w" | sed 's/^ *//; s/ *$//')
                if [ -n "$w" ] && grep -qF -- "$w" <<<"$caught_by"; then aimed=yes; fi
            done
        else
            status=survived
        fi
    fi
    restore
    secs=$(($(date +%s) - start))
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$id" "$status" "$aimed" \
        "$(printf '%s' "$caught_by" | paste -sd ';' -)" "$secs" "$expect" >>"$table"
    printf '[%d/%d] %-36s %-12s %s (%ss)\n' "$i" "$count" "$id" "$status" \
        "$([ "$aimed" = no ] && echo "(not by the aimed test)")" "$secs"
done 3<<<"$selected"

report "$table" "$commit"
