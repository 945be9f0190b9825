#!/usr/bin/env bash
# Benchmark: scan a generated corpus with the release binary.
#
#   bench/scan.sh dockerfiles [COUNT]               (default 10000 Dockerfiles)
#   bench/scan.sh manifests [MANIFESTS] [COMPOSE]   (default 10000 manifests, 2000 compose files)
#   bench/scan.sh terraform [TF_FILES]              (default 5000 .tf files, plus a tfvars per module)
#   bench/scan.sh terraform-json [TF_FILES]         the same modules in Terraform's JSON syntax
#   RUNS=5 bench/scan.sh …                          how many timed runs (median reported)
#   PEERS=1 bench/scan.sh dockerfiles|terraform     also time hadolint / Checkov, if on PATH
#
# Prints wall time (median), peak memory and throughput on all cores and with --jobs 1, and
# checks that exactly the planted core-policy violations were found. Needs cargo and GNU time.
set -euo pipefail
cd "$(dirname "$0")/.."
corpus_kind=${1:-dockerfiles}
runs=${RUNS:-5}
case "$corpus_kind" in
  dockerfiles) generator=dockerfile_corpus; sizes=("${2:-10000}") ;;
  manifests) generator=manifest_corpus; sizes=("${2:-10000}" "${3:-2000}") ;;
  terraform) generator=terraform_corpus; sizes=("${2:-5000}") ;;
  terraform-json) generator=terraform_corpus; sizes=("${2:-5000}") ;;
  *) echo "unknown corpus: $corpus_kind (dockerfiles, manifests, terraform or terraform-json)" >&2; exit 2 ;;
esac
corpus=target/bench-corpus/$corpus_kind-$(IFS=-; echo "${sizes[*]}")
[ "$corpus_kind" = terraform-json ] && sizes+=(json)

cargo build --release --quiet --locked --example "$generator" --bin palisade
rm -rf "$corpus"
planted=$(target/release/examples/$generator "$corpus" "${sizes[@]}")
count=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["files"])' "$planted")
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
  awk -v l="$label" -v t="$t" -v m="$m" -v n="$count" -v r="$runs" \
    'BEGIN {printf "%-12s wall %6.3f s (median of %d)   peak %6.1f MB   %8.0f files/s\n", l, t, r, m/1024, (t > 0 ? n/t : 0)}'
}

report "all cores" ; cp target/bench-report.json target/bench-report-all.json
report "--jobs 1" --jobs 1

python3 - "$planted" target/bench-report-all.json <<'PY'
import json, sys
planted = json.loads(sys.argv[1])["planted"]
report = json.load(open(sys.argv[2]))
found = {}
for f in report["findings"]:
    found[f["rule_id"]] = found.get(f["rule_id"], 0) + 1
print("planted:", planted)
print("found:  ", {r: found.get(r, 0) for r in planted})
bad = {r: (n, found.get(r, 0)) for r, n in planted.items() if found.get(r, 0) != n}
if bad:
    sys.exit(f"MISMATCH (planted, found): {bad}")
if report["diagnostics"]:
    sys.exit(f"unexpected diagnostics: {report['diagnostics'][:3]}")
print("all planted findings found, no extra ones")
PY

if [ "${PEERS:-0}" = 1 ] && [ "$corpus_kind" = dockerfiles ] && command -v hadolint >/dev/null; then
  find "$corpus" -name Dockerfile | sort > target/bench-files.txt
  /usr/bin/time -f "%e %M" -o target/bench-time sh -c 'xargs hadolint --no-fail -f json < target/bench-files.txt > /dev/null'
  read -r seconds kib < <(tail -n 1 target/bench-time)
  awk -v t="$seconds" -v m="$kib" -v n="$count" \
    'BEGIN {printf "%-12s wall %6.3f s (one run)         peak %6.1f MB   %8.0f files/s\n", "hadolint", t, m/1024, n/t}'
fi
if [ "${PEERS:-0}" = 1 ] && [[ "$corpus_kind" = terraform* ]] && command -v checkov >/dev/null; then
  /usr/bin/time -f "%e %M" -o target/bench-time checkov -d "$corpus" --framework terraform -o json --quiet --compact --skip-download > target/bench-checkov.json 2>/dev/null || true
  read -r seconds kib < <(tail -n 1 target/bench-time)
  awk -v t="$seconds" -v m="$kib" -v n="$count" \
    'BEGIN {printf "%-12s wall %6.3f s (one run)         peak %6.1f MB   %8.0f files/s\n", "checkov", t, m/1024, n/t}'
fi
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB"
