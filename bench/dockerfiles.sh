#!/usr/bin/env bash
# Benchmark: scan a generated tree of Dockerfiles with the release binary.
#
#   bench/dockerfiles.sh [COUNT] [RUNS]      (defaults: 10000 files, 5 runs)
#   PEERS=1 bench/dockerfiles.sh             also time hadolint, if it is on PATH, on the same files
#
# Prints wall time (median of RUNS), peak memory, throughput, the same with --jobs 1, and checks
# that every planted core-policy violation was found. Needs only cargo and GNU time.
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-10000}
runs=${2:-5}
corpus=target/bench-corpus/dockerfiles-$count

cargo build --release --quiet --locked --example dockerfile_corpus --bin palisade
rm -rf "$corpus"
planted=$(target/release/examples/dockerfile_corpus "$corpus" "$count")
echo "corpus: $corpus ($planted)"

measure() { # prints "seconds peak_kib" for one run
  /usr/bin/time -f "%e %M" -o target/bench-time target/release/palisade scan "$corpus" --format json --output target/bench-report.json "$@" >/dev/null || [ $? -eq 1 ]
  tail -n 1 target/bench-time
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

report() { # label, extra flags...
  local label=$1; shift
  local times=() mems=()
  for _ in $(seq "$runs"); do
    read -r seconds kib < <(measure "$@")
    times+=("$seconds"); mems+=("$kib")
  done
  local t m
  t=$(printf '%s\n' "${times[@]}" | median)
  m=$(printf '%s\n' "${mems[@]}" | sort -n | tail -1)
  awk -v l="$label" -v t="$t" -v m="$m" -v n="$count" \
    'BEGIN {printf "%-12s wall %6.3f s (median of '"$runs"')   peak %6.1f MB   %8.0f files/s\n", l, t, m/1024, (t > 0 ? n/t : 0)}'
}

cores=$(nproc)
report "all cores" ; cp target/bench-report.json target/bench-report-all.json
report "--jobs 1" --jobs 1

python3 - "$planted" target/bench-report-all.json <<'PY'
import json, sys
planted = json.loads(sys.argv[1])["planted"]
report = json.load(open(sys.argv[2]))
found = {}
for f in report["findings"]:
    found[f["rule_id"]] = found.get(f["rule_id"], 0) + 1
bad = {r: (n, found.get(r, 0)) for r, n in planted.items() if found.get(r, 0) != n}
print("planted core findings:", planted, "found:", {r: found.get(r, 0) for r in planted})
if bad:
    sys.exit(f"MISMATCH (planted, found): {bad}")
print("all planted findings found, no extra ones")
PY
if [ "${PEERS:-0}" = 1 ] && command -v hadolint >/dev/null; then
  find "$corpus" -name Dockerfile | sort > target/bench-files.txt
  /usr/bin/time -f "%e %M" -o target/bench-time sh -c 'xargs hadolint --no-fail -f json < target/bench-files.txt > /dev/null'
  read -r seconds kib < <(tail -n 1 target/bench-time)
  awk -v t="$seconds" -v m="$kib" -v n="$count" \
    'BEGIN {printf "%-12s wall %6.3f s (one run)         peak %6.1f MB   %8.0f files/s\n", "hadolint", t, m/1024, n/t}'
fi
echo "machine: $cores cores, $(free -g | awk '/Mem:/ {print $2}') GiB"
