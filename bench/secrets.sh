#!/usr/bin/env bash
# Benchmark: secrets in a generated tree of mixed source code, with ripgrep as the baseline.
#
#   bench/secrets.sh [MEGABYTES]      (default 1024: a 1 GiB tree)
#   RUNS=3 bench/secrets.sh …         how many timed runs (median reported)
#   PEERS=1 bench/secrets.sh …        also time gitleaks and detect-secrets, if on PATH
#                                     (detect-secrets on the first 5% of the tree only: it is slow)
#
# Prints throughput on all cores and with --jobs 1, and the recall of the planted secrets (every
# planted value must be reported, at its exact place, by the right rule, and nothing else).
# ripgrep runs the same provider expressions (`palisade detectors --format patterns`) over the
# same tree. Needs cargo, GNU time, python3 and rg.
set -euo pipefail
cd "$(dirname "$0")/.."
megabytes=${1:-1024}
runs=${RUNS:-3}
root=target/bench-corpus/secrets-$megabytes
corpus=$root/tree

cargo build --release --quiet --locked --example secrets_corpus --bin palisade
rm -rf "$root" && mkdir -p "$root"
planted=$(target/release/examples/secrets_corpus "$corpus" "$megabytes")
bytes=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["bytes"])' "$planted")
echo "corpus: $corpus ($planted)"
target/release/palisade detectors --format patterns > "$root/patterns.txt"
sync # the generated files written out, so that no tool pays for the writeback
cat "$corpus"/*/*/* > /dev/null # warm the page cache for every tool alike

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
timed() { # label, command…: prints wall time (median), peak memory and MB/s
  local label=$1; shift
  local times=() mems=()
  for _ in $(seq "$runs"); do
    /usr/bin/time -f "%e %M" -o "$root/time" "$@" > /dev/null 2>&1 || true
    read -r seconds kib < <(tail -n 1 "$root/time")
    times+=("$seconds"); mems+=("$kib")
  done
  local t m
  t=$(printf '%s\n' "${times[@]}" | median)
  m=$(printf '%s\n' "${mems[@]}" | sort -n | tail -1)
  awk -v l="$label" -v t="$t" -v m="$m" -v b="$bytes" -v r="$runs" \
    'BEGIN {printf "%-22s wall %7.2f s (median of %d)   peak %7.1f MB   %7.0f MB/s\n", l, t, r, m/1024, (t > 0 ? b/1048576/t : 0)}'
}

timed "palisade, all cores" target/release/palisade scan "$corpus" --select SEC001,SEC002 --format json --output "$root/report.json"
timed "palisade --jobs 1" target/release/palisade scan "$corpus" --select SEC001,SEC002 --format json --output /dev/null --jobs 1
timed "rg, same patterns" rg --no-unicode -c -f "$root/patterns.txt" "$corpus"
timed "rg --jobs 1" rg --no-unicode -j 1 -c -f "$root/patterns.txt" "$corpus"

python3 - "$root/report.json" "$root/planted-secrets.txt" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
planted = {tuple(line.split(" ", 1)) for line in open(sys.argv[2]).read().splitlines()}
found = set()
lines = {}
for f in report["findings"]:
    text = lines.setdefault(f["path"], open(f["path"]).read().splitlines())[f["start"]["line"] - 1]
    start = f["start"]["column"] - 1
    found.add((f["rule_id"], text[start:start + f["end"]["column"] - f["start"]["column"]]))
missed, extra = planted - found, found - planted
print(f"planted {len(planted)}, found {len(found & planted)}, missed {len(missed)}, extra {len(extra)}")
if missed or extra:
    sys.exit(f"MISMATCH: missed {sorted(missed)[:5]}, extra {sorted(extra)[:5]}")
print("recall 100%: every planted secret found at its place, nothing else reported")
PY

if [ "${PEERS:-0}" = 1 ] && command -v gitleaks > /dev/null; then
  runs=1 timed "gitleaks dir" gitleaks dir "$corpus" --no-banner --exit-code 0 -f json -r "$root/gitleaks.json"
fi
if [ "${PEERS:-0}" = 1 ] && command -v detect-secrets > /dev/null; then
  subset=$root/subset && mkdir -p "$subset"
  find "$corpus" -type f | sort | awk 'NR % 20 == 0' | xargs -I{} cp {} "$subset/"
  subset_bytes=$(du -sb "$subset" | cut -f1)
  /usr/bin/time -f "%e %M" -o "$root/time" sh -c "cd '$subset' && detect-secrets scan --all-files --no-verify . > ../detect-secrets.json" || true
  read -r seconds kib < <(tail -n 1 "$root/time")
  awk -v t="$seconds" -v m="$kib" -v b="$subset_bytes" \
    'BEGIN {printf "%-22s wall %7.2f s (one run, 5%% subset)   peak %7.1f MB   %7.1f MB/s\n", "detect-secrets", t, m/1024, b/1048576/t}'
fi
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB"
