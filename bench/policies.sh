#!/usr/bin/env bash
# Benchmark: the cost of users' Rego policies on the generated monorepo.
#
#   bench/policies.sh [FILES]          (default: 10000, the tree bench/monorepo.sh makes)
#   RUNS=5 bench/policies.sh …         timed runs per measurement (median reported)
#
# The policy set is the three shipped examples (examples/policies) and the seventeen of
# bench/policies: twenty policies over every format, reading documents and the model. The script
# prints the built-in scan's time, the time with all twenty, and each policy's own cost (the scan
# with it alone, less the built-in scan), on all cores and with --jobs 1, plus each policy's
# finding count. A policy's findings are reported like any other (sorted, fingerprinted, written
# out), so a policy that finds much also costs its findings.
# Needs cargo, python3 and GNU time; makes the tree with bench/monorepo.sh when it is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
size=${1:-10000}
runs=${RUNS:-3}
tree=target/bench-corpus/monorepo-$size/tree
[ -d "$tree" ] || RUNS=1 bench/monorepo.sh "$size" > /dev/null
cargo build --release --quiet --locked --bin palisade
bin=target/release/palisade
sets=(--policy examples/policies --policy bench/policies)

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
seconds() { # seconds of the median of $runs runs of: palisade scan TREE --no-config ARGS…
  local times=()
  for _ in $(seq "$runs"); do
    /usr/bin/time -f "%e" -o target/bench-time "$bin" scan "$tree" --no-config -f json -o /dev/null "$@" > /dev/null 2>&1 || true
    times+=("$(tail -n 1 target/bench-time)")
  done
  printf '%s\n' "${times[@]}" | median
}

for jobs in 0 1; do
  label=$([ "$jobs" = 0 ] && echo "all cores" || echo "--jobs 1")
  base=$(seconds --jobs "$jobs")
  all=$(seconds --jobs "$jobs" "${sets[@]}")
  awk -v l="$label" -v b="$base" -v a="$all" \
    'BEGIN {printf "%-10s built-in rules %.2f s, with the 20 policies %.2f s (%.2fx)\n", l, b, a, a / b}'
done

echo
echo "Each policy alone (all cores), over the built-in scan:"
base=$(seconds)
"$bin" scan "$tree" --no-config -f json -o target/bench-policies.json "${sets[@]}" > /dev/null 2>&1 || true
for file in examples/policies/*/*.rego bench/policies/*.rego; do
  case "$file" in *_test.rego) continue ;; esac
  id=$(grep -o '"id": "[^"]*"' "$file" | head -1 | cut -d'"' -f4)
  t=$(seconds --policy "$file")
  count=$(python3 -c 'import json,sys; print(sum(1 for f in json.load(open(sys.argv[1]))["findings"] if f["rule_id"] == sys.argv[2]))' target/bench-policies.json "$id")
  awk -v f="$file" -v id="$id" -v t="$t" -v b="$base" -v n="$count" \
    'BEGIN {printf "  %-8s %-52s %+6.0f ms  %6d findings\n", id, f, (t - b) * 1000, n}'
done
