#!/usr/bin/env bash
# Mutation campaign: applies each one-line mutation of tests/mutations/mutations.txt to a scratch
# copy of the repository, rebuilds, and checks that the test suite catches it.
#
#   bash tests/mutations/run.sh            # every mutation; writes tests/mutations/results.md
#   bash tests/mutations/run.sh ID...      # only these; writes tests/mutations/results-partial.md
#   make mutate                            # (make mutations is the same)
#
# Per mutation: apply (the original text must occur exactly once in its file, or the campaign
# stops), then
#   1. aimed: build only the test executable(s) holding the tests the mutation names and run
#      just those (`ctest -R`); if one fails the mutation is caught by its aimed test;
#   2. suite: otherwise build everything and run `ctest -L 'unit|scenario'`, and, only when that
#      passes, 3. `ctest -L validation`.
# A build failure is "not compiled", not "caught". The file is then restored. The score is
# caught / compiled; "aimed" means one of the failing tests is one the mutation names. The
# table records which stages ran (a mutation caught at stage 1 is not run against the rest of
# the suite, so its "catching tests" are only the aimed ones that failed).
#
# Every name a mutation expects must match at least one ctest test (checked before the
# campaign starts), so a renamed test cannot turn into a silent "not aimed".
#
# Environment: JOBS (build parallelism, default 1), CTEST_JOBS (test parallelism, default
# JOBS), SCRATCH (scratch directory; reused when it already holds a build, and synchronised
# file by file to the commit so only what changed is rebuilt; default: a new one under /tmp,
# removed at the end unless KEEP_SCRATCH=1), UNIT_TIMEOUT / VALIDATION_TIMEOUT (seconds per
# test, default 300 / 900), SKIP_BASELINE=1 (do not first check that the unmutated suite
# passes), RESULTS (where to write the table), MUTATIONS (the list; default the one beside
# this script), MUTATION_COMMIT (the commit to mutate; default the list's "# commit:" line when
# it names one, else HEAD).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(git -C "$here" rev-parse --show-toplevel)
list=${MUTATIONS:-$here/mutations.txt}
notes=$here/notes.txt
JOBS=${JOBS:-1}
CTEST_JOBS=${CTEST_JOBS:-$JOBS}
UNIT_TIMEOUT=${UNIT_TIMEOUT:-300}
VALIDATION_TIMEOUT=${VALIDATION_TIMEOUT:-900}
if [ $# -gt 0 ]; then results=${RESULTS:-$here/results-partial.md}; else results=${RESULTS:-$here/results.md}; fi

# A list written against the code of one commit says so in a "# commit: <hash>" line (the old
# list, mutations-e6fb111.txt, does); the campaign then runs there. The current list says
# "# commit: HEAD" and runs on the code it is committed with. MUTATION_COMMIT overrides both
# (mutations whose text is gone are refused before anything is built).
pinned=$(sed -n 's/^# commit: *\([0-9a-f]\{7,40\}\)\b.*/\1/p' "$list" | head -n 1)
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
table, out, commit, notes_path, list_path, wall = sys.argv[1:7]
what = {}
for l in open(list_path, encoding="utf-8"):
    f = [x.strip() for x in l.split(" | ")]
    if len(f) == 6 and not l.startswith("#"):
        what[f[0]] = f
# `table` may name several results.tsv files separated by ":" (REPORT_FROM, a campaign and its
# reruns): a later file's row replaces an earlier one of the same id, and the row notes its commit.
tables = table.split(":")
commits = commit.split(":")
by_id, order = {}, []
for k, path in enumerate(tables):
    for l in open(path, encoding="utf-8"):
        if not l.strip():
            continue
        r = l.rstrip("\n").split("\t")
        while len(r) < 7:
            r.append("")
        r.append(commits[k] if k < len(commits) else "")
        if r[0] not in by_id:
            order.append(r[0])
        by_id[r[0]] = r
# A mutation taken out of the list since (found equivalent: it changes no behaviour) leaves the
# table and is listed with its note.
removed = [i for i in order if i not in what]
rows = [by_id[i] for i in order if i in what]
several = len(set(r[7] for r in rows)) > 1
notes = {}
if os.path.exists(notes_path):
    for l in open(notes_path, encoding="utf-8"):
        if l.strip() and not l.startswith("#") and " | " in l:
            k, v = l.split(" | ", 1)
            notes[k.strip()] = v.strip()
compiled = [r for r in rows if r[1] != "not compiled"]
caught = [r for r in compiled if r[1] == "caught"]
aimed = [r for r in caught if r[2] == "yes"]
survived = [r for r in compiled if r[1] == "survived"]
errors = [r for r in compiled if r[1] == "error"]
pct = lambda a, b: f"{100.0 * a / b:.1f} %" if b else "n/a"
esc = lambda s: s.replace("|", "\\|")
o = []
o.append("# Mutation campaign results\n")
o.append(f"Commit `{commits[0]}`" + (f" (rows marked with a later commit were rerun there: "
         f"{', '.join('`' + c + '`' for c in commits[1:])})" if several else "")
         + f", {datetime.date.today().isoformat()}, `bash tests/mutations/run.sh` "
         f"({len(rows)} mutations of `tests/mutations/{os.path.basename(list_path)}`)"
         + (f", campaign wall time {int(wall) // 60} min {int(wall) % 60} s." if wall else ".") + "\n")
o.append("Each mutation first runs only the tests it names (stage `aimed`); when none of them "
         "fails, everything is built and `ctest -L 'unit|scenario'` runs (`+suite`), and when "
         "that passes too, `ctest -L validation` (`+validation`). A mutation caught at the "
         "aimed stage lists only the aimed tests that failed.\n")
o.append(f"- compiled: {len(compiled)} of {len(rows)} (not compiled: {len(rows) - len(compiled)})")
o.append(f"- **caught: {len(caught)} / {len(compiled)} = {pct(len(caught), len(compiled))}**")
o.append(f"- caught by a test aimed at the bug (one the list names): {len(aimed)} / {len(compiled)} "
         f"= {pct(len(aimed), len(compiled))}")
guard_only = [r for r in caught if r[3] and all(t.startswith("unit-guard:") for t in r[3].split(";"))]
o.append(f"- caught by a guard test written for a campaign "
         f"(`tests/unit/mutation_guards_test.cpp`, `unit-guard: ...`) and by no other failing "
         f"test that ran: {len(guard_only)}")
o.append(f"- survived: {len(survived)}" + (f"; errors (ctest did not run, counted as not caught): {len(errors)}" if errors else "") + "\n")
o.append("| id | result | aimed test | stages run | catching tests | s |" + (" commit |" if several else ""))
o.append("|---|---|---|---|---|---|" + ("---|" if several else ""))
for r in rows:
    tests = "; ".join(f"`{esc(t)}`" for t in r[3].split(";") if t) if r[3] else ""
    aim = {"yes": "yes", "no": "no: expected " + esc(r[5])}.get(r[2], "")
    stages = r[6] if len(r) > 6 else ""
    o.append(f"| {r[0]} | {r[1]} | {aim} | {stages} | {tests} | {r[4]} |" + (f" {r[7][:7]} |" if several else ""))
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
    o.append("Only a guard test failed on these among the tests that ran; each guard asserts a "
             "hand count, a documented value or theory:\n")
    for r in guard_only:
        o.append(f"- **{r[0]}**: " + "; ".join(f"`{esc(t)}`" for t in r[3].split(";")))
    o.append("")
caught_not_aimed = [r for r in caught if r[2] == "no"]
if caught_not_aimed:
    o.append("## Caught, but not by the test aimed at the bug\n")
    for r in caught_not_aimed:
        o.append(f"- **{r[0]}**: {notes.get(r[0], '(no note in tests/mutations/notes.txt)')}")
    o.append("")
history = [r for r in caught if r[0] in notes and r[2] == "yes"]
if history:
    o.append("## Caught after a guard was added\n")
    o.append("These survived (or were caught only by an unaimed test) in an earlier pass; the note "
             "says what was missing and which guard was added before the rerun:\n")
    for r in history:
        o.append(f"- **{r[0]}**: {notes[r[0]]}")
    o.append("")
if removed:
    o.append("## Removed as equivalent\n")
    o.append("Run, then taken out of the list (a `#=` line in it): the mutated code behaves as the "
             "original, so no test can catch it.\n")
    for i in removed:
        o.append(f"- **{i}**: {notes.get(i, '(no note in tests/mutations/notes.txt)')}")
    o.append("")
open(out, "w", encoding="utf-8").write("\n".join(o))
print(f"score: caught {len(caught)} / compiled {len(compiled)} = {pct(len(caught), len(compiled))}; "
      f"by the aimed test {len(aimed)} / {len(compiled)} = {pct(len(aimed), len(compiled))}; "
      f"survived {len(survived)}; not compiled {len(rows) - len(compiled)}")
print(f"table: {out}")
EOF
)
report() { # results.tsv commit [wall seconds]
    python3 -c "$py_report" "$1" "$results" "$2" "$notes" "$list" "${3:-}"
}
if [ -n "${REPORT_FROM:-}" ]; then
    # REPORT_FROM=a/results.tsv[:b/results.tsv...]: each beside its "commit" and "wall" files.
    commits="" walls=0
    IFS=':' read -ra froms <<<"$REPORT_FROM"
    for f in "${froms[@]}"; do
        commits+="${commits:+:}$(cat "$(dirname "$f")/commit")"
        walls=$((walls + $(cat "$(dirname "$f")/wall" 2>/dev/null || echo 0)))
    done
    report "$REPORT_FROM" "$commits" "$walls"
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
if [ ! -d "$scratch/pristine" ] || [ ! -d "$src" ]; then
    echo "copying $commit to $src"
    rm -rf "$src" "$scratch/pristine"
    mkdir -p "$src" "$scratch/pristine"
    git -C "$repo" archive "$commit" | tar -x -C "$src"
    git -C "$repo" archive "$commit" | tar -x -C "$scratch/pristine"
    echo "$commit" >"$scratch/commit"
elif [ "$(cat "$scratch/commit" 2>/dev/null)" != "$commit" ]; then
    # Another commit: bring the copy there file by file (unchanged files keep their time
    # stamps, so the build stays incremental).
    echo "synchronising $src to $commit"
    rm -rf "$scratch/next"
    mkdir -p "$scratch/next"
    git -C "$repo" archive "$commit" | tar -x -C "$scratch/next"
    python3 - "$scratch/next" "$src" "$scratch/pristine" <<'EOF'
import filecmp, os, shutil, sys
new, src, pristine = sys.argv[1:4]
want = set()
for d, _, files in os.walk(new):
    for f in files:
        want.add(os.path.relpath(os.path.join(d, f), new))
for root in (src, pristine):
    for rel in want:
        a, b = os.path.join(new, rel), os.path.join(root, rel)
        if not os.path.exists(b) or not filecmp.cmp(a, b, shallow=False):
            os.makedirs(os.path.dirname(b), exist_ok=True)
            shutil.copyfile(a, b)
    for d, dirs, files in os.walk(root):
        if os.path.relpath(d, root) == ".":
            dirs[:] = [x for x in dirs if x != "build"]
        for f in files:
            rel = os.path.relpath(os.path.join(d, f), root)
            if rel not in want:
                os.remove(os.path.join(d, f))
EOF
    rm -rf "$scratch/next"
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

# Runs ctest (its selection arguments follow the timeout and the log); prints the failing
# tests, one "name (status)" a line.
failing_tests() { # timeout log ctest-selection...
    local timeout=$1 out=$2
    shift 2
    (cd "$build" && ctest "$@" -j"$CTEST_JOBS" --timeout "$timeout" </dev/null >"$out" 2>&1) || true
    python3 - "$out" <<'EOF'
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

# The tests each mutation aims at: "id<TAB>targets<TAB>test numbers" (ctest -N numbering), or
# an error naming every expected name that matches no test.
(cd "$build" && ctest -N) >"$scratch/tests.txt"
aimed_plan=$(printf '%s\n' "$selected" | python3 -c '
import re, sys
tests = []
for line in open(sys.argv[1], encoding="utf-8", errors="replace"):
    m = re.match(r"^\s*Test\s+#(\d+): (.*)$", line.rstrip("\n"))
    if m:
        tests.append((int(m.group(1)), m.group(2)))
def target(name):
    if name == "scenario-cli": return "statesim"
    return "statesim_" + name.split("-", 1)[0] + "_tests"
bad = []
for row in sys.stdin.read().splitlines():
    f = row.split("\t")
    nums, targets = [], set()
    for w in (x.strip() for x in f[5].split(";")):
        if not w: continue
        hit = [(n, t) for n, t in tests if w in t]
        if not hit: bad.append(f"{f[0]}: no test matches {w!r}")
        for n, t in hit:
            nums.append(n); targets.add(target(t))
    print(f"{f[0]}\t{chr(32).join(sorted(targets))}\t{chr(44).join(map(str, sorted(set(nums))))}")
if bad:
    sys.exit("\n".join(bad))
' "$scratch/tests.txt") || { echo "the list names tests that do not exist (fix the names)" >&2; exit 3; }

if [ "${SKIP_BASELINE:-0}" != 1 ]; then
    echo "baseline: the unmutated suite must pass"
    for label in 'unit|scenario' validation; do
        timeout=$UNIT_TIMEOUT; [ "$label" = validation ] && timeout=$VALIDATION_TIMEOUT
        t0=$(date +%s)
        bad=$(failing_tests "$timeout" "$scratch/baseline-${label//|/-}.log" -L "$label")
        echo "  ctest -L '$label': $(($(date +%s) - t0)) s"
        if [ -n "$bad" ]; then
            echo "the unmutated suite fails ($label); no mutation can be judged:" >&2
            printf '  %s\n' "$bad" >&2
            exit 1
        fi
    done
fi

# ---- the campaign ----
mkdir -p "$scratch/logs"
campaign_start=$(date +%s)
table=$scratch/results.tsv
: >"$table"
i=0
while IFS=$'\t' read -r -u 3 id file orig repl what expect; do
    i=$((i + 1))
    start=$(date +%s)
    log=$scratch/logs/$id
    current=$file
    python3 -c "$py_apply" "$src" "$file" "$orig" "$repl" || { echo "mutation $id does not apply" >&2; exit 3; }
    status="" caught_by="" aimed="" ran=""
    plan=$(awk -F'\t' -v id="$id" '$1 == id' <<<"$aimed_plan")
    targets=$(cut -f2 <<<"$plan") numbers=$(cut -f3 <<<"$plan")
    build_args=()
    for t in $targets; do build_args+=(--target "$t"); done
    if ! cmake --build "$build" -j"$JOBS" "${build_args[@]}" </dev/null >"$log.build.log" 2>&1; then
        status="not compiled"
    else
        # 1. the aimed tests alone
        ran=aimed
        caught_by=$(failing_tests "$UNIT_TIMEOUT" "$log.aimed.log" -I "0,0,0,$numbers")
        if [ -z "$caught_by" ]; then
            # 2. everything else: build all, the unit and scenario suites, then validation
            if ! cmake --build "$build" -j"$JOBS" </dev/null >>"$log.build.log" 2>&1; then
                status="not compiled"
            else
                ran=aimed+suite
                caught_by=$(failing_tests "$UNIT_TIMEOUT" "$log.unit.log" -L 'unit|scenario')
                if [ -z "$caught_by" ]; then
                    ran=aimed+suite+validation
                    caught_by=$(failing_tests "$VALIDATION_TIMEOUT" "$log.validation.log" -L validation)
                fi
            fi
        fi
        if [ "$status" = "not compiled" ]; then
            :
        elif [[ "$caught_by" == "(ctest did not run"* ]]; then
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
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$id" "$status" "$aimed" \
        "$(printf '%s' "$caught_by" | paste -sd ';' -)" "$secs" "$expect" "$ran" >>"$table"
    printf '[%d/%d] %-40s %-12s %-24s %s (%ss)\n' "$i" "$count" "$id" "$status" "$ran" \
        "$([ "$aimed" = no ] && echo "(not by the aimed test)")" "$secs"
done 3<<<"$selected"

wall=$(($(date +%s) - campaign_start))
echo "$wall" >"$scratch/wall"
report "$table" "$commit" "$wall"
