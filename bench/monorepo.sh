#!/usr/bin/env bash
# Benchmark: a generated monorepo of every kind of file palisade reads, at several sizes, beside
# the incumbent tools when they are installed.
#
#   bench/monorepo.sh [FILES...]        (default: 1000 10000 100000)
#   RUNS=5 bench/monorepo.sh …          timed runs of palisade per size (median reported)
#   PEERS=1 bench/monorepo.sh 1000 …    also time Checkov (all its frameworks for these files),
#                                       hadolint (the Dockerfiles) and Trivy (config), if on PATH
#   PEER_LIMIT=20000 …                  the largest size the peers run on (they take minutes)
#
# Each tree mixes, by file count: 30% Dockerfiles, 25% Kubernetes manifests, 5% compose files,
# about 20% Terraform (modules of .tf files with a terraform.tfvars) and 20% source code of ten
# languages with planted secrets. The generators are deterministic and print what they planted;
# palisade must report exactly the planted count of every planted rule. For each size the script
# prints wall time, peak memory and files/s on all cores and with --jobs 1, then how time grows
# with size (it should stay linear), each peer's time and ratio to palisade, and a 10-file scan
# as a pre-commit hook runs it.
# Needs cargo, python3 and GNU time.
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("$@")
[ ${#sizes[@]} -eq 0 ] && sizes=(1000 10000 100000)
runs=${RUNS:-3}
peer_limit=${PEER_LIMIT:-20000}
cargo build --release --quiet --locked --bin palisade \
  --example dockerfile_corpus --example manifest_corpus --example terraform_corpus --example secrets_corpus
bin=target/release
summary=()

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
timed() { # runs label files command…: prints one line, leaves "seconds kib" in $result
  local n=$1 label=$2 files=$3; shift 3
  local times=() mems=()
  for _ in $(seq "$n"); do
    /usr/bin/time -f "%e %M" -o target/bench-time "$@" > /dev/null 2>&1 || true
    read -r seconds kib < <(tail -n 1 target/bench-time)
    times+=("$seconds"); mems+=("$kib")
  done
  local t m
  t=$(printf '%s\n' "${times[@]}" | median)
  m=$(printf '%s\n' "${mems[@]}" | sort -n | tail -1)
  result="$t $m"
  awk -v l="$label" -v t="$t" -v m="$m" -v n="$files" -v r="$n" \
    'BEGIN {printf "  %-26s wall %8.2f s (median of %d)  peak %7.1f MB  %9.0f files/s\n", l, t, r, m/1024, (t > 0 ? n/t : 0)}'
}

for size in "${sizes[@]}"; do
  root=target/bench-corpus/monorepo-$size
  tree=$root/tree
  rm -rf "$root" && mkdir -p "$tree"
  dockerfiles=$((size * 30 / 100))
  manifests=$((size * 25 / 100))
  compose=$((size * 5 / 100))
  tf=$((size * 16 / 100))                     # plus one terraform.tfvars per 4 files
  sources=$((size * 20 / 100))
  # Source files of 100 to 200 lines, about 5 KB each.
  source_mb=$(( (sources * 5 + 1023) / 1024 ))
  plants=()
  plants+=("$($bin/examples/dockerfile_corpus "$tree/services" "$dockerfiles")")
  plants+=("$($bin/examples/manifest_corpus "$tree/deploy" "$manifests" "$compose")")
  plants+=("$($bin/examples/terraform_corpus "$tree/infra" "$tf")")
  # The generator writes its answer key beside the tree it makes: keep that out of the scan.
  plants+=("$($bin/examples/secrets_corpus "$root/sources/src" "$source_mb" 200)")
  mv "$root/sources/src" "$tree/src"
  planted=$(python3 - "${plants[@]}" <<'PY'
import json, sys
files, size, planted = 0, 0, {}
for text in sys.argv[1:]:
    part = json.loads(text)
    files += part["files"]; size += part["bytes"]
    for rule, n in part["planted"].items():
        planted[rule] = planted.get(rule, 0) + n
print(json.dumps({"files": files, "bytes": size, "planted": planted}))
PY
)
  files=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["files"])' "$planted")
  mb=$(python3 -c 'import json,sys; print(round(json.loads(sys.argv[1])["bytes"] / 1048576, 1))' "$planted")
  echo "$size: $tree, $files files, $mb MB"
  sync
  timed "$runs" "palisade, all cores" "$files" \
    $bin/palisade scan "$tree" --format json --output "$root/report.json" --fail-on none
  read -r all_t all_m <<< "$result"
  timed "$runs" "palisade --jobs 1" "$files" \
    $bin/palisade scan "$tree" --format json --output /dev/null --fail-on none --jobs 1
  read -r one_t _ <<< "$result"
  python3 - "$planted" "$root/report.json" <<'PY'
import json, sys
planted = json.loads(sys.argv[1])["planted"]
report = json.load(open(sys.argv[2]))
found = {}
for f in report["findings"]:
    found[f["rule_id"]] = found.get(f["rule_id"], 0) + 1
bad = {r: (n, found.get(r, 0)) for r, n in planted.items() if found.get(r, 0) != n}
if bad:
    sys.exit(f"  MISMATCH (planted, found): {bad}")
print(f"  every planted finding reported: {sum(planted.values())} findings of {len(planted)} rules, "
      f"{len(report['findings'])} findings in all, {len(report['diagnostics'])} diagnostics")
PY
  summary+=("$size $files $all_t $all_m $one_t")

  if [ "${PEERS:-0}" = 1 ] && [ "$size" -le "$peer_limit" ]; then
    if command -v checkov > /dev/null; then
      timed 1 "checkov" "$files" checkov -d "$tree" --framework dockerfile kubernetes terraform secrets \
        -o json --quiet --compact --skip-download
      read -r t _ <<< "$result"
      awk -v t="$t" -v p="$all_t" 'BEGIN {printf "  %-26s %.0fx palisade'"'"'s time\n", "", t/p}'
    fi
    if command -v hadolint > /dev/null; then
      find "$tree" -name Dockerfile | sort > "$root/dockerfiles.txt"
      timed 1 "hadolint (Dockerfiles only)" "$(wc -l < "$root/dockerfiles.txt")" \
        sh -c "xargs hadolint --no-fail -f json < '$root/dockerfiles.txt'"
      read -r t _ <<< "$result"
      awk -v t="$t" -v p="$all_t" 'BEGIN {printf "  %-26s %.0fx palisade'"'"'s time (for all files)\n", "", t/p}'
    fi
    if command -v trivy > /dev/null; then
      timed 1 "trivy config" "$files" trivy config --skip-check-update --skip-version-check \
        --disable-telemetry --quiet -f json -o /dev/null "$tree"
      read -r t _ <<< "$result"
      awk -v t="$t" -v p="$all_t" 'BEGIN {printf "  %-26s %.0fx palisade'"'"'s time\n", "", t/p}'
    fi
  fi
done

echo "growth (all cores; microseconds per file should stay flat):"
for line in "${summary[@]}"; do
  read -r size files t m one <<< "$line"
  awk -v s="$size" -v n="$files" -v t="$t" -v m="$m" -v o="$one" \
    'BEGIN {printf "  %7d files: %7.1f us/file all cores, %7.1f us/file --jobs 1, peak %6.1f MB\n", n, t*1e6/n, o*1e6/n, m/1024}'
done
# A pre-commit hook scans a handful of files: start-up dominates, so it is timed apart, on ten
# files of the first tree (three Dockerfiles, three manifests, a compose file, a Terraform file,
# two sources), from the median of 30 runs.
first=target/bench-corpus/monorepo-${sizes[0]}/tree
python3 - "$bin/palisade" "$first" <<'PY'
import os, statistics, subprocess, sys, time
binary, tree = sys.argv[1], sys.argv[2]
by_kind = {}
for directory, _, names in sorted(os.walk(tree)):
    for name in sorted(names):
        kind = ("dockerfile" if name == "Dockerfile" else "compose" if "compose" in name
                else "manifest" if name.endswith(".yaml") else "terraform" if name.endswith(".tf")
                else "source" if "/src/" in directory + "/" else None)
        if kind:
            by_kind.setdefault(kind, []).append(os.path.join(directory, name))
wanted = {"dockerfile": 3, "manifest": 3, "compose": 1, "terraform": 1, "source": 2}
files = [path for kind, n in wanted.items() for path in by_kind.get(kind, [])[:n]]
command = [binary, "scan", *files, "--quiet", "--fail-on", "none"]
times = []
for _ in range(31):
    started = time.perf_counter()
    subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    times.append((time.perf_counter() - started) * 1000)
times = times[1:]  # the first run warms the page cache
print(f"pre-commit: {len(files)} files, wall {statistics.median(times):.1f} ms median of 30, "
      f"best {min(times):.1f} ms")
PY
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB"
