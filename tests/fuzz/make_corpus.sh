#!/usr/bin/env bash
# Builds the fuzzers' seed corpora from the repository into OUT (default tests/fuzz/corpus):
#   fuzz_config, fuzz_check: every scenarios/**/*.yaml and every YAML raw string of tests/
#   fuzz_set: one --set per file (first byte picks the base), from tests/ and docs/
#   fuzz_units: the quoted values of tests/unit/units_test.cpp and docs' unit examples
# Files are named by content hash, so reruns are idempotent. OUT/regressions/ is not touched.
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=${1:-tests/fuzz/corpus}
PY=$(command -v python3)
"$PY" - "$OUT" <<'PYEOF'
import glob, hashlib, os, re, sys

out = sys.argv[1]

def put(target, data):
    if isinstance(data, str):
        data = data.encode()
    if not data or len(data) > 64 * 1024:
        return
    d = os.path.join(out, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, hashlib.sha1(data).hexdigest()[:16]), "wb") as f:
        f.write(data)

# Whole files.
yamls = [open(p).read() for p in sorted(glob.glob("scenarios/**/*.yaml", recursive=True))]
raw = re.compile(r'R"\((.*?)\)"', re.S)
for p in sorted(glob.glob("tests/**/*.cpp", recursive=True)):
    for m in raw.finditer(open(p).read()):
        s = m.group(1)
        if ":" in s and "\n" in s:
            yamls.append(s)
for y in yamls:
    put("fuzz_config", y)
    put("fuzz_check", y)

# --set overrides: from tests (o.sets = {...}, sets = {...}, --set X) and the docs' reference
# tables (dotted key + example value).
sets = set()
for p in sorted(glob.glob("tests/**/*.cpp", recursive=True)) + ["tests/scenario/cli_test.sh"]:
    text = open(p).read()
    for m in re.finditer(r'sets\s*=\s*\{([^;]*?)\};', text, re.S):
        for s in re.findall(r'"((?:[^"\\]|\\.)*)"', m.group(1)):
            sets.add(s.encode().decode("unicode_escape"))
    for m in re.finditer(r"--set\s+('([^']*)'|(\S+))", text):
        sets.add(m.group(2) or m.group(3))
doc = open("docs/configuration.md").read()
for m in re.finditer(r"^\| `([a-z_.\[\]]+)` \|.*\| `([^`]*)` \|\s*$", doc, re.M):
    key, example = m.group(1), m.group(2)
    if "[]" in key or ":" not in example:
        continue
    value = example.split(":", 1)[1].strip()
    sets.add(f"{key}={value}")
for i, s in enumerate(sorted(sets)):
    if "=" in s and "$" not in s:
        put("fuzz_set", bytes([i % 2]) + s.encode())
# A few multi-override inputs.
put("fuzz_set", b"\x00cluster.nodes=8\nworkload.sessions.arrival.rate=200/s\nduration=30m")
put("fuzz_set", b"\x01seed=3\nreplications=2\nwarmup=30s\ncluster={nodes: 2, workers: 2}")

# Unit strings.
units = set()
for s in re.findall(r'units::\w+\("((?:[^"\\]|\\.)*)"', open("tests/unit/units_test.cpp").read()):
    units.add(s)
for m in re.finditer(r"\b(\d+(?:\.\d+)?(?:e[+-]?\d+)?(?:ns|us|ms|s|m|min|h|d|/s|/min|/h|%|B|KB|KiB|MB|MiB|GB|GiB|MiB/s|KiB/s|GB/s))\b", doc):
    units.add(m.group(1))
units.update(["0.6", "60%", "10MiB/s", "36500d", " 5 s ", "+1e3ms", "1e-9ns"])
for s in sorted(units):
    put("fuzz_units", s)
PYEOF
for t in fuzz_config fuzz_check fuzz_set fuzz_units; do
  echo "$t: $(ls "$OUT/$t" | wc -l) files, $(du -sk "$OUT/$t" | cut -f1) KiB"
done
